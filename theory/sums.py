r"""Sound manipulations of finite sums with a symbolic upper limit.

SymPy simplifies closed expressions well but leaves differences of
:class:`sympy.Sum` objects alone (e.g. :math:`\sum_{i=1}^{t+1} f_i -
\sum_{i=1}^{t} f_i`).  The helpers here apply only the definition of a finite
sum and its linearity, so that an identity in symbolic t can be checked by
induction, step by step:

* :func:`peel_top` -- :math:`\sum_{i=a}^{n} f_i = \sum_{i=a}^{n-1} f_i + f_n`;
* :func:`merge_sums` -- :math:`c\sum f_i + d\sum h_i = \sum (c f_i + d h_i)`
  for sums over the same range (c, d free of the index), after which the
  summand is simplified;
* :func:`residual_is_zero` -- peel, merge, simplify;
* :func:`geometric_sum` -- the closed form of :math:`\sum_{i} h_i` when
  :math:`h_{i+1}/h_i` simplifies to a constant r (checked, not assumed);
* :func:`limit_t_infinity` -- the limit :math:`t\to\infty` of an expression
  in which t occurs only as exponents of bases in :math:`[0, 1)`.
"""
from __future__ import annotations

from collections import defaultdict

import sympy as sp

__all__ = ["drop_unit_branch", "geometric_sum", "limit_t_infinity", "merge_sums", "peel_top",
           "peel_top_product",
           "residual_is_zero", "simplify_zero"]


def peel_top(expr: sp.Basic, upper: sp.Expr) -> sp.Basic:
    r"""Rewrite every :math:`\sum_{i=a}^{\mathrm{upper}} f_i` in ``expr`` as
    :math:`\sum_{i=a}^{\mathrm{upper}-1} f_i + f_{\mathrm{upper}}`."""
    def peel(s):
        (var, lo, hi), = s.limits
        if sp.simplify(hi - upper) != 0:
            return s
        return sp.Sum(s.function, (var, lo, hi - 1)) + s.function.subs(var, hi)
    return expr.replace(lambda e: isinstance(e, sp.Sum) and len(e.limits) == 1, peel)


def merge_sums(expr: sp.Basic) -> sp.Basic:
    """Combine all single-index sums over the same range into one sum each.

    Every term ``coeff * Sum(f, (i, a, b))`` with ``coeff`` free of the index is
    moved inside; sums over the same ``(a, b)`` are added under one canonical
    index, and the summand is simplified.  Only linearity is used.
    """
    expr = sp.expand(expr)
    groups: dict[tuple, list] = defaultdict(list)
    rest = []
    for term in sp.Add.make_args(expr):
        sums = [f for f in sp.Mul.make_args(term) if isinstance(f, sp.Sum)]
        if len(sums) != 1 or len(sums[0].limits) != 1:
            rest.append(term)
            continue
        s = sums[0]
        coeff = term / s
        (var, lo, hi), = s.limits
        if coeff.has(var):
            rest.append(term)
            continue
        key = (sp.simplify(lo), sp.simplify(hi))
        groups[key].append((var, coeff * s.function))
    out = sp.Add(*rest)
    for (lo, hi), parts in groups.items():
        dummy = parts[0][0]
        summand = sp.Add(*[f.subs(v, dummy) for v, f in parts])
        summand = sp.simplify(sp.expand(summand))
        if summand != 0:
            out += sp.Sum(summand, (dummy, lo, hi))
    return out


def simplify_zero(expr: sp.Basic) -> bool:
    """True when ``expr`` simplifies to exactly 0 (or, for a Boolean, to True)."""
    if isinstance(expr, (bool, sp.logic.boolalg.BooleanAtom)):
        return bool(expr)
    if isinstance(expr, (sp.logic.boolalg.Boolean, sp.core.relational.Relational)):
        return bool(sp.simplify(expr) == sp.true)
    e = sp.simplify(expr)
    if e == 0:
        return True
    e = sp.simplify(sp.expand(sp.powsimp(sp.expand_power_exp(e), force=False)))
    return e == 0


def residual_is_zero(expr: sp.Basic, upper: sp.Expr | None = None) -> tuple[bool, sp.Basic]:
    """Peel sums ending at ``upper`` (if given), merge, simplify; return (is_zero, residual)."""
    e = peel_top(expr, upper) if upper is not None else expr
    e = merge_sums(e)
    e = sp.simplify(e)
    return (e == 0 or simplify_zero(e)), e


