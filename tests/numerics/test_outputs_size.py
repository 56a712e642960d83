"""Issue 16: results on a log grid, compressed; sizes estimated before a run; the umask."""
from __future__ import annotations

import os
import stat

import numpy as np
import pytest

from adamlab.numerics import simulate
from adamlab.numerics.atomic import atomic_write_text
from adamlab.numerics.sim.result import RunResult, log_rows


def test_log_rows_keep_the_head_and_the_end():
    assert np.array_equal(log_rows(7), np.arange(1, 8))
    r = log_rows(10**6)
    assert r[0] == 1 and r[-1] == 10**6 and np.all(np.diff(r) > 0)
    assert np.array_equal(r[:100], np.arange(1, 101))
    assert 1000 < r.size < 1400                     # ~300 per decade after the first 100
    with pytest.raises(ValueError, match="T must be an int"):
        log_rows(0)


def test_a_log_grid_result_holds_exactly_those_rows(tmp_path):
    res = simulate.run("rkk-online", "adam", T=5000, runs=2, progress=False)
    full = RunResult.load(res.save(tmp_path / "full"))
    thin = RunResult.load(res.save(tmp_path / "thin", steps="log"))
    rows = log_rows(5000)
    assert full.rows is None and np.array_equal(thin.rows, rows)
    assert thin.T == full.T == 5000
    np.testing.assert_array_equal(thin.losses, res.losses[rows - 1])
    for k, v in res.stats.items():
        np.testing.assert_array_equal(thin.stats[k], np.asarray(v)[rows - 1], err_msg=k)
    np.testing.assert_array_equal(thin.final_regret, res.final_regret)
    assert (tmp_path / "thin.npz").stat().st_size < (tmp_path / "full.npz").stat().st_size / 3
    with pytest.raises(ValueError, match="steps must be"):
        res.save(tmp_path / "x", steps="some")


def test_estimate_grows_with_the_run_and_refusal_is_a_usage_error(tmp_path, capsys):
    small = simulate.estimate("logistic-sparse", 1000, 1)
    big = simulate.estimate("logistic-sparse", 10**6, 10)
    assert big["memory"] > 100 * small["memory"] and big["disk_log"] < big["disk_all"]
    from adamlab.cli import main
    code = main(["regret", "--problem", "logistic-sparse", "--problem-params",
                 "d=1000000,density=0.001", "--T", "1e8", "--runs", "1000",
                 "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2 and "of memory" in err and "available" in err and "Traceback" not in err
    assert not (tmp_path / "o").exists()           # refused before anything was written


def test_outputs_follow_the_umask(tmp_path):
    old = os.umask(0o077)
    try:
        p = atomic_write_text(tmp_path / "a.txt", "x")
        res = simulate.run("rkk-online", "adam", T=20, progress=False)
        q = res.save(tmp_path / "r")
    finally:
        os.umask(old)
    for f in (p, q, q.with_suffix(".json")):
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, f
    old = os.umask(0o022)
    try:
        p = atomic_write_text(tmp_path / "b.txt", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(p.stat().st_mode) == 0o644
    assert not [f for f in tmp_path.iterdir() if f.name.endswith(".tmp")]


def test_streamed_linear_games_are_not_charged_for_their_data():
    # the oblivious engine streams the coefficients and the comparator is a closed form
    lin = simulate.estimate("rkk-online", 10**7, 3)
    assert lin["memory"] < 4 * 10**9             # the (T, R) statistics, not T x d data
    dense = simulate.estimate("logistic-dense", 10**5, 3)
    assert dense["memory"] > 16 * 3 * 10**5 * 10  # its comparator holds the T x d rows
