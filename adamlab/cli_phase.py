"""``adamlab phase-map``: where in the (beta1, beta2) plane Adam's average regret goes to 0,
next to AMSGrad, with Reddi et al.'s and Kingma & Ba's gamma = 1 curves drawn on top.

The map itself is :mod:`adamlab.proofs.sweep.phase` (its sweeps run on Dask,
:mod:`adamlab.proofs.sweep.runner`); this module only reads the command line.
"""
from __future__ import annotations

import argparse
import re
import sys

from .cli_args import (UsageError, choose, integer, key_values, names_list, output_folder,
                       progress_flags)

DEFAULT_PROBLEM = "rkk-online"
DEFAULT_OPTIMIZERS = "adam,amsgrad"
DEFAULT_OUT = "phase_map_out"
MAX_T = 10**8
MAX_SEEDS = 1000
MAX_WORKERS = 1024
_GRID = re.compile(r"^\s*(\d+)\s*[xX]\s*(\d+)\s*$")
_NUM = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_LR = re.compile(rf"^\s*({_NUM})\s*/\s*sqrt\(t\)\s*$")

EPILOG = """\
what it writes into --out DIR:
  phase_map.{png,svg,pdf}   one heatmap panel per optimizer: x = beta2 (a log axis of
                            1 - beta2), y = beta1, colour = the fitted limit of R(T)/T
                            (mean over seeds), with beta1 = sqrt(beta2) (Reddi, Kale & Kumar's
                            gamma = beta1/sqrt(beta2) = 1) and beta1 = beta2^(1/4) (Kingma &
                            Ba's gamma = beta1^2/sqrt(beta2) = 1)
  phase_map.csv             one row per (optimizer, beta1, beta2): mean, std, min and max over
                            seeds of the fitted limit and of R(T)/T, the mean final iterate
  phase_map.json            the settings and their key (a folder never mixes two maps)
  sweeps/<optimizer>/       each optimizer's sweep: chunks/, table.csv (adamlab sweep's format)

the optimizers: the registry's, with eps = 0, constant beta1 and lr = A/sqrt(t); adam is
Kingma & Ba's Algorithm 1, amsgrad is Reddi et al.'s Algorithm 2 (amsgrad_mode=reddi).

what the theorems say (Reddi, Kale & Kumar, ICLR 2018): Thms 1-3 -- for every beta1 <
sqrt(beta2) SOME convex problem (built for that pair) defeats Adam, not necessarily the
problem mapped; Thm 4 -- AMSGrad's regret bound holds when gamma = beta1/sqrt(beta2) < 1.
Kingma & Ba (ICLR 2015) Thm 4.1 assumed beta1^2/sqrt(beta2) < 1.

examples:
  adamlab phase-map                                   # rkk-online, 16x16, T = 1e6
  adamlab phase-map --grid 8x8 --T 1e5 --out quick
  adamlab phase-map --problem rkk-stochastic --seeds 4 --out stoch
  adamlab phase-map --scheduler tcp://10.0.0.5:8786  # a running Dask cluster
  adamlab phase-map --resume                          # finish an interrupted map

exit status: 0 done, 1 failure, 2 usage error, 130 interrupted (what was computed stays in
--out; the same command with --resume continues it).
"""


