r"""The loop-free engine's per-chunk pass, compiled: the projected walk, the losses and
every statistic in one loop over the chunk (``[fast]``).

For a chunk of n steps t = t0+1..t0+n of :func:`..oblivious.run_oblivious`, given the
gradients :math:`a_t` (n, R, d) and the steps :math:`\delta_t` (n, R, d) that the
optimizer's own scan (:mod:`..oblivious_steps`) computed,

.. math::

    f_t = \langle a_t, \theta_t\rangle, \qquad
    \theta_{t+1} = \Pi_{[lo, hi]}(\theta_t - \delta_t) = \min(\max(\theta_t - \delta_t,
    lo), hi),

one step after the other (the NumPy path composes clamp maps over blocks of steps
instead, :func:`..oblivious_scan.clamp_walk`), and, with ``stats``, the schema
statistics of :mod:`..stats` as the NumPy path of :mod:`..oblivious` forms them with
whole-array passes: :math:`G = \max_{s\le t}\|g_s\|_2`,
:math:`G_\infty = \max_{s\le t}\|g_s\|_\infty`,
:math:`D`, :math:`D_\infty` (the 2- and max-norm of the observed spread
:math:`\max_{s\le t}\theta_s - \min_{s\le t}\theta_s`),
:math:`\sum_i\|g_{1:t,i}\|_2`, and from :math:`\hat v_t` (when the optimizer has a
second moment): :math:`\sum_i\hat v_{t,i}^{1/2}`, :math:`\sqrt t\sum_i\hat v_{t,i}^{1/2}`,
:math:`\min_i(\hat v_{t,i}^{1/2}/\alpha_t - \hat v_{t-1,i}^{1/2}/\alpha_{t-1})` and
:math:`\sum_{s\le t}\beta_{1,s}\sum_i\hat v_{s,i}^{1/2}/\alpha_s`.

The two paths sum in different orders (a running sum here, a cumulative sum plus the
carry there; a sequential dot product here, ``einsum`` there), so they agree to rounding
(the tests bound whole runs by :math:`10^{-12}` relative), and each is deterministic.
"""
from __future__ import annotations

import math

import numba

_JIT = dict(cache=False, error_model="numpy", nogil=True)

#: the rows of the statistics block ``out`` (K, T, R), in the schema's names
STATS = ("G", "G_inf", "D", "D_inf", "sum_g_norm", "sum_sqrt_t_vhat", "sum_vhat_sqrt",
         "gamma_min_eig", "sum_b1t_vhat_over_alpha")


@numba.njit(inline="always", **_JIT)
def stats_row(row, r, g, x, carry, carry_rd, out, has_v, vh, al, has_b1, b1, root_t):
    r"""The statistics of run r after step ``row + 1``, into ``out[:, row, r]``: ``g``,
    ``x`` (d,) the gradient and the iterate :math:`\theta_t`, ``vh`` (d,)
    :math:`\hat v_t` (read when ``has_v``), ``al`` :math:`\alpha_t`, ``b1``
    :math:`\beta_{1,t}` (read when ``has_b1``), ``root_t`` :math:`\sqrt t`; ``carry``,
    ``carry_rd`` as in :func:`walk`."""
    d = g.shape[0]
    gsq = 0.0
    ginf = 0.0
    sgn = 0.0
    dsq = 0.0
    dinf = 0.0
    for i in range(d):
        gi = g[i]
        xi = x[i]
        ag = abs(gi)
        gsq += gi * gi
        if ag > ginf:
            ginf = ag
        sq = carry_rd[0, r, i] + gi * gi
        carry_rd[0, r, i] = sq
        sgn += math.sqrt(sq)
        if xi < carry_rd[1, r, i]:
            carry_rd[1, r, i] = xi
        if xi > carry_rd[2, r, i]:
            carry_rd[2, r, i] = xi
        spread = carry_rd[2, r, i] - carry_rd[1, r, i]
        dsq += spread * spread
        if spread > dinf:
            dinf = spread
    norm = ginf if d == 1 else math.sqrt(gsq)
    if norm > carry[0, r]:
        carry[0, r] = norm
    if ginf > carry[1, r]:
        carry[1, r] = ginf
    out[0, row, r] = carry[0, r]
    out[1, row, r] = carry[1, r]
    out[2, row, r] = dinf if d == 1 else math.sqrt(dsq)
    out[3, row, r] = dinf
    out[4, row, r] = sgn
    if has_v:
        total = 0.0
        gam = math.inf
        for i in range(d):
            root = math.sqrt(vh[i])
            total += root
            scaled = root / al
            diff = scaled - carry_rd[3, r, i]
            if diff < gam:
                gam = diff
            carry_rd[3, r, i] = scaled
        out[5, row, r] = root_t * total
        out[6, row, r] = total
        out[7, row, r] = gam
        if has_b1:
            carry[2, r] += b1 * total / al
            out[8, row, r] = carry[2, r]


@numba.njit(**_JIT)
def walk(theta, delta, a, lo, hi, losses, t0, stats, has_v, has_b1, vhat, alpha, beta1,
         carry, carry_rd, out):
    r"""One chunk, in place.

    ``theta`` (R, d): :math:`\theta_{t0+1}` in, :math:`\theta_{t0+n+1}` out; ``delta``,
    ``a`` (n, R, d); ``lo``, ``hi`` (d,) the box (:math:`\pm\infty` unconstrained);
    ``losses`` (T, R), rows t0..t0+n-1 written.  With ``stats``: ``vhat`` (n, R, d) (read
    when ``has_v``), ``alpha`` (n, R) :math:`\alpha_t`, ``beta1`` (n, R)
    :math:`\beta_{1,t}` (read when ``has_b1``); ``carry`` (3, R) the running
    :math:`G`, :math:`G_\infty` and :math:`\sum\beta_{1,s}(\cdot)`; ``carry_rd`` (4, R, d)
    the running :math:`\sum_s g_{s,i}^2`, :math:`\min_s\theta_{s,i}`,
    :math:`\max_s\theta_{s,i}` and the last :math:`\hat v^{1/2}_{i}/\alpha`; ``out``
    (K, T, R) the statistics in the order of :data:`STATS`."""
    n, R, d = delta.shape
    for j in range(n):
        row = t0 + j
        root_t = math.sqrt(float(row + 1))
        for r in range(R):
            if stats:
                jv = j if has_v else 0
                rv = r if has_v else 0
                jb = j if has_b1 else 0
                rb = r if has_b1 else 0
                stats_row(row, r, a[j, r], theta[r], carry, carry_rd, out, has_v,
                          vhat[jv, rv], alpha[jv, rv], has_b1, beta1[jb, rb], root_t)
            f = 0.0
            for i in range(d):
                x = theta[r, i]
                f += a[j, r, i] * x
                x = x - delta[j, r, i]
                if x < lo[i]:
                    x = lo[i]
                if x > hi[i]:
                    x = hi[i]
                theta[r, i] = x
            losses[row, r] = f
