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

__all__ = ["Param", "Problem", "Instance", "LinearInstance", "check_int", "rng_for", "rowdot"]


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

    def sample(self, T: int, runs: int = 1, seed: int = 0, *, shared: bool = False) -> "Instance":
        """Draw the data of ``runs`` independent runs of horizon ``T``."""
        T = check_int(self.name, "T", T)
        runs = check_int(self.name, "runs", runs)
        seed = check_int(self.name, "seed", seed, low=0)
        if not isinstance(shared, (bool, np.bool_)):
            raise TypeError(f"{self.name}: shared must be True or False; got {shared!r}")
        return self.instance_cls(self, T, runs, seed, bool(shared))


class Instance:
    """The sampled data of R runs of a problem over T steps.

    Subclasses implement ``_loss(t, x)``, ``_grad(t, x)`` (and optionally
    ``_loss_grad``) on validated 2-D ``x`` of shape (R, d), and ``_comparator()``.
    Data are generated per block by ``_gen_block(rng, b)`` -> dict of arrays
    with leading axis ``block_len`` (see the module docstring).
    """

    block_len = 4096

    def __init__(self, problem: Problem, T: int, runs: int, seed: int, shared: bool):
        self.problem, self.T, self.runs, self.seed, self.shared = problem, T, runs, seed, shared
        self.d, self.domain = problem.d, problem.domain
        self._cache_b, self._cache = -1, None
        self._comp = None

    def __repr__(self) -> str:
        return (f"Instance[{self.problem.name}](T={self.T}, runs={self.runs}, seed={self.seed}"
                f"{', shared=True' if self.shared else ''})")

    # -- validation -------------------------------------------------------------
    def _t(self, t: Any) -> int:
        return check_int(self.problem.name, "t", t, 1, self.T)

    def _theta(self, theta: Any, name: str = "theta", finite: bool = True) -> np.ndarray:
        owner = self.problem.name
        if not isinstance(theta, np.ndarray):
            raise TypeError(f"{owner}: {name} must be a float array of shape (R, d) = "
                            f"({self.runs}, {self.d}); got {type(theta).__name__}")
        if theta.dtype not in (np.float32, np.float64):
            raise TypeError(f"{owner}: {name} must have dtype float32 or float64; got "
                            f"{theta.dtype}")
        if theta.shape == (self.d,):
            theta = np.broadcast_to(theta, (self.runs, self.d))
        if theta.shape != (self.runs, self.d):
            raise ValueError(f"{owner}: {name} must have shape (R, d) = ({self.runs}, "
                             f"{self.d}) or (d,); got {theta.shape} (mismatched dimensions)")
        if finite and not math.isfinite(float(np.sum(theta))) and \
                not np.all(np.isfinite(theta)):
            raise ValueError(f"{owner}: {name} must be finite; found NaN or inf")
        return theta

    # -- public API ---------------------------------------------------------------
    def loss(self, t: int, theta) -> np.ndarray:
        r""":math:`f_t(\theta)` for each run: shape (R,)."""
        t, x = self._t(t), self._theta(theta)
        return self._loss(t, x).astype(x.dtype, copy=False)

    def grad(self, t: int, theta) -> np.ndarray:
        r"""A (sub)gradient :math:`g_t = \nabla f_t(\theta)` as a dense (R, d) array."""
        t, x = self._t(t), self._theta(theta)
        return self._grad(t, x).astype(x.dtype, copy=False)

    def loss_and_grad(self, t: int, theta):
        """``(loss(t, theta), grad(t, theta))`` in one pass."""
        t, x = self._t(t), self._theta(theta)
        f, g = self._loss_grad(t, x)
        return f.astype(x.dtype, copy=False), g.astype(x.dtype, copy=False)

    def _loss_grad(self, t, x):
        return self._loss(t, x), self._grad(t, x)

    def cumulative_loss(self, theta) -> np.ndarray:
        r""":math:`\sum_{t=1}^T f_t(\theta)` for a fixed point per run: shape (R,)."""
        x = self._theta(theta).astype(np.float64)
        return self._cumulative(x)

    def _cumulative(self, x):
        return np.sum([self._loss(t, x) for t in range(1, self.T + 1)], axis=0)

    def comparator(self):
        r"""The best fixed point in hindsight, :math:`\min_{x\in F}\sum_{t\le T} f_t(x)` (cached)."""
        if self._comp is None:
            self._comp = self._comparator()
        return self._comp

    def _comparator(self):  # pragma: no cover - abstract
        raise NotImplementedError

    # -- data blocks ----------------------------------------------------------------
    def _gen_block(self, rng: np.random.Generator, b: int) -> dict:  # pragma: no cover
        raise NotImplementedError

    def _run_block(self, r: int, b: int) -> dict:
        return self._gen_block(rng_for(self.seed, 0 if self.shared else r, 0, b), b)

    def _block(self, b: int) -> dict:
        """Block b for all runs: arrays of shape (R, block_len, ...), cached one at a time."""
        if b != self._cache_b:
            if self.shared:
                one = self._run_block(0, b)
                data = {k: np.broadcast_to(v, (self.runs,) + v.shape) for k, v in one.items()}
            else:
                per = [self._run_block(r, b) for r in range(self.runs)]
                data = {k: np.stack([p[k] for p in per]) for k in per[0]}
            self._cache_b, self._cache = b, data
        return self._cache

    def _step(self, t: int) -> dict:
        """The data of step t for all runs: arrays of shape (R, ...)."""
        b, off = divmod(t - 1, self.block_len)
        return {k: v[:, off] for k, v in self._block(b).items()}

    def _range(self, t0: int, t1: int) -> dict:
        """Data of steps t0+1..t1 for all runs: arrays of shape (R, t1 - t0, ...)."""
        parts = []
        b0, b1 = t0 // self.block_len, (t1 - 1) // self.block_len
        for b in range(b0, b1 + 1):
            lo = max(t0 - b * self.block_len, 0)
            hi = min(t1 - b * self.block_len, self.block_len)
            parts.append({k: v[:, lo:hi] for k, v in self._block(b).items()})
        return {k: np.concatenate([p[k] for p in parts], axis=1) for k in parts[0]}

    def run_data(self, r: int) -> dict:
        """All T steps of run r's data: arrays with leading axis T (not cached)."""
        r = check_int(self.problem.name, "r", r, 0, self.runs - 1)
        nb = -(-self.T // self.block_len)
        parts = [self._run_block(r, b) for b in range(nb)]
        return {k: np.concatenate([p[k] for p in parts])[:self.T] for k in parts[0]}

    def _distinct_runs(self):
        """(runs to solve, map run -> solved index): with shared data, one solve serves all."""
        return ([0], np.zeros(self.runs, dtype=np.int64)) if self.shared else \
            (list(range(self.runs)), np.arange(self.runs))


class LinearInstance(Instance):
    r"""Instances of linear losses :math:`f_t(x) = \langle a_t, x\rangle` (oblivious or adaptive)."""

    def linear_coefficients(self, t0: int, t1: int) -> np.ndarray:
        r"""The coefficients :math:`a_t` of steps :math:`t = t_0+1, \dots, t_1`: shape (t1-t0, R, d).

        Python-slice convention on 0-based step positions: ``(0, T)`` is the
        whole horizon and row j is step :math:`t = t_0 + 1 + j`.
        """
        owner = self.problem.name
        t0 = check_int(owner, "t0", t0, 0, self.T - 1)
        t1 = check_int(owner, "t1", t1, t0 + 1, self.T)
        return self._coeffs(t0, t1)

    def _coeffs(self, t0, t1):
        return np.moveaxis(self._range(t0, t1)["a"], 1, 0)

    def _loss(self, t, x):
        return rowdot(self._coeffs(t - 1, t)[0], x)

    def _grad(self, t, x):
        return np.array(self._coeffs(t - 1, t)[0], dtype=np.float64)

    def coefficient_sum(self, t0: int = 0, t1: int | None = None) -> np.ndarray:
        r""":math:`\sum_{t=t_0+1}^{t_1} a_t`, shape (R, d) (default: the whole horizon)."""
        t1 = self.T if t1 is None else t1
        out = np.zeros((self.runs, self.d))
        chunk = max(1, 2**20 // max(1, self.runs * self.d))
        for s in range(t0, t1, chunk):
            out += self._coeffs(s, min(s + chunk, t1)).sum(axis=0)
        return out

    def _cumulative(self, x):
        return rowdot(self.coefficient_sum(), x)

    def prefix_best_losses(self) -> np.ndarray:
        r""":math:`\min_{x\in F}\sum_{s\le t} f_s(x) = -\sigma_F(-S_t)` for every t: shape (T, R).

        The comparator of each prefix in closed form (for the stats'
        ``regret_prefix``), computed chunk by chunk.
        """
        out = np.empty((self.T, self.runs))
        acc = np.zeros((self.runs, self.d))
        chunk = max(1, 2**20 // max(1, self.runs * self.d))
        for s in range(0, self.T, chunk):
            e = min(s + chunk, self.T)
            S = acc + np.cumsum(self._coeffs(s, e), axis=0)
            out[s:e] = -self.domain.support(-S.reshape(-1, self.d)).reshape(e - s, self.runs)
            acc = S[-1]
        return out

    def _comparator(self):
        from ..comparator import linear_comparator
        return linear_comparator(self.domain, self.coefficient_sum())
