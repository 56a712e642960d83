"""``adamlab regret``: regret plots against sqrt(T) with the published bounds overlaid.

The experiment itself is :mod:`adamlab.proofs.regret.experiment`; its files are
:mod:`adamlab.proofs.regret.files`.  This module only reads the command line.
"""
from __future__ import annotations

import argparse
import sys
import time

from .cli_args import (UsageError, choose, hp_settings, integer, key_values, names_list,
                       output_folder, progress_flags)

DEFAULT_PROBLEM = "rkk-online"
DEFAULT_OPTIMIZERS = "adam,amsgrad,adagrad,sgd"
DEFAULT_T = "100000"
DEFAULT_RUNS = "3"
MAX_T = 10**8
MAX_RUNS = 10_000
MAX_WORKERS = 256

EPILOG = """\
what it writes into --out DIR:
  regret_loglog.{png,svg}      R(T) against T, log-log, with a sqrt(T) slope guide
  regret_over_sqrtT.{png,svg}  R(T)/sqrt(T) against T
  regret_over_T.{png,svg}      R(T)/T against T
  regret_panels.{png,svg}      the three side by side
  precision_drift.{png,svg}    with --dtype: each series' drift from float64 against T
  caption.md                   the caption: series with their hyperparameters, what is
                               drawn, each bound's outcome (holds / VIOLATED / does not apply)
  summary.csv                  per series and T = 10, 100, ..., T: regret quantiles,
                               fitted slope, each bound's value and status
  summary.json                 everything, with hyperparameters, reasons and file names
  runs/<series>.npz + .json    the simulation results (RunResult.save; per-step arrays on
                               a log grid unless --full-steps)
  .checkpoint/                 while it runs: each completed series with every step, for
                               --resume after an interruption; removed when the run completes
Each figure: median over runs (line), 10-90% quantile band, fitted log-log slope over
the last decade (median [q10, q90] over runs) in the legend, and the bounds of the
theorems about each algorithm in its color: dashed where the run meets their hypotheses,
dotted and faded where it does not (the reason is in the legend and the note).

bounds: adam -> kb.thm4.1, kb.cor4.2 (Kingma & Ba); amsgrad -> rkk.thm4, rkk.cor1 (Reddi et
al.); adagrad -> dhs.adagrad-regret (Duchi et al.); sgd -> z.ogd-regret (Zinkevich).

defaults (the settings the theorems analyse; epsilon = 0 throughout):
  adam     lr=0.1/sqrt(t), betas=0.9/0.99, lam=0.999 (beta1_t = 0.9*0.999^(t-1)),
           beta1_correction=power
  amsgrad  lr=0.1/sqrt(t), betas=0.9/0.99, amsgrad_mode=reddi (Reddi et al.'s Algorithm 2)
  adagrad  lr=D_inf/sqrt(2) (D_inf: the domain's inf-diameter)
  sgd      lr=eta/sqrt(t), eta = D/(G sqrt(2)) when the problem knows G, else 0.1
  others   the registry's defaults with eps=0

--hp OPT:KEY=VALUE[,KEY=VALUE...] (repeatable), VALUE one of:
  0.01              a number (lr=0.01 is a CONSTANT step size)
  0.1/sqrt(t)       alpha_t = alpha/sqrt(t)
  0.9/0.99          a pair (betas)
  true, false       a flag;   reddi   a word (amsgrad_mode, eps_mode, ...)
  1e-3:1e-1:5log    a grid of 5 log-spaced values (lin: evenly spaced); one series per value
  1e-3:1e-1:5log/sqrt(t)   a grid of schedules
  0.5:0.9:3lin/0.99  a grid on one side of a pair (betas): one series per beta1
  inside|outside    alternatives, any of the above: one series each (lr=0.1|0.1/sqrt(t))
  lam=0.999         beta1_t = beta1*0.999^(t-1); lam=1: constant beta1

examples:
  adamlab regret
  adamlab regret --problem rkk-online --optimizers adam,amsgrad,adagrad,sgd \\
      --T 100000 --runs 10 --out regret-rkk
  adamlab regret --optimizers adam --hp "adam:lr=1e-3:1e-1:3log/sqrt(t),lam=1" --T 1e4
  adamlab regret --dtype bfloat16 --T 1e4          (the default run in bfloat16: drift)
  adamlab regret --problem rkk-thm1 --problem-params C=3 \\
      --hp "adam:betas=0/0.1,lam=1,lr=0.5/sqrt(t)" --optimizers adam,amsgrad

exit status: 0 done, 1 failure, 2 usage error, 130 interrupted (Ctrl-C; the results so far
are on disk, marked incomplete; the same command with --resume continues the run).
"""


