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
* ``drift``: :math:`\max_t \max_{r,i} |\theta^{low}_t - \theta^{64}_t| /
  \max(|\theta^{64}_t|, 1)` over the steps 1..T (inf when a run became non-finite), and
  ``drift_t`` / ``drift_series``: the running maximum of that relative error on the log
  grid of :func:`adamlab.numerics.sim.result.log_rows` (1-based steps; the value at step t covers
  :math:`\theta_1..\theta_t`).

The iterates compared are the points :math:`\theta_t` at which step t's gradient is
taken (those recorded by ``record_iterates``), plus the final point after step T.
"""
from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from . import simulate
from .optimizers import Optimizer
from .optimizers.precision import ACCUMULATE, ROUNDING, STORAGE, low_precision
from .sim.result import log_rows
from .sim.setup import resolve_optimizer, resolve_problem

#: most float64 numbers of recorded iterates one compare may hold (two runs)
MAX_ITERATE_VALUES = 20_000_000


def _choice(name, value, allowed):
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"compare: {name} must be one of {', '.join(map(repr, allowed))}; "
                         f"got {value!r}")


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
    _choice("storage", storage, STORAGE)
    _choice("accumulate", accumulate, ACCUMULATE)
    _choice("rounding", rounding, ROUNDING)
    if not isinstance(kahan, (bool, np.bool_)):
        raise TypeError(f"compare: kahan must be True or False; got {kahan!r}")
    if not isinstance(optimizer, (str, Optimizer)):
        raise TypeError(f"compare: optimizer must be a registered optimizer name or an "
                        f"Optimizer; got {type(optimizer).__name__}")
    ref_opt = resolve_optimizer(optimizer, None)
    low = low_precision(ref_opt, storage=storage, accumulate=accumulate, rounding=rounding,
                        kahan=bool(kahan), seed=rounding_seed, nonfinite="freeze")
    prob = resolve_problem(problem, problem_params)
    d = int(getattr(prob, "d", 1))
    if 2 * int(T) * int(runs) * d > MAX_ITERATE_VALUES:
        raise ValueError(f"compare: T * runs * d = {T * runs * d} is too large to record "
                         f"iterates (at most {MAX_ITERATE_VALUES // 2})")
    kw = dict(engine="dense", record_iterates=True, stats=False, progress=False)
    ref = simulate.run(prob, ref_opt, T, runs, seed, **kw)
    res = simulate.run(prob, low, T, runs, seed, **kw)
    state = res.final_state             # the wrapper's counters after step T
    ref_it = np.concatenate([ref.iterates, ref.theta_final[None]], axis=0)
    low_it = np.concatenate([res.iterates, res.theta_final[None]], axis=0)
    with np.errstate(invalid="ignore", over="ignore"):
        rel = np.abs(low_it - ref_it) / np.maximum(np.abs(ref_it), 1.0)
    per_step = rel.reshape(rel.shape[0], -1).max(axis=1)
    nf = state.nonfinite[:, 0]
    first = int(nf[nf > 0].min()) if np.any(nf > 0) else None
    if first is not None:                   # the frozen run no longer follows the rule
        per_step[first:] = np.inf
    running = np.maximum.accumulate(per_step[:T])
    grid = log_rows(T)
    return {
        "storage": storage, "accumulate": accumulate, "rounding": rounding,
        "kahan": bool(kahan), "T": int(T), "runs": int(runs),
        "first_nonfinite": first,
        "flushed": int(state.flushed.sum()),
        "drift": float(per_step.max()),
        "final_drift": float(per_step[-1]),
        "drift_t": np.asarray(grid, dtype=np.int64),
        "drift_series": running[grid - 1],
    }


__all__ = ["compare"]
