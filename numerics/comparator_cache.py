r"""Certified comparators on disk, so that a second plot of the same data costs nothing.

A comparator (:class:`.comparator.Comparator`) depends on the data alone: the
problem and its parameters, the horizon T, the number of runs, the seed and
whether the runs share their data -- and on the code that generates the data and
solves for it, so the package version is part of the key.  Each entry is two files
under :func:`cache_dir` named by the SHA-256 of that key: ``<key>.npz`` (theta,
the losses and the certificate arrays; ``allow_pickle=False``) and ``<key>.json``
(the key itself, the method, the tolerance and the solver details), each written
to a temporary name and moved into place, so that a reader never sees half an
entry.  Only certified comparators are stored: an uncertified one is solved again
next time.  A comparator read back is used only when its total loss, recomputed on
the instance's own data at its point, agrees
(:meth:`adamlab.numerics.problems._instance.Instance._same_data`): data that changed
under an unchanged key are solved again, never compared against a stale optimum.

Where: ``$ADAMLAB_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/adamlab/comparators``,
else ``~/.cache/adamlab/comparators``.  ``ADAMLAB_CACHE_DIR=off`` turns the cache
off.  Files are created with the user's umask.
"""
from __future__ import annotations

import hashlib
import json
import os
from importlib import metadata
from pathlib import Path

import numpy as np

from .comparator import Comparator

ENV = "ADAMLAB_CACHE_DIR"
FORMAT = "adamlab.comparator/1"


def _version() -> str:
    try:
        return metadata.version("adamlab")
    except metadata.PackageNotFoundError:       # pragma: no cover - running from a tree
        return "unknown"


def cache_dir() -> Path | None:
    """The cache folder (see the module docs), or None when the cache is off."""
    env = os.environ.get(ENV)
    if env is not None:
        return None if env.strip().lower() in ("", "off", "0", "none") else Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "adamlab" / "comparators"


def key_of(problem, T: int, runs: int, seed, shared: bool) -> dict:
    """Everything that determines a comparator, as a JSON-able dict."""
    return {"format": FORMAT, "adamlab": _version(), "problem": problem.to_json(),
            "T": int(T), "runs": int(runs), "seed": seed if isinstance(seed, int) else
            [int(s) for s in seed], "shared": bool(shared)}


def _name(key: dict) -> str:
    text = json.dumps(key, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def load(key: dict) -> Comparator | None:
    """The stored comparator for ``key``, or None (absent, unreadable or another key)."""
    folder = cache_dir()
    if folder is None:
        return None
    stem = folder / _name(key)
    try:
        meta = json.loads((stem.with_suffix(".json")).read_text(encoding="utf-8"))
        if meta.get("key") != json.loads(json.dumps(key, default=str)):
            return None
        with np.load(stem.with_suffix(".npz"), allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
    except (OSError, ValueError, KeyError):
        return None
    gap = arrays.get("duality_gap")
    comp = Comparator(arrays["theta"], arrays["total_loss"], meta["method"],
                      kkt_residual=arrays["kkt_residual"], duality_gap=gap,
                      bound=arrays["bound"], tolerance=meta["tolerance"],
                      info=dict(meta.get("info", {}), cached=True))
    return comp if comp.certified else None


def _write(path: Path, write) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    try:
        with open(tmp, "wb") as fh:             # open() honours the umask
            write(fh)
        os.replace(tmp, path)
    except BaseException:
        if tmp.exists():
            tmp.unlink()
        raise


def store(key: dict, comp: Comparator) -> bool:
    """Store a certified ``comp`` under ``key``; False when not stored (uncertified, the
    cache off, or the folder not writable -- a cache never fails a run)."""
    folder = cache_dir()
    if folder is None or not comp.certified:
        return False
    stem = folder / _name(key)
    arrays = {"theta": comp.theta, "total_loss": comp.total_loss,
              "kkt_residual": comp.kkt_residual, "bound": comp.bound}
    if comp.duality_gap is not None:
        arrays["duality_gap"] = comp.duality_gap
    meta = {"key": key, "method": comp.method, "tolerance": comp.tolerance,
            "certificate": comp.certificate, "info": comp.info}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _write(stem.with_suffix(".npz"), lambda fh: np.savez_compressed(fh, **arrays))
        text = json.dumps(meta, default=str).encode("utf-8")
        _write(stem.with_suffix(".json"), lambda fh: fh.write(text))
    except OSError:
        return False
    return True


__all__ = ["ENV", "cache_dir", "key_of", "load", "store"]
