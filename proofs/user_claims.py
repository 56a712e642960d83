r"""A user's claims, from a TOML file of ``[[claim]]`` tables, decided like published ones.

Each table becomes one :class:`~adamlab.proofs.claim.Claim`; ``adamlab check --claims
FILE`` decides them with the same methods and prints the same table (``--json``: the
same JSON rows).  Fields (``adamlab list names`` lists the names a statement may use):

=================  ==========================================================================
``id``             required: lower-case letters, digits and ``. _ -`` (``"my.ogd-half"``)
``source``         required: where the claim comes from (``"my notes, eq. (3)"``)
``statement``      required: one comparison, e.g. ``"R <= D**2*sqrt(T)/(2*eta)"``
``text``           the statement in words (default: ``statement``)
``method``         ``"search"`` (default when ``optimizer`` is given), ``"symbolic"`` or
                   ``"asymptotic"`` (simulations; then ``statement`` is words)
``hypotheses``     list of comparisons over the names, e.g. ``["beta1**2 < beta2"]``
``optimizer``      a registry name (``adamlab list optimizers``), also a user's
                   optimizer registered with :func:`adamlab.numerics.optimizers.register`
``hyperparameters``  table: optimizer hyperparameter -> number, or a string over the
                   names and the step ``t`` (``lr = "eta/sqrt(t)"``); ``betas`` takes a
                   list of two
``ranges``         table: free name -> ``[low, high]`` searched (log scale when low > 0)
``games``          the class of games: ``"linear-box"`` (linear losses on [-1, 1]^d; the
                   worst case of convex losses for a deterministic learner)
``dims``           dimensions d searched (default ``[1, 2]``)
``horizons``       horizons T searched (default ``[1, 2, 3, 5, 10, 30, 100]``)
``starts``         start points: ``"corners"`` (default: 0 and every corner of the box)
                   or ``"zero"`` (0 only)
``beta1_t``        (search) ``{ max = "beta1", first = "equal" }``: only
                   :math:`\beta_{1,t} \le` max is assumed, so non-monotone schedules are tried
``symbols``        (symbolic method) extra names: table name -> ``"real"``,
                   ``"positive"``, ``"nonnegative"`` or ``"integer"``
``problem``        (asymptotic) a problem name (``adamlab list problems``), with
                   ``problem_params`` (a table)
``expect``         (asymptotic) ``"sublinear"`` (R(T)/T -> 0), ``"linear"`` or
                   ``"decreasing"``
``theta``          (asymptotic) ``{ x = -1.0, how = "near", tol = 0.05 }``; ``how``:
                   ``"near"``, ``"far"`` or ``"approaching"``
``seeds``          (asymptotic) list of seeds (default ``[0]``)
``horizon``        (asymptotic) T (default 100000; ten times with ``--thorough``)
=================  ==========================================================================

Errors name the file, the claim and the field (:class:`ClaimFileError`, a ValueError).
"""
from __future__ import annotations

import os
import sys
from typing import Any

import sympy as sp

from . import names as _names
from .claim import ID_PATTERN as _ID
from .claim import Claim, Quantifier
from .methods.symbolic import Symbolic
from .statement import StatementError, parse
from .user_asymptotic import AsymptoticSpecError, asymptotic_method
from .user_search import SearchSpecError, search_method

if sys.version_info >= (3, 11):
    import tomllib
else:                                   # pragma: no cover - Python 3.10
    import tomli as tomllib

FIELDS = ("id", "source", "statement", "text", "method", "hypotheses", "optimizer",
          "hyperparameters", "ranges", "games", "dims", "horizons", "symbols", "beta1_t", "starts",
          "problem", "problem_params", "expect", "theta", "seeds", "horizon")
METHODS = ("search", "symbolic", "asymptotic")
GAMES = ("linear-box",)
_ASSUMPTIONS = {"real": {"real": True}, "positive": {"positive": True},
                "nonnegative": {"nonnegative": True},
                "integer": {"integer": True}}


class ClaimFileError(ValueError):
    """A claims file that cannot be read; the message names the file, claim and field."""


