r"""Recursions over time without a Python loop: linear filters and the projected walk.

Two kinds of recursion appear when the gradients are known in advance:

* **Linear** (the moments): :math:`y_t = \beta y_{t-1} + x_t`, computed by
  :func:`scipy.signal.lfilter` (a C loop).  With ``b = [1]``, ``a = [1, -beta]``
  it evaluates :math:`\mathrm{fl}(x_t + \mathrm{fl}(\beta y_{t-1}))`, the same
  floating-point operations as the step-by-step optimizers when the caller
  passes :math:`x_t = (1-\beta) g_t` already rounded as they do.
* **The projected walk** :math:`\theta_{t+1} = \Pi_{[l,u]}(\theta_t - \delta_t)`
  on a box.  Each step is a clamp map :math:`x \mapsto \min(u, \max(l, x + c))`,
  and clamp maps are closed under composition:

  .. math:: (c_2, l_2, u_2)\circ(c_1, l_1, u_1) = \bigl(c_1 + c_2,\;
            \Pi_{[l_2,u_2]}(l_1 + c_2),\; \Pi_{[l_2,u_2]}(u_1 + c_2)\bigr),

  since clamping to :math:`[l_1+c_2, u_1+c_2]` and then to :math:`[l_2, u_2]` is
  clamping to the projected interval.  Composition is associative, so all
  prefix compositions come from a parallel prefix scan (pairing, O(T) work,
  :math:`\log_2 T` vectorized levels) and :math:`\theta_{t+1} =
  P_t(\theta_1)`.  The projection is *exact* -- the walk leaves and re-enters
  the box exactly as the step-by-step loop does; only the rounding of the
  sums differs (pairwise, :math:`O(\epsilon\log T\sum_t|\delta_t|)`).
"""
from __future__ import annotations

import numpy as np


def _lfilter():
    """scipy.signal.lfilter, imported on first use (scipy.signal takes about 0.5 s to
    import, which every command and worker process would pay otherwise)."""
    from scipy.signal import lfilter
    return lfilter


def ema(x: np.ndarray, beta, prev: np.ndarray) -> np.ndarray:
    """:math:`y_t = \\beta y_{t-1} + x_t` along axis 0 from :math:`y_0` = ``prev``.

    ``x`` (n, R, d); ``beta`` a float or (R,) / (R, 1) per-run values; ``prev``
    (R, d).  Runs with the same beta are filtered together.
    """
    betas = np.broadcast_to(np.asarray(beta, dtype=np.float64).reshape(-1), (x.shape[1],))
    out = np.empty_like(x)
    for b in np.unique(betas):
        rows = np.flatnonzero(betas == b)
        part = x[:, rows] if rows.size != x.shape[1] else x
        zi = (b * prev[rows])[None] if rows.size != x.shape[1] else (b * prev)[None]
        if b == 0.0:
            y = part.copy()
        else:
            y, _ = _lfilter()([1.0], [1.0, -b], part, axis=0, zi=zi)
        if rows.size == x.shape[1]:
            return y
        out[:, rows] = y
    return out