def geometric_sum(summand: sp.Expr, var: sp.Symbol, lo: sp.Expr, hi: sp.Expr,
                  *, from_top: bool = False, ratio_name: sp.Symbol | None = None):
    r"""Closed form of :math:`\sum_{var=lo}^{hi} \mathrm{summand}` when it is geometric.

    The ratio of consecutive terms (:math:`h_{i+1}/h_i`, or :math:`h_{i-1}/h_i`
    with ``from_top``) must simplify to an expression ``r`` free of ``var``;
    otherwise ValueError.  Returns ``(closed, r, first)`` with
    :math:`\mathrm{closed} = \mathrm{first}\,(1-r^N)/(1-r)` (N the number of
    terms; ``first`` the term at ``lo``, or at ``hi`` with ``from_top``), as a
    Piecewise with the branch :math:`N\cdot\mathrm{first}` at r = 1.  If
    ``ratio_name`` is given the closed form is written in that symbol and
    ``r`` is its value.
    """
    h = sp.powsimp(summand, force=True)
    nxt = h.subs(var, var - 1 if from_top else var + 1)
    r = sp.simplify(sp.powsimp(sp.expand_power_exp(nxt / h), force=True))
    if r.has(var):
        raise ValueError(f"summand is not geometric in {var}: ratio {r}")
    first = sp.simplify(summand.subs(var, hi if from_top else lo))
    count = sp.simplify(hi - lo + 1)
    rr = ratio_name if ratio_name is not None else r
    closed = sp.Piecewise((count * first, sp.Eq(rr, 1)),
                          (first * (1 - rr**count) / (1 - rr), True))
    return closed, r, first


def limit_t_infinity(expr: sp.Expr, t: sp.Symbol, bases) -> sp.Expr:
    r""":math:`\lim_{t\to\infty}` of ``expr`` when t occurs only in powers
    :math:`b^{c t}` (c > 0 free of t) of the given ``bases``, each in [0, 1).

    Each such power is replaced by :math:`X_b^c` with a fresh symbol
    :math:`X_b = b^t \to 0`; the result must be free of t and continuous at
    :math:`X = 0` (the substituted value is finite), else ValueError.  The
    hypothesis :math:`0 \le b < 1` is the caller's to state.
    """
    repl = {}
    e = expr
    for idx, b in enumerate(bases):
        X = sp.Symbol(f"_X{idx}", nonnegative=True)
        repl[X] = b

        def is_pow(z, b=b):
            if not (isinstance(z, sp.Pow) and z.exp.has(t)):
                return False
            if z.base != b and sp.simplify(z.base - b) != 0:
                return False
            return not sp.expand(z.exp / t).has(t)

        def to_x(z, X=X):
            cexp = sp.expand(z.exp / t)
            if not cexp.is_positive:
                raise ValueError(f"power {z} does not tend to 0 (exponent {z.exp})")
            return X**cexp
        e = e.replace(is_pow, to_x)
    if e.has(t):
        raise ValueError(f"t remains after replacing the powers of {bases}: {e}")
    out = sp.simplify(e.subs({X: 0 for X in repl}))
    if out.has(sp.zoo, sp.nan) or out is sp.nan:
        raise ValueError(f"not continuous at the limit: {out}")
    return out


def peel_top_product(expr: sp.Basic, upper: sp.Expr) -> sp.Basic:
    r"""Rewrite every :math:`\prod_{j=a}^{\mathrm{upper}} f_j` as
    :math:`f_{\mathrm{upper}}\prod_{j=a}^{\mathrm{upper}-1} f_j`."""
    def peel(s):
        (var, lo, hi), = s.limits
        if sp.simplify(hi - upper) != 0:
            return s
        return sp.Product(s.function, (var, lo, hi - 1)) * s.function.subs(var, hi)
    return expr.replace(lambda e: isinstance(e, sp.Product) and len(e.limits) == 1, peel)


def drop_unit_branch(expr: sp.Expr, *syms: sp.Symbol) -> sp.Expr:
    r"""Replace each Piecewise by its final branch when every earlier condition is an
    equation whose only solutions put one of ``syms`` at 1 (excluded by the
    hypothesis :math:`0 \le \beta < 1`); otherwise ValueError."""
    def pick(pw):
        for _, cond in pw.args[:-1]:
            if not isinstance(cond, sp.Eq):
                raise ValueError(f"cannot drop branch with condition {cond}")
            ok = False
            for s in syms:
                if cond.has(s):
                    sols = sp.solve(cond.lhs - cond.rhs, s)
                    ok = ok or (bool(sols) and all(sp.simplify(x - 1) == 0 for x in sols))
            if not ok:
                raise ValueError(f"condition {cond} is not excluded by beta < 1")
        return pw.args[-1][0]
    return expr.replace(lambda e: isinstance(e, sp.Piecewise), pick)
