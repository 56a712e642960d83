r"""Exact-arithmetic reference for Lion, ADOPT and AdEMAMix (see exact_reference_classic).

Each factory ``method(hp) -> step(theta, g, t)`` is transcribed from the paper's
algorithm box (SymPy Rationals; square roots, fourth roots, logarithms and
exponentials stay symbolic), with the framework conventions the registry entries name;
none is derived from ``numerics/optimizers``.  :data:`LAM_DEFAULTS` are the defaults of
the three entries, as the exact binary values of their float literals.
"""
from __future__ import annotations

import sympy
from sympy import Min, Rational, exp, log

from exact_reference_classic import Vec, at, l2_into_grad, vclip, vmax, vsqrt


def _x(value: float) -> Rational:
    """The exact value of a float literal (as the implementation receives it)."""
    return Rational(value)


LAM_DEFAULTS: dict[str, dict] = {
    "lion": dict(lr=_x(1e-4), betas=(_x(0.9), _x(0.99)), weight_decay=0,
                 decay_scaled_by_lr=True),
    "adopt": dict(lr=_x(1e-3), betas=(_x(0.9), _x(0.9999)), eps=_x(1e-6), weight_decay=0,
                  decoupled_weight_decay=False, clip=True),
    "ademamix": dict(lr=_x(1e-3), betas=(_x(0.9), _x(0.999)), beta3=_x(0.9999), alpha=5,
                     eps=_x(1e-8), weight_decay=0, eps_mode="outside", alpha_warmup=1,
                     beta3_warmup=1),
}


def lion(hp):
    r"""Lion (Chen et al., NeurIPS 2023, arXiv:2302.06675, Algorithm 2).

    :math:`c_t = \beta_1 m_{t-1} + (1-\beta_1) g_t`;
    :math:`\theta_t = \theta_{t-1} - \eta_t(\operatorname{sign}(c_t) + \lambda\theta_{t-1})`
    (``decay_scaled_by_lr``; else :math:`\theta_{t-1} - \eta_t\operatorname{sign}(c_t)
    - \lambda\theta_{t-1}`, Loshchilov & Hutter's form with multiplier 1);
    :math:`m_t = \beta_2 m_{t-1} + (1-\beta_2) g_t`; sign(0) = 0 (``jnp.sign`` in the
    paper's program).
    """
    lr, (b1, b2), wd = hp["lr"], hp["betas"], hp["weight_decay"]
    st = {}

    def step(theta, g, t):
        m = st.get("m", Vec.zeros(len(theta)))
        lr_t = at(lr, t)
        c = b1 * m + (1 - b1) * g
        s = Vec(sympy.sign(x) for x in c)
        if hp["decay_scaled_by_lr"]:
            new = theta - lr_t * (s + wd * theta)
        else:
            new = theta - lr_t * s - wd * theta
        st["m"] = b2 * m + (1 - b2) * g
        return new

    return step


def adopt(hp):
    r"""ADOPT (Taniguchi et al., NeurIPS 2024, arXiv:2411.02853, Algorithm 1; clipped as in
    the revised paper and the authors' code).

    :math:`v_0 = g_0^2`, :math:`m_0 = 0`; for :math:`s \ge 1`:
    :math:`m_s = \beta_1 m_{s-1} + (1-\beta_1)\operatorname{clip}(g_s/\max(\sqrt{v_{s-1}},
    \epsilon), s^{1/4})`, :math:`\theta_s = \theta_{s-1} - \alpha m_s`,
    :math:`v_s = \beta_2 v_{s-1} + (1-\beta_2) g_s^2`.  Call t of the implementation is
    the paper's :math:`s = t - 1`: call 1 only initializes :math:`v_0` (the authors' code
    and optax).  Weight decay as in the authors' code: L2 added to every gradient
    (``decoupled_weight_decay=False``), or :math:`\theta(1-\alpha_t\lambda)` before each
    moving step.
    """
    lr, (b1, b2), eps, wd = hp["lr"], hp["betas"], hp["eps"], hp["weight_decay"]
    decoupled = hp["decoupled_weight_decay"]
    st = {}

    def step(theta, g, t):
        if not decoupled:
            g = l2_into_grad(g, theta, wd)
        if t == 1:
            st.update(m=Vec.zeros(len(theta)), v=g * g)
            return theta
        s, lr_t = t - 1, at(lr, t)
        if decoupled:
            theta = theta * (1 - lr_t * wd)
        u = g / vmax(vsqrt(st["v"]), eps)
        if hp["clip"]:
            c = Rational(s) ** Rational(1, 4)
            u = vclip(u, -c, c)
        st["m"] = b1 * st["m"] + (1 - b1) * u
        st["v"] = b2 * st["v"] + (1 - b2) * g * g
        return theta - lr_t * st["m"]

    return step