def add_parser(sub) -> None:
    p = sub.add_parser(
        "regret", help="regret plots against sqrt(T) with the bounds overlaid",
        description="Simulate optimizers on an online convex problem and plot the regret "
                    "R(T) against T with the published bounds evaluated on the same runs.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--problem", default=DEFAULT_PROBLEM, metavar="NAME",
                   help=f"problem (adamlab list problems; default {DEFAULT_PROBLEM})")
    p.add_argument("--problem-params", metavar="K=V,...", default=None,
                   help="problem parameters, e.g. C=3,period=3")
    p.add_argument("--optimizers", default=DEFAULT_OPTIMIZERS, metavar="A,B,...",
                   help=f"comma-separated (default {DEFAULT_OPTIMIZERS})")
    p.add_argument("--plugin", action="append", default=[], metavar="MODULE",
                   help="import a .py file or module first, e.g. one that registers your "
                        "optimizer (adamlab.numerics.optimizers.register; repeatable)")
    p.add_argument("--hp", action="append", default=[], metavar="OPT:K=V,...",
                   help="hyperparameters of one optimizer (repeatable; see below)")
    p.add_argument("--T", default=DEFAULT_T, metavar="N",
                   help=f"horizon: steps per run, 2..1e8 (default {DEFAULT_T}; 1e5 "
                        f"is accepted)")
    p.add_argument("--runs", default=DEFAULT_RUNS, metavar="R",
                   help=f"independent runs per series, 1..{MAX_RUNS} (default {DEFAULT_RUNS})")
    p.add_argument("--seed", default="0", metavar="S", help="random seed >= 0 (default 0)")
    p.add_argument("--out", default="adamlab-regret", metavar="DIR",
                   help="output folder (default ./adamlab-regret)")
    p.add_argument("--formats", default="png,svg", metavar="F,...",
                   help="figure formats among png, svg, pdf (default png,svg)")
    progress_flags(p)
    p.add_argument("--full-steps", action="store_true",
                   help="save every step of every series in runs/ (default: the per-step "
                        "arrays on a log grid, ~1000 steps per run, compressed)")
    p.add_argument("--panels", default="regret,sqrt,avg", metavar="P,...",
                   help="figure panels among regret (R(T)), sqrt (R(T)/sqrt(T)) and avg "
                        "(R(T)/T) (default all three)")
    p.add_argument("--no-bounds", action="store_true",
                   help="draw the regret curves only (the bounds stay in the CSV/JSON)")
    p.add_argument("--ylim", action="append", default=[], metavar="PANEL=LO:HI",
                   help="y-range of one panel, e.g. regret=10:1e5 (repeatable; default: "
                        "from the data, with far-off bounds marked at the top)")
    p.add_argument("--force", action="store_true",
                   help="replace the results of an earlier run in --out (its figures, "
                        "summaries, runs/ and .checkpoint/; other files are left alone)")
    p.add_argument("--resume", action="store_true",
                   help="continue an interrupted run in --out (same command): the series "
                        "it completed are read from its checkpoint (.checkpoint/, every "
                        "step), the one cut short starts again from step 0")
    p.add_argument("--dtype", default="float64", metavar="DTYPE",
                   help="store every series' params and state in float16, bfloat16 or "
                        "float32 (default float64: no rounding); each series then also runs "
                        "in float64 on the same data, and the drift between them is reported "
                        "(precision_drift.png, summary.json)")
    p.add_argument("--accumulate", default=None, metavar="DTYPE",
                   help="with --dtype: the dtype the updates are computed in, float32 or "
                        "float64 (default float32)")
    p.add_argument("--rounding", default=None, metavar="MODE",
                   help="with --dtype: nearest (default) or stochastic rounding to the "
                        "storage dtype")
    p.add_argument("--kahan", action="store_true",
                   help="with --dtype: Kahan-compensated parameter updates")
    p.add_argument("--workers", default="1", metavar="N",
                   help="simulate the series side by side in N processes (a Dask "
                        "LocalCluster; default 1: one after the other in this process); "
                        "the results are the same bit for bit")
    p.add_argument("--quiet", action="store_true", help="print only the file names")
    p.set_defaults(func=cmd_regret)


