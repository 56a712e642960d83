r"""Exact-arithmetic reference for Yogi, AdaBelief and LaProp (see exact_reference_classic).

Each factory ``method(hp) -> step(theta, g, t)`` is transcribed from the paper's
algorithm box and, for the framework conventions, from the frameworks' published
update rules (optax's ``scale_by_yogi`` / ``scale_by_belief``, adabelief-pytorch,
the LaProp authors' ``laprop.py``) -- none is derived from ``numerics/optimizers``.
SymPy throughout: ``sympy.sign`` for Yogi's sign, symbolic square roots.
"""
from __future__ import annotations

import sympy
from sympy import Rational, sign

from exact_reference_classic import Vec, at, l2_into_grad, vsqrt

_BETAS = (Rational(0.9), Rational(0.999))   # exact binary values of the float literals
YAB_DEFAULTS: dict[str, dict] = {
    # Yogi: Algorithm 2 (v_0 = 0, no bias correction); torch-optimizer's lr, betas, eps
    "yogi": dict(lr=Rational(1e-2), betas=_BETAS, eps=Rational(1e-3), weight_decay=0,
                 initial_accumulator_value=0, variant="paper"),
    # AdaBelief: Algorithm 2's eps placement; adabelief-pytorch's lr, betas, eps, decay flags
    "adabelief": dict(lr=Rational(1e-3), betas=_BETAS, eps=Rational(1e-16), eps_mode="paper",
                      weight_decay=0, decoupled_weight_decay=True, decay_scaled_by_lr=True),
    # LaProp: Algorithm 1; the authors' laprop.py lr, betas, eps
    "laprop": dict(lr=Rational(4e-4), betas=_BETAS, eps=Rational(1e-15), weight_decay=0,
                   form="paper"),
}


def yogi(hp):
    r"""Yogi (Zaheer, Reddi, Sachan, Kale & Kumar, NeurIPS 2018, Algorithm 2).

    :math:`g_t \leftarrow g_t + \lambda\theta_{t-1}`,
    :math:`m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t`,
    :math:`v_t = v_{t-1} - (1-\beta_2)\,\mathrm{sign}(v_{t-1} - g_t^2)\,g_t^2`
    (:math:`\mathrm{sign}(0) = 0`).  ``variant="paper"``: :math:`m_0 = 0`,
    :math:`v_0` = ``initial_accumulator_value``,
    :math:`\theta_t = \theta_{t-1} - \eta_t m_t/(\sqrt{v_t}+\epsilon)`.
    ``variant="optax"`` (optax.scale_by_yogi, torch_optimizer.Yogi):
    :math:`m_0 = v_0` = ``initial_accumulator_value``, and
    :math:`\theta_t = \theta_{t-1} - \eta_t (m_t/(1-\beta_1^t))/(\sqrt{v_t/(1-\beta_2^t)}
    +\epsilon)`.
    """
    lr, (b1, b2), eps = hp["lr"], hp["betas"], hp["eps"]
    wd, v0, variant = hp["weight_decay"], hp["initial_accumulator_value"], hp["variant"]
    st = {}

    def step(theta, g, t):
        if not st:
            d = len(theta)
            st["v"] = Vec([v0] * d)
            st["m"] = Vec([v0] * d) if variant == "optax" else Vec.zeros(d)
        g = l2_into_grad(g, theta, wd)
        m = st["m"] = b1 * st["m"] + (1 - b1) * g
        v = st["v"] = Vec(vi - (1 - b2) * sign(vi - gi ** 2) * gi ** 2
                          for vi, gi in zip(st["v"], g))
        if variant == "optax":
            return theta - at(lr, t) * (m / (1 - b1 ** t)) / (vsqrt(v / (1 - b2 ** t)) + eps)
        return theta - at(lr, t) * m / (vsqrt(v) + eps)

    return step


