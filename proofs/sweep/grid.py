r"""A sweep: a grid of simulator runs over hyperparameters, problem parameters, horizons
and seeds, cut into chunks that are each worth shipping to a worker.

A :class:`Sweep` names one registry optimizer and one problem, with

* ``hyper`` -- each hyperparameter's list of values: numbers, pairs (``betas``, as
  2-lists), words (``eps_mode``) or learning-rate schedules written ``"0.1/sqrt(t)"``
  (:math:`\alpha_t = \alpha/\sqrt t`);
* ``problem_params`` -- each problem parameter's list of values;
* ``T`` -- one or more horizons; ``seeds`` -- the seeds every cell is run with.

A *cell* is one combination (hyperparameters, problem parameters, T), in the order of
:meth:`Sweep.cells` (the last key varies fastest); it is run once per seed.  A *chunk*
(:meth:`Sweep.chunks`) is a set of cells that differ only in numeric hyperparameters
(numbers and numeric pairs): the simulator runs them as one vectorized call, one run
per (cell, seed), with the hyperparameters as per-run arrays.  Runs do not interact,
so a cell's numbers are the same bit for bit whichever chunk it is in, and whatever
the number of workers (tested).

Sweeps can also be read from TOML (:func:`from_toml`)::

    optimizer = "adam"
    problem = "rkk-online"
    T = [10000]
    seeds = 3
    [hyper]
    betas = [[0.0, 0.99], [0.9, 0.99]]
    lr = ["0.1/sqrt(t)"]
    [problem_params]
    C = [1010]
"""
from __future__ import annotations

import hashlib
import itertools
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from adamlab import __version__
from adamlab.numerics import optimizers, problems
from adamlab.numerics.optimizers.schedules import InverseSqrt

#: the largest number of cells x seeds a sweep may hold
MAX_RUNS = 10**7
_SCHED = re.compile(r"^\s*([0-9.eE+-]+)\s*/\s*sqrt\(t\)\s*$")


def _number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _canon(v):
    """A hyperparameter value as JSON: numbers, [a, b] pairs, words, schedules (text)."""
    if isinstance(v, (list, tuple)):
        if len(v) != 2 or not all(_number(x) or isinstance(x, bool) for x in v):
            raise ValueError(f"a pair must be two numbers (e.g. betas = [0.9, 0.999]); got {v!r}")
        return [float(x) if not isinstance(x, bool) else x for x in v]
    if isinstance(v, bool) or _number(v):
        return v
    if isinstance(v, str) and v.strip():
        return v.strip()
    raise ValueError(f"a value must be a number, a pair, a word or 'A/sqrt(t)'; got {v!r}")


def batchable(v) -> bool:
    """Numbers and numeric pairs vary per run inside one simulator call."""
    return (_number(v) and not isinstance(v, bool)) or (
        isinstance(v, list) and all(_number(x) and not isinstance(x, bool) for x in v))


def build_value(v):
    """The optimizer's value for a canonical one (a schedule object for 'A/sqrt(t)')."""
    if isinstance(v, str):
        m = _SCHED.match(v)
        if m:
            return InverseSqrt(float(m.group(1)))
    if isinstance(v, list):
        return tuple(v)
    return v


@dataclass(frozen=True)
class Cell:
    """One grid point: its ``index`` in :meth:`Sweep.cells`, hyperparameters, problem
    parameters and horizon."""

    index: int
    hyper: Mapping[str, Any]
    problem_params: Mapping[str, Any]
    T: int


