"""Problems: registry, seeded data, loss/gradient consistency, sparse = dense, bad input."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest

from adamlab.numerics import domains, problems

NAMES = problems.names()
EXPECTED = {"rkk-thm1", "rkk-online", "rkk-stochastic", "logistic-sparse", "logistic-dense",
            "hinge", "absolute", "quadratic", "linear-random", "linear-adversarial"}
SMALL = {"logistic-sparse": {"d": 60, "density": 0.1}}   # small instances for the tests


def make(name, **kw):
    return problems.make(name, **{**SMALL.get(name, {}), **kw})


def interior(prob, runs, seed=0):
    """Random points strictly inside F (or near the origin when unbounded)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-0.6, 0.6, (runs, prob.d))
    dom = prob.domain
    if isinstance(dom, domains.L2Ball):
        x = dom.center + x * (0.6 * dom.radius / np.maximum(
            np.linalg.norm(x, axis=1, keepdims=True), 1e-12))
    elif isinstance(dom, domains.Box):
        x = dom.lo + (np.asarray(dom.hi) - dom.lo) * (x + 0.6) / 1.2 * 0.8 + \
            0.1 * (np.asarray(dom.hi) - dom.lo)
    return x


def play(inst, theta_fn):
    """Play every step (the adaptive adversary needs it before a comparator)."""
    for t in range(1, inst.T + 1):
        inst.loss_and_grad(t, theta_fn(t))


def test_registry_lists_every_problem():
    assert set(NAMES) == EXPECTED
    for name in NAMES:
        entry = problems.get(name)
        assert entry.summary and entry.source
        prob = make(name)
        assert prob.name == name
        json.dumps(prob.to_json())
        assert isinstance(prob.domain, domains.Domain) and prob.domain.d == prob.d
        rebuilt = problems.make(name, **prob.params)     # params round-trip
        assert rebuilt.params == prob.params


def test_unknown_names_suggest_close_ones():
    with pytest.raises(ValueError, match="rkk-thm1"):
        problems.make("rkk-thm")
    with pytest.raises(ValueError, match="logistic-sparse"):
        problems.get("logistic_sparse")
    with pytest.raises(ValueError, match="unknown problem"):
        problems.get("no-such-thing")
    with pytest.raises(TypeError, match="name"):
        problems.get(3)
    with pytest.raises(TypeError, match="did you mean period"):
        problems.make("rkk-thm1", perod=3)


BAD = {
    "real": [(math.nan, ValueError), (math.inf, ValueError), ("1", TypeError),
             (True, TypeError), (None, TypeError)],
    "positive": [(0.0, ValueError), (-1.0, ValueError), (math.nan, ValueError),
                 (math.inf, ValueError), ("x", TypeError)],
    "nonneg": [(-1e-3, ValueError), (math.nan, ValueError), (-math.inf, ValueError)],
    "prob": [(0.0, ValueError), (1.0, ValueError), (math.nan, ValueError)],
    "fraction": [(0.0, ValueError), (1.5, ValueError), (math.nan, ValueError)],
    "unit": [(-0.1, ValueError), (1.0, ValueError), (math.nan, ValueError)],
    "int": [(0, ValueError), (-3, ValueError), (2.0, TypeError), (True, TypeError)],
    "bool": [(1, TypeError), ("yes", TypeError)],
    "choice": [("no-such", ValueError), (3, ValueError)],
    "domain": [("simplex", ValueError), (3, ValueError)],
}


def _bad_cases():
    for name in NAMES:
        for p in problems.get(name).params():
            for value, exc in BAD[p.kind]:
                yield pytest.param(name, p.name, value, exc, id=f"{name}-{p.name}-{value!r}")


@pytest.mark.parametrize("name,param,value,exc", list(_bad_cases()))
def test_bad_parameter_values(name, param, value, exc):
    with pytest.raises(exc) as info:
        make(name, **{param: value})
    assert param in str(info.value), str(info.value)