def adabelief(hp):
    r"""AdaBelief (Zhuang et al., NeurIPS 2020, arXiv:2010.07468v2, Algorithm 2).

    :math:`m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t`,
    :math:`s_t = \beta_2 s_{t-1} + (1-\beta_2)(g_t - m_t)^2 + \epsilon`,
    :math:`\hat m_t = m_t/(1-\beta_1^t)`, :math:`\hat s_t = (s_t+\epsilon)/(1-\beta_2^t)`,
    :math:`\theta_t = \theta_{t-1} - \alpha_t\hat m_t/(\sqrt{\hat s_t}+\epsilon)`
    (``eps_mode="paper"``).  ``"code"`` (adabelief-pytorch, rectify=False; optax with
    eps_root = eps): :math:`\hat s_t = s_t/(1-\beta_2^t)`.  ``"outside"`` (optax,
    eps_root = 0): no :math:`\epsilon` in :math:`s_t` either.  Weight decay as
    adabelief-pytorch: ``weight_decouple`` :math:`\theta(1-\alpha_t\lambda)`
    (``fixed_decay``: :math:`\theta(1-\lambda)`) before the step, else
    :math:`g_t + \lambda\theta_{t-1}`.
    """
    lr, (b1, b2), eps, mode = hp["lr"], hp["betas"], hp["eps"], hp["eps_mode"]
    wd = hp["weight_decay"]
    st = {}

    def step(theta, g, t):
        if not st:
            st.update(m=Vec.zeros(len(theta)), s=Vec.zeros(len(theta)))
        lr_t = at(lr, t)
        if hp["decoupled_weight_decay"]:
            theta = theta * (1 - (lr_t * wd if hp["decay_scaled_by_lr"] else wd))
        else:
            g = l2_into_grad(g, theta, wd)
        m = st["m"] = b1 * st["m"] + (1 - b1) * g
        r = g - m
        s = st["s"] = b2 * st["s"] + (1 - b2) * r * r + (0 if mode == "outside" else eps)
        s_hat = ((s + eps) if mode == "paper" else s) / (1 - b2 ** t)
        return theta - lr_t * (m / (1 - b1 ** t)) / (vsqrt(s_hat) + eps)

    return step


def laprop(hp):
    r"""LaProp (Ziyin, Wang & Ueda, arXiv:2002.04839, Algorithm 1).

    :math:`n_t = \nu n_{t-1} + (1-\nu) g_t^2`, :math:`c_n = 1-\nu^t`, :math:`c_m = 1-\mu^t`,
    ``form="paper"``: :math:`m_t = \mu m_{t-1} + (1-\mu) g_t/(\sqrt{n_t/c_n}+\epsilon)`,
    :math:`\theta_t = \theta_{t-1} - \lambda_t m_t/c_m`.
    ``form="code"`` (the authors' laprop.py): :math:`m_t = \mu m_{t-1} + (1-\mu)\lambda_t
    g_t/(\sqrt{n_t/c_n}+\epsilon)`, :math:`L_t = \mu L_{t-1} + (1-\mu)\lambda_t`,
    :math:`\theta_t = \theta_{t-1} - (\lambda_t/L_t) m_t`.
    Weight decay (the code's): :math:`\theta_t \leftarrow \theta_t - \lambda_{wd}\theta_t`
    after the step.
    """
    lr, (mu, nu), eps, wd = hp["lr"], hp["betas"], hp["eps"], hp["weight_decay"]
    st = {"L": sympy.Integer(0)}

    def step(theta, g, t):
        if "m" not in st:
            st.update(m=Vec.zeros(len(theta)), n=Vec.zeros(len(theta)))
        lr_t = at(lr, t)
        n = st["n"] = nu * st["n"] + (1 - nu) * g * g
        u = g / (vsqrt(n / (1 - nu ** t)) + eps)
        if hp["form"] == "code":
            m = st["m"] = mu * st["m"] + (1 - mu) * lr_t * u
            st["L"] = mu * st["L"] + (1 - mu) * lr_t
            theta = theta - (lr_t / st["L"]) * m
        else:
            m = st["m"] = mu * st["m"] + (1 - mu) * u
            theta = theta - lr_t * m / (1 - mu ** t)
        return theta - wd * theta

    return step
