r"""Regret benchmark (issue 16, target R1): ``adamlab regret`` on the sparse logistic
problem with its series one after the other (``--workers 1``) and side by side
(``--workers 2``), in one run, on the same data.

The workload is R1's: ``logistic-sparse`` (d = 10^4, about 100 nonzeros per step),
Adam, AMSGrad, AdaGrad and SGD, 3 runs, T steps (default 10^4).  The comparators of
the horizons are solved once first (a warm-up run at the same T), so both timed runs
read them from the disk cache and time the same thing: the series plus the files.
Reported: wall time of each, the speed-up, and whether every saved result is equal
bit for bit.

    python benchmarks/regret_workers.py            # T = 10^4
    python benchmarks/regret_workers.py --T 100000
"""
from __future__ import annotations

import argparse
import io
import json
import os
import platform
import shutil
import tempfile
import time

import numpy as np

from adamlab import cli
from adamlab.numerics.sim.result import RunResult

SERIES = ("adam", "amsgrad", "adagrad", "sgd")


def _regret(out: str, T: int, workers: int) -> float:
    argv = ["regret", "--problem", "logistic-sparse", "--optimizers", ",".join(SERIES),
            "--T", str(T), "--runs", "3", "--out", out, "--formats", "png",
            "--workers", str(workers), "--no-progress", "--quiet"]
    t0 = time.perf_counter()
    code = cli.main(argv, out=io.StringIO())
    if code != 0:
        raise SystemExit(f"adamlab {' '.join(argv)} exited with {code}")
    return time.perf_counter() - t0


def _same(a: str, b: str) -> bool:
    for name in SERIES:
        x = RunResult.load(os.path.join(a, "runs", f"{name}.npz"))
        y = RunResult.load(os.path.join(b, "runs", f"{name}.npz"))
        if not (np.array_equal(x.losses, y.losses, equal_nan=True) and all(
                np.array_equal(v, y.stats[k], equal_nan=True) for k, v in x.stats.items())):
            return False
    return True


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--T", type=int, default=10_000)
    ap.add_argument("--json", metavar="PATH")
    args = ap.parse_args(argv)
    root = tempfile.mkdtemp(prefix="adamlab-regret-bench-")
    try:
        warm = _regret(os.path.join(root, "warm"), args.T, 1)
        one = _regret(os.path.join(root, "w1"), args.T, 1)
        two = _regret(os.path.join(root, "w2"), args.T, 2)
        out = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                           "platform": platform.platform()},
               "T": args.T, "first_run_s": round(warm, 2),
               "workers_1_s": round(one, 2), "workers_2_s": round(two, 2),
               "speedup": round(one / two, 2),
               "bit_identical": _same(os.path.join(root, "w1"), os.path.join(root, "w2"))}
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(json.dumps(out, indent=1))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(out, fh, indent=1)
    return out


if __name__ == "__main__":
    main()