def test_cross_parameter_checks():
    with pytest.raises(ValueError, match="l2"):
        problems.make("logistic-dense", domain="unconstrained")
    with pytest.raises(ValueError, match="condition"):
        problems.make("quadratic", condition=0.5)
    with pytest.raises(ValueError, match="domain"):
        problems.make("hinge", domain="l2")
    with pytest.raises(ValueError, match="domain"):
        problems.make("logistic-sparse", domain=domains.L2Ball(1.0))
    with pytest.raises(ValueError, match="mismatched"):
        problems.make("quadratic", d=3, domain=domains.Box(np.zeros(4), np.ones(4)))
    p = problems.make("quadratic", d=2, domain=domains.L2Ball(2.0, [1.0, 0.0]))
    assert p.domain.radius == 2.0 and p.domain.d == 2


@pytest.mark.parametrize("kw,exc,word", [
    ({"T": 0}, ValueError, "T"), ({"T": -5}, ValueError, "T"), ({"T": 2.5}, TypeError, "T"),
    ({"T": 10, "runs": 0}, ValueError, "runs"), ({"T": 10, "runs": 1.0}, TypeError, "runs"),
    ({"T": 10, "seed": -1}, ValueError, "seed"), ({"T": 10, "seed": "a"}, TypeError, "seed"),
    ({"T": 10, "shared": 1}, TypeError, "shared"),
])
def test_bad_sample_arguments(kw, exc, word):
    with pytest.raises(exc) as info:
        problems.make("linear-random").sample(**kw)
    assert word in str(info.value)


def test_bad_step_arguments():
    prob = problems.make("linear-random", d=3)
    inst = prob.sample(5, runs=2)
    x = np.zeros((2, 3))
    for t, exc in ((0, ValueError), (6, ValueError), (1.0, TypeError)):
        with pytest.raises(exc, match="t"):
            inst.loss(t, x)
    with pytest.raises(ValueError, match="mismatched"):
        inst.grad(1, np.zeros((2, 4)))
    with pytest.raises(ValueError, match="mismatched"):
        inst.grad(1, np.zeros((3, 3)))
    with pytest.raises(ValueError, match="finite"):
        inst.loss(1, np.array([[0.0, np.nan, 0.0]] * 2))
    with pytest.raises(TypeError, match="theta"):
        inst.loss(1, [[0.0] * 3] * 2)
    with pytest.raises(TypeError, match="dtype"):
        inst.loss(1, np.zeros((2, 3), dtype=np.int64))
    for t0, t1 in ((-1, 2), (3, 3), (0, 6)):
        with pytest.raises(ValueError, match="t"):
            inst.linear_coefficients(t0, t1)


def _observe(inst, prob, steps, x):
    """Losses and dense gradients at fixed points for the given steps."""
    out = []
    for t in steps:
        f, g = inst.loss_and_grad(t, x)
        out.append((f.copy(), g.copy()))
    return out


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_same_bits_and_batch_independence(name):
    prob = make(name)
    T, steps = 40, [1, 2, 17, 40]
    x5 = interior(prob, 5)
    a = prob.sample(T, runs=5, seed=11)
    b = prob.sample(T, runs=5, seed=11)
    small = prob.sample(T, runs=2, seed=11)
    longer = prob.sample(3 * T, runs=5, seed=11)
    if prob.adaptive:                     # played in order, step by step
        steps = range(1, T + 1)
    oa, ob = _observe(a, prob, steps, x5), _observe(b, prob, steps, x5)
    os_, ol = _observe(small, prob, steps, x5[:2]), _observe(longer, prob, steps, x5)
    for (fa, ga), (fb, gb), (fs, gs), (fl, gl) in zip(oa, ob, os_, ol):
        assert np.array_equal(fa, fb) and np.array_equal(ga, gb)            # same bits
        assert np.array_equal(fa[:2], fs) and np.array_equal(ga[:2], gs)    # batch size
        assert np.array_equal(fa, fl) and np.array_equal(ga, gl)            # horizon
    if name not in ("rkk-thm1", "rkk-online", "linear-adversarial"):    # random data
        d11, d12 = prob.sample(500, seed=11).run_data(0), prob.sample(500, seed=12).run_data(0)
        assert any(not np.array_equal(d11[k], d12[k]) for k in d11)


