r"""The published regret bounds as executable SymPy expressions, evaluated on real runs.

``get(claim_id)`` returns a :class:`RegretBound`: its ``terms`` (each a SymPy
expression with a name and :meth:`Term.latex`, exactly as printed), ``expr``
(their sum), ``hypotheses`` (checkable :class:`~adamlab.theory.regret.quantities.Hypothesis`
objects), :meth:`~RegretBound.evaluate` (a NumPy array (T,) or (T, R) from
:func:`sympy.lambdify` of ``expr`` -- never a second hand-written formula) and
:meth:`~RegretBound.applies` (which hypotheses each run satisfies, step by step).
The symbols are named after the run-statistics schema
(:mod:`adamlab.theory.regret.quantities`); a bound evaluated at row t uses the
running statistics up to step t, so it is the theorem's bound with horizon T = t.

``kb.thm4.1`` -- Kingma & Ba, arXiv:1412.6980v9, Theorem 4.1 (= Theorem 10.5),
with :math:`\gamma = \beta_1^2/\sqrt{\beta_2}`:

.. math::
    R(T) \le \frac{D^2}{2\alpha(1-\beta_1)}\sum_{i=1}^d\sqrt{T\hat v_{T,i}}
    + \frac{\alpha(1+\beta_1)G_\infty}{(1-\beta_1)\sqrt{1-\beta_2}(1-\gamma)^2}
      \sum_{i=1}^d\lVert g_{1:T,i}\rVert_2
    + \sum_{i=1}^d\frac{D_\infty^2 G_\infty\sqrt{1-\beta_2}}{2\alpha(1-\beta_1)(1-\lambda)^2}

for :math:`\alpha_t = \alpha/\sqrt t`, :math:`\beta_{1,t} = \beta_1\lambda^{t-1}`,
:math:`\lambda\in(0,1)`, :math:`\beta_1,\beta_2\in[0,1)`, :math:`\gamma < 1`,
:math:`\lVert g_t\rVert_2\le G`, :math:`\lVert g_t\rVert_\infty\le G_\infty`,
:math:`\lVert\theta_n-\theta_m\rVert_2\le D`, :math:`\lVert\theta_n-\theta_m\rVert_\infty\le D_\infty`.
(Under :math:`g\to cg` Adam's iterates are unchanged (:math:`\epsilon = 0`) and
:math:`R(T)\to cR(T)`; the first and third terms scale by c, the second by
:math:`c^2` -- it carries a factor :math:`G_\infty` that Lemma 10.4 as stated does
not give.)

``kb.cor4.2`` -- KB Corollary 4.2, :math:`R(T)/T = O(1/\sqrt T)`: evaluated as
the bound on the *average* regret :math:`R(T)/T` obtained from Theorem 4.1 with
the dense worst case of KB §4, :math:`\sum_i\lVert g_{1:T,i}\rVert_2 \le dG_\infty\sqrt T`
and :math:`\sum_i\sqrt{T\hat v_{T,i}} \le dG_\infty\sqrt T` (substituted into
Theorem 4.1's expression, not retyped).  Limits and orders:
:mod:`adamlab.theory.regret.asymptotics`.

``rkk.thm4`` -- Reddi, Kale & Kumar, ICLR 2018 (camera-ready), Theorem 4
(AMSGrad, their Algorithm 2: no bias correction, :math:`\hat v_t = \max(\hat v_{t-1}, v_t)`),
with :math:`\gamma = \beta_1/\sqrt{\beta_2}` and the diameter :math:`D_\infty` of F:

.. math::
    R_T \le \frac{D_\infty^2\sqrt T}{\alpha(1-\beta_1)}\sum_{i=1}^d\hat v_{T,i}^{1/2}
    + \frac{D_\infty^2}{2(1-\beta_1)}\sum_{t=1}^T\sum_{i=1}^d\frac{\beta_{1t}\hat v_{t,i}^{1/2}}{\alpha_t}
    + \frac{\alpha\sqrt{1+\log T}}{(1-\beta_1)^2(1-\gamma)\sqrt{1-\beta_2}}
      \sum_{i=1}^d\lVert g_{1:T,i}\rVert_2 .

``rkk.cor1`` -- RKK Corollary 1: :math:`\beta_{1t} = \beta_1\lambda^{t-1}`; the
middle term is replaced by :math:`\beta_1D_\infty^2G_\infty/(2(1-\beta_1)(1-\lambda)^2)`
as printed (``reading="corrected"``:
:math:`d\beta_1D_\infty^2G_\infty/(2\alpha(1-\beta_1)(1-\lambda)^2)`, what the
middle term is actually bounded by -- ledger check ``rkk.cor1``).

``dhs.adagrad-regret`` -- Duchi, Hazan & Singer, JMLR 12 (2011), diagonal
AdaGrad by composite mirror descent (Theorem 5, and its corollary with
:math:`\eta = D_\infty/\sqrt2`; numbering of the JMLR version): on a domain of
inf-diameter :math:`D_\infty`, :math:`R(T)\le\sqrt2D_\infty\sum_i\lVert g_{1:T,i}\rVert_2`.
``reading="any-eta"`` gives Theorem 5's form
:math:`(D_\infty^2/(2\eta)+\eta)\sum_i\lVert g_{1:T,i}\rVert_2` for the run's
:math:`\eta` (equal to the printed bound at :math:`\eta = D_\infty/\sqrt2`).

``z.ogd-regret`` -- Zinkevich, ICML 2003, Theorem 1 (greedy projection, with
:math:`\eta_t = \eta/\sqrt t`): :math:`R(T)\le D^2\sqrt T/(2\eta) + (\sqrt T-\tfrac12)\eta G^2`,
D the diameter of F.

Diameters: KB's D, :math:`D_\infty` bound distances between *iterates*, so
the default reading uses the observed ``stats["D"]``, ``stats["D_inf"]``;
RKK, DHS and Zinkevich use the diameter of F (``constants["D_domain"]``,
``constants["D_inf_domain"]``).  ``diameters="observed" | "domain"``
overrides.  All proofs also need the comparator within that distance;
observed iterate spreads do not guarantee it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

import numpy as np
import sympy as sp

from .hypotheses import (H_ALPHA, H_B1T, H_ETA, H_GRADS, H_ITERATES, H_LAMBDA, H_PSD,
                         Applicability, Hypothesis, beta_lt_one, bounded_domain, close_check,
                         gamma_lt_one)
from .quantities import DOMAIN_SOURCE, STATS_SOURCE, Gathered, gather, latex
from .quantities import (D, D_inf, G, G_inf, T, alpha, beta1, beta2, d, eta, gamma, lam,
                         sum_b1t_vhat_over_alpha, sum_g_norm, sum_sqrt_t_vhat, sum_vhat_sqrt)

KB = "Kingma & Ba, ICLR 2015, arXiv:1412.6980v9"
RKK = "Reddi, Kale & Kumar, ICLR 2018 (camera-ready)"
DHS = "Duchi, Hazan & Singer, JMLR 12 (2011)"
Z = "Zinkevich, ICML 2003"

GAMMA_KB = beta1**2 / sp.sqrt(beta2)
GAMMA_RKK = beta1 / sp.sqrt(beta2)
DIAMETER_READINGS = ("observed", "domain")


@dataclass(frozen=True)
class Term:
    """One term of a bound: ``expr`` in the schema symbols; ``display`` (optional) writes it
    with an abbreviation such as gamma, defined in ``definitions``."""

    name: str
    expr: sp.Expr
    description: str = ""
    display: sp.Expr | None = None

    def latex(self) -> str:
        return latex(self.display if self.display is not None else self.expr)


@dataclass(eq=False)
class RegretBound:
    r"""A published regret bound: its terms, hypotheses and evaluation on runs."""

    claim_id: str
    title: str
    source: str
    terms: tuple[Term, ...]
    hypotheses: tuple[Hypothesis, ...]
    diameters: str = "observed"
    definitions: Mapping[sp.Symbol, sp.Expr] = field(default_factory=dict)
    quantity: str = "R(T)"
    reading: str = "printed"
    note: str = ""
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def expr(self) -> sp.Expr:
        """The whole bound: the sum of the terms."""
        return sp.Add(*[t.expr for t in self.terms])

    def term(self, name: str) -> Term:
        for t in self.terms:
            if t.name == name:
                return t
        raise ValueError(f"term must be one of {[t.name for t in self.terms]}; got {name!r}")

    def latex(self) -> str:
        r"""``R(T) \le`` the terms as printed, then the definitions and hypotheses."""
        lhs = r"\frac{R(T)}{T}" if self.quantity == "R(T)/T" else "R(T)"
        body = lhs + r" \le " + " + ".join(t.latex() for t in self.terms)
        defs = [latex(sym) + " = " + latex(val) for sym, val in self.definitions.items()]
        hyps = [h.latex() for h in self.hypotheses if h.printed]
        return body + (r",\quad " + r",\ ".join(defs) if defs else "") + (
            r"\qquad\text{if } " + r",\ ".join(hyps) if hyps else "")

    # ---- inputs ----------------------------------------------------------------------------------
    def _reading(self, diameters):
        diam = self.diameters if diameters is None else diameters
        if diam not in DIAMETER_READINGS:
            raise ValueError(f"diameters must be one of {DIAMETER_READINGS}; got {diameters!r}")
        return diam

    def sources(self, diameters: str | None = None) -> dict[sp.Symbol, tuple[str, str]]:
        """Where each symbol of ``expr`` is read from: ("stats" | "constants", key)."""
        table = dict(STATS_SOURCE)
        if self._reading(diameters) == "domain":
            table.update(DOMAIN_SOURCE)
        return {s: table[s] for s in self.expr.free_symbols}

    def _fn(self, expr: sp.Expr):
        key = sp.srepr(expr)
        if key not in self._cache:
            syms = tuple(sorted(expr.free_symbols, key=lambda s: s.name))
            self._cache[key] = (syms, sp.lambdify(syms, expr, modules="numpy"))
        return self._cache[key]

    def _run(self, expr: sp.Expr, g: Gathered, src) -> np.ndarray:
        syms, fn = self._fn(expr)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return g.full(fn(*[g.values["%s:%s" % src[s]] for s in syms]))

    # ---- evaluation ------------------------------------------------------------------------------
    def evaluate(self, stats: Mapping, constants: Mapping, *,
                 diameters: str | None = None) -> np.ndarray:
        r"""The bound at every recorded step: shape (T, R), or (T,) for a single run.

        ``stats`` and ``constants`` follow the run-statistics schema; a missing or
        malformed entry raises ValueError naming it.  Row t is the theorem's bound for
        horizon T = t: compare it with ``stats["regret_prefix"]`` (the best fixed point
        of each prefix) where the run has it; ``stats["regret"]`` at t < T is measured
        against the comparator of the whole horizon, so only its last row is R(T).  Where a hypothesis fails the
        value is still returned (``inf`` where the expression divides by zero, e.g.
        :math:`\lambda = 1`); :meth:`applies` says where the theorem holds.
        """
        src = self.sources(diameters)
        g = gather(stats, constants, src, who=self.claim_id)
        return self._run(self.expr, g, src)

    def evaluate_terms(self, stats: Mapping, constants: Mapping, *,
                       diameters: str | None = None) -> dict[str, np.ndarray]:
        """Each term separately (same shapes as :meth:`evaluate`), in printed order."""
        src = self.sources(diameters)
        g = gather(stats, constants, src, who=self.claim_id)
        return {t.name: self._run(t.expr, g, src) for t in self.terms}

    def applies(self, stats: Mapping, constants: Mapping, *,
                diameters: str | None = None) -> Applicability:
        """Which hypotheses hold, per step (cumulatively) and run; see
        :class:`~adamlab.theory.regret.quantities.Applicability`."""
        reading = self._reading(diameters)
        needs: dict = {}
        optional: set[str] = set()
        for h in self.hypotheses:
            needs.update(h.needs)
            optional.update(h.optional)
        if reading == "domain":
            optional.update({"D_domain", "D_inf_domain"})
        g = gather(stats, constants, needs, who=f"{self.claim_id} (hypotheses)",
                   optional=tuple(sorted(optional)))
        status = {h.name: h.evaluate(g) for h in self.hypotheses}
        return Applicability(self.claim_id, status, {h.name: h.text for h in self.hypotheses},
                             tuple(h.name for h in self.hypotheses if h.printed))

    def to_json(self) -> dict:
        return {"claim_id": self.claim_id, "title": self.title, "source": self.source,
                "reading": self.reading, "quantity": self.quantity, "latex": self.latex(),
                "terms": [{"name": t.name, "expr": str(t.expr), "latex": t.latex(),
                           "description": t.description} for t in self.terms],
                "hypotheses": [{"name": h.name, "text": h.text, "printed": h.printed}
                               for h in self.hypotheses]}


# ---- the bounds ---------------------------------------------------------------------------------
def _kb_terms():
    return (
        Term("distance", D**2 / (2 * alpha * (1 - beta1)) * sum_sqrt_t_vhat,
             "D^2/(2 alpha (1-b1)) * sum_i sqrt(T vhat_{T,i})"),
        Term("gradient", alpha * (1 + beta1) * G_inf
             / ((1 - beta1) * sp.sqrt(1 - beta2) * (1 - GAMMA_KB) ** 2) * sum_g_norm,
             "alpha (1+b1) G_inf/((1-b1) sqrt(1-b2) (1-gamma)^2) * sum_i ||g_{1:T,i}||_2",
             alpha * (1 + beta1) * G_inf / ((1 - beta1) * sp.sqrt(1 - beta2) * (1 - gamma) ** 2)
             * sum_g_norm),
        Term("momentum decay", d * D_inf**2 * G_inf * sp.sqrt(1 - beta2)
             / (2 * alpha * (1 - beta1) * (1 - lam) ** 2),
             "sum_i D_inf^2 G_inf sqrt(1-b2)/(2 alpha (1-b1) (1-lambda)^2) (d equal terms)"),
    )


_KB_HYPS = (beta_lt_one(beta1), beta_lt_one(beta2),
            gamma_lt_one(GAMMA_KB, "gamma = b1^2/sqrt(b2) < 1 (Kingma & Ba's gamma)"),
            H_LAMBDA, H_ALPHA, H_GRADS, H_ITERATES, H_PSD)

#: KB §4's dense worst case, substituted into Theorem 4.1 for Corollary 4.2
DENSE_WORST_CASE = {sum_g_norm: d * G_inf * sp.sqrt(T), sum_sqrt_t_vhat: d * G_inf * sp.sqrt(T)}


def _kb_thm41() -> RegretBound:
    return RegretBound("kb.thm4.1", "Adam regret bound", f"{KB}, Theorem 4.1 (Theorem 10.5)",
                       _kb_terms(), _KB_HYPS, "observed", {gamma: GAMMA_KB})


def _kb_cor42() -> RegretBound:
    terms = tuple(Term(t.name, t.expr.subs(DENSE_WORST_CASE) / T,
                       f"({t.description}) / T, with sum_i ||g_(1:T,i)||_2 and "
                       f"sum_i sqrt(T vhat_(T,i)) at their dense worst case d G_inf sqrt(T)",
                       None if t.display is None else t.display.subs(DENSE_WORST_CASE) / T)
                  for t in _kb_terms())
    return RegretBound("kb.cor4.2", "Adam average regret, dense worst case",
                       f"{KB}, Corollary 4.2 with §4's bounds sum_i ||g_(1:T,i)||_2 <= d G_inf "
                       f"sqrt(T), sum_i sqrt(T vhat_(T,i)) <= d G_inf sqrt(T)", terms, _KB_HYPS,
                       "observed", {gamma: GAMMA_KB}, quantity="R(T)/T")


def _rkk_terms(middle: Term):
    return (
        Term("distance", D_inf**2 * sp.sqrt(T) / (alpha * (1 - beta1)) * sum_vhat_sqrt,
             "D_inf^2 sqrt(T)/(alpha (1-b1)) * sum_i vhat_{T,i}^(1/2)"),
        middle,
        Term("gradient", alpha * sp.sqrt(1 + sp.log(T))
             / ((1 - beta1) ** 2 * (1 - GAMMA_RKK) * sp.sqrt(1 - beta2)) * sum_g_norm,
             "alpha sqrt(1+log T)/((1-b1)^2 (1-gamma) sqrt(1-b2)) * sum_i ||g_{1:T,i}||_2",
             alpha * sp.sqrt(1 + sp.log(T)) / ((1 - beta1) ** 2 * (1 - gamma) * sp.sqrt(1 - beta2))
             * sum_g_norm),
    )


_RKK_HYPS = (beta_lt_one(beta1), beta_lt_one(beta2),
             gamma_lt_one(GAMMA_RKK, "gamma = b1/sqrt(b2) < 1 (Reddi et al.'s gamma)"),
             H_ALPHA, H_GRADS, bounded_domain(False, True))


def _rkk_thm4() -> RegretBound:
    middle = Term("momentum", D_inf**2 / (2 * (1 - beta1)) * sum_b1t_vhat_over_alpha,
                  "D_inf^2/(2(1-b1)) * sum_t sum_i b1_t vhat_{t,i}^(1/2)/alpha_t")
    return RegretBound("rkk.thm4", "AMSGrad regret bound", f"{RKK}, Theorem 4",
                       _rkk_terms(middle), _RKK_HYPS[:3] + (H_B1T,) + _RKK_HYPS[3:], "domain",
                       {gamma: GAMMA_RKK},
                       note="vhat is AMSGrad's as in RKK Algorithm 2 (no bias correction)")


def _rkk_cor1(reading: str) -> RegretBound:
    if reading == "printed":
        middle = Term("momentum decay", beta1 * D_inf**2 * G_inf / (2 * (1 - beta1) * (1 - lam) ** 2),
                      "b1 D_inf^2 G_inf/(2(1-b1)(1-lambda)^2), as printed")
    else:
        middle = Term("momentum decay", d * beta1 * D_inf**2 * G_inf
                      / (2 * alpha * (1 - beta1) * (1 - lam) ** 2),
                      "d b1 D_inf^2 G_inf/(2 alpha (1-b1)(1-lambda)^2): the printed term "
                      "lacks the factor d/alpha (ledger check rkk.cor1)")
    return RegretBound("rkk.cor1", "AMSGrad regret bound with beta1 decay",
                       f"{RKK}, Corollary 1", _rkk_terms(middle), _RKK_HYPS + (H_LAMBDA,),
                       "domain", {gamma: GAMMA_RKK}, reading=reading)


def _dhs(reading: str) -> RegretBound:
    eta_rule = Hypothesis("eta = D_inf/sqrt(2)", "eta = D_inf/sqrt(2) (constants['eta'] vs "
                          "D_inf_domain)", sp.Eq(eta, D_inf / sp.sqrt(2)),
                          check=close_check("eta", lambda g: (
                              g.values["constants:D_inf_domain"] / np.sqrt(2)
                              if "constants:D_inf_domain" in g.values else None)),
                          optional=("eta", "D_inf_domain"))
    if reading == "printed":
        terms = (Term("adagrad", sp.sqrt(2) * D_inf * sum_g_norm,
                      "sqrt(2) D_inf * sum_i ||g_{1:T,i}||_2"),)
        hyps = (eta_rule, bounded_domain(False, True))
    else:
        terms = (Term("distance", D_inf**2 / (2 * eta) * sum_g_norm,
                      "D_inf^2/(2 eta) * sum_i ||g_{1:T,i}||_2"),
                 Term("gradient", eta * sum_g_norm, "eta * sum_i ||g_{1:T,i}||_2"))
        hyps = (bounded_domain(False, True),)
    return RegretBound("dhs.adagrad-regret", "diagonal AdaGrad regret bound",
                       f"{DHS}, diagonal AdaGrad by composite mirror descent (Theorem 5; the "
                       f"corollary with eta = D_inf/sqrt(2))", terms, hyps, "domain",
                       reading=reading, note="AdaGrad without delta (epsilon = 0)")


def _z() -> RegretBound:
    terms = (Term("distance", D**2 * sp.sqrt(T) / (2 * eta), "D^2 sqrt(T)/(2 eta)"),
             Term("gradient", (sp.sqrt(T) - sp.Rational(1, 2)) * eta * G**2,
                  "(sqrt(T) - 1/2) eta G^2"))
    return RegretBound("z.ogd-regret", "projected online gradient descent regret bound",
                       f"{Z}, Theorem 1 (eta_t = eta/sqrt(t))", terms,
                       (H_ETA, H_GRADS, bounded_domain(True, False)), "domain")


_BUILDERS = {
    "kb.thm4.1": {"printed": _kb_thm41},
    "kb.cor4.2": {"printed": _kb_cor42},
    "rkk.thm4": {"printed": _rkk_thm4},
    "rkk.cor1": {"printed": lambda: _rkk_cor1("printed"),
                 "corrected": lambda: _rkk_cor1("corrected")},
    "dhs.adagrad-regret": {"printed": lambda: _dhs("printed"), "any-eta": lambda: _dhs("any-eta")},
    "z.ogd-regret": {"printed": _z},
}
CLAIM_IDS = tuple(_BUILDERS)


def readings(claim_id: str) -> tuple[str, ...]:
    """The readings :func:`get` offers for ``claim_id`` ("printed" first)."""
    if claim_id not in _BUILDERS:
        raise ValueError(f"claim_id must be one of {CLAIM_IDS}; got {claim_id!r}")
    return tuple(_BUILDERS[claim_id])


def get(claim_id: str, reading: str = "printed") -> RegretBound:
    """The bound of ``claim_id`` (one of :data:`CLAIM_IDS`) in the given reading."""
    if not isinstance(claim_id, str):
        raise TypeError(f"claim_id must be a str; got {type(claim_id).__name__}")
    opts = readings(claim_id)
    if reading not in opts:
        raise ValueError(f"reading for {claim_id} must be one of {opts}; got {reading!r}")
    return _BUILDERS[claim_id][reading]()


__all__ = ["CLAIM_IDS", "DENSE_WORST_CASE", "GAMMA_KB", "GAMMA_RKK", "RegretBound", "Term",
           "get", "readings"]
