r"""Oblivious linear losses without a per-step Python loop (T = 10^7 in seconds).

When :math:`f_t(x) = \langle a_t, x\rangle` and the coefficients do not depend on
the iterates (Reddi et al.'s examples, random linear losses), the gradients
:math:`g_t = a_t` are known before the run.  For the optimizers here the
moments depend on the gradients only, so the whole run is three vectorized
passes over time, chunk by chunk (about 2^20 numbers per chunk):

1. **moments** by linear filters (:func:`.oblivious_scan.ema`, the same
   floating-point operations as the step loop), AMSGrad's maximum by
   ``np.maximum.accumulate``, AdaGrad's sum by ``np.cumsum``;
2. **steps** :math:`\delta_t` by the optimizer's formulas applied to whole
   arrays (bias corrections, epsilon placement, schedules);
3. **the projected walk** :math:`\theta_{t+1} = \Pi_F(\theta_t - \delta_t)` by
   composing clamp maps (:func:`.oblivious_scan.clamp_walk`): the projection
   onto the box stays exact, step by step, with no loop over t.

Then the losses :math:`\langle a_t, \theta_t\rangle` and the statistics follow
by cumulative sums and maxima.  Supported: the optimizers whose registry
entry declares ``oblivious_scan`` (:mod:`.optimizers.capabilities`), i.e.
Adam, AMSGrad (all modes), AdamW without decay, AdaGrad, RMSprop (centered,
momentum), SGD (momentum, Nesterov), ADOPT (clipped or not), with any
learning-rate schedule and, for the Adam family, a
scheduled :math:`\beta_{1,t}` (e.g. Kingma & Ba's :math:`\beta_1\lambda^{t-1}`,
Theorem 4.1): then :math:`m_t = \beta_{1,t}m_{t-1} + (1-\beta_{1,t})g_t` is a
linear recursion with a time-varying coefficient, scanned by
:func:`.oblivious_scan.ema_tv`, and the bias correction
:math:`1-\prod_{s\le t}\beta_{1,s}` (``beta1_correction="product"``) comes from
a running sum of :math:`\log\beta_{1,s}`, as in the step loop.  On a box, an
L-infinity ball or no constraint.  Otherwise the dense engine runs.

Before it is used, the scan plays a probe game against the optimizer's own step
(:mod:`.probe`) and declines if it does not reproduce it.
"""
from __future__ import annotations

import numpy as np

from . import stats as _stats
from .engine import EngineOutput, StopFlag
from .oblivious_scan import clamp_walk
from .oblivious_steps import Stepper
from ..optimizers import caps_of

_CHUNK_ELEMENTS = 1 << 20     # numbers per array per chunk (steps x runs x d)


def oblivious_support(prob, opt, projection, inst) -> bool | str:
    """True when the loop-free engine applies, else the reason it does not."""
    if not (getattr(prob, "oblivious", False) and getattr(prob, "linear", False)) or \
            getattr(prob, "adaptive", False):
        return "the losses are not oblivious linear functions of theta"
    if not hasattr(inst, "linear_coefficients"):
        return "the instance has no linear_coefficients(t0, t1)"
    if getattr(inst.domain, "name", None) not in ("box", "linf_ball", "unconstrained"):
        return (f"projection onto {type(inst.domain).__name__} couples the coordinates "
                f"(only boxes are walked without a loop)")
    h = opt.hyper
    if not caps_of(opt).oblivious_scan:
        return (f"{opt.name!r} declares no loop-free scan (oblivious_scan=False on its "
                f"registry entry; the Adam family, AdaGrad, RMSprop, SGD and ADOPT declare one)")
    if not np.all(np.asarray(h["weight_decay"]) == 0):
        return "weight decay makes the gradient depend on theta"
    return True


