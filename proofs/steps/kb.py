r"""Kingma & Ba's proof of their Theorem 4.1 (= Theorem 10.5 of the appendix), step by step.

Source: D. P. Kingma and J. Ba, "Adam: A Method for Stochastic Optimization",
ICLR 2015, arXiv:1412.6980v9, Appendix §10 (Lemma 10.2 = convexity, Lemmas 10.3
and 10.4, the proof of Theorem 10.5).  One coordinate i is followed; the proof
sums over i at the end.  :func:`build` returns the :class:`~adamlab.proofs.steps.proof.Proof`;
its module-level checks are looked up when it is built, so a test can replace one.

Local checks (the ledger decides the linked IDs):

* :func:`check_update` -- squaring the update
  :math:`\theta_{t+1}=\theta_t-\alpha_t\hat m_t/\sqrt{\hat v_t}` with
  :math:`\hat m_t=(\beta_{1,t}m_{t-1}+(1-\beta_{1,t})g_t)/(1-\beta_1^t)` and solving for
  :math:`g_{t,i}(\theta_{t,i}-\theta^*_i)` (a SymPy identity);
* :func:`check_coefficient` -- the per-round bound
  :math:`\frac{1-\beta_1^t}{1-\beta_{1,t}}X_t \le \frac{1}{1-\beta_1}X_t`, where
  :math:`X_t = (\theta_{t,i}-\theta^*_i)^2-(\theta_{t+1,i}-\theta^*_i)^2`: searched for a
  violation on Adam runs computed exactly: the registry's ``adam`` replayed on SymPy
  rationals and square roots (:func:`coefficient_sides`).
"""
from __future__ import annotations

from fractions import Fraction

import sympy as sp

from adamlab.numerics import optimizers
from adamlab.numerics.optimizers import arith

from .. import claims
from ..checks.adam_exact import ADAM_KB
from ..methods import games
from . import local as pl
from .proof import Outcome, Proof, Step

SOURCE = "Kingma & Ba, ICLR 2015, arXiv:1412.6980v9, Appendix §10"
RERUN = ("sum over the rows of adamlab.proofs.steps.kb.coefficient_sides(witness['instance'])"
         " of 'lhs' and of 'rhs'")


def check_update(thorough: bool = False) -> Outcome:
    x, g, mp_, s, a, b1t, p = sp.symbols("x g m_prev s a b1t p", real=True)
    mhat = (b1t * mp_ + (1 - b1t) * g) / (1 - p)
    xn = x - a * mhat / s
    rhs = ((1 - p) * s / (2 * a * (1 - b1t)) * (x**2 - xn**2) + b1t / (1 - b1t) * (-x) * mp_
           + a * (1 - p) * s / (2 * (1 - b1t)) * (mhat / s) ** 2)
    return pl.identity(g * x - rhs, "g x = (1-b1^t) s/(2 a (1-b1t)) (x^2 - x_next^2) + "
                                    "b1t/(1-b1t) (-x) m_prev + a (1-b1^t) s/(2(1-b1t)) "
                                    "(mhat/s)^2 with x_next = x - a mhat/s")


