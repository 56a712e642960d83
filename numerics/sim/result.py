r"""What a simulation returns: :class:`RunResult`, saved as .npz + JSON, never pickle.

A result holds, for R runs of T steps,

* ``losses`` -- (T, R): :math:`f_t(\\theta_t)`;
* ``stats`` -- dict of arrays named and shaped as in the run-statistics schema
  shared with :mod:`adamlab.theory.regret.bounds` (``"t"`` (T,), ``"regret"``,
  ``"G"``, ``"G_inf"``, ``"D"``, ``"D_inf"``, ``"sum_g_norm"``,
  ``"sum_sqrt_t_vhat"``, ``"sum_vhat_sqrt"``, ``"sum_b1t_vhat_over_alpha"``,
  ``"gamma_min_eig"``, optionally ``"regret_prefix"``; each (T, R), row t-1 =
  value after step t);
* ``constants`` -- dict of scalars or (R,) arrays (``"alpha"``, ``"beta1"``,
  ``"beta2"``, ``"lam"``, ``"eta"``, ``"d"``, ``"T"``, ``"D_domain"``,
  ``"D_inf_domain"``, where they apply);
* ``comparator`` -- dict ``theta`` (R, d), ``total_loss`` (R,), ``method``,
  ``bound`` (R,): per run, a certified upper bound on
  :math:`\sum_t f_t(\theta^*) - \min_F \sum_t f_t` (so every regret value is
  exact to within it), and ``certificate`` -- the comparator's certified
  accuracy over all runs: ``kkt_residual``, ``duality_gap`` (the Frank--Wolfe
  gap), ``suboptimality_bound`` (the largest ``bound``), ``relative_bound``,
  ``tolerance`` (the target) and ``certified`` (whether the bound met it);
  ``None`` entries when the run was interrupted (no comparator);
* ``theta_final`` -- (R, d) the iterate after the last step;
* ``metadata`` -- JSON-able dict: problem, optimizer, T, runs, seed, engine,
  ``complete`` (False when the run was interrupted; rows after
  ``steps_done`` are then NaN), ``stats_meta`` (how each statistic was
  computed), timings.

:meth:`RunResult.save` writes one ``.npz`` (arrays, plus the metadata as a
JSON string) atomically -- a temporary file in the same folder, then
:func:`os.replace` -- and a human-readable ``.json`` sidecar next to it.
:meth:`RunResult.load` reads with ``allow_pickle=False``.
"""
from __future__ import annotations

import json
import math
import numbers
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

FORMAT = "adamlab.run/1"


