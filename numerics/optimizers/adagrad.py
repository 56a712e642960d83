r"""AdaGrad (diagonal), in torch.optim.Adagrad's form with a choice of epsilon.

Duchi, Hazan & Singer, "Adaptive Subgradient Methods for Online Learning and
Stochastic Optimization", JMLR 12 (2011), 2121--2159: the diagonal algorithm
(Figure 1, "AdaGrad with diagonal matrices") with :math:`\phi \equiv 0` and
no constraint set, where the composite mirror-descent update is
:math:`\theta_{t,i} = \theta_{t-1,i} - \eta\, g_{t,i} / (\delta +
\lVert g_{1:t,i}\rVert_2)`.  With ``lr`` :math:`=\alpha_t`, ``lr_decay``
:math:`=\kappa`, ``initial_accumulator_value`` :math:`=G_0`, ``eps``
:math:`=\epsilon`, ``weight_decay`` :math:`=\lambda`:

.. math::

    \tilde g_t = g_t + \lambda\theta_{t-1}, \qquad
    \eta_t = \frac{\alpha_t}{1 + (t-1)\kappa}, \qquad
    G_t = G_{t-1} + \tilde g_t^2,

and then, per ``eps_mode``,

.. math::

    \text{outside (torch):}\quad
    \theta_t &= \theta_{t-1} - \eta_t\, \tilde g_t / (\sqrt{G_t} + \epsilon), \\
    \text{inside (optax):}\quad
    \theta_t &= \theta_{t-1} - \eta_t\, \tilde g_t / \sqrt{G_t + \epsilon}
    \quad (\text{no step where } G_t = 0).

``"outside"`` with :math:`G_0 = 0`, :math:`\kappa = 0`, :math:`\lambda = 0` is
the paper's update with :math:`\eta = \alpha`, :math:`\delta = \epsilon`
(since :math:`\sqrt{G_t} = \lVert g_{1:t,i}\rVert_2`).

Conventions (where frameworks disagree):

torch.optim.Adagrad
    ``eps_mode="outside"``, defaults ``lr=1e-2``, ``eps=1e-10``,
    ``initial_accumulator_value=0``; ``lr_decay`` and coupled ``weight_decay``
    as above.  Identical to ours.
optax.adagrad(learning_rate, initial_accumulator_value=0.1, eps=1e-7)
    ``eps_mode="inside"``: :math:`\tilde g/\sqrt{G+\epsilon}` where
    :math:`G > 0` and **0 where** :math:`G = 0`; note optax's *defaults*
    differ from torch's (:math:`G_0 = 0.1`, :math:`\epsilon = 10^{-7}`);
    no ``lr_decay``, no weight decay.
Keras 3 (``keras.optimizers.Adagrad``)
    ``eps_mode="inside"`` (:math:`\alpha g/\sqrt{G+\epsilon}`, no special case
    at :math:`G = 0`), defaults ``learning_rate=1e-3``,
    ``initial_accumulator_value=0.1``, ``epsilon=1e-7``; its weight decay is
    decoupled.  tf.keras 2.x (``optimizer_v2``) used ``"outside"`` instead.

.. warning:: ``"outside"`` and ``"inside"`` give different iterates for
   :math:`\epsilon > 0`, and the same number damps on different scales:
   ``"outside"`` compares :math:`\epsilon` with :math:`\sqrt{G_t}`,
   ``"inside"`` with :math:`G_t` (comparable damping needs
   :math:`\epsilon_{\rm inside} \approx \epsilon_{\rm outside}^2`).  Porting a
   torch configuration to optax or Keras (or back) needs the eps mode *and*
   the defaults of :math:`G_0`, :math:`\epsilon` and the learning rate
   translated.

Division by zero.  With :math:`G_t = 0` (every gradient so far zero in that
coordinate, and :math:`G_0 = 0`) the step is :math:`0/(0+\epsilon)` or, with
``eps=0``, :math:`0/0`.  We define the latter as 0, i.e. no step: ``"inside"``
follows optax exactly (no step wherever :math:`G_t = 0`, for any
:math:`\epsilon`); ``"outside"`` with ``eps=0`` sets :math:`0/0 := 0` where
torch would produce NaN.  A non-zero gradient over :math:`\sqrt{G_t}+\epsilon
= 0` (only possible when :math:`\tilde g_t^2` underflows) is not hidden:
``update`` raises ValueError.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._core import Optimizer, coupled_decay
from .hparams import LR, WEIGHT_DECAY, HParam
from ._registry import register
from .arith import arith_of


class AdagradState(NamedTuple):
    step: int
    sum: np.ndarray    # accumulator G_t = G_0 + sum_s g_s^2


class Adagrad(Optimizer):
    __doc__ = __doc__
    hparams = (
        LR,
        HParam("lr_decay", "nonneg", r"learning-rate decay :math:`\kappa`: "
               r":math:`\eta_t = \alpha_t/(1+(t-1)\kappa)` (torch)"),
        WEIGHT_DECAY,
        HParam("initial_accumulator_value", "nonneg", r"accumulator start :math:`G_0`"),
        HParam("eps", "nonneg", r":math:`\epsilon`, placed per ``eps_mode``"),
        HParam("eps_mode", "choice", r"``'outside'``: :math:`g/(\sqrt{G}+\epsilon)` "
               r"(torch); ``'inside'``: :math:`g/\sqrt{G+\epsilon}` (optax)",
               choices=("outside", "inside")),
    )
    defaults = dict(lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0,
                    eps=1e-10, eps_mode="outside")
    State = AdagradState
    arithmetics = ("float", "mpmath", "fraction", "sympy")

    def _init(self, p):
        A = arith_of(p)
        g0 = self.exact_hyper.get("initial_accumulator_value",
                                  self.hyper["initial_accumulator_value"])
        return AdagradState(0, A.full(p.shape, A.const(g0), p))

    def _step(self, g, p, s, h):
        A = h.arith
        eps = h["eps"]
        g = coupled_decay(g, p, h["weight_decay"])
        clr = h["lr"] / (1 + (h.t - 1) * h["lr_decay"])
        acc = s.sum + g * g
        if self.hyper["eps_mode"] == "outside":
            ratio = A.safe_div(g, A.sqrt(acc) + eps)
        else:   # optax: where(G > 0, g / sqrt(G + eps), 0)
            ratio = A.div_where(A.positive(acc), g, A.sqrt(acc + eps))
        return p - clr * ratio, AdagradState(s.step + 1, acc)


register("adagrad", Adagrad,
         family="adagrad", lazy_sparse=True, oblivious_scan=True, vhat="adagrad", kernel=True,
         summary="AdaGrad: per-coordinate step lr/sqrt(sum of squared gradients) "
                 "(Duchi, Hazan & Singer 2011)",
         source="Duchi, Hazan & Singer, JMLR 12 (2011), 2121-2159, Figure 1 "
                "(diagonal AdaGrad, composite mirror descent, phi = 0)",
         frameworks={
             "torch": "torch.optim.Adagrad(lr, lr_decay, weight_decay, "
                      "initial_accumulator_value, eps): eps_mode='outside', identical",
             "optax": "optax.adagrad(learning_rate, initial_accumulator_value=0.1, "
                      "eps=1e-7): eps_mode='inside' (0 where G = 0), lr_decay=0, "
                      "weight_decay=0; pass its defaults explicitly",
             "keras": "keras.optimizers.Adagrad (Keras 3): eps_mode='inside', "
                      "initial_accumulator_value=0.1, eps=1e-7, lr=1e-3; weight decay "
                      "decoupled (not available here)",
             "paper": "Duchi et al. Figure 1 with phi = 0: eps_mode='outside', eps = delta, "
                      "initial_accumulator_value=0, lr_decay=0",
         })
