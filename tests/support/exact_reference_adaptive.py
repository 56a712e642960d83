r"""Exact-arithmetic reference for the Adam family (see exact_reference_classic).

Each factory ``method(hp) -> step(theta, g, t)`` is written from the paper's
algorithm box, with the framework conventions named in ``tests/API_SPEC.md``
(torch.optim documentation / optax semantics); none is derived from
``numerics/optimizers``.
"""
from __future__ import annotations

import sympy
from sympy import Rational, sqrt

from exact_reference_classic import (Vec, at, dot, l2_into_grad, norm, vabs, vclip,
                                     vmax, vsqrt)


def _decay(theta: Vec, g: Vec, lr_t, hp) -> tuple[Vec, Vec]:
    r"""Weight decay: coupled (:math:`g + \lambda\theta`, torch Adam) or decoupled
    (:math:`\theta(1-\gamma_t\lambda)` -- torch AdamW / NAdamW / RAdamW, optax
    adamw -- or :math:`\theta(1-\lambda)`, Loshchilov & Hutter Alg. 2 with
    :math:`\eta_t = 1`, when ``decay_scaled_by_lr`` is False)."""
    wd = hp["weight_decay"]
    if not hp.get("decoupled_weight_decay", False):
        return theta, l2_into_grad(g, theta, wd)
    scale = lr_t if hp.get("decay_scaled_by_lr", True) else 1
    return theta * (1 - scale * wd), g


def adam(hp):
    r"""Adam / AMSGrad / AdamW.

    Kingma & Ba, ICLR 2015 (arXiv:1412.6980v9), Algorithm 1:
    :math:`m_t = \beta_{1,t} m_{t-1} + (1-\beta_{1,t}) g_t`,
    :math:`v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2`,
    :math:`c_1 = 1-\beta_1^t`, :math:`c_2 = 1-\beta_2^t`,
    :math:`\theta_t = \theta_{t-1} - \alpha_t (m_t/c_1)/(\sqrt{v_t/c_2}+\epsilon)`.
    ``eps_mode``: "outside" = Algorithm 1; "efficient" = the reordering at the
    end of §2, :math:`\alpha_t\sqrt{c_2}/c_1 \cdot m_t/(\sqrt{v_t}+\hat\epsilon)`;
    "inside" = optax ``eps_root``, :math:`(m_t/c_1)/\sqrt{v_t/c_2+\epsilon}`;
    "max" = :math:`(m_t/c_1)/\max(\sqrt{v_t/c_2}, \epsilon)`; "root_square" =
    :math:`(m_t/c_1)/\sqrt{v_t/c_2+\epsilon^2}`.
    Scheduled :math:`\beta_{1,t}` (Thm. 4.1): ``beta1_correction`` "product"
    :math:`c_1 = 1-\prod_{s\le t}\beta_{1,s}` (the EMA's weight sum) or "power"
    :math:`c_1 = 1-\beta_{1,1}^t`.
    AMSGrad (Reddi, Kale & Kumar, ICLR 2018, Algorithm 2) -- ``amsgrad_mode``:
    "torch" (torch.optim.Adam docs: :math:`v^{max}_t=\max(v^{max}_{t-1}, v_t)`,
    used as :math:`v^{max}_t/c_2`), "optax" (optax.amsgrad: maximum of
    :math:`v_t/c_2`), "reddi" (Algorithm 2 verbatim: maximum of raw
    :math:`v_t`, no bias correction of m or v).
    AdamW: Loshchilov & Hutter, ICLR 2019, Algorithm 2 (see :func:`_decay`).
    """
    lr, (beta1, b2), eps = hp["lr"], hp["betas"], hp["eps"]
    ams, ams_mode, eps_mode = hp["amsgrad"], hp["amsgrad_mode"], hp["eps_mode"]
    st = {"prod1": sympy.Integer(1)}

    def step(theta, g, t):
        if "m" not in st:
            st.update(m=Vec.zeros(len(theta)), v=Vec.zeros(len(theta)),
                      vmax=Vec.zeros(len(theta)))
        lr_t, b1 = at(lr, t), at(beta1, t)
        theta, g = _decay(theta, g, lr_t, hp)
        m = st["m"] = b1 * st["m"] + (1 - b1) * g
        v = st["v"] = b2 * st["v"] + (1 - b2) * g * g
        st["prod1"] *= b1
        c1 = 1 - st["prod1"] if hp["beta1_correction"] == "product" \
            else 1 - at(beta1, 1) ** t
        c2 = 1 - b2 ** t
        vhat = v / c2
        if ams and ams_mode == "torch":
            st["vmax"] = vmax(st["vmax"], v)
            vhat = st["vmax"] / c2
        elif ams and ams_mode == "optax":
            vhat = st["vmax"] = vmax(st["vmax"], v / c2)
        elif ams:  # reddi
            vhat = st["vmax"] = vmax(st["vmax"], v)
            c1 = c2 = sympy.Integer(1)
        if eps_mode == "outside":
            direction = (m / c1) / (vsqrt(vhat) + eps)
        elif eps_mode == "efficient":
            direction = (sqrt(c2) / c1) * m / (vsqrt(c2 * vhat) + eps)
        elif eps_mode == "max":          # a floor: max(sqrt(vhat), eps) (pytorch PR #163407)
            direction = (m / c1) / vmax(vsqrt(vhat), eps)
        elif eps_mode == "root_square":  # sqrt(vhat + eps^2)
            direction = (m / c1) / vsqrt(vhat + eps * eps)
        else:
            direction = (m / c1) / vsqrt(vhat + eps)
        return theta - lr_t * direction

    return step


