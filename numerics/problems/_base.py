r"""Shared machinery of the problems: parameters, validation, seeding, data blocks.

A :class:`Problem` is a named, parametrized online convex optimization game:
at step :math:`t = 1, \dots, T` a convex loss :math:`f_t` on a feasible set
F (:attr:`Problem.domain`).  :meth:`Problem.sample` draws the data of R
independent runs and returns an :class:`Instance`, which evaluates
:math:`f_t(\theta)` and its (sub)gradient for iterates ``theta`` of shape
``(R, d)`` and computes the best fixed point in hindsight
(:meth:`Instance.comparator`).

Seeding
    Run r's data come from its own streams
    ``numpy.random.Generator(PCG64(SeedSequence(seed, spawn_key=(r, 0, b))))``,
    one per block b of :attr:`Instance.block_len` consecutive steps (the block
    length depends on the problem's parameters only).  Hence the data of step t
    of run r depend on (seed, r, t) alone: not on the number of runs, and not
    on T (a shorter horizon is a prefix of a longer one).  Per-run constants
    (e.g. the hidden weight vector of the logistic problems) use the stream
    ``spawn_key=(r, 1, j)``.  With ``shared=True`` every run gets run 0's data
    (runs then differ only by the optimizer's hyperparameters).
"""
from __future__ import annotations

import difflib
import math
import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import domains as _domains

__all__ = ["Param", "Problem", "check_int", "rng_for", "rowdot"]
# Instance and LinearInstance live in ._instance


@dataclass(frozen=True)
class Param:
    """Declaration of one problem parameter.

    ``kind``: ``"real"`` (finite), ``"positive"`` (> 0), ``"nonneg"`` (>= 0),
    ``"prob"`` (in (0, 1)), ``"fraction"`` (in (0, 1]), ``"unit"`` (in [0, 1)),
    ``"int"`` (an int >= ``low``), ``"choice"`` (one of ``choices``), ``"bool"``,
    ``"domain"`` (one of ``choices``, a :class:`~adamlab.numerics.domains.Domain`, or
    its ``to_json()`` dict).
    """

    name: str
    kind: str
    default: Any
    doc: str = ""
    choices: tuple = ()
    low: int = 1
    high: int | None = None


_REAL_KINDS = {
    "real": (lambda x: True, "a finite real number"),
    "positive": (lambda x: x > 0, "a finite number > 0"),
    "nonneg": (lambda x: x >= 0, "a finite number >= 0"),
    "prob": (lambda x: 0 < x < 1, "a number in (0, 1)"),
    "fraction": (lambda x: 0 < x <= 1, "a number in (0, 1]"),
    "unit": (lambda x: 0 <= x < 1, "a number in [0, 1)"),
}

_DOMAIN_CLASSES = {"box": _domains.Box, "linf": _domains.LinfBall, "l2": _domains.L2Ball,
                   "unconstrained": _domains.Unconstrained}


def check_int(owner: str, name: str, value: Any, low: int = 1, high: int | None = None) -> int:
    """An int in [low, high]; bools and floats are TypeErrors."""
    rng = f"an int >= {low}" + (f" and <= {high}" if high is not None else "")
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{owner}: {name} must be {rng}; got {value!r} of type "
                        f"{type(value).__name__}")
    if value < low or (high is not None and value > high):
        raise ValueError(f"{owner}: {name} must be {rng}; got {value!r}")
    return int(value)


def _check_param(owner: str, p: Param, value: Any):
    if p.kind in _REAL_KINDS:
        pred, allowed = _REAL_KINDS[p.kind]
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
            raise TypeError(f"{owner}: {p.name} must be {allowed}; got {value!r} of type "
                            f"{type(value).__name__}")
        v = float(value)
        if not math.isfinite(v) or not pred(v):
            raise ValueError(f"{owner}: {p.name} must be {allowed}; got {value!r}")
        return v
    if p.kind == "int":
        return check_int(owner, p.name, value, p.low, p.high)
    if p.kind == "bool":
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"{owner}: {p.name} must be True or False; got {value!r}")
        return bool(value)
    if p.kind in ("choice", "domain"):
        if p.kind == "domain" and isinstance(value, dict):   # as stored in .params
            value = _domains.from_json(value)
        if p.kind == "domain" and isinstance(value, _domains.Domain):
            return value
        if not isinstance(value, str) or value not in p.choices:
            close = difflib.get_close_matches(str(value), p.choices, n=2)
            hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
            extra = " or a Domain instance" if p.kind == "domain" else ""
            raise ValueError(f"{owner}: {p.name} must be one of "
                             f"{', '.join(map(repr, p.choices))}{extra}; got {value!r}{hint}")
        return value
    raise AssertionError(p.kind)  # pragma: no cover


