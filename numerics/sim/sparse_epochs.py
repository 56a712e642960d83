r"""The lazy sparse engine's epochs: drift tables and powers of bounded size.

The drift sums of :mod:`.sparse_tables` need, per step, a row of Chebyshev moments and
a few indices (:math:`8N + 56` bytes per step and table, N = 16 for Adam), and the
decays :math:`\delta^n` need a power per gap length n.  Built for all T steps at once
they grow linearly in T (about 2 GB per table at :math:`T = 10^7`).  So the engine
(:func:`.sparse_engine.run_sparse`) cuts the run into **epochs** of at most
:data:`EPOCH_STEPS` steps, :math:`(a, b]`, and holds only the current epoch's tables
(steps a..b, indexed from a) and powers (:math:`n = 0..b-a`).

At the end of an epoch (step b, after its update) every coordinate is caught up to
step b, as the end of the run catches every coordinate up (:func:`catch_up`):

* the iterate moves by the drift of its gap up to b, :math:`\theta_{b+1} =
  \Pi(\theta_{s+1} - m_s S(s, \min(b, J(s))))`;
* each field that decays is decayed to step b, :math:`x_b = \delta^{\,b-s} x_s` (a
  scheduled :math:`\beta_1`: :math:`m_b = m_s e^{L_b - L_s}`), and ``last`` becomes b;
* a coordinate whose truncation step :math:`J(s)` fell inside the epoch (before b) has
  now moved by its whole drift: the one-epoch engine adds nothing more until it is
  touched again (:class:`.sparse_tables.DriftTables` drops the terms after
  :math:`J(s)`, below :math:`2^{-62}` of the first).  It is marked *spent* and takes no
  drift until its next touch.  The others go on drifting from b with the decayed
  :math:`m_b, z_b`, which gives the same terms: :math:`m_b e^{LA_u - LN_b} = m_s
  e^{LA_u - LN_s}`, and likewise for the denominator.

So an epoch boundary changes only rounding (the product of two powers for one, the
blocks of the tables cut at b, and the truncation point of sums that cross b, moved by
at most :math:`2^{-62}` of their first term); the tests bound whole runs against one
epoch by :math:`10^{-12}`, relative.  With :math:`T \le` :data:`EPOCH_STEPS` there is one
epoch, and nothing changes.  The epoch length is a constant, never chosen from the
machine's memory, so a run's bits depend only on its inputs.

What still grows with T is a few words per step and run (the family's per-step
sequences: step sizes, bias corrections), which the run's own (T, R) outputs exceed.
"""
from __future__ import annotations

import numpy as np

from .sparse import SHORT_GAP

#: steps per epoch: the tables then take at most about 12 MB per table (8N + 56 bytes per
#: step, N = 16), and a boundary costs one pass over the coordinates touched in the epoch
EPOCH_STEPS = 1 << 16


class Epoch:
    """The tables and powers of steps a..b (``origin`` a, ``end`` b) of one run set.

    ``tables``: the family's :meth:`~.sparse._Family.tables_for` (None: nothing drifts);
    ``P`` (n_decaying, R (b - a + 1)): the power :math:`\\delta^n` of decaying field
    ``decaying[q]`` in run r at ``P[q, r * stride + n]`` (``stride`` = b - a + 1;
    ``run_offsets`` (R, 1) the ``r * stride``).
    """

    def __init__(self, fam, decaying: list[str], a: int, b: int, R: int):
        if not 0 <= a < b:
            raise ValueError(f"Epoch: need 0 <= a < b; got a={a}, b={b}")
        self.origin, self.end = a, b
        self.tables = fam.tables_for(a, b)
        self.stride = b - a + 1
        self.run_offsets = np.arange(R)[:, None] * self.stride     # run r's powers start
        n = np.arange(self.stride, dtype=np.float64)
        self.P = np.empty((len(decaying), R * self.stride))
        for row, name in enumerate(decaying):                    # delta^n, n = 0..b-a
            self.P[row] = np.power(fam.decay[name][:, None], n[None, :]).reshape(-1)
        self.powers = {name: self.P[row] for row, name in enumerate(decaying)}


