"""``adamlab regret``: files, figures, read-back, bounds against the runs, errors, Ctrl-C."""
from __future__ import annotations

import csv
import io
import json
import math
import subprocess
import sys

import numpy as np
import pytest

from adamlab import cli, cli_args
from adamlab.numerics import simulate
from adamlab.numerics.sim.result import RunResult
from adamlab.proofs.regret import files as regret_files
from adamlab.proofs.regret.experiment import SeriesSpec, run_experiment
from adamlab.theory.regret import bounds as regret_bounds

FIGS = ("regret_loglog", "regret_over_sqrtT", "regret_over_T", "regret_panels")


def _main(*argv):
    out = io.StringIO()
    code = cli.main(list(argv), out=out)
    return code, out.getvalue()


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("regret")
    code, text = _main("regret", "--problem", "rkk-stochastic", "--T", "3e3", "--runs", "3",
                       "--seed", "5", "--out", str(out), "--formats", "svg",
                       "--no-progress")
    return code, text, out


def test_regret_writes_every_file_and_reads_back(small_run):
    code, text, out = small_run
    assert code == 0, text
    for name in FIGS:              # (PDF: tests/cli/test_cli_outputs.py)
        assert (out / f"{name}.svg").stat().st_size > 1000
    doc = json.loads((out / "summary.json").read_text())
    assert doc["complete"] is True and doc["T"] == 3000 and doc["runs"] == 3
    assert [s["label"] for s in doc["series"]] == ["adam", "amsgrad", "adagrad", "sgd"]
    with (out / "summary.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert rows and set(regret_files.CSV_COLUMNS) <= set(rows[0])
    assert all(k.startswith("hp[") for k in set(rows[0]) - set(regret_files.CSV_COLUMNS))
    assert [int(r["T"]) for r in rows if r["series"] == "sgd"] == [10, 100, 1000, 3000]
    for s in doc["series"]:
        res = RunResult.load(s["result_file"])             # the saved simulation itself
        assert res.complete and res.runs == 3 and res.T == 3000
        final = res.stats["regret_prefix"][-1]
        row = next(r for r in rows if r["series"] == s["label"] and r["T"] == "3000")
        q = np.quantile(final, [0.1, 0.5, 0.9])
        np.testing.assert_allclose([float(row[k]) for k in ("regret_q10", "regret_median",
                                                            "regret_q90")], q, rtol=1e-12)
        assert s["regret_at_T"]["median"] == pytest.approx(q[1], rel=1e-12)
        # every bound in the CSV is the theory's bound evaluated on the saved statistics
        for b in s["bounds"]:
            if b["status"] == "not applicable":
                assert row[f"bound[{b['claim_id']}]"] == ""
                continue
            bound = regret_bounds.get(b["claim_id"])
            consts = dict(res.constants, alpha_schedule="inverse_sqrt",
                          eta_schedule="inverse_sqrt")
            vals = np.asarray(bound.evaluate(res.stats, consts))[-1]
            if bound.quantity == "R(T)/T":
                vals = vals * 3000
            assert float(row[f"bound[{b['claim_id']}]"]) == pytest.approx(np.median(vals),
                                                                          rel=1e-12)
    assert "wrote" in text and "summary.csv" in text


def test_bounds_whose_statement_applies_hold_unless_the_ledger_refutes_them(small_run):
    """The theorems, on the runs: where the statement's hypotheses hold, R(t) <= bound(t)
    for all t -- or the run is a counterexample, which the ledger (decided independently,
    by its own witnesses) must also call refuted."""
    from adamlab.proofs import ledger
    _, _, out = small_run
    doc = json.loads((out / "summary.json").read_text())
    applied = 0
    for s in doc["series"]:
        res = RunResult.load(s["result_file"])
        for b in s["bounds"]:
            if b["status"] != "applies":
                assert b["reasons"] and b["outcome"] == "does not apply", b
                assert b["outcome_text"].startswith("does not apply: ")
                continue
            applied += 1
            if b["outcome"] == "holds":
                assert b["regret_exceeds_bound_first_at_t"] is None
                assert b["value_at_T"]["min"] >= res.stats["regret_prefix"][-1].max()
            else:
                assert b["outcome"] == "violated"
                assert b["violated"]["first_t"] == b["regret_exceeds_bound_first_at_t"]
                assert b["violated"]["regret"] > b["violated"]["bound"]
                assert ledger.decide(b["claim_id"]).verdict.startswith("refuted")
    assert applied >= 3      # AMSGrad (Thm 4), AdaGrad (DHS) and SGD (Zinkevich) by default


def test_the_kb_counterexample_is_violated_everywhere(tmp_path):
    """Issue 17: RKK Thm 1's game (beta1 = 0, so any lambda meets Thm 4.1's schedule)
    violates Kingma & Ba's Theorem 4.1: terminal, CSV, JSON and the figure legend say so."""
    code, text = _main("regret", "--problem", "rkk-thm1", "--problem-params", "C=3",
                       "--optimizers", "adam", "--hp", "adam:betas=0/0.1,lam=0.5,lr=0.5/sqrt(t)",
                       "--T", "2000", "--out", str(tmp_path), "--formats", "svg",
                       "--panels", "regret", "--no-progress")
    assert code == 0, text
    assert "kb.thm4.1 VIOLATED at t = " in " ".join(text.split())   # (a table cell may wrap)
    doc = json.loads((tmp_path / "summary.json").read_text())
    b = next(x for x in doc["series"][0]["bounds"] if x["claim_id"] == "kb.thm4.1")
    assert b["status"] == "applies" and b["outcome"] == "violated"
    assert b["proof_only_failures"] and "Gamma_t" in b["proof_only_failures"][0]
    first = b["violated"]["first_t"]
    rows = list(csv.DictReader(io.StringIO((tmp_path / "summary.csv").read_text())))
    assert all(r["outcome[kb.thm4.1]"] == "violated" and
               r["violated_first_t[kb.thm4.1]"] == str(first) for r in rows)
    svg = (tmp_path / "regret_loglog.svg").read_text()
    assert f"adam: kb.thm4.1 bound - VIOLATED at t = {first:,}" in svg
    assert "a counterexample to the statement" not in svg       # notes live in the caption
    cap = (tmp_path / "caption.md").read_text()
    assert "lr = 0.5/sqrt(t)" in cap and "betas = (0*0.5^(t-1), 0.1)" in cap
    assert f"kb.thm4.1: the statement's hypotheses hold and the bound is VIOLATED at t = " \
           f"{first:,}" in cap


def test_figure_objects_have_axes_series_and_bound_styles(small_run):
    _, _, out = small_run
    exp = run_experiment("rkk-online", [SeriesSpec("adam"), SeriesSpec("amsgrad"),
                                        SeriesSpec("sgd", {"momentum": 0.5}, "sgd-mom")],
                         T=400, runs=1)
    cs = regret_files.curves(exp)
    fig = regret_files.plots.regret_figure(cs, ("regret", "avg"), title=exp.title,
                                           notes=regret_files.notes(exp))
    ax = fig.axes[0]
    assert ax.get_xlabel() == "horizon $T$ (steps)" and "R(T)" in ax.get_ylabel()
    assert ax.get_xscale() == ax.get_yscale() == "log"
    labels = [ln.get_label() for ln in ax.get_lines()]
    assert any(lb.startswith("adam: slope") for lb in labels)
    assert "amsgrad: rkk.thm4 bound - holds" in labels
    # momentum SGD is not Zinkevich's algorithm: its bound is drawn faded and says why
    faded = [ln for ln in ax.get_lines() if ln.get_label().startswith("sgd-mom: z.ogd")]
    assert len(faded) == 1 and "does not apply" in faded[0].get_label()
    assert faded[0].get_alpha() < 0.6
    note = " ".join(regret_files.notes(exp))
    assert "momentum = 0" in note and "rkk.cor1 bound not drawn" in note
    assert "bound does not apply, fails" in note
    assert "rkk-online (d = 1), T = 400, 1 run" in fig.texts[0].get_text() if fig.texts else \
        "rkk-online (d = 1), T = 400, 1 run" in fig.subfigs[0]._suptitle.get_text()
    svg = (out / "regret_panels.svg").read_text()
    for text in ("amsgrad: rkk.thm4 bound - holds", "adagrad: dhs.adagrad-regret bound - holds",
                 "slope guide",
                 "rkk-stochastic (d = 1), T = 3,000, 3 runs", "horizon"):
        assert text in svg


@pytest.mark.slow
def test_hp_grid_makes_one_series_per_value(tmp_path):
    code, text = _main("regret", "--optimizers", "amsgrad,sgd", "--T", "500", "--runs", "1",
                       "--hp", "amsgrad:lr=1e-3:1e-1:3log/sqrt(t),betas=0.9/0.999",
                       "--out", str(tmp_path), "--quiet", "--formats", "svg")
    assert code == 0, text
    doc = json.loads((tmp_path / "summary.json").read_text())
    labels = [s["label"] for s in doc["series"]]
    assert labels == ["amsgrad lr=0.001/sqrt(t),betas=0.9/0.999",
                      "amsgrad lr=0.01/sqrt(t),betas=0.9/0.999",
                      "amsgrad lr=0.1/sqrt(t),betas=0.9/0.999", "sgd"]
    alphas = [s["hyper"]["lr"]["alpha"] for s in doc["series"][:3]]
    np.testing.assert_allclose(alphas, np.geomspace(1e-3, 1e-1, 3), rtol=1e-11)
    assert all(s["hyper"]["betas"] == [0.9, 0.999] for s in doc["series"][:3])
    with (tmp_path / "summary.csv").open() as fh:         # the grid as numbers, per row
        rows = [r for r in csv.DictReader(fh) if r["T"] == "500"]
    np.testing.assert_allclose([float(r["hp[lr].alpha"]) for r in rows[:3]], alphas,
                               rtol=1e-15)
    assert [r["hp[lr].schedule"] for r in rows] == ["inverse_sqrt"] * 4   # sgd: eta/sqrt(t)
    assert [r["hp[betas][1]"] for r in rows[:3]] == ["0.999"] * 3


def test_hp_value_parser():
    assert cli_args.value("f", "0.9/0.99") == [("0.9/0.99", (0.9, 0.99))]
    assert cli_args.value("f", "0.5/sqrt(t)") == [("0.5/sqrt(t)", ("isqrt", 0.5))]
    assert cli_args.value("f", "reddi") == [("reddi", "reddi")]
    assert cli_args.value("f", "true") == [("true", True)]
    assert [v for _, v in cli_args.value("f", "0:1:5lin")] == [0.0, 0.25, 0.5, 0.75, 1.0]
    settings = cli_args.hp_settings(["adam:lr=1:2:2,eps=0:1:3"], ["adam"])["adam"]
    assert len(settings) == 6          # every combination of the two grids
    pairs = cli_args.value("f", "0.5:0.9:3lin/0.99")          # a grid over beta1
    np.testing.assert_allclose([v[0] for _, v in pairs], [0.5, 0.7, 0.9], rtol=1e-15)
    assert all(v[1] == 0.99 for _, v in pairs)
    assert [t for t, _ in pairs] == ["0.5/0.99", "0.7/0.99", "0.9/0.99"]
    assert len(cli_args.value("f", "0:0.5:2lin/0.9:0.99:2lin")) == 4
    # alternatives: two settings of one optimizer side by side, also words and schedules
    assert cli_args.value("f", "inside|outside") == [("inside", "inside"),
                                                     ("outside", "outside")]
    assert cli_args.value("f", "0.1|0.1/sqrt(t)") == [("0.1", 0.1),
                                                      ("0.1/sqrt(t)", ("isqrt", 0.1))]
    with pytest.raises(cli_args.UsageError, match="empty alternative"):
        cli_args.value("f", "0.1||0.2")


@pytest.mark.parametrize("argv, needle", [
    (["--optimizers", "adma,sgd"], "did you mean adam"),
    (["--problem", "rkk-onlin"], "did you mean rkk-online"),
    (["--T", "abc"], "--T must be an integer in [2, 100,000,000]"),
    (["--T", "1"], "--T must be an integer in [2, 100,000,000]"),
    (["--runs", "0"], "--runs must be an integer in [1, 10,000]"),
    (["--seed", "-3"], "--seed must be an integer in [0,"),
    (["--formats", "png,gif"], "unknown format 'gif'"),
    (["--hp", "adam:lr=-1"], "lr must be a finite number > 0"),
    (["--hp", "adam:lrr=0.1"], "did you mean lr"),
    (["--hp", "adam:lam=1.5"], "lam must be a number in (0, 1]"),
    (["--hp", "adamw:lr=0.1"], "'adamw' is not among --optimizers"),
    (["--hp", "adam:lr=1e-3:1e-1:0log"], "a grid needs between 1 and 50 points"),
    (["--hp", "adam:lr=-1e-3:1e-1:3log"], "a log grid needs both ends > 0"),
    (["--hp", "adam:lr=0/sqrt(t)"], "must be > 0"),
    (["--hp", "adam:lr=1.2.3"], "is not a number (0.01), a schedule"),
    (["--hp", "lr=0.1"], "expected OPT:KEY=VALUE"),
    (["--problem-params", "C=x y"], "--problem-params C"),
    (["--problem-params", "K=3"], "unknown parameter 'K'"),
    (["--dtype", "float8"], "unknown dtype 'float8'"),
    (["--workers", "0"], "--workers must be an integer in [1, 256]"),
    (["--kahan"], "--kahan applies only with --dtype"),
    (["--dtype", "float16", "--rounding", "up"], "unknown rounding 'up'"),
    (["--dtype", "bfloat16", "--accumulate", "float16"], "unknown dtype 'float16'"),
])
def test_usage_errors_exit_2_with_a_message_and_no_traceback(argv, needle, tmp_path, capsys):
    code, _ = _main("regret", "--T", "100", "--out", str(tmp_path / "o"), *argv)
    err = capsys.readouterr().err
    assert code == 2, err
    assert needle in err and "Traceback" not in err
    assert not (tmp_path / "o").exists()        # nothing ran


@pytest.mark.slow
def test_ctrl_c_leaves_results_marked_incomplete(tmp_path, monkeypatch, capsys):
    """The simulator's Ctrl-C flag, raised after 150 steps of the second series (as the
    SIGINT handler would), stops the experiment; what ran is on disk, marked incomplete.
    (A quadratic problem: the step-by-step engine polls the flag every step.)"""
    _interrupt_series(monkeypatch, 2)
    code, text = _main("regret", "--problem", "quadratic", "--problem-params", "d=2",
                       "--optimizers", "sgd,adam,amsgrad", "--T", "2000", "--runs", "2",
                       "--out", str(tmp_path), "--no-progress", "--formats", "svg")
    assert code == 130
    assert "marked incomplete" in capsys.readouterr().err
    doc = json.loads((tmp_path / "summary.json").read_text())
    assert doc["complete"] is False and doc["interrupted"] == "adam"
    assert [(s["label"], s["complete"]) for s in doc["series"]] == [("sgd", True),
                                                                      ("adam", False)]
    res = RunResult.load(tmp_path / "runs" / "adam.npz")
    assert not res.complete and 0 < res.steps_done < 2000
    assert np.all(np.isnan(res.losses[res.steps_done:]))
    assert (tmp_path / "regret_loglog.svg").exists()          # the finished series is drawn
    with (tmp_path / "summary.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    adam = [r for r in rows if r["series"] == "adam"]       # what it reached, then the stop
    assert [r["complete"] for r in adam] == ["False"] * 3
    assert [int(r["T"]) for r in adam] == [10, 100, res.steps_done]
    assert all(math.isfinite(float(r["regret_median"])) for r in adam[:2])
    assert adam[-1]["regret_median"] == ""                     # not known between horizons


@pytest.mark.slow
def test_subprocess_end_to_end(tmp_path):
    res = subprocess.run([sys.executable, "-m", "adamlab", "regret", "--optimizers",
                          "amsgrad,adagrad", "--T", "1000", "--runs", "1", "--out", "o",
                          "--formats", "png", "--quiet"], capture_output=True, text=True,
                         cwd=tmp_path, timeout=120)
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "o" / "regret_loglog.png").exists()
    doc = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert doc["command"].startswith("adamlab regret --optimizers amsgrad,adagrad")
    assert math.isfinite(doc["series"][0]["slope"]["median"])


def test_problems_without_prefix_comparators_use_horizons():
    exp = run_experiment("quadratic", [SeriesSpec("adagrad"), SeriesSpec("sgd")], T=300,
                         runs=2, seed=1, problem_params={"d": 3})
    for s in exp.series:
        assert s.regret_kind == "horizons" and s.t[-1] == 300 and s.regret.shape == (s.t.size, 2)
        np.testing.assert_allclose(s.regret[-1], s.result.regret[-1], rtol=1e-12)
        for b in s.bounds:
            if b.status == "applies":
                assert b.exceeded_at(s.regret, s.t) is None
    rows = list(csv.DictReader(io.StringIO(regret_files.csv_text(exp))))
    assert [int(r["T"]) for r in rows if r["series"] == "sgd"] == [10, 100, 300]
    assert all(c.marker == "o" for c in regret_files.curves(exp))
    assert "one certified comparator each" in regret_files.notes(exp)[0]
    assert regret_files.summary(exp)["series"][0]["regret_known_at"] == s.t.tolist()
    comps = regret_files.summary(exp)["comparators"]      # solved once, before the series
    assert comps["certified"] and [c["h"] for c in comps["per_horizon"]] == s.t.tolist()


def test_an_uncertified_comparator_is_said_loudly(monkeypatch):
    from adamlab.proofs.regret import experiment
    real = experiment.prefix_comparators

    def weaker(*args, **kw):        # as if the solver had stopped short at one horizon
        out = real(*args, **kw)
        bad = dict(out["certificates"][1], certified=False, relative_bound=3e-6)
        out["certificates"][1], out["certified"] = bad, False
        return out
    monkeypatch.setattr(experiment, "prefix_comparators", weaker)
    lines = []
    exp = run_experiment("quadratic", [SeriesSpec("sgd")], T=100, runs=1,
                         problem_params={"d": 2}, log=lines.append)
    line = next(x for x in lines if x.startswith("comparators:") and "horizons," in x)
    assert "WARNING: NOT CERTIFIED at T = 18 (relative bound 3.0e-06" in line
    doc = regret_files.summary(exp)
    assert doc["comparators"]["certified"] is False
    assert doc["comparators"]["per_horizon"][1]["certified"] is False
    assert any("NOT CERTIFIED" in n for n in regret_files.notes(exp))


def test_a_failure_exits_1_with_a_message_not_a_traceback(tmp_path, capsys, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    code, _ = _main("regret", "--optimizers", "amsgrad", "--T", "50", "--out",
                    str(blocker / "sub"), "--quiet")        # caught before any work: usage
    err = capsys.readouterr().err
    assert code == 2 and "--out: cannot create the folder" in err and "Traceback" not in err
    from adamlab.proofs.regret import files

    def disk_full(*a, **k):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(files, "write_outputs", disk_full)   # a failure while writing
    code, _ = _main("regret", "--optimizers", "amsgrad", "--T", "50", "--out",
                    str(tmp_path / "o"), "--quiet")
    err = capsys.readouterr().err
    assert code == 1 and "adamlab: failed:" in err and "No space left" in err
    assert "Traceback" not in err


def test_an_infinite_comparator_bound_is_reported_not_a_crash():
    from adamlab.proofs.regret.experiment import comparator_line
    certs = [{"h": 10, "relative_bound": 1e-12, "tolerance": 1e-9, "certified": True,
              "cached": False},
             {"h": 100, "relative_bound": "inf", "tolerance": 1e-9, "certified": False,
              "cached": False}]
    line = comparator_line({"certificates": certs, "certified": False, "seconds": 1.0,
                            "workers": 1})
    assert "NOT CERTIFIED at T = 100 (relative bound inf > 1e-09)" in line


def _interrupt_series(monkeypatch, which: int, after: int = 150):
    """Make the simulator's Ctrl-C flag go up after ``after`` polls of series ``which``."""
    class StopAfter(simulate.StopFlag):
        calls = 0

        def __init__(self):
            super().__init__()
            self.__dict__.pop("requested", None)

        @property
        def requested(self):
            StopAfter.calls += 1
            return StopAfter.calls > after

        @requested.setter
        def requested(self, value):
            pass

    real, seen = simulate.StopFlag, []

    def pick():
        seen.append(1)
        return StopAfter() if len(seen) == which else real()
    monkeypatch.setattr(simulate, "StopFlag", pick)
    return real


@pytest.mark.slow
def test_resume_continues_an_interrupted_run_and_ends_as_an_uninterrupted_one(
        tmp_path, monkeypatch, capsys):
    """Interrupted in its third series, then resumed: the two completed series are read
    from the checkpoint (not simulated again), the third and fourth are simulated, the
    checkpoint goes away, and every summary equals that of a run never interrupted."""
    args = ["regret", "--problem", "quadratic", "--problem-params", "d=2", "--optimizers",
            "sgd,adam,amsgrad,adagrad", "--T", "1500", "--runs", "2", "--no-progress",
            "--formats", "svg"]
    real = _interrupt_series(monkeypatch, 3)
    code, _ = _main(*args, "--out", str(tmp_path / "a"))
    assert code == 130 and "--resume continues it" in capsys.readouterr().err
    kept = sorted(p.name for p in (tmp_path / "a" / ".checkpoint").glob("*.npz"))
    assert kept == ["adam.npz", "sgd.npz"]
    # the folder is refused without --resume (and the refusal says so), and a different
    # experiment is refused with --resume, naming the difference
    monkeypatch.setattr(simulate, "StopFlag", real)
    code, _ = _main(*args, "--out", str(tmp_path / "a"))
    assert code == 2 and "add --resume to continue it" in capsys.readouterr().err
    code, _ = _main(*args[:-5], "--runs", "3", "--no-progress", "--formats", "svg",
                    "--out", str(tmp_path / "a"), "--resume")
    assert code == 2 and "runs was 2, this run has 3" in capsys.readouterr().err
    code, _ = _main(*args, "--out", str(tmp_path / "a"), "--resume", "--force")
    assert code == 2 and "exclude each other" in capsys.readouterr().err
    calls = []
    original = simulate.run

    def counting(problem, opt, *a, **k):
        calls.append(opt.name)
        return original(problem, opt, *a, **k)
    monkeypatch.setattr(simulate, "run", counting)
    code, text = _main(*args, "--out", str(tmp_path / "a"), "--resume")
    assert code == 0, text
    assert calls == ["amsgrad", "adagrad"]                 # sgd and adam were not re-run
    assert text.count("resumed from its checkpoint") == 2
    assert not (tmp_path / "a" / ".checkpoint").exists()
    code, _ = _main(*args, "--out", str(tmp_path / "b"))  # never interrupted
    assert code == 0
    assert (tmp_path / "a" / "summary.csv").read_text() == \
        (tmp_path / "b" / "summary.csv").read_text()
    a, b = (json.loads((tmp_path / x / "summary.json").read_text()) for x in "ab")
    for doc in (a, b):                  # all but timings, paths and the command line
        doc.pop("elapsed_s", None)
        doc.pop("files", None)
        doc.pop("command", None)
        doc["comparators"].pop("seconds", None)
        for c in doc["comparators"]["per_horizon"]:    # solved now or read from the cache
            c.pop("seconds", None)
            c.pop("cached", None)
        for s in doc["series"]:
            s.pop("elapsed_s", None)
            s.pop("result_file", None)
    assert a == b


def test_resume_without_a_checkpoint_is_a_usage_error(tmp_path, capsys):
    code, _ = _main("regret", "--T", "50", "--out", str(tmp_path), "--resume")
    assert code == 2 and "holds no checkpoint" in capsys.readouterr().err


def test_dtype_runs_every_series_in_low_precision_and_reports_its_drift(tmp_path):
    """--dtype bfloat16: every stored iterate is a bfloat16 value; the drift series is a
    running maximum; the report's float64 regret is that of the same series run in float64
    (an independent run through run_experiment, no --dtype)."""
    import ml_dtypes
    out = tmp_path / "o"
    code, text = _main("regret", "--dtype", "bfloat16", "--optimizers", "adam,sgd", "--T",
                       "200", "--runs", "2", "--out", str(out), "--formats", "svg",
                       "--panels", "regret", "--no-progress")
    assert code == 0, text
    assert "bfloat16: largest relative drift from float64" in text
    assert (out / "precision_drift.svg").stat().st_size > 1000
    doc = json.loads((out / "summary.json").read_text())
    assert doc["precision"] == {"storage": "bfloat16", "accumulate": "float32",
                                "rounding": "nearest", "kahan": False}
    assert "params and state in bfloat16" in (out / "caption.md").read_text()
    plain = run_experiment("rkk-online", [SeriesSpec("adam"), SeriesSpec("sgd")], T=200,
                           runs=2)
    for s, ref in zip(doc["series"], plain.series):
        rep = s["precision"]
        res = RunResult.load(s["result_file"])
        theta = res.theta_final
        assert np.array_equal(theta.astype(ml_dtypes.bfloat16).astype(np.float64), theta)
        drift = np.array([float(x) for x in rep["drift_series"]])
        assert np.all(np.diff(drift) >= 0) and drift[-1] <= rep["drift"]
        assert rep["first_nonfinite"] is None and rep["flushed"] >= 0
        np.testing.assert_allclose(rep["regret_T_float64"], ref.result.final_regret,
                                   rtol=1e-12)
        np.testing.assert_allclose(rep["regret_T"], res.final_regret, rtol=1e-12)


def test_a_float32_run_drifts_within_its_roundoff_budget():
    """float32 storage, float64 updates: every stored value is rounded once per step, so
    the relative drift stays below 4 T u with u = 2^-24 (AMSGrad, a contraction here)."""
    exp = run_experiment("rkk-online", [SeriesSpec("amsgrad")], T=400, runs=1,
                         precision={"storage": "float32", "accumulate": "float64"})
    rep = exp.series[0].precision
    assert 0 < rep["drift"] <= 4 * 400 * 2.0**-24
    with pytest.raises(ValueError, match="precision: rounding must be one of"):
        run_experiment("rkk-online", [SeriesSpec("sgd")], T=10,
                       precision={"storage": "float16", "rounding": "up"})
    with pytest.raises(ValueError, match="precision must be a dict with 'storage'"):
        run_experiment("rkk-online", [SeriesSpec("sgd")], T=10, precision={"kahan": True})


@pytest.mark.slow
def test_series_side_by_side_on_workers_equal_one_after_the_other_bit_for_bit():
    """workers=2 (a LocalCluster of two processes) gives every array of workers=1."""
    specs = [SeriesSpec("adam"), SeriesSpec("sgd"), SeriesSpec("adagrad")]
    lines = []
    one = run_experiment("rkk-stochastic", specs, T=400, runs=2, seed=3)
    two = run_experiment("rkk-stochastic", specs, T=400, runs=2, seed=3, workers=2,
                         log=lines.append)
    assert [s.label for s in two.series] == ["adam", "sgd", "adagrad"] and two.complete
    assert sum("on a worker," in line for line in lines) == 3
    for a, b in zip(one.series, two.series):
        assert np.array_equal(a.result.losses, b.result.losses)
        assert np.array_equal(a.regret, b.regret)
        for key, value in a.result.stats.items():
            assert np.array_equal(value, b.result.stats[key], equal_nan=True), key
    with pytest.raises(ValueError, match="workers must be an int >= 1"):
        run_experiment("rkk-stochastic", specs, T=10, workers=0)