@dataclass(frozen=True)
class Sweep:
    """The grid (module docstring).  ``fixed`` -- hyperparameters set for every cell."""

    problem: str
    optimizer: str
    hyper: Mapping[str, Sequence] = field(default_factory=dict)
    problem_params: Mapping[str, Sequence] = field(default_factory=dict)
    T: tuple[int, ...] = (1000,)
    seeds: tuple[int, ...] = (0,)
    fixed: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        if self.problem not in problems.names():
            raise ValueError(f"problem must be one of {problems.names()}; got {self.problem!r}")
        if self.optimizer not in optimizers.names():
            raise ValueError(f"optimizer must be one of {optimizers.names()}; got "
                             f"{self.optimizer!r}")
        for name in ("hyper", "problem_params"):
            axes = getattr(self, name)
            if not isinstance(axes, Mapping):
                raise TypeError(f"{name} must map names to lists of values")
            clean = {}
            for k, vals in axes.items():
                vals = list(vals) if isinstance(vals, (list, tuple)) else [vals]
                if not vals:
                    raise ValueError(f"{name}[{k!r}] has no values")
                clean[str(k)] = [_canon(v) for v in vals]
            object.__setattr__(self, name, clean)
        object.__setattr__(self, "fixed", {str(k): _canon(v) for k, v in self.fixed.items()})
        T = (self.T,) if isinstance(self.T, int) else tuple(self.T)
        if not T or not all(isinstance(x, int) and not isinstance(x, bool) and 1 <= x <= 10**9
                            for x in T):
            raise ValueError(f"T must be one or more ints in 1..1e9; got {self.T!r}")
        seeds = tuple(range(self.seeds)) if isinstance(self.seeds, int) else tuple(self.seeds)
        if not seeds or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0
                                for s in seeds) or len(set(seeds)) != len(seeds):
            raise ValueError(f"seeds must be a count >= 1 or distinct ints >= 0; got "
                             f"{self.seeds!r}")
        object.__setattr__(self, "T", T)
        object.__setattr__(self, "seeds", seeds)
        if self.n_runs > MAX_RUNS:
            raise ValueError(f"the sweep has {self.n_runs:,} runs (cells x seeds); at most "
                             f"{MAX_RUNS:,}")
        clash = set(self.hyper) & set(self.fixed)
        if clash:
            raise ValueError(f"{sorted(clash)} are both swept and fixed")

    # -- the grid --------------------------------------------------------------------------
    @property
    def n_cells(self) -> int:
        n = len(self.T)
        for vals in list(self.hyper.values()) + list(self.problem_params.values()):
            n *= len(vals)
        return n

    @property
    def n_runs(self) -> int:
        return self.n_cells * len(self.seeds)

    def cells(self) -> list[Cell]:
        """Every cell, in order (hyperparameters, then problem parameters, then T; the last
        key varies fastest)."""
        hk, pk = list(self.hyper), list(self.problem_params)
        out = []
        combos = itertools.product(*[self.hyper[k] for k in hk],
                                   *[self.problem_params[k] for k in pk], self.T)
        for i, combo in enumerate(combos):
            h = dict(self.fixed)
            h.update(zip(hk, combo[:len(hk)]))
            out.append(Cell(i, h, dict(zip(pk, combo[len(hk):len(hk) + len(pk)])),
                            combo[-1]))
        return out

    def chunks(self, max_runs: int = 512) -> list[list[Cell]]:
        """The cells grouped so that each group is one vectorized simulator call of at most
        ``max_runs`` runs (cells x seeds; a cell is never split)."""
        if not isinstance(max_runs, int) or max_runs < 1:
            raise ValueError(f"max_runs must be an int >= 1; got {max_runs!r}")
        per = max(1, max_runs // len(self.seeds))
        groups: dict[str, list[Cell]] = {}
        for c in self.cells():
            key = json.dumps([{k: v for k, v in sorted(c.hyper.items()) if not batchable(v)},
                              sorted(c.problem_params.items()), c.T], sort_keys=True)
            groups.setdefault(key, []).append(c)
        out = []
        for cells in groups.values():
            out += [cells[i:i + per] for i in range(0, len(cells), per)]
        return sorted(out, key=lambda cs: cs[0].index)

    def check(self) -> None:
        """Build the optimizer and the problem once for every value of every axis (the
        others at their first value), so that a bad value fails now, with the registry's
        message, and not inside a worker."""
        first = {k: v[0] for k, v in self.hyper.items()}
        for key, vals in [(None, [None])] + list(self.hyper.items()):
            for v in vals:
                h = dict(self.fixed, **first)
                if key is not None:
                    h[key] = v
                optimizers.make(self.optimizer, **{k: build_value(x) for k, x in h.items()})
        pfirst = {k: v[0] for k, v in self.problem_params.items()}
        for key, vals in [(None, [None])] + list(self.problem_params.items()):
            for v in vals:
                p = dict(pfirst)
                if key is not None:
                    p[key] = v
                problems.make(self.problem, **p)

    # -- identity ------------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        return {"problem": self.problem, "optimizer": self.optimizer,
                "hyper": dict(self.hyper), "problem_params": dict(self.problem_params),
                "T": list(self.T), "seeds": list(self.seeds), "fixed": dict(self.fixed)}

    def key(self, max_runs: int) -> str:
        """What determines the results and their chunks (and the package version)."""
        blob = json.dumps({"sweep": self.to_json(), "max_runs": max_runs,
                           "version": __version__}, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> "Sweep":
        known = {"problem", "optimizer", "hyper", "problem_params", "T", "seeds", "fixed"}
        extra = set(d) - known
        if extra:
            raise ValueError(f"unknown sweep keys {sorted(extra)}; allowed: {sorted(known)}")
        for k in ("problem", "optimizer"):
            if k not in d:
                raise ValueError(f"a sweep needs {k!r}")
        return cls(d["problem"], d["optimizer"], d.get("hyper", {}), d.get("problem_params", {}),
                   d.get("T", (1000,)), d.get("seeds", (0,)), d.get("fixed", {}))


def from_toml(path) -> Sweep:
    """The sweep described by a TOML file (module docstring)."""
    import tomllib
    with open(path, "rb") as fh:
        try:
            data = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"{path}: not valid TOML: {exc}") from None
    return Sweep.from_json(data)


__all__ = ["Cell", "MAX_RUNS", "Sweep", "batchable", "build_value", "from_toml"]