def rowdot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise dot products, shape (R,), the same bits whatever R (unlike ``einsum``).

    ``np.sum(a * b, axis=-1)`` reduces each row of a fresh C-contiguous array
    with the same pairwise summation, so a run in a batch gets the numbers it
    gets alone; ``einsum`` and ``matmul`` pick kernels by shape and do not.
    """
    return np.sum(a * b, axis=-1)


def rng_for(seed: int, r: int, stream: int, index: int) -> np.random.Generator:
    """The generator of run ``r``'s stream ``(stream, index)`` (see the module docstring)."""
    return np.random.Generator(np.random.PCG64(
        np.random.SeedSequence(seed, spawn_key=(r, stream, index))))


class Problem:
    r"""An online convex optimization problem; see the module docstring.

    Attributes: ``name``, ``d``, ``domain``, ``params`` (JSON-able), and the
    flags ``sparse`` (gradients come as (indices, values)), ``oblivious``
    (gradients do not depend on :math:`\theta`), ``linear``
    (:math:`f_t(x) = \langle a_t, x\rangle`, so :meth:`Instance.linear_coefficients`
    exists) and ``adaptive`` (the losses are chosen after seeing
    :math:`\theta_t`: the comparator is known only once all T steps were played).
    """

    name = "problem"
    params_spec: tuple[Param, ...] = ()
    sparse = False
    oblivious = False
    linear = False
    adaptive = False
    fixed_domain: _domains.Domain | None = None   # problems whose F is fixed by the source
    domain_choices: tuple[str, ...] = ("box", "l2", "linf", "unconstrained")
    instance_cls: type = None  # set by subclasses

    def __init__(self, **params: Any):
        spec = {p.name: p for p in self.params_spec}
        for key in params:
            if key not in spec:
                close = difflib.get_close_matches(key, spec, n=3)
                hint = f"; did you mean {', '.join(close)}?" if close else ""
                raise TypeError(f"{self.name}: unknown parameter {key!r}{hint} "
                                f"(known: {', '.join(sorted(spec)) or 'none'})")
        values = {p.name: p.default for p in self.params_spec}
        values.update(params)
        self._values = {}
        for p in self.params_spec:
            if p.kind == "domain":
                p = Param(p.name, p.kind, p.default, p.doc, self.domain_choices)
            self._values[p.name] = _check_param(self.name, p, values[p.name])
        self.d = int(self._values.get("d", 1))
        self.domain = self._build_domain()
        self._setup()
        self.params = {k: (v.to_json() if isinstance(v, _domains.Domain) else v)
                       for k, v in self._values.items()}
        if "domain" in self._values:
            self.params["domain"] = self.domain.to_json()

    def __getattr__(self, key: str):
        values = self.__dict__.get("_values", {})
        if key in values:
            return values[key]
        raise AttributeError(f"{type(self).__name__!s} has no attribute {key!r}")

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"Problem[{self.name}]({args})"

    def _build_domain(self) -> _domains.Domain:
        if self.fixed_domain is not None:
            return self.fixed_domain.bind(self.d)
        spec = self._values.get("domain", "box")
        if isinstance(spec, _domains.Domain):
            allowed = tuple(_DOMAIN_CLASSES[c] for c in self.domain_choices)
            if type(spec) not in allowed:
                raise ValueError(f"{self.name}: domain must be one of "
                                 f"{', '.join(c.__name__ for c in allowed)}; got "
                                 f"{type(spec).__name__}")
            return spec.bind(self.d)
        r = self._values.get("radius", 1.0)
        return {"box": lambda: _domains.Box(-r, r, self.d),
                "linf": lambda: _domains.LinfBall(r, 0.0, self.d),
                "l2": lambda: _domains.L2Ball(r, 0.0, self.d),
                "unconstrained": lambda: _domains.Unconstrained(self.d)}[spec]()

    def _setup(self) -> None:
        """Derived quantities and cross-checks between parameters (override)."""

    def to_json(self) -> dict:
        """``{"name": ..., "params": ...}``: enough to rebuild with ``problems.make``."""
        return {"name": self.name, "params": dict(self.params)}

    def x0(self, runs: int = 1) -> np.ndarray:
        """The default initial point, 0 projected onto F, repeated for ``runs`` runs."""
        runs = check_int(self.name, "runs", runs)
        return self.domain.project(np.zeros((runs, self.d)))

    def gradient_bounds(self) -> dict | None:
        r"""Known bounds ``{"G": ..., "G_inf": ...}`` on :math:`\|g_t\|_2`, :math:`\|g_t\|_\infty` over F, or None."""
        return None

    def sample(self, T: int, runs: int = 1, seed: int = 0, *, shared: bool = False) -> "Instance":  # noqa: F821  (defined in _instance, which imports this module)
        """Draw the data of ``runs`` independent runs of horizon ``T``."""
        T = check_int(self.name, "T", T)
        runs = check_int(self.name, "runs", runs)
        seed = check_int(self.name, "seed", seed, low=0)
        if not isinstance(shared, (bool, np.bool_)):
            raise TypeError(f"{self.name}: shared must be True or False; got {shared!r}")
        return self.instance_cls(self, T, runs, seed, bool(shared))
