r"""Turn a user's ``[[claim]]`` table with ``method = "asymptotic"`` into simulations.

The translation (fields as in :mod:`adamlab.proofs.user_claims`):

* ``problem`` (a problem name, ``adamlab list problems``) with ``problem_params``;
* ``optimizer`` and ``hyperparameters``: numbers, booleans and choices are fixed;
  a string is an expression in the step ``t`` (``lr = "0.5/sqrt(t)"``); ``betas`` is
  a list of two;
* ``expect``: ``"sublinear"`` (:math:`R(T)/T \to 0`), ``"linear"`` (it does not) or
  ``"decreasing"``; ``theta = { x = -1.0, how = "near", tol = 0.05 }`` (``how``:
  ``"near"``, ``"far"`` or ``"approaching"``); at least one of the two;
* ``seeds`` (default ``[0]``) and ``horizon`` (T, default 100000; ten times that with
  ``--thorough``).

The statement stays words (``statement``); the mathematics of the claim is
generated from ``expect`` and ``theta``.  The rules and the fit are those of
:mod:`adamlab.proofs.methods.asymptotic`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy as sp

from adamlab.numerics import optimizers, problems
from adamlab.numerics.optimizers.schedules import InverseSqrt

from .claim import Method, Quantifier
from .methods.asymptotic import RULES, THETA_RULES, Asymptotic, Simulation
from .statement import StatementError, parse

_FIXED_KINDS = ("bool", "choice", "posint")
_T = sp.Symbol("T", positive=True, integer=True)
_t = sp.Symbol("t", positive=True, integer=True)
_R = sp.Function("R")
_theta = sp.Function(r"\theta")


class AsymptoticSpecError(ValueError):
    """An asymptotic claim that cannot be set up; the message names the claim and field."""


@dataclass(frozen=True)
class AsymptoticSpec:
    method: Method
    quantifies: Quantifier
    math: Any


class StepSchedule:
    """A hyperparameter given as an expression of the step t (a user's claim)."""

    def __init__(self, expr: sp.Expr):
        self.expr = expr
        self._fn = sp.lambdify(_t, expr, modules="math")

    def __call__(self, step: int) -> float:
        return float(self._fn(step))

    def __repr__(self) -> str:
        return f"StepSchedule({self.expr})"


def _schedule(value: str, names: dict, label: str):
    expr = parse(value, dict(names, t=_t), relation=False, where=label)
    stray = sorted(s.name for s in expr.free_symbols if s != _t)
    if stray:
        raise AsymptoticSpecError(f"{label}: {value!r} uses {', '.join(stray)}; an "
                                  f"asymptotic claim fixes every value (only t may vary)")
    if _t not in expr.free_symbols:
        return float(expr)
    c = sp.simplify(expr * sp.sqrt(_t))
    if c.is_number and c.is_positive:             # alpha/sqrt(t): the declared schedule
        return InverseSqrt(float(c))
    return StepSchedule(expr)


def _hyper(table: dict, name: str, names: dict, where: str) -> dict:
    kinds = {hp.name: hp.kind for hp in optimizers.get(name).hparams()}
    hp_table = table.get("hyperparameters", {})
    if not isinstance(hp_table, dict):
        raise AsymptoticSpecError(f"{where}: field 'hyperparameters' must be a table")
    out = {}
    for key, value in hp_table.items():
        if key not in kinds:
            raise AsymptoticSpecError(f"{where}: field 'hyperparameters': {name} has no "
                                      f"{key!r} (it has {', '.join(kinds)})")
        label = f"{where}: field 'hyperparameters.{key}'"
        one = lambda v: (float(v) if isinstance(v, (int, float)) and not isinstance(v, bool)  # noqa: E731
                         else _schedule(v, names, label) if isinstance(v, str)
                         else _bad(label, v))
        if kinds[key] in _FIXED_KINDS or isinstance(value, bool):
            out[key] = value
        elif isinstance(value, list):
            if len(value) != 2:
                raise AsymptoticSpecError(f"{label} must be a list of two")
            out[key] = tuple(one(v) for v in value)
        else:
            out[key] = one(value)
    try:
        optimizers.make(name, **out)                  # validates now, not at decide time
    except (TypeError, ValueError) as exc:
        raise AsymptoticSpecError(f"{where}: field 'hyperparameters': {exc}") from None
    return out


def _bad(label, v):
    raise AsymptoticSpecError(f"{label} must be a number or a string expression of t; got "
                              f"{v!r}")


def _theta_rule(table: dict, where: str):
    th = table.get("theta")
    if th is None:
        return None
    ok = isinstance(th, dict) and set(th) == {"x", "how", "tol"} and \
        th["how"] in THETA_RULES and all(
            isinstance(th[k], (int, float)) and not isinstance(th[k], bool) for k in ("x", "tol"))
    if not ok or th["tol"] <= 0:
        raise AsymptoticSpecError(f"{where}: field 'theta' must be {{ x = <number>, how = "
                                  f"{' | '.join(repr(h) for h in THETA_RULES)}, tol = "
                                  f"<number > 0> }}; got {th!r}")
    return (float(th["x"]), th["how"], float(th["tol"]))


def _math(expect, theta):
    parts = []
    avg = sp.Limit(_R(_T) / _T, _T, sp.oo)
    if expect == "sublinear":
        parts.append(sp.Eq(avg, 0))
    elif expect == "linear":
        parts.append(sp.Ne(avg, 0))
    elif expect == "decreasing":
        parts.append(sp.Lt(_R(10 * _T) / (10 * _T), _R(_T) / _T))
    if theta is not None:
        x, how, tol = theta
        lim = sp.Limit(_theta(_t), _t, sp.oo)
        xs = sp.nsimplify(x, rational=True)
        parts.append(sp.Eq(lim, xs) if how in ("near", "approaching") else sp.Ne(lim, xs))
    return parts[0] if len(parts) == 1 else sp.And(*parts)


def asymptotic_method(table: dict, names: dict, where: str) -> AsymptoticSpec:
    """The :class:`Asymptotic` method, Quantifier and generated mathematics of one table."""
    name = table.get("optimizer")
    if not isinstance(name, str) or name not in optimizers.names():
        raise AsymptoticSpecError(f"{where}: field 'optimizer' must be a registered optimizer "
                                  f"({', '.join(optimizers.names())}; a user's own one after "
                                  f"--plugin); got {name!r}")
    prob = table.get("problem")
    if not isinstance(prob, str) or prob not in problems.names():
        raise AsymptoticSpecError(f"{where}: field 'problem' must be one of "
                                  f"{', '.join(problems.names())}; got {prob!r}")
    params = table.get("problem_params", {})
    if not isinstance(params, dict):
        raise AsymptoticSpecError(f"{where}: field 'problem_params' must be a table")
    try:
        problems.make(prob, **params)
    except (TypeError, ValueError) as exc:
        raise AsymptoticSpecError(f"{where}: field 'problem_params': {exc}") from None
    expect = table.get("expect")
    if expect is not None and expect not in RULES:
        raise AsymptoticSpecError(f"{where}: field 'expect' must be one of {tuple(RULES)}; "
                                  f"got {expect!r}")
    theta = _theta_rule(table, where)
    if expect is None and theta is None:
        raise AsymptoticSpecError(f"{where}: an asymptotic claim needs field 'expect' or "
                                  f"'theta' (what the runs must show)")
    seeds = table.get("seeds", [0])
    if not isinstance(seeds, list) or not seeds or len(seeds) > 64 or not all(
            isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in seeds):
        raise AsymptoticSpecError(f"{where}: field 'seeds' must be a list of 1..64 ints >= 0; "
                                  f"got {seeds!r}")
    T = table.get("horizon", 100_000)
    if not isinstance(T, int) or isinstance(T, bool) or not 100 <= T <= 10**8:
        raise AsymptoticSpecError(f"{where}: field 'horizon' must be an int in 100..10^8; "
                                  f"got {T!r}")
    try:
        hyper = _hyper(table, name, names, where)
    except StatementError as exc:
        raise AsymptoticSpecError(str(exc)) from None
    sim = Simulation(prob, name, hyper, expect, theta, dict(params), tuple(seeds),
                     f"{name} on {prob}")
    method = Asymptotic((sim,), T=T, T_thorough=min(10 * T, 10**9))
    quant = Quantifier(name, {k: (v if isinstance(v, (int, float, str, bool)) else repr(v))
                              for k, v in hyper.items()},
                       f"{prob} {params or ''}".strip() + f", seeds {list(seeds)}")
    return AsymptoticSpec(method, quant, _math(expect, theta))


__all__ = ["AsymptoticSpec", "AsymptoticSpecError", "StepSchedule", "asymptotic_method"]
