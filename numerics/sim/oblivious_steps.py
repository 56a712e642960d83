r"""The steps of the loop-free engine: each declared family's moments and steps over a
whole chunk of time at once (see :mod:`.oblivious` for the method).

One function per family that declares ``oblivious_scan``
(:data:`SCANS`), each computing, for gradients ``g`` of shape (n, R, d) at the
steps t0+1..t0+n, the steps :math:`\delta_t` with the same floating-point
operations as the optimizer's update (moments by :func:`.oblivious_scan.ema`),
the second moment :math:`\hat v_t` and :math:`\alpha_t` of the statistics, and
:math:`\beta_{1,t}`.  The optimizer's state is carried across chunks by
:class:`Stepper`.
"""
from __future__ import annotations

import math

import numpy as np

from .oblivious_scan import ema, ema_tv
from ..optimizers import Resolved, adam, adopt, caps_of, safe_div, schedule_of
from ..optimizers.arith import FLOAT
from ..optimizers.schedules import declared


def _per_run(x, R):
    return np.broadcast_to(np.asarray(x, dtype=np.float64).reshape(-1), (R,)).copy()


def _col(x):
    return x if not isinstance(x, np.ndarray) else x.reshape(1, -1, 1)


def _lr(opt, name, t0, n, R) -> np.ndarray:
    """(n, R, 1): the schedule ``name`` at steps t0+1..t0+n."""
    value = opt.hyper[name]
    fn = schedule_of(value)
    if fn is None:
        return np.broadcast_to(_per_run(value, R)[None, :, None], (n, R, 1))
    decl = declared(fn)
    if decl is not None and decl[0] == "inverse_sqrt":
        t = np.arange(t0 + 1, t0 + n + 1, dtype=np.float64)
        return np.broadcast_to((decl[1]["alpha"] / np.sqrt(t))[:, None, None], (n, R, 1))
    out = np.empty((n, R, 1))
    for j in range(n):
        out[j, :, 0] = _per_run(Resolved(opt, t0 + 1 + j, R, np.dtype(np.float64))[name], R)
    return out


def _beta1_seq(opt, t0, n, R) -> np.ndarray:
    r"""(n, R): a scheduled :math:`\beta_{1,t}` at steps t0+1..t0+n.

    A schedule that declares kind ``"beta1_decay"`` (e.g.
    :class:`~.optimizers.schedules.Beta1Decay`) vectorized (:math:`\beta_1
    e^{(t-1)\log\lambda}`, as its ``__call__``); any other callable step by step
    through the optimizer's own validation.
    """
    decl = declared(schedule_of(opt.hyper["betas"][0]))
    if decl is not None and decl[0] == "beta1_decay":
        b1, lam = decl[1]["beta1"], decl[1]["lam"]
        t = np.arange(t0, t0 + n, dtype=np.float64)          # t - 1
        return np.broadcast_to((b1 * np.exp(t * math.log(lam)))[:, None], (n, R))
    out = np.empty((n, R))
    for j in range(n):
        out[j] = _per_run(Resolved(opt, t0 + 1 + j, R, np.dtype(np.float64))["betas"][0], R)
    return out


def hyper_sequence(opt, path: str, t0: int, n: int, R: int) -> np.ndarray:
    """(n, R): the (scheduled) hyperparameter at ``path`` (``"lr"``, ``"betas[0]"``, ...)
    at steps t0+1..t0+n: a declared schedule vectorized, any other one step by step."""
    if path == "betas[0]":
        return np.ascontiguousarray(_beta1_seq(opt, t0, n, R), dtype=np.float64)
    if "[" not in path:
        return np.ascontiguousarray(_lr(opt, path, t0, n, R)[:, :, 0], dtype=np.float64)
    base, _, rest = path.partition("[")
    index = int(rest.rstrip("]"))
    out = np.empty((n, R))
    for j in range(n):
        out[j] = _per_run(Resolved(opt, t0 + 1 + j, R, np.dtype(np.float64))[base][index], R)
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


def _scan_adam(stepper, g, t0):
    """Adam, AMSGrad, AdamW (declared family 'adam')."""
    opt, R, n, s = stepper.opt, stepper.R, g.shape[0], stepper.state
    h = opt.hyper
    lr = _lr(opt, "lr", t0, n, R)
    b2 = _per_run(h["betas"][1], R)
    eps = _col(h["eps"]) if isinstance(h["eps"], np.ndarray) else h["eps"]
    log_prod = s.log_beta1_prod
    if schedule_of(h["betas"][0]) is not None:
        b1 = _beta1_seq(opt, t0, n, R)                 # (n, R)
        decay1 = adam.ema_weights(b1)[0]
        m = ema_tv(adam.ema_input(b1[:, :, None], g), decay1, s.m)
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
        m = ema(adam.ema_input(b1[None, :, None], g), adam.ema_weights(b1)[0], s.m)
        c1 = _one_minus_pow(b1, t0, n)
    # the registry's moment recurrence (adam.ema_weights), scanned over the chunk
    v = ema(adam.ema_input(b2[None, :, None], g, g), adam.ema_weights(b2)[0], s.v)
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
    # the optimizer's own direction (one definition), on whole (n, R, d) arrays
    direction = adam.adam_direction(m, v_hat, c1, c2, eps, h["eps_mode"], FLOAT)
    stepper.state = s._replace(step=s.step + n, m=m[-1], v=v[-1], vmax=vm,
                               log_beta1_prod=log_prod)
    return lr * direction, v_hat, lr, b1


