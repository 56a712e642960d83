r"""Schedule-Free AdamW: interpolation and iterate averaging instead of momentum and decay.

Defazio, Yang, Mehta, Mishchenko, Khaled & Cutkosky, "The Road Less Scheduled",
NeurIPS 2024 (arXiv:2405.15682), Algorithm 1 (Schedule-Free AdamW), with ``lr``
:math:`=\gamma`, ``betas`` :math:`=(\beta_1, \beta_2)` (:math:`\beta_1` the
*interpolation* weight, not an EMA of gradients), ``eps`` :math:`=\epsilon`,
``weight_decay`` :math:`=\lambda`, ``warmup_steps`` :math:`=T_{\rm warmup}`.  Three
sequences start at :math:`x_1 = z_1 = y_1 = \theta_0`, :math:`v_0 = 0`; step
:math:`t = 1, 2, \ldots` is

.. math::

    g_t &= \nabla f_t(y_t) \quad\text{(the gradient is taken at } y_t\text{)}, \qquad
    v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2, \\
    \gamma_t &= \gamma \min(1, t/T_{\rm warmup})\, \sqrt{1-\beta_2^t}
        \quad\text{(``bias_correction="lr"``)}, \\
    z_{t+1} &= z_t - \gamma_t\, g_t / (\sqrt{v_t} + \epsilon) - \gamma_t \lambda\, y_t, \\
    c_{t+1} &= \gamma_{\max,t}^2 \Big/ \sum_{i=1}^{t} \gamma_{\max,i}^2, \qquad
    \gamma_{\max,t} = \max_{i \le t} \gamma_i, \\
    x_{t+1} &= (1 - c_{t+1})\, x_t + c_{t+1} z_{t+1}, \qquad
    y_{t+1} = (1-\beta_1) z_{t+1} + \beta_1 x_{t+1}.

Which point is ``params``: :math:`y`, the point where the gradients are evaluated.
This follows :mod:`.lookahead`, the registry's other optimizer whose evaluation point
differs from the point it reports: ``update(g, state, params)`` receives the gradient
at ``params`` and returns the next point at which a gradient is wanted; the other
sequences live in the state.  Here ``params`` in is :math:`y_t` (it is also the
point the decay term :math:`\gamma_t\lambda y_t` reads), ``params`` out is
:math:`y_{t+1}`, and ``state.x`` is :math:`x_{t+1}` -- the averaged iterate the
paper *returns* and evaluates (test loss, ``schedule_free_eval_params`` of optax,
``optimizer.eval()`` of the authors' package) -- with ``state.z`` :math:`z_{t+1}`
the base AdamW iterate.  A simulation's losses and regret are therefore those of
:math:`y_t`, the points played; read ``state.x`` for the averaged iterate.  On a
constrained domain the engines project the returned :math:`y`, so the gradient and
the decay term are taken at :math:`\Pi(y_t)`, while :math:`x`, :math:`z` and the next
:math:`y` are computed unprojected (the paper gives no projected variant).

:math:`x_{t+1}` is kept in the state rather than recomputed from
:math:`y_{t+1}` and :math:`z_{t+1}` as :math:`(y - (1-\beta_1) z)/\beta_1` (optax's
way, which needs :math:`\beta_1 > 0`): :math:`\beta_1 = 0` is allowed here and makes
:math:`y = z` (Polyak--Ruppert averaging of the base iterate); with constant
:math:`\gamma` and no warmup (``bias_correction="v"``), :math:`c_{t+1} = 1/t`, so
:math:`x_{t+1}` is the plain running mean of :math:`z_2, \ldots, z_{t+1}` (:math:`c_2 = 1`:
the start :math:`z_1 = x_1` gets weight 0, as in Algorithm 1 and both implementations;
the SGD summary in the authors' README, :math:`x_{t+1} = (1-\frac1{t+1}) x_t +
\frac1{t+1} z_{t+1}`, would keep :math:`x_1` in the mean).

Conventions (where implementations differ):

``bias_correction``
    ``"lr"`` (default): Algorithm 1 as printed and as in the authors'
    ``AdamWScheduleFreePaper`` (``schedulefree/adamw_schedulefree_paper.py``, "the
    version used in the published experiments"): Adam's second-moment bias
    correction is folded into :math:`\gamma_t` (the factor
    :math:`\sqrt{1-\beta_2^t}` above), so it also scales the decay term and the
    averaging weights :math:`c_{t+1}`, and :math:`\epsilon` meets the *raw*
    :math:`\sqrt{v_t}`.
    ``"v"``: optax.contrib.schedule_free_adamw and the authors' current
    ``AdamWScheduleFree`` / ``AdamWScheduleFreeReference`` (v1.3 on):
    :math:`\gamma_t = \gamma\min(1, t/T_{\rm warmup})` without the factor, and
    :math:`z_{t+1} = z_t - \gamma_t\,(g_t/(\sqrt{\hat v_t} + \epsilon) + \lambda y_t)`
    with :math:`\hat v_t = v_t/(1-\beta_2^t)`.  With :math:`\epsilon = 0` and
    :math:`\lambda = 0` the two agree in :math:`z` but not in :math:`c_{t+1}` (the
    factor enters the weights), so their iterates still differ.
``warmup_steps``
    :math:`T_{\rm warmup} \ge 1`; ``1`` means no warmup (:math:`\min(1, t/1) = 1`),
    what the authors' ``warmup_steps=0`` and optax's ``warmup_steps=None`` give.
    The factor at step t is :math:`\min(1, t/T_{\rm warmup})` as in Algorithm 1 and the
    authors' code (``(k+1)/warmup_steps`` at their 0-based k).

.. warning:: optax's ``warmup_steps`` is **not** this warmup.  optax builds
   ``warmup_constant_schedule(0, lr, warmup_steps)`` and uses it twice: the
   schedule-free wrapper reads it at its 1-based step count (averaging weights:
   :math:`\gamma t/T`), but the inner ``scale_by_learning_rate`` reads it at its own
   0-based count, so optax's z-step at step t is :math:`\gamma (t-1)/T` (zero at
   t = 1); its schedule also computes in float32 (even under ``jax_enable_x64``).  No
   setting here reproduces that; without warmup optax is ``bias_correction="v"`` exactly
   (the stored optax trajectories agree to ~1e-15).  optax also keeps :math:`y` as its params and
   :math:`z` in its state, recovering :math:`x` as above (hence its
   :math:`\beta_1 > 0`).

Left out: the polynomial weighting :math:`c_{t+1} \propto t^r` (``r``, default 0 in
the authors' code and absent from optax: here :math:`r = 0`); the power of
:math:`\gamma_{\max}` in the weights (``weight_lr_power``, default 2 in both
implementations, the printed :math:`\gamma_t^2`: here fixed at 2); the authors'
``decay_at_z`` and ``inner_momentum`` options.  The weights use the running maximum
:math:`\gamma_{\max,t}` as both implementations do; Algorithm 1 prints
:math:`\gamma_t^2`, the same whenever :math:`\gamma_t` does not decrease (a constant
``lr``, with or without warmup, in either ``bias_correction``); they differ only for a
decreasing ``lr`` schedule, which the method is designed to do without.
"""
from __future__ import annotations

