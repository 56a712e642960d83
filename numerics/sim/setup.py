"""Input validation and set-up for :func:`adamlab.numerics.simulate.run`: seeds,
problem/optimizer resolution, the initial point, sampling (one instance per seed,
stacked), and the choice of engine."""
from __future__ import annotations

import numbers
import os
from typing import Any

import numpy as np

from .. import optimizers as _optimizers
from .. import problems as _problems
from .oblivious import oblivious_support
from . import probe
from .sparse import sparse_support


# -- validation and set-up ------------------------------------------------------------
def check_posint(name: str, value: Any) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"run: {name} must be an int >= 1; got {value!r} of type "
                        f"{type(value).__name__}")
    if value < 1:
        raise ValueError(f"run: {name} must be an int >= 1; got {value!r}")
    return int(value)


def check_choice(name: str, value: Any, allowed: tuple[str, ...]) -> None:
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"run: {name} must be one of {', '.join(map(repr, allowed))}; "
                         f"got {value!r}")


def parse_seeds(seed: Any, runs: Any):
    """(seeds as an int or a list of ints, runs)."""
    def one(s, name):
        if isinstance(s, (bool, np.bool_)) or not isinstance(s, numbers.Integral):
            raise TypeError(f"run: {name} must be an int >= 0 (or a list of them, one per "
                            f"run); got {s!r}")
        if s < 0:
            raise ValueError(f"run: {name} must be an int >= 0; got {s!r}")
        return int(s)
    if isinstance(seed, (list, tuple, np.ndarray)):
        seeds = [one(s, f"seed[{i}]") for i, s in enumerate(seed)]
        if not seeds:
            raise ValueError("run: seed must be an int or a non-empty list of ints")
        if runs is None:
            runs = len(seeds)
        runs = check_posint("runs", runs)
        if runs != len(seeds):
            raise ValueError(f"run: runs = {runs} but seed lists {len(seeds)} seeds "
                             f"(one per run; mismatched dimensions)")
        return seeds, runs
    return one(seed, "seed"), check_posint("runs", 1 if runs is None else runs)


def resolve_problem(problem, params):
    from .. import problems as _problems
    if params is not None and not isinstance(params, dict):
        raise TypeError(f"run: problem_params must be a dict; got {type(params).__name__}")
    if isinstance(problem, str):
        return _problems.make(problem, **(params or {}))
    if params:
        raise TypeError("run: problem_params apply only when problem is a registered name")
    if not all(hasattr(problem, a) for a in ("sample", "domain", "d", "name")):
        raise TypeError(f"run: problem must be a Problem or a registered problem name "
                        f"({', '.join(_problems.names())}); got {type(problem).__name__}")
    return problem


def resolve_optimizer(optimizer, params):
    if params is not None and not isinstance(params, dict):
        raise TypeError(f"run: optimizer_params must be a dict; got {type(params).__name__}")
    if isinstance(optimizer, str):
        return _optimizers.make(optimizer, **(params or {}))
    if params:
        raise TypeError("run: optimizer_params apply only when optimizer is a registered name")
    if not isinstance(optimizer, _optimizers.Optimizer):
        raise TypeError(f"run: optimizer must be an Optimizer (optimizers.make(...)) or a "
                        f"registered name ({', '.join(_optimizers.names())}); got "
                        f"{type(optimizer).__name__}")
    return optimizer


def initial_point(prob, x0, runs: int) -> np.ndarray:
    d = int(prob.d)
    if x0 is None:
        return np.array(prob.x0(runs), dtype=np.float64).reshape(runs, d)
    if isinstance(x0, (list, tuple)) or isinstance(x0, numbers.Real):
        x0 = np.asarray(x0, dtype=np.float64)
    if not isinstance(x0, np.ndarray) or x0.dtype.kind not in "fiu":
        raise TypeError(f"run: x0 must be a real array of shape (d,) or (runs, d); got "
                        f"{type(x0).__name__}")
    x0 = x0.astype(np.float64)
    if x0.ndim == 1 and x0.shape[0] == d:
        x0 = np.broadcast_to(x0, (runs, d)).copy()
    if x0.shape != (runs, d):
        raise ValueError(f"run: x0 must have shape (d,) = ({d},) or (runs, d) = ({runs}, "
                         f"{d}); got {x0.shape} (mismatched dimensions)")
    if not np.all(np.isfinite(x0)):
        raise ValueError("run: x0 must be finite; found NaN or inf")
    feasible = prob.domain.project(x0)
    if not np.allclose(feasible, x0, rtol=1e-12, atol=1e-12):
        raise ValueError("run: x0 must lie in the problem's feasible set F "
                         f"({prob.domain!r}); project it first")
    return feasible


def sample_instance(prob, T, runs, seeds, shared, data: "SampledData | None" = None):
    if isinstance(seeds, list):
        if shared:
            raise ValueError("run: shared=True needs one seed (an int), not a list")
        return StackedInstance([prob.sample(T, 1, s) for s in seeds])
    if data is not None:
        return data.instance(prob, T, runs, seeds, shared)
    return prob.sample(T, runs, seeds, shared=shared)


