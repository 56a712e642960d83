r"""AdaBound and AMSBound: Adam/AMSGrad with a clipped, converging step size.

Luo, Xiong, Liu & Sun, "Adaptive Gradient Methods with Dynamic Bound of
Learning Rate", ICLR 2019 (arXiv:1902.09843), Algorithm 2 (AdaBound) and
Algorithm 3 (AMSBound).  Argument names: ``lr`` :math:`=\alpha`,
``betas`` :math:`=(\beta_1, \beta_2)`, ``final_lr`` :math:`=\alpha^*` (the
SGD step size both bounds converge to), ``gamma`` :math:`=\gamma` (speed of
the bounds), ``eps`` :math:`=\epsilon`, ``weight_decay`` :math:`=\lambda`.
With ``amsbound=True`` the second moment is replaced by its running maximum
:math:`\hat v_t = \max(\hat v_{t-1}, v_t)` (Algorithm 3); otherwise
:math:`\hat v_t = v_t`.  Both forms share

.. math::

    g_t &\leftarrow g_t + \lambda\theta_{t-1}, \qquad
    m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t, \qquad
    v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2, \\
    \eta_l(t) &= \alpha^*\Bigl(1 - \frac{1}{\gamma t + 1}\Bigr)
              = \alpha^* \frac{\gamma t}{\gamma t + 1}, \qquad
    \eta_u(t) = \alpha^*\Bigl(1 + \frac{1}{\gamma t}\Bigr).

``form="code"`` (default) -- the authors' released implementation
(github.com/Luolc/AdaBound, ``adabound/adabound.py``, class ``AdaBound``):

.. math::

    \eta_t = \operatorname{clip}\Bigl(
        \frac{\alpha\sqrt{1-\beta_2^t}}{(1-\beta_1^t)(\sqrt{\hat v_t}+\epsilon)},
        \; \eta_l(t),\ \eta_u(t)\Bigr), \qquad
    \theta_t = \theta_{t-1} - \eta_t \odot m_t .

The bias corrections sit *inside* the clipped quantity (which multiplies
the raw :math:`m_t`), and :math:`\epsilon` is added before the correction of
:math:`v_t` (Adam's "efficient" placement).  In the code ``final_lr`` is
multiplied by ``lr / base_lr`` so that an external learning-rate scheduler
also moves the bounds; ``base_lr`` is the lr at construction.  Here a constant
(or per-run) ``lr`` gives the factor 1; with a schedule :math:`\alpha_t` we
take ``base_lr`` :math:`=\alpha_1`, the schedule's value at the first step,
so :math:`\alpha^*_t = \alpha^*\alpha_t/\alpha_1`.  (A torch scheduler whose
first factor is not 1 differs from this by that constant factor; pass
``final_lr`` accordingly.)

``form="paper"`` -- Algorithm 2/3 as printed (no bias correction, a
:math:`1/\sqrt t` decay, the projection :math:`\Pi_{\mathcal F,
\operatorname{diag}(\eta_t^{-1})}` omitted because the domain here is
unconstrained, :math:`\mathcal F = \mathbb R^d`):

.. math::

    \hat\eta_t = \operatorname{clip}\Bigl(\frac{\alpha_t}{\sqrt{\hat v_t}+\epsilon},
        \eta_l(t), \eta_u(t)\Bigr), \qquad
    \eta_t = \hat\eta_t/\sqrt t, \qquad
    \theta_t = \theta_{t-1} - \eta_t \odot m_t .

What the paper leaves open, and what we chose:

* The printed algorithm has no :math:`\epsilon`; ``eps=0`` reproduces it
  exactly (safe: :math:`\alpha/\sqrt 0 = \infty` is clipped to the finite
  :math:`\eta_u(t)`, and :math:`m_t = 0` wherever :math:`v_t = 0`).  With
  ``eps > 0`` it is added as in the code.
* The algorithm only asks for a non-decreasing lower and a non-increasing
  upper bound function converging to :math:`\alpha^*` (§4, Theorem 4).  The
  paper's concrete choice (§4, used in its experiments) is
  :math:`\eta_l(t) = 0.1 - 0.1/((1-\beta_2)t + 1)` and
  :math:`\eta_u(t) = 0.1 + 0.1/((1-\beta_2)t)`, i.e. the code's functions with
  :math:`\alpha^* = 0.1` and :math:`\gamma = 1-\beta_2`.  We use the code's
  functions in both forms; the defaults ``final_lr=0.1``, ``gamma=1e-3`` with
  ``betas[1]=0.999`` are exactly the paper's choice.  The bounds are *not*
  rescaled by the lr schedule in the paper form (the paper has no such rule).
* :math:`\beta_{1t}` may follow a schedule (Theorem 4 assumes
  :math:`\beta_{1t} = \beta_1\lambda^{t-1}`, see :mod:`.schedules`).  The code
  form then corrects :math:`m_t` by :math:`1-\prod_{s\le t}\beta_{1,s}`, the
  exact weight sum of the EMA.
* ``weight_decay`` is the code's coupled L2 term in both forms (the paper has
  none).  The code's ``AdaBoundW`` (decoupled, :math:`\theta \leftarrow
  \theta - \lambda\theta_{t-1}` with no lr factor) is not provided.

.. warning:: The code computes :math:`\eta_l` as ``1 - 1/(gamma*t + 1)``; we
   use the equal :math:`\gamma t/(\gamma t + 1)`, which avoids the
   cancellation for small :math:`\gamma t` (same value, fewer rounding
   errors).  The code rejects ``gamma >= 1`` and divides by zero at
   ``gamma = 0``; here any ``gamma > 0`` is accepted.  The code accepts
   ``final_lr = 0`` (the parameters then never move); here ``final_lr > 0``.
   For ``amsbound`` the code takes the maximum of the raw :math:`v_t` (before
   bias correction), as torch's AMSGrad does; so do we.
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from ._core import Optimizer, bias_correction, coupled_decay
from .hparams import LR, WEIGHT_DECAY, HParam, Scheduled, check_numeric
from .arith import elementwise
from ._registry import register
from .adam import ema_update     # Adam's moment recurrence, one definition


class AdaBoundState(NamedTuple):
    step: int
    m: np.ndarray               # first moment m_t (no bias correction)
    v: np.ndarray               # second moment v_t (no bias correction)
    vmax: np.ndarray            # running max of v (AMSBound); zeros otherwise
    log_beta1_prod: np.ndarray  # (R, 1): sum_s log beta1_s (for scheduled beta1)


def _sqrt(x):
    """sqrt that keeps python floats python floats (so float32 stays float32)."""
    return math.sqrt(x) if isinstance(x, float) else np.sqrt(x)


def _log(b: float) -> float:
    return math.log(b) if b > 0.0 else -math.inf


def bounds(final_lr, gamma, t: int):
    r"""Return :math:`(\eta_l(t), \eta_u(t))` for bound ``final_lr`` and speed ``gamma``."""
    gt = gamma * t
    return final_lr * (gt / (gt + 1.0)), final_lr * (1.0 + 1.0 / gt)


class AdaBound(Optimizer):
    __doc__ = __doc__
    hparams = (
        LR,
        HParam("betas", "betas", r"(:math:`\beta_1`, :math:`\beta_2`); beta1 may be a "
               r"callable of t", schedulable=True),
        HParam("final_lr", "positive", r"the SGD step size :math:`\alpha^*` both bounds "
               r"converge to"),
        HParam("gamma", "positive", r"convergence speed :math:`\gamma` of the bounds"),
        HParam("eps", "nonneg", r":math:`\epsilon`, added to :math:`\sqrt{v_t}`"),
        WEIGHT_DECAY,
        HParam("amsbound", "bool", "use the running maximum of v (AMSBound, Alg. 3)"),
        HParam("form", "choice", "'code' (released implementation) or 'paper' "
               "(Algorithm 2 as printed)", choices=("code", "paper")),
    )
    defaults = dict(lr=1e-3, betas=(0.9, 0.999), final_lr=0.1, gamma=1e-3, eps=1e-8,
                    weight_decay=0.0, amsbound=False, form="code")
    State = AdaBoundState

    def _check_hyper(self) -> None:
        if isinstance(self.hyper["betas"][1], Scheduled):
            raise TypeError(f"{self.name}: betas[1] (beta2) cannot be a callable; "
                            f"only beta1 may follow a schedule")

    def _init(self, p):
        z = np.zeros_like(p)
        return AdaBoundState(0, z, z.copy(), z.copy(), np.zeros((p.shape[0], 1), p.dtype))

    def _first_lr(self, dtype):
        """lr at t = 1: the code's ``base_lr`` when lr is a schedule."""
        value = check_numeric(self.name, "lr(t=1)", "positive", self.hyper["lr"].fn(1))
        return value.astype(dtype) if isinstance(value, np.ndarray) else value

    def _step(self, g, p, s, h):
        lr, (b1, b2), eps = h["lr"], h["betas"], h["eps"]
        final_lr, gamma, t = h["final_lr"], h["gamma"], h.t
        g = coupled_decay(g, p, h["weight_decay"])
        m = ema_update(s.m, b1, g)
        v = ema_update(s.v, b2, g, g)
        vmax = np.maximum(s.vmax, v) if self.hyper["amsbound"] else s.vmax
        v_used = vmax if self.hyper["amsbound"] else v
        log_prod = s.log_beta1_prod
        beta1_scheduled = isinstance(self.hyper["betas"][0], Scheduled)
        if beta1_scheduled:
            log_prod = (log_prod + elementwise(_log, b1)).astype(p.dtype)

        if self.hyper["form"] == "paper":
            lower, upper = bounds(final_lr, gamma, t)
            eta_hat = np.clip(lr / (np.sqrt(v_used) + eps), lower, upper)
            new_p = p - (eta_hat / math.sqrt(t)) * m
        else:
            c1 = (-elementwise(math.expm1, log_prod) if beta1_scheduled
                  else bias_correction(b1, t))
            step_size = lr * _sqrt(bias_correction(b2, t)) / c1
            if isinstance(self.hyper["lr"], Scheduled):
                final_lr = final_lr * (lr / self._first_lr(p.dtype))
            lower, upper = bounds(final_lr, gamma, t)
            rate = np.clip(step_size / (np.sqrt(v_used) + eps), lower, upper)
            new_p = p - rate * m
        return new_p, AdaBoundState(s.step + 1, m, v, vmax, log_prod)


_FRAMEWORKS = {
    "reference": "not in torch.optim; the authors' PyTorch package "
             "(github.com/Luolc/AdaBound, adabound/adabound.py, class AdaBound; pip "
             "'adabound') = form='code' (L2 weight_decay; AdaBoundW there is the "
             "decoupled variant, not provided here)",
    "optax": "no optax implementation",
    "paper": "Luo et al. Algorithm 2 / 3 as printed: form='paper' with eps=0",
}
register("adabound", AdaBound,
         family="adabound",
         summary="AdaBound: Adam with a step size clipped to bounds converging to an SGD "
                 "rate (Luo et al. 2019)",
         source="Luo, Xiong, Liu & Sun, ICLR 2019, arXiv:1902.09843, Algorithm 2 "
                "(Algorithm 3 with amsbound=True)",
         frameworks=_FRAMEWORKS)
