r"""RAdam: Adam with a rectified adaptive learning rate.

Liu, Jiang, He, Chen, Liu, Gao & Han, "On the Variance of the Adaptive
Learning Rate and Beyond", ICLR 2020 (arXiv:1908.03265), Algorithm 2, with
``lr`` :math:`=\alpha`, ``betas`` :math:`=(\beta_1,\beta_2)`,
``eps`` :math:`=\epsilon`, ``threshold`` :math:`=\tau`:

.. math::

    m_t &= \beta_1 m_{t-1} + (1-\beta_1) g_t, \qquad
    v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2, \qquad
    \hat m_t = m_t/(1-\beta_1^t), \\
    \rho_\infty &= \frac{2}{1-\beta_2} - 1, \qquad
    \rho_t = \rho_\infty - \frac{2t\beta_2^t}{1-\beta_2^t}, \\
    \text{if } \rho_t > \tau:\quad
    r_t &= \sqrt{\frac{(\rho_t-4)(\rho_t-2)\rho_\infty}
                       {(\rho_\infty-4)(\rho_\infty-2)\rho_t}}, \qquad
    \theta_t = \theta_{t-1} - \alpha\, r_t\, \hat m_t\, l_t, \\
    \text{else}:\quad \theta_t &= \theta_{t-1} - \alpha\,\hat m_t
    \quad\text{(un-adapted momentum SGD)}.

:math:`\rho_t` is the length of the approximated simple moving average;
:math:`\rho_1 = 1` and :math:`\rho_t \uparrow \rho_\infty`.  Algorithm 2
rectifies when :math:`\rho_t > 4`; torch and optax use :math:`\tau = 5`
(the default here).

Conventions (where frameworks disagree):

``threshold``
    The comparison is torch's **strict** :math:`\rho_t > \tau`.  optax
    (``scale_by_radam``) rectifies when :math:`\rho_t \ge \tau`, and so does
    the authors' released code (github.com/LiyuanLucasLiu/RAdam,
    ``radam/radam.py``: ``N_sma >= 5``, which with its default
    ``degenerated_to_sgd=False`` *skips* the update entirely while
    :math:`\rho_t < 5`).  :math:`\rho_t` is (for t >= 2) not an integer, so
    ``>`` and ``>=`` agree except on exact ties.  ``threshold`` must be >= 4:
    :math:`r_t` is real only for :math:`\rho_t > 4` (the variance
    approximation behind it needs :math:`\rho > 4`).
``eps_mode``, the adaptive term :math:`l_t`
    ``"efficient"``: :math:`l_t = \sqrt{1-\beta_2^t}/(\sqrt{v_t}+\epsilon)` --
    torch.optim.RAdam (and the released code).  ``"outside"``:
    :math:`l_t = 1/(\sqrt{\hat v_t}+\epsilon)` with
    :math:`\hat v_t = v_t/(1-\beta_2^t)` -- optax.radam.  They agree for
    ``eps=0``; otherwise "efficient" equals "outside" with
    :math:`\epsilon\sqrt{1-\beta_2^t}`.
``decoupled_weight_decay``
    False: :math:`g_t \leftarrow g_t + \lambda\theta_{t-1}` (torch RAdam's L2
    term).  True: :math:`\theta \leftarrow \theta(1-\alpha_t\lambda)` before
    the step (torch ``RAdam(decoupled_weight_decay=True)``; the released code
    decays this way too).  optax.radam has no weight decay.

Numerics: :math:`\rho_t` is computed without cancellation as
:math:`\rho_t = 2D_t/((1-\beta_2)(1-\beta_2^t)) - 1` with
:math:`D_t = 1-\beta_2^t-t\beta_2^t(1-\beta_2)`, and for
:math:`tx \le 1` (:math:`x = -\log\beta_2`)
:math:`D_t = e^{-tx}\bigl(f(tx) + t f(-x)\bigr)`, :math:`f(z) = e^z-1-z`
(a sum of two positive terms).  The textbook form loses about
:math:`\log_{10}(\rho_\infty/\rho_t)` digits when :math:`\beta_2 \to 1` (torch
computes it that way).  For huge t, :math:`t\beta_2^t \to 0` without overflow
and :math:`\rho_t \to \rho_\infty`.  :math:`\rho_t` and :math:`r_t` are computed
with ``math`` per distinct :math:`\beta_2`, so a run in a batch with per-run
``betas`` gets the bits it gets alone.  With ``eps=0``, a coordinate that has
only seen zero gradients takes a zero step (0/0 := 0).
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from ._core import Optimizer, bias_correction, coupled_decay, safe_div
from .hparams import LR, WEIGHT_DECAY, HParam
from ._registry import register
from .adam import ema_update     # Adam's moment recurrence, one definition


class RAdamState(NamedTuple):
    step: int
    m: np.ndarray   # first moment m_t
    v: np.ndarray   # second moment v_t


def _expm1_minus_id(z: float) -> float:
    r""":math:`e^z - 1 - z` to full relative precision (series for :math:`|z| < 1/2`)."""
    if abs(z) >= 0.5:
        return math.expm1(z) - z
    term = total = z * z / 2
    for k in range(3, 22):
        term *= z / k
        total += term
    return total


def _sma_scalar(beta2: float, t: int) -> tuple[float, float, float]:
    """(rho_t, rho_inf, r_t) for one beta2; r_t = 1.0 where rho_t <= 4 (unused)."""
    if beta2 == 0.0:
        return 1.0, 1.0, 1.0            # v_t = g_t^2: a one-sample "average"
    c = 1.0 - beta2                     # exact for beta2 >= 1/2 (Sterbenz)
    x = -math.log(beta2)
    y = t * x
    b = -math.expm1(-y)                 # 1 - beta2^t
    if y <= 1.0:
        d = math.exp(-y) * (_expm1_minus_id(y) + t * _expm1_minus_id(-x))
    else:                               # no cancellation: d >= 1 - 2/e here
        d = b - t * math.exp(-y) * c
    rho_t = 2.0 * d / (c * b) - 1.0
    rho_inf = 2.0 / c - 1.0
    r_t = 1.0
    if rho_t > 4.0 and rho_inf > 4.0:
        r_t = math.sqrt((rho_t - 4.0) * (rho_t - 2.0) * rho_inf
                        / ((rho_inf - 4.0) * (rho_inf - 2.0) * rho_t))
    return rho_t, rho_inf, r_t


def _per_value(beta2, t: int):
    """``_sma_scalar`` for a float, or per distinct value of a per-run array (float64)."""
    if not isinstance(beta2, np.ndarray):
        return _sma_scalar(beta2, t)
    values, inverse = np.unique(beta2, return_inverse=True)
    table = np.array([_sma_scalar(float(v), t) for v in values], dtype=np.float64)
    return tuple(table[:, k][inverse].reshape(beta2.shape) for k in range(3))


def sma_length(beta2, t: int):
    r"""Return :math:`(\rho_t, \rho_\infty)` (floats, or float64 arrays per run).

    :math:`\rho_t = \rho_\infty - 2t\beta_2^t/(1-\beta_2^t)` computed without
    cancellation (see the module docs); ``beta2`` in [0, 1), t >= 1.
    """
    rho_t, rho_inf, _ = _per_value(beta2, t)
    return rho_t, rho_inf


class RAdam(Optimizer):
    __doc__ = __doc__
    hparams = (
        LR,
        HParam("betas", "betas", r"(:math:`\beta_1`, :math:`\beta_2`)"),
        HParam("eps", "nonneg", r":math:`\epsilon`, placed per ``eps_mode``"),
        WEIGHT_DECAY,
        HParam("decoupled_weight_decay", "bool",
               r"decay as :math:`\theta(1-\alpha_t\lambda)` (torch's flag)"),
        HParam("threshold", "positive",
               r":math:`\tau` (>= 4): rectify when :math:`\rho_t > \tau`"),
        HParam("eps_mode", "choice", "'efficient' (torch) or 'outside' (optax)",
               choices=("efficient", "outside")),
    )
    defaults = dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                    decoupled_weight_decay=False, threshold=5.0, eps_mode="efficient")
    State = RAdamState

    def _check_hyper(self) -> None:
        thr = self.hyper["threshold"]
        if np.any(np.asarray(thr) < 4.0):
            raise ValueError(f"{self.name}: threshold must be a number >= 4 (the "
                             f"rectifier r_t is real only for rho_t > 4); got {thr!r}")

    def _init(self, p):
        z = np.zeros_like(p)
        return RAdamState(0, z, z.copy())

    def _step(self, g, p, s, h):
        lr, (b1, b2), eps, wd, t = h["lr"], h["betas"], h["eps"], h["weight_decay"], h.t
        if self.hyper["decoupled_weight_decay"]:
            if not (isinstance(wd, float) and wd == 0.0):
                p = p * (1 - lr * wd)
        else:
            g = coupled_decay(g, p, wd)
        m = ema_update(s.m, b1, g)
        v = ema_update(s.v, b2, g, g)
        m_hat = m / bias_correction(b1, t)
        plain = m_hat * lr
        rho_t, _, r_t = _per_value(b2, t)
        rect = rho_t > h["threshold"]
        new_state = RAdamState(s.step + 1, m, v)
        if not np.any(rect):
            return p - plain, new_state
        c2 = bias_correction(b2, t)
        if self.hyper["eps_mode"] == "efficient":
            sc2 = math.sqrt(c2) if isinstance(c2, float) else np.sqrt(c2)
            adapted = safe_div(plain, np.sqrt(v) + eps) * sc2
        else:
            adapted = safe_div(plain, np.sqrt(v / c2) + eps)
        if isinstance(rect, np.ndarray):  # per-run beta2 or threshold
            r_t = np.asarray(r_t, dtype=np.float64).astype(p.dtype)
            return p - np.where(rect, adapted * r_t, plain), new_state
        return p - adapted * r_t, new_state


register("radam", RAdam,
         family="radam", vhat="v_corrected", beta1="betas[0]",
         summary="RAdam: Adam with variance rectification of the adaptive learning rate "
                 "(Liu et al. 2020)",
         source="Liu et al., 'On the Variance of the Adaptive Learning Rate and Beyond', "
                "ICLR 2020, arXiv:1908.03265, Algorithm 2",
         frameworks={
             "torch": "torch.optim.RAdam: eps_mode='efficient', threshold=5 with rho_t > 5 "
                      "(strict, as here), decoupled_weight_decay as torch's flag",
             "optax": "optax.radam: eps_mode='outside', threshold=5 but rho_t >= threshold "
                      "(differs only on exact ties); no weight decay",
             "paper": "Algorithm 2: threshold=4",
         })
