r"""Checkpoints of a regret experiment, so that an interrupted one can be resumed.

A checkpoint is one *completed series*: its :class:`~adamlab.numerics.sim.result.RunResult`
with every step (the files in ``runs/`` keep only the log grid the figures draw). It is
saved in ``<out>/.checkpoint/`` as soon as the series ends. ``adamlab regret --resume``
(:func:`adamlab.proofs.regret.experiment.run_experiment` with ``checkpoint=``) reads the
completed series back instead of simulating them again. It assesses them exactly as it
would a fresh result, so the outputs are those of an uninterrupted run: the simulations
are deterministic, and so is everything computed from them. The series that was cut
short starts again from step 0, since the engines keep no state between steps on disk.
Once the whole experiment is complete, the checkpoint folder is removed.

What must agree for a checkpoint to be used is in its key. For the experiment that is
the package version, the problem with its parameters, T, the number of runs, the seed,
how ``runs/`` is saved and the labels of the series. For each series it is its label, optimizer and
hyperparameters. A folder whose key differs is refused with the first difference named
(:func:`describe_mismatch`), never mixed with a new run. A series whose result with every
step would exceed :data:`MAX_BYTES` gets no checkpoint (it is said in the log), and is
simulated again on resume.
"""
from __future__ import annotations

import json
import shutil
from importlib import metadata
from pathlib import Path
from typing import Any

from adamlab.numerics.atomic import atomic_write_text
from adamlab.numerics.sim.result import RunResult

FOLDER = ".checkpoint"
FORMAT = "adamlab.regret-checkpoint/1"
MAX_BYTES = 1 << 28
#: about how fast a result's arrays are compressed onto disk, in bytes of arrays per
#: second (measured: 430 MB of rkk-online statistics, 108 MB compressed, in about 25 s on
#: the 2-core development machine)
SAVE_RATE = 1.5e7


def _version() -> str:
    try:
        return metadata.version("adamlab")
    except metadata.PackageNotFoundError:       # pragma: no cover - running from a tree
        return "unknown"


def experiment_key(problem, T: int, runs: int, seed: int, save_steps: str,
                   series: list[str], precision: dict | None = None) -> dict:
    """What an experiment's checkpoints depend on (see the module docs); ``series``: the
    labels of its series, in order (a resumed run writes the same files); ``precision``:
    the low-precision settings (None: float64)."""
    return {"format": FORMAT, "adamlab": _version(), "problem": problem.to_json(),
            "T": int(T), "runs": int(runs), "seed": int(seed), "save_steps": save_steps,
            "series": list(series), "precision": None if precision is None else
            {k: precision[k] for k in sorted(precision)}}


def describe_mismatch(old: dict, new: dict) -> str | None:
    """None when the keys agree, else the first setting that differs, in words."""
    for k in new:
        if old.get(k) != new[k]:
            return f"{k} was {json.dumps(old.get(k))}, this run has {json.dumps(new[k])}"
    return None


class Checkpoint:
    """The checkpoint folder of one output folder (see the module docs)."""

    def __init__(self, out_dir: str | Path):
        self.folder = Path(out_dir) / FOLDER

    def exists(self) -> bool:
        return (self.folder / "key.json").is_file()

    def key(self) -> dict | None:
        """The experiment key stored there, or None (no checkpoint, or unreadable)."""
        try:
            return json.loads((self.folder / "key.json").read_text())
        except (OSError, ValueError):
            return None

    def refusal(self, key: dict) -> str | None:
        """None when the experiment of ``key`` may resume from this folder, else why not
        (no checkpoint, or the checkpoint of another experiment, with the difference)."""
        old = self.key()
        if old is None:
            return (f"{str(self.folder.parent)!r} holds no checkpoint of an interrupted run "
                    f"(one is kept in {FOLDER}/ while adamlab regret runs, and removed when "
                    f"it completes)")
        why = describe_mismatch(old, key)
        return None if why is None else \
            f"the run in {str(self.folder.parent)!r} is another experiment ({why}); give " \
            f"the same settings, or use --force to replace it"

    def start(self, key: dict) -> None:
        """Begin (or continue) checkpointing the experiment of ``key``."""
        self.folder.mkdir(parents=True, exist_ok=True)
        atomic_write_text(self.folder / "key.json", json.dumps(key, indent=1, sort_keys=True))

    def load(self, stem: str, series_key: dict) -> RunResult | None:
        """The completed series ``stem`` if it was checkpointed with ``series_key``."""
        try:
            stored = json.loads((self.folder / f"{stem}.key.json").read_text())
        except (OSError, ValueError):
            return None
        if stored != json.loads(json.dumps(series_key)):
            return None
        try:
            res = RunResult.load(self.folder / f"{stem}.npz")
        except (OSError, ValueError):
            return None
        return res if res.complete else None

    def store(self, stem: str, series_key: dict, res: RunResult, seconds: float) -> bool:
        """Save a completed series with every step; False (nothing written) when it is
        incomplete, or when saving it would cost more than simulating it again: larger
        than :data:`MAX_BYTES`, or more than a quarter of the ``seconds`` it took (at
        :data:`SAVE_RATE`) unless that is under half a second."""
        size = nbytes(res)
        if not res.complete or size > MAX_BYTES or \
                size / SAVE_RATE > max(0.5, 0.25 * float(seconds)):
            return False
        res.save(self.folder / f"{stem}.npz", steps="all")
        atomic_write_text(self.folder / f"{stem}.key.json",
                          json.dumps(series_key, indent=1, sort_keys=True))
        return True

    def clear(self) -> None:
        """Remove the folder (the experiment is complete)."""
        shutil.rmtree(self.folder, ignore_errors=True)


def nbytes(res: RunResult) -> int:
    """The size of a result's per-step arrays (what a checkpoint stores, uncompressed)."""
    total = getattr(res.losses, "nbytes", 0)
    for value in res.stats.values():
        total += getattr(value, "nbytes", 0)
    return int(total)


def series_key(label: str, optimizer: str, hyper: Any) -> dict:
    """What one series' checkpoint depends on beyond the experiment key."""
    return {"label": label, "optimizer": optimizer, "hyper": hyper}


__all__ = ["Checkpoint", "FOLDER", "FORMAT", "MAX_BYTES", "describe_mismatch",
           "experiment_key", "nbytes", "series_key"]