def _schedule(v):
    from adamlab.numerics.optimizers.schedules import InverseSqrt
    if isinstance(v, tuple) and len(v) == 2 and v[0] == "isqrt":
        if not v[1] > 0:
            raise ValueError(f"alpha in alpha/sqrt(t) must be > 0; got {v[1]:g}")
        return InverseSqrt(v[1])
    return v


def build_specs(args, problem) -> list:
    """SeriesSpecs for --optimizers and --hp, each checked by building its optimizer."""
    from adamlab.numerics import optimizers
    from adamlab.proofs.regret.experiment import SeriesSpec, build_optimizer
    from . import plugins
    for spec in getattr(args, "plugin", []):
        plugins.load(spec)
    names = names_list("--optimizers", args.optimizers, optimizers.names(), "optimizer")
    settings = hp_settings(args.hp, names)
    specs = []
    for name in names:
        combos = settings.get(name, [{}])
        for combo in combos:
            hyper, label = {}, name
            for key, (text, val) in combo.items():
                try:
                    hyper[key] = _schedule(val)
                except ValueError as exc:
                    raise UsageError(f"--hp {name}:{key}: {exc}") from None
            if len(combos) > 1:
                label += " " + ",".join(f"{k}={t}" for k, (t, _) in combo.items())
            spec = SeriesSpec(name, hyper, label)
            try:
                build_optimizer(spec, problem)
            except (TypeError, ValueError) as exc:
                msg = str(exc)
                msg = msg[len(name) + 2:] if msg.startswith(f"{name}: ") else msg
                raise UsageError(f"--hp {name}: {msg}") from None
            specs.append(spec)
    return specs


def parse(args):
    """(problem, specs, T, runs, seed, formats) from the parsed arguments."""
    from adamlab.numerics import plots, problems
    name = choose("--problem", args.problem, problems.names(), "problem")
    params = key_values("--problem-params", args.problem_params)
    try:
        problem = problems.make(name, **params)
    except (TypeError, ValueError) as exc:
        raise UsageError(f"--problem-params: {exc}") from None
    T = integer("--T", args.T, 2, MAX_T, "100000 or 1e5")
    runs = integer("--runs", args.runs, 1, MAX_RUNS)
    seed = integer("--seed", args.seed, 0, 2**63 - 1)
    formats = names_list("--formats", args.formats, plots.FORMATS, "format")
    return problem, build_specs(args, problem), T, runs, seed, formats


def precision_settings(args) -> dict | None:
    """--dtype, --accumulate, --rounding, --kahan, checked (UsageError); None for float64."""
    from adamlab.numerics.optimizers.precision import (ACCUMULATE, ROUNDING, STORAGE,
                                                       storage_dtype)
    dtype = choose("--dtype", getattr(args, "dtype", "float64") or "float64",
                   ("float64",) + STORAGE, "dtype")
    extra = [flag for flag, value in (("--accumulate", getattr(args, "accumulate", None)),
                                      ("--rounding", getattr(args, "rounding", None)),
                                      ("--kahan", getattr(args, "kahan", False) or None))
             if value is not None]
    if dtype == "float64":
        if extra:
            raise UsageError(f"{extra[0]} applies only with --dtype float16, bfloat16 or "
                             f"float32")
        return None
    try:
        storage_dtype(dtype)
    except ValueError as exc:                       # bfloat16 without ml_dtypes
        raise UsageError(f"--dtype: {exc}") from None
    return {"storage": dtype,
            "accumulate": choose("--accumulate", args.accumulate or "float32", ACCUMULATE,
                                 "dtype"),
            "rounding": choose("--rounding", args.rounding or "nearest", ROUNDING,
                               "rounding"),
            "kahan": bool(args.kahan)}


