r"""NAdam: Adam with Nesterov momentum, in torch's and optax's forms.

Dozat, "Incorporating Nesterov Momentum into Adam", ICLR 2016 workshop track
(Algorithm 2), with ``lr`` :math:`=\alpha`, ``betas`` :math:`=(\beta_1,\beta_2)`,
``eps`` :math:`=\epsilon`, ``momentum_decay`` :math:`=\psi`,
``weight_decay`` :math:`=\lambda`.  Both variants share

.. math::

    m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t, \qquad
    v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2, \qquad
    \hat v_t = v_t / (1-\beta_2^t)

and differ in the Nesterov-style first moment.

``variant="torch"`` (torch.optim.NAdam; Dozat's momentum schedule)
    .. math::

        \mu_t &= \beta_1\bigl(1 - \tfrac12\, 0.96^{t\psi}\bigr), \qquad
        \mu_{t+1} = \beta_1\bigl(1 - \tfrac12\, 0.96^{(t+1)\psi}\bigr), \qquad
        \Pi_t = \prod_{s\le t}\mu_s, \\
        \theta_t &= \theta_{t-1}
            - \alpha\,\frac{1-\mu_t}{1-\Pi_t}\,\frac{g_t}{\sqrt{\hat v_t}+\epsilon}
            - \alpha\,\frac{\mu_{t+1}}{1-\Pi_t\mu_{t+1}}\,
              \frac{m_t}{\sqrt{\hat v_t}+\epsilon}.

    :math:`\psi = 0.004` is Dozat's :math:`1/250`.  The state carries
    ``mu_product`` :math:`=\Pi_t` (one value per run, 1 after ``init``).  Note
    that :math:`m_t` is still the EMA with the *constant* :math:`\beta_1`;
    only the two step coefficients use :math:`\mu`.

``variant="optax"`` (optax.nadam = ``scale_by_adam(nesterov=True)``; no schedule)
    .. math::

        \hat m_t &= \beta_1\,\frac{m_t}{1-\beta_1^{t+1}}
                  + (1-\beta_1)\,\frac{g_t}{1-\beta_1^t}, \qquad
        \theta_t = \theta_{t-1} - \alpha\,\frac{\hat m_t}{\sqrt{\hat v_t}+\epsilon}.

    ``momentum_decay`` is ignored and ``mu_product`` stays 1.  optax's source
    remarks that Dozat's Algorithm 2 further multiplies :math:`\hat v_t` by
    :math:`\beta_2`, which optax (like torch) omits; so do we.

``decoupled_weight_decay``
    False: :math:`g_t \leftarrow g_t + \lambda\theta_{t-1}` (torch NAdam's L2
    term; with the torch variant the decayed gradient enters both the
    :math:`g_t` term and :math:`m_t`).  True:
    :math:`\theta \leftarrow \theta(1-\alpha_t\lambda)` before the step (torch
    ``NAdam(decoupled_weight_decay=True)``, i.e. NAdamW; optax.nadamw, whose
    :math:`-\alpha(\text{update} + \lambda\theta)` is the same map).

.. warning:: The two variants are different algorithms, not two roundings of
   one: torch's bias correction is :math:`1-\Pi_t` with the decaying-in
   :math:`\mu_t` (:math:`\mu_1 \approx \beta_1/2` by default), optax's uses
   :math:`1-\beta_1^t` and :math:`1-\beta_1^{t+1}`.  Also, torch keeps
   ``mu_product`` as a tensor of torch's *default* dtype (float32 unless
   ``torch.set_default_dtype(torch.float64)``), so float64 parameters do not get
   a float64 :math:`\Pi_t` there; here :math:`\Pi_t` has the dtype of params.

With ``eps=0``, a coordinate that has only seen zero gradients takes a zero
step (0/0 := 0, where torch gives NaN).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._core import Optimizer, bias_correction, coupled_decay, safe_div
from .hparams import LR, WEIGHT_DECAY, HParam
from .arith import elementwise
from ._registry import register
from .adam import ema_update     # Adam's moment recurrence, one definition


class NAdamState(NamedTuple):
    step: int
    m: np.ndarray           # first moment m_t
    v: np.ndarray           # second moment v_t
    mu_product: np.ndarray  # (R, 1): prod_{s<=t} mu_s (torch variant); 1 for optax


def _mu(beta1, momentum_decay, t: int):
    r""":math:`\mu_t = \beta_1(1 - \frac12 0.96^{t\psi})` (Dozat's schedule).

    The power goes through ``math`` per distinct value (:func:`~._core.elementwise`),
    so a run in a batch gets the bits it gets alone.
    """
    return beta1 * (1.0 - 0.5 * elementwise(lambda md: 0.96 ** (t * md), momentum_decay))


class NAdam(Optimizer):
    __doc__ = __doc__
    hparams = (
        LR,
        HParam("betas", "betas", r"(:math:`\beta_1`, :math:`\beta_2`)"),
        HParam("eps", "nonneg", r":math:`\epsilon`, added to :math:`\sqrt{\hat v_t}`"),
        WEIGHT_DECAY,
        HParam("momentum_decay", "nonneg",
               r":math:`\psi` in :math:`\mu_t = \beta_1(1-\frac12 0.96^{t\psi})` "
               r"(torch variant only)"),
        HParam("decoupled_weight_decay", "bool",
               r"decay as :math:`\theta(1-\alpha_t\lambda)` (NAdamW)"),
        HParam("variant", "choice", "'torch' (Dozat's mu_t schedule) or 'optax' "
               "(nesterov=True form of scale_by_adam)", choices=("torch", "optax")),
    )
    defaults = dict(lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                    momentum_decay=4e-3, decoupled_weight_decay=False, variant="torch")
    State = NAdamState

    def _init(self, p):
        z = np.zeros_like(p)
        return NAdamState(0, z, z.copy(), np.ones((p.shape[0], 1), p.dtype))

    def _step(self, g, p, s, h):
        lr, (b1, b2), eps, wd, t = h["lr"], h["betas"], h["eps"], h["weight_decay"], h.t
        if self.hyper["decoupled_weight_decay"]:
            if not (isinstance(wd, float) and wd == 0.0):
                p = p * (1 - lr * wd)
        else:
            g = coupled_decay(g, p, wd)
        m = ema_update(s.m, b1, g)
        v = ema_update(s.v, b2, g, g)
        denom = np.sqrt(v / bias_correction(b2, t)) + eps
        if self.hyper["variant"] == "torch":
            md = h["momentum_decay"]
            mu, mu_next = _mu(b1, md, t), _mu(b1, md, t + 1)
            mu_prod = s.mu_product * mu
            coef_g = -lr * (1 - mu) / (1 - mu_prod)
            coef_m = -lr * mu_next / (1 - mu_prod * mu_next)
            new_p = p + coef_g * safe_div(g, denom)
            new_p = new_p + coef_m * safe_div(m, denom)
            return new_p, NAdamState(s.step + 1, m, v, mu_prod)
        m_hat = b1 * (m / bias_correction(b1, t + 1)) + (1 - b1) * (g / bias_correction(b1, t))
        new_p = p - lr * safe_div(m_hat, denom)
        return new_p, NAdamState(s.step + 1, m, v, s.mu_product)


register("nadam", NAdam,
         family="nadam", vhat="v_corrected", beta1="betas[0]",
         summary="NAdam: Adam with Nesterov momentum (Dozat 2016)",
         source="Dozat, 'Incorporating Nesterov Momentum into Adam', ICLR 2016 workshop, "
                "Algorithm 2",
         frameworks={
             "torch": "torch.optim.NAdam: variant='torch' (mu_t schedule, mu_product); "
                      "decoupled_weight_decay as torch's flag; torch stores mu_product in "
                      "the default dtype (float32 unless set to float64)",
             "optax": "optax.nadam / scale_by_adam(nesterov=True): variant='optax' "
                      "(momentum_decay ignored); optax.nadamw: decoupled_weight_decay=True",
         })
