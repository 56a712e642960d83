r"""The lazy sparse engine's step body, compiled: catch-up, drift, projection, write-back.

One step of :func:`..sparse_engine.run_sparse` on the touched coordinates
:math:`i \in S_t` of every run r (flat index :math:`f = r d + i`), last updated at step
:math:`s = \mathrm{last}_f` (gap :math:`n = t - 1 - s`), in two compiled calls around the
problem's gradient and the optimizer's own step:

* :func:`pre_step` -- gather; decay every field that decays,
  :math:`x_{t-1} = \delta^{\,n} x_s` (the engine's tables of powers); move the iterate by
  the drift of the gap, :math:`\theta_t = \Pi_F(\theta_{s+1} - m_s S)` with the drift sum
  :math:`S` of :mod:`..sparse_tables` (:func:`.drift.drift_one`, evaluated from the
  driving field's value :math:`m_s` and :math:`z = \sqrt{\mathrm{state}_s}`), and project;
* :func:`post_step` -- project the optimizer's result, the far end of the coming drift
  (the statistics' ``reach``, :func:`.drift.reach_factor`), and write iterate, fields and
  step back.

The update rule itself is not here: the engine calls the optimizer's ``step_arrays``
between the two (its one definition, compiled by :mod:`...optimizers.kernels` where that
pays).  Projections are the coordinate clips of a box
:math:`\Pi(x)_i = \min(\max(x, lo_i), hi_i)` (``unconstrained``: :math:`\pm\infty`).

The operations are those of the NumPy engine in the same order, except ``exp`` and
``log``, which come from the C library here and from NumPy's SIMD code there: the two
paths agree to a few ulps per step (the tests bound the relative difference of whole
runs by :math:`10^{-12}`), and each is deterministic.
"""
from __future__ import annotations

import math

import numba
import numpy as np

from .drift import drift_one, reach_factor, window_end_one

_JIT = dict(cache=False, error_model="numpy", nogil=True)


@numba.njit(**_JIT)
def _clip(x, lo, hi, i):
    if x < lo[i]:
        x = lo[i]
    if x > hi[i]:
        x = hi[i]
    return x


@numba.njit(**_JIT)
def _log_root(value):
    r""":math:`\log\sqrt z` (:math:`-\infty` at 0), as ``sparse_engine._log_root``."""
    if value == 0.0:
        return -math.inf
    return 0.5 * math.log(value)


@numba.njit(**_JIT)
def pre_step(t, origin, flat, d, last, spent, theta, F, P, prow, T1, driver, zfield,
             tid_run, ta, short, lo, hi, m_row, L_hi, L_lo):
    r"""Gather and catch up the touched coordinates of step ``t``.

    ``origin`` the first step of the epoch whose tables ``ta`` are (entry 0: step
    ``origin``; :mod:`..sparse_epochs`); ``flat`` (R, k) flat indices; ``spent`` (R d)
    the coordinates whose drift is complete until their next touch; ``F`` (nf, R d) the
    fields as of each coordinate's last update; ``P`` (nf, R T1) the epoch's powers
    :math:`\delta^n` per field (run r at ``r T1 + n``), with ``prow[q]``
    the row of field q in ``P`` (-1: the field does not decay); ``driver``, ``zfield``
    the rows of the drift's driving field and of its denominator state (-1: none);
    ``tid_run`` (R,) the drift table of each run (-1: no drift); ``ta`` the tables
    (:class:`.drift.TableArrays`); ``lo``, ``hi`` (d,) the box.  A scheduled
    :math:`\beta_{1,t}` (``m_row >= 0``, the row of m): :math:`m_{t-1} = m_s
    e^{L_{t-1} - L_s}` with :math:`L_u = \sum_{r \le u}\log\beta_{1,r}` given as the
    double-double ``L_hi + L_lo`` (NumPy forms the difference in extended precision; the
    two agree to an ulp of the exponent, relative :math:`|L_{t-1}-L_s|\,2^{-53}` in m).

    Returns ``(theta_t, raw, sub)``: (R, k) iterates after the catch-up, and (nf, R, k)
    the fields as stored and caught up to step t - 1."""
    R, k = flat.shape
    nf = F.shape[0]
    th = np.empty((R, k))
    raw = np.empty((nf, R, k))
    sub = np.empty((nf, R, k))
    last_s = np.empty((R, k), dtype=np.int64)
    # first every gather (independent loads, which the CPU overlaps: with d large each
    # is a cache miss), then the arithmetic
    for r in range(R):
        for j in range(k):
            f = flat[r, j]
            last_s[r, j] = last[f]
            th[r, j] = theta[f]
            for q in range(nf):
                raw[q, r, j] = F[q, f]
    moved = False
    for r in range(R):
        tid = tid_run[r]
        for j in range(k):
            s = last_s[r, j]
            n = (t - 1) - s
            for q in range(nf):
                val = raw[q, r, j]
                row = prow[q]
                sub[q, r, j] = val * P[row, n + r * T1] if row >= 0 else val
            if m_row >= 0:
                sub[m_row, r, j] = raw[m_row, r, j] * math.exp(
                    (L_hi[t - 1] - L_hi[s]) + (L_lo[t - 1] - L_lo[s]))
            if driver >= 0 and n > 0 and tid >= 0 and not spent[flat[r, j]]:
                drv = raw[driver, r, j]
                if drv != 0.0:
                    e = window_end_one(ta, tid, s - origin, t - 1 - origin)
                    logz = _log_root(raw[zfield, r, j]) if zfield >= 0 else -math.inf
                    th[r, j] -= drv * drift_one(ta, tid, s - origin, e, logz, short)
                    moved = True
    if moved:       # the NumPy engine projects the whole step's coordinates then
        for r in range(R):
            for j in range(k):
                th[r, j] = _clip(th[r, j], lo, hi, flat[r, j] - r * d)
    return th, raw, sub


@numba.njit(**_JIT)
def post_step(t, origin, flat, d, new_th, NF, theta, F, last, spent, driver, zfield,
              tid_run, ta, want_reach, reach, lo, hi):
    """Project the step's result ``new_th`` (R, k) in place, fill ``reach`` (R, k) with
    the far end of the coming drift within the epoch (tables ``ta`` from step
    ``origin``) when ``want_reach`` (else leave it), and write the iterate, the new
    fields ``NF`` (nf, R, k) and the step back (no longer ``spent``)."""
    R, k = flat.shape
    nf = F.shape[0]
    for r in range(R):
        tid = tid_run[r]
        for j in range(k):
            f = flat[r, j]
            i = f - r * d
            x = _clip(new_th[r, j], lo, hi, i)
            new_th[r, j] = x
            if want_reach:
                far = x
                if driver >= 0 and tid >= 0:
                    drv = NF[driver, r, j]
                    if drv != 0.0:
                        logz = _log_root(NF[zfield, r, j]) if zfield >= 0 else -math.inf
                        far = _clip(x - drv * reach_factor(ta, tid, t - origin, logz), lo,
                                    hi, i)
                reach[r, j] = far
    for r in range(R):
        for j in range(k):
            f = flat[r, j]
            theta[f] = new_th[r, j]
            for q in range(nf):
                F[q, f] = NF[q, r, j]
            last[f] = t
            spent[f] = False


__all__ = ["post_step", "pre_step"]
