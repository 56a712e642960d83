r"""Read a user's statement (``"R <= D**2*sqrt(T)/(2*eta)"``) into SymPy, safely.

The text is parsed by Python's :mod:`ast` and converted node by node: numbers
(exact rationals), names, ``+ - * / **``, unary minus, the comparisons
``<= < >= > ==`` and the functions :data:`FUNCTIONS`.  Nothing is evaluated
with ``eval``, so a claims file cannot run code.  Every name must be one the
caller allows (for claims: :func:`adamlab.proofs.names.table`), and an unknown
name is an error that lists the close ones.
"""
from __future__ import annotations

import ast
import difflib
from fractions import Fraction
from typing import Mapping

import sympy as sp

#: functions a statement may call
FUNCTIONS = {"sqrt": sp.sqrt, "log": sp.log, "exp": sp.exp, "abs": sp.Abs, "Abs": sp.Abs,
             "max": sp.Max, "min": sp.Min}
_BIN = {ast.Add: sp.Add, ast.Mult: sp.Mul,
        ast.Sub: lambda a, b: a - b, ast.Div: lambda a, b: a / b, ast.Pow: lambda a, b: a ** b}
_CMP = {ast.LtE: sp.Le, ast.Lt: sp.Lt, ast.GtE: sp.Ge, ast.Gt: sp.Gt, ast.Eq: sp.Eq}


class StatementError(ValueError):
    """A statement that cannot be read; the message says where and why."""


def parse(text: str, names: Mapping[str, sp.Basic], *, relation: bool = True,
          where: str = "statement") -> sp.Basic:
    """``text`` as a SymPy relation (``relation=True``) or expression over ``names``."""
    if not isinstance(text, str) or not text.strip():
        raise StatementError(f"{where} must be a non-empty string such as "
                             f"'R <= D**2*sqrt(T)/(2*eta)'; got {text!r}")
    try:
        tree = ast.parse(text.replace("^", "**"), mode="eval")
    except SyntaxError as exc:
        raise StatementError(f"{where}: cannot read {text!r} ({exc.msg} at column "
                             f"{exc.offset})") from None
    out = _node(tree.body, names, where, text)
    if relation and not isinstance(out, sp.core.relational.Relational):
        raise StatementError(f"{where} must compare two sides with <=, <, >=, > or ==; got "
                             f"{text!r}")
    if not relation and isinstance(out, sp.core.relational.Relational):
        raise StatementError(f"{where} must be an expression, not a comparison; got {text!r}")
    return out


def _node(n, names, where, text):
    if isinstance(n, ast.Constant) and isinstance(n.value, (int, float)) and \
            not isinstance(n.value, bool):
        f = Fraction(str(n.value)) if isinstance(n.value, float) else Fraction(n.value)
        return sp.Rational(f.numerator, f.denominator)
    if isinstance(n, ast.Name):
        if n.id in names:
            return names[n.id]
        close = difflib.get_close_matches(n.id, list(names), n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise StatementError(f"{where}: unknown name {n.id!r}{hint}; allowed: "
                             f"{', '.join(sorted(names))} (adamlab list names)")
    if isinstance(n, ast.BinOp) and type(n.op) in _BIN:
        return _BIN[type(n.op)](_node(n.left, names, where, text),
                                _node(n.right, names, where, text))
    if isinstance(n, ast.UnaryOp) and isinstance(n.op, (ast.USub, ast.UAdd)):
        v = _node(n.operand, names, where, text)
        return -v if isinstance(n.op, ast.USub) else v
    if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in FUNCTIONS \
            and not n.keywords and n.args:
        return FUNCTIONS[n.func.id](*[_node(a, names, where, text) for a in n.args])
    if isinstance(n, ast.Compare) and len(n.ops) == 1 and type(n.ops[0]) in _CMP:
        return _CMP[type(n.ops[0])](_node(n.left, names, where, text),
                                    _node(n.comparators[0], names, where, text),
                                    evaluate=False)
    if isinstance(n, ast.Compare):
        raise StatementError(f"{where}: write one comparison (a <= b), not a chain; got {text!r}")
    frag = ast.get_source_segment(text.replace("^", "**"), n) or type(n).__name__
    raise StatementError(f"{where}: {frag!r} is not allowed (numbers, names, + - * / **, "
                         f"comparisons and {', '.join(sorted(FUNCTIONS))} only)")


__all__ = ["FUNCTIONS", "StatementError", "parse"]
