r"""The lazy sparse engine's run statistics as one compiled call per step (``[fast]``).

:class:`CompiledRecorder` computes what :class:`..sparse_stats.SparseRecorder`
computes, by the same algorithm (the incremental sums, the pending widening of the
ranges, the M largest keys for the untouched part of ``gamma_min_eig`` and the O(d)
pass once every coordinate has been seen; the math is in :mod:`..sparse_stats`), but
a step is one call of a numba-compiled loop instead of about sixty small NumPy calls.
NumPy stays the reference.
"""
from __future__ import annotations

import math

import numba
import numpy as np

from ..sparse_stats import widen_ranges

# the rows of the (n, T, R) output block: the second-moment statistics follow only when
# the optimizer has one, sum_b1t_vhat_over_alpha only when it has a beta1
_BASE = ("G", "G_inf", "D", "D_inf", "sum_g_norm")
_MOMENT = ("sum_sqrt_t_vhat", "sum_vhat_sqrt", "gamma_min_eig")
_B1 = "sum_b1t_vhat_over_alpha"
# the rows of the (4, R*d) per-coordinate array (no keys without a second moment)
_SQ, _LO, _HI, _KEY = range(4)
# the rows of the (10, R) per-run array: accumulators, then constants
_G, _GINF, _ROOT, _RANGE2, _DINF, _Q, _B1SUM, _SQRT_DECAY, _HALF_LOG_DECAY, _KEY0 = range(10)
# the rows of the (4, R, T+1) per-step table (column t: step t)
_SCALE, _ALPHA, _BETA1, _KAPPA = range(4)


