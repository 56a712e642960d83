r"""AdEMAMix: Adam with a second, slow momentum mixed into the numerator.

Pagliardini, Ablin & Grangier, "The AdEMAMix Optimizer: Better, Faster, Older",
arXiv:2409.03137 (2024; ICLR 2025), Algorithm 1, with ``lr`` :math:`=\eta`,
``betas`` :math:`=(\beta_1, \beta_2)`, ``beta3`` :math:`=\beta_3`, ``alpha``
:math:`=\alpha`, ``eps`` :math:`=\epsilon`, ``weight_decay`` :math:`=\lambda`:

.. math::

    m^{(1)}_t &= \beta_1 m^{(1)}_{t-1} + (1-\beta_1) g_t, \qquad
    m^{(2)}_t = \beta_{3,t} m^{(2)}_{t-1} + (1-\beta_{3,t}) g_t, \\
    v_t &= \beta_2 v_{t-1} + (1-\beta_2) g_t^2, \qquad
    \hat m^{(1)}_t = \frac{m^{(1)}_t}{1-\beta_1^t}, \qquad
    \hat v_t = \frac{v_t}{1-\beta_2^t}, \\
    \theta_t &= \theta_{t-1} - \eta\Bigl(\frac{\hat m^{(1)}_t + \alpha_t m^{(2)}_t}
        {\sqrt{\hat v_t} + \epsilon} + \lambda\theta_{t-1}\Bigr),

with :math:`m^{(1)}_0 = m^{(2)}_0 = v_0 = 0`.  The fast EMA :math:`m^{(1)}` is
bias-corrected, the slow one :math:`m^{(2)}` is *not* (so that it fills slowly).  With
:math:`\alpha = 0` this is Adam (AdamW with :math:`\lambda > 0`: decay scaled by
:math:`\eta`, as torch's AdamW).  Defaults: ``betas=(0.9, 0.999)``, ``beta3=0.9999``,
``alpha=5`` (optax.contrib.ademamix; the paper uses :math:`\alpha` between 4 and 10),
``lr=1e-3``, ``eps=1e-8``, ``weight_decay=0``.

The schedulers of the paper (§3, "the schedulers", and Algorithm 1's optional step),
over ``alpha_warmup`` :math:`=T_\alpha` and ``beta3_warmup`` :math:`=T_{\beta_3}` steps
(the paper sets both to the length of training, :math:`T_{\alpha,\beta_3} = T`):

.. math::

    \alpha_t &= f_\alpha(t) = \min\bigl(t\alpha/T_\alpha,\ \alpha\bigr), \\
    \beta_{3,t} &= f_{\beta_3}(t) = \min\Bigl(\exp\Bigl(\frac{\ln\beta_{\rm start}\,
        \ln\beta_3}{(1-t/T_{\beta_3})\ln\beta_3 + (t/T_{\beta_3})\ln\beta_{\rm start}}
        \Bigr),\ \beta_3\Bigr) \quad (t < T_{\beta_3}),

and :math:`\beta_{3,t} = \beta_3` for :math:`t \ge T_{\beta_3}`, with
:math:`\beta_{\rm start} = \beta_1` (the paper's usual choice and the authors' code).
:math:`f_{\beta_3}` interpolates :math:`1/\ln\beta` linearly, i.e. the half-life
:math:`\ln(1/2)/\ln\beta` of the slow EMA grows linearly from that of :math:`\beta_1`
to that of :math:`\beta_3`; it is evaluated as
:math:`\exp\bigl(1/((1-s)/\ln\beta_{\rm start} + s/\ln\beta_3)\bigr)`, :math:`s = t/T`
(so :math:`\beta = 0` gives :math:`1/\ln 0 = 0`).  The default warmups are 1, which
is no warmup at all (:math:`t \ge 1 = T`: the final :math:`\alpha, \beta_3` from the
first step).  t is the 1-based step, as in Algorithm 1 (t is incremented before the
schedulers are read) and in the authors' torch code.

Conventions (where frameworks disagree):

``eps_mode``
    ``"outside"``: :math:`(\ldots)/(\sqrt{\hat v_t}+\epsilon)` -- Algorithm 1, optax
    ``eps``, the authors' torch code.  ``"inside"``: :math:`(\ldots)/\sqrt{\hat v_t +
    \epsilon}` -- optax's ``eps_root`` (with optax ``eps=0``).  The direction goes
    through :func:`.adam.adam_direction` with numerator :math:`m^{(1)}_t + \alpha_t
    (1-\beta_1^t) m^{(2)}_t` over :math:`1-\beta_1^t`, so that :math:`\alpha = 0` is
    Adam bit for bit.

.. warning:: The authors' code differs from the paper's schedulers in small ways: its
   :math:`f_{\beta_3}` uses :math:`\ln(\beta + 10^{-8})` and no :math:`\min(\cdot,
   \beta_3)` (different when :math:`\beta_3 < \beta_1`), and its optax version reads
   the schedules at the 0-based count (:math:`\alpha_1 = 0` there, :math:`\alpha/T` in
   its torch version and here).  optax.contrib.ademamix has no schedulers; its
   ``b3`` and ``alpha`` may be callables of the 0-based count.  Its default
   :math:`\alpha` is 5 (``scale_by_ademamix``'s is 6, the authors' torch class's 2).
"""
from __future__ import annotations

