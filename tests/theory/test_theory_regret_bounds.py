"""The regret bounds term by term against the printed statements (adamlab.theory.regret.bounds).

Each printed term is written out here independently, as a string transcribed
from CLAIMS.md / the papers, parsed by SymPy with the schema's symbols, and
compared with the module's term symbolically.
"""
from __future__ import annotations

import pytest
import sympy as sp
from sympy.parsing.sympy_parser import parse_expr

from adamlab.theory.regret import bounds as rb
from adamlab.theory.regret.quantities import SYMBOLS

KB_GAMMA = "beta1**2/sqrt(beta2)"
RKK_GAMMA = "beta1/sqrt(beta2)"
DENSE = "d*G_inf*sqrt(T)"

PRINTED = {   # (claim, reading) -> [(term name, printed string, gamma)]
    ("kb.thm4.1", "printed"): [
        ("distance", "D**2/(2*alpha*(1-beta1)) * sum_sqrt_t_vhat", None),
        ("gradient", "alpha*(1+beta1)*G_inf/((1-beta1)*sqrt(1-beta2)*(1-gamma)**2) * sum_g_norm",
         KB_GAMMA),
        ("momentum decay", "d * D_inf**2*G_inf*sqrt(1-beta2)/(2*alpha*(1-beta1)*(1-lam)**2)", None)],
    ("kb.cor4.2", "printed"): [
        ("distance", f"D**2/(2*alpha*(1-beta1)) * {DENSE} / T", None),
        ("gradient", f"alpha*(1+beta1)*G_inf/((1-beta1)*sqrt(1-beta2)*(1-gamma)**2)*{DENSE}/T",
         KB_GAMMA),
        ("momentum decay", "d*D_inf**2*G_inf*sqrt(1-beta2)/(2*alpha*(1-beta1)*(1-lam)**2)/T",
         None)],
    ("rkk.thm4", "printed"): [
        ("distance", "D_inf**2*sqrt(T)/(alpha*(1-beta1)) * sum_vhat_sqrt", None),
        ("momentum", "D_inf**2/(2*(1-beta1)) * sum_b1t_vhat_over_alpha", None),
        ("gradient", "alpha*sqrt(1+log(T))/((1-beta1)**2*(1-gamma)*sqrt(1-beta2)) * sum_g_norm",
         RKK_GAMMA)],
    ("rkk.cor1", "printed"): [
        ("distance", "D_inf**2*sqrt(T)/(alpha*(1-beta1)) * sum_vhat_sqrt", None),
        ("momentum decay", "beta1*D_inf**2*G_inf/(2*(1-beta1)*(1-lam)**2)", None),
        ("gradient", "alpha*sqrt(1+log(T))/((1-beta1)**2*(1-gamma)*sqrt(1-beta2)) * sum_g_norm",
         RKK_GAMMA)],
    ("rkk.cor1", "corrected"): [
        ("distance", "D_inf**2*sqrt(T)/(alpha*(1-beta1)) * sum_vhat_sqrt", None),
        ("momentum decay", "d*beta1*D_inf**2*G_inf/(2*alpha*(1-beta1)*(1-lam)**2)", None),
        ("gradient", "alpha*sqrt(1+log(T))/((1-beta1)**2*(1-gamma)*sqrt(1-beta2)) * sum_g_norm",
         RKK_GAMMA)],
    ("dhs.adagrad-regret", "printed"): [("adagrad", "sqrt(2)*D_inf*sum_g_norm", None)],
    ("dhs.adagrad-regret", "any-eta"): [("distance", "D_inf**2/(2*eta)*sum_g_norm", None),
                                        ("gradient", "eta*sum_g_norm", None)],
    ("z.ogd-regret", "printed"): [("distance", "D**2*sqrt(T)/(2*eta)", None),
                                  ("gradient", "(sqrt(T) - 1/2)*eta*G**2", None)],
}


def parse(text: str, gamma: str | None = None) -> sp.Expr:
    e = parse_expr(text, local_dict=dict(SYMBOLS))
    if gamma is not None:
        e = e.subs(SYMBOLS["gamma"], parse_expr(gamma, local_dict=dict(SYMBOLS)))
    return e


