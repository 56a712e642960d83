r"""Drift of a low-precision run from its float64 reference.

:func:`compare` plays ``problem`` with ``optimizer`` twice through
:func:`adamlab.numerics.simulate.run` (dense engine, iterates recorded): once plain in
float64 (the reference :math:`\theta^{64}_t`), once wrapped by
:func:`adamlab.numerics.optimizers.precision.low_precision` (storage/accumulate/rounding/
kahan as given, ``nonfinite="freeze"`` so a run that overflows is recorded rather than
raised).  It reports

* ``first_nonfinite``: the first step at which any run's stored params or state became
  non-finite (None if never);
* ``flushed``: the number of (step, run, coordinate) triples whose stored update rounded to
  zero while the accumulator update was nonzero (the wrapper's state counter);
* ``stalled``: the number of (step, run, coordinate) triples at which a state entry (a
  moment) moved in the accumulator but not in storage;
* ``drift``: :math:`\max_t \max_{r,i} |\theta^{low}_t - \theta^{64}_t| /
  \max(|\theta^{64}_t|, 1)` over the steps 1..T (inf when a run became non-finite), and
  ``drift_t`` / ``drift_series``: the running maximum of that relative error on the log
  grid of :func:`adamlab.numerics.sim.result.log_rows` (1-based steps; the value at step t covers
  :math:`\theta_1..\theta_t`).

The iterates compared are the points :math:`\theta_t` at which step t's gradient is
taken (those recorded by ``record_iterates``), plus the final point after step T.

:func:`drift_report` computes the same report from two results already simulated (the
float64 one and the low-precision one, on the same data), e.g. for the series of
``adamlab regret --dtype``; without recorded iterates it compares the final points only
(``drift`` is then None and ``final_drift`` is the measure).
"""
from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from . import simulate
from .optimizers import Optimizer
from .optimizers.precision import ACCUMULATE, ROUNDING, STORAGE, low_precision
from .sim.result import RunResult, log_rows
from .sim.setup import resolve_optimizer, resolve_problem

#: most float64 numbers of recorded iterates one compare may hold (two runs)
MAX_ITERATE_VALUES = 20_000_000


def _choice(name, value, allowed, where):
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"{where}: {name} must be one of {', '.join(map(repr, allowed))}; "
                         f"got {value!r}")


def check_settings(storage: str, accumulate: str, rounding: str, kahan: Any,
                   where: str = "compare") -> None:
    """Raise ValueError/TypeError naming the setting when one is not allowed."""
    _choice("storage", storage, STORAGE, where)
    _choice("accumulate", accumulate, ACCUMULATE, where)
    _choice("rounding", rounding, ROUNDING, where)
    if not isinstance(kahan, (bool, np.bool_)):
        raise TypeError(f"{where}: kahan must be True or False; got {kahan!r}")


def iterates_fit(T: int, runs: int, d: int) -> bool:
    """Whether the iterates of two runs of this size fit :data:`MAX_ITERATE_VALUES`."""
    return 2 * int(T) * int(runs) * int(d) <= MAX_ITERATE_VALUES


def compare(problem: Any, optimizer: Any, T: int, runs: int = 1, seed: Any = 0, *,
            storage: str = "bfloat16", accumulate: str = "float32",
            rounding: str = "nearest", kahan: bool = False, rounding_seed: int = 0,
            problem_params: dict | None = None) -> dict:
    """The drift report of ``optimizer`` on ``problem`` in low precision; see module docs.

    ``problem``: a Problem or registered name; ``optimizer``: a registered name or an
    Optimizer (float64 reference = it, unwrapped).  ``rounding_seed`` seeds stochastic
    rounding.  Returns a dict with ``first_nonfinite``, ``flushed``, ``drift``,
    ``drift_t``, ``drift_series``, ``final_drift`` and the settings."""
    for name, value in (("T", T), ("runs", runs)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
            raise (TypeError if not isinstance(value, numbers.Integral) or
                   isinstance(value, bool) else ValueError)(
                f"compare: {name} must be an int >= 1; got {value!r}")
    check_settings(storage, accumulate, rounding, kahan)
    if not isinstance(optimizer, (str, Optimizer)):
        raise TypeError(f"compare: optimizer must be a registered optimizer name or an "
                        f"Optimizer; got {type(optimizer).__name__}")
    ref_opt = resolve_optimizer(optimizer, None)
    low = low_precision(ref_opt, storage=storage, accumulate=accumulate, rounding=rounding,
                        kahan=bool(kahan), seed=rounding_seed, nonfinite="freeze")
    prob = resolve_problem(problem, problem_params)
    d = int(getattr(prob, "d", 1))
    if not iterates_fit(T, runs, d):
        raise ValueError(f"compare: T * runs * d = {T * runs * d} is too large to record "
                         f"iterates (at most {MAX_ITERATE_VALUES // 2})")
    kw = dict(engine="dense", record_iterates=True, stats=False, progress=False)
    ref = simulate.run(prob, ref_opt, T, runs, seed, **kw)
    res = simulate.run(prob, low, T, runs, seed, **kw)
    return drift_report(ref, res)


def drift_report(ref: RunResult, low: RunResult) -> dict:
    """The report of the module docs from the float64 result ``ref`` and the result ``low``
    of the same game played by a :func:`low_precision` wrapper with ``nonfinite="freeze"``
    (its ``final_state`` holds the counters: the dense engine's result, fresh)."""
    state = low.final_state
    if state is None or not hasattr(state, "flushed"):
        raise ValueError("drift_report: low must be a fresh dense-engine result of a "
                         "low_precision optimizer (its final_state holds the counters)")
    if ref.theta_final.shape != low.theta_final.shape or ref.T != low.T:
        raise ValueError(f"drift_report: ref and low must be the same game; got T = "
                         f"{ref.T}, {low.T} and theta shapes {ref.theta_final.shape}, "
                         f"{low.theta_final.shape}")
    T = low.T
    nf = state.nonfinite[:, 0]
    first = int(nf[nf > 0].min()) if np.any(nf > 0) else None
    hyper = low.metadata.get("optimizer_hyper", {})
    out = {key: hyper.get(key) for key in ("storage", "accumulate", "rounding", "kahan")}
    out.update({"T": int(T), "runs": int(low.runs), "first_nonfinite": first,
                "flushed": int(state.flushed.sum()), "stalled": int(state.stalled.sum())})
    if ref.iterates is None or low.iterates is None:
        rel = _relative(low.theta_final[None], ref.theta_final[None])[0]
        out.update({"drift": None, "final_drift": float(np.inf if first else rel.max()),
                    "drift_t": None, "drift_series": None})
        return out
    ref_it = np.concatenate([ref.iterates, ref.theta_final[None]], axis=0)
    low_it = np.concatenate([low.iterates, low.theta_final[None]], axis=0)
    rel = _relative(low_it, ref_it)
    per_step = rel.reshape(rel.shape[0], -1).max(axis=1)
    if first is not None:                   # the frozen run no longer follows the rule
        per_step[first:] = np.inf
    running = np.maximum.accumulate(per_step[:T])
    grid = log_rows(T)
    out.update({"drift": float(per_step.max()), "final_drift": float(per_step[-1]),
                "drift_t": np.asarray(grid, dtype=np.int64),
                "drift_series": running[grid - 1]})
    return out


def _relative(low: np.ndarray, ref: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", over="ignore"):
        return np.abs(low - ref) / np.maximum(np.abs(ref), 1.0)


__all__ = ["MAX_ITERATE_VALUES", "check_settings", "compare", "drift_report", "iterates_fit"]
