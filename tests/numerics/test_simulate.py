"""The simulator's dense engine: regret against brute force, determinism, batches,
persistence, progress, interruption, and input validation."""
from __future__ import annotations

import json
import math
import os
import re
import signal

import numpy as np
import pytest

from adamlab.numerics import domains, optimizers, problems, simulate
from adamlab.numerics.optimizers.schedules import InverseSqrt
from adamlab.numerics.progress import Progress
from adamlab.numerics.sim.result import RunResult

SCHEMA = {"t", "regret", "G", "G_inf", "D", "D_inf", "sum_g_norm", "sum_sqrt_t_vhat",
          "sum_vhat_sqrt", "sum_b1t_vhat_over_alpha", "gamma_min_eig"}


# -- brute force references ----------------------------------------------------------
def brute_adam_thm1(T, C, b1, b2, alpha, eps=0.0, amsgrad=False):
    """Reddi et al. Thm 1 game played by a scalar Python loop (no NumPy)."""
    x, m, v, vmax = 0.0, 0.0, 0.0, 0.0
    losses = []
    for t in range(1, T + 1):
        g = C if t % 3 == 1 else -1.0
        losses.append(g * x)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        c1, c2 = 1 - b1 ** t, 1 - b2 ** t
        if amsgrad:
            vmax = max(vmax, v)
            vh = vmax / c2
        else:
            vh = v / c2
        step = (m / c1) / (math.sqrt(vh) + eps) if (m or vh) else 0.0
        x = min(1.0, max(-1.0, x - alpha / math.sqrt(t) * step))
    S = sum(C if t % 3 == 1 else -1.0 for t in range(1, T + 1))
    best = -abs(S)
    cum, regret = 0.0, []
    for f in losses:
        cum += f
        regret.append(cum - best)
    return np.array(losses), np.array(regret), x