def coefficient_sides(instance: dict) -> list[dict]:
    r"""Adam (Algorithm 1, :math:`\epsilon=0`, :math:`\alpha_t=\alpha/\sqrt t`,
    :math:`\beta_{1,t}=\beta_1\lambda^{t-1}`), one coordinate, exactly (SymPy).  ``instance``:
    ``beta1, beta2, lam, alpha, theta1, theta_star`` and ``gradients`` (rationals or 'p/q').
    For each round t: both sides of the per-round bound (the first term of the printed
    inequality), :math:`c_t\sqrt{\hat v_t}X_t/(2\alpha_t)` and
    :math:`\sqrt{\hat v_t}X_t/(2\alpha_t(1-\beta_1))`, with the iterates.

    The iterates are the registry's ``adam`` (:data:`~adamlab.proofs.checks.adam_exact.ADAM_KB`:
    bias correction :math:`1-\beta_1^t`) replayed on exact SymPy numbers
    (:func:`~adamlab.numerics.optimizers.arith.sympy_arith`); :math:`\alpha_t`,
    :math:`\beta_{1,t}` are its hyperparameters at step t and :math:`\hat v_t` its second
    moment ``v`` over :math:`1-\beta_2^t`."""
    r = {k: sp.Rational(str(Fraction(v))) for k, v in instance.items() if k != "gradients"}
    gs = [sp.Rational(str(Fraction(v))) for v in instance["gradients"]]
    b1, b2, lam, alpha = r["beta1"], r["beta2"], r["lam"], r["alpha"]
    if not (0 <= b1 < 1 and 0 <= b2 < 1 and 0 < lam < 1 and alpha > 0):
        raise ValueError("instance: need 0 <= beta1, beta2 < 1, 0 < lam < 1, alpha > 0")
    A = arith.sympy_arith()
    opt = games.build("adam", ADAM_KB["fixed"], ADAM_KB["hyper"],
                      {"alpha": alpha, "beta1": b1, "beta2": b2, "lam": lam}, A, 1)
    rows = []
    for t, h, (th,), (nxt,), state in games.replay_exact(opt, [r["theta1"]], [[g] for g in gs]):
        at, (b1t, b2_) = h["lr"], h["betas"]
        vh = state.v[0, 0] / optimizers.bias_correction(b2_, t, A)
        if vh == 0:
            raise ValueError(f"vhat_{t} = 0: the step is undefined")
        X = (th - r["theta_star"]) ** 2 - (nxt - r["theta_star"]) ** 2
        base = sp.sqrt(vh) * X / (2 * at)
        rows.append({"t": t, "theta": th, "theta_next": nxt,
                     "lhs": (1 - b1**t) / (1 - b1t) * base, "rhs": base / (1 - b1)})
    return rows


def _best_fixed(gs, thetas):
    """theta* for linear losses g_t theta on F = the iterates' hull (None if sum g = 0)."""
    tot = sum(gs)
    if tot == 0:
        return None
    key = lambda z: sp.N(z, 30)      # noqa: E731  (iterates are exact algebraic numbers)
    return min(thetas, key=key) if tot > 0 else max(thetas, key=key)


_DEFAULTS = {"beta1": Fraction(9, 10), "beta2": Fraction(999, 1000),
             "lam": 1 - Fraction(1, 10**8), "alpha": Fraction(1, 1000), "theta1": Fraction(0)}
_CANDIDATES = ((1, -2), (-1, 2), (1, 1), (1, Fraction(-1, 2), -2), (2, -1, -1, -1))


def check_coefficient(thorough: bool = False) -> Outcome:
    r"""Search structured Adam runs for :math:`\sum_t c_tB_tX_t > \sum_t B_tX_t/(1-\beta_1)`
    (:math:`B_t = \sqrt{\hat v_t}/(2\alpha_t)`), summed over all T rounds as in the proof."""
    params = [_DEFAULTS, dict(_DEFAULTS, beta1=Fraction(1, 2), beta2=Fraction(1, 2),
                              lam=Fraction(1, 2), alpha=Fraction(1, 10))]
    tried = 0
    for par in params:
        for gs in _CANDIDATES[: None if thorough else 3]:
            gs = [Fraction(v) for v in gs]
            inst = dict(par, gradients=gs, theta_star=0)
            rows = coefficient_sides(inst)
            thetas = [rows[0]["theta"]] + [rw["theta_next"] for rw in rows]
            star = _best_fixed([sp.Rational(str(v)) for v in gs], thetas)
            if star is None or not star.is_Rational:
                continue
            inst["theta_star"] = Fraction(int(star.p), int(star.q))
            rows = coefficient_sides(inst)
            tried += 1
            lhs, rhs = sum(rw["lhs"] for rw in rows), sum(rw["rhs"] for rw in rows)
            if pl.certify_gt(lhs, rhs):
                away = pl.moving_away(rows)
                w = pl.witness(inst, len(gs), lhs, rhs,
                               "f_t(theta) = g_t theta on F = the hull of the iterates "
                               "theta_1..theta_(T+1); theta* is its best fixed point; both sides "
                               f"summed over t = 1..T; in round(s) {away} the iterate moves away "
                               "from theta* (X_t < 0), where the larger coefficient 1/(1-b1) "
                               "makes the right side smaller", RERUN)
                return Outcome("refuted", f"Adam with (b1, b2, lambda, alpha) = "
                               f"({pl.q(par['beta1'])}, {pl.q(par['beta2'])}, {pl.q(par['lam'])}, "
                               f"{pl.q(par['alpha'])}), T = {len(gs)}, g = "
                               f"({', '.join(pl.q(v) for v in gs)}), theta* = "
                               f"{pl.q(inst['theta_star'])}: summed left {w['lhs'][:12]} > summed "
                               f"right {w['rhs'][:12]} (exact, certified at {pl.DIGITS} digits); "
                               f"X_t < 0 in round(s) {away}", w)
    return Outcome("unproved", f"no violation among {tried} structured runs (this is not "
                               "a proof)")


