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
by cumulative sums and maxima.  Supported: Adam, AMSGrad (all modes), AdamW
without decay, AdaGrad, RMSprop (centered, momentum), SGD (momentum,
Nesterov), with any learning-rate schedule and, for the Adam family, a
scheduled :math:`\beta_{1,t}` (e.g. Kingma & Ba's :math:`\beta_1\lambda^{t-1}`,
Theorem 4.1): then :math:`m_t = \beta_{1,t}m_{t-1} + (1-\beta_{1,t})g_t` is a
linear recursion with a time-varying coefficient, scanned by
:func:`.oblivious_scan.ema_tv`, and the bias correction
:math:`1-\prod_{s\le t}\beta_{1,s}` (``beta1_correction="product"``) comes from
a running sum of :math:`\log\beta_{1,s}`, as in the step loop.  On a box, an
L-infinity ball or no constraint.  Otherwise the dense engine runs.
"""
from __future__ import annotations

import math

import numpy as np

from . import stats as _stats
from .oblivious_scan import clamp_walk, ema, ema_tv
from .optimizers import adagrad as _adagrad, adam as _adam, rmsprop as _rmsprop, sgd as _sgd
from .optimizers._core import Resolved, _Scheduled, safe_div


_CHUNK_ELEMENTS = 1 << 20     # numbers per array per chunk (steps x runs x d)


def oblivious_support(prob, opt, projection, inst) -> bool | str:
    """True when the loop-free engine applies, else the reason it does not."""
    if not (getattr(prob, "oblivious", False) and getattr(prob, "linear", False)) or \
            getattr(prob, "adaptive", False):
        return "the losses are not oblivious linear functions of theta"
    if not hasattr(inst, "linear_coefficients"):
        return "the instance has no linear_coefficients(t0, t1)"
    if type(inst.domain).__name__ not in ("Box", "LinfBall", "Unconstrained"):
        return (f"projection onto {type(inst.domain).__name__} couples the coordinates "
                f"(only boxes are walked without a loop)")
    h = opt.hyper
    if not isinstance(opt, (_adam.Adam, _adagrad.Adagrad, _rmsprop.RMSprop, _sgd.SGD)):
        return f"no loop-free form for {opt.name!r} (Adam family, AdaGrad, RMSprop, SGD)"
    if not np.all(np.asarray(h["weight_decay"]) == 0):
        return "weight decay makes the gradient depend on theta"
    return True


def _per_run(x, R):
    return np.broadcast_to(np.asarray(x, dtype=np.float64).reshape(-1), (R,)).copy()


def _col(x):
    return x if not isinstance(x, np.ndarray) else x.reshape(1, -1, 1)


def _lr(opt, name, t0, n, R) -> np.ndarray:
    """(n, R, 1): the schedule ``name`` at steps t0+1..t0+n."""
    value = opt.hyper[name]
    if not isinstance(value, _Scheduled):
        return np.broadcast_to(_per_run(value, R)[None, :, None], (n, R, 1))
    fn = value.fn
    if type(fn).__name__ == "InverseSqrt":
        t = np.arange(t0 + 1, t0 + n + 1, dtype=np.float64)
        return np.broadcast_to((fn.alpha / np.sqrt(t))[:, None, None], (n, R, 1))
    out = np.empty((n, R, 1))
    for j in range(n):
        out[j, :, 0] = _per_run(Resolved(opt, t0 + 1 + j, R, np.dtype(np.float64))[name], R)
    return out


def _beta1_seq(opt, t0, n, R) -> np.ndarray:
    r"""(n, R): a scheduled :math:`\beta_{1,t}` at steps t0+1..t0+n.

    :class:`~.optimizers.schedules.Beta1Decay` vectorized (:math:`\beta_1
    e^{(t-1)\log\lambda}`, as its ``__call__``); any other callable step by step
    through the optimizer's own validation.
    """
    fn = opt.hyper["betas"][0].fn
    if type(fn).__name__ == "Beta1Decay":
        t = np.arange(t0, t0 + n, dtype=np.float64)          # t - 1
        return np.broadcast_to((fn.beta1 * np.exp(t * math.log(fn.lam)))[:, None], (n, R))
    out = np.empty((n, R))
    for j in range(n):
        out[j] = _per_run(Resolved(opt, t0 + 1 + j, R, np.dtype(np.float64))["betas"][0], R)
    return out


def _one_minus_pow(b: np.ndarray, t0: int, n: int) -> np.ndarray:
    r"""(n, R, 1): 1 - b^t = -expm1(t log b) for t = t0+1..t0+n (1 where b = 0).

    Once :math:`t\log b < -40`, :math:`b^t < 2^{-57}` and the result is exactly 1.0
    (as with ``math.expm1``), so only the first steps are computed.
    """
    R = b.shape[0]
    out = np.ones((n, R, 1))
    with np.errstate(divide="ignore"):
        logs = np.log(b)
    for r in range(R):
        if b[r] == 0:
            continue
        last = n if logs[r] == 0 else int(min(n, max(0, math.ceil(40 / -logs[r]) + 1 - t0)))
        if last > 0:
            t = np.arange(t0 + 1, t0 + last + 1, dtype=np.float64)
            out[:last, r, 0] = -np.expm1(t * logs[r])
    return out


def _divide(num, den, eps):
    """num / den, with 0/0 := 0 (safe_div) unless eps > 0 makes every den positive."""
    if np.all(np.asarray(eps) > 0):
        return num / den
    return safe_div(num, den)


class _Stepper:
    """Carries an optimizer's state across chunks; ``run(g, t0)`` returns the steps."""

    def __init__(self, opt, theta0):
        self.opt, self.R = opt, theta0.shape[0]
        self.state = opt.init(theta0)

    def run(self, g, t0):
        """(delta (n,R,d), vhat (n,R,d) or None, alpha (n,R,1) or None, beta1 or None)."""
        opt, R, n, s = self.opt, self.R, g.shape[0], self.state
        h = opt.hyper
        lr = _lr(opt, "lr", t0, n, R)
        if isinstance(opt, _adam.Adam):
            b2 = _per_run(h["betas"][1], R)
            eps = _col(h["eps"]) if isinstance(h["eps"], np.ndarray) else h["eps"]
            log_prod = s.log_beta1_prod
            if isinstance(h["betas"][0], _Scheduled):
                b1 = _beta1_seq(opt, t0, n, R)                 # (n, R)
                m = ema_tv((1 - b1)[:, :, None] * g, b1, s.m)
                with np.errstate(divide="ignore"):
                    logs = np.log(b1)                          # log 0 = -inf, as the loop
                logs = np.concatenate([s.log_beta1_prod.reshape(1, R), logs])
                cum = np.cumsum(logs, axis=0)[1:]              # sequential, as the loop
                log_prod = cum[-1].reshape(R, 1).copy()
                if h["beta1_correction"] == "product":
                    c1 = -np.expm1(cum)[:, :, None]
                else:                                         # 1 - beta_{1,1}^t
                    c1 = _one_minus_pow(_beta1_seq(opt, 0, 1, R)[0].copy(), t0, n)
            else:
                b1 = _per_run(h["betas"][0], R)
                m = ema((1 - b1)[None, :, None] * g, b1, s.m)
                c1 = _one_minus_pow(b1, t0, n)
            v = ema((1 - b2)[None, :, None] * g * g, b2, s.v)
            c2 = _one_minus_pow(b2, t0, n)
            vmax = s.vmax
            if not h["amsgrad"]:
                v_hat = v / c2
                vm = vmax
            else:
                mode = h["amsgrad_mode"]
                cand = v / c2 if mode == "optax" else v
                acc = np.maximum.accumulate(np.concatenate([vmax[None], cand]), axis=0)[1:]
                vm = acc[-1]
                v_hat = acc / c2 if mode == "torch" else acc
                if mode == "reddi":
                    c1 = c2 = np.ones((n, 1, 1))
            mode = h["eps_mode"]
            if mode == "outside":
                direction = _divide(m / c1, np.sqrt(v_hat) + eps, eps)
            elif mode == "efficient":
                direction = (np.sqrt(c2) / c1) * _divide(m, np.sqrt(v_hat * c2) + eps, eps)
            else:
                direction = _divide(m / c1, np.sqrt(v_hat + eps), eps)
            self.state = s._replace(step=s.step + n, m=m[-1], v=v[-1], vmax=vm,
                                    log_beta1_prod=log_prod)
            return lr * direction, v_hat, lr, b1
        if isinstance(opt, _adagrad.Adagrad):
            acc = np.cumsum(np.concatenate([s.sum[None], g * g]), axis=0)[1:]
            t = np.arange(t0 + 1, t0 + n + 1, dtype=np.float64)[:, None, None]
            clr = lr / (1 + (t - 1) * _col(h["lr_decay"]))
            eps = _col(h["eps"])
            if h["eps_mode"] == "outside":
                ratio = safe_div(g, np.sqrt(acc) + eps)
            else:
                with np.errstate(divide="ignore", invalid="ignore"):
                    ratio = np.where(acc > 0, g / np.sqrt(acc + eps), 0.0)
            self.state = s._replace(step=s.step + n, sum=acc[-1])
            return clr * ratio, acc / t, clr / np.sqrt(t), None
        if isinstance(opt, _rmsprop.RMSprop):
            rho = _per_run(h["alpha"], R)
            v = ema((1 - rho)[None, :, None] * (g * g), rho, s.square_avg)
            ga = s.grad_avg
            if h["centered"]:
                gbar = ema((1 - rho)[None, :, None] * g, rho, s.grad_avg)
                spread = np.maximum(v - gbar * gbar, 0)
                ga = gbar[-1]
            else:
                spread = v
            eps = _col(h["eps"])
            denom = np.sqrt(spread) + eps if h["eps_mode"] == "outside" else \
                np.sqrt(spread + eps)
            ratio = safe_div(g, denom)
            mu = h["momentum"]
            buf = s.momentum_buffer
            if isinstance(mu, float) and mu == 0.0:
                step = ratio
            else:
                seq = ema(ratio, _per_run(mu, R), s.momentum_buffer)
                step, buf = seq, seq[-1]
            self.state = s._replace(step=s.step + n, square_avg=v[-1], grad_avg=ga,
                                    momentum_buffer=buf)
            return lr * step, spread, lr, None
        # SGD
        mu, damp = h["momentum"], h["dampening"]
        if isinstance(mu, float) and mu == 0.0:
            self.state = s._replace(step=s.step + n)
            return lr * g, None, None, None
        mu_r = _per_run(mu, R)
        x = (1 - _col(damp)) * g
        if s.step == 0:
            buf = np.empty_like(g)
            buf[0] = g[0]
            if n > 1:
                buf[1:] = ema(x[1:], mu_r, g[0])
        else:
            buf = ema(x, mu_r, s.buf)
        if h["nesterov"]:
            direction = g + _col(mu) * buf
        else:
            direction = np.where(mu_r[None, :, None] == 0, g, buf)
        self.state = s._replace(step=s.step + n, buf=buf[-1])
        return lr * direction, None, None, None


def run_oblivious(inst, opt, theta0: np.ndarray, T: int, cfg: dict, bar):
    from .simulate import EngineOutput, StopFlag
    R, d = theta0.shape
    domain = inst.domain
    kind = type(domain).__name__
    lo, hi = (-np.inf, np.inf) if kind == "Unconstrained" else (domain.lo, domain.hi)
    chunk = max(1, min(T, _CHUNK_ELEMENTS // (R * d)))
    stepper = _Stepper(opt, theta0)
    rec = _Recorder(T, R, d, _stats.has_second_moment(opt), isinstance(opt, _adam.Adam)) \
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
