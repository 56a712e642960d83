r"""Exact-arithmetic reference for Schedule-Free AdamW (see exact_reference_classic).

Written from Defazio, Yang, Mehta, Mishchenko, Khaled & Cutkosky, "The Road Less
Scheduled", NeurIPS 2024 (arXiv:2405.15682), Algorithm 1, and from the documented
rule of optax.contrib.schedule_free_adamw (optax 0.2.8,
optax/contrib/_schedule_free.py) -- not from ``numerics/optimizers``.
"""
from __future__ import annotations

import sympy
from sympy import Integer, Max, Rational, sqrt

from exact_reference_classic import Vec, at, vsqrt


def schedule_free_adamw(hp):
    r"""Schedule-Free AdamW.

    The iterate the step receives and returns is :math:`y` (where the gradient is
    taken).  With :math:`x_1 = z_1 = y_1 = \theta_0`, :math:`v_0 = 0`, step t:
    :math:`v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2`;
    :math:`s_t = \min(1, t/T_{\rm warmup})`;
    ``bias_correction="lr"`` (Algorithm 1 as printed):
    :math:`\gamma_t = \gamma s_t\sqrt{1-\beta_2^t}` and
    :math:`z_{t+1} = z_t - \gamma_t g_t/(\sqrt{v_t}+\epsilon) - \gamma_t\lambda y_t`;
    ``"v"`` (optax): :math:`\gamma_t = \gamma s_t` and
    :math:`z_{t+1} = z_t - \gamma_t(g_t/(\sqrt{v_t/(1-\beta_2^t)}+\epsilon) + \lambda y_t)`;
    both: :math:`c_{t+1} = M_t^2/\sum_{i\le t} M_i^2` with
    :math:`M_i = \max_{j\le i}\gamma_j` (the running maximum of both implementations;
    Algorithm 1's :math:`\gamma_t^2` for non-decreasing :math:`\gamma_t`),
    :math:`x_{t+1} = (1-c_{t+1}) x_t + c_{t+1} z_{t+1}`,
    :math:`y_{t+1} = (1-\beta_1) z_{t+1} + \beta_1 x_{t+1}`.
    """
    lr, (b1, b2), eps = hp["lr"], hp["betas"], hp["eps"]
    lam, warm, mode = hp["weight_decay"], hp["warmup_steps"], hp["bias_correction"]
    st = {"gammas": []}

    def step(y, g, t):
        if "z" not in st:
            st.update(z=y, x=y, v=Vec.zeros(len(y)))
        v = st["v"] = b2 * st["v"] + (1 - b2) * g * g
        sched = Rational(min(t, warm), warm)
        if mode == "lr":
            gamma = at(lr, t) * sched * sqrt(1 - b2 ** t)
            z = st["z"] - gamma * g / (vsqrt(v) + eps) - gamma * lam * y
        else:
            gamma = at(lr, t) * sched
            z = st["z"] - gamma * (g / (vsqrt(v / (1 - b2 ** t)) + eps) + lam * y)
        st["gammas"].append(gamma)
        maxima = [Max(*st["gammas"][:i + 1]) for i in range(len(st["gammas"]))]
        c = maxima[-1] ** 2 / sympy.Add(*[m ** 2 for m in maxima])
        x = (1 - c) * st["x"] + c * z
        st["z"], st["x"] = z, x
        return (1 - b1) * z + b1 * x

    return step


DEFAULTS = dict(lr=Rational(0.0025), betas=(Rational(0.9), Rational(0.999)),
                eps=Rational(1e-8), weight_decay=Integer(0), warmup_steps=1,
                bias_correction="lr")
