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
the optimizer's own second moment, see :mod:`.sim.stats`).  The regret is
:math:`R(t) = \sum_{s\le t} f_s(\theta_s) - \min_{x\in F}\sum_{s\le T} f_s(x)`,
with the certified comparator of the whole horizon
(:mod:`adamlab.numerics.comparator`).  :math:`\theta_1` is ``problem.x0``
(0 projected onto F) unless ``x0`` is given.

Engines (``engine="auto"`` picks the fastest that applies; results agree to
:math:`10^{-12}` relative, see the tests):

``"dense"``
    :mod:`.sim.dense`: a step loop over all (R, d) coordinates with any
    optimizer, registered or not.
``"sparse"``
    :mod:`.sim.sparse`: O(nnz) per step for sparse problems, exact lazy updates
    for the optimizers that declare ``lazy_sparse`` (Adam/AMSGrad/AdaGrad/
    RMSprop) on separable domains.
``"oblivious"``
    :mod:`.sim.oblivious`: no per-step Python loop when the losses are linear and
    the gradients do not depend on the iterate (Reddi et al.'s examples), for
    the optimizers that declare ``oblivious_scan``.

The engines follow the protocol of :mod:`.sim.engine` and read what an optimizer
supports from its registry entry (:mod:`.optimizers.capabilities`); an
optimizer that declares nothing runs on the dense engine.

Runs are independent games played side by side: they may differ by their
data (each run has its own random stream; ``seed`` may also be a list with
one seed per run) and by the optimizer's hyperparameters (arrays with one
value per run).  Run r's numbers do not depend on the other runs.

