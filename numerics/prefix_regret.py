r"""The regret :math:`R(T)` at several horizons T from one run, for problems without
per-step prefix comparators.

The learner never knows the horizon (its schedules depend on t only), and a
problem's data for steps :math:`1..h` do not depend on the horizon it was
sampled with (each run's stream is drawn block by block from
``(seed, run, block)``; :meth:`Problem.sample`).  So one run of T steps holds
the play of every shorter game, and for each horizon :math:`h \le T`

.. math:: R(h) = \sum_{t=1}^{h} f_t(\theta_t) - \min_{x\in F}\sum_{t=1}^{h} f_t(x),

where the minimum is the certified comparator of the game sampled with horizon
h (:mod:`adamlab.numerics.comparator`).  Linear problems have this for every t
(``stats["regret_prefix"]``); for the others it costs one comparator per
horizon, so it is computed on a log-spaced set of horizons (:func:`horizons`).
Zinkevich (ICML 2003) defines the regret of horizon T exactly this way; a
regret *curve* :math:`R(T)` against T needs it.

Not for adaptive problems (their losses depend on the iterates, so the comparator
of a shorter game needs the iterates of that game).
"""
from __future__ import annotations

import numbers

import numpy as np


def horizons(T: int, per_decade: int = 4, start: int = 10) -> np.ndarray:
    r"""Horizons :math:`10^{k/\text{per\_decade}}` (rounded) from ``start`` up to ``T``,
    with T itself: every power of ten in range is included.  ``T``, ``per_decade``,
    ``start`` are ints >= 1."""
    for name, v in (("T", T), ("per_decade", per_decade), ("start", start)):
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Integral) or v < 1:
            raise ValueError(f"horizons: {name} must be an int >= 1; got {v!r}")
    top = int(np.floor(np.log10(T) * per_decade + 1e-9))
    hs = np.round(10.0 ** (np.arange(0, top + 1) / per_decade)).astype(np.int64)
    hs = hs[(hs >= min(start, T)) & (hs <= T)]
    return np.unique(np.append(hs, T))


def prefix_best_totals(problem, hs, runs: int, seed=0, *, shared: bool = False,
                       known: dict | None = None) -> np.ndarray:
    r"""(len(hs), runs): :math:`\min_{x\in F}\sum_{t\le h} f_t(x)` for each horizon h,
    from the games sampled as :func:`adamlab.numerics.simulate.run` samples them
    (``problem.sample(h, runs, seed, shared=shared)``).  ``known`` maps a horizon to
    totals already computed (e.g. the run's own comparator at T)."""
    if getattr(problem, "adaptive", False):
        raise ValueError(f"prefix_best_totals: {problem.name} is adaptive (its losses depend "
                         f"on the iterates); the comparator of a shorter game is not defined "
                         f"by the data alone")
    hs = np.asarray(hs, dtype=np.int64).reshape(-1)
    if hs.size == 0 or np.any(hs < 1):
        raise ValueError("prefix_best_totals: hs must be a non-empty list of ints >= 1")
    known = dict(known or {})
    out = np.empty((hs.size, runs))
    for k, h in enumerate(hs):
        if int(h) in known:
            out[k] = np.asarray(known[int(h)], dtype=np.float64).reshape(runs)
            continue
        if isinstance(seed, (list, tuple, np.ndarray)):
            comps = [problem.sample(int(h), 1, int(s)).comparator() for s in seed]
            out[k] = np.concatenate([np.asarray(c.total_loss).reshape(-1) for c in comps])
        else:
            comp = problem.sample(int(h), runs, seed, shared=shared).comparator()
            out[k] = np.asarray(comp.total_loss, dtype=np.float64).reshape(runs)
    return out


def regret_at(losses, hs, best) -> np.ndarray:
    r"""(len(hs), R): :math:`R(h) = \sum_{t\le h} f_t(\theta_t) - \text{best}_h` from the
    per-step ``losses`` (T, R) of one run and ``best`` (len(hs), R)."""
    losses = np.asarray(losses, dtype=np.float64)
    hs = np.asarray(hs, dtype=np.int64).reshape(-1)
    best = np.asarray(best, dtype=np.float64)
    if losses.ndim != 2 or best.shape != (hs.size, losses.shape[1]):
        raise ValueError(f"regret_at: losses must be (T, R) and best (len(hs), R); got "
                         f"{losses.shape} and {best.shape}")
    if hs.size and (hs.min() < 1 or hs.max() > losses.shape[0]):
        raise ValueError(f"regret_at: horizons must lie in [1, {losses.shape[0]}]")
    return np.cumsum(losses, axis=0)[hs - 1] - best


__all__ = ["horizons", "prefix_best_totals", "regret_at"]
