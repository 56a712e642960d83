r"""AdaBelief: Adam with the second moment of the prediction error :math:`g_t - m_t`.

Zhuang, Tang, Ding, Tatikonda, Dvornek, Papademetris & Duncan, "AdaBelief Optimizer:
Adapting Stepsizes by the Belief in Observed Gradients", NeurIPS 2020
(arXiv:2010.07468v2+), Algorithm 2, with ``lr`` :math:`=\alpha_t`, ``betas``
:math:`=(\beta_1, \beta_2)`, ``eps`` :math:`=\epsilon`:

.. math::

    m_t &= \beta_1 m_{t-1} + (1-\beta_1) g_t, \\
    s_t &= \beta_2 s_{t-1} + (1-\beta_2) (g_t - m_t)^2 + \epsilon, \\
    \hat m_t &= m_t / (1-\beta_1^t), \qquad
    \hat s_t = (s_t + \epsilon) / (1-\beta_2^t), \\
    \theta_t &= \theta_{t-1} - \alpha_t\, \hat m_t / (\sqrt{\hat s_t} + \epsilon),

with :math:`m_0 = s_0 = 0` (the projection :math:`\Pi_{\mathcal F,\sqrt{\hat s_t}}` is
omitted: the domain here is :math:`\mathbb R^d`; simulations project afterwards).
Where Adam divides by the EMA of :math:`g_t^2`, AdaBelief divides by the EMA of the
squared deviation of :math:`g_t` from its prediction :math:`m_t` (note: the *new*
:math:`m_t`, as in the paper, optax and the authors' code).  A gradient close to its
prediction gets a large step: for a constant gradient :math:`g`,
:math:`g - m_t = \beta_1^t g` and :math:`s_t = (1-\beta_2)\sum_{k\le t}
\beta_2^{t-k}\beta_1^{2k} g^2` (``eps=0``) tends to 0.  With ``eps=0`` the first step
is :math:`\theta_1 = \theta_0 - \alpha_1\operatorname{sign}(g_1)/\beta_1`
(:math:`\hat m_1 = g_1`, :math:`\hat s_1 = \beta_1^2 g_1^2`), :math:`1/\beta_1` times
Adam's.

Conventions (where the paper and the implementations disagree), ``eps_mode``:

``"paper"`` (default)
    Algorithm 2 as printed in the NeurIPS version (arXiv v2 on): :math:`\epsilon` is
    added to :math:`s_t` at every step (it accumulates in the state), *again* in the
    bias correction :math:`\hat s_t = (s_t+\epsilon)/(1-\beta_2^t)` (added in v2;
    Adabelief-Optimizer issue #23), and outside the square root.
``"code"``
    The authors' PyTorch code (adabelief-pytorch ``AdaBelief`` with ``rectify=False``;
    issue #32: "please refer to the PyTorch code whenever there's a difference") and
    optax.adabelief with ``eps_root = eps`` (its defaults, both :math:`10^{-16}`):
    :math:`s_t` as above, but :math:`\hat s_t = s_t/(1-\beta_2^t)`, and
    :math:`\theta_t = \theta_{t-1} - \alpha_t\hat m_t/(\sqrt{\hat s_t}+\epsilon)`.
``"outside"``
    Adam's placement only: :math:`s_t = \beta_2 s_{t-1} + (1-\beta_2)(g_t-m_t)^2`,
    :math:`\hat s_t = s_t/(1-\beta_2^t)`, :math:`\epsilon` added to
    :math:`\sqrt{\hat s_t}` -- optax.adabelief with ``eps_root=0`` (what optax's docstring
    calls the paper's defaults, ``eps=1e-8, eps_root=0``).

optax's general ``eps != eps_root`` (other than ``eps_root`` = 0 or ``eps``) is not
offered.  The default :math:`\epsilon = 10^{-16}` is that of adabelief-pytorch (>= 0.1)
and optax; ``lr=1e-3`` and ``betas=(0.9, 0.999)`` are adabelief-pytorch's.

``weight_decay`` :math:`\lambda` (the paper has none), as adabelief-pytorch:

``decoupled_weight_decay=True`` (its ``weight_decouple=True``, the default since 0.1)
    :math:`\theta \leftarrow \theta(1-\alpha_t\lambda)` before the step, or
    :math:`\theta(1-\lambda)` with ``decay_scaled_by_lr=False`` (its
    ``fixed_decay=True``).  optax.adabelief's ``weight_decay`` is the lr-scaled form.
``decoupled_weight_decay=False``
    the L2 term :math:`g_t \leftarrow g_t + \lambda\theta_{t-1}`.

.. warning:: adabelief-pytorch's default ``rectify=True`` is a RAdam-style rectified
   variant (and ``amsgrad=True`` a running maximum); neither is implemented here --
   compare with ``rectify=False``.  With ``eps > 0`` the three modes differ at every
   step, most where :math:`s_t` is comparable to :math:`\epsilon`: in ``"paper"`` and
   ``"code"`` modes :math:`s_t \ge \epsilon (1-\beta_2^t)/(1-\beta_2)` grows with t
   (Adabelief-Optimizer issues #18 and #61).

With ``eps=0``, a coordinate whose gradients have all been zero takes a zero step
(0/0 := 0).  A gradient that its prediction matches exactly (:math:`s_t = 0` with
:math:`m_t \ne 0`, e.g. ``betas[0]=0``) gives an infinite step with ``eps=0``, and
``update`` raises ValueError.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._core import Optimizer, bias_correction
from .hparams import LR, WEIGHT_DECAY, HParam
from .arith import arith_of, is_scalar_zero
from ._registry import register
from .adam import adam_direction, ema_update   # Adam's pieces, one definition

EPS_MODES = ("paper", "code", "outside")


class AdaBeliefState(NamedTuple):
    step: int
    m: np.ndarray          # first moment m_t
    s: np.ndarray          # EMA of the squared prediction error (g_t - m_t)^2 (+ eps)


def belief_moment(s, beta2, g, m):
    r"""AdaBelief's second moment without :math:`\epsilon`:
    :math:`\beta_2 s + (1-\beta_2)(g - m)^2`, Adam's recurrence (:func:`.adam.ema_update`)
    fed the prediction error :math:`g - m` (with the new :math:`m = m_t`)."""
    r = g - m
    return ema_update(s, beta2, r, r)


class AdaBelief(Optimizer):
    __doc__ = __doc__
    hparams = (
        LR,
        HParam("betas", "betas", r"(:math:`\beta_1`, :math:`\beta_2`)"),
        HParam("eps", "nonneg", r":math:`\epsilon`, placed per ``eps_mode``"),
        HParam("eps_mode", "choice", "'paper' (Algorithm 2: in s_t, in the bias "
               "correction and outside the root), 'code' (adabelief-pytorch, optax: in s_t "
               "and outside) or 'outside' (Adam's place only)", choices=EPS_MODES),
        WEIGHT_DECAY,
        HParam("decoupled_weight_decay", "bool",
               r"decay as :math:`\theta(1-\alpha_t\lambda)` (adabelief-pytorch's "
               r"``weight_decouple``)"),
        HParam("decay_scaled_by_lr", "bool",
               r"decoupled decay multiplied by lr (False: adabelief-pytorch's "
               r"``fixed_decay=True``)"),
    )
    defaults = dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-16, eps_mode="paper",
                    weight_decay=0.0, decoupled_weight_decay=True, decay_scaled_by_lr=True)
    State = AdaBeliefState
    arithmetics = ("float", "mpmath", "fraction", "sympy")

    def _init(self, p):
        A = arith_of(p)
        return AdaBeliefState(0, A.zeros_like(p), A.zeros_like(p))

    def _step(self, g, p, s, h):
        A = h.arith
        lr, (b1, b2), eps, wd = h["lr"], h["betas"], h["eps"], h["weight_decay"]
        mode = self.hyper["eps_mode"]
        if self.hyper["decoupled_weight_decay"]:
            if not is_scalar_zero(wd):
                p = p * (1 - (lr * wd if self.hyper["decay_scaled_by_lr"] else wd))
        elif not is_scalar_zero(wd):
            g = g + wd * p
        m = ema_update(s.m, b1, g)
        s_new = belief_moment(s.s, b2, g, m)
        if mode != "outside":
            s_new = s_new + eps
        c1, c2 = bias_correction(b1, h.t, A), bias_correction(b2, h.t, A)
        s_hat = (s_new + eps if mode == "paper" else s_new) / c2
        direction = adam_direction(m, s_hat, c1, c2, eps, "outside", A)
        return p - lr * direction, AdaBeliefState(s.step + 1, m, s_new)


def adabelief_vhat(opt, state, h):
    r"""The second moment in AdaBelief's denominator and its step size:
    :math:`(\hat s_t, \alpha_t)` per ``eps_mode``."""
    c2 = bias_correction(h["betas"][1], h.t)
    s = state.s + h["eps"] if opt.hyper["eps_mode"] == "paper" else state.s
    return s / c2, h["lr"]


register("adabelief", AdaBelief,
         family="adabelief", vhat=adabelief_vhat, beta1="betas[0]",
         summary="AdaBelief: Adam dividing by the EMA of (g - m)^2, the belief in the "
                 "gradient (Zhuang et al. 2020)",
         source="Zhuang, Tang, Ding, Tatikonda, Dvornek, Papademetris & Duncan, NeurIPS "
                "2020, arXiv:2010.07468v2, Algorithm 2",
         frameworks={
             "optax": "optax.adabelief(eps=e, eps_root=e): eps_mode='code' (its defaults "
                      "e = 1e-16); eps_root=0: eps_mode='outside'; weight_decay: "
                      "decoupled_weight_decay=True, decay_scaled_by_lr=True",
             "adabelief_pytorch": "adabelief_pytorch.AdaBelief(rectify=False): "
                                  "eps_mode='code', decoupled_weight_decay=weight_decouple, "
                                  "decay_scaled_by_lr=not fixed_decay (rectify=True, its "
                                  "default, and amsgrad=True are not implemented)",
             "paper": "Algorithm 2 (arXiv v2 on): eps_mode='paper', weight_decay=0",
         })