Ctrl-C (KeyboardInterrupt) ends the run early: the result comes back (and
is saved, with ``save=``) with ``metadata["complete"] = False`` and NaN in the
rows not reached.
"""
from __future__ import annotations

import sys
import time
from typing import Any

import numpy as np

from .sim import stats as _stats
from .sim.dense import run_dense
from .sim.engine import EngineOutput, StopFlag
from .sim.oblivious import run_oblivious
from .progress import Progress
from .sim.result import RunResult, log_rows, to_jsonable
from .sim.setup import (SampledData, StackedInstance, available_memory, check_choice,
                        check_posint, initial_point, parse_seeds, pick_engine,
                        resolve_optimizer, resolve_problem, sample_instance)
from .sim.sparse_engine import run_sparse
from .sim.sparse_epochs import EPOCH_STEPS

ENGINE_RUNNERS = {"dense": run_dense, "sparse": run_sparse, "oblivious": run_oblivious}
_resolve_problem = resolve_problem      # the former name (benchmarks/bench.py)

ENGINES = ("auto", "dense", "sparse", "oblivious")
PROJECTIONS = ("euclidean", "weighted")


def run(problem: Any, optimizer: Any, T: int, runs: int | None = None, seed: Any = 0, *,
        x0: Any = None, projection: str = "euclidean", engine: str = "auto",
        stats: bool = True, record_iterates: bool = False, shared: bool = False,
        progress: bool | None = None, save: Any = None, save_steps: str = "all",
        problem_params: dict | None = None, optimizer_params: dict | None = None,
        data: SampledData | None = None) -> RunResult:
    """Play ``T`` steps of ``problem`` with ``optimizer`` in ``runs`` runs; see the module docs.

    ``problem``: a :class:`~adamlab.numerics.problems.Problem` or a registered
    name (built with ``problem_params``); ``optimizer``: an
    :class:`~adamlab.numerics.optimizers.Optimizer` or a registered name (built
    with ``optimizer_params``).  ``runs`` defaults to 1, or to ``len(seed)``
    when ``seed`` is a list.  ``shared=True`` gives every run run 0's data.
    ``stats=False`` records only losses and regret.  ``record_iterates`` keeps
    every :math:`\\theta_t` ((T, R, d); small problems only).  ``progress``:
    None draws a bar on stderr only when it is a terminal.  ``save``: a path
    to write the result to (.npz + .json, atomically), also when interrupted;
    ``save_steps``: ``"all"`` (every step) or ``"log"`` (the per-step arrays on a log
    grid, :func:`adamlab.numerics.sim.result.log_rows`; the result returned keeps
    every step either way).  ``data``: a :class:`~adamlab.numerics.sim.setup.SampledData`
    shared by the runs of one experiment, so that runs of the same game (another
    optimizer on the same problem, T, runs and seed) draw its data once.
    """
    started = time.perf_counter()
    prob = resolve_problem(problem, problem_params)
    opt = resolve_optimizer(optimizer, optimizer_params)
    T = check_posint("T", T)
    seeds, runs = parse_seeds(seed, runs)
    for name, value in (("stats", stats), ("record_iterates", record_iterates),
                        ("shared", shared)):
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"run: {name} must be True or False; got {value!r}")
    if progress is not None and not isinstance(progress, (bool, np.bool_)):
        raise TypeError(f"run: progress must be True, False or None; got {progress!r}")
    check_choice("projection", projection, PROJECTIONS)
    check_choice("engine", engine, ENGINES)
    check_choice("save_steps", save_steps, ("all", "log"))
    if projection == "weighted" and not _stats.has_second_moment(opt):
        raise ValueError(f"run: projection='weighted' needs an optimizer that declares a "
                         f"second moment (vhat: Adam family, AdaGrad, RMSprop); "
                         f"{opt.name!r} declares none")
    theta0 = initial_point(prob, x0, runs)
    opt.init(theta0)      # checks per-run hyperparameters against runs
    if data is not None and not isinstance(data, SampledData):
        raise TypeError(f"run: data must be a SampledData or None; got {type(data).__name__}")
    inst = sample_instance(prob, T, runs, seeds, bool(shared), data)
    chosen = pick_engine(engine, prob, opt, projection, inst, bool(record_iterates))
    cfg = dict(projection=projection, stats=bool(stats), record_iterates=bool(record_iterates))
    bar = Progress(T, desc=f"{prob.name}/{opt.name}",
                   enabled=None if progress is None else bool(progress))
    try:
        with StopFlag() as stop:
            cfg["stop"] = stop
            out = ENGINE_RUNNERS[chosen](inst, opt, theta0, T, cfg, bar)
    finally:
        bar.close()
        cfg.pop("stop", None)
    result = _assemble(prob, opt, inst, out, T, runs, seed, bool(shared), chosen, cfg,
                       theta0, started)
    if not result.complete:
        print(f"adamlab: interrupted after {out.steps_done} of {T} steps; the result is "
              f"marked incomplete", file=sys.stderr)
    if save is not None:
        result.save(save, steps=save_steps)
    return result


# -- sizes, before starting ---------------------------------------------------------
#: per-step arrays a run keeps: losses and the statistics of the schema, each (T, R)
_PER_STEP_ARRAYS = 13
#: the lazy engine's per-step tables: one drift table (184 bytes a step for Adam's 16
#: moments, ``sparse_tables``) for the steps of one epoch (at most ``EPOCH_STEPS``,
#: ``sim.sparse_epochs``), plus per run and step of the whole run the step sequences
#: (learning rate, bias corrections, the statistics' scales); measured with tracemalloc
#: at T = 2e5, R = 3 before the epochs: 305-377 bytes a step besides the recorded
#: statistics (674 with three distinct per-run hyperparameters, i.e. three tables), of
#: which the epochs leave the family's sequences (64 B a step kept, 208 at its peak) and
#: the statistics' per-step table (96)
_DRIFT_BYTES_PER_STEP, _DRIFT_BYTES_PER_RUN_STEP = 200, 120


def estimate(problem: Any, T: int, runs: int, *, stats: bool = True,
             problem_params: dict | None = None) -> dict:
    r"""Rough sizes of one :func:`run` before it starts, in bytes: ``memory`` (the
    per-step arrays, :math:`13\,T R` float64 with statistics; the iterate, gradient and
    optimizer state, about :math:`8 R d` float64; the lazy engine's drift tables, about
    200 bytes per step of one epoch (at most :math:`2^{16}` steps), and its step
    sequences, about :math:`120 R` bytes per step; for non-linear losses the data and the
    comparator's solve, about :math:`40 R T k` bytes for k nonzeros per step: the data
    with A and its transpose in CSR and the solver's vectors; with tracemalloc the peak of
    whole ``logistic-sparse`` runs was 50 MB (k = 100, T = 5000, R = 3) and 59 MB
    (k = 20, T = 2e4), against 63 and 63 MB estimated), ``disk_all`` (a result saved with every step) and
    ``disk_log`` (saved on the log grid of :func:`.sim.result.log_rows`), each an
    upper estimate before compression."""
    prob = resolve_problem(problem, problem_params)
    T, runs = check_posint("T", T), check_posint("runs", runs)
    d = int(prob.d)
    k = int(getattr(prob, "k", d))
    per_step = (_PER_STEP_ARRAYS if stats else 2) * 8 * runs
    state = 8 * 8 * runs * d
    # the whole horizon's data is held only where the comparator needs it (not for linear
    # losses: their comparator is a closed form of running sums, and the engines stream)
    data = 0 if getattr(prob, "linear", False) else 40 * runs * T * min(k, d)
    drift = (_DRIFT_BYTES_PER_STEP * min(T, EPOCH_STEPS) +
             _DRIFT_BYTES_PER_RUN_STEP * runs * T) if getattr(prob, "sparse", False) else 0
    rows = log_rows(T).size
    return {"memory": per_step * T + state + drift + data,
            "disk_all": per_step * T + 3 * 8 * runs * d,
            "disk_log": per_step * rows + 3 * 8 * runs * d}


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
    cum = np.cumsum(losses, axis=0)
    if complete:
        t0 = time.perf_counter()
        comp = inst.comparator()
        comp_time = time.perf_counter() - t0
        regret = cum - comp.total_loss[None, :]
        comp_dict = {"theta": np.array(comp.theta), "total_loss": np.array(comp.total_loss),
                     "bound": np.asarray(comp.bound, dtype=np.float64),
                     "method": comp.method, "certificate": comp.certificate,
                     "info": getattr(comp, "info", {})}
    stats["regret"] = regret
    prefix = getattr(inst, "prefix_best_losses", None)
    if cfg["stats"] and prefix is not None:    # (the data's, so known for a partial run too)
        stats["regret_prefix"] = cum - prefix()
        stats["regret_prefix"][done:] = np.nan
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
    meta.update(out.notes)
    from .. import __version__
    meta["adamlab_version"] = __version__
    meta["numpy_version"] = np.__version__
    return RunResult(losses=losses, stats=stats, constants=constants, comparator=comp_dict,
                     theta_final=out.theta_final, metadata=meta, iterates=out.iterates,
                     final_state=out.final_state)


__all__ = ["run", "run_dense", "EngineOutput", "StackedInstance", "ENGINES", "PROJECTIONS",
           "available_memory", "estimate", "SampledData"]
