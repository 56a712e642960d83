"""Capabilities are declared on the registry entry, and the declaration is what the
engines, the statistics and the bounds read (never the optimizer's or schedule's class)."""
from __future__ import annotations

import numpy as np
import pytest

from adamlab.numerics import optimizers, problems, simulate
from adamlab.numerics.sim import stats
from adamlab.numerics.optimizers import capabilities
from adamlab.numerics.optimizers.adam import Adam
from adamlab.numerics.optimizers.schedules import Beta1Decay, InverseSqrt, declared
from adamlab.numerics.sim.sparse import sparse_support
from adamlab.proofs.regret.assess import bound_ids_for

DECLARED = {   # name: (family, lazy_sparse, oblivious_scan, vhat, beta1, wraps)
    "sgd": ("sgd", True, True, None, None, False),
    "momentum": ("sgd", True, True, None, None, False),
    "nag": ("sgd", True, True, None, None, False),
    "adagrad": ("adagrad", True, True, "adagrad", None, False),
    "rmsprop": ("rmsprop", True, True, "rmsprop", None, False),
    "adadelta": ("adadelta", False, False, None, None, False),
    "adam": ("adam", True, True, "adam", "betas[0]", False),
    "amsgrad": ("adam", True, True, "adam", "betas[0]", False),
    "adamw": ("adam", True, True, "adam", "betas[0]", False),
    "adamax": ("adamax", False, False, None, None, False),
    "nadam": ("nadam", False, False, "v_corrected", "betas[0]", False),
    "radam": ("radam", False, False, "v_corrected", "betas[0]", False),
    "adabound": ("adabound", False, False, None, None, False),
    "adamp": ("adamp", False, False, None, None, False),
    "lookahead": ("lookahead", False, False, None, None, True),
}


@pytest.fixture
def temporary():
    """Register entries for one test; unregistered afterwards."""
    made = []

    def reg(name, cls, **caps):
        made.append(name)
        return optimizers.register(name, cls, summary="test entry", source="tests", **caps)
    yield reg
    for name in made:
        if name in optimizers.names():
            optimizers.unregister(name)


def test_every_entry_declares_its_capabilities():
    for name in optimizers.names():
        entry = optimizers.get(name)
        caps = entry.caps
        got = (caps.family, caps.lazy_sparse, caps.oblivious_scan, caps.vhat, caps.beta1,
               caps.wraps)
        if name in DECLARED:
            assert got == DECLARED[name], name
        assert capabilities.check(name, entry.cls, caps) is caps
        opt = optimizers.make(name)
        assert opt.entry is entry and optimizers.caps_of(opt) is caps
    assert Adam().entry is optimizers.get("adam")     # direct instance: its first entry


def test_engine_tables_match_the_declarable_families():
    from adamlab.numerics.sim import oblivious_steps, sparse
    assert set(oblivious_steps.SCANS) == set(capabilities.SCAN_FAMILIES)
    assert set(sparse.CATCH_UPS) == set(capabilities.LAZY_FAMILIES)
    assert set(stats.VHAT) == set(capabilities.VHAT_KINDS)


def _hyper():
    return dict(lr=InverseSqrt(0.1), betas=(0.9, 0.99), eps=1e-8)


def test_alias_with_capabilities_off_falls_back(temporary):
    """Adam's class registered again with nothing but its family: dense engine, no vhat
    statistics; the same numbers as Adam on the dense engine, bit for bit."""
    temporary("adam-undeclared", Adam, family="adam")
    plain = optimizers.make("adam-undeclared", **_hyper())
    adam = optimizers.make("adam", **_hyper())
    res = simulate.run("rkk-online", plain, T=400, runs=2)
    dense = simulate.run("rkk-online", adam, T=400, runs=2, engine="dense")
    fast = simulate.run("rkk-online", adam, T=400, runs=2)
    assert res.metadata["engine"] == "dense" and fast.metadata["engine"] == "oblivious"
    np.testing.assert_array_equal(res.losses, dense.losses)
    np.testing.assert_allclose(res.regret, fast.regret, rtol=1e-10, atol=1e-12)
    assert "sum_vhat_sqrt" in dense.stats and "sum_vhat_sqrt" not in res.stats
    assert not stats.has_second_moment(plain) and stats.second_moment(
        plain, plain.init(np.zeros(1)), 1) is None
    with pytest.raises(ValueError, match="declares a second moment"):
        simulate.run("rkk-online", plain, T=5, projection="weighted")
    assert bound_ids_for(plain) == ("kb.thm4.1", "kb.cor4.2")   # family adam is declared


