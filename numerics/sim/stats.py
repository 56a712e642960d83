r"""The statistics that regret bounds need, recorded step by step.

The names and shapes are the run-statistics schema shared with
:mod:`adamlab.theory.regret.bounds` (every data-dependent entry is (T, R), row
t-1 = value after step t):

* ``G``, ``G_inf`` -- :math:`\max_{s\le t}\lVert g_s\rVert_2`, :math:`\max_{s\le t}
  \lVert g_s\rVert_\infty`;
* ``D``, ``D_inf`` -- the spread of the iterates :math:`\theta_1..\theta_t`.
  ``D_inf`` is exact: :math:`\max_{s,s'}\lVert\theta_s-\theta_{s'}\rVert_\infty =
  \max_i(\max_s\theta_{s,i} - \min_s\theta_{s,i})`.  ``D`` is the diagonal
  :math:`\lVert(\max_s\theta_{s,i}-\min_s\theta_{s,i})_i\rVert_2` of the
  iterates' bounding box: an upper bound of the pairwise maximum, equal to it
  for d = 1 (the exact pairwise maximum costs O(t d) per step);
* ``sum_g_norm`` -- :math:`\sum_i\lVert g_{1:t,i}\rVert_2`;
* ``sum_vhat_sqrt`` -- :math:`\sum_i\hat v_{t,i}^{1/2}` and ``sum_sqrt_t_vhat``
  :math:`= \sum_i\sqrt{t\,\hat v_{t,i}} = \sqrt t\,\sum_i\hat v_{t,i}^{1/2}`;
* ``sum_b1t_vhat_over_alpha`` -- :math:`\sum_{s\le t}\beta_{1,s}\sum_i
  \hat v_{s,i}^{1/2}/\alpha_s` (Reddi et al., Theorem 4, middle term);
* ``gamma_min_eig`` -- :math:`\min_i\Gamma_{t,i}`, :math:`\Gamma_{t,i} =
  \hat v_{t,i}^{1/2}/\alpha_t - \hat v_{t-1,i}^{1/2}/\alpha_{t-1}` with
  :math:`\hat v_0/\alpha_0 := 0` (Reddi et al., §3: :math:`\Gamma_t \succeq 0` is
  what Adam's published proof needed).

:math:`\hat v` is the optimizer's own second-moment estimate and
:math:`\alpha_t` the step size it is divided into (:func:`second_moment`), as
*declared* on its registry entry (``vhat``, ``beta1`` and ``wraps`` of
:class:`~.optimizers.capabilities.Capabilities`; never detected by type):

* ``vhat="adam"`` (adam, adamw, amsgrad): :math:`\hat v_t = v_t/(1-\beta_2^t)`;
  AMSGrad ``torch``: :math:`v^{\max}_t/(1-\beta_2^t)`; AMSGrad ``optax``/``reddi``:
  :math:`v^{\max}_t` (its own running max); :math:`\alpha_t` = ``lr`` at step t;
* ``vhat="v_corrected"`` (nadam, radam): :math:`v_t/(1-\beta_2^t)`, ``lr`` at step t;
* ``vhat="adagrad"`` (adagrad): :math:`G_t/t` (accumulator / t),
  :math:`\alpha_t = \eta_t/\sqrt t`;
* ``vhat="rmsprop"`` (rmsprop): ``square_avg`` (centered: minus ``grad_avg``:sup:`2`),
  ``lr`` at step t;
* a callable ``vhat(opt, state, h)`` (a user's optimizer): the ``(vhat, alpha)`` it
  returns;
* ``wraps=True`` (lookahead): those of its inner optimizer;
* nothing declared (all others): the vhat statistics are absent.

:math:`\beta_{1,t}` (for ``sum_b1t_vhat_over_alpha``) is the hyperparameter the
entry declares as ``beta1`` (``"betas[0]"`` for the Adam family, NAdam, RAdam).

With AdaGrad's :math:`\alpha_t = \eta_t/\sqrt t` the step :math:`\alpha_t/
\hat v_t^{1/2} = \eta_t/\sqrt{G_t}` is the one AdaGrad takes.
"""
from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

