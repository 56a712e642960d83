r"""Exact catch-up sums for coordinates that were not touched: block Chebyshev tables.

The lazy sparse engine (:mod:`.sparse`) must know how far an untouched
coordinate drifted while its gradient was zero.  For Adam with
:math:`\epsilon > 0` that drift is, for a coordinate last updated at step s
and touched again at step t (gap :math:`u = s+1, \dots, t-1`),

.. math:: \Delta = m_s \sum_{u=s+1}^{t-1}
          \frac{e^{LA_u - LN_s}}{z\,e^{LB_u - LD_s} + \epsilon}
          \qquad (z = \sqrt{v_s}),

where the per-step sequences LA, LB (logs of the numerator and denominator
scales: learning rate, :math:`\beta_1^u`, bias corrections, :math:`\beta_2^{u/2}`)
and the normalizations LN, LD depend on the step only, not on the
coordinate (:mod:`.sparse` lists them per method).  The coordinate enters
only through :math:`m_s` and z, and with :math:`\epsilon > 0` the sum has no
closed form.  This module evaluates it in O(1) per coordinate, exactly up to
rounding (relative error :math:`\sim 10^{-15}`):

1. **Blocks.**  The steps are cut into blocks over which the poles
   :math:`P_u = \epsilon e^{-LB_u}` vary by at most a factor 1/q (q = 0.8):
   in block k, with :math:`\beta_k = \max LB`, :math:`\tilde y = z
   e^{\beta_k - LD_s}`, :math:`\tilde P_u = \epsilon e^{\beta_k - LB_u}
   \in [P_{lo}, P_{hi}]` and weights :math:`w_u = e^{LA_u - LB_u + \beta_k -
   a_k}` (:math:`a_k` scales them to at most 1), a block's part of the sum is
   :math:`e^{a_k - LN_s}\sum_u w_u/(\tilde y + \tilde P_u)`.
2. **Chebyshev expansion in the pole.**  With :math:`c, h` the centre and
   half-width of :math:`[P_{lo}, P_{hi}]`, :math:`x_u = (\tilde P_u - c)/h \in
   [-1, 1]`, :math:`D = \tilde y + c`, :math:`\kappa = h/D \le (1-q)/(1+q)`,

   .. math:: \frac1{\tilde y + \tilde P_u} = \frac1{D(1+\kappa x_u)}
             = \frac{2}{D\sqrt{1-\kappa^2}}{\sum_{n\ge0}}'(-\rho)^n T_n(x_u),
             \qquad \rho = \frac{\kappa}{1+\sqrt{1-\kappa^2}} \le 0.056,

   (the generating function of the Chebyshev polynomials; :math:`\Sigma'`
   halves the n = 0 term), so :math:`\sum_u w_u/(\tilde y+\tilde P_u)` needs
   only the coordinate-free moments :math:`\mu_n = \sum_u w_u T_n(x_u)`;
   N = 16 terms reach :math:`\rho^N < 2^{-60}`, whatever z.
3. **Suffix moments.**  Each step stores the moments of the rest of its
   block (from it on), so any piece :math:`[a, b]` of a block costs one
   subtraction, of the moments at b + 1 (none at the block's last step); the
   terms decay along the block, so the subtraction loses nothing.  The N moments
   of a step are stored side by side (``mom[u, n]``), so a piece reads two
   contiguous rows: :math:`8N + 56` bytes per step and table in all.
4. **Truncation.**  The terms decrease at least like
   :math:`e^{LA_u - LB_u}` (times 2): beyond the step J(s) after which the
   rest is below :math:`2^{-62}` of the first term, they are dropped (for
   Adam's defaults J(s) - s is about 420 steps, so a gap spans at most two or
   three blocks however long it is).

The engine builds tables for one epoch of steps at a time, indexed from its first step
(:mod:`.sparse_epochs`): every sum above depends on differences of steps only, so the
tables of steps a..b give the sums of the gaps inside (a, b] (:math:`J(s)` then
truncates at b at the latest).

With :math:`\epsilon = 0` the poles vanish, :math:`h = 0`, and the formula is
the closed form :math:`\mu_0/\tilde y`.  A sum without denominator (RMSprop's
momentum) is the case z = 0, :math:`\epsilon = 1`, LB = 0.
"""
from __future__ import annotations