class CompiledRecorder:
    """What :class:`..sparse_stats.SparseRecorder` computes (its constructor, ``step``
    and ``out``: a drop-in replacement; the math is in :mod:`..sparse_stats`), with each
    step one call of a numba-compiled loop.

    The constructor puts the state into a few contiguous arrays: ``vinfo``'s ``beta1``
    (None, (R,) or (R, T+1)) becomes one (R, T+1) row of a table and a flag, no second
    moment (``vinfo`` None) a flag.  The arrays of ``out`` are (T, R) views of one
    (n, T, R) block.

    Sums over the touched coordinates are formed sequentially where NumPy sums
    pairwise (and ``log``/``exp`` are LLVM's, not NumPy's), so the results agree with
    ``SparseRecorder``'s to rounding (relative 1e-12), not bit for bit.
    """

    def __init__(self, T: int, x0: np.ndarray, vinfo: dict | None, bounded_drift: bool):
        R, d = x0.shape
        self.R, self.d, self.T = R, d, T
        self.drift = bounded_drift
        self.v = vinfo
        has_v = vinfo is not None
        has_b1 = has_v and vinfo.get("beta1") is not None
        names = _BASE + (_MOMENT if has_v else ()) + ((_B1,) if has_b1 else ())
        self._block = np.full((len(names), T, R), np.nan)
        self.out = {name: self._block[j] for j, name in enumerate(names)}
        self._flags = (int(has_v), int(has_b1))
        self._coord = np.zeros((4 if has_v else 3, R * d))
        self._coord[_LO] = self._coord[_HI] = np.asarray(x0, dtype=np.float64).reshape(-1)
        self._run = np.zeros((10, R))
        self._pending = None
        self._top_n = 0
        self._top_key = np.zeros((R, 0))
        self._top_flat = np.zeros((R, 0), dtype=np.int64)
        self._fresh = np.full(R, d, dtype=np.int64)      # coordinates never touched
        if not has_v:
            self._tab = np.zeros((4, R, 1))
            self._stamp = np.zeros(0, dtype=np.int64)
            return
        self._stamp = np.zeros(R * d, dtype=np.int64)    # step of the latest touch
        # the constants by SparseRecorder's own NumPy expressions: equal bit for bit
        decay = np.asarray(vinfo["decay"], dtype=np.float64)
        self._run[_SQRT_DECAY] = np.sqrt(decay)
        with np.errstate(divide="ignore"):
            self._run[_HALF_LOG_DECAY] = 0.5 * np.log(decay)
        state0 = np.asarray(vinfo["state"], dtype=np.float64)
        self._run[_Q] = np.sqrt(state0).sum(axis=1)
        scale, alpha = vinfo["scale"], vinfo["alpha"]
        prev = np.zeros((R, T))
        prev[:, 1:] = np.sqrt(scale[:, 1:T]) / alpha[:, 1:T]
        tab = np.zeros((4, R, T + 1))
        tab[_SCALE], tab[_ALPHA] = scale, alpha
        tab[_KAPPA, :, 1:] = (np.sqrt(decay[:, None] * scale[:, 1:T + 1]) /
                              alpha[:, 1:T + 1] - prev)
        if has_b1:
            b1 = np.asarray(vinfo["beta1"], dtype=np.float64)
            tab[_BETA1] = b1 if b1.ndim == 2 else np.reshape(b1, (-1, 1))
        self._tab = tab
        with np.errstate(divide="ignore"):
            keys = 0.5 * np.log(state0)
        key0 = keys[:, 0].copy()                          # the initial key (uniform per run)
        if not np.all(keys == key0[:, None]):
            raise ValueError("SparseRecorder: the initial second-moment state must be "
                             "uniform within each run")
        self._coord[_KEY] = keys.reshape(-1)
        self._run[_KEY0] = key0

    # -- per step ----------------------------------------------------------------------
    def step(self, t: int, flat: np.ndarray, g: np.ndarray, theta_t: np.ndarray,
             theta_next: np.ndarray, reach: np.ndarray | None,
             old_state: np.ndarray | None, new_state: np.ndarray | None) -> None:
        """Record row t-1; the arguments are those of :meth:`.SparseRecorder.step`."""
        flat, g, theta_t = _arg(flat, np.int64), _arg(g), _arg(theta_t)
        has_v, has_b1 = self._flags
        if has_v:
            old_state, new_state = _arg(old_state), _arg(new_state)
            need = 2 * flat.shape[1] + 16                 # room for the M largest keys
            if need > self._top_key.shape[1]:
                self._grow(need)
        else:
            old_state = new_state = g
        pend = self._pending
        if pend is None:
            npend, pflat, pth, preach = 0, flat, theta_t, theta_t
        elif pend[2] is None:
            npend, pflat, pth, preach = 1, pend[0], pend[1], pend[1]
        else:
            npend, (pflat, pth, preach) = 2, pend
        self._top_n = _step(t, flat, g, theta_t, pflat, pth, preach, npend, has_v, has_b1,
                            old_state, new_state, self._block, self._coord, self._run,
                            self._tab, self._stamp, self._fresh, self._top_key,
                            self._top_flat, self._top_n)
        self._pending = (flat, _arg(theta_next), None if reach is None else _arg(reach))

    def widen(self, flat: np.ndarray, values: np.ndarray) -> None:
        """:meth:`.SparseRecorder.widen` (once per epoch, so in NumPy)."""
        c, run = self._coord, self._run          # rows of these are views: in place
        widen_ranges(c[_LO], c[_HI], run[_RANGE2], run[_DINF], flat, values, self.d)

    def _grow(self, cap):
        """Room for ``cap`` keys per run in the top arrays (the kept ones are copied)."""
        R, n = self.R, self._top_n
        key, fl = np.zeros((R, cap)), np.zeros((R, cap), dtype=np.int64)
        key[:, :n], fl[:, :n] = self._top_key[:, :n], self._top_flat[:, :n]
        self._top_key, self._top_flat = key, fl


def _arg(a, dtype=np.float64):
    """``a`` as a C-contiguous writable array of ``dtype``: the one type the compiled step
    is specialised for (a read-only array would compile a second specialisation)."""
    a = np.ascontiguousarray(a, dtype=dtype)
    return a if a.flags.writeable else a.copy()


# -- the compiled step ---------------------------------------------------------------------
_jit = numba.njit(error_model="numpy")
_tiny = numba.njit(error_model="numpy", inline="always")    # inlined: less to compile


@_tiny
def _mx(a, b):
    """np.maximum of two floats (NaN if either is)."""
    return a if (a >= b or a != a) else b


@_tiny
def _mn(a, b):
    """np.minimum of two floats (NaN if either is)."""
    return a if (a <= b or a != a) else b


