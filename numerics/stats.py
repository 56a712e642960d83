r"""The statistics that regret bounds need, recorded step by step.

The names and shapes are the run-statistics schema shared with
:mod:`adamlab.theory.regret_bounds` (every data-dependent entry is (T, R), row
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
:math:`\alpha_t` the step size it is divided into (:func:`second_moment`):

========================  =======================================  =======================
optimizer                 :math:`\hat v_t`                          :math:`\alpha_t`
========================  =======================================  =======================
Adam, AdamW               :math:`v_t/(1-\beta_2^t)`                 ``lr`` at step t
AMSGrad ``torch``         :math:`v^{\max}_t/(1-\beta_2^t)`          ``lr`` at step t
AMSGrad ``optax/reddi``   :math:`v^{\max}_t` (its own running max)  ``lr`` at step t
NAdam, RAdam              :math:`v_t/(1-\beta_2^t)`                 ``lr`` at step t
AdaGrad                   :math:`G_t/t` (accumulator / t)           :math:`\eta_t/\sqrt t`
RMSprop                   ``square_avg`` (centered: minus           ``lr`` at step t
                          ``grad_avg``:sup:`2`)
Lookahead                 that of its inner optimizer
others                    none: the vhat statistics are absent
========================  =======================================  =======================

With AdaGrad's :math:`\alpha_t = \eta_t/\sqrt t` the step :math:`\alpha_t/
\hat v_t^{1/2} = \eta_t/\sqrt{G_t}` is the one AdaGrad takes.
"""
from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

from .optimizers import Optimizer
from .optimizers._core import Resolved, _Scheduled, bias_correction
from .optimizers.schedules import Beta1Decay, InverseSqrt

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


def _family(opt: Optimizer) -> str | None:
    from .optimizers import adagrad, adam, nadam, radam, rmsprop
    from .optimizers.lookahead import Lookahead
    if isinstance(opt, adam.Adam):
        return "adam"
    if isinstance(opt, (nadam.NAdam, radam.RAdam)):
        return "nadam"
    if isinstance(opt, adagrad.Adagrad):
        return "adagrad"
    if isinstance(opt, rmsprop.RMSprop):
        return "rmsprop"
    if isinstance(opt, Lookahead):
        return "lookahead"
    return None


def has_second_moment(opt: Optimizer) -> bool:
    """True when :func:`second_moment` is defined for ``opt``."""
    fam = _family(opt)
    return fam is not None and (fam != "lookahead" or has_second_moment(opt.inner))


def has_beta1(opt: Optimizer) -> bool:
    fam = _family(opt)
    if fam == "lookahead":
        return has_beta1(opt.inner)
    return fam in ("adam", "nadam")


def second_moment(opt: Optimizer, state, n_runs: int, dtype=np.float64) -> Moment | None:
    """:math:`(\\hat v_t, \\alpha_t, \\beta_{1,t})` after step ``t = state.step``, or None."""
    fam = _family(opt)
    if fam is None or state.step < 1:
        return None
    if fam == "lookahead":
        return second_moment(opt.inner, state.inner, n_runs, dtype)
    t = state.step
    h = Resolved(opt, t, n_runs, np.dtype(dtype))
    if fam == "adam":
        b1, b2 = h["betas"]
        if not opt.hyper["amsgrad"]:
            vhat = state.v / bias_correction(b2, t)
        elif opt.hyper["amsgrad_mode"] == "torch":
            vhat = state.vmax / bias_correction(b2, t)
        else:
            vhat = state.vmax
        return Moment(vhat, h["lr"], b1)
    if fam == "nadam":
        b1, b2 = h["betas"]
        return Moment(state.v / bias_correction(b2, t), h["lr"], b1)
    if fam == "adagrad":
        clr = h["lr"] / (1 + (t - 1) * h["lr_decay"])
        return Moment(state.sum / t, clr / math.sqrt(t), None)
    # rmsprop
    v = state.square_avg
    if opt.hyper["centered"]:
        v = np.maximum(v - state.grad_avg * state.grad_avg, 0)
    return Moment(v, h["lr"], None)


def constants_for(opt: Optimizer, domain, T: int, d: int, n_runs: int) -> dict[str, Any]:
    """The scalar constants of the schema: alpha, beta1, beta2, lam, eta, d, T, diameters."""
    out: dict[str, Any] = {"d": int(d), "T": int(T)}
    inner = opt.inner if _family(opt) == "lookahead" else opt
    hyper = inner.hyper
    lr = hyper.get("lr")
    if lr is not None:
        base = lr.fn if isinstance(lr, _Scheduled) else lr
        if isinstance(base, InverseSqrt):
            alpha = base.alpha
        elif callable(base):
            alpha = Resolved(inner, 1, n_runs, np.dtype(np.float64))["lr"]
        else:
            alpha = base
        out["alpha"] = _per_run(alpha)
        if _family(inner) in ("adagrad", None) or hyper.get("momentum") is not None:
            out["eta"] = _per_run(alpha)
    betas = hyper.get("betas")
    if betas is not None:
        b1, b2 = betas
        b1fn = b1.fn if isinstance(b1, _Scheduled) else b1
        if isinstance(b1fn, Beta1Decay):
            out["beta1"], out["lam"] = b1fn.beta1, b1fn.lam
        elif callable(b1fn):
            out["beta1"] = _per_run(Resolved(inner, 1, n_runs, np.dtype(np.float64))["betas"][0])
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
    kind = type(domain).__name__
    if kind == "Box":
        lo = np.broadcast_to(np.asarray(domain.lo, dtype=np.float64), A.shape[-1:])
        hi = np.broadcast_to(np.asarray(domain.hi, dtype=np.float64), A.shape[-1:])
        return np.minimum(A * lo, A * hi).sum(axis=-1)
    if kind in ("L2Ball", "LinfBall"):
        center = np.broadcast_to(np.asarray(getattr(domain, "center", 0.0), dtype=np.float64),
                                 A.shape[-1:])
        norm = np.linalg.norm(A, axis=-1) if kind == "L2Ball" else np.abs(A).sum(axis=-1)
        return (A * center).sum(axis=-1) - float(domain.radius) * norm
    return None


__all__ = ["DenseRecorder", "Moment", "second_moment", "has_second_moment", "has_beta1",
           "constants_for", "linear_prefix_minimum", "D_META", "D_INF_META"]