def adamax(hp):
    r"""AdaMax (Kingma & Ba 2015, Algorithm 2, §7.1).

    :math:`g_t \leftarrow g_t + \lambda\theta_{t-1}`,
    :math:`m_t = \beta_{1} m_{t-1} + (1-\beta_{1}) g_t`;
    ``eps_mode="torch"`` (torch.optim.Adamax docs):
    :math:`u_t = \max(\beta_2 u_{t-1}, |g_t|+\epsilon)`,
    :math:`\theta_t = \theta_{t-1} - \alpha_t/(1-\beta_1^t)\; m_t/u_t`;
    ``"outside"``: :math:`u_t = \max(\beta_2 u_{t-1}, |g_t|)` (Algorithm 2),
    :math:`\theta_t = \theta_{t-1} - \alpha_t (m_t/(1-\beta_1^t))/(u_t+\epsilon)`.
    A scheduled :math:`\beta_{1,t}` is corrected by
    :math:`1-\prod_{s\le t}\beta_{1,s}` ("product") or :math:`1-\beta_{1,1}^t`.
    """
    lr, (beta1, b2), eps, wd = hp["lr"], hp["betas"], hp["eps"], hp["weight_decay"]
    st = {"prod1": sympy.Integer(1)}

    def step(theta, g, t):
        if "m" not in st:
            st.update(m=Vec.zeros(len(theta)), u=Vec.zeros(len(theta)))
        lr_t, b1 = at(lr, t), at(beta1, t)
        g = l2_into_grad(g, theta, wd)
        m = st["m"] = b1 * st["m"] + (1 - b1) * g
        st["prod1"] *= b1
        c1 = 1 - st["prod1"] if hp.get("beta1_correction", "product") == "product" \
            else 1 - at(beta1, 1) ** t
        if hp["eps_mode"] == "torch":
            u = st["u"] = vmax(b2 * st["u"], vabs(g) + eps)
            return theta - (lr_t / c1) * m / u
        u = st["u"] = vmax(b2 * st["u"], vabs(g))
        return theta - lr_t * (m / c1) / (u + eps)

    return step


def nadam(hp):
    r"""NAdam (Dozat, ICLR 2016 workshop, "Incorporating Nesterov Momentum into Adam").

    ``variant="torch"`` (torch.optim.NAdam docs, Dozat's momentum schedule):
    :math:`\mu_t = \beta_1(1-\tfrac12\,0.96^{t\psi})`, :math:`m_t, v_t` as Adam
    with :math:`\beta_1`, :math:`\hat v_t = v_t/(1-\beta_2^t)`,
    :math:`\theta_t = \theta_{t-1} - \alpha_t\big[\frac{\mu_{t+1} m_t}{1-\prod_{i\le t+1}
    \mu_i} + \frac{(1-\mu_t) g_t}{1-\prod_{i\le t}\mu_i}\big]/(\sqrt{\hat v_t}+\epsilon)`.
    ``variant="optax"`` (optax.nadam = scale_by_adam(nesterov=True), no schedule):
    :math:`\hat m_t = \beta_1 m_t/(1-\beta_1^{t+1}) + (1-\beta_1) g_t/(1-\beta_1^t)`,
    :math:`\theta_t = \theta_{t-1} - \alpha_t\hat m_t/(\sqrt{\hat v_t}+\epsilon)`.
    Weight decay coupled, or decoupled :math:`\theta(1-\alpha_t\lambda)` (torch NAdamW).
    """
    lr, (b1, b2), eps, psi = hp["lr"], hp["betas"], hp["eps"], hp["momentum_decay"]
    st = {"prod": sympy.Integer(1)}

    def mu(t):
        return b1 * (1 - Rational(1, 2) * Rational(96, 100) ** (t * psi))

    def step(theta, g, t):
        if "m" not in st:
            st.update(m=Vec.zeros(len(theta)), v=Vec.zeros(len(theta)))
        lr_t = at(lr, t)
        theta, g = _decay(theta, g, lr_t, hp)
        m = st["m"] = b1 * st["m"] + (1 - b1) * g
        v = st["v"] = b2 * st["v"] + (1 - b2) * g * g
        denom = vsqrt(v / (1 - b2 ** t)) + eps
        if hp["variant"] == "torch":
            st["prod"] *= mu(t)
            mhat = (mu(t + 1) / (1 - st["prod"] * mu(t + 1))) * m \
                + ((1 - mu(t)) / (1 - st["prod"])) * g
        else:
            mhat = (b1 / (1 - b1 ** (t + 1))) * m + ((1 - b1) / (1 - b1 ** t)) * g
        return theta - lr_t * mhat / denom

    return step


