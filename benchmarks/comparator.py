"""The sparse logistic comparator, old solver against new, side by side in one process.

For each prefix horizon of ``adamlab regret --problem logistic-sparse`` (d = 10^4, 100
words per step, 3 runs), the best fixed point in hindsight is solved twice on the same
data: by ``lbfgsb`` (L-BFGS-B polished by Bertsekas' projected Newton: the comparator
before issue 16) and by ``trust_newton_box`` (the damped projected Newton that replaced
it), each from 0 to the tolerance 1e-9 (relative certified bound).  Printed per horizon:
both times, both certified bounds, and the ratio; then the totals, and the time of
``prefix_comparators`` on two threads (what ``adamlab regret`` runs), with the disk
cache off.

    python benchmarks/comparator.py            # T = 10^4 (about 4 minutes on 2 cores)
    python benchmarks/comparator.py --T 3000   # quicker
"""
from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--T", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    os.environ["ADAMLAB_CACHE_DIR"] = "off"
    import scipy

    from adamlab.numerics import problems
    from adamlab.numerics.comparator import DEFAULT_TOL, within
    from adamlab.numerics.comparator_solvers import lbfgsb, trust_newton_box
    from adamlab.numerics.domains import Box
    from adamlab.numerics.prefix_regret import horizons, prefix_comparators
    from adamlab.numerics.problems.logistic import logistic_total

    print(f"python {platform.python_version()}, numpy {np.__version__}, scipy "
          f"{scipy.__version__}, {os.cpu_count()} cores; logistic-sparse d = 1e4, "
          f"k = 100, {args.runs} runs, T = {args.T:,}")
    prob = problems.make("logistic-sparse")
    print(f"{'h':>7} {'old s':>8} {'old rel':>9} {'new s':>8} {'new rel':>9} {'old/new':>8}")
    tot_old = tot_new = 0.0
    uncert_old = uncert_new = 0
    for h in horizons(args.T):
        inst = prob.sample(int(h), args.runs, 0)
        t_old = t_new = 0.0
        rel_old = rel_new = 0.0
        for r in range(args.runs):
            A = inst.matrix(r)
            used = np.unique(A.indices)
            Ar = A[:, used].tocsr()
            ArT = Ar.T.tocsr()

            def fgh(z, need_hess=True, Ar=Ar, ArT=ArT):
                return logistic_total(Ar, z, 0.0, need_hess, AT=ArT)
            box = Box(-np.ones(used.size), np.ones(used.size))
            x0 = np.zeros(used.size)
            t0 = time.perf_counter()
            old = lbfgsb(fgh, x0, box, scale=float(h))
            t1 = time.perf_counter()
            new = trust_newton_box(fgh, x0, box)
            t2 = time.perf_counter()
            t_old, t_new = t_old + t1 - t0, t_new + t2 - t1
            rel_old = max(rel_old, old["bound"] / max(1.0, abs(old["loss"])))
            rel_new = max(rel_new, new["bound"] / max(1.0, abs(new["loss"])))
            uncert_old += not within(old, DEFAULT_TOL)
            uncert_new += not within(new, DEFAULT_TOL)
        tot_old, tot_new = tot_old + t_old, tot_new + t_new
        print(f"{h:>7,} {t_old:>8.2f} {rel_old:>9.1e} {t_new:>8.2f} {rel_new:>9.1e} "
              f"{t_old / t_new:>8.1f}", flush=True)
    print(f"total: old {tot_old:.1f} s ({uncert_old} uncertified), new {tot_new:.1f} s "
          f"({uncert_new} uncertified), ratio {tot_old / tot_new:.1f}")
    t0 = time.perf_counter()
    out = prefix_comparators(problems.make("logistic-sparse"), horizons(args.T), args.runs, 0,
                             workers=2, progress=False)
    print(f"prefix_comparators on 2 threads: {time.perf_counter() - t0:.1f} s, certified: "
          f"{out['certified']}")


if __name__ == "__main__":
    main()
