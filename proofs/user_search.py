r"""Turn a user's ``[[claim]]`` table with ``method = "search"`` into a search space.

The translation (fields as in :mod:`adamlab.proofs.user_claims`):

* ``optimizer`` -> the registry optimizer that plays the games;
* ``hyperparameters`` -> numbers, booleans and choices (``amsgrad_mode = "reddi"``)
  are fixed; other strings are expressions in the step ``t`` and the free names
  (``lr = "alpha/sqrt(t)"``); ``betas`` is a list of two;
* ``ranges`` -> the free names and their ranges (log scale when low > 0);
* ``hypotheses`` -> conditions the sampled hyperparameters satisfy;
* ``beta1_t = { max = "beta1", first = "equal" }`` -> the claim only assumes
  :math:`\beta_{1,t} \le \beta_1`, so non-monotone schedules are searched too;
* ``games = "linear-box"``, ``dims``, ``horizons`` -> linear losses on :math:`[-1,1]^d`;
  ``starts = "corners"`` (default: :math:`x_1 = 0` and every corner) or ``"zero"``.
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from adamlab.numerics import optimizers

from .claim import Method, Quantifier
from .names import STATISTICS
from .methods.search import Space
from .methods.search_method import Search
from .statement import StatementError, parse

_FIXED_KINDS = ("bool", "choice", "posint")


class SearchSpecError(ValueError):
    """A search claim that cannot be set up; the message names the claim and the field."""


@dataclass(frozen=True)
class SearchSpec:
    method: Method
    quantifies: Quantifier


def _ints(table, name, default, where):
    value = table.get(name, default)
    if not isinstance(value, list) or not value or not all(
            isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 1000 for v in value):
        raise SearchSpecError(f"{where}: field {name!r} must be a list of ints in 1..1000; "
                              f"got {value!r}")
    return sorted(set(value))


def search_method(table: dict, rel, hyps, names: dict, where: str) -> SearchSpec:
    """The :class:`Search` method and the :class:`Quantifier` of one claim table."""
    name = table.get("optimizer")
    if not isinstance(name, str) or name not in optimizers.names():
        raise SearchSpecError(f"{where}: field 'optimizer' must be a registered optimizer "
                              f"({', '.join(optimizers.names())}; a user's own one after "
                              f"--plugin); got {name!r}")
    if "mpmath" not in getattr(optimizers.get(name).cls, "arithmetics", ("float",)):
        raise SearchSpecError(f"{where}: optimizer {name!r} runs in float64 only, but the search "
                              f"certifies its worst case by replaying it at 50 digits: write "
                              f"its step with h.arith (h.arith.sqrt, ...) and declare "
                              f"arithmetics = ('float', 'mpmath') (README: Your own optimizer)")
    games = table.get("games", "linear-box")
    if games != "linear-box":
        raise SearchSpecError(f"{where}: field 'games' must be 'linear-box' (linear losses "
                              f"on [-1,1]^d); got {games!r}")
    ranges = table.get("ranges", {})
    if not isinstance(ranges, dict):
        raise SearchSpecError(f"{where}: field 'ranges' must be a table name = [low, high]")
    free = {}
    for key, rng in ranges.items():
        if key not in names or key in STATISTICS or key == "t":
            raise SearchSpecError(f"{where}: field 'ranges': {key!r} is not a hyperparameter "
                                  f"name (adamlab list names)")
        if not (isinstance(rng, list) and len(rng) == 2 and all(
                isinstance(v, (int, float)) and not isinstance(v, bool) for v in rng)
                and rng[0] <= rng[1]):
            raise SearchSpecError(f"{where}: field 'ranges': {key} must be [low, high] with "
                                  f"low <= high; got {rng!r}")
        free[key] = {"range": [float(rng[0]), float(rng[1])],
                     "scale": "log" if rng[0] > 0 else "linear"}
    kinds = {hp.name: hp.kind for hp in optimizers.get(name).hparams()}
    fixed, hyper = {}, {}
    hp_table = table.get("hyperparameters", {})
    if not isinstance(hp_table, dict):
        raise SearchSpecError(f"{where}: field 'hyperparameters' must be a table")
    for key, value in hp_table.items():
        if key not in kinds:
            raise SearchSpecError(f"{where}: field 'hyperparameters': {name} has no {key!r} "
                                  f"(it has {', '.join(kinds)})")
        label = f"{where}: field 'hyperparameters.{key}'"
        try:
            if kinds[key] in _FIXED_KINDS or isinstance(value, bool):
                fixed[key] = value
            elif isinstance(value, list):
                if len(value) != 2:
                    raise SearchSpecError(f"{label} must be a list of two")
                hyper[key] = tuple(_expr(v, names, label) for v in value)
            elif isinstance(value, (int, float)):
                fixed[key] = float(value)
            else:
                hyper[key] = _expr(value, names, label)
        except StatementError as exc:
            raise SearchSpecError(str(exc)) from None
    used = set().union(*[e.free_symbols for v in hyper.values()
                         for e in (v if isinstance(v, tuple) else (v,))]) \
        | set().union(*[h.free_symbols for h in hyps])
    missing = sorted(s.name for s in used if s.name not in free and s.name != "t")
    if missing:
        raise SearchSpecError(f"{where}: field 'ranges' must give a [low, high] for "
                              f"{', '.join(missing)} (used by the hyperparameters/hypotheses)")
    stray = sorted(s.name for s in rel.free_symbols if s.name not in set(STATISTICS) | set(free))
    if stray:
        raise SearchSpecError(f"{where}: field 'statement' uses {', '.join(stray)}: give "
                              f"{'it' if len(stray) == 1 else 'them'} a range in 'ranges' or "
                              f"use a statistic (adamlab list names)")
    space = {"optimizer": name, "fixed": fixed, "hyper": hyper, "free": free,
             "hypotheses": list(hyps),
             "game": {"domain": "box", "dims": _ints(table, "dims", [1, 2], where),
                      "horizons": _ints(table, "horizons", [1, 2, 3, 5, 10, 30, 100], where),
                      "starts": table.get("starts", "corners")}}
    b1 = table.get("beta1_t")
    if b1 is not None:
        if not isinstance(b1, dict) or set(b1) - {"max", "first"} or "max" not in b1:
            raise SearchSpecError(f"{where}: field 'beta1_t' must be {{ max = \"beta1\", "
                                  f"first = \"equal\" | \"free\" }}")
        try:
            space["beta1_t"] = {"max": _expr(b1["max"], names, f"{where}: field 'beta1_t'"),
                                "first": b1.get("first", "free")}
        except StatementError as exc:
            raise SearchSpecError(str(exc)) from None
    try:
        method = Search.of(space, rel, reading=f"{rel} for every linear game on [-1,1]^d, "
                           f"{name} with {hp_table}")
        Space(space)                                 # validates now, not at decide time
    except (TypeError, ValueError) as exc:
        raise SearchSpecError(f"{where}: {exc}") from None
    quant = Quantifier(name, {k: (v if isinstance(v, (int, float, str, bool)) else str(v))
                              for k, v in hp_table.items()},
                       f"linear losses on [-1,1]^d, d in {space['game']['dims']}, T in "
                       f"{space['game']['horizons']}")
    return SearchSpec(method, quant)


def _expr(value, names, label) -> sp.Basic:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return sp.nsimplify(value, rational=True)
    if not isinstance(value, str):
        raise SearchSpecError(f"{label} must be a number or a string expression; got {value!r}")
    return parse(value, names, relation=False, where=label)


__all__ = ["SearchSpec", "SearchSpecError", "search_method"]