import math

import numpy as np

LOG2 = math.log(2.0)


class DriftTables:
    r"""Tables for one or more sequence sets (one per distinct hyperparameter tuple).

    ``specs``: list of dicts with arrays ``la0``, ``lb0`` (index u = 0..T, entry
    0 unused; :math:`LA_u = la0_u + u\,ga`, :math:`LB_u = lb0_u + u\,gb`), floats
    ``ga``, ``gb``, ``eps``, and optionally ``ln`` (index s = 0..T): an extra
    normalization :math:`e^{-ln_s}` of the sum after step s (default 0), for
    sequences whose s-dependence is not :math:`e^{-s\,ga}` -- a scheduled
    :math:`\beta_{1,u}`, where :math:`m_u = m_s e^{L_u - L_s}` with
    :math:`L_u = \sum_{r\le u}\log\beta_{1,r}` (then ``ga = 0``, :math:`L_u` in
    ``la0`` and ``ln = L``).  The exponents are combined before ``exp``, so only
    their rounding (:math:`\lesssim |L_s|\,2^{-53}` relative to each term) enters.
    """

    def __init__(self, specs: list[dict], T: int, *, q: float = 0.8, max_len: int = 4096,
                 tol_bits: int = 62):
        self.T, self.W = T, T + 2          # per-table stride (u = 0..T+1)
        self.eps = np.array([float(sp["eps"]) for sp in specs])
        blocks, rho_max = [], 0.0
        n_tab = len(specs)
        self.block_of = np.zeros(n_tab * self.W, dtype=np.int64)
        self.ga, self.gb = np.zeros(n_tab), np.zeros(n_tab)
        self.la0 = np.zeros(n_tab * self.W)
        self.lb0 = np.zeros(n_tab * self.W)
        self.ln = np.zeros(n_tab * self.W)
        self.J = np.zeros(n_tab * self.W, dtype=np.int64)
        self.SA = np.full(n_tab * self.W, -np.inf)    # log sum_{u>s} e^{LA_u}
        self.SAB = np.full(n_tab * self.W, -np.inf)   # log sum_{u>s} e^{LA_u - LB_u}
        per_table = []
        for j, sp in enumerate(specs):
            ga, gb = float(sp["ga"]), float(sp["gb"])
            la0 = np.asarray(sp["la0"], dtype=np.float64)
            lb0 = np.asarray(sp["lb0"], dtype=np.float64)
            u = np.arange(T + 1, dtype=np.float64)
            LA, LB = la0 + u * ga, lb0 + u * gb         # for block cuts and bounds only
            base = j * self.W
            self.ga[j], self.gb[j] = ga, gb
            self.la0[base:base + T + 1], self.lb0[base:base + T + 1] = la0, lb0
            if sp.get("ln") is not None:
                self.ln[base:base + T + 1] = np.asarray(sp["ln"], dtype=np.float64)
            cuts = _cut_blocks(LA[1:T + 1], LB[1:T + 1], math.log(1.0 / q), max_len) + 1
            starts, ends = cuts[:-1], cuts[1:] - 1        # steps a..b inclusive
            rows = np.empty((starts.shape[0], 6))
            rows[:, 0], rows[:, 1] = starts, ends
            one = starts == ends          # one-step blocks (fast-varying sequences), at once
            rows[one, 2:] = _one_step_blocks(la0[starts[one]], lb0[starts[one]], ga, gb,
                                             self.eps[j])
            for i in np.flatnonzero(~one):
                a, b = int(starts[i]), int(ends[i])
                off = np.arange(b - a + 1, dtype=np.float64)
                lbr = lb0[a:b + 1] + off * gb           # LB_u - a gb, exact in (u - a)
                beta = float(lbr.max())
                P = self.eps[j] * np.exp(beta - lbr)
                lo, hi = float(P.min()), float(P.max())
                c, h = (lo + hi) / 2, (hi - lo) / 2
                if hi > 0 and h <= 1e-17 * hi:
                    h = 0.0
                w = la0[a:b + 1] + off * ga - lbr + beta
                rows[i, 2:] = (beta, float(w.max()), c, h)
            first = sum(r.shape[0] for r in blocks)      # the table's first block id
            blocks.append(rows)
            ids = np.repeat(np.arange(first, first + rows.shape[0]), ends - starts + 1)
            self.block_of[base + starts[0]:base + ends[-1] + 1] = ids
            c, h = rows[:, 4], rows[:, 5]
            pos = c > 0
            if pos.any():
                kap = h[pos] / c[pos]
                rho_max = max(rho_max, float(np.max(kap / (1 + np.sqrt(1 - kap * kap)))))
            per_table.append((first, first + rows.shape[0], la0, lb0, ga, gb))
            self._suffix_logs(j, LA, LB, tol_bits)
        self.N = 1 if rho_max == 0 else int(min(64, math.ceil(-(tol_bits - 2) * LOG2 /
                                                               math.log(rho_max)) + 1))
        arr = np.concatenate(blocks).reshape(-1, 6)
        self.bstart, self.bend = arr[:, 0].astype(np.int64), arr[:, 1].astype(np.int64)
        self.beta, self.amax, self.c, self.h = arr[:, 2], arr[:, 3], arr[:, 4], arr[:, 5]
        self.mom = np.zeros((n_tab * self.W, self.N))     # moment n of step u: mom[u, n]
        for j, (b0, b1, la0, lb0, ga, gb) in enumerate(per_table):
            single = self.bstart[b0:b1] == self.bend[b0:b1]
            self._one_step_moments(j, b0 + np.flatnonzero(single), la0, lb0, ga, gb)
            for k in b0 + np.flatnonzero(~single):
                self._block_moments(j, int(k), la0, lb0, ga, gb)
        tab_of_block = np.zeros(arr.shape[0], dtype=np.int64)
        for j, (b0, b1, *_rest) in enumerate(per_table):
            tab_of_block[b0:b1] = j
        self.bounds = np.stack([self.bstart + tab_of_block * self.W,
                                self.bend + tab_of_block * self.W])
        self.info = np.stack([self.bstart.astype(np.float64), self.beta, self.c, self.h,
                              self.amax])
        # tables whose terms decay slowly: their short gaps are summed term by term (per
        # table, so that a run's result does not depend on the runs batched with it)
        self.slow_tab = self.ga - self.gb > math.log(0.98)
        self.slow = bool(np.any(self.slow_tab))

    # -- construction -------------------------------------------------------------
    def _suffix_logs(self, j, LA, LB, tol_bits):
        T, base = self.T, j * self.W
        la, lab = LA[1:T + 1], LA[1:T + 1] - LB[1:T + 1]
        sa = np.logaddexp.accumulate(la[::-1])[::-1]      # sa[i] = log sum_{u >= i+1}
        sab = np.logaddexp.accumulate(lab[::-1])[::-1]
        self.SA[base:base + T] = sa                       # index s: sum over u > s
        self.SAB[base:base + T] = sab
        # truncation J(s) = min{e >= s+1 : log sum_{u>e} e^{lw_u} <= thr_s}
        dLB = np.diff(LB[1:T + 1])
        cut = (tol_bits + 1) * LOG2
        if np.all(dLB <= 0):          # B non-increasing: term_u <= 2 term_{s+1} w_u / w_{s+1}
            lw, thr = lab, lab - cut
        elif np.all(dLB >= 0):        # B non-decreasing: term_u <= 2 term_{s+1} A_u / A_{s+1}
            lw, thr = la, la - cut
        else:                         # in general: term_u <= 2 term_{s+1} A_u B_max / (A_{s+1} B_u)
            lw, thr = lab, la - float(LB[1:T + 1].max()) - cut
        G = np.empty(T + 1)
        G[:T] = np.logaddexp.accumulate(lw[::-1])[::-1]   # G[e] = log sum_{u > e} e^{lw_u}
        G[T] = -np.inf
        e = np.searchsorted(-G, -thr, side="left")         # first e with G[e] <= thr[s]
        self.J[base:base + T] = np.maximum(e, np.arange(1, T + 1))

    def _one_step_moments(self, j, ks, la0, lb0, ga, gb):
        """:meth:`_block_moments` of the one-step blocks ``ks`` at once: the same
        operations, elementwise (a suffix sum of one term is the term)."""
        if ks.size == 0:
            return
        a = self.bstart[ks]
        beta, amax, c, h = self.beta[ks], self.amax[ks], self.c[ks], self.h[ks]
        lbr = lb0[a] + 0.0 * gb
        w = np.exp(la0[a] + 0.0 * ga - lbr + beta - amax)
        P = self.eps[j] * np.exp(beta - lbr)
        with np.errstate(divide="ignore", invalid="ignore"):
            x = np.where(h > 0, (P - c) / np.where(h > 0, h, 1.0), 0.0)
        x = np.clip(x, -1.0, 1.0)
        Tn = np.empty((a.shape[0], self.N))
        Tn[:, 0] = 1.0
        if self.N > 1:
            Tn[:, 1] = x
        for n in range(2, self.N):
            Tn[:, n] = 2 * x * Tn[:, n - 1] - Tn[:, n - 2]
        self.mom[j * self.W + a] = w[:, None] * Tn

    def _block_moments(self, j, k, la0, lb0, ga, gb):
        a, b = int(self.bstart[k]), int(self.bend[k])
        beta, amax, c, h = self.beta[k], self.amax[k], self.c[k], self.h[k]
        off = np.arange(b - a + 1, dtype=np.float64)
        lbr = lb0[a:b + 1] + off * gb
        w = np.exp(la0[a:b + 1] + off * ga - lbr + beta - amax)
        P = self.eps[j] * np.exp(beta - lbr)
        x = (P - c) / h if h > 0 else np.zeros_like(P)
        x = np.clip(x, -1.0, 1.0)
        Tn = np.empty((b - a + 1, self.N))
        Tn[:, 0] = 1.0
        if self.N > 1:
            Tn[:, 1] = x
        for n in range(2, self.N):
            Tn[:, n] = 2 * x * Tn[:, n - 1] - Tn[:, n - 2]
        terms = w[:, None] * Tn
        suffix = np.cumsum(terms[::-1], axis=0)[::-1]
        base = j * self.W
        self.mom[base + a:base + b + 1] = suffix

    # -- evaluation -----------------------------------------------------------------
    def window_end(self, tid, s, t_end):
        """The last step to sum: min(t_end, J(s)) (per coordinate)."""
        return np.minimum(t_end, self.J[tid * self.W + s])

    def drift(self, tid, s, e, logz, short: int = 8):
        """The drift sum: term by term for gaps of at most ``short`` steps where the terms
        of the coordinate's table decay slowly (the suffix-moment difference would lose
        digits there), else :meth:`evaluate`."""
        if not self.slow:
            return self.evaluate(tid, s, e, logz)
        gap = e - s
        few = (gap <= short) & self.slow_tab[tid]
        if few.all():
            return self.direct(tid, s, e, logz, int(gap.max(initial=0)))
        if not few.any():
            return self.evaluate(tid, s, e, logz)
        out = np.empty(s.shape[0])
        out[few] = self.direct(tid[few], s[few], e[few], logz[few], short)
        many = ~few
        out[many] = self.evaluate(tid[many], s[many], e[many], logz[many])
        return out

    def direct(self, tid, s, e, logz, width: int):
        """The same sum term by term (gaps of at most ``width`` steps)."""
        if s.shape[0] == 0 or width == 0:
            return np.zeros(s.shape[0])
        j = np.arange(1, width + 1)
        u = s[:, None] + j[None, :]                      # steps s+1 .. s+width
        keep = u <= e[:, None]
        pos = tid[:, None] * self.W + np.minimum(u, self.T)
        ga, gb = self.ga[tid][:, None], self.gb[tid][:, None]
        num = np.exp(self.la0[pos] + j * ga - self.ln[tid * self.W + s][:, None])
        den = np.exp(logz[:, None] + self.lb0[pos] + j * gb) + self.eps[tid][:, None]
        terms = np.where(keep, num / den, 0.0)
        out = terms[:, 0].copy()
        for c in range(1, width):                        # left to right, like the dense loop
            out += terms[:, c]
        return out

    def evaluate(self, tid, s, e, logz):
        r""":math:`\sum_{u=s+1}^{e} e^{LA_u-LN_s}/(z e^{LB_u-LD_s}+\epsilon)` per coordinate.

        ``tid`` table ids, ``s`` last-update steps, ``e >= s+1`` end steps,
        ``logz`` :math:`\log z` (-inf for z = 0), all 1-D of the same length.
        """
        n = s.shape[0]
        if n == 0:
            return np.zeros(0)
        one = self.ga.shape[0] == 1
        a = s + 1 if one else tid * self.W + s + 1       # flat positions
        b = e if one else tid * self.W + e
        ka, kb = self.block_of[a], self.block_of[b]
        npieces = kb - ka + 1
        if (npieces == 1).all():
            ci, blk = None, ka
        else:
            ci = np.repeat(np.arange(n), npieces)
            starts = np.cumsum(npieces) - npieces
            blk = ka[ci] + (np.arange(ci.shape[0]) - starts[ci])
            a, b, s, logz = a[ci], b[ci], s[ci], logz[ci]
            if not one:
                tid = tid[ci]
        ends = self.bounds[:, blk]                       # flat block start and end
        ia = np.maximum(a, ends[0])
        ib = np.minimum(b, ends[1])
        info = self.info[:, blk]                         # step of start, beta, c, h, amax
        rel = info[0] - s                                # a_k - s, an exact integer
        if one:
            ga, gb = self.ga[0], self.gb[0]
        else:
            ga, gb = self.ga[tid], self.gb[tid]
        D = np.exp(logz + rel * gb + info[1]) + info[2]
        kap = info[3] / D
        root = np.sqrt(1.0 - kap * kap)
        r = kap / (-1.0 - root)
        Ni = _terms(r, self.N)            # per piece, so that no run depends on another
        N = int(Ni.max(initial=1))
        M = self.mom[ia, :N].T                          # moments of the piece [ia, ib]:
        M -= self.after(ib, ends[1], N)                 # those from ia on less those after ib
        series = _horner(M, r, Ni, N)
        lns = self.ln[s] if one else self.ln[tid * self.W + s]
        val = (2.0 / (D * root)) * series * np.exp(rel * ga + info[4] - lns)
        if ci is None:
            return val
        return np.bincount(ci, weights=val, minlength=n)

    def evaluate_common(self, tid: int, s: int, e: int, logz: np.ndarray) -> np.ndarray:
        """:meth:`evaluate` for coordinates that share the table, s and e (only z differs):
        the pieces and their moments are computed once."""
        out = np.zeros(logz.shape[0])
        if e < s + 1:
            return out
        base = tid * self.W
        ga, gb = self.ga[tid], self.gb[tid]
        for blk in range(int(self.block_of[base + s + 1]), int(self.block_of[base + e]) + 1):
            ia = max(base + s + 1, int(self.bounds[0, blk]))
            ib = min(base + e, int(self.bounds[1, blk]))
            start, beta, c, h, amax = self.info[:, blk]
            rel = start - s
            D = np.exp(logz + (rel * gb + beta)) + c
            kap = h / D
            root = np.sqrt(1.0 - kap * kap)
            r = kap / (-1.0 - root)
            Ni = _terms(r, self.N)
            N = int(Ni.max(initial=1))
            M = self.mom[ia, :N] - (self.mom[ib + 1, :N] if ib < int(self.bounds[1, blk])
                                    else 0.0)
            acc = _horner(np.broadcast_to(M[:, None], (N, r.shape[0])), r, Ni, N)
            out += (2.0 * math.exp(rel * ga + amax - self.ln[base + s])) * acc / (D * root)
        return out

    def reach(self, tid: np.ndarray, s: int, logz: np.ndarray) -> np.ndarray:
        """The whole coming drift factor after step s, :math:`S(s, \\min(T, J(s)))`, of
        coordinates last updated at s (table ids ``tid``, ``logz`` as in
        :meth:`evaluate`): :meth:`evaluate_common` one table at a time, so that each run's
        value does not depend on the runs batched with it."""
        factor = np.empty(tid.shape[0])
        for j in np.unique(tid):
            mine = tid == j
            e = min(self.T, int(self.J[j * self.W + s]))
            factor[mine] = self.evaluate_common(int(j), s, e, logz[mine])
        return factor

    def after(self, ib, bend, N):
        """(N, n): the moments of the rest of each block after step ``ib`` (flat positions;
        ``bend`` the blocks' last positions): ``mom[ib + 1]``, 0 where ib is a last step."""
        inside = ib < bend
        return np.where(inside, self.mom[np.where(inside, ib + 1, ib), :N].T, 0.0)

    def drift_bound(self, tid, s, logz):
        r"""An upper bound of the whole future drift factor after step s (no truncation).

        :math:`\min(\sum_{u>s} e^{LA_u-LN_s}/(z e^{LB_u-LD_s}),
        \sum_{u>s} e^{LA_u-LN_s}/\epsilon)`: each term of :meth:`evaluate` is
        below both (inflated by :math:`10^{-9}` relative against rounding).
        """
        i = tid * self.W + s
        sf = s.astype(np.float64)
        with np.errstate(divide="ignore"):
            by_z = self.SAB[i] - sf * (self.ga[tid] - self.gb[tid]) - logz - self.ln[i]
            by_eps = self.SA[i] - sf * self.ga[tid] - np.log(self.eps[tid]) - self.ln[i]
        return np.exp(np.minimum(by_z, by_eps)) * (1 + 1e-9)