import math
from fractions import Fraction
from typing import NamedTuple

import numpy as np

from ._core import Optimizer, bias_correction
from ._registry import register
from .adam import adam_direction, ema_update   # Adam's direction and moments, one definition
from .arith import FLOAT, arith_of, is_scalar_zero
from .hparams import LR, HParam


class AdemamixState(NamedTuple):
    step: int
    m1: np.ndarray         # fast EMA m^(1)_t (bias-corrected in the step)
    m2: np.ndarray         # slow EMA m^(2)_t (never bias-corrected)
    v: np.ndarray          # second moment v_t


def _fraction(t: int, T: int, arith):
    """t/T in the arithmetic ``arith`` (exact outside floats)."""
    return t / T if arith is FLOAT else arith.const(Fraction(t, T))


def alpha_at(alpha, t: int, T: int, arith=FLOAT):
    r"""The paper's :math:`f_\alpha(t) = \min(t\alpha/T, \alpha)` (linear warmup from 0)."""
    return alpha if t >= T else alpha * _fraction(t, T, arith)


def _beta3_float(beta3: float, beta_start: float, s: float) -> float:
    """:func:`beta3_at` for one pair of float values (``math``, as :mod:`.arith` does)."""
    recip = (1 - s) / _log0(beta_start) + s / _log0(beta3)
    if recip == 0:                      # beta_start = beta3 = 0
        return beta3
    return min(math.exp(1 / recip), beta3)


def _log0(x: float) -> float:
    return math.log(x) if x > 0 else -math.inf


def _per_value(fn, *xs):
    """``fn`` of floats applied to scalars, or value by value to per-run arrays (their
    broadcast shape and dtype), so that a run in a batch gets the bits it gets alone."""
    arrays = [x for x in xs if isinstance(x, np.ndarray)]
    if not arrays:
        return fn(*xs)
    dtype = np.result_type(*arrays)
    parts = np.broadcast_arrays(*[np.asarray(x, dtype=dtype) for x in xs])
    out = np.empty(parts[0].shape, dtype=dtype)
    for idx in np.ndindex(out.shape):
        out[idx] = fn(*(float(a[idx]) for a in parts))
    return out


def beta3_at(beta3, beta_start, t: int, T: int, arith=FLOAT):
    r"""The paper's :math:`f_{\beta_3}(t)`: :math:`1/\ln\beta` interpolated linearly from
    ``beta_start`` (t = 0) to ``beta3`` (t = T), capped at :math:`\beta_3`; ``beta3``
    from t = T on.  Per-run arrays are computed one value at a time (``math``), so a run
    in a batch gets the bits it gets alone; exact in SymPy, at the working precision in mpmath, and
    refused (TypeError) in Fractions (a logarithm)."""
    if t >= T:
        return beta3
    A = arith
    s = _fraction(t, T, A)
    if A is FLOAT:
        return _per_value(lambda b3, b0: _beta3_float(b3, b0, s), beta3, beta_start)
    recip = (1 - s) / A.log0(beta_start) + s / A.log0(beta3)   # 1/ln(beta_t); 1/ln 0 = 0
    beta_t = 1 - A.neg_expm1(A.safe_div(1, recip))             # exp(1/recip)
    return -A.maximum(-beta_t, -beta3)                         # min(beta_t, beta3)