@pytest.mark.parametrize("name", [n for n in NAMES if n not in ("rkk-thm1", "rkk-online",
                                                                 "linear-adversarial")])
def test_shared_data_repeats_run_zero_and_runs_differ_otherwise(name):
    prob = make(name)
    x = interior(prob, 3)
    shared = prob.sample(30, runs=3, seed=5, shared=True)
    alone = prob.sample(30, runs=1, seed=5)
    indep = prob.sample(30, runs=3, seed=5)
    fs = np.array([shared.loss(t, x) for t in range(1, 31)])
    f0 = np.array([alone.loss(t, x[r:r + 1])[0] for t in range(1, 31) for r in range(3)])
    np.testing.assert_array_equal(fs.ravel(), f0)
    long = prob.sample(500, runs=2, seed=5)
    d0 = {k: v[0] for k, v in long._range(0, 500).items()}
    d1 = {k: v[1] for k, v in long._range(0, 500).items()}
    assert any(not np.array_equal(d0[k], d1[k]) for k in d0)
    for k, v in indep._range(0, 30).items():        # run 0 of a batch = run 0 alone
        np.testing.assert_array_equal(v[0], alone._range(0, 30)[k][0])


@pytest.mark.parametrize("name", NAMES)
def test_loss_and_grad_agree_with_finite_differences(name):
    prob = make(name)
    inst = prob.sample(12, runs=2, seed=3)
    rng = np.random.default_rng(0)
    h = 1e-6
    for t in range(1, 13):
        x = interior(prob, 2, seed=t)
        f, g = inst.loss_and_grad(t, x)
        np.testing.assert_array_equal(f, inst.loss(t, x))
        np.testing.assert_array_equal(g, inst.grad(t, x))
        assert f.shape == (2,) and g.shape == (2, prob.d)
        for _ in range(3):
            v = rng.normal(size=(2, prob.d))
            fp, fm = inst.loss(t, x + h * v), inst.loss(t, x - h * v)
            dd = np.einsum("rd,rd->r", g, v)
            smooth = np.abs(fp + fm - 2 * f) < 1e-9 * (1 + np.abs(f))   # no kink crossed
            np.testing.assert_allclose(((fp - fm) / (2 * h))[smooth], dd[smooth],
                                       rtol=1e-5, atol=1e-6)
            # (sub)gradient inequality, exact for every convex loss
            y = prob.domain.project(x + 0.3 * v)
            assert np.all(inst.loss(t, y) >= f + np.einsum("rd,rd->r", g, y - x)
                          - 1e-10 * (1 + np.abs(f)))


def test_float32_iterates_give_float32_results():
    inst = problems.make("quadratic", d=3).sample(4, runs=2)
    f, g = inst.loss_and_grad(2, np.zeros((2, 3), dtype=np.float32))
    assert f.dtype == np.float32 and g.dtype == np.float32


def test_x0_is_feasible():
    for name in NAMES:
        prob = make(name)
        x0 = prob.x0(3)
        assert x0.shape == (3, prob.d) and np.all(prob.domain.contains(x0))
    with pytest.raises(ValueError, match="runs"):
        make("quadratic").x0(0)