@pytest.mark.parametrize("amsgrad", [False, True])
@pytest.mark.parametrize("engine", ["dense", "oblivious"])
def test_regret_matches_a_scalar_loop_on_reddi_theorem1(amsgrad, engine):
    T, C, b1, b2, alpha = 300, 3.0, 0.0, 0.1, 0.5
    opt = optimizers.make("amsgrad" if amsgrad else "adam", lr=InverseSqrt(alpha),
                          betas=(b1, b2), eps=0.0)
    res = simulate.run("rkk-thm1", opt, T, engine=engine, progress=False)
    losses, regret, x = brute_adam_thm1(T, C, b1, b2, alpha, amsgrad=amsgrad)
    np.testing.assert_allclose(res.losses[:, 0], losses, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(res.regret[:, 0], regret, rtol=1e-12, atol=1e-9)
    assert res.theta_final[0, 0] == pytest.approx(x, rel=1e-12, abs=1e-14)


def brute_run(inst, T, d, lr, b1, b2, eps):
    """Any dense problem, Adam in pure Python per coordinate, one run."""
    x = [0.0] * d
    x = list(inst.domain.project(np.array([x]))[0])
    m, v = [0.0] * d, [0.0] * d
    losses = []
    for t in range(1, T + 1):
        th = np.array([x])
        f, g = inst.loss_and_grad(t, th)
        losses.append(float(f[0]))
        g = [float(z) for z in g[0]]
        new = []
        for i in range(d):
            m[i] = b1 * m[i] + (1 - b1) * g[i]
            v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
            mh, vh = m[i] / (1 - b1 ** t), v[i] / (1 - b2 ** t)
            new.append(x[i] - lr * mh / (math.sqrt(vh) + eps))
        x = list(inst.domain.project(np.array([new]))[0])
    return np.array(losses), np.array(x)


@pytest.mark.parametrize("name", ["quadratic", "hinge", "logistic-dense"])
def test_dense_engine_matches_a_python_loop(name):
    prob = problems.make(name)
    T = 60
    res = simulate.run(prob, optimizers.make("adam", lr=0.05), T, seed=5, progress=False)
    inst = prob.sample(T, 1, 5)
    losses, x = brute_run(inst, T, prob.d, 0.05, 0.9, 0.999, 1e-8)
    np.testing.assert_allclose(res.losses[:, 0], losses, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(res.theta_final[0], x, rtol=1e-12, atol=1e-13)
    comp = inst.comparator()
    np.testing.assert_allclose(res.regret[:, 0], np.cumsum(losses) - comp.total_loss[0],
                               rtol=1e-12, atol=1e-9)


def test_dense_engine_returns_the_optimizers_final_state(tmp_path):
    """rkk-thm1's gradients do not depend on the iterate (C at t = 1 mod 3, else -1), so
    Adam's moments after T steps are the EMAs of that sequence, summed here exactly."""
    from fractions import Fraction as Fr
    T, C, b1, b2 = 31, 3, Fr(1, 2), Fr(1, 10)
    opt = optimizers.make("adam", lr=InverseSqrt(0.5), betas=(0.5, 0.1), eps=0.0)
    res = simulate.run("rkk-thm1", opt, T, engine="dense", progress=False)
    g = [C if s % 3 == 1 else -1 for s in range(1, T + 1)]
    m = sum((1 - b1) * b1 ** (T - s) * g[s - 1] for s in range(1, T + 1))
    v = sum((1 - b2) * b2 ** (T - s) * g[s - 1] ** 2 for s in range(1, T + 1))
    st = res.final_state
    assert st.step == T
    assert st.m[0, 0] == pytest.approx(float(m), rel=1e-14)
    assert st.v[0, 0] == pytest.approx(float(v), rel=1e-14)
    assert simulate.run("rkk-thm1", opt, T, engine="oblivious",
                        progress=False).final_state is None     # never formed there
    assert RunResult.load(res.save(tmp_path / "r")).final_state is None    # not saved


def test_stats_follow_the_schema():
    opt = optimizers.make("adam", lr=InverseSqrt(0.5), betas=(0.0, 0.1), eps=0.0)
    res = simulate.run("rkk-thm1", opt, 50, runs=2, progress=False)
    assert SCHEMA <= set(res.stats)
    assert res.stats["t"].dtype == np.int64 and res.stats["t"][0] == 1
    for k in SCHEMA - {"t"}:
        assert res.stats[k].shape == (50, 2), k
    s = res.stats
    # G is the running max of |g_t| = 3 or 1; D_inf <= the domain's diameter
    assert s["G"][0, 0] == 3.0 and np.all(np.diff(s["G"], axis=0) >= 0)
    assert np.all(s["D_inf"] <= 2.0)
    # sum_sqrt_t_vhat = sqrt(t) * sum_vhat_sqrt
    np.testing.assert_allclose(s["sum_sqrt_t_vhat"],
                               np.sqrt(s["t"])[:, None] * s["sum_vhat_sqrt"])
    c = res.constants
    assert c["alpha"] == 0.5 and c["beta1"] == 0.0 and c["beta2"] == 0.1
    assert c["d"] == 1 and c["T"] == 50 and c["D_domain"] == 2.0
    assert "regret_prefix" in s          # linear losses: closed-form prefix comparators


def test_gamma_and_vhat_against_direct_formulas():
    opt = optimizers.make("adam", lr=InverseSqrt(0.1), betas=(0.9, 0.99))
    T = 40
    res = simulate.run("linear-random", opt, T, progress=False, engine="dense",
                       record_iterates=True, problem_params={"d": 3})
    inst = problems.make("linear-random", d=3).sample(T, 1, 0)
    a = inst.linear_coefficients(0, T)[:, 0]
    v = np.zeros(3)
    prev = np.zeros(3)
    for t in range(1, T + 1):
        v = 0.99 * v + 0.01 * a[t - 1] ** 2
        vhat = v / (1 - 0.99 ** t)
        cur = np.sqrt(vhat) / (0.1 / math.sqrt(t))
        assert res.stats["gamma_min_eig"][t - 1, 0] == pytest.approx((cur - prev).min(),
                                                                     rel=1e-12, abs=1e-12)
        assert res.stats["sum_vhat_sqrt"][t - 1, 0] == pytest.approx(np.sqrt(vhat).sum(),
                                                                     rel=1e-13)
        prev = cur
    it = res.iterates[:, 0]
    spread = it.max(axis=0) - it.min(axis=0)
    assert res.stats["D_inf"][-1, 0] == pytest.approx(spread.max(), rel=1e-15)
    assert res.stats["D"][-1, 0] == pytest.approx(np.linalg.norm(spread), rel=1e-15)


# -- batches and determinism -------------------------------------------------------------
def _same(a: RunResult, b: RunResult, row=None):
    sel = slice(None) if row is None else slice(row, row + 1)
    assert np.array_equal(a.losses[:, sel], b.losses, equal_nan=True)
    assert np.array_equal(a.theta_final[sel], b.theta_final)
    for k, v in b.stats.items():
        if k != "t":
            assert np.array_equal(a.stats[k][:, sel], v, equal_nan=True), k


def test_same_seed_same_bits():
    opt = optimizers.make("adam", lr=0.05)
    a = simulate.run("logistic-dense", opt, 40, runs=3, seed=11, progress=False)
    b = simulate.run("logistic-dense", opt, 40, runs=3, seed=11, progress=False)
    _same(a, b)
    c = simulate.run("logistic-dense", opt, 40, runs=3, seed=12, progress=False)
    assert not np.array_equal(a.losses, c.losses)


def test_hyperparameter_grid_equals_each_run_alone():
    lrs = [0.01, 0.05, 0.2]
    batch = simulate.run("hinge", optimizers.make("adam", lr=lrs), 40, runs=3, shared=True,
                         seed=2, progress=False)
    for i, lr in enumerate(lrs):
        alone = simulate.run("hinge", optimizers.make("adam", lr=lr), 40, seed=2,
                             progress=False)
        _same(batch, alone, row=i)


def test_seed_list_equals_each_seed_alone():
    opt = optimizers.make("amsgrad", lr=0.05)
    seeds = [3, 1, 4]
    batch = simulate.run("quadratic", opt, 30, seed=seeds, progress=False)
    assert batch.runs == 3
    for i, s in enumerate(seeds):
        _same(batch, simulate.run("quadratic", opt, 30, seed=s, progress=False), row=i)


def test_run_r_of_a_batch_equals_run_0_alone_for_r_0():
    opt = optimizers.make("rmsprop", lr=0.01)
    batch = simulate.run("logistic-dense", opt, 30, runs=4, seed=9, progress=False)
    _same(batch, simulate.run("logistic-dense", opt, 30, runs=1, seed=9, progress=False),
          row=0)


# -- persistence -----------------------------------------------------------------------------
def test_save_load_round_trip(tmp_path):
    opt = optimizers.make("adam", lr=InverseSqrt(0.5), betas=(0.0, 0.1), eps=0.0)
    res = simulate.run("rkk-thm1", opt, 30, runs=2, progress=False, record_iterates=True)
    path = res.save(tmp_path / "run")
    assert path.name == "run.npz" and (tmp_path / "run.json").exists()
    assert sorted(os.listdir(tmp_path)) == ["run.json", "run.npz"]   # no temp files left
    with np.load(path, allow_pickle=False) as data:
        assert "losses" in data.files
    back = RunResult.load(path)
    _same(res, back)
    assert np.array_equal(back.iterates, res.iterates)
    assert back.metadata == json.loads(json.dumps(res.metadata))
    assert back.constants["alpha"] == 0.5 and back.constants["T"] == 30
    assert np.array_equal(back.comparator["theta"], res.comparator["theta"])
    assert back.comparator["certificate"]["certified"] is True
    sidecar = json.loads((tmp_path / "run.json").read_text())
    assert sidecar["metadata"]["complete"] is True
    assert sidecar["metadata"]["optimizer_hyper"]["lr"] == {"schedule": "inverse_sqrt",
                                                            "alpha": 0.5}


def test_load_rejects_other_files(tmp_path):
    np.savez(tmp_path / "x.npz", a=np.zeros(3))
    with pytest.raises(ValueError, match="not an adamlab run"):
        RunResult.load(tmp_path / "x.npz")
    with pytest.raises(FileNotFoundError):
        RunResult.load(tmp_path / "missing.npz")


# -- progress ------------------------------------------------------------------------------------
class _TTY:
    def __init__(self):
        self.text = ""

    def write(self, s):
        self.text += s

    def flush(self):
        pass

    def isatty(self):
        return True


def test_progress_is_silent_when_not_a_terminal(capsys):
    simulate.run("rkk-thm1", "adam", 200, progress=None)
    assert capsys.readouterr().err == ""          # pytest's stderr is not a TTY
    simulate.run("rkk-thm1", "adam", 200, progress=True)
    assert "200/200" in capsys.readouterr().err
    simulate.run("rkk-thm1", "adam", 200, progress=False)
    assert capsys.readouterr().err == ""


def test_progress_bar_draws_on_a_terminal():
    tty = _TTY()
    with Progress(10, stream=tty, min_interval=0.0) as bar:
        for _ in range(10):
            bar.update()
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", tty.text)      # rich's ANSI codes
    assert "10/10" in text and text.endswith("\n") and "100%" in text
    quiet = _TTY()
    quiet.isatty = lambda: False
    with Progress(10, stream=quiet) as bar:
        bar.update(10)
    assert quiet.text == ""


# -- interruption ------------------------------------------------------------------------------------
class _Interrupting:
    """Wraps an instance; at step ``at`` raises KeyboardInterrupt or sends SIGINT."""

    def __init__(self, inst, at, how):
        self._inst, self.at, self.how = inst, at, how

    def __getattr__(self, name):
        return getattr(self._inst, name)

    def loss_and_grad(self, t, theta):
        if t == self.at:
            if self.how == "raise":
                raise KeyboardInterrupt
            os.kill(os.getpid(), signal.SIGINT)    # handled: stop after this step
        return self._inst.loss_and_grad(t, theta)


class _InterruptingProblem:
    def __init__(self, at, how):
        self._p, self.at, self.how = problems.make("quadratic"), at, how

    def __getattr__(self, name):
        return getattr(self._p, name)

    def sample(self, T, runs=1, seed=0, shared=False):
        return _Interrupting(self._p.sample(T, runs, seed, shared=shared), self.at, self.how)


@pytest.mark.parametrize("how,done", [("raise", 6), ("signal", 7)])
def test_interrupted_run_is_returned_and_saved_incomplete(tmp_path, how, done, capsys):
    before = signal.getsignal(signal.SIGINT)      # (SIG_IGN when the runner was nohup'd)
    res = simulate.run(_InterruptingProblem(7, how), "adam", 50, progress=False,
                       save=tmp_path / "partial")
    assert not res.complete and res.steps_done == done
    assert res.metadata["complete"] is False and res.metadata["steps_done"] == done
    assert np.all(np.isfinite(res.losses[:done])) and np.all(np.isnan(res.losses[done:]))
    assert np.all(np.isnan(res.regret))           # no comparator for a partial run
    assert np.all(np.isfinite(res.stats["G"][:done])) and np.all(np.isnan(res.stats["G"][done:]))
    back = RunResult.load(tmp_path / "partial.npz")
    assert back.complete is False and back.steps_done == done
    assert "interrupted" in capsys.readouterr().err
    assert signal.getsignal(signal.SIGINT) is before         # the run's handler is gone


# -- bad input ------------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs,exc,word", [
    (dict(T=0), ValueError, "T"),
    (dict(T=-5), ValueError, "T"),
    (dict(T=2.5), TypeError, "T"),
    (dict(T=True), TypeError, "T"),
    (dict(runs=0), ValueError, "runs"),
    (dict(runs="2"), TypeError, "runs"),
    (dict(seed=-1), ValueError, "seed"),
    (dict(seed=[1, 2], runs=3), ValueError, "seed"),
    (dict(x0=np.zeros(4)), ValueError, "x0"),
    (dict(x0=np.full(1, np.nan)), ValueError, "x0"),
    (dict(x0=np.full(1, 5.0)), ValueError, "x0"),
    (dict(engine="gpu"), ValueError, "engine"),
    (dict(engine="sparse"), ValueError, "engine"),
    (dict(projection="l1"), ValueError, "projection"),
    (dict(progress="yes"), TypeError, "progress"),
    (dict(optimizer="adamm"), ValueError, "adamm"),
    (dict(problem="rkk-thm2"), ValueError, "rkk-thm2"),
    (dict(problem=42), TypeError, "problem"),
    (dict(optimizer=object()), TypeError, "optimizer"),
    (dict(optimizer_params={"lr": float("nan")}), ValueError, "lr"),
    (dict(problem_params={"C": float("nan")}), ValueError, "C"),
    (dict(optimizer=optimizers.make("adam", lr=[0.1, 0.2, 0.3]), runs=2), ValueError, "lr"),
    (dict(optimizer="sgd", projection="weighted"), ValueError, "projection"),
])
def test_bad_input_names_the_argument(kwargs, exc, word):
    args = dict(problem="rkk-thm1", optimizer="adam", T=10)
    args.update(kwargs)
    problem, optimizer, T = args.pop("problem"), args.pop("optimizer"), args.pop("T")
    with pytest.raises(exc, match=word):
        simulate.run(problem, optimizer, T, progress=False, **args)