def radam(hp):
    r"""RAdam (Liu et al., ICLR 2020, Algorithm 2; torch.optim.RAdam docs).

    :math:`\rho_\infty = 2/(1-\beta_2) - 1`,
    :math:`\rho_t = \rho_\infty - 2t\beta_2^t/(1-\beta_2^t)`,
    :math:`\hat m_t = m_t/(1-\beta_1^t)`.  If :math:`\rho_t >` ``threshold``:
    :math:`r_t = \sqrt{\frac{(\rho_t-4)(\rho_t-2)\rho_\infty}{(\rho_\infty-4)
    (\rho_\infty-2)\rho_t}}` and
    :math:`\theta_t = \theta_{t-1} - \alpha_t r_t\hat m_t\,\ell_t` with
    :math:`\ell_t = \sqrt{1-\beta_2^t}/(\sqrt{v_t}+\epsilon)` ("efficient", torch)
    or :math:`1/(\sqrt{v_t/(1-\beta_2^t)}+\epsilon)` ("outside", optax);
    otherwise :math:`\theta_t = \theta_{t-1} - \alpha_t\hat m_t`.
    Weight decay coupled, or decoupled :math:`\theta(1-\alpha_t\lambda)` (torch RAdamW).
    A case whose :math:`\rho_t` equals the threshold exactly is refused
    (torch uses ``>``, optax ``>=``).
    """
    lr, (b1, b2), eps, thr = hp["lr"], hp["betas"], hp["eps"], hp["threshold"]
    st = {}

    def step(theta, g, t):
        if not st:
            st.update(m=Vec.zeros(len(theta)), v=Vec.zeros(len(theta)))
        lr_t = at(lr, t)
        theta, g = _decay(theta, g, lr_t, hp)
        m = st["m"] = b1 * st["m"] + (1 - b1) * g
        v = st["v"] = b2 * st["v"] + (1 - b2) * g * g
        c2 = 1 - b2 ** t
        mhat = m / (1 - b1 ** t)
        rho_inf = 2 / (1 - b2) - 1
        rho = rho_inf - 2 * t * b2 ** t / c2
        if rho == thr:
            raise ValueError(f"rho_t == threshold at t={t}: torch and optax differ")
        if not rho > thr:
            return theta - lr_t * mhat
        r = sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))
        if hp["eps_mode"] == "efficient":
            ell = sqrt(c2) / (vsqrt(v) + eps)
        else:
            ell = 1 / (vsqrt(v / c2) + eps)
        return theta - lr_t * r * mhat * ell

    return step