class Ademamix(Optimizer):
    __doc__ = __doc__
    hparams = (
        LR,
        HParam("betas", "betas", r"(:math:`\beta_1`, :math:`\beta_2`) of the fast EMA and "
               r"of the second moment"),
        HParam("beta3", "unit", r":math:`\beta_3` of the slow EMA (its final value with "
               r"a warmup)"),
        HParam("alpha", "nonneg", r"mixing coefficient :math:`\alpha` of the slow EMA (its "
               r"final value with a warmup)"),
        HParam("eps", "nonneg", r":math:`\epsilon`, placed per ``eps_mode``"),
        HParam("weight_decay", "nonneg", r"decoupled decay :math:`\lambda`, multiplied by "
               r"lr: :math:`\theta - \eta(\ldots + \lambda\theta)`"),
        HParam("eps_mode", "choice", "'outside' (sqrt(vhat) + eps; the paper, optax eps) "
               "or 'inside' (sqrt(vhat + eps); optax eps_root)",
               choices=("outside", "inside")),
        HParam("alpha_warmup", "posint", r":math:`T_\alpha` of the linear warmup of "
               r":math:`\alpha` (1: none)"),
        HParam("beta3_warmup", "posint", r":math:`T_{\beta_3}` of the half-life warmup of "
               r":math:`\beta_3` from :math:`\beta_1` (1: none)"),
    )
    defaults = dict(lr=1e-3, betas=(0.9, 0.999), beta3=0.9999, alpha=5.0, eps=1e-8,
                    weight_decay=0.0, eps_mode="outside", alpha_warmup=1, beta3_warmup=1)
    State = AdemamixState
    arithmetics = ("float", "mpmath", "fraction", "sympy")

    def _init(self, p):
        z = arith_of(p).zeros_like(p)
        return AdemamixState(0, z, z.copy(), z.copy())

    def _step(self, g, p, s, h):
        A, t = h.arith, h.t
        lr, (b1, b2), eps, wd = h["lr"], h["betas"], h["eps"], h["weight_decay"]
        alpha = alpha_at(h["alpha"], t, self.hyper["alpha_warmup"], A)
        b3 = beta3_at(h["beta3"], b1, t, self.hyper["beta3_warmup"], A)
        m1 = ema_update(s.m1, b1, g)
        m2 = ema_update(s.m2, b3, g)
        v = ema_update(s.v, b2, g, g)
        c1, c2 = bias_correction(b1, t, A), bias_correction(b2, t, A)
        direction = adam_direction(m1 + (alpha * c1) * m2, v / c2, c1, c2, eps,
                                   self.hyper["eps_mode"], A)
        if not is_scalar_zero(wd):
            direction = direction + wd * p
        return p - lr * direction, AdemamixState(s.step + 1, m1, m2, v)


register("ademamix", Ademamix,
         family="ademamix", vhat="v_corrected",
         summary="AdEMAMix: Adam with a slow, uncorrected EMA mixed into the numerator "
                 "(Pagliardini, Ablin & Grangier 2024)",
         source="Pagliardini, Ablin & Grangier, arXiv:2409.03137 (ICLR 2025), Algorithm 1 "
                "and the schedulers f_alpha, f_beta3 of Sec. 3",
         frameworks={
             "optax": "optax.contrib.ademamix(b1, b2, b3, alpha, eps, eps_root, "
                      "weight_decay): eps_mode='outside' (eps) or 'inside' (eps_root, "
                      "eps=0); no warmups (alpha_warmup = beta3_warmup = 1)",
             "ademamix": "the authors' apple/ml-ademamix torch AdEMAMix(betas=(b1, b2, b3), "
                         "alpha, beta3_warmup, alpha_warmup): eps_mode='outside'; its "
                         "warmups as here up to ln(beta + 1e-8) and the cap at beta3",
             "paper": "Algorithm 1 with the schedulers: eps_mode='outside'",
         })
