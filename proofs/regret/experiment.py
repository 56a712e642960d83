r"""Regret experiments: simulate optimizers on a problem and hold the published bounds
against the very same runs.

>>> from adamlab.proofs.regret.experiment import SeriesSpec, run_experiment
>>> exp = run_experiment("rkk-online", [SeriesSpec("amsgrad")], T=2000, runs=1)
>>> s = exp.series[0]
>>> [(b.claim_id, b.status) for b in s.bounds]
[('rkk.thm4', 'applies'), ('rkk.cor1', 'not applicable')]
>>> bool((s.regret[-1] <= s.bounds[0].values[-1]).all())     # R(T) under Theorem 4's bound
True

The simulator (:func:`adamlab.numerics.simulate.run`) plays each series; the
statistics it records are handed to the bounds of
:mod:`adamlab.theory.regret.bounds` (SymPy expressions, lambdified), whose
:meth:`~adamlab.theory.regret.bounds.RegretBound.applies` says which
hypotheses each run meets.  Which bound belongs to which algorithm is read from
the published claims (:func:`bound_ids_for`: a claim's quantifier names the
recurrence ``family`` that the optimizer's registry entry declares), with the
conditions on the *algorithm* that the theorems take for granted, also declared
on the claims (:func:`algorithm_conditions`: the update analysed,
:math:`\epsilon = 0`, no weight decay, the step-size schedule):

============================  =======================================================
optimizer (declared family)   bounds
============================  =======================================================
Adam (``amsgrad=False``)      ``kb.thm4.1`` (Kingma & Ba, ICLR 2015, Thm 4.1), ``kb.cor4.2``
AMSGrad (``amsgrad=True``)    ``rkk.thm4``, ``rkk.cor1`` (Reddi, Kale & Kumar, ICLR 2018)
AdaGrad                       ``dhs.adagrad-regret`` (Duchi, Hazan & Singer, JMLR 2011)
SGD without momentum          ``z.ogd-regret`` (Zinkevich, ICML 2003, Thm 1)
any other (a user's own)      none: the regret curve alone
============================  =======================================================

A user's optimizer joins by its registry name once registered
(:func:`adamlab.numerics.optimizers.register`), or as an instance:
``SeriesSpec(optimizers.make("yogi", lr=0.1))``.

A bound's row t is the theorem for horizon :math:`T = t`, so it is compared
with the regret of horizon t, :math:`R(t)` against the best fixed point of the
first t steps: ``stats["regret_prefix"]`` at every t where the problem provides
it (``regret_kind = "prefix"``); else at log-spaced horizons, one certified
comparator each (:mod:`adamlab.numerics.prefix_regret`, ``"horizons"``); for
adaptive problems without either, ``stats["regret"]`` (against the comparator
of the whole horizon, :math:`R(T)` only at the last step: ``"final-comparator"``).
``SeriesOutcome.t`` holds the steps at which ``regret`` is known.  Status of a
bound for a series:

``applies``         every hypothesis of the *statement* and every condition on the
                    algorithm the theorem is about holds in every run at the last
                    step; a condition only the proof needs (e.g. Kingma & Ba's
                    :math:`\Gamma_t \succeq 0`) does not count against it and is
                    listed in ``proof_only``;
``not met``         it can be evaluated, but a hypothesis of the statement or the
                    algorithm fails (or is not recorded); ``reasons`` say which;
``not applicable``  it cannot be evaluated on the run (e.g. Theorem 4.1 needs
                    :math:`\beta_{1,t} = \beta_1\lambda^{t-1}` and the run's
                    :math:`\beta_1` is constant).

What every output shows is the *outcome* against the series' regret
(:meth:`BoundAssessment.outcome`): ``holds``, ``violated at t = ...`` (with R and the
bound there) or ``does not apply: <reason>``.  A violated bound whose statement
applies is a counterexample to the statement as printed.

The experiment defaults (:func:`default_hyper`) are the settings the theorems
analyse: :math:`\alpha_t = \alpha/\sqrt t`, :math:`\epsilon = 0`; Adam with
:math:`\beta_{1,t} = 0.9\cdot 0.999^{t-1}` and KB's bias correction
:math:`1-\beta_1^t`; AMSGrad as Reddi et al.'s Algorithm 2; AdaGrad with
:math:`\eta = D_\infty/\sqrt2` (DHS's choice); SGD with Zinkevich's tuned
:math:`\eta = D/(G\sqrt2)` when the problem knows G.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from adamlab.numerics import optimizers as _optimizers
from adamlab.numerics import problems as _problems
from adamlab.numerics import simulate as _simulate
from adamlab.numerics.curves import loglog_slope
from adamlab.numerics.prefix_regret import horizons, prefix_comparators, regret_at
from adamlab.numerics.optimizers.precision import low_precision
from adamlab.numerics.optimizers.schedules import Beta1Decay, InverseSqrt, declared
from adamlab.numerics.precision_report import check_settings, drift_report, iterates_fit
from adamlab.numerics.sim.result import RunResult, to_jsonable

from .assess import (BoundAssessment, algorithm_conditions, assess_bounds,  # noqa: F401
                     bound_ids_for)
from .checkpoint import Checkpoint, experiment_key, nbytes, series_key

QUANTILES = (0.1, 0.5, 0.9)
DEFAULT_ALPHA = 0.1
DEFAULT_LAM = 0.999


@dataclass(frozen=True)
class SeriesSpec:
    """One optimizer setting: registry ``optimizer`` name, the ``hyper``-parameters set
    on top of :func:`default_hyper` (``lam`` stands for ``betas[0] = Beta1Decay(beta1,
    lam)``; ``lam = 1`` keeps beta1 constant), and a ``label`` for legends and files.
    ``optimizer`` may also be an Optimizer instance (then used as built, without
    ``hyper``)."""

    optimizer: Any
    hyper: Mapping[str, Any] = field(default_factory=dict)
    label: str = ""

    @property
    def name(self) -> str:
        if self.label:
            return self.label
        return self.optimizer if isinstance(self.optimizer, str) else \
            getattr(self.optimizer, "name", "optimizer")


@dataclass
class SeriesOutcome:
    """One simulated series: its result, the regret curve compared with the bounds,
    the fitted log-log slopes (one per run) and the bounds."""

    spec: SeriesSpec
    optimizer: Any
    hyper: dict
    result: RunResult
    regret: np.ndarray
    regret_kind: str
    slopes: np.ndarray
    bounds: list[BoundAssessment]
    path: str | None = None
    t: np.ndarray | None = None

    def __post_init__(self):
        if self.t is None:
            self.t = np.arange(1, self.regret.shape[0] + 1)

    def at(self, h: int) -> np.ndarray | None:
        """(R,) the regret at horizon ``h``, or None where it is not known."""
        k = int(np.searchsorted(self.t, h))
        return self.regret[k] if k < self.t.size and self.t[k] == h else None

    @property
    def label(self) -> str:
        return self.spec.name

    @property
    def complete(self) -> bool:
        return self.result.complete

    @property
    def precision(self) -> dict | None:
        """The drift report of a low-precision series (None for float64)."""
        return self.result.metadata.get("precision")

    def slope_summary(self) -> tuple[float, float, float]:
        """(q10, median, q90) of the fitted slopes over runs (NaN if none)."""
        s = self.slopes[np.isfinite(self.slopes)]
        if not s.size:
            return (math.nan,) * 3
        return tuple(float(x) for x in np.quantile(s, QUANTILES))


@dataclass
class Experiment:
    """The whole experiment: problem, horizon, runs, seed, and the series played so far."""

    problem: Any
    T: int
    runs: int
    seed: int
    series: list[SeriesOutcome]
    complete: bool = True
    interrupted: str | None = None
    elapsed_s: float = 0.0
    comparators: dict | None = None    # prefix_comparators' result, when computed
    precision: dict | None = None      # the low-precision settings (None: float64)

    @property
    def title(self) -> str:
        return (f"{self.problem.name} (d = {self.problem.d}), T = {self.T:,}, "
                f"{self.runs} run{'s' if self.runs != 1 else ''}"
                + (f", {precision_text(self.precision)}" if self.precision else ""))


# ---- optimizers ----------------------------------------------------------------------------
def default_hyper(optimizer: str, problem) -> dict:
    """The experiment's defaults for ``optimizer`` on ``problem`` (see the module docs);
    registry defaults for optimizers without a regret theorem here, with eps = 0."""
    entry = _optimizers.get(optimizer)
    family = entry.caps.family
    if family == "adam":
        amsgrad = bool(entry.defaults.get("amsgrad", False))
        out = {"lr": InverseSqrt(DEFAULT_ALPHA), "betas": (0.9, 0.99), "eps": 0.0}
        if amsgrad:
            out["amsgrad_mode"] = "reddi"
        elif not entry.defaults.get("decoupled_weight_decay", False):
            out.update(lam=DEFAULT_LAM, beta1_correction="power")
        return out
    if family == "adagrad":
        d_inf = getattr(problem.domain, "diameter_inf", math.inf)
        eta = d_inf / math.sqrt(2) if math.isfinite(d_inf) else DEFAULT_ALPHA
        return {"lr": eta, "eps": 0.0}
    if family == "sgd":
        D = getattr(problem.domain, "diameter_2", math.inf)
        G = (problem.gradient_bounds() or {}).get("G")
        eta = D / (G * math.sqrt(2)) if G and math.isfinite(D) else DEFAULT_ALPHA
        return {"lr": InverseSqrt(eta)}
    if any(hp.name == "eps" for hp in entry.hparams()):
        return {"eps": 0.0} if optimizer not in ("adadelta",) else {}
    return {}


def build_optimizer(spec: SeriesSpec, problem):
    """(optimizer, effective hyperparameters as JSON) for ``spec`` on ``problem``.

    Raises ValueError/TypeError naming the hyperparameter for bad values."""
    if not isinstance(spec, SeriesSpec):
        raise TypeError(f"spec must be a SeriesSpec; got {type(spec).__name__}")
    if isinstance(spec.optimizer, _optimizers.Optimizer):
        if spec.hyper:
            raise TypeError(f"{spec.name}: SeriesSpec.hyper applies only when optimizer is "
                            f"a registry name; build the instance with its hyperparameters")
        return spec.optimizer, to_jsonable(spec.optimizer.hyper)
    if not isinstance(spec.optimizer, str):
        raise TypeError(f"SeriesSpec.optimizer must be a registered optimizer's name or an "
                        f"Optimizer; got {type(spec.optimizer).__name__} (register a new "
                        f"optimizer with adamlab.numerics.optimizers.register)")
    hyper = default_hyper(spec.optimizer, problem)
    hyper.update(spec.hyper)
    lam = hyper.pop("lam", None)
    if lam is not None:
        if not any(hp.name == "betas" for hp in _optimizers.get(spec.optimizer).hparams()):
            raise ValueError(f"{spec.optimizer}: lam (beta1 decay) applies only to "
                             f"optimizers with betas")
        if isinstance(lam, bool) or not isinstance(lam, (int, float)) or not 0 < lam <= 1:
            raise ValueError(f"{spec.optimizer}: lam must be a number in (0, 1] "
                             f"(1 keeps beta1 constant); got {lam!r}")
        pair = hyper.get("betas", _optimizers.get(spec.optimizer).cls.defaults["betas"])
        if isinstance(pair, (str, bytes)) or not hasattr(pair, "__len__") or len(pair) != 2:
            raise ValueError(f"{spec.optimizer}: betas must be a pair (beta1, beta2), e.g. "
                             f"0.9/0.99 on the command line; got {pair!r}")
        b1, b2 = pair
        if lam < 1 and callable(b1):
            decl = declared(b1)
            if decl is None or decl[0] != "beta1_decay":
                raise ValueError(f"{spec.optimizer}: lam applies to a constant beta1; "
                                 f"betas[0] is already a schedule ({b1!r})")
        elif lam < 1:
            b1 = Beta1Decay(float(b1), float(lam))
        hyper["betas"] = (b1, b2)
    opt = _optimizers.make(spec.optimizer, **hyper)
    return opt, to_jsonable(hyper)


# ---- running ---------------------------------------------------------------------------------
def run_series(problem, spec: SeriesSpec, T: int, runs: int, seed: int = 0, *,
               save: str | None = None, progress: bool | None = None,
               cache: dict | None = None, save_steps: str = "log",
               precision: Mapping | None = None,
               data: _simulate.SampledData | None = None) -> SeriesOutcome:
    """Simulate one series and assess its bounds (``save``: path of the .npz result;
    ``cache``: a dict shared by the series of one experiment, holding the comparators
    of the shorter horizons, which depend on the data only).

    ``precision``: None (float64), or the settings of
    :func:`adamlab.numerics.optimizers.precision.low_precision` (``storage``,
    ``accumulate``, ``rounding``, ``kahan``): the series is then played with its params
    and state stored in that dtype (dense engine), the same game is played in float64
    beside it, and the drift report of :func:`adamlab.numerics.precision_report.drift_report`
    goes into the result's ``metadata["precision"]`` (saved with it).

    ``data``: the experiment's sampled games (:class:`adamlab.numerics.simulate.SampledData`),
    so that its series draw the data once."""
    opt, hyper = build_optimizer(spec, problem)
    if precision is None:
        res = _simulate.run(problem, opt, T=T, runs=runs, seed=seed, progress=progress,
                            save=save, save_steps=save_steps, data=data)
    else:
        res = _run_low_precision(problem, opt, T, runs, seed, precision, progress, data)
        if save is not None:
            res.save(save, steps=save_steps)
    return assess_series(problem, spec, opt, hyper, res, seed, save=save, progress=progress,
                         cache=cache)


def _run_low_precision(problem, opt, T, runs, seed, precision, progress, data) -> RunResult:
    """The low-precision run of ``opt`` with its drift report in its metadata."""
    low = low_precision(opt, nonfinite="freeze", **dict(precision))
    record = iterates_fit(T, runs, problem.d)
    res = _simulate.run(problem, low, T=T, runs=runs, seed=seed, progress=progress,
                        engine="dense", record_iterates=record, data=data)
    if not res.complete:
        return res
    ref = _simulate.run(problem, opt, T=T, runs=runs, seed=seed, progress=progress,
                        engine="dense", record_iterates=record, stats=False, data=data)
    report = drift_report(ref, res)
    report["regret_T_float64"] = ref.final_regret
    report["regret_T"] = res.final_regret
    res.metadata["precision"] = to_jsonable(report)
    res.iterates = None                 # compared; the files keep the log-grid drift only
    return res


def assess_series(problem, spec: SeriesSpec, opt, hyper: dict, res: RunResult, seed: int = 0,
                  *, save: str | None = None, progress: bool | None = None,
                  cache: dict | None = None) -> SeriesOutcome:
    """The regret curve, slopes and bounds of a simulated series (``res``, fresh or read
    back from a checkpoint): what :func:`run_series` does after the simulation."""
    T, runs = res.T, res.runs
    prefix = res.stats.get("regret_prefix")
    t = np.arange(1, T + 1)
    if prefix is not None:
        regret, kind = prefix, "prefix"
    elif not getattr(problem, "adaptive", False) and (res.complete or (cache or {}).get(
            "best") is not None):    # a partial run: the horizons it reached (NaN after)
        cache = {} if cache is None else cache
        if "best" not in cache:
            cache.update(prefix_comparators(problem, horizons(T), runs, seed,
                                            progress=progress))
        t = cache["hs"]
        regret, kind = regret_at(res.losses, t, cache["best"]), "horizons"
    else:
        regret, kind = res.regret, "final-comparator"
    if res.complete:
        slopes = loglog_slope(t, regret)
        bounds = assess_bounds(res, opt)
    else:
        slopes, bounds = np.full(res.runs, np.nan), []
    return SeriesOutcome(spec, opt, hyper, res, regret, kind, slopes, bounds,
                         None if save is None else str(save), np.asarray(t))


def run_experiment(problem, specs: Sequence[SeriesSpec], T: int, runs: int = 1,
                   seed: int = 0, *, problem_params: Mapping | None = None,
                   save_dir: str | None = None, progress: bool | None = None,
                   log: Callable[[str], None] | None = None,
                   save_steps: str = "log", checkpoint: Checkpoint | None = None,
                   resume: bool = False, precision: Mapping | None = None,
                   workers: int = 1) -> Experiment:
    r"""Play every series of ``specs`` on ``problem`` (a registered name or a Problem) for
    ``T`` steps and ``runs`` runs from ``seed``; save each result under ``save_dir``
    (``runs/<label>.npz`` + .json) when given: compressed, with the per-step arrays on
    the log grid of :func:`adamlab.numerics.sim.result.log_rows` (``save_steps="log"``,
    the default) or at every step (``"all"``).

    Ctrl-C: the series being simulated stops after its current step and is saved marked
    incomplete (see :func:`adamlab.numerics.simulate.run`); the experiment stops there
    and comes back with ``complete = False``.  ``log`` receives one line per series.

    ``checkpoint`` (a :class:`~.checkpoint.Checkpoint`): each completed series is saved
    there with every step, and removed once the experiment is complete; with ``resume``
    the completed series found there are read back instead of simulated again (a
    checkpoint of another experiment raises ValueError naming the difference).
    """
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be an int >= 1; got {workers!r}")
    started = time.perf_counter()
    prob = _problems.make(problem, **dict(problem_params or {})) if isinstance(problem, str) \
        else problem
    specs = list(specs)
    if not specs:
        raise ValueError("specs must hold at least one SeriesSpec")
    labels = [s.name for s in specs]
    if len(set(labels)) != len(labels):
        raise ValueError(f"series labels must be distinct; got {labels}")
    if precision is not None:
        allowed = ("storage", "accumulate", "rounding", "kahan")
        if not isinstance(precision, Mapping) or "storage" not in precision or \
                set(precision) - set(allowed):
            raise ValueError(f"precision must be a dict with 'storage' and optionally "
                             f"{', '.join(map(repr, allowed[1:]))}; got {precision!r}")
        precision = {"accumulate": "float32", "rounding": "nearest", "kahan": False,
                     **dict(precision)}         # low_precision's defaults
        check_settings(*(precision[k] for k in allowed), where="precision")
    exp = Experiment(prob, int(T), int(runs), int(seed), [], precision=precision)
    if checkpoint is not None:
        key = experiment_key(prob, int(T), int(runs), int(seed), save_steps, labels,
                             precision)
        refused = checkpoint.refusal(key) if resume else None
        if refused:
            raise ValueError(f"resume: {refused}")
        checkpoint.start(key)
    cache: dict = {}
    data = _simulate.SampledData()      # the series in this process draw the data once
    if not getattr(prob, "adaptive", False) and not getattr(prob, "linear", False):
        # the best fixed points of the horizons: the data's, shared by every series, so
        # solved (or read from the disk cache) once, before them, and timed on their own
        if log:
            log(f"comparators: the best fixed point at {len(horizons(int(T)))} horizons "
                f"up to T = {int(T):,} ...")
        try:
            cache.update(prefix_comparators(prob, horizons(int(T)), int(runs), int(seed),
                                            progress=progress))
        except KeyboardInterrupt:
            exp.complete, exp.interrupted = False, "comparators"
            exp.elapsed_s = time.perf_counter() - started
            return exp
        exp.comparators = cache
        if log:
            log(comparator_line(cache))
    saves = [None if save_dir is None else f"{save_dir}/runs/{file_stem(sp.name)}.npz"
             for sp in specs]
    kept_all = {}
    if checkpoint is not None and resume:
        for i, spec in enumerate(specs, 1):
            opt, hyper = build_optimizer(spec, prob)
            kept_all[i] = checkpoint.load(file_stem(spec.name),
                                          series_key(spec.name, opt.name, hyper))
    pending = [i for i in range(1, len(specs) + 1) if kept_all.get(i) is None]
    done_elsewhere: dict[int, tuple[SeriesOutcome, float]] = {}
    if workers > 1 and len(pending) > 1:
        try:
            _simulate_side_by_side(prob, specs, pending, saves, T, runs, seed, cache,
                                   save_steps, precision, workers, log, done_elsewhere)
        except KeyboardInterrupt:
            left = [i for i in pending if i not in done_elsewhere]
            if left:                       # (else it came while the cluster closed)
                exp.complete, exp.interrupted = False, specs[left[0] - 1].name
    for i, spec in enumerate(specs, 1):
        save = saves[i - 1]
        opt, hyper = build_optimizer(spec, prob)
        if not exp.complete and i not in done_elsewhere and kept_all.get(i) is None:
            continue                       # interrupted side by side: keep what completed
        if log and i not in done_elsewhere:
            log(f"[{i}/{len(specs)}] {spec.name}: {runs} run(s) x {T:,} steps, "
                f"{hyper_text(hyper)} ...")
        t0 = time.perf_counter()
        skey = series_key(spec.name, opt.name, hyper)
        stem = file_stem(spec.name)
        kept = kept_all.get(i)
        if log and resume and kept is None:
            log(f"[{i}/{len(specs)}] {spec.name}: not completed before, so simulated from "
                f"step 0 (a checkpoint is a whole series)")
        try:
            if i in done_elsewhere:
                outcome, seconds = done_elsewhere[i]
                t0 -= seconds
            elif kept is not None:
                if save is not None:
                    kept.save(save, steps=save_steps)
                outcome = assess_series(prob, spec, opt, hyper, kept, seed, save=save,
                                        progress=progress, cache=cache)
            else:
                outcome = run_series(prob, spec, T, runs, seed, save=save, progress=progress,
                                     cache=cache, save_steps=save_steps, precision=precision,
                                     data=data)
        except KeyboardInterrupt:
            exp.complete, exp.interrupted = False, spec.name
            break
        exp.series.append(outcome)
        stored = checkpoint is not None and kept is None and \
            checkpoint.store(stem, skey, outcome.result, time.perf_counter() - t0)
        if log:
            if i not in done_elsewhere:     # (logged by the wait as it completed)
                _log_outcome(log, i, len(specs), outcome, time.perf_counter() - t0,
                             "resumed from its checkpoint" if kept is not None else None)
            if checkpoint is not None and kept is None and outcome.complete and not stored:
                log(f"[{i}/{len(specs)}] {spec.name}: no checkpoint (saving its every-step "
                    f"result, {nbytes(outcome.result) / 2**20:.0f} MiB, would cost more than "
                    f"simulating it again on --resume)")
        if not outcome.complete:
            exp.complete, exp.interrupted = False, spec.name
            break
    exp.elapsed_s = time.perf_counter() - started
    if checkpoint is not None and exp.complete:
        checkpoint.clear()
    return exp


def _simulate_side_by_side(prob, specs, pending, saves, T, runs, seed, cache, save_steps,
                           precision, workers, log, done) -> None:
    """Simulate the series ``pending`` (1-based indices into ``specs``) on a LocalCluster
    of ``workers`` processes; ``done[i] = (outcome, seconds)`` as each completes (what
    completed stays there when Ctrl-C ends the wait)."""
    from dask.distributed import Client, as_completed

    from ..cluster import local_cluster
    n = len(specs)
    cluster = local_cluster(min(workers, len(pending)))
    try:
        with Client(cluster) as client:
            futures = {}
            for i in pending:
                spec = specs[i - 1]
                if log:
                    log(f"[{i}/{n}] {spec.name}: {runs} run(s) x {T:,} steps, "
                        f"{hyper_text(build_optimizer(spec, prob)[1])} (on a worker) ...")
                fut = client.submit(_timed_series, prob, spec, T, runs, seed, saves[i - 1],
                                    cache, save_steps, precision, pure=False,
                                    key=f"series-{i}-{file_stem(spec.name)}")
                futures[fut] = i
            for fut in as_completed(list(futures)):
                i = futures[fut]
                done[i] = fut.result()
                if log:
                    _log_outcome(log, i, n, done[i][0], done[i][1], None, " on a worker")
    finally:
        cluster.close()


def _log_outcome(log, i, n, outcome, seconds, how, where=""):
    """The lines of a completed series: engine, time and slope; its drift in low
    precision."""
    lo, med, hi = outcome.slope_summary()
    how = how or f"{outcome.result.metadata['engine']} engine{where}"
    log(f"[{i}/{n}] {outcome.label}: {how}, {seconds:.1f} s; log-log slope {med:.3f} "
        f"[{lo:.3f}, {hi:.3f}]" + ("" if outcome.complete else " (INCOMPLETE)"))
    if outcome.precision is not None:
        log(f"[{i}/{n}] {outcome.label}: {precision_line(outcome.precision)}")


def _timed_series(prob, spec, T, runs, seed, save, cache, save_steps, precision):
    """:func:`run_series` in a worker process, without a bar; (outcome, seconds)."""
    t0 = time.perf_counter()
    out = run_series(prob, spec, T, runs, seed, save=save, progress=False, cache=cache,
                     save_steps=save_steps, precision=precision)
    return out, time.perf_counter() - t0


def _value_text(v) -> str:
    if isinstance(v, dict) and v.get("schedule") == "inverse_sqrt":
        return f"{v['alpha']:g}/sqrt(t)"
    if isinstance(v, dict) and v.get("schedule") == "beta1_decay":
        return f"{v['beta1']:g}*{v['lam']:g}^(t-1)"
    if isinstance(v, (list, tuple)):
        return "(" + ", ".join(_value_text(x) for x in v) + ")"
    return f"{v:g}" if isinstance(v, float) else str(v)


def hyper_text(hyper: dict) -> str:
    """A series' effective hyperparameters (as JSON-ed by :func:`build_optimizer`) in the
    papers' notation: ``lr = 0.1/sqrt(t), betas = (0.9*0.999^(t-1), 0.99), ...``."""
    return ", ".join(f"{k} = {_value_text(v)}" for k, v in hyper.items()) or "defaults"


