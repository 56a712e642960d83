"""``adamlab sweep``: a grid of simulator runs, chunk by chunk, here or on Dask.

    adamlab sweep --optimizer adam --problem rkk-online \\
        --hp betas=0:0.9:4lin/0.9:0.999:4lin,lr=1/sqrt(t) --T 10000 --seeds 3 --out sw
    adamlab sweep --config sweep.toml --out sw --scheduler tcp://10.0.0.5:8786
    adamlab sweep ... --out sw --resume      # after Ctrl-C or a crash

``--hp KEY=VALUES,...`` uses the grid syntax of ``adamlab regret --hp`` (without the
``OPT:`` prefix): ``0.01:0.1:5log`` (a grid), ``0.5:0.9:3lin/0.99`` (a pair with a grid
on one side), ``A|B`` (alternatives), ``0.1/sqrt(t)`` (a schedule).  ``--problem-params``
takes lists the same way (``C=10|100|1010``).  The table is ``OUT/table.csv`` (one row per
cell and seed, :mod:`adamlab.proofs.sweep.task`); the chunks are written as they arrive
and ``--resume`` runs only the missing ones.
"""
from __future__ import annotations

import os
import sys

from .cli_args import UsageError, integer, value


def add_parser(sub) -> None:
    p = sub.add_parser("sweep", help="a grid of runs over hyperparameters, problem "
                       "parameters and seeds, on Dask (resumable)")
    p.add_argument("--config", metavar="FILE", help="the sweep as TOML (see the README); "
                   "the other grid options are then not allowed")
    p.add_argument("--optimizer", metavar="NAME", help="registry optimizer (adamlab list "
                   "optimizers)")
    p.add_argument("--problem", metavar="NAME", help="registry problem (adamlab list problems)")
    p.add_argument("--hp", action="append", metavar="KEY=VALUES,...",
                   help="hyperparameter grid (regret's --hp syntax); repeatable")
    p.add_argument("--problem-params", action="append", metavar="KEY=VALUES,...",
                   help="problem parameter grid (A|B|C or a:b:Nlin); repeatable")
    p.add_argument("--T", default="10000", metavar="N[,N...]", help="horizon(s) (default 10000)")
    p.add_argument("--seeds", default="1", metavar="N", help="seeds per cell: 0..N-1 "
                   "(default 1)")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder (table.csv, "
                   "chunks/, sweep.json); never shared by two sweeps")
    p.add_argument("--workers", metavar="N", help="Dask LocalCluster processes (default: the "
                   "machine's cores); 0 runs everything in this process")
    p.add_argument("--scheduler", metavar="ADDRESS", help="an existing Dask scheduler "
                   "(e.g. tcp://10.0.0.5:8786) instead of a local cluster")
    p.add_argument("--chunk-runs", default="512", metavar="N", help="runs (cells x seeds) "
                   "per task (default 512)")
    p.add_argument("--resume", action="store_true", help="finish a stopped sweep in --out")
    p.set_defaults(func=main)


def _grid(flag: str, items) -> dict[str, list]:
    out: dict[str, list] = {}
    for item in items or ():
        for part in _split(item):
            if "=" not in part:
                raise UsageError(f"{flag}: expected KEY=VALUES; got {part!r}")
            key, text = (x.strip() for x in part.split("=", 1))
            if not key.isidentifier():
                raise UsageError(f"{flag}: {key!r} is not a parameter name")
            if key in out:
                raise UsageError(f"{flag}: {key} is given twice (use A|B for several values)")
            vals = []
            for shown, v in value(f"{flag} {key}", text):
                if isinstance(v, tuple) and len(v) == 2 and v[0] == "isqrt":
                    v = f"{v[1]:g}/sqrt(t)"
                vals.append(list(v) if isinstance(v, tuple) else v)
            out[key] = vals
    return out


