r"""AdamP: Adam that removes the radial part of the step on scale-invariant weights.

Heo, Chun, Oh, Han, Yun, Kim, Uh & Ha, "AdamP: Slowing Down the Slowdown for
Momentum Optimizers on Scale-invariant Weights", ICLR 2021
(arXiv:2006.08217), Algorithm 2, with the numerical details of the authors'
released code (github.com/clovaai/AdamP, ``adamp/adamp.py``, class
``AdamP``).  Argument names: ``lr`` :math:`=\eta`, ``betas``
:math:`=(\beta_1, \beta_2)`, ``eps`` :math:`=\epsilon`, ``weight_decay``
:math:`=\lambda`, ``delta`` :math:`=\delta`, ``wd_ratio`` :math:`=\rho`;
:math:`d` is the number of coordinates of one run.

.. math::

    m_t &= \beta_1 m_{t-1} + (1-\beta_1) g_t, \qquad
    v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2, \\
    p_t &= \frac{m_t}{\sqrt{v_t}/\sqrt{1-\beta_2^t} + \epsilon}
    \quad\Bigl(\text{nesterov: } \frac{\beta_1 m_t + (1-\beta_1) g_t}
                                      {\sqrt{v_t}/\sqrt{1-\beta_2^t} + \epsilon}\Bigr), \\
    c_t &= \Bigl|\Bigl\langle \frac{g_t}{\max(\|g_t\|, \epsilon)},
                 \frac{\theta_{t-1}}{\max(\|\theta_{t-1}\|, \epsilon)}\Bigr\rangle\Bigr|,
    \qquad \hat\theta = \frac{\theta_{t-1}}{\|\theta_{t-1}\| + \epsilon}, \\
    q_t, r_t &= \begin{cases}
        p_t - \hat\theta\,\langle\hat\theta, p_t\rangle,\ \rho
            & \text{if } c_t < \delta/\sqrt d \quad(\text{projection } \Pi_{\theta}), \\
        p_t,\ 1 & \text{otherwise},\end{cases} \\
    \theta_t &= \theta_{t-1}(1 - \eta\lambda r_t) - \frac{\eta}{1-\beta_1^t}\, q_t .

The test, the projection and the decay ratio act on each run's whole
d-vector (one decision per row): each run is *one weight tensor*, the
paper's "layer view".  The released code first tries a "channel view" (one
cosine per output channel, i.e. per row of a reshaped ``(out, -1)`` tensor)
and only then the layer view; for a single vector there are no channels.
This module equals the released code applied to a parameter of shape
``(1, d)`` (whose channel and layer views coincide).

Conventions and warnings:

* **1-D parameters.**  The released code projects only tensors with more
  than one dimension (``len(p.shape) > 1``); on a bias vector it is plain
  Adam with decoupled decay (ratio 1).  Here every run is projected when the
  test fires, as if the vector were a flattened weight matrix.  Use
  ``delta=0`` (the test ``c_t < 0`` never fires) for the code's 1-D behaviour.
* **Cosine and zero vectors.**  The current code calls
  ``F.cosine_similarity(g, p, eps=eps).abs()``, which in current torch is
  :math:`\langle g/\max(\|g\|,\epsilon),\ \theta/\max(\|\theta\|,\epsilon)\rangle`
  (used here); torch < 1.12 computed :math:`\langle g,\theta\rangle /
  \max(\|g\|\|\theta\|, \epsilon)` and the first release of AdamP
  :math:`|\langle g,\theta\rangle| / ((\|g\|+\epsilon)(\|\theta\|+\epsilon))`.
  They differ only when a norm is near :math:`\epsilon`.  All give
  :math:`c_t = 0` when :math:`g_t = 0` or :math:`\theta_{t-1} = 0`, so the
  projection branch is taken: for :math:`\theta = 0`,
  :math:`\hat\theta = 0` and the step is the Adam step (the decay ratio
  :math:`\rho` multiplies a zero vector); for :math:`g_t = 0`, :math:`p_t`
  (from :math:`m_{t-1}`) loses its radial part.  With ``eps=0`` we keep these
  limits (0/0 is read as 0) instead of producing NaN; likewise a coordinate
  whose gradients have all been zero takes a zero step (:math:`0/0 := 0` in
  :math:`p_t`), the package-wide convention for ``eps=0``.
* **Bias correction.**  As in the code, :math:`\epsilon` is added after the
  correction of :math:`v_t` (Adam's "outside" placement) and the correction
  of :math:`m_t` is folded into the step size :math:`\eta/(1-\beta_1^t)`.
* **Weight decay** is decoupled and multiplied by ``lr`` (AdamW style), with
  the ratio :math:`\rho` on projected steps; the code applies it only when
  ``weight_decay > 0``, which is the same update.  The decay uses
  :math:`\theta_{t-1}`, and the cosine and :math:`\hat\theta` use the raw
  gradient and :math:`\theta_{t-1}` before decay.
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from ._core import Optimizer, bias_correction, safe_div
from .hparams import LR, HParam
from ._registry import register
from .adam import ema_update     # Adam's moment recurrence, one definition


class AdamPState(NamedTuple):
    step: int
    m: np.ndarray        # first moment m_t (no bias correction)
    v: np.ndarray        # second moment v_t (no bias correction)


def _sqrt(x):
    return math.sqrt(x) if isinstance(x, float) else np.sqrt(x)


def _row_dot(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Per-row inner product, shape (R, 1); C order so each row sums as it would alone."""
    return np.sum(np.ascontiguousarray(x * y), axis=1, keepdims=True)