def test_weighted_projection_on_a_ball_stays_feasible():
    prob = problems.make("quadratic", domain="l2", radius=0.3, d=4)
    assert isinstance(prob.domain, domains.L2Ball)
    res = simulate.run(prob, "amsgrad", 40, projection="weighted", progress=False,
                       record_iterates=True)
    assert res.metadata["projection"] == "weighted"
    assert np.all(prob.domain.contains(res.iterates.reshape(-1, prob.d), rtol=1e-10))
    box = simulate.run("hinge", "amsgrad", 30, projection="weighted", progress=False)
    eu = simulate.run("hinge", "amsgrad", 30, progress=False)
    assert np.array_equal(box.losses, eu.losses)   # on a box both projections are the clip


@pytest.mark.parametrize("name", problems.names())
def test_every_result_records_the_comparators_certified_accuracy(name):
    """Issue 5 section 3: the comparator's certificate (KKT residual, duality gap, the
    suboptimality bound it implies) is recorded in every result, per run, and survives
    save/load."""
    small = {"d": 20} if "d" in {p.name for p in problems.make(name).params_spec} else {}
    res = simulate.run(name, "adam", 40, runs=2, seed=1, problem_params=small,
                       progress=False)
    cert = res.comparator["certificate"]
    for key in ("kkt_residual", "duality_gap", "suboptimality_bound", "certified"):
        assert key in cert, key
    assert cert["suboptimality_bound"] >= 0 and math.isfinite(cert["suboptimality_bound"])
    bound = np.asarray(res.comparator["bound"])
    assert bound.shape == (2,) and np.all(bound >= 0)
    assert cert["suboptimality_bound"] >= bound.max() * (1 - 1e-12)
