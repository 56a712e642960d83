r"""Sparse high-dimensional runs at O(nnz) per step, equal to the dense reference.

A sparse problem's gradient :math:`g_t` is nonzero on a few coordinates
(``support(t)``, k of the d).  The dense engine updates all d coordinates
every step; this one touches only the k, and brings every other coordinate
up to date *exactly* (not approximately) when it is next touched.  That is
the difference with torch's ``SparseAdam``, which skips the decay of
untouched moments and so runs a different algorithm.

**What an untouched coordinate does.**  Between its last update at step s
and its next touch at step t its gradient is 0 at the steps
:math:`u = s+1, \dots, t-1`.  For Adam (Kingma & Ba, Algorithm 1) with
constant :math:`\beta_1, \beta_2`, any learning-rate schedule
:math:`\alpha_u` (e.g. :math:`\alpha/\sqrt u`) and :math:`\epsilon \ge 0`:

.. math::

    m_u = \beta_1^{u-s} m_s, \qquad v_u = \beta_2^{u-s} v_s, \qquad
    \theta_{u+1} = \Pi_F\Bigl(\theta_u - \alpha_u\frac{\beta_1^{u-s}m_s/(1-\beta_1^u)}
    {\sqrt{\beta_2^{u-s}v_s/(1-\beta_2^u)} + \epsilon}\Bigr).

The moments catch up in closed form (one power each).  Every step of the
gap moves :math:`\theta` the same way (the sign of :math:`m_s`), so on a
box (any separable F) the projections of the gap compose into one:
:math:`\theta_t = \Pi_F(\theta_{s+1} - m_s S)`, clipping the monotone path
at its first exit and keeping it there.  The drift factor

.. math:: S = \sum_{u=s+1}^{t-1}\frac{\alpha_u\beta_1^{u-s}/(1-\beta_1^u)}
          {\sqrt{v_s}\,\beta_2^{(u-s)/2}/\sqrt{1-\beta_2^u} + \epsilon}

has no closed form when :math:`\epsilon > 0`; :mod:`.sparse_tables` evaluates
it in O(1) per coordinate (short gaps term by term, long ones from
block-wise Chebyshev moments of the poles, truncated where the remaining
terms are below :math:`2^{-62}` of the first).  Then the touched
coordinates take the optimizer's own update (the same code as the dense
engine), so consecutive touches agree with the dense reference bit for bit
and caught-up ones to rounding (:math:`\le 10^{-12}` relative, tested).

The same holds, with other sequences, for

* **AMSGrad** (all three ``amsgrad_mode``\ s): the running maximum cannot
  grow while a coordinate is untouched (its candidate decays), so the
  denominator is frozen and only :math:`m` drives the drift;
* ``eps_mode="efficient"`` (epsilon before the bias correction);
* a **scheduled** :math:`\beta_{1,t} = \beta_1\lambda^{t-1}` (Kingma & Ba,
  Theorem 4.1; :class:`~.optimizers.schedules.Beta1Decay`), either bias
  correction: then :math:`m_u = m_s e^{L_u - L_s}` with
  :math:`L_u = \sum_{r\le u}\log\beta_{1,r} = u\log\beta_1 +
  \tfrac{u(u-1)}2\log\lambda`, which is not a power of the gap u - s.  The
  moment catches up by that factor (the difference formed in extended
  precision), and the drift sums take :math:`L_u` into the numerator sequence
  and :math:`e^{-L_s}` as a per-s normalization
  (:class:`.sparse_tables.DriftTables`, ``ln``); once :math:`\beta_{1,r}`
  underflows to 0, :math:`\log 0` is replaced by :math:`-10^4` per step, which
  makes every product across it exactly 0, as in the step loop.  The
  exponents are rounded in float64, so a term's relative error is about
  :math:`|L_s|\,2^{-53}`, weighted by :math:`\beta_{1,s+1} \approx
  e^{-s|\log\lambda|}`: at most about :math:`0.3\cdot 2^{-53}/|\log\lambda|`
  of the drift (:math:`3\cdot10^{-14}` for :math:`\lambda = 0.999`);
* **AdaGrad**: an untouched coordinate does not move and its sum does not
  change -- nothing to catch up;
* **RMSprop** (not centered): :math:`v` decays by :math:`\rho` per step; with
  momentum :math:`\mu > 0` the buffer decays and drives a drift
  :math:`\sum_u \alpha_u\mu^{u-s}` without denominator;
* **SGD** (torch's form, with heavy-ball or Nesterov momentum): without momentum an
  untouched coordinate does not move; with it, the buffer decays by :math:`\mu` and
  drives the same drift as RMSprop's (times :math:`\mu` for Nesterov).

Which optimizer takes which catch-up is *declared* on its registry entry
(``lazy_sparse=True`` with ``family`` one of ``"adam"``, ``"adagrad"``,
``"rmsprop"``, ``"sgd"``; :mod:`.optimizers.capabilities`), and a scheduled
:math:`\beta_{1,t}` is recognised by what it declares
(:func:`.optimizers.schedules.declared`), never by its class.
The decays are the registry's recurrence with no new information
(:func:`.optimizers.adam.ema_weights`); the touched coordinates step through the
optimizer's own ``step_arrays``; and the closed form of the drift, a second statement of
the direction, is checked against the optimizer's own step on a probe game before every
run (:mod:`.probe`): if they differ, the engine declines.

**Where it is not possible (the dense engine is used instead):** any weight
decay (it makes every gradient dense: :math:`g + \lambda\theta`); Adam's
``eps_mode="inside"`` (:math:`\sqrt{\hat v+\epsilon}`: not implemented here,
the drift sums would need another expansion); a scheduled :math:`\beta_{1,t}` other than
:class:`~.optimizers.schedules.Beta1Decay` (an arbitrary callable could make
:math:`\beta_{1,r} = 0` and then positive again, which the closed form above does not
cover);
:math:`\beta_2 = 0` without AMSGrad, RMSprop with :math:`\rho = 0` and
centered RMSprop (their statistics do not decay uniformly); non-separable
domains (the L2 ball's projection couples all coordinates); and every optimizer
that does not declare ``lazy_sparse`` (NAdam, RAdam, Adamax, a user's own, ... --
possible in principle, not done).
"""
from __future__ import annotations

