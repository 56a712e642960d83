r"""The drift sums of :class:`..sparse_tables.DriftTables`, one coordinate at a time, compiled.

For a coordinate of table j last updated at step s, with :math:`z = e^{\log z}` its
denominator's root, the drift factor up to step e is

.. math:: S_j(s, e; z) = \sum_{u=s+1}^{e}
          \frac{e^{LA_u - LN_s}}{z\,e^{LB_u - LD_s} + \epsilon_j},
          \qquad LA_u = la0_u + u\,ga_j,\quad LB_u = lb0_u + u\,gb_j,
          \quad LN_s = s\,ga_j + ln_s,\quad LD_s = s\,gb_j

(:mod:`..sparse_tables` derives it and how it is evaluated).  Each table's steps are cut
into blocks k (start step :math:`a_k`, constants :math:`\beta_k, c_k, h_k, \alpha_k` =
``info[:, k]``); the piece :math:`[i_a, i_b]` of block k that the sum covers contributes,
with :math:`\delta = a_k - s`,

.. math:: e^{\delta\,ga_j + \alpha_k - ln_s}\,\frac{2}{D\sqrt{1-\kappa^2}}
          \Bigl(\tfrac12 M_0 + \sum_{n=1}^{N_k-1} r^n M_n\Bigr),
          \qquad D = z\,e^{\delta\,gb_j + \beta_k} + c_k,\quad \kappa = h_k/D,\quad
          r = \frac{-\kappa}{1+\sqrt{1-\kappa^2}},

where :math:`M_n` = ``mom[i_a, n] - mom[i_b + 1, n]`` (the second term 0 when
:math:`i_b` ends the block) are the Chebyshev moments of the poles
over the piece and :math:`N_k = \min(N, \lceil 60\log 2/\log(1/|r|)\rceil + 1)` (1 when
r = 0) the terms kept; the sum stops at the truncation step :math:`J(s)`.  Short gaps of slowly
decaying sums are added term by term instead (``DriftTables.drift``).

Here these are scalar loops over the blocks and terms of one coordinate, the same
operations in the same order as the NumPy methods, so that numba-compiled code
(:mod:`.step`) can call them per coordinate with the tables as one argument
(:class:`TableArrays`).  ``exp`` and ``log`` come from the C library here and from NumPy's
SIMD code there: the results agree to a few ulps (the tests bound the relative difference
by :math:`10^{-13}`).  No bounds are checked: the arguments must be those the engine
passes (a table id of the tables, ``0 <= s``, ``e <= T``, ``s < T``).
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numba
import numpy as np

LOG2 = math.log(2.0)


class TableArrays(NamedTuple):
    """What evaluation reads from a built :class:`..sparse_tables.DriftTables` (same names,
    same meaning), as plain scalars and contiguous arrays that numba takes as an argument."""

    W: int
    T: int
    N: int
    slow_tab: np.ndarray     # bool (n_tab,): the table's short gaps go term by term
    block_of: np.ndarray     # int64 (n_tab W,)
    bounds: np.ndarray       # int64 (2, n_blocks): flat first and last position of a block
    info: np.ndarray         # float64 (5, n_blocks): start step, beta, c, h, amax
    mom: np.ndarray          # float64 (n_tab W, N): the suffix moments of each step
    J: np.ndarray            # int64 (n_tab W,)
    la0: np.ndarray          # float64 (n_tab W,)
    lb0: np.ndarray          # float64 (n_tab W,)
    ln: np.ndarray           # float64 (n_tab W,)
    ga: np.ndarray           # float64 (n_tab,)
    gb: np.ndarray           # float64 (n_tab,)
    eps: np.ndarray          # float64 (n_tab,)


def table_arrays(tables) -> TableArrays:
    """The :class:`TableArrays` of a built :class:`..sparse_tables.DriftTables`."""
    def f64(x):
        return np.ascontiguousarray(x, dtype=np.float64)

    def i64(x):
        return np.ascontiguousarray(x, dtype=np.int64)

    return TableArrays(W=int(tables.W), T=int(tables.T), N=int(tables.N),
                       slow_tab=np.ascontiguousarray(tables.slow_tab, dtype=np.bool_), block_of=i64(tables.block_of),
                       bounds=i64(tables.bounds), info=f64(tables.info), mom=f64(tables.mom),
                       J=i64(tables.J), la0=f64(tables.la0),
                       lb0=f64(tables.lb0), ln=f64(tables.ln), ga=f64(tables.ga),
                       gb=f64(tables.gb), eps=f64(tables.eps))


_JIT = dict(cache=False, error_model="numpy", nogil=True)
# Speed: a call between compiled functions that passes arrays costs far more than the
# arithmetic here (measured on the 2-core machine: a drift sum of two blocks took 480 ns
# with the series in a called function, 60-120 ns inlined): numba reference-counts the
# arrays passed, atomically.  So every function here is inlined by numba
# (``inline="always"``) into the step that calls it, and the tables are read in place.
_INLINE = dict(_JIT, inline="always")


@numba.njit(**_INLINE)
def window_end_one(ta, tid, s, t_end):
    """The last step to sum, :math:`\\min(t_{end}, J(s))`: ``DriftTables.window_end``."""
    j = ta.J[tid * ta.W + s]
    return t_end if t_end < j else j


@numba.njit(**_INLINE)
def series_terms(r, n_max):
    """Terms of the Chebyshev series for ratio ``r``:
    :math:`\\min(n_{max}, \\lceil 60\\log 2/\\log(1/|r|)\\rceil + 1)`, 1 when r = 0
    (``sparse_tables``' per-piece term count)."""
    a = abs(r)
    if not a > 0.0:          # r = 0 (or NaN, from the undefined z = 0 with eps = 0)
        return 1
    n = math.ceil(-60 * LOG2 / math.log(a)) + 1.0
    if n > n_max:
        return n_max
    return int(n)


@numba.njit(**_INLINE)
def piece_series(mom, ia, ib, inside, r, n):
    """:math:`\\tfrac12 M_0 + \\sum_{k=1}^{n-1} r^k M_k` (Horner) with the moments
    :math:`M_k` of the piece [ia, ib] of a block, ``mom[ia, k] - mom[ib + 1, k]`` (the
    second 0 unless ``inside``: ib is not the block's last step) (``sparse_tables``'
    series of one piece, ``n`` terms; ``mom`` the tables' moments)."""
    acc = 0.0
    nxt = ib + 1 if inside else ib
    for k in range(n - 1, 0, -1):     # acc = 0 * r + M_{n-1} = M_{n-1} exactly at first
        acc = acc * r + (mom[ia, k] - (mom[nxt, k] if inside else 0.0))
    return 0.5 * (mom[ia, 0] - (mom[nxt, 0] if inside else 0.0)) + r * acc


@numba.njit(**_INLINE)
def direct_one(ta, tid, s, e, logz):
    """:math:`S_j(s, e; z)` term by term, left to right: ``DriftTables.direct``."""
    base = tid * ta.W
    ga, gb, eps = ta.ga[tid], ta.gb[tid], ta.eps[tid]
    lns = ta.ln[base + s]
    out = 0.0
    for j in range(1, e - s + 1):
        pos = base + s + j
        term = math.exp(ta.la0[pos] + j * ga - lns) / (
            math.exp(logz + ta.lb0[pos] + j * gb) + eps)
        out = term if j == 1 else out + term
    return out


@numba.njit(**_INLINE)
def evaluate_one(ta, tid, s, e, logz):
    """:math:`S_j(s, e; z)` from the block tables, piece by piece: ``DriftTables.evaluate``
    (0 when e < s + 1)."""
    if e < s + 1:
        return 0.0
    base = tid * ta.W
    a, b = base + s + 1, base + e
    ga, gb = ta.ga[tid], ta.gb[tid]
    lns = ta.ln[base + s]
    out = 0.0
    for blk in range(ta.block_of[a], ta.block_of[b] + 1):
        ia = max(a, ta.bounds[0, blk])
        bend = ta.bounds[1, blk]
        ib = min(b, bend)
        rel = ta.info[0, blk] - s                      # a_k - s, an exact integer
        D = math.exp(logz + rel * gb + ta.info[1, blk]) + ta.info[2, blk]
        kap = ta.info[3, blk] / D
        root = math.sqrt(1.0 - kap * kap)
        r = kap / (-1.0 - root)
        series = piece_series(ta.mom, ia, ib, ib < bend, r, series_terms(r, ta.N))
        out += (2.0 / (D * root)) * series * math.exp(rel * ga + ta.info[4, blk] - lns)
    return out


@numba.njit(**_INLINE)
def drift_one(ta, tid, s, e, logz, short):
    """:math:`S_j(s, e; z)` as ``DriftTables.drift`` gives it: :func:`direct_one` when the
    terms of table ``tid`` decay slowly (``slow_tab``) and e - s <= ``short``, else :func:`evaluate_one`
    (0 when e < s + 1)."""
    if e < s + 1:
        return 0.0
    if ta.slow_tab[tid] and e - s <= short:
        return direct_one(ta, tid, s, e, logz)
    return evaluate_one(ta, tid, s, e, logz)


@numba.njit(**_INLINE)
def reach_factor(ta, tid, t, logz):
    """:math:`S_j(t, \\min(T, J(t)); z)`, the whole coming drift after step t:
    ``DriftTables.reach([tid], t, [logz])[0]`` (same operations; 0 when that end is
    before t + 1, e.g. t >= T)."""
    if t >= ta.T:
        return 0.0
    base = tid * ta.W
    e = min(ta.T, ta.J[base + t])
    if e < t + 1:
        return 0.0
    ga, gb = ta.ga[tid], ta.gb[tid]
    lns = ta.ln[base + t]
    out = 0.0
    for blk in range(ta.block_of[base + t + 1], ta.block_of[base + e] + 1):
        ia = max(base + t + 1, ta.bounds[0, blk])
        bend = ta.bounds[1, blk]
        ib = min(base + e, bend)
        rel = ta.info[0, blk] - t
        D = math.exp(logz + (rel * gb + ta.info[1, blk])) + ta.info[2, blk]
        kap = ta.info[3, blk] / D
        root = math.sqrt(1.0 - kap * kap)
        r = kap / (-1.0 - root)
        acc = piece_series(ta.mom, ia, ib, ib < bend, r, series_terms(r, ta.N))
        out += (2.0 * math.exp(rel * ga + ta.info[4, blk] - lns)) * acc / (D * root)
    return out


__all__ = ["TableArrays", "direct_one", "drift_one", "evaluate_one", "piece_series",
           "reach_factor", "series_terms", "table_arrays", "window_end_one"]
