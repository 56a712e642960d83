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

import signal
import sys
import threading
import time
from typing import Any

import numpy as np

from . import stats as _stats
from .progress import Progress
from .run_result import RunResult, to_jsonable
from .simulate_setup import (StackedInstance, _choice, _initial_point, _pick_engine,  # noqa: F401
                             _posint, _resolve_optimizer, _resolve_problem, _sample, _seeds)

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
        comp_dict = {"theta": np.array(comp.theta), "total_loss": np.array(comp.total_loss),
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


__all__ = ["run", "run_dense", "EngineOutput", "StackedInstance", "ENGINES", "PROJECTIONS"]