import math

import numpy as np

from ..optimizers import Resolved, adam, caps_of, schedule_of
from ..optimizers.schedules import declared
from .sparse_tables import DriftTables

SHORT_GAP = 8     # gaps up to this many steps are summed term by term


def sparse_support(prob, opt, projection, inst) -> bool | str:
    """True when the lazy engine applies, else the reason it does not."""
    if not getattr(prob, "sparse", False):
        return "the problem's gradients are not sparse (problem.sparse is False)"
    if not getattr(inst.domain, "separable", False):
        return f"the domain {type(inst.domain).__name__} is not separable"
    if not (hasattr(inst, "support") or hasattr(inst, "grad_sparse")):
        return "the instance has neither support(t) nor grad_sparse(t, theta)"
    return lazy_reason(opt)


def _zero(x) -> bool:
    return bool(np.all(np.asarray(x) == 0))


def _declares_beta1_decay(value) -> bool:
    fn = schedule_of(value)
    decl = declared(fn) if fn is not None else None
    return decl is not None and decl[0] == "beta1_decay"


def _adam_reason(h) -> bool | str:
    if not _zero(h["weight_decay"]):
        return "weight decay makes every gradient dense"
    if h["eps_mode"] not in ("outside", "efficient"):
        return f"Adam with eps_mode={h['eps_mode']!r} has no exact lazy catch-up here"
    b1 = h["betas"][0]
    if schedule_of(b1) is not None and not _declares_beta1_decay(b1):
        return ("a scheduled beta1 other than one declaring kind 'beta1_decay' (beta1 "
                "lambda^(t-1), e.g. Beta1Decay) is not supported by the lazy engine (see "
                "the module docs)")
    if not h["amsgrad"] and np.any(np.asarray(h["betas"][1]) == 0):
        return "beta2 = 0 without AMSGrad"
    return True


def _adagrad_reason(h) -> bool | str:
    return True if _zero(h["weight_decay"]) else "weight decay makes every gradient dense"


def _rmsprop_reason(h) -> bool | str:
    if not _zero(h["weight_decay"]):
        return "weight decay makes every gradient dense"
    if h["centered"]:
        return "centered RMSprop: v - gbar^2 does not decay uniformly"
    if np.any(np.asarray(h["alpha"]) == 0):
        return "RMSprop with alpha (rho) = 0"
    return True


def lazy_reason(opt) -> bool | str:
    """True when ``opt`` declares an exact lazy catch-up that its hyperparameters allow,
    else the reason it does not apply."""
    caps = caps_of(opt)
    if not caps.lazy_sparse:
        return (f"{opt.name!r} declares no exact lazy update (lazy_sparse=False on its "
                f"registry entry; Adam, AMSGrad, AdaGrad, RMSprop and SGD declare one)")
    return _REASONS[caps.family](opt.hyper)


