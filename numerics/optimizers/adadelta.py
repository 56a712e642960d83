r"""AdaDelta, in torch.optim.Adadelta's form.

Zeiler, "ADADELTA: An Adaptive Learning Rate Method", arXiv:1212.5701 (2012),
Algorithm 1, with :math:`\mathrm{RMS}[y]_t = \sqrt{E[y^2]_t + \epsilon}`
(eq. 9).  With ``lr`` :math:`=\alpha_t`, ``rho`` :math:`=\rho`, ``eps``
:math:`=\epsilon`, ``weight_decay`` :math:`=\lambda`, :math:`v = E[g^2]`,
:math:`u = E[\Delta x^2]`, :math:`v_0 = u_0 = 0`:

.. math::

    \tilde g_t &= g_t + \lambda\theta_{t-1}, \\
    v_t &= \rho v_{t-1} + (1-\rho)\tilde g_t^2
        && \text{(Alg. 1, line 4)} \\
    \Delta_t &= \frac{\sqrt{u_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}}\,\tilde g_t
        && \text{(line 5, } \Delta x_t = -\Delta_t) \\
    u_t &= \rho u_{t-1} + (1-\rho)\Delta_t^2
        && \text{(line 6)} \\
    \theta_t &= \theta_{t-1} - \alpha_t \Delta_t
        && \text{(line 7 for } \alpha_t = 1).

Zeiler's algorithm has no learning rate (``lr=1``, the default here and in
torch); his experiments use :math:`\rho = 0.95`, :math:`\epsilon = 10^{-6}`.

Conventions (where frameworks disagree):

torch.optim.Adadelta
    Exactly the above, defaults ``lr=1.0``, ``rho=0.9``, ``eps=1e-6``,
    coupled ``weight_decay``.
optax.adadelta(learning_rate, rho=0.9, eps=1e-6, weight_decay=0.0)
    The same: ``add_decayed_weights`` (coupled) then ``scale_by_adadelta``
    then the learning rate.  optax has no default learning rate; pass 1.0 for
    Zeiler's method.
Keras 3 (``keras.optimizers.Adadelta``)
    The same recursion, but defaults ``learning_rate=1e-3``, ``rho=0.95``,
    ``epsilon=1e-7``, and decoupled weight decay.

.. warning:: In all three frameworks ``lr`` scales the step but *not* the
   accumulated :math:`u` (which stores the unscaled :math:`\Delta_t`); with
   ``lr != 1`` the units argument of Zeiler's §3.2 no longer holds, and Keras's
   default ``learning_rate=1e-3`` makes it a thousand times slower than
   torch's or Zeiler's.  The default ``rho`` differs too (0.9 vs 0.95).

``eps`` may be 0 (torch allows it), but then :math:`u` stays 0 and the method
never moves; the resulting :math:`0/0` where also :math:`v_t = 0` is defined as
0 (no step) instead of torch's NaN.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._core import Optimizer, coupled_decay, safe_div
from .hparams import LR, WEIGHT_DECAY, HParam
from ._registry import register


class AdadeltaState(NamedTuple):
    step: int
    square_avg: np.ndarray   # v_t = E[g^2]_t
    acc_delta: np.ndarray    # u_t = E[Delta x^2]_t


class Adadelta(Optimizer):
    __doc__ = __doc__
    hparams = (
        LR,
        HParam("rho", "unit", r"decay rate :math:`\rho` of both running averages"),
        HParam("eps", "nonneg", r":math:`\epsilon` inside both RMS terms (eq. 9)"),
        WEIGHT_DECAY,
    )
    defaults = dict(lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0)
    State = AdadeltaState

    def _init(self, p):
        z = np.zeros_like(p)
        return AdadeltaState(0, z, z.copy())

    def _step(self, g, p, s, h):
        rho, eps = h["rho"], h["eps"]
        g = coupled_decay(g, p, h["weight_decay"])
        v = rho * s.square_avg + (1 - rho) * (g * g)
        delta = safe_div(np.sqrt(s.acc_delta + eps), np.sqrt(v + eps)) * g
        u = rho * s.acc_delta + (1 - rho) * (delta * delta)
        return p - h["lr"] * delta, AdadeltaState(s.step + 1, v, u)


register("adadelta", Adadelta,
         family="adadelta",
         summary="AdaDelta: step RMS[dx]_{t-1}/RMS[g]_t * g, no learning rate needed "
                 "(Zeiler 2012)",
         source="Zeiler, arXiv:1212.5701 (2012), Algorithm 1 and eq. (9)",
         frameworks={
             "torch": "torch.optim.Adadelta(lr=1.0, rho=0.9, eps=1e-6, weight_decay): "
                      "identical",
             "optax": "optax.adadelta(learning_rate, rho, eps, weight_decay): identical "
                      "(coupled weight decay); pass learning_rate=1.0 for Zeiler's method",
             "keras": "keras.optimizers.Adadelta (Keras 3): same recursion, defaults "
                      "lr=1e-3, rho=0.95, eps=1e-7; weight decay decoupled (not "
                      "available here)",
             "paper": "Zeiler Algorithm 1: lr=1.0, weight_decay=0 (experiments: rho=0.95, "
                      "eps=1e-6)",
         })