from ..optimizers import Optimizer, Resolved, bias_correction, caps_of, schedule_of
from ..optimizers.capabilities import beta1_hparam
from ..optimizers.schedules import declared

SCHEMA_ALWAYS = ("t", "regret", "G", "G_inf", "D", "D_inf", "sum_g_norm")
SCHEMA_VHAT = ("sum_sqrt_t_vhat", "sum_vhat_sqrt", "gamma_min_eig")
SCHEMA_B1 = ("sum_b1t_vhat_over_alpha",)

D_META = ("bounding-box diagonal of the iterates theta_1..theta_t: an upper bound of "
          "max_{s,s'} ||theta_s - theta_s'||_2, exact for d = 1")
D_INF_META = "exact: max_i (max_s theta_{s,i} - min_s theta_{s,i})"


class Moment(NamedTuple):
    """What :func:`second_moment` returns for one step."""

    vhat: np.ndarray            # (R, d)
    alpha: Any                  # float or (R, 1)
    beta1: Any                  # float, (R, 1), or None (no first moment)


def _unwrap(opt: Optimizer, state=None):
    """(optimizer, state) whose statistics are ``opt``'s: through declared wrappers."""
    while caps_of(opt).wraps:
        opt, state = opt.inner, (None if state is None else state.inner)
    return opt, state


def has_second_moment(opt: Optimizer) -> bool:
    """True when :func:`second_moment` is defined for ``opt`` (it declares ``vhat``)."""
    return caps_of(_unwrap(opt)[0]).vhat is not None


def has_beta1(opt: Optimizer) -> bool:
    """True when ``opt`` declares a first-moment coefficient ``beta1``."""
    return caps_of(_unwrap(opt)[0]).beta1 is not None


def _beta1_at(h: Resolved, path: str | None):
    if path is None:
        return None
    name, index = beta1_hparam(path)
    value = h[name]
    return value if index is None else value[index]


# each in h's own arithmetic (h.arith), so that a traced step records it too
def _vhat_adam(opt, state, h):
    b2, t = h["betas"][1], h.t
    if not opt.hyper["amsgrad"]:
        return state.v / bias_correction(b2, t, h.arith), h["lr"]
    if opt.hyper["amsgrad_mode"] == "torch":
        return state.vmax / bias_correction(b2, t, h.arith), h["lr"]
    return state.vmax, h["lr"]


def _vhat_corrected(opt, state, h):
    return state.v / bias_correction(h["betas"][1], h.t, h.arith), h["lr"]


def _vhat_adagrad(opt, state, h):
    t = h.t
    clr = h["lr"] / (1 + (t - 1) * h["lr_decay"])
    return state.sum / t, clr / h.arith.scalar_sqrt(t)


def _vhat_rmsprop(opt, state, h):
    v = state.square_avg
    if opt.hyper["centered"]:
        v = h.arith.maximum(v - state.grad_avg * state.grad_avg, 0)
    return v, h["lr"]


VHAT = {"adam": _vhat_adam, "v_corrected": _vhat_corrected, "adagrad": _vhat_adagrad,
        "rmsprop": _vhat_rmsprop}
"""The second moments by declared kind (:data:`.optimizers.capabilities.VHAT_KINDS`)."""


def second_moment(opt: Optimizer, state, n_runs: int, dtype=np.float64) -> Moment | None:
    r""":math:`(\hat v_t, \alpha_t, \beta_{1,t})` after step ``t = state.step``, or None
    when ``opt`` declares no ``vhat`` (or before the first step)."""
    opt, state = _unwrap(opt, state)
    caps = caps_of(opt)
    if caps.vhat is None or state.step < 1:
        return None
    return moment_at(opt, state, Resolved(opt, state.step, n_runs, np.dtype(dtype)))


