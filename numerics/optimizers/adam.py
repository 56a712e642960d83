r"""Adam, AMSGrad and AdamW: one update rule with explicit conventions.

Kingma & Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015
(arXiv:1412.6980v9), Algorithm 1, with ``lr`` :math:`=\alpha`,
``betas`` :math:`=(\beta_1, \beta_2)`, ``eps`` :math:`=\epsilon`:

.. math::

    m_t &= \beta_1 m_{t-1} + (1-\beta_1) g_t, \qquad
    v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2, \\
    \hat m_t &= m_t / (1-\beta_1^t), \qquad \hat v_t = v_t / (1-\beta_2^t), \\
    \theta_t &= \theta_{t-1} - \alpha\, \hat m_t / (\sqrt{\hat v_t} + \epsilon).

AMSGrad (Reddi, Kale & Kumar, ICLR 2018, Algorithm 2) replaces the
denominator by a running maximum; AdamW (Loshchilov & Hutter, ICLR 2019,
Algorithm 2) decays the weights outside the adaptive step.

Conventions (where frameworks disagree):

``eps_mode``
    ``"outside"``: :math:`\hat m_t/(\sqrt{\hat v_t}+\epsilon)` -- Algorithm 1,
    torch.optim.Adam/AdamW, optax ``eps``.
    ``"efficient"``: :math:`\alpha_t m_t/(\sqrt{v_t}+\hat\epsilon)` with
    :math:`\alpha_t = \alpha\sqrt{1-\beta_2^t}/(1-\beta_1^t)` -- the paper's §2
    reordering, torch RAdam and SparseAdam; epsilon acts *before* the bias
    correction, i.e. it equals "outside" with :math:`\epsilon/\sqrt{1-\beta_2^t}`.
    ``"inside"``: :math:`\hat m_t/\sqrt{\hat v_t+\epsilon}` -- optax ``eps_root``
    (with optax ``eps=0``).
    ``"max"``: :math:`\hat m_t/\max(\sqrt{\hat v_t}, \epsilon)` -- a floor instead
    of a shift: where :math:`\sqrt{\hat v_t} \ge \epsilon` the step is exactly
    Algorithm 1's with :math:`\epsilon = 0`.  Proposed for torch.optim in pytorch
    PR #163407 (cited by issue 20); not what torch 2.13's Adam computes.
    ``"root_square"``: :math:`\hat m_t/\sqrt{\hat v_t+\epsilon^2}` -- "inside"
    with :math:`\epsilon^2`, so that :math:`\epsilon` keeps the units of
    :math:`\sqrt{\hat v}` (as in "outside" and "max").  Issue 20 attributes it to
    TensorFlow; TensorFlow's own Adam documents the "efficient" form
    (``tf.train.AdamOptimizer``: :math:`\mathrm{lr}_t m_t/(\sqrt{v_t}+\hat\epsilon)`),
    and we know of no framework's Adam that uses this one.
``amsgrad_mode`` (with ``amsgrad=True``)
    ``"torch"``: :math:`v^{\max}_t = \max(v^{\max}_{t-1}, v_t)` over the *raw*
    v, then bias-corrected by :math:`1-\beta_2^t` (torch.optim.Adam).
    ``"optax"``: the maximum of the bias-corrected :math:`\hat v_t`
    (optax.amsgrad).  ``"reddi"``: no bias correction at all, of m or v, as in
    Reddi et al.'s Algorithm 2: :math:`\theta_t = \theta_{t-1} - \alpha_t m_t
    / \sqrt{\hat v_t}` with :math:`\hat v_t = \max(\hat v_{t-1}, v_t)`.
``decoupled_weight_decay`` / ``decay_scaled_by_lr``
    False: ``weight_decay`` :math:`\lambda` is an L2 term added to the
    gradient (torch Adam).  True: :math:`\theta \leftarrow \theta(1-\alpha_t\lambda)`
    before the step (torch AdamW, optax adamw), or, with
    ``decay_scaled_by_lr=False``, :math:`\theta \leftarrow \theta(1-\lambda)` as
    in Loshchilov & Hutter's Algorithm 2 with schedule multiplier
    :math:`\eta_t = 1`.
``beta1_correction`` (only matters when ``betas[0]`` is a schedule)
    ``"product"``: :math:`\hat m_t = m_t/(1-\prod_{s\le t}\beta_{1,s})`, the
    exact weight sum of the EMA.  ``"power"``: :math:`1-\beta_1^t` with
    :math:`\beta_1 = \beta_{1,1}`, as in Kingma & Ba's proof of Theorem 10.5.

.. warning:: With ``eps > 0`` the ``eps_mode`` values give different iterates;
   torch's Adam and RAdam differ exactly this way.  The differences are largest where
   :math:`\sqrt{\hat v_t}` is comparable to :math:`\epsilon` -- coordinates with tiny
   gradients, and low precision, where a float16 :math:`\epsilon = 10^{-8}` is 0.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._core import Optimizer, Resolved, bias_correction
from .hparams import LR, WEIGHT_DECAY, HParam, Scheduled
from ._registry import register
from .arith import arith_of, is_scalar_zero


class AdamState(NamedTuple):
    step: int
    m: np.ndarray          # first moment m_t
    v: np.ndarray          # second moment v_t
    vmax: np.ndarray       # running max (AMSGrad); zeros when amsgrad=False
    log_beta1_prod: np.ndarray  # (R, 1): sum_s log beta1_s (for scheduled beta1)


EPS_MODES = ("outside", "efficient", "inside", "max", "root_square")


def ema_weights(beta):
    r"""The two coefficients of Adam's moment recurrence, :math:`(\beta, 1-\beta)`.

    Kingma & Ba (2015), Algorithm 1: :math:`m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t` and
    :math:`v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2`, i.e. ``decay`` :math:`=\beta`
    multiplies the previous moment and ``weight`` :math:`=1-\beta` the new information.
    This is the one place they are written: the step (:func:`ema_update`), the loop-free
    scan of :mod:`adamlab.numerics.sim.oblivious_steps`, the lazy sparse catch-up and the
    proofs' certificates all read them from here.

    .. warning:: Some texts write the undamped :math:`m_t = \beta m_{t-1} + g_t` (torch
       SGD's momentum with ``dampening=0``); that is not Adam's recurrence.
    """
    return beta, 1 - beta


def ema_input(beta, *factors):
    r"""The new-information term :math:`(1-\beta)\,f_1 f_2\cdots` of :func:`ema_weights`,
    multiplied left to right: ``ema_input(b2, g, g)`` is :math:`((1-\beta_2) g) g`, the
    floating-point order every engine uses, so that they agree bit for bit."""
    out = ema_weights(beta)[1]
    for f in factors:
        out = out * f
    return out


def ema_update(prev, beta, *factors):
    r"""One step of the moment recurrence: :math:`\beta\,` ``prev`` :math:`+ (1-\beta)
    f_1 f_2\cdots` (see :func:`ema_weights`); generic over the arithmetic of
    :mod:`.arith` (floats, arrays, mpmath, Fractions, SymPy)."""
    return ema_weights(beta)[0] * prev + ema_input(beta, *factors)


def adam_direction(m, v_hat, c1, c2, eps, eps_mode, arith=None):
    r"""The step direction for moment estimates, per ``eps_mode``.

    ``m`` is the raw first moment, ``c1`` its correction :math:`1-\beta_1^t`,
    ``v_hat`` the *bias-corrected* second moment and ``c2`` its correction
    :math:`1-\beta_2^t`.  Returns :math:`\hat m/(\sqrt{\hat v}+\epsilon)`,
    :math:`\hat m/(\sqrt{\hat v}+\epsilon/\sqrt{c_2})`,
    :math:`\hat m/\sqrt{\hat v+\epsilon}`, :math:`\hat m/\max(\sqrt{\hat v},\epsilon)`
    or :math:`\hat m/\sqrt{\hat v+\epsilon^2}`.  With :math:`\epsilon = 0`, a
    coordinate that has only seen zero gradients takes a zero step (0/0 := 0).
    ``arith`` is the backend (:mod:`.arith`; default: that of ``m``) -- the float
    engine and the high-precision certificates both come through here.
    """
    A = arith or arith_of(m)
    if eps_mode == "outside":
        return A.safe_div(m / c1, A.sqrt(v_hat) + eps)
    if eps_mode == "efficient":
        sc2 = A.scalar_sqrt(c2)
        return (sc2 / c1) * A.safe_div(m, A.sqrt(v_hat * c2) + eps)
    if eps_mode == "max":
        return A.safe_div(m / c1, A.maximum(A.sqrt(v_hat), eps))
    if eps_mode == "root_square":
        return A.safe_div(m / c1, A.sqrt(v_hat + eps * eps))
    return A.safe_div(m / c1, A.sqrt(v_hat + eps))


class Adam(Optimizer):
    __doc__ = __doc__
    hparams = (
        LR,
        HParam("betas", "betas", r"(:math:`\beta_1`, :math:`\beta_2`); beta1 may be a "
               r"callable of t", schedulable=True),
        HParam("eps", "nonneg", r":math:`\epsilon`, placed per ``eps_mode``"),
        WEIGHT_DECAY,
        HParam("amsgrad", "bool", "use the running maximum of the second moment"),
        HParam("amsgrad_mode", "choice", "which maximum (see module docs)",
               choices=("torch", "optax", "reddi")),
        HParam("eps_mode", "choice", "where epsilon goes", choices=EPS_MODES),
        HParam("decoupled_weight_decay", "bool", "AdamW-style decay"),
        HParam("decay_scaled_by_lr", "bool", "decoupled decay multiplied by lr"),
        HParam("beta1_correction", "choice", "bias correction of a scheduled beta1",
               choices=("product", "power")),
    )
    defaults = dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                    amsgrad=False, amsgrad_mode="torch", eps_mode="outside",
                    decoupled_weight_decay=False, decay_scaled_by_lr=True,
                    beta1_correction="product")
    State = AdamState
    arithmetics = ("float", "mpmath", "fraction", "sympy")

    def _check_hyper(self) -> None:
        if isinstance(self.hyper["betas"][1], Scheduled):
            raise TypeError(f"{self.name}: betas[1] (beta2) cannot be a callable; "
                            f"only beta1 may follow a schedule")

    def _init(self, p):
        A = arith_of(p)
        z = A.zeros_like(p)
        return AdamState(0, z, z.copy(), z.copy(), A.zeros((p.shape[0], 1), p))

    def _beta1_correction(self, s, h, b1):
        """Return (c1, new log-product of beta1)."""
        A = h.arith
        if not isinstance(self.hyper["betas"][0], Scheduled):
            return bias_correction(b1, h.t, A), s.log_beta1_prod
        log_prod = s.log_beta1_prod + A.log0(b1)
        if self.hyper["beta1_correction"] == "product":
            return A.neg_expm1(log_prod), log_prod
        b1_first = Resolved(self, 1, s.log_beta1_prod.shape[0], s.log_beta1_prod.dtype,
                            A)["betas"][0]
        return bias_correction(b1_first, h.t, A), log_prod

    def _step(self, g, p, s, h):
        A = h.arith
        lr, (b1, b2), eps = h["lr"], h["betas"], h["eps"]
        wd = h["weight_decay"]
        if self.hyper["decoupled_weight_decay"]:
            if self.hyper["decay_scaled_by_lr"]:
                p = p * (1 - lr * wd)
            else:
                p = p * (1 - wd)
        elif not is_scalar_zero(wd):
            g = g + wd * p
        m = ema_update(s.m, b1, g)
        v = ema_update(s.v, b2, g, g)
        c1, log_prod = self._beta1_correction(s, h, b1)
        c2 = bias_correction(b2, h.t, A)
        vmax = s.vmax
        if not self.hyper["amsgrad"]:
            v_hat = v / c2
        else:
            mode = self.hyper["amsgrad_mode"]
            if mode == "torch":
                vmax = A.maximum(s.vmax, v)
                v_hat = vmax / c2
            elif mode == "optax":
                vmax = A.maximum(s.vmax, v / c2)
                v_hat = vmax
            else:  # reddi: no bias correction of m or v
                vmax = A.maximum(s.vmax, v)
                v_hat, c1, c2 = vmax, A.const(1.0), A.const(1.0)
        direction = adam_direction(m, v_hat, c1, c2, eps, self.hyper["eps_mode"], A)
        new_p = p - lr * direction
        return new_p, AdamState(s.step + 1, m, v, vmax, log_prod)


register("adam", Adam,
         family="adam", lazy_sparse=True, oblivious_scan=True, vhat="adam", beta1="betas[0]",
         kernel=True,
         summary="Adam: bias-corrected EMAs of g and g^2 (Kingma & Ba 2015)",
         source="Kingma & Ba, ICLR 2015, arXiv:1412.6980v9, Algorithm 1",
         frameworks={
             "torch": "torch.optim.Adam: eps_mode='outside', amsgrad_mode='torch', "
                      "weight_decay coupled (L2)",
             "optax": "optax.adam: eps_mode='outside' (eps) or 'inside' (eps_root, "
                      "eps=0)",
         })
register("amsgrad", Adam, defaults=dict(amsgrad=True),
         family="adam", lazy_sparse=True, oblivious_scan=True, vhat="adam", beta1="betas[0]",
         kernel=True,
         summary="AMSGrad: Adam with a non-decreasing second moment (Reddi et al. 2018)",
         source="Reddi, Kale & Kumar, ICLR 2018, Algorithm 2",
         frameworks={
             "torch": "torch.optim.Adam(amsgrad=True): amsgrad_mode='torch' (max of raw v, "
                      "then bias correction)",
             "optax": "optax.amsgrad: amsgrad_mode='optax' (max of bias-corrected v)",
             "paper": "Reddi et al. Algorithm 2: amsgrad_mode='reddi' (no bias "
                      "correction)",
         })
register("adamw", Adam, defaults=dict(decoupled_weight_decay=True, weight_decay=1e-2),
         family="adam", lazy_sparse=True, oblivious_scan=True, vhat="adam", beta1="betas[0]",
         kernel=True,
         summary="AdamW: Adam with decoupled weight decay (Loshchilov & Hutter 2019)",
         source="Loshchilov & Hutter, ICLR 2019, Algorithm 2",
         frameworks={
             "torch": "torch.optim.AdamW: decay_scaled_by_lr=True",
             "optax": "optax.adamw: decay_scaled_by_lr=True",
             "paper": "Algorithm 2 with eta_t = 1: decay_scaled_by_lr=False",
         })