def check_young(thorough: bool = False) -> Outcome:
    return pl.young(thorough)


def check_convexity(thorough: bool = False) -> Outcome:
    return pl.convexity(thorough)


_X = r"(\theta_{t,i}-\theta^*_{,i})"
_XN = r"(\theta_{t+1,i}-\theta^*_{,i})"


def build() -> Proof:
    """The proof of KB Theorem 4.1 as printed (their Theorem 10.5), each step linked."""
    steps = (
        Step("Convexity lower bound (Lemma 10.2)",
             r"f_t(\theta_t) - f_t(\theta^*) \le g_t^\top(\theta_t-\theta^*) = \sum_{i=1}^d "
             r"g_{t,i}" + _X + r",\quad\text{so}\quad R(T) \le \sum_{t=1}^T\sum_{i=1}^d g_{t,i}" + _X,
             r"For a convex differentiable $f$, $f(y) \ge f(x) + \nabla f(x)^\top(y-x)$ "
             r"(the tangent lies below the graph); take $x = \theta_t$, $y = \theta^*$.",
             check=check_convexity, source="KB Lemma 10.2"),
        Step("The update, squared and rearranged",
             r"g_{t,i}" + _X + r" = \frac{(1-\beta_1^t)\sqrt{\hat v_{t,i}}}{2\alpha_t(1-\beta_{1,t})}"
             r"\Bigl(" + _X + r"^2-" + _XN + r"^2\Bigr) + \frac{\beta_{1,t}}{1-\beta_{1,t}}"
             r"(\theta^*_{,i}-\theta_{t,i})m_{t-1,i} + \frac{\alpha_t(1-\beta_1^t)\sqrt{\hat v_{t,i}}}"
             r"{2(1-\beta_{1,t})}\Bigl(\frac{\hat m_{t,i}}{\sqrt{\hat v_{t,i}}}\Bigr)^2",
             r"Subtract $\theta^*$ from $\theta_{t+1} = \theta_t - \alpha_t\hat m_t/\sqrt{\hat v_t}$, "
             r"write $\hat m_t = (\beta_{1,t}m_{t-1} + (1-\beta_{1,t})g_t)/(1-\beta_1^t)$, square, "
             r"and solve for the term with $g_{t,i}$. Pure algebra: an identity.",
             check=check_update, source="KB proof of Thm 10.5, first displays"),
        Step("Young's inequality on the momentum term",
             r"(\theta^*_{,i}-\theta_{t,i})m_{t-1,i} \le \frac{" + _X + r"^2\sqrt{\hat v_{t-1,i}}}"
             r"{2\alpha_{t-1}} + \frac{\alpha_{t-1}m_{t-1,i}^2}{2\sqrt{\hat v_{t-1,i}}}",
             r"$ab \le (a^2+b^2)/2$ with $a = (\theta^*_{,i}-\theta_{t,i})\hat v_{t-1,i}^{1/4}/"
             r"\sqrt{\alpha_{t-1}}$ and $b = \sqrt{\alpha_{t-1}}\,m_{t-1,i}/\hat v_{t-1,i}^{1/4}$.",
             check=check_young, source="KB proof of Thm 10.5, second display"),
        Step("Coefficients replaced by their largest value",
             r"\sum_{t=1}^T\frac{(1-\beta_1^t)\sqrt{\hat v_{t,i}}}{2\alpha_t(1-\beta_{1,t})}X_t \le "
             r"\sum_{t=1}^T\frac{\sqrt{\hat v_{t,i}}}{2\alpha_t(1-\beta_1)}X_t,\qquad X_t = "
             + _X + r"^2-" + _XN + r"^2",
             r"The paper bounds $(1-\beta_1^t)/(1-\beta_{1,t})$ by $1/(1-\beta_1)$ in each round "
             r"(true, since $\beta_{1,t} \le \beta_1$ and $1-\beta_1^t \le 1$) and then sums over "
             r"$t$. Multiplying $c_t \le c$ by $X_t$ keeps the direction only when $X_t \ge 0$, "
             r"i.e. when round $t$ does not move $\theta_{t,i}$ away from $\theta^*_{,i}$.",
             check=check_coefficient, source="KB proof of Thm 10.5, second display, summed over t",
             on_failure=r"In a round that moves the iterate away from $\theta^*$ ($X_t < 0$) the "
                        r"larger coefficient makes the right side *smaller*; the witness's sums "
                        r"over all its rounds violate the inequality, not just one term. (The "
                        r"same replacement of $\beta_{1,t}$ by $\beta_1$ recurs in Reddi et al.'s "
                        r"proof, see `adamlab prove rkk.thm4`; Tran Thi Phuong and Le Trieu Phong, "
                        r"IEEE Access 7, 2019, arXiv:1904.03590, call it the neglected issue of "
                        r"both proofs.)"),
        Step("Sum over t: the telescoping step",
             r"\sum_{t=1}^T\frac{\sqrt{\hat v_{t,i}}}{2\alpha_t(1-\beta_1)}X_t \le "
             r"\frac{(\theta_{1,i}-\theta^*_{,i})^2\sqrt{\hat v_{1,i}}}{2\alpha_1(1-\beta_1)} + "
             r"\sum_{t=2}^T\frac{" + _X + r"^2}{2(1-\beta_1)}\Bigl(\frac{\sqrt{\hat v_{t,i}}}"
             r"{\alpha_t}-\frac{\sqrt{\hat v_{t-1,i}}}{\alpha_{t-1}}\Bigr) \le "
             r"\frac{D^2}{2\alpha(1-\beta_1)}\sqrt{T\hat v_{T,i}}",
             r"Regroup the sum by $\theta_t$ (summation by parts), drop the last negative term, "
             r"then bound each $" + _X + r"^2$ by $D^2$ so that the bracket telescopes to "
             r"$\sqrt{\hat v_{T,i}}/\alpha_T = \sqrt{T\hat v_{T,i}}/\alpha$.",
             claim="kb.proof10.5.telescoping", see=("rkk.gamma-psd",),
             source="KB proof of Thm 10.5, third display",
             on_failure=r"Bounding $" + _X + r"^2\,\Gamma_t$ by $D^2\Gamma_t$, with $\Gamma_t = "
                        r"\sqrt{\hat v_{t,i}}/\alpha_t - \sqrt{\hat v_{t-1,i}}/\alpha_{t-1}$, needs "
                        r"$\Gamma_t \ge 0$. For Adam $\hat v_t$ can drop faster than $\alpha_t$ "
                        r"(a large gradient followed by small ones), so $\Gamma_t$ is not positive "
                        r"semidefinite (Reddi et al. §3, `rkk.gamma-psd`) and the step fails."),
        Step("Lemma 10.3",
             r"\sum_{t=1}^T\sqrt{\frac{g_{t,i}^2}{t}} \le 2G_\infty\lVert g_{1:T,i}\rVert_2",
             r"Cauchy--Schwarz on $\sum_t |g_{t,i}|\cdot t^{-1/2}$ with the bounded gradients "
             r"(the paper argues by induction on T).",
             claim="kb.lemma10.3", source="KB Lemma 10.3",
             on_failure=r"The two sides scale differently under $g \to cg$ (as $c$ and $c^2$), "
                        r"and Cauchy--Schwarz gives $\sqrt{H_T}\lVert g_{1:T,i}\rVert_2$ with "
                        r"$H_T = \sum_{t\le T}1/t \to \infty$: no constant works."),
        Step("Lemma 10.4",
             r"\sum_{t=1}^T\frac{\hat m_{t,i}^2}{\sqrt{t\hat v_{t,i}}} \le \frac{2}{1-\gamma}"
             r"\frac{1}{\sqrt{1-\beta_2}}\lVert g_{1:T,i}\rVert_2,\quad\gamma = "
             r"\frac{\beta_1^2}{\sqrt{\beta_2}}",
             r"Bound $\hat m_t^2$ by a weighted sum of past $g_k^2$, each against its own term "
             r"of $\hat v_t$; a geometric series in $\gamma$ remains, then Lemma 10.3.",
             claim="kb.lemma10.4", source="KB Lemma 10.4",
             on_failure=r"It rests on Lemma 10.3's constant; along $g_t \propto t^{-1/2}$ the "
                        r"left side grows like $\log T$ while the right side grows like "
                        r"$\sqrt{\log T}$."),
        Step("The bound on vhat",
             r"\sqrt{t\hat v_{t,i}} \le G_\infty\sqrt{1-\beta_2}\sqrt t",
             r"Used to bound the third sum: $\hat v_{t,i}$ is an average of the $g_{s,i}^2 \le "
             r"G_\infty^2$.", claim="kb.proof10.5.vhat-bound",
             source="KB proof of Thm 10.5, last displays",
             on_failure=r"$\hat v_t$ is a *bias-corrected* average: it equals $G_\infty^2$ for "
                        r"constant $|g| = G_\infty$, so the factor $\sqrt{1-\beta_2}$ (which "
                        r"belongs to the uncorrected $v_t$) is wrong."),
        Step("The lambda sum",
             r"\sum_{t=1}^T\frac{\beta_{1,t}}{1-\beta_{1,t}}\sqrt t \le "
             r"\frac{1}{(1-\beta_1)(1-\lambda)^2},\quad\beta_{1,t} = \beta_1\lambda^{t-1}",
             r"$\beta_{1,t}/(1-\beta_{1,t}) \le \lambda^{t-1}/(1-\beta_1)$, $\sqrt t \le t$ and "
             r"$\sum_{t\ge1}t\lambda^{t-1} = 1/(1-\lambda)^2$.",
             claim="kb.proof10.5.lambda-sum", source="KB proof of Thm 10.5, last displays"),
        Step("The final display",
             r"R(T) \le \frac{D^2}{2\alpha(1-\beta_1)}\sum_i\sqrt{T\hat v_{T,i}} + "
             r"\frac{\alpha(1+\beta_1)G_\infty}{(1-\beta_1)\sqrt{1-\beta_2}(1-\gamma)^2}\sum_i"
             r"\lVert g_{1:T,i}\rVert_2 + \sum_i\frac{D_\infty^2G_\infty\sqrt{1-\beta_2}}"
             r"{2\alpha(1-\beta_1)(1-\lambda)^2}",
             r"Sum the per-round bounds over $t$ and $i$ and insert the steps above; the result "
             r"should be the theorem's bound term by term.",
             claim="kb.proof10.5.final-display", source="KB proof of Thm 10.5, last display",
             on_failure=r"Composing the printed steps does not give the theorem's terms."),
        Step("Theorem 4.1", claims.latex("kb.thm4.1"),
             r"Follows if every step above holds.", claim="kb.thm4.1", source="KB Thm 4.1",
             on_failure=r"Decided by the ledger on its own (a witness or a simulation), "
                        r"independently of the steps above."),
    )
    intro = (r"Setting: online convex optimization, $R(T) = \sum_t f_t(\theta_t) - "
             r"\min_\theta\sum_t f_t(\theta)$ with $\theta^*$ the minimizer, Adam "
             r"(Algorithm 1, $\epsilon = 0$) with $\alpha_t = \alpha/\sqrt t$ and "
             r"$\beta_{1,t} = \beta_1\lambda^{t-1}$. The proof follows one coordinate $i$ "
             r"and sums over $i$ at the end.")
    return Proof("kb.thm4.1", "Kingma & Ba, Theorem 4.1 (appendix Theorem 10.5)", SOURCE, intro,
                 steps)


__all__ = ["build", "check_coefficient", "check_convexity", "check_update", "check_young",
           "coefficient_sides"]