def test_every_claim_and_reading_is_covered():
    assert set(rb.CLAIM_IDS) == {"kb.thm4.1", "kb.cor4.2", "rkk.thm4", "rkk.cor1",
                                 "dhs.adagrad-regret", "z.ogd-regret"}
    assert {(c, r) for c in rb.CLAIM_IDS for r in rb.readings(c)} == set(PRINTED)


@pytest.mark.parametrize("key", list(PRINTED), ids=[f"{c}:{r}" for c, r in PRINTED])
def test_terms_match_the_printed_statement(key):
    bound = rb.get(*key)
    printed = PRINTED[key]
    assert [t.name for t in bound.terms] == [name for name, _, _ in printed]
    for term, (name, text, gam) in zip(bound.terms, printed):
        assert sp.simplify(term.expr - parse(text, gam)) == 0, (name, term.expr)
        if term.display is not None:    # the display form (with gamma) is the same expression
            defs = {k: v for k, v in bound.definitions.items()}
            assert sp.simplify(term.display.subs(defs) - term.expr) == 0
        assert term.latex() and term.description
    total = sp.Add(*[parse(text, gam) for _, text, gam in printed])
    assert sp.simplify(bound.expr - total) == 0


def test_gamma_definitions_are_each_papers_own():
    assert sp.simplify(rb.get("kb.thm4.1").definitions[SYMBOLS["gamma"]] - parse(KB_GAMMA)) == 0
    assert sp.simplify(rb.get("rkk.thm4").definitions[SYMBOLS["gamma"]] - parse(RKK_GAMMA)) == 0
    kb_h = {h.name: h for h in rb.get("kb.thm4.1").hypotheses}
    rkk_h = {h.name: h for h in rb.get("rkk.thm4").hypotheses}
    assert sp.simplify(kb_h["gamma<1"].relation.lhs - parse(KB_GAMMA)) == 0
    assert sp.simplify(rkk_h["gamma<1"].relation.lhs - parse(RKK_GAMMA)) == 0


def test_hypotheses_cover_the_printed_conditions():
    names = {c: {h.name for h in rb.get(c).hypotheses} for c in rb.CLAIM_IDS}
    for c in ("kb.thm4.1", "kb.cor4.2"):
        assert {"beta1<1", "beta2<1", "gamma<1", "beta1 decay", "alpha_t = alpha/sqrt(t)",
                "bounded gradients", "bounded iterates"} <= names[c]
    assert {"gamma<1", "b1_t <= b1", "alpha_t = alpha/sqrt(t)", "bounded domain"} <= names["rkk.thm4"]
    assert "beta1 decay" in names["rkk.cor1"]
    assert {"eta = D_inf/sqrt(2)", "bounded domain"} <= names["dhs.adagrad-regret"]
    assert {"eta_t = eta/sqrt(t)", "bounded domain"} <= names["z.ogd-regret"]
    # the proof-only condition is marked as not printed
    psd = [h for h in rb.get("kb.thm4.1").hypotheses if h.name == "Gamma_t PSD"]
    assert psd and not psd[0].printed


def test_latex_shows_terms_definitions_and_hypotheses():
    lx = rb.get("kb.thm4.1").latex()
    assert lx.startswith(r"R(T) \le ") and r"\gamma = \frac{\beta_1^{2}}{\sqrt{\beta_2}}" in lx
    assert r"\lambda" in lx and r"\alpha_t = \alpha/\sqrt{t}" in lx
    assert r"\Gamma_t" not in lx                      # proof-only conditions are not printed
    assert rb.get("kb.cor4.2").latex().startswith(r"\frac{R(T)}{T} \le ")
    assert r"\log" in rb.get("rkk.thm4").latex()
    for c in rb.CLAIM_IDS:
        assert rb.get(c).to_json()["terms"]


def test_get_rejects_unknown_ids_and_readings():
    with pytest.raises(ValueError, match="claim_id must be one of"):
        rb.get("kb.thm9")
    with pytest.raises(ValueError, match="reading for kb.thm4.1"):
        rb.get("kb.thm4.1", "corrected")
    with pytest.raises(TypeError, match="claim_id"):
        rb.get(41)
    with pytest.raises(ValueError, match="term must be one of"):
        rb.get("z.ogd-regret").term("nope")
