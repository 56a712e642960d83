r"""Kingma & Ba, Corollary 4.2: the growth of each term of Theorem 4.1, dense and sparse.

Kingma & Ba, ICLR 2015, arXiv:1412.6980v9, §4 and Corollary 4.2: with
bounded gradients and distances, :math:`R(T)/T = O(1/\sqrt T)`.  The
data-dependent sums of Theorem 4.1 are replaced by bounds that hold for every
run in a class, and each term's order :math:`C\,T^p(\log T)^q` is computed by
SymPy limits (:func:`growth`):

``"dense"`` (the worst case of §4)
    :math:`\sum_i\lVert g_{1:T,i}\rVert_2 \le dG_\infty\sqrt T` (since
    :math:`\sum_t g_{t,i}^2 \le TG_\infty^2`) and
    :math:`\sum_i\sqrt{T\hat v_{T,i}} \le dG_\infty\sqrt T` (since
    :math:`\hat v_{T,i}\le G_\infty^2`, a convex combination of the
    :math:`g_{t,i}^2`: :data:`~adamlab.theory.regret.lemmas.VHAT_BOUND`).
``"sparse"`` (the case §4 discusses, after Duchi et al. 2011 §1.3)
    coordinate i is non-zero in at most :math:`p_iT` of the first T steps and
    :math:`\hat v_{T,i}\le p_iG_\infty^2` (its recent activity is at most
    :math:`p_i`); then both sums are at most :math:`G_\infty\sqrt T\,P` with
    :math:`P = \sum_i\sqrt{p_i} \le d`.  Two instances:
    *s-sparse* steps (at most s non-zero coordinates each) give
    :math:`P \le \sqrt{sd}` by Cauchy--Schwarz (:data:`S_SPARSE`);
    *power-law* frequencies :math:`p_i = i^{-a}` give
    :math:`P = H^{(a/2)}_d`, i.e. :math:`\log d` at a = 2 (:func:`power_law_P`).

Either way every term of :math:`R(T)/T` is :math:`O(T^{-1/2})` and the limit
is 0: sparsity improves the dependence on d (:math:`d \to P`), not the rate
in T.  This is a statement about the *bound*; whether Adam's regret obeys the
bound is the ledger's question (kb.thm4.1, kb.cor4.2).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import mpmath as mp
import sympy as sp

from . import bounds as rb
from .quantities import SYMBOLS, G_inf, T, d, sum_g_norm, sum_sqrt_t_vhat
from ..results import GridCheck, Result, Step

P = sp.Symbol("P", positive=True)            # sum_i sqrt(p_i), the sparsity factor (<= d)
s = sp.Symbol("s", integer=True, positive=True)   # non-zero coordinates per step
a = sp.Symbol("a", positive=True)            # power-law exponent of the frequencies
_i = sp.Symbol("i", integer=True, positive=True)
_n = sp.Function("n")                        # n_i: the number of steps coordinate i is active

CASES = {
    "dense": {sum_g_norm: d * G_inf * sp.sqrt(T), sum_sqrt_t_vhat: d * G_inf * sp.sqrt(T)},
    "sparse": {sum_g_norm: P * G_inf * sp.sqrt(T), sum_sqrt_t_vhat: P * G_inf * sp.sqrt(T)},
}


def growth(expr: sp.Expr, var: sp.Symbol = T) -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    r"""``(p, q, C)`` with :math:`\mathrm{expr} \sim C\,\mathrm{var}^p(\log\mathrm{var})^q`
    as var -> oo (SymPy limits; ValueError if they do not exist or C is not finite > 0)."""
    e = sp.simplify(expr)
    p = sp.limit(sp.log(e) / sp.log(var), var, sp.oo)
    r = sp.simplify(e / var**p)
    q = sp.limit(sp.log(r) / sp.log(sp.log(var)), var, sp.oo)
    C = sp.simplify(sp.limit(r / sp.log(var) ** q, var, sp.oo))
    if any(x.has(sp.oo, -sp.oo, sp.zoo, sp.nan) for x in (p, q, C)) or C.is_zero:
        raise ValueError(f"no power-log order for {expr}: p={p}, q={q}, C={C}")
    return p, q, C


@dataclass(frozen=True)
class TermGrowth:
    """One term of Theorem 4.1 under a case: the R(T) term, its order, and its R(T)/T limit."""

    name: str
    regret_term: sp.Expr
    order: tuple[sp.Expr, sp.Expr, sp.Expr]   # (p, q, C): C T^p (log T)^q
    average_limit: sp.Expr                    # lim_{T->oo} term / T

    def order_latex(self) -> str:
        p, q, C = self.order
        return sp.latex(C * T**p * sp.log(T) ** q)


@dataclass(frozen=True)
class Cor42:
    """Corollary 4.2 under ``case``: each term's growth and the limit of R(T)/T."""

    case: str
    substitutions: dict
    terms: tuple[TermGrowth, ...]

    @property
    def average_limit(self) -> sp.Expr:
        return sp.Add(*[t.average_limit for t in self.terms])

    @property
    def average_order(self) -> tuple[sp.Expr, sp.Expr]:
        """``(p, q)``: R(T)/T = O(T^p (log T)^q), from its slowest-decaying term."""
        return max(((t.order[0] - 1, t.order[1]) for t in self.terms),
                   key=lambda pq: (float(pq[0]), float(pq[1])))


