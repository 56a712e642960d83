r"""RMSprop and centered RMSprop, in torch.optim.RMSprop's form.

Hinton, "Neural Networks for Machine Learning", Coursera 2012, lecture 6e
("rmsprop: divide the gradient by a running average of its recent
magnitude"): :math:`\mathrm{MeanSquare}(w,t) = 0.9\,\mathrm{MeanSquare}(w,t-1)
+ 0.1\,(\partial E/\partial w)^2`, and the gradient is divided by
:math:`\sqrt{\mathrm{MeanSquare}(w,t)}`.  The centered variant divides by an
estimate of the standard deviation instead: Graves, "Generating Sequences
With Recurrent Neural Networks", arXiv:1308.0850 (v5), §4, the rmsprop
equations (38) ff.:
:math:`n_i \leftarrow \aleph n_i + (1-\aleph)\varepsilon_i^2`,
:math:`g_i \leftarrow \aleph g_i + (1-\aleph)\varepsilon_i`,
:math:`\Delta_i \leftarrow \beth\Delta_i - \gimel\,\varepsilon_i /
\sqrt{n_i - g_i^2 + k}`, :math:`w_i \leftarrow w_i + \Delta_i`.

With ``lr`` :math:`=\alpha_t`, ``alpha`` :math:`=\rho`, ``eps``
:math:`=\epsilon`, ``momentum`` :math:`=\mu`, ``weight_decay`` :math:`=\lambda`:

.. math::

    \tilde g_t &= g_t + \lambda\theta_{t-1}, \qquad
    v_t = \rho v_{t-1} + (1-\rho)\tilde g_t^2, \\
    s_t &= \begin{cases} v_t - \bar g_t^2, \quad
               \bar g_t = \rho\bar g_{t-1} + (1-\rho)\tilde g_t
               & \text{centered} \\
           v_t & \text{otherwise,} \end{cases} \\
    D_t &= \sqrt{s_t} + \epsilon \ \ (\text{eps\_mode}=\text{outside}), \qquad
    D_t = \sqrt{s_t + \epsilon} \ \ (\text{inside}), \\
    b_t &= \mu b_{t-1} + \tilde g_t / D_t, \qquad
    \theta_t = \theta_{t-1} - \alpha_t b_t

(with :math:`\mu = 0` this is :math:`\theta_t = \theta_{t-1} - \alpha_t \tilde
g_t/D_t`), from :math:`v_0 = \bar g_0 = b_0 = 0`.  Hinton's slide is
``alpha=0.9``, ``eps=0``, ``momentum=0``; Graves's is ``centered=True``,
``eps_mode="inside"``, ``alpha=0.95``, ``momentum=0.9``, ``lr=1e-4``,
``eps=1e-4`` (he puts the learning rate inside the momentum buffer, which
is the same for a constant learning rate).

Conventions (where frameworks disagree):

torch.optim.RMSprop
    ``eps_mode="outside"``, defaults ``alpha=0.99``, ``eps=1e-8``, momentum
    buffer without the learning rate.  Identical to ours.
optax.rmsprop(learning_rate, decay=0.9, eps=1e-8, eps_in_sqrt=True, ...)
    ``decay`` is our ``alpha`` (default 0.9, not 0.99); ``eps_in_sqrt=True``
    (the default) is ``eps_mode="inside"``, ``False`` is ``"outside"``.  optax
    applies ``trace(momentum)`` *after* scaling by the learning rate, so its
    buffer holds :math:`\alpha_t\tilde g/D` (same iterates for a constant
    learning rate).  optax's ``initial_scale`` (:math:`v_0 \ne 0`),
    ``nesterov`` and ``bias_correction`` have no counterpart here (use their
    defaults 0 / False / False).
Keras 3 (``keras.optimizers.RMSprop``)
    ``eps_mode="inside"`` (also when centered), defaults ``rho=0.9``,
    ``epsilon=1e-7``, ``learning_rate=1e-3``; learning rate inside the
    momentum buffer as in optax; weight decay decoupled.

.. warning:: torch's ``eps`` is outside the square root, optax's and Keras's
   (by default) inside: with the same number the iterates differ, strongly so
   while :math:`v_t` is of the order of :math:`\epsilon` (e.g. the first steps
   from small gradients).  The default ``alpha`` also differs (0.99 vs 0.9).

Numerical guards.  Centered: :math:`v_t - \bar g_t^2 \ge 0` holds exactly (by
Cauchy--Schwarz on the EMA weights), but rounding can make it slightly
negative when the gradients barely vary; we use :math:`\max(s_t, 0)` where torch
would take the square root of a negative number (NaN).  With ``eps=0`` a zero
gradient over a zero denominator gives no step (:math:`0/0 := 0`); a non-zero
one (e.g. centered with ``alpha=0``, where :math:`s_t = 0`) is not hidden:
``update`` raises ValueError.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._core import Optimizer, coupled_decay, safe_div
from .hparams import LR, WEIGHT_DECAY, HParam
from ._registry import register


class RMSpropState(NamedTuple):
    step: int
    square_avg: np.ndarray   # v_t
    grad_avg: np.ndarray     # \bar g_t (zeros unless centered)
    momentum_buffer: np.ndarray   # b_t (zeros unless momentum > 0)


class RMSprop(Optimizer):
    __doc__ = __doc__
    hparams = (
        LR,
        HParam("alpha", "unit", r"smoothing constant :math:`\rho` of the EMA of "
               r":math:`g^2` (optax ``decay``, Keras ``rho``)"),
        HParam("eps", "nonneg", r":math:`\epsilon`, placed per ``eps_mode``"),
        WEIGHT_DECAY,
        HParam("momentum", "unit", r"momentum :math:`\mu` of the buffer of "
               r"normalised gradients"),
        HParam("centered", "bool", "divide by the estimated standard deviation "
               "(Graves 2013)"),
        HParam("eps_mode", "choice", r"``'outside'``: :math:`\sqrt{s}+\epsilon` (torch); "
               r"``'inside'``: :math:`\sqrt{s+\epsilon}` (optax, Keras)",
               choices=("outside", "inside")),
    )
    defaults = dict(lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
                    centered=False, eps_mode="outside")
    State = RMSpropState

    def _init(self, p):
        z = np.zeros_like(p)
        return RMSpropState(0, z, z.copy(), z.copy())

    def _step(self, g, p, s, h):
        lr, rho, eps, mu = h["lr"], h["alpha"], h["eps"], h["momentum"]
        g = coupled_decay(g, p, h["weight_decay"])
        v = rho * s.square_avg + (1 - rho) * (g * g)
        grad_avg = s.grad_avg
        if self.hyper["centered"]:
            grad_avg = rho * s.grad_avg + (1 - rho) * g
            spread = np.maximum(v - grad_avg * grad_avg, 0)
        else:
            spread = v
        if self.hyper["eps_mode"] == "outside":
            denom = np.sqrt(spread) + eps
        else:
            denom = np.sqrt(spread + eps)
        ratio = safe_div(g, denom)
        if isinstance(mu, float) and mu == 0.0:
            return p - lr * ratio, RMSpropState(s.step + 1, v, grad_avg, s.momentum_buffer)
        buf = mu * s.momentum_buffer + ratio   # runs with mu = 0 get buf = ratio
        return p - lr * buf, RMSpropState(s.step + 1, v, grad_avg, buf)


register("rmsprop", RMSprop,
         family="rmsprop", lazy_sparse=True, oblivious_scan=True, vhat="rmsprop",
         summary="RMSprop: gradient divided by the root of an EMA of its square "
                 "(Hinton 2012); centered variant of Graves (2013)",
         source="Hinton, Coursera 'Neural Networks for Machine Learning', lecture 6e "
                "(2012); centered: Graves, arXiv:1308.0850v5, §4, eqs. (38) ff.",
         frameworks={
             "torch": "torch.optim.RMSprop(lr, alpha, eps, weight_decay, momentum, "
                      "centered): eps_mode='outside', identical",
             "optax": "optax.rmsprop(learning_rate, decay=alpha (default 0.9), eps, "
                      "eps_in_sqrt=True -> eps_mode='inside' / False -> 'outside', "
                      "centered, momentum): same iterates for constant lr (optax puts lr "
                      "inside the momentum trace); initial_scale=0, nesterov=False, "
                      "bias_correction=False only",
             "keras": "keras.optimizers.RMSprop (Keras 3): eps_mode='inside', alpha=rho "
                      "(default 0.9), eps=1e-7; lr inside the momentum buffer; weight "
                      "decay decoupled (not available here)",
             "paper": "Hinton lecture 6e: alpha=0.9, eps=0, momentum=0; Graves (2013): "
                      "centered=True, eps_mode='inside', alpha=0.95, momentum=0.9, "
                      "lr=1e-4, eps=1e-4",
         })