def _terms(r: np.ndarray, n_max: int) -> np.ndarray:
    """Terms of the Chebyshev series needed per piece: |r|^N < 2^-60 (at least 1)."""
    a = np.abs(r)
    with np.errstate(divide="ignore"):
        n = np.ceil(-60 * LOG2 / np.log(a)) + 1
    n = np.where(a == 0, 1, np.minimum(n, n_max))
    return n.astype(np.int64)


def _horner(M: np.ndarray, r: np.ndarray, Ni: np.ndarray, N: int) -> np.ndarray:
    r""":math:`\tfrac12 M_0 + \sum_{k=1}^{N_i-1} r^k M_k` per column, each with its own
    :math:`N_i` (the higher terms are skipped, not just small)."""
    if N == 1:
        return 0.5 * M[0]
    acc = np.where(Ni > N - 1, M[N - 1], 0.0)
    for k in range(N - 2, 0, -1):
        acc = np.where(Ni > k, acc * r + M[k], 0.0)
    return 0.5 * M[0] + r * acc


def _one_step_blocks(la0, lb0, ga, gb, eps):
    """(n, 4): beta, amax, c, h of one-step blocks at steps with these ``la0``, ``lb0``:
    the operations of the general case in ``DriftTables.__init__``, elementwise."""
    lbr = lb0 + 0.0 * gb
    beta = lbr
    P = eps * np.exp(beta - lbr)
    c, h = (P + P) / 2, (P - P) / 2
    h = np.where((P > 0) & (h <= 1e-17 * P), 0.0, h)
    return np.stack([beta, la0 + 0.0 * ga - lbr + beta, c, h], axis=1)