def ema_tv(x: np.ndarray, a: np.ndarray, prev: np.ndarray, block: int = 256) -> np.ndarray:
    r""":math:`y_t = a_t y_{t-1} + x_t` along axis 0 from :math:`y_0` = ``prev``, with a
    coefficient that changes with t (a scheduled :math:`\beta_{1,t}`).

    ``x`` (n, R, d); ``a`` (n, R) per step and run; ``prev`` (R, d).  The maps
    :math:`y \mapsto a y + x` compose to maps of the same kind,
    :math:`(a_2, x_2)\circ(a_1, x_1) = (a_2 a_1, a_2 x_1 + x_2)`, so, as in
    :func:`clamp_walk`: (1) each block of ``block`` steps is composed (vectorized
    across blocks), (2) the blocks' starting values follow from the same recursion
    over the blocks (recursively), (3) each block is walked step by step with the
    same floating-point operations as the optimizer, :math:`\mathrm{fl}(a_t y_{t-1}
    + x_t)`.  Only the block starts are rounded differently (a few ulp).
    """
    n = x.shape[0]
    a3 = np.asarray(a, dtype=np.float64).reshape(n, x.shape[1], 1)
    if n <= block:
        out = np.empty_like(x)
        y = prev
        for j in range(n):
            y = a3[j] * y + x[j]
            out[j] = y
        return out
    nb = -(-n // block)
    pad = nb * block - n
    xs = np.concatenate([x, np.zeros((pad,) + x.shape[1:])]) if pad else x
    as_ = np.concatenate([a3, np.ones((pad,) + a3.shape[1:])]) if pad else a3
    xb = xs.reshape((nb, block) + x.shape[1:]).swapaxes(0, 1)      # (block, nb, R, d)
    ab = as_.reshape((nb, block) + a3.shape[1:]).swapaxes(0, 1)    # (block, nb, R, 1)
    A = np.ones(ab.shape[1:])
    Y = np.zeros(xb.shape[1:])
    for j in range(block):                      # (1) each block's composed map
        A = ab[j] * A
        Y = ab[j] * Y + xb[j]
    starts = np.empty(xb.shape[1:])             # (2) y at the start of each block
    starts[0] = prev
    if nb > 1:
        starts[1:] = ema_tv(Y[:-1], A[:-1].reshape(nb - 1, x.shape[1]), prev, block)
    out = np.empty(xb.shape)
    y = starts
    for j in range(block):                      # (3) walk each block
        y = ab[j] * y + xb[j]
        out[j] = y
    return out.swapaxes(0, 1).reshape((nb * block,) + x.shape[1:])[:n]


def clamp_walk(theta1: np.ndarray, delta: np.ndarray, lo, hi, block: int | None = None
               ) -> np.ndarray:
    r"""The iterates :math:`\theta_2, \dots, \theta_{n+1}` of :math:`\theta_{t+1} =
    \Pi_{[lo, hi]}(\theta_t - \delta_t)`.

    ``theta1`` (R, d) inside the box, ``delta`` (n, R, d); ``lo``, ``hi``
    scalars or (d,) arrays (infinite allowed).  Returns (n, R, d).

    Blocked: the n steps are cut into blocks of ``block`` steps (default 256, the
    fastest measured for n = 10^7); (1) each
    block's composed clamp map is built by ``block`` vectorized compositions
    across all blocks, (2) the prefix scan over the blocks gives each block's
    starting point, (3) each block is walked step by step, again vectorized
    across blocks -- the same operations as the loop inside a block.
    """
    n = delta.shape[0]
    M = int(np.prod(delta.shape[1:]))
    lo_b = np.broadcast_to(np.asarray(lo, dtype=np.float64), theta1.shape).reshape(-1)
    hi_b = np.broadcast_to(np.asarray(hi, dtype=np.float64), theta1.shape).reshape(-1)
    x0 = theta1.reshape(M).astype(np.float64)
    if np.all(np.isinf(lo_b)) and np.all(np.isinf(hi_b)):
        return theta1[None] + np.cumsum(-delta, axis=0)
    if block is None:
        block = 256 if n >= 1 << 14 else max(1, int(n ** 0.5))
    nb = -(-n // block)
    c = np.zeros((nb * block, M))
    np.negative(delta.reshape(n, M), out=c[:n])
    cb = np.ascontiguousarray(c.reshape(nb, block, M).transpose(1, 0, 2))  # (block, nb, M)
    # (1) the composed map of each block (padding steps are c = 0: identity inside the box)
    C = np.zeros((nb, M))
    L = np.full((nb, M), -np.inf)
    H = np.full((nb, M), np.inf)
    for j in range(block):
        cj = cb[j]
        C += cj
        L += cj
        np.maximum(L, lo_b, out=L)
        np.minimum(L, hi_b, out=L)
        H += cj
        np.maximum(H, lo_b, out=H)
        np.minimum(H, hi_b, out=H)
    # (2) prefix compositions over the blocks -> each block's starting point
    _prefix(C, L, H)
    start = np.empty((nb, M))
    start[0] = x0
    if nb > 1:
        end = x0[None] + C[:-1]
        np.maximum(end, L[:-1], out=end)
        np.minimum(end, H[:-1], out=end)
        start[1:] = end
    # (3) walk each block
    x = start
    for j in range(block):
        x += cb[j]
        np.maximum(x, lo_b, out=x)
        np.minimum(x, hi_b, out=x)
        cb[j] = x
    out = cb.transpose(1, 0, 2).reshape(nb * block, M)[:n]
    return out.reshape(delta.shape)


def _compose_into(c1, L1, H1, c2, L2, H2) -> None:
    """(c2, L2, H2) <- (c2, L2, H2) o (c1, L1, H1), in place."""
    newL = L1 + c2
    np.maximum(newL, L2, out=newL)
    np.minimum(newL, H2, out=newL)
    newH = H1 + c2
    np.maximum(newH, L2, out=newH)
    np.minimum(newH, H2, out=newH)
    c2 += c1
    L2[...] = newL
    H2[...] = newH


def _prefix(c, L, H) -> None:
    """Inclusive prefix compositions along axis 0, in place (map t applied after t-1)."""
    n = c.shape[0]
    if n <= 1:
        return
    m = n // 2
    # pairs (2i, 2i+1) -> stored at 2i+1
    _compose_into(c[0:2 * m:2], L[0:2 * m:2], H[0:2 * m:2],
                  c[1:2 * m:2], L[1:2 * m:2], H[1:2 * m:2])
    _prefix(c[1::2], L[1::2], H[1::2])
    # even positions 2i (i >= 1): f_{2i} o P_{2i-1}
    if n > 2:
        last = n if n % 2 else n - 1
        _compose_into(c[1:last - 1:2], L[1:last - 1:2], H[1:last - 1:2],
                      c[2:last:2], L[2:last:2], H[2:last:2])


__all__ = ["ema", "ema_tv", "clamp_walk"]
