r"""The online convex optimization simulator: ``run(problem, optimizer, T, runs, seed)``.

>>> from adamlab.numerics import simulate, optimizers
>>> from adamlab.numerics.optimizers.schedules import InverseSqrt
>>> opt = optimizers.make("adam", lr=InverseSqrt(0.5), betas=(0.0, 0.1), eps=0.0)
>>> res = simulate.run("rkk-thm1", opt, T=1000)
>>> float(res.regret[-1, 0] / 1000) > 0.1        # Adam does not converge here
True

The game (Zinkevich, ICML 2003; Kingma & Ba, ICLR 2015, §4; Reddi, Kale &
Kumar, ICLR 2018, §2): for :math:`t = 1, \dots, T` the learner plays
:math:`\theta_t \in F`, suffers :math:`f_t(\theta_t)`, sees
:math:`g_t = \nabla f_t(\theta_t)`, and moves

.. math:: \theta_{t+1} = \Pi_F\bigl(\theta_t - \text{step}_t(g_{1:t})\bigr)

where the step is the optimizer's update and :math:`\Pi_F` the Euclidean
projection (``projection="euclidean"``) or the weighted projection
:math:`\Pi_{F,\sqrt{\hat V_t}}` of Reddi et al.'s Algorithm 2
(``projection="weighted"``, with :math:`\hat V_t = \operatorname{diag}(\hat v_t)`
the optimizer's own second moment, see :mod:`.stats`).  The regret is
:math:`R(t) = \sum_{s\le t} f_s(\theta_s) - \min_{x\in F}\sum_{s\le T} f_s(x)`,
with the certified comparator of the whole horizon
(:mod:`adamlab.numerics.comparator`).  :math:`\theta_1` is ``problem.x0``
(0 projected onto F) unless ``x0`` is given.

Engines (``engine="auto"`` picks the fastest that applies; results agree to
:math:`10^{-12}` relative, see the tests):

``"dense"``
    a step loop over all (R, d) coordinates with any registered optimizer.
``"sparse"``
    :mod:`.sparse`: O(nnz) per step for sparse problems, exact lazy updates
    for Adam/AMSGrad/AdaGrad/RMSprop on separable domains.
``"oblivious"``
    :mod:`.oblivious`: no per-step Python loop when the losses are linear and
    the gradients do not depend on the iterate (Reddi et al.'s examples).

Runs are independent games played side by side: they may differ by their
data (each run has its own random stream; ``seed`` may also be a list with
one seed per run) and by the optimizer's hyperparameters (arrays with one
value per run).  Run r's numbers do not depend on the other runs.

Ctrl-C (KeyboardInterrupt) ends the run early: the result comes back (and
is saved, with ``save=``) with ``metadata["complete"] = False`` and NaN in the
rows not reached.
"""
from __future__ import annotations

import numbers
import signal
import sys
import threading
import time
from typing import Any

import numpy as np

from . import optimizers as _optimizers
from . import stats as _stats
from .progress import Progress
from .run_result import RunResult, to_jsonable

ENGINES = ("auto", "dense", "sparse", "oblivious")
PROJECTIONS = ("euclidean", "weighted")