def moment_at(opt: Optimizer, state, h) -> Moment:
    r""":math:`(\hat v_t, \alpha_t, \beta_{1,t})` of ``state`` at the step ``h`` (a
    :class:`~.optimizers.Resolved`, or a traced step: :mod:`.optimizers.trace`), for an
    ``opt`` that declares ``vhat`` (not through a wrapper)."""
    caps = caps_of(opt)
    fn = caps.vhat if callable(caps.vhat) else VHAT[caps.vhat]
    vhat, alpha = fn(opt, state, h)
    return Moment(vhat, alpha, _beta1_at(h, caps.beta1))


def constants_for(opt: Optimizer, domain, T: int, d: int, n_runs: int) -> dict[str, Any]:
    """The scalar constants of the schema: alpha, beta1, beta2, lam, eta, d, T, diameters,
    and the kind of the step-size schedule (``alpha_schedule``, ``eta_schedule``)."""
    out: dict[str, Any] = {"d": int(d), "T": int(T)}
    inner = _unwrap(opt)[0]
    hyper = inner.hyper
    lr = hyper.get("lr")
    if lr is not None:
        fn = schedule_of(lr)
        decl = declared(fn) if fn is not None else None
        if decl is not None and decl[0] == "inverse_sqrt":
            alpha = decl[1]["alpha"]
        elif fn is not None:
            alpha = Resolved(inner, 1, n_runs, np.dtype(np.float64))["lr"]
        else:
            alpha = lr
        out["alpha"] = _per_run(alpha)
        # the schedule's kind, as the optimizer's lr declares it (never guessed):
        # "inverse_sqrt" (alpha_t = alpha/sqrt(t)), "constant", or absent for another one
        kind = "constant" if fn is None else \
            ("inverse_sqrt" if decl is not None and decl[0] == "inverse_sqrt" else None)
        if kind is not None:
            out["alpha_schedule"] = kind
        # eta: the step size of the bounds that call it so (AdaGrad, OGD): every
        # optimizer but those whose declared second moment is Adam's
        if caps_of(inner).vhat not in ("adam", "v_corrected") or \
                hyper.get("momentum") is not None:
            out["eta"] = _per_run(alpha)
            if kind is not None:
                out["eta_schedule"] = kind
    betas = hyper.get("betas")
    if betas is not None:
        b1, b2 = betas
        fn = schedule_of(b1)
        decl = declared(fn) if fn is not None else None
        if decl is not None and decl[0] == "beta1_decay":
            out["beta1"], out["lam"] = decl[1]["beta1"], decl[1]["lam"]
        elif fn is not None:
            first = Resolved(inner, 1, n_runs, np.dtype(np.float64))["betas"][0]
            out["beta1"] = _per_run(first)
        else:
            out["beta1"] = _per_run(b1)
        out["beta2"] = _per_run(b2)
    for key, attr in (("D_domain", "diameter_2"), ("D_inf_domain", "diameter_inf")):
        value = getattr(domain, attr, math.inf)
        if value is not None and math.isfinite(float(value)):
            out[key] = float(value)
    return out


def _per_run(value):
    if isinstance(value, np.ndarray):
        return value.reshape(-1).astype(np.float64)
    return float(value)


