r"""Lion: the sign of an interpolated momentum, with decoupled weight decay.

Chen, Liang, Huang, Real, Wang, Pham, Dong, Luong, Hsieh, Lu & Le, "Symbolic Discovery
of Optimization Algorithms", NeurIPS 2023 (arXiv:2302.06675), Algorithm 2, with
``lr`` :math:`=\eta_t`, ``betas`` :math:`=(\beta_1, \beta_2)`, ``weight_decay``
:math:`=\lambda`:

.. math::

    c_t &= \beta_1 m_{t-1} + (1-\beta_1) g_t, \\
    \theta_t &= \theta_{t-1} - \eta_t\,\bigl(\operatorname{sign}(c_t)
        + \lambda\theta_{t-1}\bigr), \\
    m_t &= \beta_2 m_{t-1} + (1-\beta_2) g_t,

with :math:`m_0 = 0`.  :math:`\beta_1` only interpolates the step's direction;
:math:`\beta_2` is the momentum that is kept.  :math:`\operatorname{sign}(0) = 0`: the
sign functions of the authors' code (google/automl ``lion/``: ``torch.sign``,
``tf.sign``), of optax (``jnp.sign``) and of lion-pytorch (``torch.sign``) all give 0
at 0.  Every coordinate of an update is therefore :math:`-\eta_t\operatorname{sign}(c_t)`
(magnitude exactly :math:`\eta_t`, 0 where :math:`c_t = 0`), plus
:math:`-\eta_t\lambda\theta_{t-1}` with decay.  Defaults: :math:`\beta = (0.9, 0.99)`
(the paper's), ``lr = 1e-4`` and ``weight_decay = 0`` (the authors' code; the paper
advises a learning rate 3-10x below AdamW's).

The sign is exact in every arithmetic of :mod:`.arith` (:func:`sign`); there is no
square root, so the rule replays in exact rationals (``Fraction``) too.

Conventions (where frameworks disagree), ``decay_scaled_by_lr``:

``True``
    :math:`\theta_t = \theta_{t-1} - \eta_t(\operatorname{sign}(c_t) + \lambda
    \theta_{t-1})`: the decay is multiplied by the learning rate -- Algorithm 2,
    optax.lion (``add_decayed_weights`` before ``scale_by_learning_rate``), the
    authors' code and lion-pytorch's default (:math:`\theta \leftarrow
    \theta(1-\eta_t\lambda)`, then the sign step).
``False``
    :math:`\theta_t = \theta_{t-1} - \eta_t\operatorname{sign}(c_t) - \lambda
    \theta_{t-1}`: Loshchilov & Hutter's decoupled decay with schedule multiplier 1
    (as ``decay_scaled_by_lr=False`` in :mod:`.adam`).  lion-pytorch's
    ``decoupled_weight_decay=True`` divides :math:`\lambda` by the *initial* learning
    rate, :math:`\theta(1-\eta_t\lambda/\eta_1)`; that is this mode for a constant
    ``lr`` only.

.. warning:: The decay per step is :math:`\eta_t\lambda` (optax: "multiplied with the
   learning rate ... different from (Loshchilov et al, 2019)"), and Lion's
   :math:`\eta` is 3-10x smaller than AdamW's, so the paper advises a :math:`\lambda`
   3-10x larger than AdamW's to keep :math:`\eta\lambda` similar (optax's default
   ``weight_decay`` is 1e-3, the authors' code's 0).  optax's
   ``scale_by_lion`` also offers ``mode="smooth"``/``"refined"`` (tanh or a linear
   zone instead of the sign); only the paper's hard sign is implemented here.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._core import Optimizer
from ._registry import register
from .adam import ema_update     # the moment recurrence, one definition
from .arith import FLOAT, arith_of, is_scalar_zero
from .hparams import LR, HParam


def sign(x, arith=None):
    r"""The elementwise sign of ``x`` in the arithmetic of :mod:`.arith`: 1, -1, and
    :math:`\operatorname{sign}(0) = 0`; exact in every backend (floats: ``np.sign``;
    mpmath, Fractions, SymPy: a comparison with 0, never a rounding)."""
    A = arith or arith_of(x)
    if A is FLOAT:
        return np.sign(x)
    neg = A.where(A.positive(-x), A.const(-1), A.const(0))
    return A.where(A.positive(x), A.const(1), neg)


class LionState(NamedTuple):
    step: int
    m: np.ndarray          # the momentum m_t (beta2's EMA of the gradients)


class Lion(Optimizer):
    __doc__ = __doc__
    hparams = (
        LR,
        HParam("betas", "betas", r"(:math:`\beta_1`, :math:`\beta_2`): :math:`\beta_1` "
               r"interpolates the step's sign, :math:`\beta_2` the kept momentum"),
        HParam("weight_decay", "nonneg", r"decoupled decay :math:`\lambda`: "
               r":math:`\theta - \eta_t(\operatorname{sign}(c_t) + \lambda\theta)`"),
        HParam("decay_scaled_by_lr", "bool", "the decay multiplied by lr (paper, optax) "
               "or not (Loshchilov & Hutter)"),
    )
    defaults = dict(lr=1e-4, betas=(0.9, 0.99), weight_decay=0.0, decay_scaled_by_lr=True)
    State = LionState
    arithmetics = ("float", "mpmath", "fraction", "sympy")

    def _init(self, p):
        return LionState(0, arith_of(p).zeros_like(p))

    def _step(self, g, p, s, h):
        A = h.arith
        lr, (b1, b2), wd = h["lr"], h["betas"], h["weight_decay"]
        direction = sign(ema_update(s.m, b1, g), A)          # sign(c_t)
        if is_scalar_zero(wd):
            new_p = p - lr * direction
        elif self.hyper["decay_scaled_by_lr"]:
            new_p = p - lr * (direction + wd * p)
        else:
            new_p = p - (lr * direction + wd * p)
        return new_p, LionState(s.step + 1, ema_update(s.m, b2, g))


register("lion", Lion,
         family="lion",
         summary="Lion: the sign of an interpolated momentum (Chen et al. 2023)",
         source="Chen et al., NeurIPS 2023, arXiv:2302.06675, Algorithm 2",
         frameworks={
             "optax": "optax.lion(learning_rate, b1, b2, weight_decay): "
                      "decay_scaled_by_lr=True; optax's default weight_decay is 1e-3",
             "lion-pytorch": "lion_pytorch.Lion: decay_scaled_by_lr=True; its "
                             "decoupled_weight_decay=True is decay_scaled_by_lr=False "
                             "for a constant lr",
             "paper": "Algorithm 2 and the authors' google/automl lion code: "
                      "decay_scaled_by_lr=True",
         })
