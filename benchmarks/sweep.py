r"""Sweep benchmark (issue 19): a 10,000-cell grid in this process, and on a Dask
LocalCluster of 1 and 2 worker processes, side by side in one run.

The grid: Adam on Reddi et al.'s online problem (``rkk-online``, ICLR 2018 §5) over
100 x 100 values of (beta1, beta2), :math:`\alpha_t = 1/\sqrt t`, one seed, T steps
(default 1000).  Reported: wall time, time per cell, the speed-up of 2 workers over
1, and the overhead per task (the LocalCluster run with 1 worker against the
in-process run, divided by the number of tasks).  The three tables are compared
byte for byte.

    python benchmarks/sweep.py                 # full: 10,000 cells, T = 1000
    python benchmarks/sweep.py --quick         # 400 cells, T = 300 (seconds)
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import tempfile
import time

import numpy as np

from adamlab.proofs.sweep import runner
from adamlab.proofs.sweep.grid import Sweep


def grid(n: int, T: int) -> Sweep:
    b1 = np.round(np.linspace(0.0, 0.99, n), 6)
    b2 = np.round(1 - np.geomspace(0.5, 1e-4, n), 8)
    return Sweep("rkk-online", "adam", {"betas": [[float(x), float(y)] for x in b1
                                                  for y in b2], "lr": ["1/sqrt(t)"]},
                 T=(T,), seeds=1)


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--T", type=int, default=None)
    ap.add_argument("--chunk-runs", type=int, default=512)
    ap.add_argument("--json", metavar="PATH")
    args = ap.parse_args(argv)
    n, T = (20, 300) if args.quick else (100, 1000)
    T = args.T or T
    sw = grid(n, T)
    tasks = len(sw.chunks(args.chunk_runs))
    out = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                       "platform": platform.platform()},
           "cells": sw.n_cells, "T": T, "tasks": tasks, "chunk_runs": args.chunk_runs,
           "runs": {}}
    root = tempfile.mkdtemp(prefix="adamlab-sweep-bench-")
    try:
        tables = {}
        for label, workers in (("in-process", 0), ("dask, 1 worker", 1),
                               ("dask, 2 workers", 2)):
            folder = os.path.join(root, str(workers))
            t0 = time.perf_counter()
            res = runner.run(sw, folder, workers=workers, max_runs=args.chunk_runs,
                             progress=False)
            wall = time.perf_counter() - t0
            assert res.complete
            with open(res.table, "rb") as fh:
                tables[label] = fh.read()
            out["runs"][label] = {"wall_s": round(wall, 2),
                                  "ms_per_cell": round(1e3 * wall / sw.n_cells, 3)}
            print(f"{label:16s} {wall:7.2f} s  ({1e3 * wall / sw.n_cells:.3f} ms per cell)")
        one, two = out["runs"]["dask, 1 worker"], out["runs"]["dask, 2 workers"]
        here = out["runs"]["in-process"]
        out["speedup_2_over_1"] = round(one["wall_s"] / two["wall_s"], 2)
        out["overhead_per_task_s"] = round((one["wall_s"] - here["wall_s"]) / tasks, 3)
        out["tables_identical"] = len(set(tables.values())) == 1
        print(f"speed-up, 2 workers over 1: {out['speedup_2_over_1']}x; overhead per task "
              f"(1 worker vs in-process, {tasks} tasks): {out['overhead_per_task_s']} s; "
              f"tables identical: {out['tables_identical']}")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(out, fh, indent=1)
    return out


if __name__ == "__main__":
    main()