def add_parser(sub) -> None:
    """Register ``phase-map`` on the subparsers ``sub`` of ``adamlab``'s parser."""
    # the defaults only: importing the sweep (and the claims behind it) takes seconds
    from adamlab.proofs.sweep import phase_defaults as defaults
    g1, g2 = defaults.DEFAULT_GRID
    p = sub.add_parser(
        "phase-map", help="(beta1, beta2) phase map of Adam vs AMSGrad's average regret",
        description="Sweep a (beta1, beta2) grid for each optimizer on one problem and draw "
                    "where the average regret R(T)/T goes to 0, with the theorems' gamma = 1 "
                    "curves.", epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--problem", default=DEFAULT_PROBLEM, metavar="NAME",
                   help=f"problem (adamlab list problems; default {DEFAULT_PROBLEM})")
    p.add_argument("--problem-params", default=None, metavar="K=V,...",
                   help="problem parameters, e.g. C=1010,period=101")
    p.add_argument("--optimizers", default=DEFAULT_OPTIMIZERS, metavar="A,B,...",
                   help=f"Adam-family optimizers, one panel each (default "
                        f"{DEFAULT_OPTIMIZERS})")
    p.add_argument("--grid", default=f"{g1}x{g2}", metavar="N1xN2",
                   help=f"N1 values of beta1 in [0, 0.99] x N2 of beta2 in [0.5, 0.9999] "
                        f"(1 - beta2 log-spaced), each 2..{defaults.MAX_GRID} (default "
                        f"{g1}x{g2})")
    p.add_argument("--T", default=str(defaults.DEFAULT_T), metavar="N",
                   help=f"horizon, 10..1e8; 1e6 is accepted (default {defaults.DEFAULT_T:,})")
    p.add_argument("--seeds", default="1", metavar="S",
                   help=f"seeds per cell, 1..{MAX_SEEDS} (default 1: rkk-online is "
                        f"deterministic)")
    p.add_argument("--lr", default=defaults.DEFAULT_LR, metavar="A/sqrt(t)",
                   help=f"step size: A/sqrt(t) or a constant (default {defaults.DEFAULT_LR})")
    p.add_argument("--out", default=DEFAULT_OUT, metavar="DIR",
                   help=f"output folder (default ./{DEFAULT_OUT})")
    p.add_argument("--workers", default="auto", metavar="N",
                   help="0: run here; N: a local Dask cluster of N processes (default auto: "
                        "the cores, as many as the memory allows)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="a running Dask scheduler (tcp://host:8786) instead of a local "
                        "cluster")
    p.add_argument("--resume", action="store_true",
                   help="finish (or redraw) the map already in --out (same settings)")
    p.add_argument("--formats", default="png,svg,pdf", metavar="F,...",
                   help="figure formats among png, svg, pdf (default png,svg,pdf)")
    progress_flags(p)
    p.add_argument("--quiet", action="store_true", help="print only the file names")
    p.set_defaults(func=main)


def _grid(text: str) -> tuple[int, int]:
    from adamlab.proofs.sweep.phase import MAX_GRID
    m = _GRID.match(text or "")
    if not m:
        raise UsageError(f"--grid: expected N1xN2 (beta1 values x beta2 values), e.g. 16x16; "
                         f"got {text!r}")
    n1, n2 = int(m.group(1)), int(m.group(2))
    for flag, n in (("beta1", n1), ("beta2", n2)):
        if not 2 <= n <= MAX_GRID:
            raise UsageError(f"--grid: the number of {flag} values must be in "
                             f"[2, {MAX_GRID}]; got {n}")
    return n1, n2


def _lr(text: str):
    t = (text or "").strip()
    m = _LR.match(t)
    try:
        a = float(m.group(1)) if m else float(t) if re.fullmatch(_NUM, t) else None
    except ValueError:
        a = None
    if a is None or not 0 < a < float("inf"):
        raise UsageError(f"--lr: expected A/sqrt(t) or a constant, with A > 0 (e.g. "
                         f"1/sqrt(t)); got {text!r}")
    return f"{a:g}/sqrt(t)" if m else a


_FLAGS = {"problem_params": "--problem-params", "optimizers": "--optimizers", "T": "--T",
          "seeds": "--seeds", "lr": "--lr", "problem": "--problem"}


def _flagged(msg: str) -> str:
    """An API message (``"T must ..."``, ``"optimizers: ..."``) with the flag's name."""
    m = re.match(r"^(\w+)(: | must )", msg)
    if m and m.group(1) in _FLAGS:
        sep = ": " if m.group(2) == ": " else " must "
        return _FLAGS[m.group(1)] + sep + msg[m.end():]
    return f"adamlab phase-map: {msg}"


def parse(args) -> dict:
    """The keyword arguments of :func:`adamlab.proofs.sweep.phase.phase_map` from the
    parsed command line (UsageError for a mistake), checked before anything runs."""
    from adamlab.numerics import optimizers, plots, problems
    problem = choose("--problem", args.problem, problems.names(), "problem")
    names = names_list("--optimizers", args.optimizers, optimizers.names(), "optimizer")
    n1, n2 = _grid(args.grid)
    T = integer("--T", args.T, 10, MAX_T, "1000000 or 1e6")
    seeds = integer("--seeds", args.seeds, 1, MAX_SEEDS)
    if args.workers.strip().lower() == "auto":
        workers = None
    else:
        workers = integer("--workers", args.workers, 0, MAX_WORKERS, "2, 0 or auto")
    if args.scheduler is not None and not args.scheduler.strip():
        raise UsageError("--scheduler: give an address such as tcp://10.0.0.5:8786")
    formats = names_list("--formats", args.formats, plots.FORMATS, "format")
    if not isinstance(args.out, str) or not args.out.strip():
        raise UsageError("--out: give a folder name (an empty one would write into the "
                         "current folder)")
    return dict(problem=problem, optimizers=tuple(names), n_b1=n1, n_b2=n2, T=T,
                seeds=seeds, lr=_lr(args.lr),
                problem_params=key_values("--problem-params", args.problem_params),
                out=args.out, workers=workers, scheduler=args.scheduler,
                resume=bool(args.resume), progress=args.progress, formats=tuple(formats))


def main(args, out) -> int:
    """Run ``adamlab phase-map`` with the parsed ``args``, printing to ``out``; return the
    exit status (UsageError for the user's mistakes, before any computation)."""
    from adamlab.proofs.sweep import phase
    kw = parse(args)
    try:
        p = phase.plan(kw["problem"], kw["optimizers"], kw["n_b1"], kw["n_b2"], kw["T"],
                       kw["seeds"], kw["lr"], kw["problem_params"])
    except (TypeError, ValueError) as exc:
        raise UsageError(_flagged(str(exc))) from None
    try:
        phase.check_out(kw["out"], p, kw["resume"])
    except ValueError as exc:
        msg = str(exc)
        msg = msg[len("out: "):] if msg.startswith("out: ") else msg
        raise UsageError(f"--out: {msg.replace('resume (--resume)', '--resume')}") from None
    output_folder("--out", kw["out"])      # created and tested now, before any computation
    log = None if args.quiet else (lambda line: print(line, file=out, flush=True))
    res = phase.phase_map(**kw, log=log)
    if not res.complete:
        print(f"adamlab phase-map: interrupted; the chunks computed so far are in "
              f"{res.out}/sweeps/; the same command with --resume continues it",
              file=sys.stderr)
        return 130
    if args.quiet:
        print("wrote " + ", ".join(str(f) for f in res.figures + (res.csv,)), file=out)
    return 0


__all__ = ["add_parser", "main", "parse"]
