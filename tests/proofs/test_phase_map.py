"""The (beta1, beta2) phase map (adamlab.proofs.sweep.phase) and its command line
(adamlab.cli_phase): a tiny grid end to end, its CSV recomputed independently from the
sweeps' tables, the gamma = 1 curves in the figure, the folder rules, bad arguments."""
from __future__ import annotations

import argparse
import csv
import io
import json
import math
import statistics
from pathlib import Path

import numpy as np
import pytest

from adamlab import cli_phase
from adamlab.cli_args import UsageError
from adamlab.proofs.sweep import phase, runner

TINY = dict(problem="rkk-stochastic", n_b1=3, n_b2=3, T=400, seeds=2, workers=0)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    out = tmp_path_factory.mktemp("phase") / "map"
    return phase.phase_map(**TINY, out=out)


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def test_the_tiny_map_writes_every_file(tiny):
    assert tiny.complete
    assert sorted(p.suffix for p in tiny.figures) == [".pdf", ".png", ".svg"]
    for p in tiny.figures:
        assert p.stem == "phase_map" and p.stat().st_size > 1000
    assert tiny.figures[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert tiny.csv.name == "phase_map.csv"
    meta = json.loads((tiny.out / "phase_map.json").read_text())
    assert meta["complete"] and meta["settings"]["T"] == 400
    assert set(meta["files"]) == {"phase_map.png", "phase_map.svg", "phase_map.pdf",
                                  "phase_map.csv"}
    for name in ("adam", "amsgrad"):
        assert (tiny.out / "sweeps" / name / "table.csv").is_file()
        assert tiny.limit[name].shape == (3, 3)
    assert "RKK" in tiny.figures[1].read_text()   # SVG text stays text


def test_the_csv_is_the_mean_of_the_sweep_tables(tiny):
    """Recomputed from each sweep's table.csv with the standard library only."""
    got = _rows(tiny.csv)
    assert tuple(got[0]) == phase.CSV_COLUMNS
    assert len(got) == 2 * 3 * 3
    for opt in ("adam", "amsgrad"):
        table = _rows(tiny.out / "sweeps" / opt / "table.csv")
        assert len(table) == 9 * 2
        groups: dict[tuple[float, float], list[dict]] = {}
        for r in table:
            key = (float(r["hp[betas][0]"]), float(r["hp[betas][1]"]))
            groups.setdefault(key, []).append(r)
        mine = [r for r in got if r["optimizer"] == opt]
        assert {(float(r["beta1"]), float(r["beta2"])) for r in mine} == set(groups)
        for r in mine:
            rows = groups[(float(r["beta1"]), float(r["beta2"]))]
            assert int(r["seeds"]) == len(rows) == 2
            for col in ("fitted_limit", "R_T_over_T"):
                xs = [float(x[col]) for x in rows]
                for q, want in (("mean", statistics.fmean(xs)),
                                ("std", statistics.pstdev(xs)), ("min", min(xs)),
                                ("max", max(xs))):
                    assert math.isclose(float(r[f"{col}_{q}"]), want, rel_tol=1e-12,
                                        abs_tol=1e-15), (opt, col, q)
            theta = statistics.fmean(float(x["theta_T[0]"]) for x in rows)
            assert math.isclose(float(r["theta_T0_mean"]), theta, rel_tol=1e-12,
                                abs_tol=1e-15)
            b1, b2 = float(r["beta1"]), float(r["beta2"])
            assert math.isclose(float(r["gamma_rkk"]), b1 / math.sqrt(b2))
            assert math.isclose(float(r["gamma_kb"]), b1 ** 2 / math.sqrt(b2))
    # two seeds of a stochastic game: some spread
    assert any(float(r["fitted_limit_std"]) > 0 for r in got)


def test_the_grid_resolves_beta2_to_one():
    b1, b2 = phase.beta_grid(4, 5)
    assert b1 == (0.0, 0.33, 0.66, 0.99)
    assert b2[0] == 0.5 and b2[-1] == 0.9999
    u = 1 - np.array(b2)
    assert np.allclose(np.diff(np.log(u)), np.log(u[1] / u[0]), rtol=1e-6)   # log-spaced


def test_the_curves_in_the_figure(tiny):
    curves = phase.gamma_curves(np.array([0.25, 0.81, 0.9801]))
    assert np.allclose(curves["rkk"][1], [0.5, 0.9, 0.99])
    assert np.allclose(curves["kb"][1], [0.5 ** 0.5, 0.9 ** 0.5, 0.99 ** 0.5])
    fig = phase.phase_figure("rkk-online", tiny.beta1, tiny.beta2, tiny.limit, T=400,
                             seeds=2, lr="1/sqrt(t)")
    assert len(fig.axes) == 3                     # two panels and the colorbar
    for ax in fig.axes[:2]:
        lines = {ln.get_label(): ln for ln in ax.lines}
        u, y = (np.asarray(a) for a in lines["rkk: beta1 = sqrt(beta2)"].get_data())
        assert u.size > 50
        assert np.allclose(y, np.sqrt(1 - u))      # x is 1 - beta2
        for b2 in (0.5, 0.9, 0.99):
            assert math.isclose(np.interp(1 - b2, u, y), math.sqrt(b2),
                                rel_tol=1e-3)
        u, y = (np.asarray(a) for a in lines["kb: beta1 = beta2^(1/4)"].get_data())
        assert np.allclose(y, (1 - u) ** 0.25)
        assert ax.get_xscale() == "log" and ax.xaxis_inverted()
    texts = " ".join(t.get_text() for ax in fig.axes for t in ax.texts)
    assert "SOME problem" in texts and "not necessarily this one" in texts
    assert "Thm 4" in texts


def test_an_output_folder_never_mixes_two_maps(tiny, tmp_path):
    with pytest.raises(ValueError, match="already holds this phase map"):
        phase.phase_map(**TINY, out=tiny.out)
    with pytest.raises(ValueError, match="holds another phase map"):
        phase.phase_map(**dict(TINY, T=500), out=tiny.out)
    (tmp_path / "other.txt").write_text("x")
    with pytest.raises(ValueError, match="not empty and holds no phase map"):
        phase.phase_map(**TINY, out=tmp_path)
    again = phase.phase_map(**TINY, out=tiny.out, resume=True, formats=["png"])
    assert again.complete and all(r.computed == [] for r in again.sweeps.values())
    for name in ("adam", "amsgrad"):
        assert np.array_equal(again.limit[name], tiny.limit[name], equal_nan=True)


def test_an_interrupted_map_resumes_to_the_same_numbers(tiny, tmp_path, monkeypatch):
    """A sweep stopped after one chunk (runner's stand-in for Ctrl-C): no figure, no CSV;
    resume=True computes only the rest, and the numbers equal an uninterrupted map's."""
    real = runner.run
    monkeypatch.setattr(phase.runner, "run", lambda *a, **k: real(*a, **k, stop_after=1))
    out = tmp_path / "cut"
    first = phase.phase_map(**TINY, out=out, max_runs=4)
    assert not first.complete and first.figures == () and first.csv is None
    assert list(first.sweeps) == ["adam"] and first.sweeps["adam"].computed == [0]
    assert not (out / "phase_map.csv").exists()
    assert not json.loads((out / "phase_map.json").read_text())["complete"]
    monkeypatch.setattr(phase.runner, "run", real)
    with pytest.raises(ValueError, match="already holds this phase map"):
        phase.phase_map(**TINY, out=out, max_runs=4)
    done = phase.phase_map(**TINY, out=out, max_runs=4, resume=True, formats=["png"])
    assert done.complete and done.sweeps["adam"].done_before == 1
    for name in ("adam", "amsgrad"):
        assert np.array_equal(done.limit[name], tiny.limit[name], equal_nan=True)


def test_the_files_follow_the_umask(tiny):
    import os
    from adamlab.numerics.atomic import umask
    want = 0o666 & ~umask()
    for p in list(tiny.figures) + [tiny.csv]:
        assert os.stat(p).st_mode & 0o777 == want


@pytest.mark.parametrize("kw, exc, words", [
    (dict(problem="nope"), ValueError, "problem"),
    (dict(optimizers=()), TypeError, "optimizers"),
    (dict(optimizers=("adam", "nope")), ValueError, "optimizers"),
    (dict(optimizers=("sgd",)), ValueError, "betas"),
    (dict(optimizers=("adam", "adam")), ValueError, "optimizers"),
    (dict(n_b1=1), ValueError, "n_b1"),
    (dict(n_b2=61), ValueError, "n_b2"),
    (dict(n_b1=2.5), TypeError, "n_b1"),
    (dict(T=5), ValueError, "T must"),
    (dict(T=150), ValueError, "3 periods"),
    (dict(T=1e4), TypeError, "T must"),
    (dict(seeds=0), ValueError, "seeds"),
    (dict(seeds=(1, 1)), ValueError, "seeds"),
    (dict(seeds=None), TypeError, "seeds"),
    (dict(seeds=2.0), TypeError, "seeds"),
    (dict(lr="abc"), ValueError, "lr"),
    (dict(lr=-1.0), ValueError, "lr"),
    (dict(lr=None), TypeError, "lr"),
    (dict(problem_params={"D": 1}), TypeError, "problem_params"),
    (dict(problem_params=[1]), TypeError, "problem_params"),
    (dict(workers=-1), ValueError, "workers"),
    (dict(formats=["gif"]), ValueError, "formats"),
    (dict(resume="yes"), TypeError, "resume"),
    (dict(max_runs=0), ValueError, "max_runs"),
])
def test_bad_arguments_raise_before_anything_runs(kw, exc, words, tmp_path):
    out = tmp_path / "never"
    with pytest.raises(exc, match=words):
        phase.phase_map(**{**dict(n_b1=2, n_b2=2, T=303, workers=0, out=out), **kw})
    assert not out.exists()


# -- the command line (adamlab.cli_phase, called directly until adamlab.cli wires it) ----
def _parse(argv):
    parser = argparse.ArgumentParser(prog="adamlab")
    cli_phase.add_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(["phase-map", *argv])


def test_the_command_line_draws_a_map(tmp_path):
    out = tmp_path / "cli"
    buf = io.StringIO()
    args = _parse(["--grid", "2x3", "--T", "303", "--workers", "0", "--formats", "png",
                   "--out", str(out), "--problem-params", "C=1010,period=101"])
    assert cli_phase.main(args, buf) == 0
    text = buf.getvalue()
    assert "phase map" in text and "wrote" in text and "cells with fitted limit" in text
    assert (out / "phase_map.png").is_file() and (out / "phase_map.csv").is_file()
    assert not (out / "phase_map.svg").exists()
    assert len(_rows(out / "phase_map.csv")) == 2 * 2 * 3
    with pytest.raises(UsageError, match="--resume"):      # the same command again
        cli_phase.main(args, io.StringIO())
    args = _parse(["--grid", "2x3", "--T", "303", "--workers", "0", "--formats", "png",
                   "--out", str(out), "--problem-params", "C=1010,period=101", "--resume",
                   "--quiet"])
    buf = io.StringIO()
    assert cli_phase.main(args, buf) == 0
    assert buf.getvalue().startswith("wrote ")


def test_the_command_line_defaults():
    args = _parse([])
    kw = cli_phase.parse(args)
    assert (kw["problem"], kw["optimizers"]) == ("rkk-online", ("adam", "amsgrad"))
    assert (kw["n_b1"], kw["n_b2"]) == phase.DEFAULT_GRID
    assert kw["T"] == phase.DEFAULT_T and kw["seeds"] == 1
    assert kw["lr"] == "1/sqrt(t)" and kw["workers"] is None
    assert kw["out"] == "phase_map_out" and kw["formats"] == ("png", "svg", "pdf")


@pytest.mark.parametrize("argv, words", [
    (["--grid", "3"], "--grid"), (["--grid", "1x4"], "--grid"), (["--grid", "4x99"], "--grid"),
    (["--T", "5"], "--T"), (["--T", "150"], "--T"), (["--seeds", "0"], "--seeds"),
    (["--lr", "0"], "--lr"), (["--lr=-1/sqrt(t)"], "--lr"),
    (["--optimizers", "adam,foo"], "--optimizers"), (["--optimizers", "sgd"], "--optimizers"),
    (["--problem", "nope"], "--problem"), (["--problem-params", "D=3"], "--problem-params"),
    (["--problem-params", "C"], "--problem-params"), (["--workers", "-1"], "--workers"),
    (["--formats", "png,gif"], "--formats"), (["--out", " "], "--out"),
    (["--scheduler", ""], "--scheduler"),
])
def test_command_line_mistakes_are_one_line_usage_errors(argv, words, tmp_path):
    args = _parse(["--out", str(tmp_path / "x"), *argv])
    with pytest.raises(UsageError, match=words) as err:
        cli_phase.main(args, io.StringIO())
    assert "\n" not in str(err.value)
    assert not (tmp_path / "x").exists()


def test_the_command_line_refuses_a_folder_of_another_run(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    args = _parse(["--grid", "2x2", "--T", "303", "--workers", "0", "--out", str(tmp_path)])
    with pytest.raises(UsageError, match="--out: .*not empty"):
        cli_phase.main(args, io.StringIO())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_the_command_line_says_how_to_resume_an_interrupted_map(tmp_path, monkeypatch,
                                                               capsys):
    monkeypatch.setattr(phase.runner, "run",
                        lambda sweep, out, **k: runner.SweepRun(Path(out), "k", 1))
    args = _parse(["--grid", "2x2", "--T", "303", "--workers", "0", "--out",
                   str(tmp_path / "o")])
    assert cli_phase.main(args, io.StringIO()) == 130
    assert "--resume" in capsys.readouterr().err


@pytest.mark.slow
def test_a_local_dask_cluster_gives_the_same_map(tiny, tmp_path):
    """workers=1: one LocalCluster shared by both sweeps; the same numbers bit for bit."""
    pytest.importorskip("dask.distributed")
    res = phase.phase_map(**dict(TINY, workers=1), out=tmp_path / "dask", formats=["png"])
    assert res.complete
    for name in ("adam", "amsgrad"):
        assert np.array_equal(res.limit[name], tiny.limit[name], equal_nan=True)
        assert runner.read_table(tmp_path / "dask" / "sweeps" / name) == \
            runner.read_table(tiny.out / "sweeps" / name)
