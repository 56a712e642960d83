"""Sweeps: the grid, a chunk against direct simulator runs (batched = alone), the
executors against each other (a real Dask LocalCluster of 2 workers = in-process, bit for
bit), resume after a killed sweep, and the CLI's refusals (exit 2, quickly)."""
from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from adamlab.cli import main
from adamlab.numerics import optimizers, simulate
from adamlab.numerics.optimizers.schedules import InverseSqrt
from adamlab.proofs.sweep import runner
from adamlab.proofs.sweep.grid import Sweep, from_toml
from adamlab.proofs.sweep.task import run_chunk

BETAS = [[b1, b2] for b1 in (0.0, 0.5, 0.9) for b2 in (0.9, 0.999)]


def small(**kw) -> Sweep:
    args = dict(hyper={"betas": BETAS, "lr": ["1/sqrt(t)", "0.1/sqrt(t)"]}, T=(600,),
                seeds=2)
    args.update(kw)
    return Sweep("rkk-online", "adam", **args)


def _table(path) -> list[dict]:
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def test_grid_order_chunks_and_key():
    sw = small()
    cells = sw.cells()
    assert sw.n_cells == len(cells) == 12 and sw.n_runs == 24
    assert [c.index for c in cells] == list(range(12))
    assert cells[1].hyper == {"betas": [0.0, 0.9], "lr": "0.1/sqrt(t)"}   # last key fastest
    chunks = sw.chunks(max_runs=8)
    # schedules are not batched: every chunk has one lr, at most 4 cells (8 runs / 2 seeds)
    for ch in chunks:
        assert len({c.hyper["lr"] for c in ch}) == 1 and len(ch) <= 4
    assert sorted(c.index for ch in chunks for c in ch) == list(range(12))
    assert sw.key(8) == small().key(8) != sw.key(16) != small(seeds=3).key(8)


@pytest.mark.parametrize("bad, match", [
    (dict(hyper={"betas": [[0.9]]}), "pair"), (dict(seeds=0), "seeds"),
    (dict(T=(0,)), "T must"), (dict(hyper={"lr": []}), "no values"),
    (dict(fixed={"betas": [0.9, 0.99]}), "both swept and fixed")])
def test_grid_rejects_bad_input(bad, match):
    with pytest.raises(ValueError, match=match):
        small(**bad)
    with pytest.raises(ValueError, match="problem must be"):
        Sweep("nope", "adam")


def test_toml_sweep(tmp_path):
    p = tmp_path / "sweep.toml"
    p.write_text('optimizer = "adam"\nproblem = "rkk-online"\nT = [600]\nseeds = 2\n'
                 '[hyper]\nbetas = [[0.0, 0.9], [0.5, 0.9]]\nlr = ["1/sqrt(t)"]\n')
    sw = from_toml(p)
    assert sw.n_cells == 2 and sw.seeds == (0, 1) and sw.hyper["lr"] == ["1/sqrt(t)"]
    p.write_text('optimizer = "adam"\nproblem = "rkk-online"\ncolour = 3\n')
    with pytest.raises(ValueError, match="unknown sweep keys"):
        from_toml(p)


def test_chunk_equals_direct_runs_and_is_batch_invariant():
    """Each (cell, seed) row equals simulate.run of that configuration alone, bit for bit,
    whatever cells share its chunk."""
    sw = small()
    batch = run_chunk(sw.to_json(), [0, 2, 4])            # three betas, lr = 1/sqrt(t)
    alone = run_chunk(sw.to_json(), [2])
    assert batch["rows"][2:4] == alone["rows"]
    assert np.array_equal(batch["curves"][:, 2:4], alone["curves"])
    b1, b2 = BETAS[1]
    res = simulate.run("rkk-online", optimizers.make("adam", betas=(b1, b2),
                                                     lr=InverseSqrt(1.0)),
                       T=600, runs=2, seed=[0, 1], progress=False)
    for j in range(2):
        row = alone["rows"][j]
        assert row["R_T"] == float(res.stats["regret_prefix"][-1, j])
        assert row["theta_T[0]"] == float(res.theta_final[j, 0])


def test_in_process_run_resume_and_refusals(tmp_path):
    sw = small()
    full = runner.run(sw, tmp_path / "a", workers=0, max_runs=8, progress=False)
    assert full.complete and len(full.computed) == full.n_chunks == 4   # 2 lr x 6 cells / 4
    part = runner.run(sw, tmp_path / "b", workers=0, max_runs=8, progress=False,
                      stop_after=2)
    assert not part.complete and len(part.computed) == 2
    assert not (tmp_path / "b" / "table.csv").exists()
    with pytest.raises(ValueError, match="--resume"):
        runner.run(sw, tmp_path / "b", workers=0, max_runs=8, progress=False)
    rest = runner.run(sw, tmp_path / "b", workers=0, max_runs=8, progress=False,
                      resume=True)
    assert rest.complete and rest.done_before == 2
    assert set(rest.computed).isdisjoint(part.computed) and len(rest.computed) == 2
    assert (tmp_path / "a" / "table.csv").read_bytes() == \
        (tmp_path / "b" / "table.csv").read_bytes()
    rows = _table(tmp_path / "a" / "table.csv")
    assert len(rows) == sw.n_runs and [int(r["cell"]) for r in rows[::2]] == list(range(12))
    with pytest.raises(ValueError, match="another sweep"):
        runner.run(small(seeds=3), tmp_path / "a", workers=0, max_runs=8, progress=False,
                   resume=True)