@lru_cache(maxsize=None)
def cor42(case: str = "dense") -> Cor42:
    """Theorem 4.1's terms with the sums bounded as in ``case`` ("dense" or "sparse")."""
    if case not in CASES:
        raise ValueError(f"case must be one of {tuple(CASES)}; got {case!r}")
    sub = CASES[case]
    out = []
    for term in rb.get("kb.thm4.1").terms:
        e = term.expr.subs(sub)
        out.append(TermGrowth(term.name, e, growth(e), sp.limit(e / T, T, sp.oo)))
    return Cor42(case, sub, tuple(out))


def power_law_P(exponent) -> sp.Expr:
    r""":math:`P = \sum_{i=1}^d \sqrt{i^{-a}}` (SymPy's closed form, e.g. harmonic(d) at a = 2)."""
    return sp.summation(sp.sqrt(_i ** (-sp.sympify(exponent))), (_i, 1, d))


# ---- checked results ------------------------------------------------------------------------------
def _dense_grid(pt):
    # by definition: the three terms at 50 digits at T = 10^30, times sqrt(T)/T ... compared with
    # the leading constants from the symbolic orders (next-order terms are T^(-1/2) = 1e-15)
    table = dict(SYMBOLS, P=P)
    vals = {table[k]: sp.Rational(v) for k, v in pt.items() if k != "case"}
    case = cor42(pt["case"])
    big = sp.Integer(10) ** 30
    by_def = sum(sp.N(t.regret_term.subs(vals).subs(T, big) / big * sp.sqrt(big), 50)
                 for t in case.terms)
    lead = sum(sp.N(t.order[2].subs(vals), 50) for t in case.terms if t.order[0] == sp.Rational(1, 2))
    return mp.mpf(str(by_def)), mp.mpf(str(lead))


_PTS = tuple({"case": c, "alpha": "1/10", "beta1": b1, "beta2": "999/1000", "lam": "1/2",
              "D": "3", "D_inf": "2", "G_inf": "5/2", "d": "7", "P": "3"}
             for c in ("dense", "sparse") for b1 in ("0", "9/10"))


def _limit_step(case):
    def run():
        c = cor42(case)
        ok = c.average_limit == 0 and all(t.order[0] <= sp.Rational(1, 2) for t in c.terms)
        return ok, (f"lim R(T)/T = {c.average_limit}; orders of R(T): "
                    + ", ".join(f"{t.name}: {t.order_latex()}" for t in c.terms))
    return run


def _dense_sum_step():
    # sum_t g_{t,i}^2 <= T G_inf^2 termwise, so ||g_{1:T,i}||_2 <= G_inf sqrt(T); d coordinates
    x = sp.Symbol("x", nonnegative=True)
    return sp.simplify(sp.sqrt(T * G_inf**2) - G_inf * sp.sqrt(T)) + 0 * x