def cmd_regret(args, out) -> int:
    from pathlib import Path

    from adamlab.proofs.regret import checkpoint as regret_checkpoint
    from adamlab.proofs.regret import experiment as regret_experiment, files as regret_files
    problem, specs, T, runs, seed, formats = parse(args)
    precision = precision_settings(args)
    workers = integer("--workers", getattr(args, "workers", "1") or "1", 1, MAX_WORKERS)
    figure_opts = figure_options(args)
    if not args.out.strip():
        raise UsageError("--out: give a folder name (an empty one would write into the "
                         "current folder)")
    out_dir = Path(args.out)
    owned = owned_files(out_dir) if out_dir.is_dir() else []
    force, resume = bool(getattr(args, "force", False)), bool(getattr(args, "resume", False))
    checkpoint = regret_checkpoint.Checkpoint(out_dir)
    save_steps = "all" if getattr(args, "full_steps", False) else "log"
    if force and resume:
        raise UsageError("--force and --resume exclude each other: --force replaces the "
                         "earlier run, --resume continues it")
    if resume:
        refused = checkpoint.refusal(regret_checkpoint.experiment_key(
            problem, T, runs, seed, save_steps, [s.name for s in specs], precision))
        if refused:
            raise UsageError(f"--resume: {refused}")
        owned = []                         # its files stay until the new ones replace them
    elif owned and not force:
        hint = "; it was interrupted: add --resume to continue it" if checkpoint.exists() \
            else ""
        raise UsageError(f"--out: {str(out_dir)!r} holds the results of another run "
                         f"({len(owned)} files, e.g. {owned[0].name}){hint}; choose another "
                         f"folder or add --force to replace them")
    created = not out_dir.exists()
    output_folder("--out", args.out)       # created and tested now, before any computation
    try:
        check_sizes(problem, specs, T, runs, out_dir, bool(getattr(args, "full_steps", False)),
                    precision is not None, workers)
    except UsageError:
        if created:
            out_dir.rmdir()
        raise
    log = None if args.quiet else (lambda line: print(line, file=out, flush=True))
    if owned:                              # --force: what the earlier run wrote goes
        for f in owned:
            f.unlink()
        if log:
            log(f"--force: removed {len(owned)} files of the earlier run in {out_dir}/")
    if log:
        log(f"adamlab regret: {problem.name} (d = {problem.d}), T = {T:,}, {runs} run(s), "
            f"{len(specs)} series -> {out_dir}/"
            + ("" if precision is None else
               f"\n  {regret_experiment.precision_text(precision)}; each series also in "
               f"float64 on the same data, for the drift"))
    started = time.perf_counter()
    exp = regret_experiment.run_experiment(problem, specs, T, runs, seed,
                                           save_dir=str(out_dir), progress=args.progress,
                                           log=log, save_steps=save_steps,
                                           checkpoint=checkpoint, resume=resume,
                                           precision=precision, workers=workers)
    argv = getattr(args, "argv", None)
    doc = regret_files.write_outputs(exp, out_dir, formats, extra={
        "command": "adamlab " + " ".join(argv) if argv is not None else None},
        figure_options=figure_opts)
    if log:
        _print_table(exp, out)
    files = [p for ps in doc["files"]["figures"].values() for p in ps]
    files += [doc["files"]["csv"], doc["files"]["json"]] + doc["files"]["results"]
    print("wrote " + ", ".join(files), file=out)
    if not exp.complete:
        print(f"adamlab regret: interrupted during {exp.interrupted}; the results so far are "
              f"in {out_dir}/ (marked incomplete); the same command with --resume continues "
              f"it", file=sys.stderr)
        return 130
    if log:
        log(f"done in {time.perf_counter() - started:.1f} s")
    return 0


def figure_options(args) -> dict:
    """--panels, --no-bounds and --ylim, checked (UsageError)."""
    from adamlab.numerics import plots
    panels = names_list("--panels", getattr(args, "panels", "regret,sqrt,avg"),
                        tuple(plots.PANELS), "panel")
    ylim = {}
    for item in getattr(args, "ylim", []) or []:
        name, _, rng = item.partition("=")
        lo, _, hi = rng.partition(":")
        choose("--ylim", name.strip(), tuple(plots.PANELS), "panel")
        try:
            low, high = float(lo), float(hi)
        except ValueError:
            raise UsageError(f"--ylim: {item!r} is not PANEL=LO:HI, e.g. regret=10:1e5") \
                from None
        if not 0 < low < high < float("inf"):
            raise UsageError(f"--ylim: need 0 < LO < HI (log axes); got {item!r}")
        ylim[name.strip()] = (low, high)
    return {"panels": panels, "bounds": not getattr(args, "no_bounds", False),
            "ylim": ylim or None}