class SampledData:
    """The games of one experiment, each sampled once for all its series.

    :func:`adamlab.numerics.simulate.run` with ``data=`` takes its instance from here:
    the series that play the same (problem, T, runs, seed, shared) play one instance,
    whose data blocks are kept (:class:`~adamlab.numerics.problems.BlockStore`, at most
    ``budget_bytes``), so the data are drawn once, not once per series -- the same
    arrays, bit for bit.  Games whose data depend on the iterates (``adaptive``
    problems) and lists of seeds are sampled afresh every time.  Whoever makes it owns
    it (e.g. one ``adamlab regret`` experiment); the blocks go with it.

    ``budget_bytes``: default the smaller of 512 MB and an eighth of the memory
    available now."""

    def __init__(self, budget_bytes: int | None = None):
        if budget_bytes is None:
            avail = available_memory()
            budget_bytes = 512 * 2**20 if avail is None else min(512 * 2**20, avail // 8)
        self.store = _problems.BlockStore(budget_bytes)
        self._games: dict = {}

    def instance(self, prob, T: int, runs: int, seed: int, shared: bool):
        """The instance of this game: sampled and kept the first time, the same after."""
        if getattr(prob, "adaptive", False):
            return prob.sample(T, runs, seed, shared=shared)
        key = (id(prob), T, runs, seed, bool(shared))   # (prob is kept below: ids stay)
        hit = self._games.get(key)
        if hit is not None:
            return hit[1]
        inst = prob.sample(T, runs, seed, shared=shared)
        inst.keep_blocks(self.store)
        self._games[key] = (prob, inst)
        return inst


def available_memory() -> int | None:
    """Bytes of memory available now (Linux: MemAvailable), or None where unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def engine_reason(name, prob, opt, projection, inst) -> bool | str:
    """True when the fast engine ``name`` ("oblivious" or "sparse") applies to this run,
    else the reason it does not: what the problem and the optimizer's registry entry
    declare, then the probe game against the optimizer's own step (:mod:`.probe`)."""
    support = oblivious_support if name == "oblivious" else sparse_support
    ok = support(prob, opt, projection, inst)
    return probe.agrees(opt, inst.runs, name) if ok is True else ok


def pick_engine(engine, prob, opt, projection, inst, record_iterates) -> str:
    if engine == "auto":
        if record_iterates:
            return "dense"
        for name in ("oblivious", "sparse"):
            if engine_reason(name, prob, opt, projection, inst) is True:
                return name
        return "dense"
    if engine != "dense":
        reason = engine_reason(engine, prob, opt, projection, inst)
        if reason is not True:
            raise ValueError(f"run: engine={engine!r} does not apply: {reason}")
        if record_iterates:
            raise ValueError(f"run: record_iterates=True needs engine='dense' (got {engine!r})")
    return engine


class StackedInstance:
    """R single-run instances (one seed each) played as one batch of R runs."""

    def __init__(self, parts):
        self.parts = parts
        first = parts[0]
        self.problem, self.T, self.d, self.domain = first.problem, first.T, first.d, \
            first.domain
        self.runs = len(parts)
        if all(hasattr(p, "linear_coefficients") for p in parts):
            self.linear_coefficients = self._linear_coefficients
        if all(hasattr(p, "prefix_best_losses") for p in parts):
            self.prefix_best_losses = self._prefix

    def loss(self, t, theta):
        return np.concatenate([p.loss(t, theta[r:r + 1]) for r, p in enumerate(self.parts)])

    def grad(self, t, theta):
        return np.concatenate([p.grad(t, theta[r:r + 1]) for r, p in enumerate(self.parts)])

    def loss_and_grad(self, t, theta):
        pairs = [p.loss_and_grad(t, theta[r:r + 1]) for r, p in enumerate(self.parts)]
        return np.concatenate([a for a, _ in pairs]), np.concatenate([b for _, b in pairs])

    def _linear_coefficients(self, t0, t1):
        return np.concatenate([p.linear_coefficients(t0, t1) for p in self.parts], axis=1)

    def _prefix(self):
        return np.concatenate([p.prefix_best_losses() for p in self.parts], axis=1)

    def comparator(self):
        comps = [p.comparator() for p in self.parts]
        return _StackedComparator(comps)


class _StackedComparator:
    def __init__(self, comps):
        self.theta = np.concatenate([c.theta for c in comps])
        self.total_loss = np.concatenate([c.total_loss for c in comps])
        self.bound = np.concatenate([np.asarray(c.bound, dtype=np.float64).reshape(-1)
                                     for c in comps])
        self.method = comps[0].method
        certs = [c.certificate for c in comps]
        self.certificate = dict(certs[0])
        for key in ("kkt_residual", "duality_gap", "suboptimality_bound", "relative_bound"):
            vals = [c.get(key) for c in certs if isinstance(c.get(key), (int, float))]
            if vals:
                self.certificate[key] = max(vals)
        self.certificate["certified"] = all(c.get("certified", True) for c in certs)
        self.info = {"per_run": [getattr(c, "info", {}) for c in comps]}


__all__ = ["StackedInstance", "check_choice", "check_posint", "engine_reason", "initial_point",
           "parse_seeds", "pick_engine", "resolve_optimizer", "resolve_problem",
           "sample_instance", "SampledData", "available_memory"]
