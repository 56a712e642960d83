r"""One chunk of a sweep: a vectorized simulator call and its tidy rows.

:func:`run_chunk` is what a worker runs: it takes the sweep as JSON and the indices of
its cells (small to ship), builds the registry optimizer with the cells' numeric
hyperparameters as per-run arrays (one run per (cell, seed)), plays the problem once
(:func:`adamlab.numerics.simulate.run`, no progress bar) and summarizes each run:

* ``R_T`` and ``R_T_over_T`` -- the regret against the best fixed point of the first T
  losses (``stats["regret_prefix"]``);
* ``fitted_limit`` and ``loglog_slope`` -- :func:`adamlab.proofs.methods.asymptotic.fit`
  on the curve at :data:`CURVE_POINTS` log-spaced t (:math:`R(t)/t = L + c\,t^{-1/2}` on
  :math:`[T/100, T]`; the slope of :math:`\log R` on the last decade); for a problem
  with a period p (its declared parameter) only t = k p, the ends of whole periods;
* ``theta_T[0]`` and ``theta_T_norm`` -- the final iterate;
* for every published regret bound that analyses the optimizer
  (:func:`adamlab.proofs.regret.assess.bound_ids_for`): ``outcome[ID]`` -- holds,
  violated (at ``violated_first_t[ID]``) or does not apply, judged per run on the
  prefix regret.

Curves (R(t)/t at the log-spaced t, per run) come back as an array for the chunk file.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Sequence

import numpy as np

from adamlab.numerics import optimizers, problems, simulate

from ..methods.asymptotic import fit
from ..regret.assess import assess_bounds
from ..regret.files import hyper_columns
from .grid import Cell, Sweep, batchable, build_value

#: points of the log-spaced curve kept per run
CURVE_POINTS = 40


def _log_t(T: int, period: int | None = None) -> np.ndarray:
    """Log-spaced t in 1..T; for a periodic game only ends of whole periods (k p), where
    R(t)/t does not swing with the phase of the period."""
    p = int(period) if period and T // int(period) >= 3 else 1
    k = np.unique(np.round(np.logspace(0, np.log10(T // p), CURVE_POINTS)).astype(np.int64))
    return k * p


def _optimizer(sweep: Sweep, cells: Sequence[Cell]):
    """The registry optimizer with every cell's hyperparameters, one run per (cell, seed)."""
    S = len(sweep.seeds)
    kw = {}
    for key, first in cells[0].hyper.items():
        vals = [c.hyper[key] for c in cells]
        if batchable(first) and any(v != first for v in vals):
            if isinstance(first, list):
                kw[key] = tuple(np.repeat(np.array([v[j] for v in vals], dtype=np.float64),
                                          S)[:, None] for j in range(len(first)))
            else:
                kw[key] = np.repeat(np.array(vals, dtype=np.float64), S)[:, None]
        else:
            kw[key] = build_value(first)
    return optimizers.make(sweep.optimizer, **kw)


def run_chunk(sweep_json: dict, indices: Sequence[int]) -> dict[str, Any]:
    """Run the cells ``indices`` of the sweep ``sweep_json`` (see the module docstring).
    Returns ``{"rows": [...], "t": (n,), "curves": (n, runs), "cells": [...]}``."""
    sweep = Sweep.from_json(sweep_json)
    every = sweep.cells()
    cells = [every[i] for i in indices]
    if not cells:
        raise ValueError("a chunk needs at least one cell")
    T, pp = cells[0].T, dict(cells[0].problem_params)
    if any(c.T != T or dict(c.problem_params) != pp for c in cells):
        raise ValueError("the cells of one chunk must share T and the problem parameters")
    opt = _optimizer(sweep, cells)
    S = len(sweep.seeds)
    seeds = [s for _ in cells for s in sweep.seeds]
    prob = problems.make(sweep.problem, **pp)
    res = simulate.run(prob, opt, T=T, runs=len(seeds), seed=seeds, progress=False)
    Rp = np.asarray(res.stats["regret_prefix"], dtype=np.float64)        # (T, runs)
    t = np.asarray(res.stats["t"], dtype=np.float64)
    tl = _log_t(T, getattr(prob, "period", None))   # the problem's declared period
    curves = Rp[tl - 1] / tl[:, None]
    bounds = assess_bounds(res, opt)
    rows = []
    for k, cell in enumerate(cells):
        hp = hyper_columns(cell.hyper)
        for j, seed in enumerate(sweep.seeds):
            r = k * S + j
            row: dict[str, Any] = {"cell": cell.index, "seed": seed, "T": T,
                                   "optimizer": sweep.optimizer, "problem": sweep.problem,
                                   **{f"param[{n}]": v for n, v in pp.items()}, **hp}
            f = fit(t[tl - 1], Rp[tl - 1, r]) if tl.size >= 3 else {}
            row.update(R_T=float(Rp[-1, r]), R_T_over_T=float(Rp[-1, r] / T),
                       fitted_limit=f.get("fitted_limit", float("nan")),
                       loglog_slope=f.get("loglog_slope", float("nan")),
                       **{"theta_T[0]": float(res.theta_final[r, 0]),
                          "theta_T_norm": float(np.linalg.norm(res.theta_final[r]))})
            for b in bounds:
                if b.status != "applies" or b.values is None:
                    row[f"outcome[{b.claim_id}]"] = "does not apply"
                    row[f"violated_first_t[{b.claim_id}]"] = ""
                    continue
                first = replace(b, values=b.values[:, [r]]).exceeded_at(Rp[:, [r]])
                row[f"outcome[{b.claim_id}]"] = "holds" if first is None else "violated"
                row[f"violated_first_t[{b.claim_id}]"] = "" if first is None else first
            rows.append(row)
    return {"rows": rows, "t": tl, "curves": curves,
            "engine": res.metadata.get("engine"), "cells": [c.index for c in cells]}


__all__ = ["CURVE_POINTS", "run_chunk"]
