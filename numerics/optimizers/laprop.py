r"""LaProp: momentum over the *normalised* gradient, separating momentum from adaptivity.

Ziyin, Wang & Ueda, "LaProp: Separating Momentum and Adaptivity in Adam",
arXiv:2002.04839, Algorithm 1, with ``lr`` :math:`=\lambda_t`, ``betas``
:math:`=(\mu, \nu)` (momentum and second-moment decay), ``eps`` :math:`=\epsilon`:

.. math::

    n_t &= \nu\, n_{t-1} + (1-\nu)\, g_t^2, \qquad c_n = 1-\nu^t, \\
    m_t &= \mu\, m_{t-1} + (1-\mu)\, \frac{g_t}{\sqrt{n_t/c_n} + \epsilon},
        \qquad c_m = 1-\mu^t, \\
    \theta_t &= \theta_{t-1} - \lambda_t\, m_t / c_m,

with :math:`m_0 = n_0 = 0` (the state's ``v`` is :math:`n_t`).  Adam averages the raw
gradients and divides the average; LaProp divides each gradient first
(:func:`.adam.adam_direction` with :math:`m = g_t`, no first-moment correction) and
averages the quotients.  So :math:`m_t/c_m` is a convex combination of the normalised
gradients, each at most :math:`\sqrt{c_n/(1-\nu)} \le 1/\sqrt{1-\nu}` in magnitude, and
the step is bounded by :math:`\lambda_t/\sqrt{1-\nu}` for *every* :math:`\mu, \nu` --
Adam's is not when :math:`\mu^2 > \nu` (the paper's point).  With :math:`\mu = 0` LaProp
is Adam with :math:`\beta_1 = 0`, bit for bit here.

Conventions (where the paper and the authors' code differ), ``form``:

``"paper"`` (default)
    Algorithm 1 as above: :math:`\lambda_t` multiplies the whole average.
``"code"``
    The authors' PyTorch code (github.com/Z-T-WANG/LaProp-Optimizer, ``laprop.py``):
    the learning rate enters the momentum, and the first-moment correction is the EMA
    of the learning rates,

    .. math::

        m_t = \mu m_{t-1} + (1-\mu)\,\lambda_t\, \frac{g_t}{\sqrt{n_t/c_n}+\epsilon},
        \qquad L_t = \mu L_{t-1} + (1-\mu)\lambda_t, \qquad
        \theta_t = \theta_{t-1} - \frac{\lambda_t}{L_t}\, m_t,

    so past steps keep the learning rate they were taken with (``lr_avg`` in the state
    holds :math:`L_t`, one value per run).  For a constant :math:`\lambda` both forms
    are the same map (up to rounding); under a schedule (e.g. warm-up) they differ.

``weight_decay`` :math:`\lambda_{wd}` (not in Algorithm 1) is the authors' code's:
after the step, :math:`\theta_t \leftarrow \theta_t - \lambda_{wd}\theta_t` --
decoupled, and *not* multiplied by the learning rate.  The defaults ``lr=4e-4``,
``betas=(0.9, 0.999)``, ``eps=1e-15`` are the authors' code's; its ``centered`` and
``amsgrad`` options are not implemented.

.. warning:: The normalisation uses the *current* :math:`n_t` (which already contains
   :math:`g_t^2`), as in Algorithm 1 and the code: with ``eps=0`` the first normalised
   gradient is exactly :math:`\operatorname{sign}(g_1)`, and in general
   :math:`|g_t|/\sqrt{n_t/c_n} \le \sqrt{c_n/(1-\nu)}`.

With ``eps=0``, a zero gradient over :math:`n_t = 0` is a zero step (0/0 := 0); a
nonzero gradient over an :math:`n_t` that underflowed to 0 raises ValueError.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._core import Optimizer, bias_correction
from .hparams import LR, HParam
from .arith import arith_of, is_scalar_zero
from ._registry import register
from .adam import adam_direction, ema_update   # Adam's pieces, one definition


class LaPropState(NamedTuple):
    step: int
    m: np.ndarray          # momentum of the normalised gradients m_t
    v: np.ndarray          # second moment n_t
    lr_avg: np.ndarray     # (R, 1): EMA of the learning rates L_t (form='code'); else 0


class LaProp(Optimizer):
    __doc__ = __doc__
    hparams = (
        LR,
        HParam("betas", "betas", r"(:math:`\mu`, :math:`\nu`): momentum and "
               r"second-moment decay"),
        HParam("eps", "nonneg", r":math:`\epsilon`, added to :math:`\sqrt{n_t/c_n}`"),
        HParam("weight_decay", "nonneg", r":math:`\theta \leftarrow \theta - "
               r"\lambda_{wd}\theta` after the step (the authors' code; not scaled by lr)"),
        HParam("form", "choice", "'paper' (Algorithm 1: lr outside the momentum) or "
               "'code' (the authors' code: lr inside, corrected by its EMA)",
               choices=("paper", "code")),
    )
    defaults = dict(lr=4e-4, betas=(0.9, 0.999), eps=1e-15, weight_decay=0.0,
                    form="paper")
    State = LaPropState
    arithmetics = ("float", "mpmath", "fraction", "sympy")

    def _init(self, p):
        A = arith_of(p)
        return LaPropState(0, A.zeros_like(p), A.zeros_like(p),
                           A.zeros((p.shape[0], 1), p))

    def _step(self, g, p, s, h):
        A = h.arith
        lr, (b1, b2), eps = h["lr"], h["betas"], h["eps"]
        v = ema_update(s.v, b2, g, g)
        c2 = bias_correction(b2, h.t, A)
        u = adam_direction(g, v / c2, A.const(1), c2, eps, "outside", A)   # g/(sqrt(n_hat)+eps)
        if self.hyper["form"] == "code":
            m = ema_update(s.m, b1, lr, u)
            lr_avg = ema_update(s.lr_avg, b1, lr)
            new_p = p - (lr / lr_avg) * m
        else:
            m = ema_update(s.m, b1, u)
            lr_avg = s.lr_avg
            new_p = p - lr * (m / bias_correction(b1, h.t, A))
        wd = h["weight_decay"]
        if not is_scalar_zero(wd):
            new_p = new_p - wd * new_p
        return new_p, LaPropState(s.step + 1, m, v, lr_avg)


register("laprop", LaProp,
         family="laprop", vhat="v_corrected", beta1="betas[0]",
         summary="LaProp: momentum over gradients normalised by sqrt(EMA of g^2) "
                 "(Ziyin, Wang & Ueda 2020)",
         source="Ziyin, Wang & Ueda, 'LaProp: Separating Momentum and Adaptivity in "
                "Adam', arXiv:2002.04839, Algorithm 1",
         frameworks={
             "authors": "LaProp (github.com/Z-T-WANG/LaProp-Optimizer, laprop.py): "
                        "form='code', weight_decay as its (after the step, not scaled by "
                        "lr); centered=False, amsgrad=False only",
             "paper": "Algorithm 1: form='paper', weight_decay=0",
         })