def _row_norm(x: np.ndarray) -> np.ndarray:
    """Per-row Euclidean norm, scaled by the largest entry so it neither over- nor underflows."""
    scale = np.max(np.abs(x), axis=1, keepdims=True)
    y = safe_div(x, scale)
    return np.sqrt(_row_dot(y, y)) * scale


def _unit_rows(x: np.ndarray, floor) -> np.ndarray:
    """Each row of x divided by ``floor(norm)``; an all-zero row with a zero floor stays 0."""
    return safe_div(x, floor(_row_norm(x)))


def scale_invariance_test(g, p, eps, delta):
    r"""Per run: True where :math:`|\cos(g, \theta)| < \delta/\sqrt d` (shape (R, 1))."""
    g_hat = _unit_rows(g, lambda n: np.maximum(n, eps))
    p_hat = _unit_rows(p, lambda n: np.maximum(n, eps))
    cosine = np.abs(_row_dot(g_hat, p_hat))
    return cosine < delta / math.sqrt(p.shape[1])


def project_out_radial(perturb, p, eps):
    r""":math:`q - \hat\theta\langle\hat\theta, q\rangle` with :math:`\hat\theta = \theta/(\|\theta\|+\epsilon)`."""
    p_n = _unit_rows(p, lambda n: n + eps)
    return perturb - p_n * _row_dot(p_n, perturb)


class AdamP(Optimizer):
    __doc__ = __doc__
    hparams = (
        LR,
        HParam("betas", "betas", r"(:math:`\beta_1`, :math:`\beta_2`)"),
        HParam("eps", "nonneg", r":math:`\epsilon` in the denominator, the cosine and "
               r"the unit weight"),
        HParam("weight_decay", "nonneg", r"decoupled decay :math:`\lambda`: "
               r":math:`\theta(1-\eta\lambda r_t)`"),
        HParam("delta", "nonneg", r"threshold :math:`\delta` of the test "
               r":math:`|\cos| < \delta/\sqrt d` (0 disables the projection)"),
        HParam("wd_ratio", "nonneg", r"decay ratio :math:`\rho` on projected steps"),
        HParam("nesterov", "bool", "use the Nesterov numerator "
               r":math:`\beta_1 m_t + (1-\beta_1) g_t`"),
    )
    defaults = dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, delta=0.1,
                    wd_ratio=0.1, nesterov=False)
    State = AdamPState

    def _init(self, p):
        z = np.zeros_like(p)
        return AdamPState(0, z, z.copy())

    def _step(self, g, p, s, h):
        lr, (b1, b2), eps = h["lr"], h["betas"], h["eps"]
        wd, t = h["weight_decay"], h.t
        m = ema_update(s.m, b1, g)
        v = ema_update(s.v, b2, g, g)
        denom = np.sqrt(v) / _sqrt(bias_correction(b2, t)) + eps
        numer = b1 * m + (1 - b1) * g if self.hyper["nesterov"] else m
        perturb = safe_div(numer, denom)  # eps = 0: an all-zero coordinate stays put
        projected = scale_invariance_test(g, p, eps, h["delta"])
        perturb = np.where(projected, project_out_radial(perturb, p, eps), perturb)
        if not (isinstance(wd, float) and wd == 0.0):
            ratio = np.where(projected, h["wd_ratio"], 1.0).astype(p.dtype)
            p = p * (1 - lr * wd * ratio)
        new_p = p - (lr / bias_correction(b1, t)) * perturb
        return new_p, AdamPState(s.step + 1, m, v)


register("adamp", AdamP,
         family="adamp",
         summary="AdamP: Adam without the norm-increasing (radial) step on "
                 "scale-invariant weights (Heo et al. 2021)",
         source="Heo et al., ICLR 2021, arXiv:2006.08217, Algorithm 2; numerics of "
                "github.com/clovaai/AdamP adamp/adamp.py",
         frameworks={
             "reference": "not in torch.optim; clovaai/AdamP (pip 'adamp') "
                      "adamp/adamp.py class AdamP, equal to this on a parameter of shape "
                      "(1, d); on 1-D tensors it never projects (use delta=0)",
             "timm": "timm.optim.AdamP: the clovaai code (plus an optional 'caution' mask, "
                     "off by default)",
             "optax": "no optax implementation",
         })