@_tiny
def _above(a, b):
    """Key a ranks above key b: larger, NaN lowest (as argpartition of -keys ranks)."""
    if a != a:
        return False
    if b != b:
        return True
    return a > b


@_tiny
def _swap(key, fl, i, j):
    key[i], key[j] = key[j], key[i]
    fl[i], fl[j] = fl[j], fl[i]


@_jit
def _select(key, fl, n, m, hint):
    """Reorder key[:n] (and fl with it) so that key[:m] are m largest ones: quickselect
    with a three-way partition (ties cost nothing); the first pivot is ``hint`` (the
    smallest kept key: the kept ones fall on one side of it at once), then the median of
    three (an element of the window, so every pass shrinks it)."""
    lo, hi = 0, n
    p = hint
    while lo < m < hi:
        lt, i, gt = lo, lo, hi         # [lo, lt) above p, [lt, gt) tied, [gt, hi) below
        while i < gt:
            x = key[i]
            if _above(x, p):
                _swap(key, fl, i, lt)
                lt += 1
                i += 1
            elif _above(p, x):
                gt -= 1
                _swap(key, fl, i, gt)
            else:
                i += 1
        if m <= lt:
            hi = lt
        elif m >= gt:
            lo = gt
        else:
            return
        if hi - lo > 1:
            a, b, c = key[lo], key[(lo + hi) // 2], key[hi - 1]
            if _above(a, b):
                a, b = b, a
            if _above(b, c):
                b = c
                if _above(a, b):
                    b = a
            p = b


@_tiny
def _widen(r, flat, values, coord, run):
    """Run r's touched coordinates' ranges take ``values`` (SparseRecorder._widen)."""
    s, top = 0.0, 0.0
    for j in range(flat.shape[1]):
        f = flat[r, j]
        a, b = coord[_LO, f], coord[_HI, f]
        before = b - a
        a, b = _mn(a, values[r, j]), _mx(b, values[r, j])
        coord[_LO, f], coord[_HI, f] = a, b
        after = b - a
        s += after * after - before * before
        top = _mx(top, after)
    run[_RANGE2, r] += s
    run[_DINF, r] = _mx(run[_DINF, r], top)


@_jit
def _step(t, flat, g, th, pflat, pth, preach, npend, has_v, has_b1, old_state, new_state,
          out, coord, run, tab, stamp, fresh, top_key, top_flat, top_n):
    """One step of CompiledRecorder (what SparseRecorder.step does); returns the number
    of keys now kept per run."""
    R, k = flat.shape
    d = coord.shape[1] // R
    i = t - 1
    for r in range(R):
        s2, ginf, root = 0.0, 0.0, 0.0
        for j in range(k):
            gv = g[r, j]
            g2 = gv * gv
            s2 += g2
            ginf = _mx(ginf, abs(gv))
            f = flat[r, j]
            old = coord[_SQ, f]
            new = old + g2
            coord[_SQ, f] = new
            root += math.sqrt(new) - math.sqrt(old)
        run[_G, r] = _mx(run[_G, r], math.sqrt(s2))
        run[_GINF, r] = _mx(run[_GINF, r], ginf)
        out[0, i, r], out[1, i, r] = run[_G, r], run[_GINF, r]
        run[_ROOT, r] += root
        out[4, i, r] = run[_ROOT, r]
        if npend >= 1:
            _widen(r, pflat, pth, coord, run)
        if npend == 2:
            _widen(r, pflat, preach, coord, run)
        _widen(r, flat, th, coord, run)
        out[2, i, r] = math.sqrt(run[_RANGE2, r])
        out[3, i, r] = run[_DINF, r]
    if not has_v:
        return top_n
    # -- the second moment: Q and its sums, Gamma over the touched coordinates --------
    gam = np.empty(R)
    for r in range(R):
        sd = run[_SQRT_DECAY, r]
        s = 0.0
        for j in range(k):
            s += math.sqrt(new_state[r, j]) - sd * math.sqrt(old_state[r, j])
        run[_Q, r] = sd * run[_Q, r] + s
        total = math.sqrt(tab[_SCALE, r, t]) * run[_Q, r]
        out[6, i, r] = total
        out[5, i, r] = math.sqrt(t) * total
        if has_b1:
            run[_B1SUM, r] += tab[_BETA1, r, t] * total / tab[_ALPHA, r, t]
            out[8, i, r] = run[_B1SUM, r]
        c_new = math.sqrt(tab[_SCALE, r, t]) / tab[_ALPHA, r, t]
        c_old = math.sqrt(tab[_SCALE, r, t - 1]) / tab[_ALPHA, r, t - 1] if t > 1 else 0.0
        m = np.inf
        for j in range(k):
            cur = c_new * math.sqrt(new_state[r, j])
            if t > 1:
                cur = cur - c_old * math.sqrt(old_state[r, j])
            m = _mn(m, cur)
        gam[r] = m
    # -- Gamma over the untouched coordinates (SparseRecorder._untouched_gamma) -------
    first = np.zeros(R, dtype=np.int64)                # touched now for the first time
    for r in range(R):
        for j in range(k):
            f = flat[r, j]
            if stamp[f] == 0:
                first[r] += 1
            stamp[f] = t
    if top_n > 0 and top_n <= k:                       # truncated and too small: rebuild
        short = False
        for r in range(R):
            short = short or d - fresh[r] > top_n
        if short:
            top_n = min(2 * k + 16, d)
            bk, bf = np.empty(d), np.empty(d, dtype=np.int64)
            for r in range(R):
                for c in range(d):
                    bk[c], bf[c] = coord[_KEY, r * d + c], r * d + c
                _select(bk, bf, d, top_n, bk[d // 2])
                for c in range(top_n):
                    top_key[r, c], top_flat[r, c] = bk[c], bf[c]
    # the candidates for the next kept keys: the kept ones not touched now, then the new
    # ones; -inf keys (the touched ones are -inf for SparseRecorder) are left out, as
    # they can never be a maximum (the width stays SparseRecorder's: -inf fills it)
    n = top_n + k
    ck, cf = np.empty((R, n)), np.empty((R, n), dtype=np.int64)
    kept, hint = np.empty(R, dtype=np.int64), np.empty(R)
    for r in range(R):
        kappa = tab[_KAPPA, r, t]
        key0 = run[_KEY0, r]
        fresh_left = fresh[r] - first[r] > 0
        hi_key = key0 if fresh_left else -np.inf
        mx, low, cnt = -np.inf, np.inf, 0
        for c in range(top_n):
            f = top_flat[r, c]
            v = top_key[r, c]
            if stamp[f] == t or v == -np.inf:
                continue
            ck[r, cnt], cf[r, cnt] = v, f
            cnt += 1
            mx = _mx(mx, v)
            if v < low:
                low = v
        kept[r], hint[r] = cnt, low
        if top_n > 0:
            hi_key = _mx(hi_key, mx)
        lo_key = key0 if fresh_left else np.inf
        if kappa > 0 and not fresh_left and k != d:    # every coordinate seen: O(d)
            mn = np.inf
            for c in range(r * d, (r + 1) * d):
                mn = _mn(mn, np.inf if stamp[c] == t else coord[_KEY, c])
            lo_key = mn
        if k == d:                                     # nothing is untouched
            val = np.inf
        elif kappa == 0:
            val = 0.0
        else:
            ext = hi_key if kappa < 0 else lo_key
            val = kappa * math.exp(ext + (t - 1) * run[_HALF_LOG_DECAY, r])
        out[7, i, r] = _mn(gam[r], val)
    # -- the keys: keep the M largest of those touched so far (SparseRecorder._remember)
    M = max(2 * k + 16, top_n)
    width = min(n, M)
    for r in range(R):
        fresh[r] -= first[r]
        hld = run[_HALF_LOG_DECAY, r]
        nr = kept[r]
        for j in range(k):
            f = flat[r, j]
            key = 0.5 * math.log(new_state[r, j]) - t * hld
            coord[_KEY, f] = key
            ck[r, nr], cf[r, nr] = key, f
            nr += 1
        if nr > M:
            _select(ck[r], cf[r], nr, M, hint[r])
            nr = M
        for c in range(width):
            if c < nr:
                top_key[r, c], top_flat[r, c] = ck[r, c], cf[r, c]
            else:
                top_key[r, c], top_flat[r, c] = -np.inf, r * d
    return width


__all__ = ["CompiledRecorder"]
