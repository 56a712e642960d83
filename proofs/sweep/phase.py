r"""Phase maps: where in the :math:`(\beta_1, \beta_2)` plane Adam's average regret goes to
0 and where it does not, next to AMSGrad, with the theorems' boundaries drawn on top.

:func:`phase_map` runs one :class:`~.grid.Sweep` per optimizer over a grid of
:math:`(\beta_1, \beta_2)` (:func:`beta_grid`: :math:`\beta_1` evenly spaced in
:math:`[0, 0.99]`, :math:`1-\beta_2` log-spaced in :math:`[10^{-4}, 0.5]`, so that the grid
resolves :math:`\beta_2 \to 1`) with :func:`.runner.run`, and for every cell takes the mean
over seeds of

* the fitted limit :math:`L` of the average regret, :math:`R(t)/t = L + c\,t^{-1/2}` by
  least squares on :math:`t \in [T/100, T]` (:func:`adamlab.proofs.methods.asymptotic.fit`;
  for a periodic game only at the ends of whole periods, :mod:`.task`), and
* :math:`R(T)/T` itself,

with :math:`R(t)` the regret against the best fixed point of the first t losses.  It
writes a heatmap (colour :math:`L`; one panel per optimizer) and ``phase_map.csv``.

The optimizers are the registry's, with :math:`\epsilon = 0` and
:math:`\alpha_t = \alpha/\sqrt t` (``lr="1/sqrt(t)"``) as in the theorems; ``adam`` is
Kingma & Ba's Algorithm 1 (bias-corrected moments), ``amsgrad`` is Reddi, Kale & Kumar's
Algorithm 2 (``amsgrad_mode="reddi"``: no bias correction, :math:`\hat v_t =
\max(\hat v_{t-1}, v_t)`); :math:`\beta_1` is constant (:math:`\beta_{1t} = \beta_1`).

The curves drawn on every panel, with :math:`\gamma` as each paper defines it:

* :math:`\beta_1 = \sqrt{\beta_2}`, i.e. :math:`\gamma = \beta_1/\sqrt{\beta_2} = 1`
  (Reddi, Kale & Kumar, "On the Convergence of Adam and Beyond", ICLR 2018).  Theorems 1-3:
  for every :math:`\beta_1 < \sqrt{\beta_2}` there is *some* online (Thm 2) or stochastic
  (Thm 3) convex problem on which Adam's average regret does not go to 0 -- a statement
  about a problem built for the pair, not about the problem of the map.  Theorem 4:
  AMSGrad with :math:`\beta_{1t} \le \beta_1`, :math:`\gamma < 1` and
  :math:`\alpha_t = \alpha/\sqrt t` has

  .. math:: R(T) \le \frac{D_\infty^2\sqrt T}{\alpha(1-\beta_1)}\sum_i \hat v_{T,i}^{1/2}
     + \frac{D_\infty^2}{2(1-\beta_1)}\sum_{t,i}\frac{\beta_{1t}\hat v_{t,i}^{1/2}}{\alpha_t}
     + \frac{\alpha\sqrt{1+\log T}}{(1-\beta_1)^2(1-\gamma)\sqrt{1-\beta_2}}
       \sum_i \lVert g_{1:T,i}\rVert_2 ;

  its middle term is :math:`O(\sqrt T)` only for a decaying :math:`\beta_{1t}` (Corollary 1,
  :math:`\beta_{1t} = \beta_1\lambda^{t-1}`); with the constant :math:`\beta_1` simulated
  here the hypotheses hold but the bound is not :math:`o(T)`.
* :math:`\beta_1 = \beta_2^{1/4}`, i.e. :math:`\gamma = \beta_1^2/\sqrt{\beta_2} = 1`
  (Kingma & Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015, Theorem 4.1,
  which assumes :math:`\beta_1^2/\sqrt{\beta_2} < 1` and :math:`\beta_{1t} =
  \beta_1\lambda^{t-1}`; RKK's Theorems 1-3 refute its conclusion inside that region).

(The issue asked for "the :math:`\beta_1 = \sqrt{\beta_2}` and :math:`\beta_1^2 = \beta_2`
curves": those are one curve, so the two :math:`\gamma = 1` curves above are drawn instead.)

On Reddi et al.'s linear games (``rkk-online``, ``rkk-thm1``, ``rkk-stochastic``) whose
parameters make the best point :math:`x^* = -1` (the slope C outweighs the others, as with
the defaults) the cells where the mean final iterate ends within 0.05 of :math:`+1`, the
worst point of the domain, are marked.

Output folder (never mixing two maps: ``phase_map.json`` records the settings' key and a
folder holding another map, or anything else, is refused):

``phase_map.json``          the settings, their key, the files; ``complete`` when done
``sweeps/<optimizer>/``     each optimizer's sweep (:mod:`.runner`: chunks, ``table.csv``)
``phase_map.csv``           one row per (optimizer, beta1, beta2): means and spread over seeds
``phase_map.{png,svg,pdf}`` the figure
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import os
import re
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from adamlab import __version__
from adamlab.numerics import optimizers as opt_registry, plots, problems, simulate
from adamlab.numerics.atomic import atomic_write_text

from ..cluster import local_cluster
from . import runner
from .grid import Sweep
from .phase_defaults import DEFAULT_GRID, DEFAULT_LR, DEFAULT_T, MAX_GRID
from .phase_figure import WORST_TOL, gamma_curves, phase_figure

#: beta1's range and 1 - beta2's range (log-spaced)
BETA1_RANGE = (0.0, 0.99)
ONE_MINUS_BETA2_RANGE = (0.5, 1e-4)
#: memory one chunk of runs may take (the simulator's estimate); sets the runs per chunk
CHUNK_MEMORY = 2**29
#: a cell whose fitted limit is at least this counts as failing in the log's summary
FAIL_LIMIT = 0.05
#: hyperparameters set for every cell, per optimizer (besides eps = 0 and lr)
FIXED = {"amsgrad": {"amsgrad_mode": "reddi"}}
_LR = re.compile(r"^\s*([0-9.eE+-]+)\s*/\s*sqrt\(t\)\s*$")
_VALUE_COLUMNS = ("fitted_limit", "R_T_over_T")
CSV_COLUMNS = ("optimizer", "beta1", "beta2", "one_minus_beta2", "gamma_rkk", "gamma_kb",
               "seeds", "fitted_limit_mean", "fitted_limit_std", "fitted_limit_min",
               "fitted_limit_max", "R_T_over_T_mean", "R_T_over_T_std", "R_T_over_T_min",
               "R_T_over_T_max", "theta_T0_mean", "problem", "T", "lr")


@dataclass(frozen=True)
class PhaseMap:
    """What :func:`phase_map` made: the folder, the files, the grid and the cell means
    (``limit[opt]`` and ``avg[opt]``: arrays (len(beta1), len(beta2)) of the mean fitted
    limit and mean R(T)/T; ``theta[opt]``: mean final first coordinate), the curves drawn
    (``curves["rkk"]``, ``curves["kb"]``: (beta2, beta1) arrays) and each sweep's
    :class:`~.runner.SweepRun`.  ``complete`` is False when a sweep was interrupted
    (then no figure or CSV is written; ``resume=True`` finishes it)."""

    out: Path
    beta1: tuple[float, ...]
    beta2: tuple[float, ...]
    optimizers: tuple[str, ...]
    complete: bool
    figures: tuple[Path, ...] = ()
    csv: Path | None = None
    limit: Mapping[str, np.ndarray] = field(default_factory=dict)
    avg: Mapping[str, np.ndarray] = field(default_factory=dict)
    theta: Mapping[str, np.ndarray] = field(default_factory=dict)
    curves: Mapping[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    sweeps: Mapping[str, runner.SweepRun] = field(default_factory=dict)
    elapsed_s: float = 0.0


def _round(x: float) -> float:
    return float(f"{x:.12g}")


def beta_grid(n_b1: int, n_b2: int) -> tuple[tuple[float, ...], tuple[float, ...]]:
    r"""The grid: ``n_b1`` values of :math:`\beta_1` evenly spaced in [0, 0.99] and ``n_b2``
    values of :math:`\beta_2 = 1 - u` with u log-spaced from 0.5 down to :math:`10^{-4}`
    (:math:`\beta_2` from 0.5 to 0.9999), each rounded to 12 significant digits."""
    for name, n in (("n_b1", n_b1), ("n_b2", n_b2)):
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
            raise TypeError(f"{name} must be an int in [2, {MAX_GRID}]; got {n!r}")
        if not 2 <= n <= MAX_GRID:
            raise ValueError(f"{name} must be an int in [2, {MAX_GRID}]; got {n}")
    b1 = tuple(_round(x) for x in np.linspace(*BETA1_RANGE, int(n_b1)))
    u = np.geomspace(*ONE_MINUS_BETA2_RANGE, int(n_b2))
    return b1, tuple(_round(1.0 - _round(x)) for x in u)



def _check_lr(lr) -> str | float:
    if isinstance(lr, str):
        m = _LR.match(lr)
        try:
            a = float(m.group(1)) if m else math.nan
        except ValueError:
            a = math.nan
        if not (math.isfinite(a) and a > 0):
            raise ValueError(f"lr must be 'A/sqrt(t)' with A > 0 (e.g. '1/sqrt(t)') or a "
                             f"number > 0; got {lr!r}")
        return f"{a:g}/sqrt(t)"
    if isinstance(lr, bool) or not isinstance(lr, (int, float)):
        raise TypeError(f"lr must be 'A/sqrt(t)' or a number > 0; got {type(lr).__name__}")
    if not (math.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be > 0 and finite; got {lr!r}")
    return float(lr)


def _check_optimizers(names) -> tuple[str, ...]:
    if isinstance(names, str):
        names = (names,)
    if not isinstance(names, (list, tuple)) or not names:
        raise TypeError(f"optimizers must be a non-empty list of registry names; got "
                        f"{names!r}")
    known = opt_registry.names()
    for n in names:
        if n not in known:
            raise ValueError(f"optimizers: {n!r} is not a registry optimizer ({known})")
        if "betas" not in _hparam_names(n):
            raise ValueError(f"optimizers: {n!r} has no betas = (beta1, beta2) to map")
    if len(set(names)) != len(names):
        raise ValueError(f"optimizers: each name once; got {list(names)}")
    return tuple(names)


def _hparam_names(name: str) -> set[str]:
    return {h.name for h in opt_registry.get(name).hparams()}


def _fixed(name: str, lr) -> dict[str, Any]:
    eps = {"eps": 0.0} if "eps" in _hparam_names(name) else {}
    return {"lr": lr, **eps, **FIXED.get(name, {})}


def _sweeps(problem, names, b1, b2, T, seeds, lr, params) -> dict[str, Sweep]:
    return {name: Sweep(problem, name, hyper={"betas": [[x, y] for x in b1 for y in b2]},
                        problem_params={k: [v] for k, v in params.items()}, T=(T,),
                        seeds=seeds, fixed=_fixed(name, lr)) for name in names}


def _check_seeds(seeds):
    ok = (isinstance(seeds, (int, np.integer)) and not isinstance(seeds, bool)) or (
        isinstance(seeds, (list, tuple)) and all(
            isinstance(s, (int, np.integer)) and not isinstance(s, bool) for s in seeds))
    if not ok:
        raise TypeError(f"seeds must be a count >= 1 or a list of distinct ints >= 0; got "
                        f"{seeds!r}")
    return int(seeds) if not isinstance(seeds, (list, tuple)) else tuple(int(s) for s in seeds)


def _max_runs(problem: str, params: dict, T: int, n_seeds: int) -> int:
    """Runs per chunk: the simulator's memory estimate kept under :data:`CHUNK_MEMORY`
    (depends only on the settings, so a resumed map finds the same chunks)."""
    per_run = simulate.estimate(problems.make(problem, **params), T, 1)["memory"]
    return int(max(n_seeds, min(512, CHUNK_MEMORY // max(per_run, 1))))


def _worst_point(problem: str, params: dict) -> float | None:
    """+1 on Reddi et al.'s linear games whose best fixed point is x* = -1, else None."""
    if problem not in ("rkk-online", "rkk-thm1", "rkk-stochastic"):
        return None
    p = problems.make(problem, **params)
    if problem == "rkk-stochastic":
        return 1.0 if p.prob * p.C > (1 - p.prob) * p.slope_other else None
    return 1.0 if p.C > (p.period - 1) * p.slope_other else None


