r"""ADOPT: Adam that normalizes by the *previous* second moment, before the momentum.

Taniguchi, Harada, Minegishi, Oshima, Jeong, Nagahara, Iiyama, Suzuki, Iwasawa & Matsuo,
"ADOPT: Modified Adam Can Converge with Any :math:`\beta_2` with the Optimal Rate",
NeurIPS 2024 (arXiv:2411.02853), Algorithm 1, with ``lr`` :math:`=\alpha_t`,
``betas`` :math:`=(\beta_1, \beta_2)`, ``eps`` :math:`=\epsilon`:

.. math::

    v_0 &= g_0^2, \qquad m_0 = 0, \qquad \text{and for } s \ge 1: \\
    m_s &= \beta_1 m_{s-1} + (1-\beta_1)\,
        \operatorname{clip}\Bigl(\frac{g_s}{\max(\sqrt{v_{s-1}}, \epsilon)},\ c_s\Bigr), \\
    \theta_s &= \theta_{s-1} - \alpha\, m_s, \\
    v_s &= \beta_2 v_{s-1} + (1-\beta_2) g_s^2,

where :math:`\operatorname{clip}(x, c) = \min(\max(x, -c), c)` with
:math:`c_s = s^{1/4}` when ``clip=True`` (the clipped ADOPT of the revised arXiv paper and
of the authors' code since Nov. 22, 2024; their README says the revised paper keeps the
convergence guarantee with this schedule of :math:`c_s`), and no clipping when
``clip=False`` (Algorithm 1 as first published on arXiv, and the authors' code before
that date; their README says that ``clip_lambda=None`` reproduces the original version).
Two differences from Adam: the normalization uses :math:`v_{s-1}`, which does not
contain :math:`g_s` (so a huge :math:`g_s` cannot shrink its own step), and it comes
*before* the momentum (m accumulates normalized gradients; no bias correction).
:math:`\epsilon` is a floor on :math:`\sqrt{v}`, :math:`\max(\sqrt v, \epsilon)`, not
added to it -- in the authors' code (``torch.clamp(sqrt(v), eps)``) and
optax.contrib.adopt (``jnp.maximum(jnp.sqrt(nu), eps)``) alike.

**What was checked, and against what.**  The rule above, the clip schedule, the first
call and the defaults (``lr=1e-3``, ``betas=(0.9, 0.9999)``, ``eps=1e-6``, clipping on,
no weight decay) agree with the authors' code (github.com/iShohei220/adopt, its history
from the first release of Nov. 6, 2024 to Dec. 2024) and with optax.contrib.adopt; the
two differences from Adam are the ones the paper's abstract names ("removing the current
gradient from the second moment estimate and changing the order of the momentum update
and the normalization").  The paper's own text (its Algorithm 1 as printed, the revised
version's clipped algorithm, and its convergence theorem with its hypotheses and step
size) was not available to check here; the claim ``adopt.any-beta2`` of the ledger says
how the headline is read.

**Steps.**  ``update`` number :math:`t = 1, 2, \ldots` (the ``step`` of the state
after it) receives the paper's :math:`g_{t-1}`: the first call only sets
:math:`v_0 = g_0^2` and leaves the parameters where they are
(:math:`\theta_1 = \theta_0`); call :math:`t \ge 2` is the paper's step
:math:`s = t-1`, with :math:`c_s = (t-1)^{1/4}` (so :math:`c_1 = 1`).  This is what the
authors' code (``if step == 0: exp_avg_sq.addcmul_(grad, grad); continue``) and
optax (``b2_ = 0``, ``b1_ = 1`` while ``count == 0``, and ``clip_value_fn(count)``)
do.  ``lr`` is read at the call number t (a schedule sees t = 1, 2, ...; optax's
``scale_by_learning_rate`` sees its 0-based count, i.e. t - 1).

Weight decay :math:`\lambda` (``weight_decay``), as in the authors' code:
``decoupled_weight_decay=False`` adds :math:`\lambda\theta_{t-1}` to the gradient
before anything else (so :math:`v_0 = (g_0 + \lambda\theta_0)^2` too);
``decoupled_weight_decay=True`` (their ``decouple=True``, "AdamW-style") multiplies
the parameters by :math:`1 - \alpha_t\lambda` before each moving step (not at t = 1).
optax.contrib.adopt has no weight decay.

Zero floors (``eps = 0`` only): where :math:`v_{s-1} = 0`, :math:`g_s/0` is taken as
:math:`0` when :math:`g_s = 0` and as :math:`\pm\infty` otherwise, which the clip maps
to :math:`\pm c_s` (what torch and JAX compute); without the clip that step is infinite
and ``update`` raises ValueError.

.. warning:: The first release of the authors' code (Nov. 6, 2024) set
   :math:`m_1 = g_1/\max(\sqrt{v_0}, \epsilon)` at the first moving step (no factor
   :math:`1-\beta_1`), and applied decoupled decay at the initializing call too (its
   argument was ``decoupled``, renamed ``decouple`` on Nov. 21, 2024); the current code
   and optax agree with the rule above.  With
   clipping on (the default here, in optax and in the authors' code) the iterates
   differ from the unclipped Algorithm 1 whenever
   :math:`|g_s| > s^{1/4}\max(\sqrt{v_{s-1}}, \epsilon)`, e.g. at the first moving
   step whenever :math:`|g_1| > \max(|g_0|, \epsilon)`.  optax.contrib.adopt's
   ``nesterov=True`` is not offered.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._core import Optimizer, coupled_decay
from ._registry import register
from .adam import ema_update     # the moment recurrence, one definition
from .arith import FLOAT, arith_of, is_scalar_zero
from .hparams import LR, WEIGHT_DECAY, HParam
from .lion import sign           # exact in every arithmetic


class AdoptState(NamedTuple):
    step: int
    m: np.ndarray          # momentum of the normalized gradients m_{t-1} (paper's index)
    v: np.ndarray          # second moment v_{t-1} (paper's index); v = g_0^2 after t = 1


def clip_bound(s: int, arith=FLOAT):
    r"""The clipping value :math:`c_s = s^{1/4}` at the paper's step :math:`s \ge 1`
    (``s ** 0.25`` in floats, as the authors' ``clip_lambda``; exact in the other
    arithmetics of :mod:`.arith`: :math:`\sqrt{\sqrt s}`)."""
    if arith is FLOAT:
        return float(s) ** 0.25
    return arith.scalar_sqrt(arith.scalar_sqrt(arith.const(s)))


def clip(x, c, arith):
    r""":math:`\min(\max(x, -c), c)` elementwise in the arithmetic ``arith``."""
    if arith is FLOAT:
        return np.clip(x, -c, c)
    return arith.maximum(-arith.maximum(-x, -c), -c)


def normalized(g, v, eps, s, clipped: bool, arith=FLOAT, name: str = "adopt"):
    r"""The paper's :math:`\operatorname{clip}(g_s/\max(\sqrt{v_{s-1}}, \epsilon), c_s)`
    (``clipped``) or :math:`g_s/\max(\sqrt{v_{s-1}}, \epsilon)` at the paper's step
    ``s`` (an int, or for floats an array of them that broadcasts against ``g``), with
    ``v`` :math:`= v_{s-1}`: the one definition that :class:`Adopt`'s step and the
    loop-free scan of :mod:`adamlab.numerics.sim.oblivious_steps` both apply.  Where the
    floor is 0 (``eps = 0``): 0 for :math:`g_s = 0`, :math:`\pm c_s` for :math:`g_s \ne 0`
    when clipped, else ValueError (the step would be infinite)."""
    A = arith
    floor = A.maximum(A.sqrt(v), eps)               # max(sqrt(v_{s-1}), eps)
    above = np.asarray(A.positive(floor), dtype=bool)
    normed = A.div_where(above, g, floor)           # 0 where the floor is 0 ...
    infinite = ~above & np.asarray(A.positive(A.maximum(g, -g)), dtype=bool)
    if clipped:
        if A is FLOAT and np.ndim(s):               # the scalar pow of clip_bound, per step
            c = np.fromiter((clip_bound(int(k)) for k in np.ravel(s)), np.float64,
                            np.size(s)).reshape(np.shape(s))
        else:
            c = clip_bound(s, A)
        normed = clip(normed, c, A)
        if infinite.any():                          # ... and +-inf there, clipped
            normed = A.where(infinite, sign(g, A) * c, normed)
    elif infinite.any():
        first = int(np.min(np.broadcast_to(s, infinite.shape)[infinite])) + 1
        raise ValueError(
            f"{name}: at step t={first} the floor max(sqrt(v_(t-1)), eps) is 0 "
            f"where g_t != 0 (eps=0 after zero gradients), so g_t/max(sqrt(v), eps) "
            f"is infinite; use eps > 0 or clip=True")
    return normed


class Adopt(Optimizer):
    __doc__ = __doc__
    hparams = (
        LR,
        HParam("betas", "betas", r"(:math:`\beta_1`, :math:`\beta_2`)"),
        HParam("eps", "nonneg", r"floor :math:`\epsilon` of :math:`\sqrt{v_{t-1}}`: "
               r":math:`\max(\sqrt{v_{t-1}}, \epsilon)`"),
        WEIGHT_DECAY,
        HParam("decoupled_weight_decay", "bool", r"decay as :math:`\theta(1-\alpha_t"
               r"\lambda)` (the authors' decouple=True) instead of an L2 gradient term"),
        HParam("clip", "bool", r"clip the normalized gradient to :math:`\pm s^{1/4}` "
               r"(the authors' code and optax) or not (Algorithm 1)"),
    )
    defaults = dict(lr=1e-3, betas=(0.9, 0.9999), eps=1e-6, weight_decay=0.0,
                    decoupled_weight_decay=False, clip=True)
    State = AdoptState
    arithmetics = ("float", "mpmath", "fraction", "sympy")

    def _init(self, p):
        A = arith_of(p)
        return AdoptState(0, A.zeros_like(p), A.zeros_like(p))

    def _step(self, g, p, s, h):
        A = h.arith
        lr, (b1, b2), eps, wd = h["lr"], h["betas"], h["eps"], h["weight_decay"]
        decoupled = self.hyper["decoupled_weight_decay"]
        if not decoupled:
            g = coupled_decay(g, p, wd)
        if h.t == 1:                                    # v_0 = g_0^2; theta_1 = theta_0
            return p.copy(), AdoptState(s.step + 1, s.m, g * g)
        if decoupled and not is_scalar_zero(wd):
            p = p * (1 - lr * wd)
        normed = normalized(g, s.v, eps, h.t - 1, self.hyper["clip"], A, self.name)
        m = ema_update(s.m, b1, normed)
        new_p = p - lr * m
        return new_p, AdoptState(s.step + 1, m, ema_update(s.v, b2, g, g))


register("adopt", Adopt,
         family="adopt", oblivious_scan=True,
         summary="ADOPT: normalize by the previous second moment, then average "
                 "(Taniguchi et al. 2024)",
         source="Taniguchi et al., NeurIPS 2024, arXiv:2411.02853, Algorithm 1 (clipped: "
                "the revised paper and the authors' code, c_t = t^(1/4))",
         frameworks={
             "optax": "optax.contrib.adopt(b1, b2, eps, use_clipping): clip=use_clipping "
                      "(clip_value_fn = x**0.25 of the 0-based count); no weight decay; "
                      "nesterov=False",
             "adopt": "the authors' torch-adopt ADOPT(lr, betas, eps, clip_lambda, "
                      "weight_decay, decouple): clip = clip_lambda is not None, "
                      "decoupled_weight_decay = decouple",
             "paper": "Algorithm 1 as first published: clip=False",
         })