class StopFlag:
    """Ctrl-C during a run: the first press asks the engine to stop after the current
    step (so every array stays consistent); a second press interrupts at once.

    Installed only in the main thread; elsewhere engines just catch
    KeyboardInterrupt.  ``requested`` is what the engines poll.
    """

    def __init__(self):
        self.requested = False
        self._old = None

    def __enter__(self) -> "StopFlag":
        if threading.current_thread() is threading.main_thread():
            try:
                self._old = signal.signal(signal.SIGINT, self._handler)
            except (ValueError, OSError):   # pragma: no cover - embedded interpreters
                self._old = None
        return self

    def _handler(self, signum, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def __exit__(self, *exc) -> None:
        if self._old is not None:
            signal.signal(signal.SIGINT, self._old)


class EngineOutput:
    """What an engine hands back to :func:`run` (internal)."""

    def __init__(self, losses, stats, theta_final, steps_done, stats_meta, iterates=None):
        self.losses, self.stats, self.theta_final = losses, stats, theta_final
        self.steps_done, self.stats_meta, self.iterates = steps_done, stats_meta, iterates


def run(problem: Any, optimizer: Any, T: int, runs: int | None = None, seed: Any = 0, *,
        x0: Any = None, projection: str = "euclidean", engine: str = "auto",
        stats: bool = True, record_iterates: bool = False, shared: bool = False,
        progress: bool | None = None, save: Any = None,
        problem_params: dict | None = None, optimizer_params: dict | None = None
        ) -> RunResult:
    """Play ``T`` steps of ``problem`` with ``optimizer`` in ``runs`` runs; see the module docs.

    ``problem``: a :class:`~adamlab.numerics.problems.Problem` or a registered
    name (built with ``problem_params``); ``optimizer``: an
    :class:`~adamlab.numerics.optimizers.Optimizer` or a registered name (built
    with ``optimizer_params``).  ``runs`` defaults to 1, or to ``len(seed)``
    when ``seed`` is a list.  ``shared=True`` gives every run run 0's data.
    ``stats=False`` records only losses and regret.  ``record_iterates`` keeps
    every :math:`\\theta_t` ((T, R, d); small problems only).  ``progress``:
    None draws a bar on stderr only when it is a terminal.  ``save``: a path
    to write the result to (.npz + .json, atomically), also when interrupted.
    """
    started = time.perf_counter()
    prob = _resolve_problem(problem, problem_params)
    opt = _resolve_optimizer(optimizer, optimizer_params)
    T = _posint("T", T)
    seeds, runs = _seeds(seed, runs)
    for name, value in (("stats", stats), ("record_iterates", record_iterates),
                        ("shared", shared)):
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"run: {name} must be True or False; got {value!r}")
    if progress is not None and not isinstance(progress, (bool, np.bool_)):
        raise TypeError(f"run: progress must be True, False or None; got {progress!r}")
    _choice("projection", projection, PROJECTIONS)
    _choice("engine", engine, ENGINES)
    if projection == "weighted" and not _stats.has_second_moment(opt):
        raise ValueError(f"run: projection='weighted' needs an optimizer with a second "
                         f"moment (Adam family, AdaGrad, RMSprop); {opt.name!r} has none")
    theta0 = _initial_point(prob, x0, runs)
    opt.init(theta0)      # checks per-run hyperparameters against runs
    inst = _sample(prob, T, runs, seeds, bool(shared))
    chosen = _pick_engine(engine, prob, opt, projection, inst, bool(record_iterates))
    cfg = dict(projection=projection, stats=bool(stats), record_iterates=bool(record_iterates))
    bar = Progress(T, desc=f"{prob.name}/{opt.name}",
                   enabled=None if progress is None else bool(progress))
    try:
        with StopFlag() as stop:
            cfg["stop"] = stop
            if chosen == "oblivious":
                from .oblivious import run_oblivious
                out = run_oblivious(inst, opt, theta0, T, cfg, bar)
            elif chosen == "sparse":
                from .sparse import run_sparse
                out = run_sparse(inst, opt, theta0, T, cfg, bar)
            else:
                out = run_dense(inst, opt, theta0, T, cfg, bar)
    finally:
        bar.close()
        cfg.pop("stop", None)
    result = _assemble(prob, opt, inst, out, T, runs, seed, bool(shared), chosen, cfg,
                       theta0, started)
    if not result.complete:
        print(f"adamlab: interrupted after {out.steps_done} of {T} steps; the result is "
              f"marked incomplete", file=sys.stderr)
    if save is not None:
        result.save(save)
    return result


# -- the dense engine -------------------------------------------------------------
def run_dense(inst, opt, theta0: np.ndarray, T: int, cfg: dict, bar: Progress) -> EngineOutput:
    """The reference engine: every coordinate of every run, step by step."""
    R, d = theta0.shape
    domain = inst.domain
    weighted = cfg["projection"] == "weighted"
    want_stats = cfg["stats"]
    has_v = _stats.has_second_moment(opt)
    rec = _stats.DenseRecorder(T, R, d, vhat=has_v, beta1=_stats.has_beta1(opt)) \
        if want_stats else None
    losses = np.full((T, R), np.nan)
    iterates = np.full((T, R, d), np.nan) if cfg["record_iterates"] else None
    theta, state = theta0.copy(), opt.init(theta0)
    lossgrad = _dense_lossgrad(inst)
    stop = cfg.get("stop") or StopFlag()
    done = 0
    try:
        for t in range(1, T + 1):
            if stop.requested:
                break
            f, g = lossgrad(t, theta)
            if iterates is not None:
                iterates[t - 1] = theta
            if rec is not None:
                rec.grads(t, g, theta)
            new, state = opt.update(g, state, theta)
            mom = _stats.second_moment(opt, state, R) if (weighted or (rec and has_v)) \
                else None
            theta = domain.project_weighted(new, np.sqrt(mom.vhat)) if weighted \
                else domain.project(new)
            if rec is not None:
                rec.moment(t, mom)
            losses[t - 1] = f
            done = t
            bar.update(1)
    except KeyboardInterrupt:
        pass
    out_stats = rec.out if rec is not None else {}
    meta = {"D": _stats.D_META, "D_inf": _stats.D_INF_META} if rec is not None else {}
    return EngineOutput(losses, out_stats, theta, done, meta, iterates)