@dataclass
class RunResult:
    losses: np.ndarray
    stats: dict[str, np.ndarray]
    constants: dict[str, Any]
    comparator: dict[str, Any]
    theta_final: np.ndarray
    metadata: dict[str, Any] = field(default_factory=dict)
    iterates: np.ndarray | None = None

    # -- views ----------------------------------------------------------------
    @property
    def T(self) -> int:
        return int(self.losses.shape[0])

    @property
    def runs(self) -> int:
        return int(self.losses.shape[1])

    @property
    def complete(self) -> bool:
        return bool(self.metadata.get("complete", True))

    @property
    def steps_done(self) -> int:
        return int(self.metadata.get("steps_done", self.T))

    @property
    def regret(self) -> np.ndarray:
        """(T, R) regret curve :math:`R(t)` against the comparator of horizon T."""
        return self.stats["regret"]

    @property
    def final_regret(self) -> np.ndarray:
        """(R,) regret after the last completed step."""
        return self.stats["regret"][self.steps_done - 1]

    def average_regret(self) -> np.ndarray:
        """(T, R) :math:`R(t)/t`."""
        return self.stats["regret"] / self.stats["t"][:, None]

    def __repr__(self) -> str:
        meta = self.metadata
        state = "complete" if self.complete else f"INCOMPLETE ({self.steps_done} steps)"
        return (f"RunResult(problem={meta.get('problem')!r}, optimizer="
                f"{meta.get('optimizer')!r}, T={self.T}, runs={self.runs}, "
                f"engine={meta.get('engine')!r}, {state})")

    # -- persistence ------------------------------------------------------------
    def save(self, path: str | os.PathLike) -> Path:
        """Write ``path`` (.npz, suffix added if missing) and its .json sidecar, atomically."""
        path = _npz_path(path)
        arrays: dict[str, np.ndarray] = {"losses": np.asarray(self.losses),
                                         "theta_final": np.asarray(self.theta_final)}
        for name, value in self.stats.items():
            arrays[f"stats__{name}"] = np.asarray(value)
        scalars = {}
        for name, value in self.constants.items():
            if isinstance(value, np.ndarray):
                arrays[f"constants__{name}"] = value
            else:
                scalars[name] = to_jsonable(value)
        comp_meta = {}
        for name, value in self.comparator.items():
            if isinstance(value, np.ndarray):
                arrays[f"comparator__{name}"] = value
            else:
                comp_meta[name] = to_jsonable(value)
        if self.iterates is not None:
            arrays["iterates"] = np.asarray(self.iterates)
        doc = {"format": FORMAT, "metadata": to_jsonable(self.metadata),
               "constants": scalars, "comparator": comp_meta}
        text = json.dumps(doc, indent=1, sort_keys=True, allow_nan=True)
        arrays["__json__"] = np.array(text)
        for key, value in arrays.items():
            if value.dtype == object:
                raise TypeError(f"RunResult.save: {key} has dtype object; results hold "
                                f"numeric arrays only (no pickle)")
        _atomic_write(path, lambda fh: np.savez(fh, **arrays))
        _atomic_write(path.with_suffix(".json"), lambda fh: fh.write(text.encode()))
        return path

    @classmethod
    def load(cls, path: str | os.PathLike) -> "RunResult":
        """Read a result written by :meth:`save` (``allow_pickle=False``)."""
        path = _npz_path(path)
        if not path.exists():
            raise FileNotFoundError(f"RunResult.load: no such file {str(path)!r}")
        with np.load(path, allow_pickle=False) as data:
            if "__json__" not in data.files:
                raise ValueError(f"RunResult.load: {str(path)!r} is not an adamlab run "
                                 f"result (no __json__ entry)")
            doc = json.loads(str(data["__json__"]))
            if doc.get("format") != FORMAT:
                raise ValueError(f"RunResult.load: unknown format {doc.get('format')!r}")
            stats, constants, comparator = {}, dict(doc["constants"]), dict(doc["comparator"])
            for key in data.files:
                if key.startswith("stats__"):
                    stats[key[7:]] = data[key]
                elif key.startswith("constants__"):
                    constants[key[11:]] = data[key]
                elif key.startswith("comparator__"):
                    comparator[key[12:]] = data[key]
            iterates = data["iterates"] if "iterates" in data.files else None
            return cls(losses=data["losses"], stats=stats, constants=constants,
                       comparator=comparator, theta_final=data["theta_final"],
                       metadata=doc["metadata"], iterates=iterates)


def _npz_path(path) -> Path:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}")
    path = Path(path)
    return path if path.suffix == ".npz" else path.with_name(path.name + ".npz")


def _atomic_write(path: Path, write) -> None:
    """Write via a temporary file in the same folder, fsync, then os.replace."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def to_jsonable(value: Any) -> Any:
    """A JSON-able copy of ``value``: arrays become lists, schedules their JSON form."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        v = float(value)
        return v if math.isfinite(v) else repr(v)
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist())
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    to_json = getattr(value, "to_json", None)
    if callable(to_json):
        return to_jsonable(to_json())
    fn = getattr(value, "fn", None)     # a validated schedule wrapper
    if fn is not None and callable(fn):
        return to_jsonable(fn)
    return repr(value)


__all__ = ["RunResult", "to_jsonable", "FORMAT"]