def adabound(hp):
    r"""AdaBound / AMSBound (Luo, Xiong, Liu & Sun, ICLR 2019).

    Bounds :math:`\eta_l(t) = \alpha^*(1 - 1/(\gamma t+1))`,
    :math:`\eta_u(t) = \alpha^*(1 + 1/(\gamma t))` (``final_lr`` :math:`\alpha^*`).
    :math:`g_t \leftarrow g_t + \lambda\theta_{t-1}`; m, v as Adam; AMSBound
    (Algorithm 3) uses :math:`\hat v_t = \max(\hat v_{t-1}, v_t)` in place of v.
    ``form="code"`` (the authors' released ``adabound.py``):
    :math:`\theta_t = \theta_{t-1} - \mathrm{clip}\big(\alpha_t\sqrt{1-\beta_2^t}/
    (1-\beta_1^t)/(\sqrt{v_t}+\epsilon), \eta_l, \eta_u\big)\, m_t`, where the
    released code scales the bounds with a scheduled lr ("final_lr is scaled
    accordingly": ``final_lr * lr / base_lr``), i.e. :math:`\alpha^*` becomes
    :math:`\alpha^*\alpha_t/\alpha_1`.
    ``form="paper"`` (Algorithms 2/3, no bias correction, fixed bounds,
    :math:`\beta_{1,t}` may follow a schedule):
    :math:`\eta_t = \mathrm{clip}(\alpha_t/(\sqrt{v_t}+\epsilon), \eta_l, \eta_u)/\sqrt t`,
    :math:`\theta_t = \theta_{t-1} - \eta_t m_t`.
    """
    lr, (beta1, b2), eps, wd = hp["lr"], hp["betas"], hp["eps"], hp["weight_decay"]
    gamma = hp["gamma"]
    st = {}

    def step(theta, g, t):
        if not st:
            st.update(m=Vec.zeros(len(theta)), v=Vec.zeros(len(theta)),
                      vmax=Vec.zeros(len(theta)))
        lr_t, b1 = at(lr, t), at(beta1, t)
        g = l2_into_grad(g, theta, wd)
        m = st["m"] = b1 * st["m"] + (1 - b1) * g
        v = st["v"] = b2 * st["v"] + (1 - b2) * g * g
        if hp["amsbound"]:
            v = st["vmax"] = vmax(st["vmax"], v)
        fl = hp["final_lr"] * (lr_t / at(lr, 1) if hp["form"] == "code" else 1)
        lower, upper = fl * (1 - 1 / (gamma * t + 1)), fl * (1 + 1 / (gamma * t))
        if hp["form"] == "code":
            size = lr_t * sqrt(1 - b2 ** t) / (1 - b1 ** t) / (vsqrt(v) + eps)
            return theta - vclip(size, lower, upper) * m
        return theta - vclip(lr_t / (vsqrt(v) + eps), lower, upper) / sqrt(t) * m

    return step


def adamp(hp):
    r"""AdamP (Heo et al., ICLR 2021, Algorithm 2 and the released ``adamp.py``).

    One run's d-vector is one weight tensor (layer view).  m, v as Adam;
    :math:`p_t = m_t/(\sqrt{v_t}/\sqrt{1-\beta_2^t}+\epsilon)` or, with nesterov,
    :math:`(\beta_1 m_t + (1-\beta_1) g_t)/(\ldots)`.  If
    :math:`|\cos(g_t, \theta_{t-1})| < \delta/\sqrt d` with
    :math:`\cos = \langle g,\theta\rangle/(\max(\|g\|,\epsilon)\max(\|\theta\|,\epsilon))`
    (torch.nn.functional.cosine_similarity docs): project
    :math:`p_t \leftarrow p_t - \hat\theta\langle\hat\theta, p_t\rangle` with
    :math:`\hat\theta = \theta_{t-1}/(\|\theta_{t-1}\|+\epsilon)` and use
    ``wd_ratio`` :math:`\omega` (else :math:`\omega = 1`);
    :math:`\theta \leftarrow \theta_{t-1}(1-\alpha_t\lambda\omega)`,
    :math:`\theta_t = \theta - \alpha_t/(1-\beta_1^t)\; p_t`.
    The raw gradient (no weight decay folded in) enters m, v and the cosine.
    A cosine within 1e-12 of the threshold is refused (ambiguous in floats).
    """
    lr, (b1, b2), eps, wd = hp["lr"], hp["betas"], hp["eps"], hp["weight_decay"]
    st = {}

    def step(theta, g, t):
        if not st:
            st.update(m=Vec.zeros(len(theta)), v=Vec.zeros(len(theta)))
        lr_t = at(lr, t)
        m = st["m"] = b1 * st["m"] + (1 - b1) * g
        v = st["v"] = b2 * st["v"] + (1 - b2) * g * g
        denom = vsqrt(v) / sqrt(1 - b2 ** t) + eps
        p = (b1 * m + (1 - b1) * g) / denom if hp["nesterov"] else m / denom
        cos = abs(dot(g, theta)) / (sympy.Max(norm(g), eps) * sympy.Max(norm(theta), eps))
        bound = hp["delta"] / sqrt(len(theta))
        gap = sympy.N(cos - bound, 50)
        if abs(gap) < 1e-12:
            raise ValueError(f"AdamP: cosine {sympy.N(cos)} at the threshold at t={t}")
        ratio = 1
        if gap < 0:
            unit = theta / (norm(theta) + eps)
            p = p - unit * dot(unit, p)
            ratio = hp["wd_ratio"]
        theta = theta * (1 - lr_t * wd * ratio)
        return theta - (lr_t / (1 - b1 ** t)) * p

    return step