@pytest.mark.slow
def test_local_cluster_equals_in_process(tmp_path):
    """A real Dask LocalCluster of 2 worker processes writes the same table, bit for bit,
    as the in-process run (chunks arrive in any order; the table is sorted by cell)."""
    sw = small()
    here = runner.run(sw, tmp_path / "here", workers=0, max_runs=4, progress=False)
    dask = runner.run(sw, tmp_path / "dask", workers=2, max_runs=4, progress=False)
    assert here.complete and dask.complete and dask.dashboard
    assert (tmp_path / "here" / "table.csv").read_bytes() == \
        (tmp_path / "dask" / "table.csv").read_bytes()
    for k in range(here.n_chunks):
        with np.load(tmp_path / "here" / "chunks" / f"chunk-{k:06d}.npz") as a, \
                np.load(tmp_path / "dask" / "chunks" / f"chunk-{k:06d}.npz") as b:
            assert all(np.array_equal(a[n], b[n]) for n in a.files)


@pytest.mark.slow
def test_killed_sweep_resumes_without_recomputing(tmp_path):
    """SIGKILL the CLI after its first chunks are on disk; --resume computes only the rest
    and the table equals an uninterrupted sweep's."""
    args = ["sweep", "--optimizer", "adam", "--problem", "rkk-online", "--hp",
            "betas=0:0.9:5lin/0.9:0.999:3lin,lr=1/sqrt(t)", "--T", "20000", "--seeds", "2",
            "--workers", "0", "--chunk-runs", "2"]
    out = tmp_path / "killed"
    env = dict(os.environ, PYTHONWARNINGS="error")
    proc = subprocess.Popen([sys.executable, "-m", "adamlab", *args, "--out", str(out)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline and len(runner.done_chunks(out)) < 2:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    before = runner.done_chunks(out)
    assert 2 <= len(before) < 15, before
    assert main([*args, "--out", str(out), "--resume"]) == 0
    assert main([*args, "--out", str(tmp_path / "whole")]) == 0
    assert (out / "table.csv").read_bytes() == (tmp_path / "whole" / "table.csv").read_bytes()
    # nothing finished was computed again: those chunk files are the ones from before
    for k in before:
        assert (out / "chunks" / f"chunk-{k:06d}.csv").stat().st_mtime < \
            (out / "table.csv").stat().st_mtime


@pytest.mark.parametrize("argv, needle", [
    (["--optimizer", "adam", "--problem", "rkk-online", "--hp", "betas=0.9"], "pair"),
    (["--optimizer", "adam", "--problem", "rkk-online", "--hp", "lr=0.1:1:99lin"], "grid"),
    (["--optimizer", "adam", "--problem", "nope"], "problem must be"),
    (["--problem", "rkk-online"], "--optimizer is required"),
    (["--optimizer", "adam", "--problem", "rkk-online", "--T", "0"], "--T")])
def test_cli_bad_grid_exits_2(argv, needle, tmp_path, capsys):
    t0 = time.perf_counter()
    assert main(["sweep", *argv, "--out", str(tmp_path / "o"), "--workers", "0"]) == 2
    assert needle in capsys.readouterr().err
    assert time.perf_counter() - t0 < 5 and not (tmp_path / "o").exists()


@pytest.mark.slow        # waits out the connection timeout (~5 s)
def test_cli_unreachable_scheduler_exits_2_quickly(tmp_path, capsys):
    t0 = time.perf_counter()
    assert main(["sweep", "--optimizer", "adam", "--problem", "rkk-online", "--out",
                 str(tmp_path / "o"), "--scheduler", "tcp://127.0.0.1:9"]) == 2
    assert "cannot reach the Dask scheduler" in capsys.readouterr().err
    assert time.perf_counter() - t0 < 15 and not (tmp_path / "o").exists()


def test_cli_runs_in_process_and_config(tmp_path, capsys):
    cfg = tmp_path / "s.toml"
    cfg.write_text('optimizer = "amsgrad"\nproblem = "rkk-online"\nT = [300]\nseeds = 1\n'
                   '[hyper]\nbetas = [[0.0, 0.99], [0.9, 0.99]]\n')
    assert main(["sweep", "--config", str(cfg), "--out", str(tmp_path / "c"),
                 "--workers", "0"]) == 0
    assert "wrote" in capsys.readouterr().out
    rows = _table(tmp_path / "c" / "table.csv")
    assert [r["hp[betas][0]"] for r in rows] == ["0.0", "0.9"]
    assert "outcome[rkk.thm4]" in rows[0]
    assert main(["sweep", "--config", str(cfg), "--optimizer", "adam", "--out",
                 str(tmp_path / "d")]) == 2
    Path(tmp_path / "f").write_text("x")
    assert main(["sweep", "--config", str(cfg), "--out", str(tmp_path / "f")]) == 2
