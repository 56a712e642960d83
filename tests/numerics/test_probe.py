"""The probe game: a fast engine runs only where it reproduces the registry's own step."""
from __future__ import annotations

import numpy as np
import pytest

from adamlab.numerics import optimizers, simulate
from adamlab.numerics.optimizers.adam import Adam
from adamlab.numerics.sim import probe
from adamlab.numerics.sim.sparse import lazy_reason


def _declared(engine):
    flag = "oblivious_scan" if engine == "oblivious" else "lazy_sparse"
    return [n for n in optimizers.names() if getattr(optimizers.get(n).caps, flag)]


@pytest.mark.parametrize("engine", ["oblivious", "sparse"])
def test_every_declared_fast_engine_agrees_with_its_optimizer(engine):
    names = _declared(engine)
    assert names                                   # the registry declares some
    for name in names:
        # per-run hyperparameters; without weight decay, which both engines refuse
        opt = optimizers.make(name, lr=[0.01, 0.1, 0.3], weight_decay=0.0)
        assert engine == "oblivious" or lazy_reason(opt) is True, name
        assert probe.agrees(opt, 3, engine) is True, name


def test_the_probe_tells_eps_inside_from_the_catch_up():
    # the lazy catch-up is written for eps outside / efficient (lazy_reason refuses
    # 'inside'); the probe, asked anyway, sees the difference in the small coordinates
    opt = optimizers.make("adam", eps=1e-8, eps_mode="inside")
    reason = probe.agrees(opt, 2, "sparse")
    assert isinstance(reason, str) and "does not reproduce" in reason
    assert probe.agrees(optimizers.make("adam", eps=1e-8, eps_mode="inside"), 2,
                        "oblivious") is True


class _Doubled(Adam):
    """A user's variant that declares Adam's capabilities but steps twice as far."""

    def _step(self, g, p, s, h):
        new_p, st = super()._step(g, p, s, h)
        return p + 2 * (new_p - p), st


@pytest.fixture
def doubled():
    optimizers.register("doubled-adam-test", _Doubled, family="adam", lazy_sparse=True,
                        oblivious_scan=True, vhat="adam", beta1="betas[0]",
                        summary="test only", source="test")
    yield optimizers.make("doubled-adam-test", lr=0.05)
    optimizers.unregister("doubled-adam-test")


def test_a_wrong_declaration_runs_on_the_dense_engine(doubled):
    for engine in ("oblivious", "sparse"):
        assert "does not reproduce" in probe.agrees(doubled, 2, engine)
    auto = simulate.run("rkk-online", doubled, T=50, runs=2, progress=False)
    assert auto.metadata["engine"] == "dense"
    dense = simulate.run("rkk-online", doubled, T=50, runs=2, engine="dense", progress=False)
    np.testing.assert_array_equal(auto.losses, dense.losses)
    with pytest.raises(ValueError, match="engine='oblivious' does not apply"):
        simulate.run("rkk-online", doubled, T=50, runs=2, engine="oblivious", progress=False)


def test_agrees_validates_engine():
    with pytest.raises(ValueError, match="engine must be"):
        probe.agrees(optimizers.make("adam"), 1, "dense")


def test_infinite_iterates_are_compared_without_warnings(monkeypatch):
    from adamlab.numerics.sim.engine import EngineOutput

    def out(losses):
        return lambda *a, **k: EngineOutput(np.array(losses), {}, np.array([[np.inf]]), 2, {})
    monkeypatch.setattr(probe, "run_dense", out([[1.0], [np.inf]]))
    monkeypatch.setattr(probe, "run_oblivious", out([[1.0], [np.inf]]))
    assert probe.agrees(optimizers.make("adam"), 1, "oblivious") is True   # inf = inf
    monkeypatch.setattr(probe, "run_oblivious", out([[1.0], [2.0]]))
    assert "does not reproduce" in probe.agrees(optimizers.make("adam"), 1, "oblivious")