class DenseRecorder:
    """Accumulates the schema statistics step by step for dense (R, d) arrays."""

    def __init__(self, T: int, n_runs: int, d: int, *, vhat: bool, beta1: bool):
        shape = (T, n_runs)
        nan = np.full(shape, np.nan)
        self.out = {name: nan.copy() for name in ("G", "G_inf", "D", "D_inf", "sum_g_norm")}
        self.vhat, self.beta1 = vhat, beta1
        if vhat:
            for name in SCHEMA_VHAT:
                self.out[name] = nan.copy()
            if beta1:
                self.out["sum_b1t_vhat_over_alpha"] = nan.copy()
        self._G = np.zeros(n_runs)
        self._Ginf = np.zeros(n_runs)
        self._sq = np.zeros((n_runs, d))
        self._lo = self._hi = None
        self._prev = np.zeros((n_runs, d))   # sqrt(vhat_{t-1}) / alpha_{t-1}
        self._b1sum = np.zeros(n_runs)

    def grads(self, t: int, g: np.ndarray, theta: np.ndarray) -> None:
        """Record the gradient g_t (R, d) and the iterate theta_t it was taken at."""
        i = t - 1
        np.maximum(self._G, np.sqrt(np.einsum("ij,ij->i", g, g)), out=self._G)
        np.maximum(self._Ginf, np.abs(g).max(axis=1), out=self._Ginf)
        self.out["G"][i], self.out["G_inf"][i] = self._G, self._Ginf
        self._sq += g * g
        self.out["sum_g_norm"][i] = np.sqrt(self._sq).sum(axis=1)
        if self._lo is None:
            self._lo, self._hi = theta.astype(np.float64), theta.astype(np.float64)
        else:
            np.minimum(self._lo, theta, out=self._lo)
            np.maximum(self._hi, theta, out=self._hi)
        spread = self._hi - self._lo
        self.out["D_inf"][i] = spread.max(axis=1)
        self.out["D"][i] = np.sqrt(np.einsum("ij,ij->i", spread, spread))

    def moment(self, t: int, mom: Moment | None) -> None:
        """Record the optimizer's second moment after step t."""
        if not self.vhat or mom is None:
            return
        i = t - 1
        root = np.sqrt(np.asarray(mom.vhat, dtype=np.float64))
        total = root.sum(axis=1)
        self.out["sum_vhat_sqrt"][i] = total
        self.out["sum_sqrt_t_vhat"][i] = math.sqrt(t) * total
        alpha = _col(mom.alpha)
        scaled = root / alpha
        self.out["gamma_min_eig"][i] = (scaled - self._prev).min(axis=1)
        self._prev = scaled
        if self.beta1:
            self._b1sum += (_col(mom.beta1) * total[:, None] / alpha)[:, 0]
            self.out["sum_b1t_vhat_over_alpha"][i] = self._b1sum


def _col(x):
    """A float or (R, 1) array as an array broadcastable to (R, 1)."""
    return np.asarray(x, dtype=np.float64).reshape(-1, 1)


def linear_prefix_minimum(domain, A: np.ndarray) -> np.ndarray | None:
    r""":math:`\min_{x\in F}\langle A, x\rangle` for (..., d) arrays A, in closed form.

    The support function of the box :math:`\sum_i\min(lo_i A_i, hi_i A_i)`, of
    the L2 ball :math:`\langle c, A\rangle - r\lVert A\rVert_2`, of the
    L-infinity ball :math:`\langle c, A\rangle - r\lVert A\rVert_1`; None for
    other domains (no closed form known here).
    """
    kind = getattr(domain, "name", None)      # the domain's declared kind
    if kind == "box":
        lo = np.broadcast_to(np.asarray(domain.lo, dtype=np.float64), A.shape[-1:])
        hi = np.broadcast_to(np.asarray(domain.hi, dtype=np.float64), A.shape[-1:])
        return np.minimum(A * lo, A * hi).sum(axis=-1)
    if kind in ("l2_ball", "linf_ball"):
        center = np.broadcast_to(np.asarray(getattr(domain, "center", 0.0), dtype=np.float64),
                                 A.shape[-1:])
        norm = np.linalg.norm(A, axis=-1) if kind == "l2_ball" else np.abs(A).sum(axis=-1)
        return (A * center).sum(axis=-1) - float(domain.radius) * norm
    return None


__all__ = ["DenseRecorder", "Moment", "VHAT", "moment_at", "second_moment", "has_second_moment",
           "has_beta1",
           "constants_for", "linear_prefix_minimum", "D_META", "D_INF_META"]