from fractions import Fraction
from typing import NamedTuple

import numpy as np

from ._core import Optimizer, bias_correction
from .arith import FLOAT, arith_of, is_scalar_zero
from .hparams import LR, HParam
from ._registry import register
from .adam import ema_update     # the second-moment recurrence, one definition


class ScheduleFreeState(NamedTuple):
    step: int
    z: np.ndarray            # (R, d) base iterate z_{t+1}
    x: np.ndarray            # (R, d) averaged iterate x_{t+1} (what the paper returns)
    v: np.ndarray            # (R, d) second moment v_t
    lr_max: np.ndarray       # (R, 1) running maximum of gamma_t
    weight_sum: np.ndarray   # (R, 1) sum_{i <= t} gamma_{max,i}^2


BIAS_CORRECTIONS = ("lr", "v")


def warmup_factor(t: int, warmup_steps: int, arith=FLOAT):
    r""":math:`\min(1, t/T_{\rm warmup})` at the 1-based step t, exact in ``arith``."""
    frac = Fraction(min(t, warmup_steps), warmup_steps)
    return float(frac) if arith is FLOAT else arith.const(frac)


class ScheduleFreeAdamW(Optimizer):
    __doc__ = __doc__
    hparams = (
        LR,
        HParam("betas", "betas", r"(:math:`\beta_1`, :math:`\beta_2`): the interpolation "
               r"weight of :math:`x` in :math:`y`, and the second-moment decay"),
        HParam("eps", "nonneg", r":math:`\epsilon`, added to :math:`\sqrt{v_t}` (or "
               r":math:`\sqrt{\hat v_t}`)"),
        HParam("weight_decay", "nonneg", r"decoupled decay :math:`\lambda`: "
               r":math:`z \leftarrow z - \gamma_t\lambda y_t`"),
        HParam("warmup_steps", "posint", r"linear warmup length :math:`T_{\rm warmup}` "
               r"(1: none)"),
        HParam("bias_correction", "choice", r"where :math:`1-\beta_2^t` goes: into "
               r":math:`\gamma_t` (paper) or into :math:`\hat v_t` (optax)",
               choices=BIAS_CORRECTIONS),
    )
    defaults = dict(lr=0.0025, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                    warmup_steps=1, bias_correction="lr")
    State = ScheduleFreeState
    arithmetics = ("float", "mpmath", "fraction", "sympy")

    def _init(self, p):
        A = arith_of(p)
        col = A.zeros((p.shape[0], 1), p)
        return ScheduleFreeState(0, p.copy(), p.copy(), A.zeros_like(p), col, col.copy())

    def step_size(self, h):
        r""":math:`\gamma_t` at step ``h.t`` (warmup, and :math:`\sqrt{1-\beta_2^t}` with
        ``bias_correction="lr"``)."""
        A = h.arith
        lr = h["lr"]
        warm = self.hyper["warmup_steps"]
        if warm > 1:
            lr = lr * warmup_factor(h.t, warm, A)
        if self.hyper["bias_correction"] == "lr":
            lr = lr * A.scalar_sqrt(bias_correction(h["betas"][1], h.t, A))
        return lr

    def _step(self, g, p, s, h):
        A = h.arith
        (b1, b2), eps, wd = h["betas"], h["eps"], h["weight_decay"]
        y = p
        v = ema_update(s.v, b2, g, g)
        gamma = self.step_size(h)
        if self.hyper["bias_correction"] == "v":
            den = A.sqrt(v / bias_correction(b2, h.t, A)) + eps
        else:
            den = A.sqrt(v) + eps
        direction = A.safe_div(g, den)
        if not is_scalar_zero(wd):
            direction = direction + wd * y
        z = s.z - gamma * direction
        lr_max = A.maximum(s.lr_max, gamma)
        weight = lr_max * lr_max
        weight_sum = s.weight_sum + weight
        c = A.safe_div(weight, weight_sum)     # 0/0 := 0 if gamma_max^2 underflows
        x = (1 - c) * s.x + c * z
        new_y = b1 * x + (1 - b1) * z
        return new_y, ScheduleFreeState(s.step + 1, z, x, v, lr_max, weight_sum)