def comparator_line(comps: dict) -> str:
    """One terminal line on the comparators of :func:`prefix_comparators`: the time, and
    loudly the horizons whose comparator is not certified to its tolerance."""
    certs = comps["certificates"]
    cached = sum(1 for c in certs if c["cached"])
    worst = max(float(c["relative_bound"]) for c in certs)     # JSON keeps inf as "inf"
    head = (f"comparators: {len(certs)} horizons, {comps['seconds']:.1f} s"
            f" ({comps['workers']} thread{'s' if comps['workers'] != 1 else ''}"
            + (f", {cached} from the cache" if cached else "") + ")")
    if comps["certified"]:
        return f"{head}; every one certified (largest relative bound {worst:.1e})"
    bad = [c for c in certs if not c["certified"]]
    return (f"{head}; WARNING: NOT CERTIFIED at T = "
            + ", ".join(f"{c['h']:,} (relative bound {float(c['relative_bound']):.1e} > "
                        f"{c['tolerance']:.0e})" for c in bad)
            + ": the regret there is uncertain by that much")


def precision_text(settings: Mapping) -> str:
    """``params and state in bfloat16 (float32 updates, round to nearest)``."""
    how = "round to nearest" if settings["rounding"] == "nearest" else "stochastic rounding"
    return (f"params and state in {settings['storage']} ({settings['accumulate']} updates, "
            f"{how}{', Kahan-compensated' if settings['kahan'] else ''})")