def _scan_adagrad(stepper, g, t0):
    """AdaGrad (declared family 'adagrad')."""
    opt, R, n, s = stepper.opt, stepper.R, g.shape[0], stepper.state
    h = opt.hyper
    lr = _lr(opt, "lr", t0, n, R)
    acc = np.cumsum(np.concatenate([s.sum[None], g * g]), axis=0)[1:]
    t = np.arange(t0 + 1, t0 + n + 1, dtype=np.float64)[:, None, None]
    clr = lr / (1 + (t - 1) * _col(h["lr_decay"]))
    eps = _col(h["eps"])
    if h["eps_mode"] == "outside":
        ratio = safe_div(g, np.sqrt(acc) + eps)
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(acc > 0, g / np.sqrt(acc + eps), 0.0)
    stepper.state = s._replace(step=s.step + n, sum=acc[-1])
    return clr * ratio, acc / t, clr / np.sqrt(t), None


def _scan_rmsprop(stepper, g, t0):
    """RMSprop (declared family 'rmsprop')."""
    opt, R, n, s = stepper.opt, stepper.R, g.shape[0], stepper.state
    h = opt.hyper
    lr = _lr(opt, "lr", t0, n, R)
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
    stepper.state = s._replace(step=s.step + n, square_avg=v[-1], grad_avg=ga,
                               momentum_buffer=buf)
    return lr * step, spread, lr, None


def _scan_sgd(stepper, g, t0):
    """SGD with momentum / Nesterov (declared family 'sgd')."""
    opt, R, n, s = stepper.opt, stepper.R, g.shape[0], stepper.state
    h = opt.hyper
    lr = _lr(opt, "lr", t0, n, R)
    mu, damp = h["momentum"], h["dampening"]
    if isinstance(mu, float) and mu == 0.0:
        stepper.state = s._replace(step=s.step + n)
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
    stepper.state = s._replace(step=s.step + n, buf=buf[-1])
    return lr * direction, None, None, None


def _scan_adopt(stepper, g, t0):
    """ADOPT (declared family 'adopt'): the first call only sets v_0 = g_0^2; then the
    optimizer's own normalization (:func:`.optimizers.adopt.normalized`, clip included)
    of g_t by v_(t-1), and the moments by the registry's recurrence."""
    opt, R, n, s = stepper.opt, stepper.R, g.shape[0], stepper.state
    h = opt.hyper
    lr = _lr(opt, "lr", t0, n, R)
    b1, b2 = (_per_run(b, R) for b in h["betas"])
    eps = _col(h["eps"]) if isinstance(h["eps"], np.ndarray) else h["eps"]
    delta = np.zeros_like(g)
    first = 1 if s.step == 0 else 0                   # the initializing call (t = 1)
    v0 = g[0] * g[0] if first else s.v
    m, v = s.m, v0
    if n > first:
        rows = g[first:]
        vs = ema(adam.ema_input(b2[None, :, None], rows, rows), adam.ema_weights(b2)[0], v0)
        v_prev = np.concatenate([v0[None], vs[:-1]])  # v_(t-1) for t = t0+1+first..t0+n
        k = np.arange(t0 + first, t0 + n, dtype=np.int64).reshape(-1, 1, 1)   # s = t - 1
        with np.errstate(divide="ignore", invalid="ignore"):
            normed = adopt.normalized(rows, v_prev, eps, k, h["clip"], FLOAT, opt.name)
        ms = ema(adam.ema_input(b1[None, :, None], normed), adam.ema_weights(b1)[0], s.m)
        delta[first:] = lr[first:] * ms
        m, v = ms[-1], vs[-1]
    stepper.state = s._replace(step=s.step + n, m=m, v=v)
    return delta, None, None, None


class Stepper:
    """Carries an optimizer's state across chunks; ``run(g, t0)`` returns the steps."""

    def __init__(self, opt, theta0):
        self.opt, self.R = opt, theta0.shape[0]
        self.state = opt.init(theta0)
        self._scan = SCANS[caps_of(opt).family]

    def run(self, g, t0):
        """(delta (n,R,d), vhat (n,R,d) or None, alpha (n,R,1) or None, beta1 or None)."""
        return self._scan(self, g, t0)


SCANS = {"adam": _scan_adam, "adagrad": _scan_adagrad, "rmsprop": _scan_rmsprop,
         "sgd": _scan_sgd, "adopt": _scan_adopt}
"""The scan of each family (:data:`.optimizers.capabilities.SCAN_FAMILIES`)."""


__all__ = ["SCANS", "Stepper", "hyper_sequence"]
