"""A user's optimizer (tests/support/user_plugin_optimizer.py: Yogi, defined outside the package)
joins the registry, the simulator, the statistics it declares, the regret experiment and
``adamlab regret --plugin``; checked against exact arithmetic and independent replays."""
from __future__ import annotations

import importlib
import io
import json

import numpy as np
import pytest
import sympy as sp

from adamlab import cli
from adamlab.numerics import optimizers, problems, simulate
from adamlab.proofs.regret.experiment import SeriesSpec, run_experiment


@pytest.fixture
def plugin():
    """The plugin registered for one test, and unregistered after it (no leak)."""
    before = optimizers.names()
    mod = importlib.import_module("user_plugin_optimizer")   # registers on first import
    if mod.NAME not in optimizers.names():
        mod.register_plugin()
    yield mod
    optimizers.unregister(mod.NAME)
    assert optimizers.names() == [n for n in before if n != mod.NAME]


def _exact_yogi(grads, lr, b1, b2):
    """Yogi's iterates in exact arithmetic (SymPy rationals and square roots), eps = 0."""
    d = len(grads[0])
    theta, m, v = [sp.Integer(0)] * d, [sp.Integer(0)] * d, [sp.Integer(0)] * d
    out = []
    for g in grads:
        g = [sp.Rational(x) for x in g]
        m = [b1 * mi + (1 - b1) * gi for mi, gi in zip(m, g)]
        v = [vi - (1 - b2) * sp.sign(vi - gi ** 2) * gi ** 2 for vi, gi in zip(v, g)]
        theta = [th - lr * mi / sp.sqrt(vi) for th, mi, vi in zip(theta, m, v)]
        out.append(theta)
    return out


def test_first_steps_match_exact_arithmetic(plugin):
    grads = [["2", "-1"], ["1", "3"], ["-2", "1/2"], ["5", "-3"]]
    exact = _exact_yogi(grads, sp.Rational(1, 4), sp.Rational(1, 2), sp.Rational(3, 4))
    opt = optimizers.make("my-yogi", lr=0.25, betas=(0.5, 0.75), eps=0.0)
    assert opt.entry is optimizers.get("my-yogi") and optimizers.entry_of(opt).name == "my-yogi"
    p = np.zeros(2)
    state = opt.init(p)
    for t, g in enumerate(grads):
        p, state = opt.update(np.array([float(sp.Rational(x)) for x in g]), state, p)
        want = np.array([float(x.evalf(40)) for x in exact[t]])
        np.testing.assert_allclose(p, want, rtol=4e-16, atol=0)
    # by hand: v_1 = g^2/4 and m_1 = g/2, so theta_1 = -lr sign(g) exactly
    p1, _ = opt.update(np.array([2.0, -1.0]), opt.init(np.zeros(2)), np.zeros(2))
    assert p1.tolist() == [-0.25, 0.25]


def _replay(prob, opt, T, runs, seed):
    """The game played by hand: the optimizer's update, then the projection."""
    inst = prob.sample(T, runs, seed)
    theta = prob.x0(runs).astype(np.float64)
    state = opt.init(theta)
    losses, vs = [], []
    for t in range(1, T + 1):
        f, g = inst.loss_and_grad(t, theta)
        theta, state = opt.update(g, state, theta)
        theta = prob.domain.project(theta)
        losses.append(f)
        vs.append(state.v.copy())
    return np.array(losses), np.array(vs)


@pytest.mark.parametrize("problem", ["quadratic", "rkk-online"])
def test_simulate_runs_it_on_the_dense_engine_with_its_declared_statistics(plugin, problem):
    prob = problems.make(problem)
    T, runs = 60, 2
    opt = optimizers.make("my-yogi", lr=0.05, betas=(0.8, 0.9), eps=1e-8)
    res = simulate.run(prob, opt, T=T, runs=runs, seed=5)
    assert res.metadata["engine"] == "dense"        # it declares no faster engine
    losses, vs = _replay(prob, opt, T, runs, 5)
    np.testing.assert_array_equal(res.losses, losses)
    # the statistics its vhat/beta1 declarations allow, from its own v_t
    root = np.sqrt(vs).sum(axis=2)                  # (T, R): sum_i sqrt(v_{t,i})
    np.testing.assert_allclose(res.stats["sum_vhat_sqrt"], root, rtol=1e-14)
    np.testing.assert_allclose(res.stats["sum_b1t_vhat_over_alpha"],
                               np.cumsum(0.8 * root / 0.05, axis=0), rtol=1e-12)
    assert res.constants["beta1"] == 0.8 and res.constants["alpha"] == 0.05


def test_no_declared_engine_means_a_clear_refusal_not_a_wrong_run(plugin):
    for engine, needle in (("oblivious", "declares no loop-free scan"),
                           ("sparse", "not sparse")):
        with pytest.raises(ValueError, match=needle):
            simulate.run("rkk-online", "my-yogi", T=10, engine=engine)
    prob = problems.make("logistic-sparse", d=200)
    with pytest.raises(ValueError, match="declares no exact lazy update"):
        simulate.run(prob, "my-yogi", T=10, engine="sparse")
    res = simulate.run(prob, optimizers.make("my-yogi", eps=1e-8), T=30)
    assert res.metadata["engine"] == "dense" and np.all(np.isfinite(res.regret))


