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
* ``final_state`` -- the optimizer's state (its NamedTuple) after the last step done,
  from the dense engine only (None from the other engines); in memory only: not saved,
  None after :meth:`RunResult.load`;
* ``metadata`` -- JSON-able dict: problem, optimizer, T, runs, seed, engine,
  ``complete`` (False when the run was interrupted; rows after
  ``steps_done`` are then NaN), ``stats_meta`` (how each statistic was
  computed), timings.

:meth:`RunResult.save` writes one compressed ``.npz`` (arrays, plus the metadata as
a JSON string; with ``steps="log"`` the per-step arrays only at :func:`log_rows`, listed
in ``rows``) atomically -- a temporary file in the same folder, then
:func:`os.replace` -- and a human-readable ``.json`` sidecar next to it.
:meth:`RunResult.load` reads with ``allow_pickle=False``.
"""
from __future__ import annotations

import json
import math
import numbers
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..atomic import atomic_write

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
    rows: np.ndarray | None = None     # the steps (1-based) held, when not every step
    final_state: Any = field(default=None, repr=False, compare=False)   # not saved

    # -- views ----------------------------------------------------------------
    @property
    def T(self) -> int:
        return int(self.rows[-1]) if self.rows is not None else int(self.losses.shape[0])

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
        if self.rows is not None:
            return self.stats["regret"][int(np.searchsorted(self.rows, self.steps_done))]
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
    def save(self, path: str | os.PathLike, *, steps: str = "all") -> Path:
        """Write ``path`` (.npz, compressed; suffix added if missing) and its .json
        sidecar, atomically.  ``steps="log"`` keeps the per-step arrays (losses and
        statistics) only at :func:`log_rows` (every step up to 100, then about 1000
        log-spaced ones, and T): what the figures draw, at a fraction of the size;
        ``"all"`` (default) keeps every step."""
        if steps not in ("all", "log"):
            raise ValueError(f"RunResult.save: steps must be 'all' or 'log'; got {steps!r}")
        path = _npz_path(path)
        rows = self.rows
        pick = slice(None)
        if steps == "log" and rows is None:
            rows = log_rows(self.T)
            pick = rows - 1
        arrays: dict[str, np.ndarray] = {"losses": np.asarray(self.losses)[pick],
                                         "theta_final": np.asarray(self.theta_final)}
        if rows is not None:
            arrays["rows"] = np.asarray(rows, dtype=np.int64)
        for name, value in self.stats.items():
            arrays[f"stats__{name}"] = np.asarray(value)[pick]
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
        atomic_write(path, lambda fh: np.savez_compressed(fh, **arrays))
        atomic_write(path.with_suffix(".json"), lambda fh: fh.write(text.encode()))
        return path

    @classmethod
    def load(cls, path: str | os.PathLike) -> "RunResult":
        """Read a result written by :meth:`save` (``allow_pickle=False``)."""
        path = _npz_path(path)
        if not path.exists():
            raise FileNotFoundError(f"RunResult.load: no such file {str(path)!r}")
        try:
            return cls._read(path)
        except (zipfile.BadZipFile, EOFError, KeyError, json.JSONDecodeError) as exc:
            raise ValueError(f"RunResult.load: {str(path)!r} is not a readable adamlab run "
                             f"result ({type(exc).__name__}: {exc}); was it cut short?") \
                from None

    @classmethod
    def _read(cls, path: Path) -> "RunResult":
        # our own handle: np.load leaks the file it opened when the archive is bad
        with open(path, "rb") as fh, np.load(fh, allow_pickle=False) as data:
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
            rows = data["rows"] if "rows" in data.files else None
            return cls(losses=data["losses"], stats=stats, constants=constants,
                       comparator=comparator, theta_final=data["theta_final"],
                       metadata=doc["metadata"], iterates=iterates, rows=rows)


def log_rows(T: int, per_decade: int = 300) -> np.ndarray:
    """The steps :meth:`RunResult.save` keeps with ``steps="log"``: 1..min(T, 100), then
    about ``per_decade`` log-spaced steps per decade, and T (1-based, increasing)."""
    if isinstance(T, bool) or not isinstance(T, numbers.Integral) or T < 1:
        raise ValueError(f"log_rows: T must be an int >= 1; got {T!r}")
    head = np.arange(1, min(int(T), 100) + 1)
    if T <= 100:
        return head
    n = int(math.ceil(per_decade * math.log10(T / 100)))
    tail = np.round(np.logspace(2, math.log10(T), n + 1)).astype(np.int64)
    return np.unique(np.concatenate([head, tail, [int(T)]]))


def _npz_path(path) -> Path:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}")
    path = Path(path)
    return path if path.suffix == ".npz" else path.with_name(path.name + ".npz")


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


__all__ = ["RunResult", "to_jsonable", "FORMAT", "log_rows"]