register("schedule-free-adamw", ScheduleFreeAdamW,
         family="schedule-free",
         summary="Schedule-Free AdamW: gradients at y = (1-b1) z + b1 x, an AdamW step on "
                 "z, x the gamma^2-weighted average of z; params are y (where gradients "
                 "are taken), x and z are in the state (Defazio et al. 2024)",
         source="Defazio, Yang, Mehta, Mishchenko, Khaled & Cutkosky, NeurIPS 2024, "
                "arXiv:2405.15682, Algorithm 1",
         frameworks={
             "params_point": "params = y_t (the gradient's point); state.x = x_{t+1} "
                             "(the averaged iterate to evaluate), state.z = z_{t+1}",
             "optax": "optax.contrib.schedule_free_adamw(learning_rate, warmup_steps=None, "
                      "b1, b2, eps, weight_decay, weight_lr_power=2.0) = "
                      "bias_correction='v'; its params are y, "
                      "schedule_free_eval_params(state, params) is state.x here; its "
                      "warmup_steps is not reproducible (see the module warning)",
             "reference": "not in torch.optim; the authors' package schedulefree: "
                          "AdamWScheduleFreePaper = bias_correction='lr' (Algorithm 1); "
                          "AdamWScheduleFree / AdamWScheduleFreeReference (v1.3+) = "
                          "bias_correction='v' (r=0, weight_lr_power=2, warmup_steps=k "
                          "here is theirs, 0 there is 1 here)",
         })