def load(path: str | os.PathLike) -> list[Claim]:
    """The claims of the TOML file at ``path``, validated (see the module docstring)."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or path; got {type(path).__name__}")
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ClaimFileError(f"claims file {os.fspath(path)!r} does not exist") from None
    except IsADirectoryError:
        raise ClaimFileError(f"claims file {os.fspath(path)!r} is a folder") from None
    except tomllib.TOMLDecodeError as exc:
        raise ClaimFileError(f"claims file {os.fspath(path)!r} is not valid TOML: {exc}") \
            from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ClaimFileError(f"claims file {os.fspath(path)!r} cannot be read: {exc}") \
            from None
    return from_tables(data, where=f"claims file {os.fspath(path)!r}")


def from_tables(data: Any, *, where: str = "claims") -> list[Claim]:
    """The claims of a parsed TOML document (``{"claim": [table, ...]}``)."""
    if not isinstance(data, dict) or set(data) - {"claim"} or \
            not isinstance(data.get("claim"), list) or not data["claim"]:
        raise ClaimFileError(f"{where}: expected one or more [[claim]] tables and nothing "
                             f"else; found {sorted(data) if isinstance(data, dict) else data!r}")
    out, seen = [], set()
    for k, table in enumerate(data["claim"], 1):
        label = f"{where}: claim #{k}"
        if not isinstance(table, dict):
            raise ClaimFileError(f"{label}: must be a table")
        if isinstance(table.get("id"), str):
            label = f"{where}: claim {table['id']!r}"
        c = from_table(table, where=label)
        if c.id in seen:
            raise ClaimFileError(f"{label}: field 'id': {c.id!r} is used twice")
        seen.add(c.id)
        out.append(c)
    return out


def _field(table, name, types, label, default=None, required=False):
    if name not in table:
        if required:
            raise ClaimFileError(f"{label}: field {name!r} is required")
        return default
    value = table[name]
    if not isinstance(value, types) or isinstance(value, bool):
        raise ClaimFileError(f"{label}: field {name!r} must be a {types.__name__}; got "
                             f"{value!r}")
    return value


def from_table(table: dict, *, where: str = "claim") -> Claim:
    """One claim from one ``[[claim]]`` table."""
    unknown = sorted(set(table) - set(FIELDS))
    if unknown:
        raise ClaimFileError(f"{where}: unknown field(s) {unknown}; allowed: {', '.join(FIELDS)}")
    cid = _field(table, "id", str, where, required=True)
    source = _field(table, "source", str, where, required=True)
    text = _field(table, "statement", str, where, required=True)
    if not _ID.match(cid):
        raise ClaimFileError(f"{where}: field 'id' must be lower-case letters, digits and "
                             f". _ - (e.g. 'my.bound-1'); got {cid!r}")
    optimizer = _field(table, "optimizer", str, where)
    method = _field(table, "method", str, where, "search" if optimizer else "symbolic")
    if method not in METHODS:
        raise ClaimFileError(f"{where}: field 'method' must be one of {METHODS}; got {method!r}")
    table_names = dict(_names.table())
    for name, kind in _field(table, "symbols", dict, where, {}).items():
        if kind not in _ASSUMPTIONS or not name.isidentifier():
            raise ClaimFileError(f"{where}: field 'symbols': {name!r} = {kind!r}; use an "
                                 f"identifier = one of {sorted(_ASSUMPTIONS)}")
        table_names[name] = sp.Symbol(name, **_ASSUMPTIONS[kind])
    if method == "asymptotic":
        try:
            spec = asymptotic_method(table, table_names, where)
        except AsymptoticSpecError as exc:
            raise ClaimFileError(str(exc)) from None
        words = _field(table, "text", str, where, text)
        return _claim(where, cid, source, words, spec.math, spec.method, (), spec.quantifies)
    try:
        rel = parse(text, table_names, where=f"{where}: field 'statement'")
        hyps = tuple(parse(h, table_names, where=f"{where}: field 'hypotheses'")
                     if isinstance(h, str) else _bad_hyp(where, h)
                     for h in _field(table, "hypotheses", list, where, []))
    except StatementError as exc:
        raise ClaimFileError(str(exc)) from None
    words = _field(table, "text", str, where, text)
    if method == "symbolic":
        if optimizer:
            raise ClaimFileError(f"{where}: field 'optimizer' needs method = 'search' (the "
                                 f"symbolic method decides formulas only)")
        return _claim(where, cid, source, words, rel, Symbolic(), hyps,
                      Quantifier(None, {}, "formulas"))
    try:
        spec = search_method(table, rel, hyps, table_names, where)
    except SearchSpecError as exc:
        raise ClaimFileError(str(exc)) from None
    return _claim(where, cid, source, words, rel, spec.method, hyps, spec.quantifies)


def _claim(where, *args) -> Claim:
    try:
        return Claim(*args)
    except (TypeError, ValueError) as exc:     # e.g. an empty source: name the claim
        raise ClaimFileError(f"{where}: {str(exc).replace('Claim.', 'field ')}") from None


def _bad_hyp(where, h):
    raise ClaimFileError(f"{where}: field 'hypotheses' must be a list of strings such as "
                         f"'beta1**2 < beta2'; got {h!r}")


__all__ = ["ClaimFileError", "FIELDS", "GAMES", "METHODS", "from_table", "from_tables", "load"]