def test_reddi_coefficients():
    thm1 = problems.make("rkk-thm1", C=3.0).sample(9, runs=2)
    a = thm1.linear_coefficients(0, 9)
    assert a.shape == (9, 2, 1)
    np.testing.assert_array_equal(a[:, 0, 0], [3, -1, -1] * 3)
    np.testing.assert_array_equal(thm1.linear_coefficients(3, 5)[:, 1, 0], [3, -1])
    online = problems.make("rkk-online").sample(202)
    a = online.linear_coefficients(0, 202)[:, 0, 0]
    assert a[0] == 1010 and a[101] == 1010 and a[1] == -10 and a.sum() == 2 * 1010 - 200 * 10
    per = problems.make("rkk-thm1", C=5.0, period=4, slope_other=2.0).sample(8)
    np.testing.assert_array_equal(per.linear_coefficients(0, 8)[:, 0, 0],
                                  [5, -2, -2, -2] * 2)
    sto = problems.make("rkk-stochastic").sample(200_000, runs=2, seed=1)
    hits = sto.linear_coefficients(0, 200_000)[:, :, 0] == 1010
    assert np.all(np.abs(hits.mean(axis=0) - 0.01) < 0.0015)
    assert set(np.unique(sto.linear_coefficients(0, 1000))) == {-10.0, 1010.0}
    assert problems.make("rkk-online").gradient_bounds() == {"G": 1010.0, "G_inf": 1010.0}


@pytest.mark.parametrize("name", [n for n in NAMES if problems.get(n).cls.linear
                                  and not problems.get(n).cls.adaptive])
def test_linear_coefficients_match_losses_and_prefix_comparators(name):
    prob = make(name)
    inst = prob.sample(50, runs=3, seed=2)
    x = interior(prob, 3)
    a = inst.linear_coefficients(0, 50)
    assert a.shape == (50, 3, prob.d)
    np.testing.assert_array_equal(np.concatenate([inst.linear_coefficients(0, 17),
                                                  inst.linear_coefficients(17, 50)]), a)
    for t in (1, 2, 50):
        np.testing.assert_array_equal(inst.grad(t, x), a[t - 1])
        np.testing.assert_allclose(inst.loss(t, x), np.einsum("rd,rd->r", a[t - 1], x),
                                   rtol=1e-14)
    np.testing.assert_allclose(inst.coefficient_sum(), a.sum(axis=0), rtol=1e-12, atol=1e-12)
    prefix = inst.prefix_best_losses()
    S = np.cumsum(a, axis=0)
    brute = np.array([[np.einsum("d,d->", S[t, r], prob.domain.argmin_linear(S[t, r][None])[0])
                       for r in range(3)] for t in range(50)])
    np.testing.assert_allclose(prefix, brute, rtol=1e-12, atol=1e-9)


def test_adversary_is_played_in_order():
    prob = problems.make("linear-adversarial", d=3)
    inst = prob.sample(4, runs=2)
    with pytest.raises(ValueError, match="after all T"):
        inst.comparator()
    x = np.array([[0.5, -0.5, 0.0], [0.0, 0.0, 0.0]])
    g = inst.grad(1, x)
    np.testing.assert_array_equal(g, [[1, -1, 1], [1, 1, 1]])
    np.testing.assert_array_equal(inst.loss(1, x), [1.0, 0.0])   # same step: same a_1
    with pytest.raises(ValueError, match="in order"):
        inst.grad(3, x)
    assert not hasattr(inst, "linear_coefficients")       # engines test with hasattr
    assert not hasattr(inst, "prefix_best_losses")
    for t in (2, 3, 4):
        inst.grad(t, -x)
    comp = inst.comparator()
    # -x has -0.0 where x has 0: a tie, which the adversary answers with +G
    np.testing.assert_array_equal(inst.coefficient_sum(), [[-2, 2, 4], [4, 4, 4]])
    np.testing.assert_array_equal(comp.theta, [[1, -1, -1], [-1, -1, -1]])
    np.testing.assert_array_equal(comp.total_loss, [-8.0, -12.0])
    inst.reset()
    assert inst.played == 0
    with pytest.raises(ValueError, match="after all T"):
        inst.comparator()


def test_gradient_bounds_hold():
    for name in NAMES:
        prob = make(name)
        bounds = prob.gradient_bounds()
        if bounds is None:
            continue
        inst = prob.sample(60, runs=2, seed=1)
        for t in range(1, 61):
            g = inst.grad(t, interior(prob, 2, seed=t))
            assert np.all(np.max(np.abs(g), axis=1) <= bounds["G_inf"] * (1 + 1e-12))
            assert np.all(np.linalg.norm(g, axis=1) <= bounds["G"] * (1 + 1e-12))