def _per_run(x, R) -> np.ndarray:
    return np.broadcast_to(np.asarray(x, dtype=np.float64).reshape(-1), (R,)).copy()


def _sequence(opt, name, T, R) -> np.ndarray:
    """(R, T+1): the value of hyperparameter ``name`` at steps 1..T (column 0 unused)."""
    value = opt.hyper[name]
    out = np.empty((R, T + 1))
    out[:, 0] = np.nan
    fn = schedule_of(value)
    if fn is None:
        out[:, 1:] = _per_run(value, R)[:, None]
        return out
    decl = declared(fn)
    if decl is not None and decl[0] == "inverse_sqrt":
        out[:, 1:] = decl[1]["alpha"] / np.sqrt(np.arange(1, T + 1, dtype=np.float64))
        return out
    for t in range(1, T + 1):
        out[:, t] = _per_run(Resolved(opt, t, R, np.dtype(np.float64))[name], R)
    return out


def _one_minus_pow(b: np.ndarray, T: int) -> np.ndarray:
    """(R, T+1): 1 - b^u (1 where b = 0), as in optimizers.bias_correction."""
    u = np.arange(T + 1, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = -np.expm1(u[None, :] * np.log(b)[:, None])
    return np.where(b[:, None] == 0, 1.0, out)


class _Family:
    """How one optimizer family catches up; built per run set."""

    fields: tuple[str, ...] = ()
    decay: dict[str, np.ndarray] = {}
    driver: str | None = None     # the field whose value times the drift sum moves theta
    zfield: str | None = None     # the field whose square root is z
    specs: list[dict] | None = None  # the drift sequences, one per table (DriftTables)
    tid: np.ndarray | None = None  # table id per run (-1: no drift)
    L: np.ndarray | None = None    # scheduled beta1: L_u = sum_{r<=u} log beta1_r (longdouble)
    vinfo: dict | None = None
    vfield: str | None = None

    def state(self, opt, step, sub, glob):
        raise NotImplementedError

    def tables_for(self, a: int, b: int) -> DriftTables | None:
        """The drift tables of steps a..b (a < b), indexed from a: step u is entry u - a
        (None when nothing drifts).  The engine builds them one epoch at a time, so that
        their memory does not grow with T (:mod:`.sparse_engine`)."""
        if not self.specs:
            return None
        return DriftTables([_window(sp, a, b) for sp in self.specs], b - a)


def _window(spec: dict, a: int, b: int) -> dict:
    """The sequences of ``spec`` for steps a..b (entry 0: step a)."""
    out = dict(spec, la0=spec["la0"][a:b + 1], lb0=spec["lb0"][a:b + 1])
    if spec.get("ln") is not None:
        out["ln"] = spec["ln"][a:b + 1]
    return out


LOG_ZERO = -1.0e4   # stands for log 0: e^{-10^4} is 0.0 in float64, and stays finite


def _beta1_params(opt) -> tuple[float, float]:
    """(beta1, lambda) that the scheduled beta1 declares (kind 'beta1_decay')."""
    params = declared(schedule_of(opt.hyper["betas"][0]))[1]
    return params["beta1"], params["lam"]


def _beta1_logs(opt, T, R):
    r"""For a declared ``beta1_decay``: :math:`L_u = \sum_{r\le u}\log\beta_{1,r}` (u = 0..T) in
    closed form, :math:`u\log\beta_1 + \tfrac{u(u-1)}2\log\lambda`, in extended
    precision, with ``LOG_ZERO`` per step once :math:`\beta_{1,r}` underflows to 0 (so
    that every product over a gap that contains such a step is exactly 0).  Returns
    (L (T+1,) longdouble, b1 at t = 1)."""
    beta1, lam = _beta1_params(opt)
    u = np.arange(T + 1, dtype=np.longdouble)
    b1_u = beta1 * np.exp(np.arange(-1, T, dtype=np.float64) * math.log(lam))
    zero = np.flatnonzero(b1_u[1:] == 0.0)
    if beta1 == 0.0:
        L = LOG_ZERO * u
    else:
        L = u * np.longdouble(math.log(beta1)) + (u * (u - 1) / 2) * np.longdouble(
            math.log(lam))
        if zero.size:
            z = int(zero[0]) + 1                   # the first step with beta1_z = 0
            L[z:] = L[z - 1] + LOG_ZERO * (u[z:] - (z - 1))
    return L, beta1


def _adam_family(opt, T, R) -> _Family:
    h, fam = opt.hyper, _Family()
    sched = schedule_of(h["betas"][0]) is not None
    fam.L = None
    if sched:
        L, b1_first = _beta1_logs(opt, T, R)
        fam.L = L
        b1 = np.full(R, b1_first)         # only for the "power" correction and b1 = 0 tests
    else:
        b1 = _per_run(h["betas"][0], R)
    b2 = _per_run(h["betas"][1], R)
    eps = _per_run(h["eps"], R)
    lr = _sequence(opt, "lr", T, R)
    c1, c2 = _one_minus_pow(b1, T), _one_minus_pow(b2, T)
    if sched and h["beta1_correction"] == "product":     # 1 - prod_{r<=u} beta1_r
        c1 = np.broadcast_to(-np.expm1(fam.L.astype(np.float64)), (R, T + 1)).copy()
    c1[:, 0] = c2[:, 0] = 1.0           # column 0 (step 0) is never used
    ams, mode, eff = h["amsgrad"], h["amsgrad_mode"], h["eps_mode"] == "efficient"
    fam.fields = ("m", "v", "vmax") if ams else ("m", "v")
    # untouched coordinates: the registry's recurrence with no new information,
    # x_u = decay^(u-s) x_s (adam.ema_weights); a scheduled m: see fam.L
    d1, d2 = adam.ema_weights(b1)[0], adam.ema_weights(b2)[0]
    fam.decay = {"v": d2} if sched else {"m": d1, "v": d2}
    fam.driver, fam.zfield = "m", ("vmax" if ams else "v")
    with np.errstate(divide="ignore"):
        lc1, lc2 = np.log(c1), np.log(c2)
    specs, keys, tid = [], {}, np.full(R, -1, dtype=np.int64)
    for r in range(R):
        if b1[r] == 0:
            continue
        if ams and mode == "reddi":
            la0, lb0, gb = np.log(lr[r]), np.zeros(T + 1), 0.0
            if sched:
                la0 = la0 + fam.L.astype(np.float64)
        else:
            la0 = np.log(lr[r]) - lc1[r] + (0.5 * lc2[r] if eff else 0.0)
            if not ams:
                lb0, gb = (np.zeros(T + 1) if eff else -0.5 * lc2[r]), 0.5 * math.log(b2[r])
            elif mode == "torch":
                lb0, gb = (np.zeros(T + 1) if eff else -0.5 * lc2[r]), 0.0
            else:   # optax: vhat = vmax
                lb0, gb = (0.5 * lc2[r] if eff else np.zeros(T + 1)), 0.0
            if sched:
                la0 = la0 + fam.L.astype(np.float64)
        la0[0], lb0 = 0.0, np.array(lb0)
        lb0[0] = 0.0
        key = (b1[r], gb, eps[r], la0.tobytes(), lb0.tobytes())
        if key not in keys:
            keys[key] = len(specs)
            if sched:       # m_u = m_s e^{L_u - L_s}: the s-dependence goes into ln
                specs.append(dict(la0=la0, lb0=lb0, ga=0.0, gb=gb, eps=eps[r],
                                  ln=fam.L.astype(np.float64)))
            else:
                specs.append(dict(la0=la0, lb0=lb0, ga=math.log(b1[r]), gb=gb, eps=eps[r]))
        tid[r] = keys[key]
    fam.specs, fam.tid = specs, tid
    if not specs:                   # beta1 = 0 in every run: m_u = 0, nothing drifts
        fam.driver = None
    if not ams:
        fam.vfield, decay, scale = "v", b2, 1.0 / c2
    elif mode == "torch":
        fam.vfield, decay, scale = "vmax", np.ones(R), 1.0 / c2
    else:
        fam.vfield, decay, scale = "vmax", np.ones(R), np.ones((R, T + 1))
    beta1 = b1
    if sched:
        b1_base, lam = _beta1_params(opt)
        seq = b1_base * np.exp(np.arange(-1, T, dtype=np.float64) * math.log(lam))
        beta1 = np.broadcast_to(seq, (R, T + 1))
    fam.vinfo = dict(decay=decay, scale=scale, alpha=lr, beta1=beta1)

    def state(opt_, step, sub, glob):
        z = sub.get("vmax")
        if z is None:
            z = np.zeros_like(sub["m"])
        return opt_.State(step=step, m=sub["m"], v=sub["v"], vmax=z, log_beta1_prod=glob)
    fam.state = state
    return fam


def _adagrad_family(opt, T, R) -> _Family:
    h, fam = opt.hyper, _Family()
    fam.fields, fam.decay = ("sum",), {}
    lr = _sequence(opt, "lr", T, R)
    t = np.arange(T + 1, dtype=np.float64)
    t[0] = 1.0
    clr = lr / (1 + (t[None, :] - 1) * _per_run(h["lr_decay"], R)[:, None])
    fam.vfield = "sum"
    fam.vinfo = dict(decay=np.ones(R), scale=np.broadcast_to(1.0 / t, (R, T + 1)),
                     alpha=clr / np.sqrt(t), beta1=None)
    fam.state = lambda opt_, step, sub, glob: opt_.State(step=step, sum=sub["sum"])
    return fam


def _buffer_drift(mu, lr, T, R, *, nesterov: bool):
    r"""(drift sequences, table id per run) for a momentum buffer that decays by :math:`\mu`
    and moves an untouched coordinate by :math:`\alpha_u\mu^{u-s}` per step (times
    :math:`\mu` for Nesterov's look-ahead), without denominator (RMSprop's and SGD's
    momentum); runs with :math:`\mu = 0` get id -1 (no drift)."""
    specs, keys, tid = [], {}, np.full(R, -1, dtype=np.int64)
    for r in range(R):
        if mu[r] == 0:
            continue
        la0 = np.log(lr[r]) + (math.log(mu[r]) if nesterov else 0.0)
        la0[0] = 0.0
        key = (mu[r], la0.tobytes())
        if key not in keys:
            keys[key] = len(specs)
            specs.append(dict(la0=la0, lb0=np.zeros(T + 1), ga=math.log(mu[r]), gb=0.0,
                              eps=1.0))
        tid[r] = keys[key]
    return specs, tid


def _rmsprop_family(opt, T, R) -> _Family:
    h, fam = opt.hyper, _Family()
    rho, mu = _per_run(h["alpha"], R), _per_run(h["momentum"], R)
    lr = _sequence(opt, "lr", T, R)
    fam.fields = ("square_avg", "grad_avg", "momentum_buffer")
    fam.decay = {"square_avg": rho, "momentum_buffer": mu}
    if np.any(mu > 0):
        fam.driver = "momentum_buffer"
        fam.specs, fam.tid = _buffer_drift(mu, lr, T, R, nesterov=False)
    fam.vfield = "square_avg"
    fam.vinfo = dict(decay=rho, scale=np.ones((R, T + 1)), alpha=lr, beta1=None)
    fam.state = lambda opt_, step, sub, glob: opt_.State(
        step=step, square_avg=sub["square_avg"], grad_avg=sub["grad_avg"],
        momentum_buffer=sub["momentum_buffer"])
    return fam


def _sgd_family(opt, T, R) -> _Family:
    r"""SGD, heavy ball and Nesterov (torch's buffer form): an untouched coordinate's buffer
    decays, :math:`b_u = \mu^{u-s} b_s`, and moves it by :math:`\alpha_u b_u` (Nesterov:
    :math:`\alpha_u\mu b_u`); without momentum it does not move at all."""
    h, fam = opt.hyper, _Family()
    mu = _per_run(h["momentum"], R)
    lr = _sequence(opt, "lr", T, R)
    fam.fields, fam.decay = ("buf",), {"buf": mu}
    if np.any(mu > 0):
        fam.driver = "buf"
        fam.specs, fam.tid = _buffer_drift(mu, lr, T, R, nesterov=bool(h["nesterov"]))
    fam.vfield, fam.vinfo = None, None          # no second moment: no vhat statistics
    fam.state = lambda opt_, step, sub, glob: opt_.State(step=step, buf=sub["buf"])
    return fam


def _sgd_reason(h) -> bool | str:
    return True if _zero(h["weight_decay"]) else "weight decay makes every gradient dense"


_REASONS = {"adam": _adam_reason, "adagrad": _adagrad_reason, "rmsprop": _rmsprop_reason,
            "sgd": _sgd_reason}
CATCH_UPS = {"adam": _adam_family, "adagrad": _adagrad_family, "rmsprop": _rmsprop_family,
             "sgd": _sgd_family}


def lazy_family(opt, T, R) -> _Family:
    """How ``opt`` catches up (for its declared family), built for T steps and R runs;
    the engine loop is :func:`.sparse_engine.run_sparse`."""
    return CATCH_UPS[caps_of(opt).family](opt, T, R)


__all__ = ["CATCH_UPS", "LOG_ZERO", "SHORT_GAP", "lazy_family", "lazy_reason",
           "sparse_support"]