def ademamix(hp):
    r"""AdEMAMix (Pagliardini, Ablin & Grangier, arXiv:2409.03137, Algorithm 1, with the
    schedulers of §3).

    :math:`\alpha_t = \min(t\alpha/T_\alpha, \alpha)`;
    :math:`\beta_{3,t} = \min(\exp(\ln\beta_1\ln\beta_3/((1-t/T_{\beta_3})\ln\beta_3 +
    (t/T_{\beta_3})\ln\beta_1)), \beta_3)` for :math:`t < T_{\beta_3}` (else
    :math:`\beta_3`; :math:`\beta_{\rm start} = \beta_1`);
    :math:`m^{(1)}_t = \beta_1 m^{(1)}_{t-1} + (1-\beta_1) g_t`,
    :math:`m^{(2)}_t = \beta_{3,t} m^{(2)}_{t-1} + (1-\beta_{3,t}) g_t`,
    :math:`v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2`;
    :math:`\theta_t = \theta_{t-1} - \eta_t((m^{(1)}_t/(1-\beta_1^t) + \alpha_t m^{(2)}_t)
    / (\sqrt{v_t/(1-\beta_2^t)} + \epsilon) + \lambda\theta_{t-1})`; ``eps_mode="inside"``
    (optax ``eps_root``): denominator :math:`\sqrt{v_t/(1-\beta_2^t) + \epsilon}`.
    Needs :math:`\beta_1, \beta_3 > 0` when a :math:`\beta_3` warmup is on.
    """
    lr, (b1, b2), eps, wd = hp["lr"], hp["betas"], hp["eps"], hp["weight_decay"]
    alpha, b3, t_alpha, t_beta3 = hp["alpha"], hp["beta3"], hp["alpha_warmup"], \
        hp["beta3_warmup"]
    st = {}

    def step(theta, g, t):
        if "m1" not in st:
            st.update(m1=Vec.zeros(len(theta)), m2=Vec.zeros(len(theta)),
                      v=Vec.zeros(len(theta)))
        lr_t = at(lr, t)
        a_t = Min(Rational(t) * alpha / t_alpha, alpha)
        if t < t_beta3:
            s = Rational(t, t_beta3)
            b3_t = Min(exp(log(b1) * log(b3) / ((1 - s) * log(b3) + s * log(b1))), b3)
        else:
            b3_t = b3
        m1 = st["m1"] = b1 * st["m1"] + (1 - b1) * g
        m2 = st["m2"] = b3_t * st["m2"] + (1 - b3_t) * g
        v = st["v"] = b2 * st["v"] + (1 - b2) * g * g
        vhat = v / (1 - b2 ** t)
        denom = vsqrt(vhat) + eps if hp["eps_mode"] == "outside" else vsqrt(vhat + eps)
        return theta - lr_t * ((m1 / (1 - b1 ** t) + a_t * m2) / denom + wd * theta)

    return step


METHODS = {"lion": lion, "adopt": adopt, "ademamix": ademamix}
