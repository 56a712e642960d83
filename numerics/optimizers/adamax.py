r"""AdaMax: Adam with the infinity norm in place of the second moment.

Kingma & Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015
(arXiv:1412.6980v9), Section 7.1 and Algorithm 2, with ``lr`` :math:`=\alpha`,
``betas`` :math:`=(\beta_1, \beta_2)`, ``eps`` :math:`=\epsilon`,
``weight_decay`` :math:`=\lambda`:

.. math::

    g_t &\leftarrow g_t + \lambda\theta_{t-1}
        \quad\text{(only when } \lambda > 0\text{; torch's coupled L2 term)}, \\
    m_t &= \beta_1 m_{t-1} + (1-\beta_1) g_t, \\
    u_t &= \max(\beta_2 u_{t-1}, |g_t|), \\
    \theta_t &= \theta_{t-1} - \frac{\alpha}{1-\beta_1^t}\,\frac{m_t}{u_t},

with :math:`m_0 = u_0 = 0`.  Algorithm 2 has no :math:`\epsilon` (and no
bias correction of u, which the max makes unnecessary); the paper's defaults
are :math:`\alpha = 0.002`, :math:`\beta_1 = 0.9`, :math:`\beta_2 = 0.999`.

``betas[0]`` may be a callable of t (e.g. :class:`~.schedules.Beta1Decay`);
the correction is then :math:`1 - \prod_{s\le t}\beta_{1,s}`, the exact
weight sum of the EMA (as ``beta1_correction="product"`` in :mod:`.adam`);
for a constant :math:`\beta_1` this is :math:`1-\beta_1^t`.

Conventions (where frameworks disagree), ``eps_mode``:

``"torch"``
    :math:`u_t = \max(\beta_2 u_{t-1}, |g_t| + \epsilon)` and the step
    :math:`\frac{\alpha}{1-\beta_1^t} m_t/u_t` -- torch.optim.Adamax, and
    also optax.adamax (optax's ``scale_by_adamax`` updates its infinity
    moment as :math:`\max(|g_t|+\epsilon, \beta_2 u_{t-1})` and divides by it).
``"outside"``
    :math:`u_t = \max(\beta_2 u_{t-1}, |g_t|)` and the step
    :math:`\frac{\alpha}{1-\beta_1^t} m_t/(u_t+\epsilon)` -- Keras
    (``keras.optimizers.Adamax``) and TensorFlow.

.. warning:: With :math:`\epsilon > 0` the two modes give different iterates:
   in ``"torch"`` mode :math:`\epsilon` is stored in :math:`u` and decays with
   it (:math:`u_t \ge \epsilon` always), in ``"outside"`` mode it is added
   afresh at every step.  Both reduce to Algorithm 2 with ``eps=0``.

Zero denominators (``eps=0`` only): where :math:`u_t = 0` and
:math:`m_t = 0` -- a coordinate whose whole gradient history is zero -- the
step is defined as **0** (the limit :math:`\epsilon \to 0^+` of both modes;
torch would produce NaN there).  Where :math:`u_t = 0` but
:math:`m_t \ne 0` (possible only with :math:`\beta_2 = 0` or after
:math:`u` underflows) the step is infinite and ``update`` raises ValueError.
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from ._core import Optimizer, bias_correction, coupled_decay, safe_div
from .hparams import LR, WEIGHT_DECAY, HParam, Scheduled
from .arith import elementwise
from ._registry import register
from .adam import ema_update     # Adam's moment recurrence, one definition


class AdamaxState(NamedTuple):
    step: int
    m: np.ndarray               # first moment m_t
    u: np.ndarray               # exponentially weighted infinity norm u_t
    log_beta1_prod: np.ndarray  # (R, 1): sum_s log beta1_s, floored at -1e4 (scheduled beta1)


def _log_scalar(beta: float) -> float:
    return math.log(beta) if beta > 0.0 else -math.inf


def _log(beta):
    """log(beta) per value (see :func:`~._core.elementwise`); log(0) = -inf."""
    return elementwise(_log_scalar, beta)


class Adamax(Optimizer):
    __doc__ = __doc__
    hparams = (
        LR,
        HParam("betas", "betas", r"(:math:`\beta_1`, :math:`\beta_2`); beta1 may be a "
               r"callable of t", schedulable=True),
        HParam("eps", "nonneg", r":math:`\epsilon`, placed per ``eps_mode``"),
        WEIGHT_DECAY,
        HParam("eps_mode", "choice", "'torch' (eps inside the max; torch and optax) or "
               "'outside' (m/(u+eps); Keras)", choices=("torch", "outside")),
    )
    defaults = dict(lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                    eps_mode="torch")
    State = AdamaxState

    def _check_hyper(self) -> None:
        if isinstance(self.hyper["betas"][1], Scheduled):
            raise TypeError(f"{self.name}: betas[1] (beta2) cannot be a callable; "
                            f"only beta1 may follow a schedule")

    def _init(self, p):
        z = np.zeros_like(p)
        return AdamaxState(0, z, z.copy(), np.zeros((p.shape[0], 1), p.dtype))

    def _beta1_correction(self, s, h, b1):
        """Return (1 - prod_s beta1_s, new log-product of beta1)."""
        if not isinstance(self.hyper["betas"][0], Scheduled):
            return bias_correction(b1, h.t), s.log_beta1_prod
        dtype = s.log_beta1_prod.dtype
        # beta1_s = 0 makes the product 0 (log -inf); keep the state finite with a
        # floor far below log(smallest subnormal), where expm1 is already -1.
        log_prod = np.maximum(np.asarray(s.log_beta1_prod + _log(b1), dtype=dtype),
                              dtype.type(-1e4))
        return -np.expm1(log_prod), log_prod

    def _step(self, g, p, s, h):
        lr, (b1, b2), eps = h["lr"], h["betas"], h["eps"]
        g = coupled_decay(g, p, h["weight_decay"])
        m = ema_update(s.m, b1, g)
        if self.hyper["eps_mode"] == "torch":
            u = np.maximum(b2 * s.u, np.abs(g) + eps)
            denom = u
        else:
            u = np.maximum(b2 * s.u, np.abs(g))
            denom = u + eps
        if np.any((denom == 0) & (m != 0)):
            raise ValueError(
                f"{self.name}: at step t={h.t} the infinity norm u_t is 0 where "
                f"m_t != 0 (eps=0 with beta2=0, or u_t underflowed), so m_t/u_t is "
                f"infinite; use eps > 0")
        direction = safe_div(m, denom)  # 0/0 := 0: an all-zero history does not move
        c1, log_prod = self._beta1_correction(s, h, b1)
        new_p = p - (lr / c1) * direction
        return new_p, AdamaxState(s.step + 1, m, u, log_prod)


register("adamax", Adamax,
         family="adamax",
         summary="AdaMax: Adam with an exponentially weighted infinity norm "
                 "(Kingma & Ba 2015, Sec. 7.1)",
         source="Kingma & Ba, ICLR 2015, arXiv:1412.6980v9, Section 7.1, Algorithm 2",
         frameworks={
             "torch": "torch.optim.Adamax: eps_mode='torch' (u = max(b2 u, |g| + eps), "
                      "step lr/(1-b1^t) m/u), weight_decay coupled (L2)",
             "optax": "optax.adamax: eps_mode='torch' as well (infinity moment "
                      "max(|g| + eps, b2 u), step m_hat/u); no weight decay",
             "keras": "keras.optimizers.Adamax: eps_mode='outside' (u = max(b2 u, |g|), "
                      "step lr/(1-b1^t) m/(u+eps)); Keras' default eps is 1e-7",
             "paper": "Algorithm 2: eps=0 (either mode)",
         })