def precision_line(report: Mapping) -> str:
    """One terminal line on a low-precision series against its float64 twin."""
    first = report.get("first_nonfinite")
    drift = report.get("drift")
    what = (f"largest relative drift from float64 {float(drift):.2g}" if drift is not None
            else f"relative drift of the final point from float64 "
                 f"{float(report['final_drift']):.2g} (iterates too many to compare "
                 f"every step)")
    r64 = np.median(np.asarray(report["regret_T_float64"], dtype=np.float64))
    rlow = np.median(np.asarray(report["regret_T"], dtype=np.float64))
    return (f"{report['storage']}: {what}; R(T) {rlow:.4g} against {r64:.4g} in float64 "
            f"(median); {report['flushed']:,} updates rounded to zero, "
            f"{report.get('stalled', 0):,} state updates rounded away; "
            + ("no inf/NaN" if first is None else f"WARNING: inf/NaN at step {first} "
               f"(that run frozen from there)"))


def file_stem(label: str) -> str:
    """A file-name-safe form of a series label."""
    keep = "".join(c if c.isalnum() or c in "-_.=" else "_" for c in label)
    return keep.strip("_.") or "series"


__all__ = ["BoundAssessment", "Experiment", "QUANTILES", "SeriesOutcome",
           "SeriesSpec", "algorithm_conditions", "assess_bounds", "bound_ids_for",
           "assess_series", "build_optimizer", "comparator_line", "default_hyper",
           "file_stem", "hyper_text", "precision_line", "precision_text", "run_experiment", "run_series"]
