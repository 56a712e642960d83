r"""A user's own optimizer, defined outside the package, as the README shows it.

Yogi (Zaheer, Reddi, Sachan, Kale & Kumar, "Adaptive Methods for Nonconvex
Optimization", NeurIPS 2018, Algorithm 2), without bias correction:

.. math::

    m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t, \qquad
    v_t = v_{t-1} - (1-\beta_2)\operatorname{sign}(v_{t-1} - g_t^2)\, g_t^2, \qquad
    \theta_t = \theta_{t-1} - \alpha_t\, m_t / (\sqrt{v_t} + \epsilon).

Only public names of adamlab are used: :class:`Optimizer`, :class:`HParam`, the
two hooks ``init_state``/``step_rule`` and :func:`register`.  Importing this
module registers ``"my-yogi"`` (as a user's plugin would, e.g. ``adamlab regret
--plugin user_plugin_optimizer --optimizers my-yogi``); tests call
:func:`register_plugin` / ``optimizers.unregister("my-yogi")`` to keep the
registry of other tests unchanged.  (Yogi is also built in, as ``"yogi"`` with
more conventions; this copy, under its own name, is a user's optimizer.)
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from adamlab.numerics import optimizers
from adamlab.numerics.optimizers import HParam, Optimizer

NAME = "my-yogi"


class YogiState(NamedTuple):
    step: int          # first field: steps taken so far
    m: np.ndarray      # (R, d) first moment m_t
    v: np.ndarray      # (R, d) second moment v_t


class Yogi(Optimizer):
    """Yogi: Adam's first moment with an additive, sign-controlled second moment."""

    hparams = (HParam("lr", "positive", r"step size :math:`\alpha_t`", schedulable=True),
               HParam("betas", "betas", r"(:math:`\beta_1`, :math:`\beta_2`)"),
               HParam("eps", "nonneg", r":math:`\epsilon`, added to :math:`\sqrt{v_t}`"))
    defaults = dict(lr=1e-2, betas=(0.9, 0.999), eps=1e-3)
    State = YogiState
    arithmetics = ("float", "mpmath")       # h.arith: float64 arrays or 50-digit mpmath

    def init_state(self, p):
        return YogiState(0, np.zeros_like(p), np.zeros_like(p))

    def step_rule(self, g, p, s, h):
        b1, b2 = h["betas"]
        m = b1 * s.m + (1 - b1) * g
        g2 = g * g
        v = s.v - (1 - b2) * np.sign(s.v - g2) * g2
        new_p = p - h["lr"] * m / (h.arith.sqrt(v) + h["eps"])
        return new_p, YogiState(s.step + 1, m, v)


def yogi_vhat(opt, state, h):
    """The second moment the regret statistics read: (v_t, alpha_t)."""
    return state.v, h["lr"]


def register_plugin(replace: bool = False):
    """Register ``"my-yogi"`` with its declared capabilities; return the entry."""
    return optimizers.register(
        NAME, Yogi, summary="Yogi: additive second-moment update (Zaheer et al. 2018)",
        source="Zaheer et al., NeurIPS 2018, Algorithm 2",
        family="yogi", vhat=yogi_vhat, beta1="betas[0]", replace=replace)


if NAME not in optimizers.names():
    register_plugin()