def epochs(T: int, length: int) -> list[tuple[int, int]]:
    """The epochs (a, b] of a T-step run: (0, L], (L, 2L], ..., (., T]."""
    if isinstance(length, bool) or not isinstance(length, (int, np.integer)) or length < 1:
        raise ValueError(f"epochs: length must be an int >= 1; got {length!r}")
    return [(a, min(T, a + length)) for a in range(0, T, length)]


def log_root(fam, fields, where):
    r""":math:`\log\sqrt z` of the drift's denominator state (``fam.zfield``) at ``where``
    (a mask or indices), :math:`-\infty` (no denominator) when the family has none."""
    if fam.zfield is None:
        return np.full(np.shape(fields[fam.driver][where]), -np.inf)
    with np.errstate(divide="ignore"):
        return 0.5 * np.log(fields[fam.zfield][where])


def catch_up(fam, ep: Epoch, fields, theta, last, spent, t: int, R: int, d: int, project):
    r"""``(theta_{t+1}, closed)`` for every coordinate (``theta`` is not changed): the
    drift of each untouched coordinate's gap up to step t (``ep.origin <= last <= t <=
    ep.end``), projected; ``closed`` marks those whose truncation step J(s) is before
    the epoch's end (their drift is complete).  Spent coordinates do not move."""
    out = theta.copy()
    closed = np.zeros(theta.shape[0], dtype=bool)
    if fam.driver is None or ep.tables is None:
        return out, closed
    tab, o = ep.tables, ep.origin
    tid_flat = np.repeat(fam.tid, d)
    drv = fields[fam.driver]
    chunk = 1 << 16
    for a in range(0, R * d, chunk):
        b = min(a + chunk, R * d)
        s = last[a:b]
        sel = (s < t) & (drv[a:b] != 0) & (tid_flat[a:b] >= 0) & ~spent[a:b]
        if not sel.any():
            continue
        pos = np.flatnonzero(sel) + a
        tid, ss = tid_flat[pos], s[sel] - o
        e = tab.window_end(tid, ss, t - o)
        logz = log_root(fam, fields, pos)
        out[pos] -= drv[pos] * tab.drift(tid, ss, e, logz, SHORT_GAP)
        run = pos // d
        coord = pos - run * d
        out[pos] = project(out[pos][None, :], coord[None, :])[0]
        closed[pos] = tab.J[tid * tab.W + ss] < tab.T
    return out, closed


def close(fam, ep: Epoch, fields, theta, last, spent, R: int, d: int, project) -> None:
    """End the epoch ``ep`` after its last step b: every coordinate caught up to b (the
    module's docs), in place.  The new values are formed first and then stored, so that
    a stop between steps never sees half a boundary."""
    b = ep.end
    new_theta, closed = catch_up(fam, ep, fields, theta, last, spent, b, R, d, project)
    gap = b - last
    rows = np.repeat(ep.run_offsets[:, 0], d)
    new = {}
    for name, pw in ep.powers.items():
        new[name] = fields[name] * pw[gap + rows]
    if fam.L is not None:        # a scheduled beta1: m_b = m_s e^{L_b - L_s}
        new["m"] = fields["m"] * np.exp((fam.L[b] - fam.L[last]).astype(np.float64))
    theta[:] = new_theta
    for name, value in new.items():
        fields[name][:] = value
    spent |= closed
    last[:] = b


def boundary_reach(fam, ep: Epoch, fields, theta, spent, d: int, project):
    """``(flat, reach)``: for the coordinates still drifting at the start of epoch ``ep``
    (all caught up to its origin), the far end of the coming drift within it -- the
    point the statistics' ranges must include (:mod:`.sparse_stats`)."""
    empty = np.zeros(0, dtype=np.int64), np.zeros(0)
    if fam.driver is None or ep.tables is None:
        return empty
    tid_flat = np.repeat(fam.tid, d)
    drv = fields[fam.driver]
    pos = np.flatnonzero((drv != 0) & (tid_flat >= 0) & ~spent)
    if pos.size == 0:
        return empty
    factor = ep.tables.reach(tid_flat[pos], 0, log_root(fam, fields, pos))
    run = pos // d
    coord = pos - run * d
    reach = project((theta[pos] - drv[pos] * factor)[None, :], coord[None, :])[0]
    return pos, reach


__all__ = ["EPOCH_STEPS", "Epoch", "boundary_reach", "catch_up", "close", "epochs",
           "log_root"]