def test_batched_equals_alone(plugin):
    """Metamorphic: runs side by side with per-run lr give each run's numbers alone."""
    both = simulate.run("quadratic", optimizers.make("my-yogi", lr=[0.02, 0.3]), T=40,
                        seed=[3, 4])
    for r, (lr, seed) in enumerate(((0.02, 3), (0.3, 4))):
        alone = simulate.run("quadratic", optimizers.make("my-yogi", lr=lr), T=40, seed=[seed])
        np.testing.assert_array_equal(both.losses[:, r], alone.losses[:, 0])
        np.testing.assert_array_equal(both.stats["sum_vhat_sqrt"][:, r],
                                      alone.stats["sum_vhat_sqrt"][:, 0])


def test_run_experiment_end_to_end(plugin):
    by_name = SeriesSpec("my-yogi", {"lr": 0.05, "eps": 1e-8})
    instance = SeriesSpec(optimizers.make("my-yogi", lr=0.05, eps=1e-8), label="yogi-obj")
    exp = run_experiment("rkk-online", [by_name, instance, SeriesSpec("amsgrad")], T=300,
                         runs=2)
    yogi, obj, ams = exp.series
    assert exp.complete and yogi.result.metadata["engine"] == "dense"
    assert yogi.bounds == []                       # no published bound is about Yogi
    assert [b.claim_id for b in ams.bounds] == ["rkk.thm4", "rkk.cor1"]
    np.testing.assert_array_equal(yogi.regret, obj.regret)
    assert np.all(np.isfinite(yogi.slopes)) and "sum_vhat_sqrt" in yogi.result.stats
    with pytest.raises(TypeError, match="registry name"):
        run_experiment("rkk-online", [SeriesSpec(optimizers.make("my-yogi"), {"lr": 1.0})], T=5)


def test_cli_regret_with_plugin(plugin, tmp_path):
    out = io.StringIO()
    code = cli.main(["regret", "--plugin", "user_plugin_optimizer", "--optimizers",
                     "my-yogi,sgd", "--hp", "my-yogi:eps=1e-8", "--T", "200", "--runs", "1",
                     "--out", str(tmp_path), "--no-progress", "--formats", "svg",
                     "--panels", "regret"], out=out)
    assert code == 0, out.getvalue()
    doc = json.loads((tmp_path / "summary.json").read_text())
    assert [(s["label"], s["optimizer"]) for s in doc["series"]] == [("my-yogi", "my-yogi"),
                                                                      ("sgd", "sgd")]


def test_cli_bad_plugin_is_a_usage_error(tmp_path, capsys):
    code = cli.main(["regret", "--plugin", "no_such_module_here", "--T", "10", "--out",
                     str(tmp_path / "o")], out=io.StringIO())
    err = capsys.readouterr().err
    assert code == 2 and "--plugin no_such_module_here" in err and "Traceback" not in err


def test_register_replace_and_unregister(plugin):
    entry = optimizers.get("my-yogi")
    with pytest.raises(ValueError, match="registered twice"):
        plugin.register_plugin()
    again = plugin.register_plugin(replace=True)
    assert again is not entry and optimizers.get("my-yogi") is again
    assert plugin.Yogi(lr=0.1).entry is again       # direct instances follow the entry
    optimizers.unregister("my-yogi")
    assert "my-yogi" not in optimizers.names() and plugin.Yogi(lr=0.1).entry is None
    with pytest.raises(ValueError, match="unknown optimizer"):
        optimizers.make("my-yogi")
    plugin.register_plugin()                        # for the fixture's teardown


def test_a_custom_optimizer_name_error_says_how_to_register():
    class Bare(optimizers.Optimizer):
        pass
    with pytest.raises(TypeError, match="register"):
        optimizers.get(Bare())
    with pytest.raises(TypeError, match="init_state"):
        optimizers.register("bare", Bare, summary="", source="")
    assert "bare" not in optimizers.names()


def test_readme_example_runs_and_equals_the_plugin():
    """The README's "Your own optimizer" block, executed as a user's module would be."""
    from pathlib import Path
    text = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = text.split("## Your own optimizer", 1)[1]
    code = section.split("```python", 1)[1].split("```", 1)[0]
    assert "my-yogi" not in optimizers.names()
    try:
        exec(compile(code, "README.md", "exec"), {"__name__": "my_yogi"})
        res = simulate.run("quadratic", "my-yogi", T=50, runs=2)
        plugin = importlib.import_module("user_plugin_optimizer")
        ref = simulate.run("quadratic", plugin.Yogi(), T=50, runs=2)   # unregistered class
        np.testing.assert_array_equal(res.losses, ref.losses)
        assert "sum_vhat_sqrt" in res.stats and "sum_vhat_sqrt" not in ref.stats
    finally:
        if "my-yogi" in optimizers.names():
            optimizers.unregister("my-yogi")
