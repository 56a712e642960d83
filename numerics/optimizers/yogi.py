r"""Yogi: Adam's first moment with an additive, sign-controlled second moment.

Zaheer, Reddi, Sachan, Kale & Kumar, "Adaptive Methods for Nonconvex
Optimization", NeurIPS 2018, Algorithm 2 (YOGI), with ``lr`` :math:`=\eta_t`,
``betas`` :math:`=(\beta_1, \beta_2)`, ``eps`` :math:`=\epsilon`,
``initial_accumulator_value`` :math:`=v_0`, ``weight_decay`` :math:`=\lambda`:

.. math::

    g_t &\leftarrow g_t + \lambda\theta_{t-1}
        \quad\text{(only when } \lambda > 0\text{; torch's coupled L2 term)}, \\
    m_t &= \beta_1 m_{t-1} + (1-\beta_1) g_t, \\
    v_t &= v_{t-1} - (1-\beta_2)\,\operatorname{sign}(v_{t-1} - g_t^2)\, g_t^2, \\
    \theta_t &= \theta_{t-1} - \eta_t\, m_t / (\sqrt{v_t} + \epsilon).

Adam's :math:`v_t - v_{t-1} = (1-\beta_2)(g_t^2 - v_{t-1})` moves by an amount that
depends on :math:`v_{t-1}` (:math:`(1-\beta_2)|g_t^2 - v_{t-1}|`, large where
:math:`v_{t-1} \gg g_t^2`); Yogi's moves by exactly :math:`(1-\beta_2) g_t^2` in the
direction of :math:`g_t^2` (not at all when :math:`v_{t-1} = g_t^2`, since
:math:`\operatorname{sign}(0) = 0` as in ``jnp.sign`` and ``torch.sign``; ledger claim
``yogi.alg2.v-step``), which
limits how fast the effective step :math:`\eta_t/\sqrt{v_t}` can grow (the paper's
motivation for Yogi).
:math:`v_t \ge 0` always: where :math:`v_{t-1} > g_t^2`,
:math:`v_t = v_{t-1} - (1-\beta_2) g_t^2 > \beta_2 v_{t-1}`.  The defaults
:math:`\eta = 10^{-2}`, :math:`\beta_1 = 0.9`, :math:`\beta_2 = 0.999`,
:math:`\epsilon = 10^{-3}` are torch-optimizer's (optax.yogi: the same ``b1``, ``b2``,
``eps``); :math:`\eta = 10^{-2}` and :math:`\epsilon = 10^{-3}` follow the paper's
experiments (pytorch-optimizer PR #62).

Algorithm 2 starts from :math:`m_0 = 0`.  For :math:`v_0` the paper's text proposes
the squared gradient at the starting point, averaged over a large mini-batch (as quoted
in pytorch-optimizer issue #77); here :math:`v_0` is one number (or one per run),
``initial_accumulator_value``, 0 by default -- the uninformed start, with which the
iterates do not change when every gradient is scaled by :math:`c > 0` and ``eps=0``.

Conventions (where implementations disagree), ``variant``:

``"paper"`` (default)
    Algorithm 2: :math:`m_0 = 0`, :math:`v_0` = ``initial_accumulator_value``, and *no*
    bias correction of either moment.
``"optax"``
    optax.yogi / ``optax.scale_by_yogi`` (and ``torch_optimizer.Yogi`` of the
    pytorch-optimizer package, whose update is the same): *both* moments start from
    ``initial_accumulator_value`` (their default :math:`10^{-6}`, also the default of the
    first author's TensorFlow Addons implementation, tensorflow/addons PR #1077),
    :math:`m_0 = v_0 = 10^{-6}`, and both are bias-corrected like Adam's,

    .. math::

        \theta_t = \theta_{t-1} - \eta_t\,\frac{m_t/(1-\beta_1^t)}
                   {\sqrt{v_t/(1-\beta_2^t)} + \epsilon}.

    Pass ``initial_accumulator_value=1e-6`` explicitly for their numbers.  optax's
    ``eps_root`` (default 0) is not offered; optax.yogi has no weight decay
    (``weight_decay=0``), torch-optimizer's is the coupled L2 term used here.

.. warning:: The two variants differ in every step, not only in the first few:
   :math:`m_0 = 10^{-6}` is divided by :math:`1-\beta_1^t`, and bias-correcting a
   recurrence that is *not* an exponential average (Yogi's :math:`v_t` does not weight
   :math:`g_s^2` by :math:`(1-\beta_2)\beta_2^{t-s}`) does not make it unbiased.  With
   :math:`v_0 > 0` the method is also no longer invariant to rescaling the gradients,
   even with ``eps=0``.

With ``eps=0``, a coordinate whose gradients have all been zero (so
:math:`m_t = v_t = 0` with the default :math:`v_0 = 0`) takes a zero step
(0/0 := 0); a nonzero :math:`m_t` over :math:`v_t = 0` raises ValueError.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._core import Optimizer, bias_correction, coupled_decay
from .hparams import LR, WEIGHT_DECAY, HParam
from .arith import arith_of
from ._registry import register
from .adam import adam_direction, ema_input, ema_update   # Adam's pieces, one definition


class YogiState(NamedTuple):
    step: int
    m: np.ndarray          # first moment m_t
    v: np.ndarray          # Yogi's second moment v_t


def yogi_second_moment(v, beta2, g, arith=None):
    r"""Yogi's second-moment step :math:`v - (1-\beta_2)\operatorname{sign}(v - g^2)\,g^2`.

    Written with the comparisons of :mod:`.arith` (no ``np.sign``), so that the same rule
    runs on floats, mpmath, Fractions and SymPy numbers; the increment
    :math:`(1-\beta_2)g^2` is Adam's new-information term (:func:`.adam.ema_input`).
    """
    A = arith or arith_of(v)
    step = ema_input(beta2, g, g)
    diff = v - g * g
    return A.where(A.positive(diff), v - step,
                   A.where(A.positive(-diff), v + step, v))


class Yogi(Optimizer):
    __doc__ = __doc__
    hparams = (
        LR,
        HParam("betas", "betas", r"(:math:`\beta_1`, :math:`\beta_2`)"),
        HParam("eps", "nonneg", r":math:`\epsilon`, added to :math:`\sqrt{v_t}` "
               r"(or :math:`\sqrt{\hat v_t}`)"),
        WEIGHT_DECAY,
        HParam("initial_accumulator_value", "nonneg",
               r":math:`v_0` (and :math:`m_0` with ``variant='optax'``)"),
        HParam("variant", "choice", "'paper' (Algorithm 2: no bias correction, m_0 = 0) "
               "or 'optax' (m_0 = v_0, both bias-corrected)", choices=("paper", "optax")),
    )
    defaults = dict(lr=1e-2, betas=(0.9, 0.999), eps=1e-3, weight_decay=0.0,
                    initial_accumulator_value=0.0, variant="paper")
    State = YogiState
    arithmetics = ("float", "mpmath", "fraction", "sympy")

    def _init(self, p):
        A = arith_of(p)
        v0 = A.full(p.shape, A.const(self.exact_hyper.get(
            "initial_accumulator_value", self.hyper["initial_accumulator_value"])), p)
        m0 = v0.copy() if self.hyper["variant"] == "optax" else A.zeros_like(p)
        return YogiState(0, m0, v0)

    def _step(self, g, p, s, h):
        A = h.arith
        lr, (b1, b2), eps = h["lr"], h["betas"], h["eps"]
        g = coupled_decay(g, p, h["weight_decay"])
        m = ema_update(s.m, b1, g)
        v = yogi_second_moment(s.v, b2, g, A)
        if self.hyper["variant"] == "optax":
            c1, c2 = bias_correction(b1, h.t, A), bias_correction(b2, h.t, A)
            direction = adam_direction(m, v / c2, c1, c2, eps, "outside", A)
        else:           # Algorithm 2: m_t / (sqrt(v_t) + eps), no correction
            one = A.const(1)
            direction = adam_direction(m, v, one, one, eps, "outside", A)
        return p - lr * direction, YogiState(s.step + 1, m, v)


def yogi_vhat(opt, state, h):
    r"""The second moment in Yogi's denominator and its step size: :math:`(v_t, \eta_t)`,
    or :math:`(v_t/(1-\beta_2^t), \eta_t)` with ``variant='optax'``."""
    if opt.hyper["variant"] == "optax":
        return state.v / bias_correction(h["betas"][1], h.t), h["lr"]
    return state.v, h["lr"]


register("yogi", Yogi,
         family="yogi", vhat=yogi_vhat, beta1="betas[0]",
         summary="Yogi: additive, sign-controlled second moment "
                 "(Zaheer, Reddi, Sachan, Kale & Kumar 2018)",
         source="Zaheer, Reddi, Sachan, Kale & Kumar, 'Adaptive Methods for Nonconvex "
                "Optimization', NeurIPS 2018, Algorithm 2",
         frameworks={
             "optax": "optax.yogi / scale_by_yogi: variant='optax', "
                      "initial_accumulator_value=1e-6 (m_0 = v_0 = 1e-6, both "
                      "bias-corrected; eps_root=0); no weight decay",
             "torch_optimizer": "torch_optimizer.Yogi (pytorch-optimizer): variant='optax', "
                                "initial_accumulator_value=1e-6 (its initial_accumulator), "
                                "weight_decay coupled (L2)",
             "paper": "Algorithm 2: variant='paper', initial_accumulator_value=0",
         })