COR42_DENSE = Result(
    name="kb_cor42_dense",
    statement=sp.Eq(sp.Limit(rb.get("kb.cor4.2").expr, T, sp.oo), 0),
    hypotheses=(sp.Lt(rb.GAMMA_KB, 1), sp.Lt(sp.Symbol("lam"), 1)),
    source=f"{rb.KB}, §4 and Corollary 4.2 (dense worst case)",
    steps=(Step("||g_(1:T,i)||_2 <= sqrt(T G_inf^2) = G_inf sqrt(T)", _dense_sum_step),
           Step("every term of R(T) is O(sqrt(T)) and R(T)/T -> 0 (SymPy limits)",
                _limit_step("dense"))),
    grid=GridCheck("sqrt(T) * bound(T)/T at T = 1e30 vs the leading constant of the symbolic "
                   "order (tolerance 1e-12: the next order is T^(-1/2))",
                   tuple(p for p in _PTS if p["case"] == "dense"), _dense_grid, "eq", "1e-12"),
)

COR42_SPARSE = Result(
    name="kb_cor42_sparse",
    statement=sp.Eq(sp.Limit(rb.get("kb.thm4.1").expr.subs(CASES["sparse"]) / T, T, sp.oo), 0),
    hypotheses=(sp.Lt(rb.GAMMA_KB, 1), sp.Le(P, d)),
    source=f"{rb.KB}, §4 (sparse features, after Duchi et al. 2011 §1.3)",
    steps=(Step("with both sums <= P G_inf sqrt(T): R(T)/T -> 0, orders sqrt(T) (d -> P)",
                _limit_step("sparse")),),
    grid=GridCheck("as for the dense case, with P in place of d",
                   tuple(p for p in _PTS if p["case"] == "sparse"), _dense_grid, "eq", "1e-12"),
)


def _cs_step():
    # Cauchy-Schwarz with y = 1: (sum_i sqrt(n_i))^2 <= d sum_i n_i (Lagrange's identity, checked
    # in adamlab.theory.lemmas); with sum_i n_i <= s T this is P <= sqrt(s d)
    from ..lemmas import LAGRANGE
    rep = LAGRANGE.check()
    return rep.ok, rep.summary()


def _sparse_grid(pt):
    import random
    rng = random.Random(pt["seed"])
    dd, ss, TT = pt["d"], pt["s"], pt["T"]
    counts = [0] * dd
    for _ in range(TT):
        for i in rng.sample(range(dd), ss):
            counts[i] += 1
    return mp.fsum(mp.sqrt(c) for c in counts), mp.sqrt(ss * dd * TT)


S_SPARSE = Result(
    name="s_sparse_sum",
    statement=sp.Le(sp.Sum(sp.sqrt(_n(_i)), (_i, 1, d)), sp.sqrt(s * d * T)),
    hypotheses=(sp.Le(sp.Sum(_n(_i), (_i, 1, d)), s * T),),
    source="Cauchy-Schwarz; the s-sparse instance of KB §4's sparse case",
    steps=(Step("Cauchy-Schwarz (Lagrange's identity) with x_i = sqrt(n_i), y_i = 1", _cs_step),),
    grid=GridCheck("sum_i sqrt(n_i) <= sqrt(s d T) for random s-sparse activity patterns",
                   tuple({"d": dd, "s": ss, "T": TT, "seed": dd * 31 + ss}
                         for dd, ss in ((5, 1), (20, 3), (50, 50)) for TT in (1, 40)),
                   _sparse_grid, "le"),
    note="n_i = number of steps in which coordinate i is non-zero, so ||g_(1:T,i)||_2 <= "
         "G_inf sqrt(n_i) and sum_i ||g_(1:T,i)||_2 <= G_inf sqrt(s d T).",
)

RESULTS = (COR42_DENSE, COR42_SPARSE, S_SPARSE)

__all__ = ["CASES", "COR42_DENSE", "COR42_SPARSE", "Cor42", "P", "RESULTS", "S_SPARSE",
           "TermGrowth", "a", "cor42", "growth", "power_law_P", "s"]