#: what ``adamlab regret`` writes into --out (figures in every format, summaries,
#: caption, the runs/ results): the files --force may remove
_OWNED = ("regret_loglog.*", "regret_over_sqrtT.*", "regret_over_T.*", "regret_panels.*",
          "precision_drift.*",
          "summary.csv", "summary.json", "caption.md", "runs/*.npz", "runs/*.json",
          ".checkpoint/*")


def owned_files(out_dir) -> list:
    """The files in ``out_dir`` that a regret run writes (see :data:`_OWNED`)."""
    from pathlib import Path
    out_dir = Path(out_dir)
    return sorted({p for pat in _OWNED for p in out_dir.glob(pat) if p.is_file()})


def _gb(n: float) -> str:
    return f"{n / 2**30:.2f} GiB" if n >= 2**27 else f"{n / 2**20:.1f} MiB"


def check_sizes(problem, specs, T: int, runs: int, out_dir, full_steps: bool,
                low_precision: bool = False, workers: int = 1) -> None:
    """Refuse (UsageError, exit 2) a run whose estimated memory or disk does not fit
    (``low_precision``: with the iterates of the two runs each --dtype series compares;
    ``workers``: that many series in memory at once)."""
    import shutil
    from pathlib import Path

    from adamlab.numerics import simulate
    from adamlab.numerics.precision_report import iterates_fit
    est = simulate.estimate(problem, T, runs)
    if low_precision and iterates_fit(T, runs, problem.d):
        est["memory"] += 2 * 8 * T * runs * problem.d
    est["memory"] *= max(1, min(int(workers), len(specs)))
    free_mem = simulate.available_memory()
    if free_mem is not None and est["memory"] > free_mem:
        raise UsageError(f"--T {T:,} --runs {runs} on {problem.name} (d = {problem.d:,}) needs "
                         f"about {_gb(est['memory'])} of memory; {_gb(free_mem)} is "
                         f"available: lower --T, --runs, --workers or d")
    disk = len(specs) * est["disk_all" if full_steps else "disk_log"]
    probe = Path(out_dir).resolve()
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        free_disk = shutil.disk_usage(probe).free
    except OSError:
        return
    if disk > free_disk:
        raise UsageError(f"the results of {len(specs)} series would take about {_gb(disk)} "
                         f"on disk{' (--full-steps)' if full_steps else ''}; {_gb(free_disk)} "
                         f"is free under {probe}")


def _brief(oc: dict) -> str:
    if oc["kind"] in ("violated", "does not apply"):     # with the when / the why
        return oc["text"]
    return oc["kind"]


def _print_table(exp, out) -> None:
    import numpy as np
    from rich.markup import escape

    from .terminal import show, table
    rows = []
    for s in exp.series:
        if not s.complete:
            rows.append((escape(s.label), f"incomplete ({s.result.steps_done} steps)", "", ""))
            continue
        q = np.quantile(s.regret[-1], (0.1, 0.5, 0.9))
        lo, med, hi = s.slope_summary()
        bounds = "; ".join(f"{b.claim_id} " + _mark(_brief(b.outcome(s.regret, s.t)))
                           for b in s.bounds) or "-"
        rows.append((escape(s.label), f"{q[1]:.4g} [{q[0]:.4g}, {q[2]:.4g}]",
                     f"{med:.3f} [{lo:.3f}, {hi:.3f}]", bounds))
    show(out, "", table([("series", {"style": "bold"}),
                         ("R(T) median [q10, q90]", {"no_wrap": True}),
                         ("slope", {"no_wrap": True}), ("bounds", {"ratio": 1})], rows))


def _mark(text: str) -> str:
    from rich.markup import escape
    if text.startswith("VIOLATED"):
        return f"[bold red]{escape(text)}[/]"
    return escape(text)


__all__ = ["add_parser", "build_specs", "check_sizes", "cmd_regret", "figure_options",
           "owned_files", "parse", "precision_settings"]