def test_alias_without_lazy_catch_up_runs_dense_on_a_sparse_problem(temporary):
    temporary("adam-eager", Adam, family="adam", oblivious_scan=True, vhat="adam",
              beta1="betas[0]")
    prob = problems.make("logistic-sparse", d=300)
    lazy = simulate.run(prob, optimizers.make("adam", **_hyper()), T=60, runs=2)
    eager = simulate.run(prob, optimizers.make("adam-eager", **_hyper()), T=60, runs=2)
    assert lazy.metadata["engine"] == "sparse" and eager.metadata["engine"] == "dense"
    np.testing.assert_allclose(eager.losses, lazy.losses, rtol=1e-10)
    assert "sum_vhat_sqrt" in eager.stats


def test_unregistered_subclass_declares_nothing():
    """A subclass may change the update rule: it does not inherit Adam's declarations."""
    class MyAdam(Adam):
        pass
    opt = MyAdam(**_hyper())
    assert opt.entry is None and optimizers.caps_of(opt) == capabilities.NONE
    res = simulate.run("rkk-online", opt, T=200)
    ref = simulate.run("rkk-online", optimizers.make("adam", **_hyper()), T=200,
                       engine="dense")
    assert res.metadata["engine"] == "dense"
    np.testing.assert_array_equal(res.losses, ref.losses)
    assert "sum_vhat_sqrt" not in res.stats and bound_ids_for(opt) == ()


class _DeclaredDecay:
    """A user's schedule that declares itself as beta1 lambda^(t-1)."""

    kind = "beta1_decay"

    def __init__(self, beta1, lam):
        self.params = {"beta1": beta1, "lam": lam}
        self._inner = Beta1Decay(beta1, lam)

    def __call__(self, t):
        return self._inner(t)


def test_schedules_are_recognised_by_declaration():
    prob = problems.make("logistic-sparse", d=300)
    inst = prob.sample(40, 1, 0)
    runs = {}
    for key, b1 in (("class", Beta1Decay(0.9, 0.99)), ("declared", _DeclaredDecay(0.9, 0.99)),
                    ("undeclared", lambda t: Beta1Decay(0.9, 0.99)(t))):
        opt = optimizers.make("adam", lr=0.05, betas=(b1, 0.99))
        runs[key] = (sparse_support(prob, opt, "euclidean", inst),
                     simulate.run(prob, opt, T=40))
    assert runs["class"][0] is True and runs["declared"][0] is True
    assert "beta1_decay" in runs["undeclared"][0]
    assert [runs[k][1].metadata["engine"] for k in runs] == ["sparse", "sparse", "dense"]
    np.testing.assert_array_equal(runs["class"][1].losses, runs["declared"][1].losses)
    np.testing.assert_allclose(runs["undeclared"][1].losses, runs["class"][1].losses,
                               rtol=1e-10)
    assert declared(InverseSqrt(0.5)) == ("inverse_sqrt", {"alpha": 0.5})
    assert declared(lambda t: 1.0) is None


@pytest.mark.parametrize("caps, err, needle", [
    (dict(family="yogi", lazy_sparse=True), ValueError, "lazy_sparse=True needs family"),
    (dict(family="sgd", oblivious_scan=True), ValueError, "lacks"),
    (dict(vhat="adagrad"), ValueError, "lacks"),
    (dict(vhat="nonsense"), ValueError, "vhat must be one of"),
    (dict(beta1="beta9"), ValueError, "lacks"),
    (dict(lazy_sparse="yes"), TypeError, "lazy_sparse must be True or False"),
    (dict(wraps=True), ValueError, "lacks"),
])
def test_wrong_declarations_fail_at_register_time(caps, err, needle):
    with pytest.raises(err, match=needle):
        optimizers.register("bad-entry", Adam, summary="", source="", **caps)
    assert "bad-entry" not in optimizers.names()
