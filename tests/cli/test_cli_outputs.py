"""Issue 17: output paths checked before any computation, folders that do not mix runs,
broken pipes that end quietly, unreadable files named."""
from __future__ import annotations

import io
import subprocess
import sys

import pytest

from adamlab import cli
from adamlab.numerics import simulate
from adamlab.numerics.sim.result import RunResult


def _main(*argv):
    out = io.StringIO()
    return cli.main(list(argv), out=out), out.getvalue()


@pytest.mark.parametrize("argv,needle", [
    (("check", "kb.thm4.1", "--json", "/proc/nope/x.json"), "--json: folder"),
    (("check", "kb.thm4.1", "--json", "/proc/x.json"), "--json: cannot write"),
    (("check", "kb.thm4.1", "--json", ""), "--json: give a file name"),
    (("check", "kb.thm4.1", "--out", "/proc/nope"), "--out: cannot create"),
    (("check", "kb.thm4.1", "--out", ""), "--out: give a folder name"),
    (("regret", "--T", "50", "--out", "/proc/nope"), "--out: cannot create"),
    (("regret", "--T", "50", "--out", ""), "--out: give a folder name"),
])
def test_bad_output_paths_are_refused_before_any_work(argv, needle, capsys, monkeypatch):
    from adamlab.proofs import ledger
    from adamlab.proofs.regret import experiment

    def never(*a, **k):
        raise AssertionError("computed before checking the output path")
    monkeypatch.setattr(ledger, "entry", never)
    monkeypatch.setattr(experiment, "run_experiment", never)
    code, _ = _main(*argv)
    err = capsys.readouterr().err
    assert code == 2 and needle in err and "Traceback" not in err


def test_a_used_out_folder_is_refused_unless_force(tmp_path, capsys):
    out = tmp_path / "o"
    assert _main("regret", "--T", "50", "--runs", "1", "--optimizers", "sgd", "--out",
                 str(out), "--formats", "svg", "--panels", "regret", "--quiet")[0] == 0
    (out / "notes-of-mine.txt").write_text("keep me")
    (out / "regret_loglog.pdf").write_text("stale figure of an older run")
    code, _ = _main("regret", "--T", "50", "--out", str(out), "--quiet")
    assert code == 2 and "holds the results of another run" in capsys.readouterr().err
    code, text = _main("regret", "--T", "60", "--runs", "1", "--optimizers", "sgd", "--out",
                       str(out), "--formats", "svg", "--panels", "regret", "--force")
    assert code == 0 and "--force: removed" in text
    assert not (out / "regret_loglog.pdf").exists()            # nothing stale is left
    assert (out / "notes-of-mine.txt").read_text() == "keep me"  # what is not ours stays
    assert '"T": 60' in (out / "summary.json").read_text()


@pytest.mark.slow
def test_a_broken_pipe_ends_quietly():
    code = ("import sys; from adamlab.cli import main; "
            "sys.exit(main(['list']))")
    with subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE) as proc:
        proc.stdout.readline()
        proc.stdout.close()                   # the reader goes away, as `| head -1` does
        err = proc.stderr.read().decode()
        proc.wait(timeout=60)
    assert "BrokenPipeError" not in err and "Traceback" not in err
    assert proc.returncode in (0, 141)


def test_a_truncated_result_file_is_named(tmp_path):
    path = simulate.run("rkk-online", "adam", T=30, progress=False).save(tmp_path / "r")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match=r"r\.npz.*is not a readable adamlab run result"):
        RunResult.load(path)


def test_the_run_records_its_schedule_and_the_api_judges_like_the_cli():
    """Issue 17: simulate.run records alpha_t's declared kind, so a bound judged from
    Python needs no hand-added constants and agrees with the CLI's verdict."""
    from adamlab.numerics import optimizers
    from adamlab.numerics.optimizers.schedules import Beta1Decay, InverseSqrt
    from adamlab.proofs.regret.assess import assess_bounds
    opt = optimizers.make("adam", lr=InverseSqrt(0.5), betas=(Beta1Decay(0.0, 0.5), 0.1),
                          eps=0.0, beta1_correction="power")
    res = simulate.run("rkk-thm1", opt, T=500, problem_params={"C": 3.0}, progress=False)
    assert res.constants["alpha_schedule"] == "inverse_sqrt"
    kb = next(b for b in assess_bounds(res, opt) if b.claim_id == "kb.thm4.1")
    assert kb.status == "applies", kb.reasons
    assert kb.outcome(res.stats["regret_prefix"])["kind"] == "violated"
    const = simulate.run("rkk-thm1", optimizers.make("sgd", lr=0.1), T=20, progress=False)
    assert const.constants["alpha_schedule"] == const.constants["eta_schedule"] == "constant"


