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
import os
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .progress import Progress


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


#: below this much work (sum over horizons of T x nonzeros per step x runs) the horizons
#: are solved one after the other
PARALLEL_MIN_WORK = 2_000_000


def _checked(problem, hs, who: str) -> np.ndarray:
    """``hs`` as an int64 array, after refusing adaptive problems and bad horizons."""
    if getattr(problem, "adaptive", False):
        raise ValueError(f"{who}: {problem.name} is adaptive (its losses depend on the "
                         f"iterates); the comparator of a shorter game is not defined by the "
                         f"data alone")
    hs = np.asarray(hs, dtype=np.int64).reshape(-1)
    if hs.size == 0 or np.any(hs < 1):
        raise ValueError(f"{who}: hs must be a non-empty list of ints >= 1")
    return hs


def _work(problem, h: int) -> int:
    return int(h) * int(getattr(problem, "k", getattr(problem, "d", 1)))


def _certificate(h: int, comp) -> dict:
    cert = dict(comp.certificate)
    cert.update(h=int(h), seconds=comp.info.get("seconds"),
                cached=bool(comp.info.get("cached", False)))
    return cert


def _sample(problem, h, runs, seed, shared):
    """(total losses (runs,), certificate) of the game of horizon h."""
    if isinstance(seed, (list, tuple, np.ndarray)):
        comps = [problem.sample(int(h), 1, int(s)).comparator() for s in seed]
        totals = np.concatenate([np.asarray(c.total_loss).reshape(-1) for c in comps])
        certs = [_certificate(h, c) for c in comps]
        worst = max(certs, key=lambda c: float(c["relative_bound"] or 0.0))   # "inf" too
        cert = dict(worst, certified=all(c["certified"] for c in certs),
                    seconds=sum(c["seconds"] or 0.0 for c in certs),
                    cached=all(c["cached"] for c in certs))
        return totals, cert
    comp = problem.sample(int(h), runs, seed, shared=shared).comparator()
    return np.asarray(comp.total_loss, dtype=np.float64).reshape(runs), _certificate(h, comp)


def prefix_comparators(problem, hs, runs: int, seed=0, *, shared: bool = False,
                       workers: int | None = None, progress: bool | None = None) -> dict:
    r"""The certified comparators of the games of horizons ``hs`` (see the module docs).

    Returns ``{"hs": (n,), "best": (n, runs) totals, "certificates": [one dict per
    horizon: h, method, relative_bound, tolerance, certified, seconds, cached],
    "certified": bool, "seconds": float, "workers": int}``.  The horizons are solved
    in ``workers`` threads (default: the machine's cores, up to the number of
    horizons, when the work exceeds :data:`PARALLEL_MIN_WORK`; 1 otherwise), largest
    first -- the sparse products and NumPy release the GIL, so two threads solve about
    twice as fast on two cores; each comparator is also put in the disk cache
    (:mod:`.comparator_cache`), so a repeated call reads them back.  The results do
    not depend on ``workers``."""
    hs = _checked(problem, hs, "prefix_comparators")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int)
                                or workers < 1):
        raise ValueError(f"prefix_comparators: workers must be an int >= 1; got {workers!r}")
    if workers is None:
        big = sum(_work(problem, h) for h in hs) * runs >= PARALLEL_MIN_WORK
        workers = min(os.cpu_count() or 1, hs.size) if big else 1
    start = time.perf_counter()
    best = np.empty((hs.size, runs))
    certs: list = [None] * hs.size
    where = {int(h): k for k, h in enumerate(hs)}
    bar = Progress(int(hs.size), desc=f"comparators {problem.name}",
                   enabled=None if progress is None else bool(progress))
    order = sorted(where, key=lambda h: -h)             # largest first: balanced workers

    def solve(h):
        return h, _sample(problem, h, runs, seed, shared)
    try:
        if workers == 1:
            results = map(solve, order)
        else:       # threads: the sparse products and NumPy release the GIL
            pool = ThreadPoolExecutor(max_workers=workers)
            results = pool.map(solve, order)
        for h, (totals, cert) in results:
            best[where[h]], certs[where[h]] = totals, cert
            bar.update(1)
    finally:
        if workers > 1:
            pool.shutdown(wait=True, cancel_futures=True)
        bar.close()
    return {"hs": hs, "best": best, "certificates": certs,
            "certified": all(c["certified"] for c in certs),
            "seconds": time.perf_counter() - start, "workers": workers}


def prefix_best_totals(problem, hs, runs: int, seed=0, *, shared: bool = False,
                       known: dict | None = None) -> np.ndarray:
    r"""(len(hs), runs): :math:`\min_{x\in F}\sum_{t\le h} f_t(x)` for each horizon h,
    from the games sampled as :func:`adamlab.numerics.simulate.run` samples them
    (``problem.sample(h, runs, seed, shared=shared)``), in this process.  ``known`` maps a
    horizon to totals already computed (e.g. the run's own comparator at T).  See
    :func:`prefix_comparators` for the certificates and parallel solves."""
    hs = _checked(problem, hs, "prefix_best_totals")
    known = dict(known or {})
    out = np.empty((hs.size, runs))
    for k, h in enumerate(hs):
        if int(h) in known:
            out[k] = np.asarray(known[int(h)], dtype=np.float64).reshape(runs)
        else:
            out[k] = _sample(problem, int(h), runs, seed, shared)[0]
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


__all__ = ["PARALLEL_MIN_WORK", "horizons", "prefix_best_totals", "prefix_comparators",
           "regret_at"]