def _cut_blocks(LA, LB, max_log_ratio: float, max_len: int) -> np.ndarray:
    """0-based block starts (plus the end) such that LB varies by <= max_log_ratio and
    LA - LB by <= 64 within each block (exp of at most 64: relative rounding 64 eps), each at most max_len long.

    A step whose next one already breaks both limits' pairwise form is a block by
    itself (found for all steps at once); otherwise the first break is searched in
    windows of 64, 512, 4096 steps from the block's start (the same first break as one
    window of ``max_len``, without scanning 4096 steps for every short block)."""
    T = LA.shape[0]
    W = LA - LB
    alone = np.zeros(T, dtype=bool)
    with np.errstate(invalid="ignore"):
        alone[:-1] = (np.abs(np.diff(LB)) > max_log_ratio) | (np.abs(np.diff(W)) > 64.0)
    cuts = [0]
    a = 0
    while a < T:
        if alone[a]:
            a += 1
            cuts.append(a)
            continue
        limit = min(T, a + max_len)
        span = 64
        while True:
            b = min(limit, a + span)
            lb, w = LB[a:b], W[a:b]
            ok = ((np.maximum.accumulate(lb) - np.minimum.accumulate(lb) <= max_log_ratio)
                  & (np.maximum.accumulate(w) - np.minimum.accumulate(w) <= 64.0))
            bad = np.flatnonzero(~ok)
            if bad.size or b == limit:
                break
            span *= 8
        length = int(bad[0]) if bad.size else b - a
        a += max(1, length)
        cuts.append(a)
    return np.asarray(cuts, dtype=np.int64)


__all__ = ["DriftTables"]