def test_each_series_line_shows_its_effective_hyperparameters():
    from adamlab.proofs.regret.experiment import SeriesSpec, run_experiment
    lines = []
    run_experiment("rkk-online", [SeriesSpec("adam")], T=30, log=lines.append)
    assert any("lr = 0.1/sqrt(t), betas = (0.9*0.999^(t-1), 0.99), eps = 0, "
               "beta1_correction = power" in x for x in lines), lines


@pytest.mark.parametrize("hp,needle", [
    ("adam:betas=0.9", "--hp adam: betas must be a pair (beta1, beta2), e.g. 0.9/0.99"),
    ("adam:eps=-1", "--hp adam: eps must be"),
])
def test_hp_mistakes_read_once_and_clearly(hp, needle, capsys, tmp_path):
    code, _ = _main("regret", "--optimizers", "adam", "--hp", hp, "--T", "50",
                    "--out", str(tmp_path / "o"))
    err = capsys.readouterr().err
    assert code == 2 and needle in err and "adam: adam:" not in err
    assert "unpack" not in err and "Traceback" not in err


def test_the_y_range_follows_the_data_and_far_bounds_are_marked():
    import numpy as np
    from matplotlib.figure import Figure

    from adamlab.numerics import plots
    t = np.arange(1, 101)
    near = plots.Reference("a: near bound", t, 5.0 * np.sqrt(t))
    far = plots.Reference("a: vacuous bound - holds", t, 1e9 * np.sqrt(t))
    c = plots.Curve("a", t, np.sqrt(t), 0.5 * np.sqrt(t), 2 * np.sqrt(t), [near, far])
    ax = Figure().subplots()
    plots.draw_regret_panel(ax, [c], "regret")
    lo, hi = ax.get_ylim()
    assert 50 <= hi <= 200 and lo <= 0.5            # data and the near bound, not 1e10
    texts = [x.get_text() for x in ax.texts]
    assert any(x.startswith("a: vacuous bound: 1e+10 at T = 100 (off scale)") for x in texts)
    ax2 = Figure().subplots()
    plots.draw_regret_panel(ax2, [c], "regret", ylim=(1, 10))
    assert ax2.get_ylim() == (1, 10)
    with pytest.raises(ValueError, match="ylim"):
        plots.draw_regret_panel(Figure().subplots(), [c], "regret", ylim=(0, 1))


@pytest.mark.slow
def test_figure_options_and_truetype_pdf(tmp_path, capsys):
    code, text = _main("regret", "--T", "300", "--runs", "1", "--optimizers", "amsgrad",
                       "--out", str(tmp_path / "o"), "--formats", "pdf,svg", "--panels",
                       "regret,avg", "--no-bounds", "--ylim", "avg=0.01:10", "--quiet")
    assert code == 0, capsys.readouterr().err
    out = tmp_path / "o"
    assert (out / "regret_loglog.svg").exists() and (out / "regret_over_T.svg").exists()
    assert not (out / "regret_over_sqrtT.svg").exists()
    assert "rkk.thm4 bound" not in (out / "regret_panels.svg").read_text()
    pdf = (out / "regret_loglog.pdf").read_bytes()
    assert b"/Type3" not in pdf                     # TrueType (Type 42), not Type 3
    for argv, needle in ((("--panels", "regret,foo"), "--panels: unknown panel"),
                         (("--ylim", "avg=1"), "--ylim: 'avg=1' is not PANEL=LO:HI"),
                         (("--ylim", "avg=2:1"), "need 0 < LO < HI")):
        code, _ = _main("regret", "--T", "50", "--out", str(tmp_path / "p"), *argv)
        assert code == 2 and needle in capsys.readouterr().err


def test_list_problems_shows_parameters_and_a_repeated_hp_key_is_refused(capsys, tmp_path):
    code, text = _main("list", "problems")
    assert code == 0 and "--problem-params K=V" in text
    row = next(line for line in text.splitlines() if line.startswith("rkk-thm1 "))
    assert "C=3.0, period=3" in row                      # each problem's own row
    assert "1010" in text and "d=10000" in text          # rkk-online's C, logistic's d
    code, _ = _main("regret", "--hp", "adam:lr=0.1", "--hp", "adam:lr=0.2", "--out",
                    str(tmp_path / "o"))
    assert code == 2 and "lr is given twice" in capsys.readouterr().err