def _dense_lossgrad(inst):
    if hasattr(inst, "loss_and_grad"):
        return inst.loss_and_grad
    return lambda t, theta: (inst.loss(t, theta), inst.grad(t, theta))


# -- assembling the result ----------------------------------------------------------
def _assemble(prob, opt, inst, out: EngineOutput, T, runs, seed, shared, engine, cfg,
              theta0, started) -> RunResult:
    complete = out.steps_done == T
    done = out.steps_done
    losses = out.losses
    losses[done:] = np.nan
    stats = {"t": np.arange(1, T + 1, dtype=np.int64)}
    comp_dict: dict[str, Any] = {"method": None, "certificate": None}
    regret = np.full((T, runs), np.nan)
    comp_time = 0.0
    if complete:
        t0 = time.perf_counter()
        comp = inst.comparator()
        comp_time = time.perf_counter() - t0
        regret = np.cumsum(losses, axis=0) - comp.total_loss[None, :]
        comp_dict = {"theta": comp.theta, "total_loss": comp.total_loss,
                     "bound": np.asarray(comp.bound, dtype=np.float64),
                     "method": comp.method, "certificate": comp.certificate,
                     "info": getattr(comp, "info", {})}
    stats["regret"] = regret
    prefix = getattr(inst, "prefix_best_losses", None)
    if complete and cfg["stats"] and prefix is not None:
        stats["regret_prefix"] = np.cumsum(losses, axis=0) - prefix()
    for name, value in out.stats.items():
        value[done:] = np.nan
        stats[name] = value
    d = theta0.shape[1]
    constants = _stats.constants_for(opt, inst.domain, T, d, runs) if cfg["stats"] else \
        {"d": d, "T": T}
    meta = {
        "problem": prob.name, "problem_params": to_jsonable(getattr(prob, "params", {})),
        "optimizer": opt.name, "optimizer_hyper": to_jsonable(opt.hyper),
        "T": T, "runs": runs, "seed": to_jsonable(seed), "shared": shared, "engine": engine,
        "projection": cfg["projection"], "domain": to_jsonable(inst.domain),
        "complete": complete, "steps_done": done, "stats_meta": out.stats_meta,
        "elapsed_s": time.perf_counter() - started, "comparator_s": comp_time,
    }
    from .. import __version__
    meta["adamlab_version"] = __version__
    meta["numpy_version"] = np.__version__
    return RunResult(losses=losses, stats=stats, constants=constants, comparator=comp_dict,
                     theta_final=out.theta_final, metadata=meta, iterates=out.iterates)


# -- validation and set-up ------------------------------------------------------------
def _posint(name: str, value: Any) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"run: {name} must be an int >= 1; got {value!r} of type "
                        f"{type(value).__name__}")
    if value < 1:
        raise ValueError(f"run: {name} must be an int >= 1; got {value!r}")
    return int(value)


def _choice(name: str, value: Any, allowed: tuple[str, ...]) -> None:
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"run: {name} must be one of {', '.join(map(repr, allowed))}; "
                         f"got {value!r}")


def _seeds(seed: Any, runs: Any):
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
        runs = _posint("runs", runs)
        if runs != len(seeds):
            raise ValueError(f"run: runs = {runs} but seed lists {len(seeds)} seeds "
                             f"(one per run; mismatched dimensions)")
        return seeds, runs
    return one(seed, "seed"), _posint("runs", 1 if runs is None else runs)


def _resolve_problem(problem, params):
    from . import problems as _problems
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


def _resolve_optimizer(optimizer, params):
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


def _initial_point(prob, x0, runs: int) -> np.ndarray:
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


def _sample(prob, T, runs, seeds, shared):
    if isinstance(seeds, list):
        if shared:
            raise ValueError("run: shared=True needs one seed (an int), not a list")
        return StackedInstance([prob.sample(T, 1, s) for s in seeds])
    return prob.sample(T, runs, seeds, shared=shared)


def _pick_engine(engine, prob, opt, projection, inst, record_iterates) -> str:
    from .oblivious import oblivious_support
    from .sparse import sparse_support
    reasons = {}
    ok_obl = oblivious_support(prob, opt, projection, inst)
    ok_sp = sparse_support(prob, opt, projection, inst)
    reasons["oblivious"], reasons["sparse"] = ok_obl, ok_sp
    if engine == "auto":
        if ok_obl is True and not record_iterates:
            return "oblivious"
        if ok_sp is True and not record_iterates:
            return "sparse"
        return "dense"
    if engine != "dense" and reasons[engine] is not True:
        raise ValueError(f"run: engine={engine!r} does not apply: {reasons[engine]}")
    if engine != "dense" and record_iterates:
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


__all__ = ["run", "run_dense", "EngineOutput", "StackedInstance", "ENGINES", "PROJECTIONS"]