def _default_workers(problem: str, params: dict, T: int, max_runs: int) -> int:
    per_chunk = simulate.estimate(problems.make(problem, **params), T, max_runs)["memory"]
    avail = simulate.available_memory() or 2**32
    return max(1, min(os.cpu_count() or 1, int(avail // (1.5 * per_chunk))))


# -- the executor ------------------------------------------------------------------------
# -- the numbers -------------------------------------------------------------------------
def cell_means(rows: Sequence[Mapping[str, str]], b1: Sequence[float], b2: Sequence[float]
               ) -> dict[str, np.ndarray]:
    """Per cell of the (b1, b2) grid, over seeds: mean, std (population), min and max of the
    fitted limit and of R(T)/T, and the mean final first coordinate (``theta``), each an
    array (len(b1), len(b2)); rows are a sweep table's (text, :func:`.runner.read_table`)."""
    n1, n2 = len(b1), len(b2)
    vals: dict[str, list[list[list[float]]]] = {
        k: [[[] for _ in range(n2)] for _ in range(n1)] for k in _VALUE_COLUMNS + ("theta",)}
    for r in rows:
        k = int(r["cell"])
        i, j = divmod(k, n2)
        if not (0 <= i < n1 and float(r["hp[betas][0]"]) == b1[i]
                and float(r["hp[betas][1]"]) == b2[j]):
            raise ValueError(f"row of cell {k} does not match the grid (betas "
                             f"{r['hp[betas][0]']}, {r['hp[betas][1]']})")
        for c in _VALUE_COLUMNS:
            vals[c][i][j].append(float(r[c]))
        vals["theta"][i][j].append(float(r["theta_T[0]"]))
    out: dict[str, np.ndarray] = {}
    with np.errstate(invalid="ignore"):
        for c in _VALUE_COLUMNS + ("theta",):
            a = vals[c]
            if any(not a[i][j] for i in range(n1) for j in range(n2)):
                raise ValueError("the sweep table lacks cells of the grid")
            out[f"{c}_mean"] = np.array([[np.mean(x) for x in row] for row in a])
            if c == "theta":
                continue
            out[f"{c}_std"] = np.array([[np.std(x) for x in row] for row in a])
            out[f"{c}_min"] = np.array([[np.min(x) for x in row] for row in a])
            out[f"{c}_max"] = np.array([[np.max(x) for x in row] for row in a])
    out["seeds"] = np.array([[len(x) for x in row] for row in vals["theta"]])
    return out


def _csv_text(stats: Mapping[str, dict], b1, b2, problem, T, lr) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for name, s in stats.items():
        for i, x in enumerate(b1):
            for j, y in enumerate(b2):
                w.writerow([name, repr(x), repr(y), repr(_round(1 - y)),
                            repr(x / math.sqrt(y)), repr(x * x / math.sqrt(y)),
                            int(s["seeds"][i, j])]
                           + [repr(float(s[f"{c}_{q}"][i, j])) for c in _VALUE_COLUMNS
                              for q in ("mean", "std", "min", "max")]
                           + [repr(float(s["theta_mean"][i, j])), problem, T, lr])
    return buf.getvalue()


# -- the map -----------------------------------------------------------------------------
@dataclass(frozen=True)
class PhasePlan:
    """The checked settings of a map (:func:`plan`): what determines its numbers, the
    sweeps that compute them and their key."""

    problem: str
    params: Mapping[str, Any]
    optimizers: tuple[str, ...]
    beta1: tuple[float, ...]
    beta2: tuple[float, ...]
    T: int
    seeds: tuple[int, ...]
    lr: str | float
    max_runs: int
    sweeps: Mapping[str, Sweep]
    key: str
    settings: Mapping[str, Any]


def plan(problem: str = "rkk-online", optimizers: Sequence[str] = ("adam", "amsgrad"),
         n_b1: int = DEFAULT_GRID[0], n_b2: int = DEFAULT_GRID[1], T: int = DEFAULT_T,
         seeds=1, lr: str | float = DEFAULT_LR,
         problem_params: Mapping[str, Any] | None = None,
         max_runs: int | None = None) -> PhasePlan:
    """Check the settings of :func:`phase_map` (ValueError/TypeError naming the argument and
    its range) and build its sweeps; runs nothing."""
    if not isinstance(problem, str) or problem not in problems.names():
        raise ValueError(f"problem must be one of {problems.names()}; got {problem!r}")
    names = _check_optimizers(optimizers)
    b1, b2 = beta_grid(n_b1, n_b2)
    if isinstance(T, bool) or not isinstance(T, (int, np.integer)):
        raise TypeError(f"T must be an int in [10, 1e8]; got {T!r}")
    if not 10 <= T <= 10**8:
        raise ValueError(f"T must be an int in [10, 1e8]; got {T!r}")
    T = int(T)
    lr = _check_lr(lr)
    if problem_params is None:
        problem_params = {}
    if not isinstance(problem_params, Mapping):
        raise TypeError(f"problem_params must map names to values; got "
                        f"{type(problem_params).__name__}")
    params = dict(problem_params)
    try:
        inst = problems.make(problem, **params)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"problem_params: {exc}") from None
    period = getattr(inst, "period", None)
    if period and T // int(period) < 3:
        raise ValueError(f"T must hold at least 3 periods of {problem} (period {period}); "
                         f"got T = {T}")
    sweeps = _sweeps(problem, names, b1, b2, T, _check_seeds(seeds), lr, params)
    seeds_t = next(iter(sweeps.values())).seeds
    if max_runs is None:
        max_runs = _max_runs(problem, params, T, len(seeds_t))
    elif isinstance(max_runs, bool) or not isinstance(max_runs, int) or max_runs < 1:
        raise ValueError(f"max_runs must be an int >= 1 or None; got {max_runs!r}")
    settings = {"problem": problem, "problem_params": params, "optimizers": list(names),
                "beta1": list(b1), "beta2": list(b2), "T": T, "seeds": list(seeds_t),
                "lr": lr, "max_runs": max_runs,
                "sweep_keys": {n: s.key(max_runs) for n, s in sweeps.items()},
                "version": __version__}
    key = hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:16]
    return PhasePlan(problem, params, names, b1, b2, T, seeds_t, lr, max_runs, sweeps, key,
                     settings)


def check_out(out, p: PhasePlan, resume: bool = False) -> None:
    """Refuse (ValueError) an output folder that is a file, holds another map or anything
    else, or holds this map without ``resume``; writes nothing."""
    out = Path(out)
    meta = out / "phase_map.json"
    if out.exists() and not out.is_dir():
        raise ValueError(f"out: {out} exists and is not a folder")
    if meta.is_file():
        try:
            old = json.loads(meta.read_text())
        except (OSError, ValueError):
            raise ValueError(f"out: {meta} is not a phase map's record; choose another "
                             f"folder") from None
        if not isinstance(old, dict) or old.get("key") != p.key:
            key = old.get("key") if isinstance(old, dict) else None
            raise ValueError(f"out: {out} holds another phase map (key {key}, this one "
                             f"{p.key}); an output folder never mixes two runs: choose "
                             f"another folder")
        if not resume:
            raise ValueError(f"out: {out} already holds this phase map; resume (--resume) "
                             f"finishes or redraws it, or choose another folder")
    elif out.is_dir() and any(out.iterdir()):
        raise ValueError(f"out: {out} is not empty and holds no phase map; choose another "
                         f"folder")


def _summary(limit: np.ndarray, theta: np.ndarray, worst: float | None) -> str:
    n = limit.size
    text = f"{int(np.sum(limit >= FAIL_LIMIT))}/{n} cells with fitted limit >= {FAIL_LIMIT:g}"
    if worst is not None:
        text += f", {int(np.sum(np.abs(theta - worst) <= WORST_TOL))}/{n} ending at {worst:+g}"
    return text


def phase_map(problem: str = "rkk-online", optimizers: Sequence[str] = ("adam", "amsgrad"),
              n_b1: int = DEFAULT_GRID[0], n_b2: int = DEFAULT_GRID[1], T: int = DEFAULT_T,
              seeds=1, lr: str | float = DEFAULT_LR,
              problem_params: Mapping[str, Any] | None = None,
              out: str | os.PathLike = "phase_map_out", workers: int | None = None,
              scheduler: str | None = None, resume: bool = False,
              progress: bool | None = None, log: Callable[[str], None] | None = None,
              formats: Sequence[str] = ("png", "svg", "pdf"),
              max_runs: int | None = None) -> PhaseMap:
    r"""Run the :math:`(\beta_1, \beta_2)` phase map of ``problem`` for each of
    ``optimizers`` into the folder ``out`` and draw it (module docstring).

    ``n_b1`` x ``n_b2``: the grid (:func:`beta_grid`, 2..60 each); ``T``: the horizon
    (10..1e8, at least 3 periods of a periodic game); ``seeds``: a count or distinct ints
    >= 0; ``lr``: ``"A/sqrt(t)"`` (:math:`\alpha_t = A/\sqrt t`) or a constant > 0;
    ``problem_params``: the problem's parameters (one value each); ``workers``: 0 runs
    here, N a LocalCluster of N processes shared by the sweeps (default: the cores, as
    many as the memory allows); ``scheduler``: a Dask scheduler's address instead;
    ``resume``: finish (or redraw) the map already in ``out``; ``formats``: figure formats
    among png, svg, pdf; ``max_runs``: runs per chunk (default: from the simulator's memory
    estimate, about 512 MiB a chunk).  Bad arguments raise ValueError/TypeError before
    anything runs (:func:`plan`, :func:`check_out`).  The defaults (16 x 16, T = 1e6,
    lr = 1/sqrt(t)) draw ``rkk-online``'s map in about 2 minutes with 2 workers."""
    started = time.perf_counter()
    p = plan(problem, optimizers, n_b1, n_b2, T, seeds, lr, problem_params, max_runs)
    formats = [formats] if isinstance(formats, str) else list(formats)
    if not formats or any(f not in plots.FORMATS for f in formats):
        raise ValueError(f"formats must be a non-empty list of {plots.FORMATS}; got "
                         f"{formats!r}")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int)
                                or workers < 0):
        raise ValueError(f"workers must be an int >= 0 or None; got {workers!r}")
    if scheduler is not None and (not isinstance(scheduler, str) or not scheduler.strip()):
        raise ValueError(f"scheduler must be an address such as 'tcp://host:8786'; got "
                         f"{scheduler!r}")
    if not isinstance(resume, bool):
        raise TypeError(f"resume must be True or False; got {resume!r}")
    if workers is None:
        workers = _default_workers(p.problem, p.params, p.T, p.max_runs)
    out = Path(out)
    check_out(out, p, resume)
    if not (out / "phase_map.json").is_file():
        atomic_write_text(out / "phase_map.json", json.dumps(
            {"key": p.key, "settings": p.settings, "complete": False}, indent=1) + "\n")
    say = log or (lambda _m: None)
    say(f"phase map {p.key}: {p.problem}, {len(p.beta1)} x {len(p.beta2)} (beta1, beta2) x "
        f"{len(p.seeds)} seed(s) x {len(p.optimizers)} optimizer(s), T = {p.T:,}, "
        f"lr = {p.lr} -> {out}/")
    cluster = None
    runs: dict[str, runner.SweepRun] = {}
    try:
        need = [n for n, s in p.sweeps.items()
                if len(runner.done_chunks(out / "sweeps" / n)) < len(s.chunks(p.max_runs))]
        if need and workers > 0 and scheduler is None:
            cluster = local_cluster(workers)      # one cluster for every sweep
            say(f"dask: a LocalCluster of {workers} worker(s) for the {len(need)} sweep(s); "
                f"dashboard {cluster.dashboard_link}")
        address = scheduler or (cluster.scheduler_address if cluster is not None else None)
        for name, sw in p.sweeps.items():
            sub = out / "sweeps" / name
            runs[name] = runner.run(sw, sub, workers=workers, scheduler=address,
                                    resume=(sub / "sweep.json").exists(),
                                    max_runs=p.max_runs, progress=progress,
                                    log=(lambda m, n=name: say(f"{n}: {m}")) if log else None)
            if not runs[name].complete:
                break
    finally:
        if cluster is not None:
            cluster.close()
    complete = len(runs) == len(p.sweeps) and all(r.complete for r in runs.values())
    base = PhaseMap(out, p.beta1, p.beta2, p.optimizers, complete, sweeps=runs)
    if not complete:
        return replace(base, elapsed_s=time.perf_counter() - started)
    stats = {n: cell_means(runner.read_table(out / "sweeps" / n), p.beta1, p.beta2)
             for n in p.optimizers}
    worst = _worst_point(p.problem, p.params)
    limit = {n: s["fitted_limit_mean"] for n, s in stats.items()}
    theta = {n: s["theta_mean"] for n, s in stats.items()}
    fig = phase_figure(p.problem, p.beta1, p.beta2, limit, T=p.T, seeds=len(p.seeds),
                       lr=p.lr, params=p.params, theta=theta, worst=worst)
    figs = tuple(plots.save_figure(fig, out / "phase_map", formats))
    csv_path = atomic_write_text(out / "phase_map.csv",
                                 _csv_text(stats, p.beta1, p.beta2, p.problem, p.T, p.lr))
    atomic_write_text(out / "phase_map.json", json.dumps(
        {"key": p.key, "settings": p.settings, "complete": True,
         "files": [f.name for f in figs] + [csv_path.name]}, indent=1) + "\n")
    for n in p.optimizers:
        say(f"{n}: {_summary(limit[n], theta[n], worst)}")
    elapsed = time.perf_counter() - started
    say(f"wrote {', '.join(str(f) for f in figs)} and {csv_path} ({elapsed:.1f} s)")
    return replace(base, figures=figs, csv=csv_path, limit=limit,
                   avg={n: s["R_T_over_T_mean"] for n, s in stats.items()}, theta=theta,
                   curves=gamma_curves(np.asarray(p.beta2)), elapsed_s=elapsed)


__all__ = ["BETA1_RANGE", "CSV_COLUMNS", "DEFAULT_GRID", "DEFAULT_LR", "DEFAULT_T", "FIXED",
           "MAX_GRID", "ONE_MINUS_BETA2_RANGE", "PhaseMap", "PhasePlan", "beta_grid",
           "cell_means", "check_out", "gamma_curves", "phase_figure", "phase_map", "plan"]