def _split(item: str) -> list[str]:
    """KEY=VALUES,KEY=VALUES: split at commas that start a new KEY= (values never hold '=')."""
    parts, cur = [], ""
    for piece in item.split(","):
        if "=" in piece or not cur:
            if cur:
                parts.append(cur)
            cur = piece
        else:
            cur += "," + piece
    if cur.strip():
        parts.append(cur)
    return [p for p in parts if p.strip()]


def _sweep(args):
    from adamlab.proofs.sweep.grid import Sweep, from_toml
    if args.config:
        given = [f for f in ("optimizer", "problem", "hp", "problem_params")
                 if getattr(args, f)]
        if given:
            raise UsageError(f"adamlab sweep: --config describes the whole grid; drop "
                             f"{', '.join('--' + g.replace('_', '-') for g in given)}")
        if not os.path.isfile(args.config):
            raise UsageError(f"--config: no such file {args.config!r}")
        try:
            sweep = from_toml(args.config)
            sweep.check()
            return sweep
        except (ValueError, TypeError) as exc:
            raise UsageError(f"--config {args.config}: {exc}") from None
    for f in ("optimizer", "problem"):
        if not getattr(args, f):
            raise UsageError(f"adamlab sweep: --{f} is required (or give --config FILE)")
    Ts = [integer("--T", x, 1, 10**9, "10000") for x in args.T.split(",") if x.strip()]
    seeds = integer("--seeds", args.seeds, 1, 10**6, "3")
    try:
        sweep = Sweep(args.problem, args.optimizer, _grid("--hp", args.hp),
                      _grid("--problem-params", args.problem_params), tuple(Ts), seeds)
        sweep.check()
        return sweep
    except (ValueError, TypeError) as exc:
        raise UsageError(f"adamlab sweep: {exc}") from None


def _estimate(sweep, chunk: int, workers: int) -> None:
    """Refuse (exit 2) a sweep whose chunks in flight would not fit in memory."""
    from adamlab.numerics import simulate
    T = max(sweep.T)
    runs = min(chunk, sweep.n_runs)
    first = {k: v[0] for k, v in sweep.problem_params.items()}
    one = simulate.estimate(sweep.problem, T, runs, problem_params=first)["memory"]
    total = one * max(1, workers)
    avail = simulate.available_memory()
    if avail is not None and total > avail // 2:
        raise UsageError(f"adamlab sweep: {max(1, workers)} chunk(s) in flight need about "
                         f"{total / 2**30:.1f} GiB (T = {T:,}, {runs} runs each); "
                         f"{avail / 2**30:.1f} GiB are free: lower --chunk-runs, --workers "
                         f"or T")


def main(args, out) -> int:
    from adamlab.proofs.sweep import runner
    sweep = _sweep(args)
    workers = None if args.workers is None else integer("--workers", args.workers, 0, 4096,
                                                        "2")
    chunk = integer("--chunk-runs", args.chunk_runs, 1, 10**6, "512")
    if os.path.exists(args.out) and not os.path.isdir(args.out):
        raise UsageError(f"--out: {args.out!r} is a file, not a folder")
    try:
        _estimate(sweep, chunk, os.cpu_count() or 1 if workers is None else workers)
        done = runner.run(sweep, args.out, workers=workers, scheduler=args.scheduler,
                          resume=args.resume, max_runs=chunk,
                          log=lambda s: print(s, file=out, flush=True))
    except ConnectionError as exc:
        raise UsageError(f"--scheduler: {exc}") from None
    except ValueError as exc:
        raise UsageError(f"adamlab sweep: {exc}") from None
    new = len(done.computed)
    if done.complete:
        print(f"wrote {done.table} ({sweep.n_runs:,} rows; {new} chunk(s) computed now, "
              f"{done.done_before} before; {done.elapsed_s:.1f} s)", file=out)
        return 0
    print(f"adamlab sweep: stopped with {done.done_before + new} of {done.n_chunks} chunks "
          f"written in {args.out}; finish with the same command and --resume",
          file=sys.stderr)
    return 130