def run_oblivious(inst, opt, theta0: np.ndarray, T: int, cfg: dict, bar) -> EngineOutput:
    """The loop-free engine (see the module docs and :mod:`.engine`)."""
    R, d = theta0.shape
    domain = inst.domain
    unconstrained = getattr(domain, "name", None) == "unconstrained"
    lo, hi = (-np.inf, np.inf) if unconstrained else (domain.lo, domain.hi)
    chunk = max(1, min(T, _CHUNK_ELEMENTS // (R * d)))
    stepper = Stepper(opt, theta0)
    rec = _Recorder(T, R, d, _stats.has_second_moment(opt), _stats.has_beta1(opt)) \
        if cfg["stats"] else None
    losses = np.empty((T, R))           # rows not reached are set to NaN by the simulator
    theta = theta0.astype(np.float64).copy()
    stop = cfg.get("stop") or StopFlag()
    done = 0
    try:
        for t0 in range(0, T, chunk):
            if stop.requested:
                break
            t1 = min(T, t0 + chunk)
            a = np.asarray(inst.linear_coefficients(t0, t1), dtype=np.float64)
            delta, vhat, alpha, beta1 = stepper.run(a, t0)
            walk = clamp_walk(theta, delta, lo, hi)          # theta_{t0+2} .. theta_{t1+1}
            seq = np.concatenate([theta[None], walk[:-1]])   # theta_{t0+1} .. theta_{t1}
            losses[t0:t1] = np.einsum("nrd,nrd->nr", a, seq)
            if rec is not None:
                rec.chunk(t0, a, seq, vhat, alpha, beta1)
            theta = walk[-1].copy()
            done = t1
            bar.set(t1)
    except KeyboardInterrupt:
        pass
    meta = {"D": _stats.D_META, "D_inf": _stats.D_INF_META} if rec is not None else {}
    return EngineOutput(losses, rec.out if rec is not None else {}, theta, done, meta)


class _Recorder:
    """The schema statistics for whole chunks of steps (see :mod:`.stats`)."""

    def __init__(self, T, R, d, has_v, has_b1):
        names = ["G", "G_inf", "D", "D_inf", "sum_g_norm"]
        if has_v:
            names += ["sum_sqrt_t_vhat", "sum_vhat_sqrt", "gamma_min_eig"]
            if has_b1:
                names.append("sum_b1t_vhat_over_alpha")
        # np.empty: every row reached is written; the simulator NaNs the rest
        self.out = {k: np.empty((T, R)) for k in names}
        self.has_v, self.has_b1 = has_v, has_b1
        self.G, self.Ginf = np.zeros(R), np.zeros(R)
        self.sq = np.zeros((R, d))
        self.lo = self.hi = None
        self.prev = np.zeros((R, d))
        self.b1sum = np.zeros(R)

    @staticmethod
    def _running(op, x, carry, out):
        """out = running op (maximum/minimum) of x along axis 0, started from carry."""
        op.accumulate(x, axis=0, out=out)
        op(out, carry, out=out)
        return out

    def chunk(self, t0, g, theta, vhat, alpha, beta1):
        n, R, d = g.shape
        o = self.out
        rows = slice(t0, t0 + n)
        if d == 1:
            ag = np.abs(g[:, :, 0])
            norms = ginf = ag
        else:
            norms = np.sqrt(np.einsum("nrd,nrd->nr", g, g))
            ginf = np.abs(g).max(axis=2)
        self.G = self._running(np.maximum, norms, self.G, o["G"][rows])[-1].copy()
        self.Ginf = self._running(np.maximum, ginf, self.Ginf, o["G_inf"][rows])[-1].copy()
        sq = np.cumsum(g * g, axis=0)
        sq += self.sq
        o["sum_g_norm"][rows] = np.sqrt(sq[:, :, 0]) if d == 1 else np.sqrt(sq).sum(axis=2)
        self.sq = sq[-1].copy()
        if self.lo is None:
            self.lo, self.hi = theta[0].copy(), theta[0].copy()
        lo = self._running(np.minimum, theta, self.lo, np.empty_like(theta))
        hi = self._running(np.maximum, theta, self.hi, np.empty_like(theta))
        spread = hi
        spread -= lo
        if d == 1:
            o["D_inf"][rows] = o["D"][rows] = spread[:, :, 0]
        else:
            o["D_inf"][rows] = spread.max(axis=2)
            o["D"][rows] = np.sqrt(np.einsum("nrd,nrd->nr", spread, spread))
        self.lo, self.hi = lo[-1].copy(), (spread[-1] + lo[-1])
        if not self.has_v or vhat is None:
            return
        root = np.sqrt(vhat)
        total = root[:, :, 0] if d == 1 else root.sum(axis=2)
        t = np.arange(t0 + 1, t0 + n + 1, dtype=np.float64)[:, None]
        o["sum_vhat_sqrt"][rows] = total
        o["sum_sqrt_t_vhat"][rows] = np.sqrt(t) * total
        scaled = root / alpha
        gam = np.empty_like(scaled)
        gam[0] = scaled[0] - self.prev
        np.subtract(scaled[1:], scaled[:-1], out=gam[1:])
        o["gamma_min_eig"][rows] = gam[:, :, 0] if d == 1 else gam.min(axis=2)
        self.prev = scaled[-1].copy()
        if self.has_b1:
            b1 = beta1 if beta1.ndim == 2 else beta1[None, :]     # (n, R) when scheduled
            inc = b1 * total / alpha[:, :, 0]
            cum = np.cumsum(inc, axis=0)
            cum += self.b1sum
            o["sum_b1t_vhat_over_alpha"][rows] = cum
            self.b1sum = cum[-1].copy()


__all__ = ["run_oblivious", "oblivious_support"]
