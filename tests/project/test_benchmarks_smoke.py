"""benchmarks/bench.py runs at toy sizes without torch, and its exactness checks hold."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("adamlab_bench", BENCH)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_sparse_workload_is_exact_against_the_dense_path(bench):
    out = bench.bench_sparse(d=400, k=7, T=40, peer_steps=25, torch=None)
    assert out["peer"] == "numpy-dense" and out["peer_steps"] == 25
    assert out["exact_rel_diff_vs_dense_head"] <= 1e-12
    assert out["adamlab_sparse_s"] > 0 and out["ratio_vs_dense_numpy"] > 0


def test_sparse_data_supports_are_distinct_and_sorted(bench):
    idx, val = bench.sparse_data(50, 20, 30, seed=1)
    assert idx.shape == val.shape == (30, 20)
    assert all(np.all(np.diff(row) > 0) for row in idx) and idx.min() >= 0 and idx.max() < 50


def test_sparse_linear_comparator_is_the_brute_force_minimum(bench):
    idx, val = bench.sparse_data(6, 2, 9, seed=2)
    prob = bench.SparseLinear(6, idx, val, radius=2.0)
    comp = prob.sample(9).comparator()
    S = np.zeros(6)
    for t in range(9):
        S[idx[t]] += val[t]
    corners = np.array(np.meshgrid(*[[-2.0, 2.0]] * 6)).reshape(6, -1).T
    assert np.isclose(comp.total_loss[0], (corners @ S).min(), rtol=1e-14)


def test_batch_reddi_and_dense_step_at_toy_sizes(bench):
    b = bench.bench_batch(R=3, d=2, T=30, peer_runs=1, torch=None)
    assert b["engine"] == "oblivious" and b["peer"] == "adamlab per-run update loop"
    assert np.isclose(b["adamlab_ns_per_coord_update"], b["adamlab_s"] / (3 * 2 * 30) * 1e9)
    assert b["numpy_step"] == "numpy (ADAMLAB_KERNELS=off)"
    assert b["max_abs_diff_final_iterates"] <= 1e-12
    c = bench.bench_reddi(T=300, compiled=False)
    assert c["adam_numpy_step"] == c["amsgrad_numpy_step"] == "numpy (ADAMLAB_KERNELS=off)"
    assert "adam_compiled_s" not in c
    d = bench.bench_dense_step(d=50, repeats=2, torch=None)
    assert d["adamlab_step_s"] > 0 and "torch_fused_step_s" not in d


def test_main_writes_json(bench, tmp_path):
    path = tmp_path / "fig.json"
    figs = bench.main(["--quick", "--no-torch", "--only", "R4", "--json", str(path)])
    assert json.loads(path.read_text())["R4"]["d"] == figs["R4"]["d"] == 10**5
    with pytest.raises(SystemExit):
        bench.main(["--only", "xyz"])
    with pytest.raises(SystemExit, match="--R2-d take"):
        bench.main(["--only", "R2", "--R2-d", "5"])


@pytest.mark.slow
def test_reddi_compiled_beside_numpy(bench):
    pytest.importorskip("numba")
    c = bench.bench_reddi(T=3000)
    for name in ("adam", "amsgrad"):
        assert c[f"{name}_compiled_step"].startswith("compiled (numba): the recorded")
        assert c[f"{name}_regret_max_diff_over_max"] <= 1e-12


def test_epochs_beside_one_epoch(bench):
    """M at a toy size: an epoch's tables are smaller than the whole run's, and the run
    cut into epochs equals the one-epoch run to rounding."""
    m = bench.bench_epochs(d=200, k=3, T=300, epoch=64)
    assert m["epoch_steps"] == 64
    assert m["tables_epoch_MB"] < m["tables_whole_run_MB"] / 3
    for key in ("rel_diff_theta", "rel_diff_regret", "rel_diff_stats_max"):
        assert m[key] <= 1e-12, key
    assert m["epochs_s"] > 0 and m["one_epoch_s"] > 0
