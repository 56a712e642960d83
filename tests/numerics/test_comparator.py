"""The best fixed point in hindsight: optimal, certified, and checked against other solvers."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import optimize

from adamlab.numerics import comparator as C
from adamlab.numerics import domains, problems

SMALL = {"logistic-sparse": {"d": 300, "density": 0.03}}
T = 150
CASES = []
for _name in problems.names():
    for _kw in ({}, {"domain": "l2"}, {"domain": "unconstrained", "l2": 0.01}):
        try:
            problems.make(_name, **{**SMALL.get(_name, {}), **_kw})
        except (TypeError, ValueError):    # no such domain for this problem
            continue
        CASES.append(pytest.param(_name, _kw, id=f"{_name}-{_kw.get('domain', 'default')}"))


def _instance(name, kw, runs=2, seed=1, T=T):
    prob = problems.make(name, **{**SMALL.get(name, {}), **kw})
    inst = prob.sample(T, runs=runs, seed=seed)
    if prob.adaptive:
        for t in range(1, T + 1):
            inst.grad(t, prob.domain.project(np.full((runs, prob.d), 0.3 * math.sin(t))))
    return prob, inst


def _feasible_points(dom, d, n, rng):
    """Random points of F, vertices (box) or boundary points (ball) included."""
    if isinstance(dom, domains.Box):
        lo, hi = np.broadcast_to(dom.lo, (d,)), np.broadcast_to(dom.hi, (d,))
        u = rng.uniform(size=(n, d))
        u[: n // 2] = np.round(u[: n // 2])                 # vertices
        return lo + (hi - lo) * u
    if isinstance(dom, domains.L2Ball):
        z = rng.normal(size=(n, d))
        z /= np.linalg.norm(z, axis=1, keepdims=True)
        z[n // 2:] *= rng.uniform(size=(n - n // 2, 1))     # boundary, then interior
        return dom.center + dom.radius * z
    return rng.normal(size=(n, d))


@pytest.mark.parametrize("name,kw", CASES)
def test_comparator_is_optimal_and_certified(name, kw):
    prob, inst = _instance(name, kw)
    comp = inst.comparator()
    assert comp is inst.comparator()                        # cached
    R, d = 2, prob.d
    assert comp.theta.shape == (R, d) and comp.total_loss.shape == (R,)
    assert np.all(prob.domain.contains(comp.theta))
    np.testing.assert_allclose(inst.cumulative_loss(comp.theta), comp.total_loss,
                               rtol=1e-12, atol=1e-12)
    cert = comp.certificate
    assert cert["certified"] and comp.certified, cert
    assert cert["method"] == comp.method
    assert cert["suboptimality_bound"] <= C.DEFAULT_TOL * max(1.0, float(np.max(
        np.abs(comp.total_loss))))
    assert cert["kkt_residual"] <= 1e-6 * T
    if prob.domain.bounded:
        assert cert["duality_gap"] is not None
    # no random point, vertex or boundary point of F does better (beyond the bound)
    rng = np.random.default_rng(0)
    for p in _feasible_points(prob.domain, d, 24, rng):
        others = inst.cumulative_loss(np.broadcast_to(p, (R, d)).copy())
        assert np.all(comp.total_loss <= others + comp.bound + 1e-12 * np.abs(others))
    out = comp.to_json()
    json.dumps(out)
    assert out["method"] == comp.method and len(out["total_loss"]) == R


def test_reddi_comparators_are_exact():
    for Tn in (1, 2, 3, 30, 3001):
        comp = problems.make("rkk-thm1", C=3.0).sample(Tn).comparator()
        n1 = (Tn - 1) // 3 + 1
        S = 3 * n1 - (Tn - n1)
        assert comp.total_loss[0] == -abs(S) and comp.theta[0, 0] == -np.sign(S)
    comp = problems.make("rkk-online").sample(101 * 50).comparator()
    assert comp.total_loss[0] == -10.0 * 50 and comp.theta[0, 0] == -1.0
    assert comp.method == "closed-form" and comp.bound[0] == 0.0
    # a period where the sum is 0: x* = 0 (the centre), total 0
    comp = problems.make("rkk-thm1", C=2.0).sample(3).comparator()
    assert comp.theta[0, 0] == 0.0 and comp.total_loss[0] == 0.0
    inst = problems.make("rkk-stochastic").sample(5000, runs=3, seed=2)
    a = inst.linear_coefficients(0, 5000)[:, :, 0]
    np.testing.assert_array_equal(inst.comparator().total_loss, -np.abs(a.sum(axis=0)))
    np.testing.assert_array_equal(inst.prefix_best_losses(), -np.abs(np.cumsum(a, axis=0)))


def test_quadratic_on_a_ball_matches_scipy():
    prob = problems.make("quadratic", d=4, domain="l2", mean=2.0, condition=50.0)
    inst = prob.sample(80, runs=1, seed=3)
    comp = inst.comparator()
    assert np.linalg.norm(comp.theta[0]) == pytest.approx(1.0, abs=1e-15)  # on the boundary
    fun = lambda v: float(inst.cumulative_loss(v[None])[0])  # noqa: E731
    cons = {"type": "ineq", "fun": lambda v: 1.0 - v @ v}
    res = optimize.minimize(fun, np.zeros(4), method="SLSQP", constraints=[cons],
                            options={"ftol": 1e-14, "maxiter": 500})
    assert comp.total_loss[0] <= res.fun + 1e-9
    np.testing.assert_allclose(comp.theta[0], res.x, atol=1e-5)


@pytest.mark.parametrize("domain", ["box", "l2", "unconstrained"])
def test_logistic_dense_matches_an_independent_solver(domain):
    kw = {"d": 5, "domain": domain, "radius": 0.5}
    if domain == "unconstrained":
        kw["l2"] = 0.05
    prob = problems.make("logistic-dense", **kw)
    inst = prob.sample(120, runs=1, seed=4)
    comp = inst.comparator()
    fun = lambda v: float(inst.cumulative_loss(v[None])[0])  # noqa: E731
    if domain == "box":
        res = optimize.minimize(fun, np.zeros(5), method="SLSQP",
                                bounds=[(-0.5, 0.5)] * 5, options={"ftol": 1e-14})
    elif domain == "l2":
        res = optimize.minimize(fun, np.zeros(5), method="SLSQP", options={"ftol": 1e-14},
                                constraints=[{"type": "ineq", "fun": lambda v: 0.25 - v @ v}])
    else:
        res = optimize.minimize(fun, np.zeros(5), method="BFGS", options={"gtol": 1e-10})
    assert comp.total_loss[0] <= res.fun + 1e-9
    assert res.fun >= comp.total_loss[0] - comp.bound[0] - 1e-9   # the bound is honest


@pytest.mark.parametrize("name", ["hinge", "absolute"])
def test_piecewise_lp_matches_interior_point(name):
    prob = problems.make(name, d=4, radius=0.7)
    inst = prob.sample(100, runs=1, seed=5)
    comp = inst.comparator()
    data = inst.run_data(0)
    a = data["a"]
    eye = np.eye(100)
    if name == "hinge":
        A_ub = np.hstack([-(data["y"][:, None] * a), -eye])
        b_ub = -np.ones(100)
    else:
        A_ub = np.vstack([np.hstack([a, -eye]), np.hstack([-a, -eye])])
        b_ub = np.concatenate([data["b"], -data["b"]])
    res = optimize.linprog(np.r_[np.zeros(4), np.ones(100)], A_ub=A_ub, b_ub=b_ub,
                           bounds=[(-0.7, 0.7)] * 4 + [(0, None)] * 100, method="highs-ipm")
    assert comp.total_loss[0] == pytest.approx(res.fun, rel=1e-8, abs=1e-8)
    assert comp.duality_gap[0] <= 1e-9 * max(1.0, comp.total_loss[0])


def test_sparse_logistic_comparator_agrees_with_dense_reformulation():
    prob = problems.make("logistic-sparse", d=80, density=0.05, radius=0.5)
    inst = prob.sample(200, runs=1, seed=6)
    comp = inst.comparator()
    A = inst.matrix(0).toarray()
    fun = lambda v: float(np.sum(np.logaddexp(0.0, -(A @ v))))  # noqa: E731
    jac = lambda v: -(A.T @ (1.0 / (1.0 + np.exp(A @ v))))  # noqa: E731
    res = optimize.minimize(fun, np.zeros(80), jac=jac, method="L-BFGS-B",
                            bounds=[(-0.5, 0.5)] * 80,
                            options={"ftol": 1e-15, "gtol": 1e-12, "maxiter": 5000})
    assert comp.total_loss[0] <= res.fun + 1e-9
    assert res.fun >= comp.total_loss[0] - comp.bound[0] - 1e-9
    assert comp.info["words_used"][0] <= 80
    unused = np.setdiff1d(np.arange(80), np.unique(inst.matrix(0).indices))
    assert np.all(comp.theta[0, unused] == 0.0)


def test_shared_data_is_solved_once():
    prob = problems.make("logistic-dense", d=4)
    comp = prob.sample(60, runs=3, seed=1, shared=True).comparator()
    assert np.array_equal(comp.theta[0], comp.theta[2])
    alone = prob.sample(60, runs=1, seed=1).comparator()
    np.testing.assert_array_equal(comp.theta[1], alone.theta[0])


def test_comparator_is_remembered_per_problem_and_data_key(monkeypatch):
    """Series of one experiment share a problem object: the comparator of the same data
    (T, runs, seed, shared) is solved once; any other key is solved afresh, and the
    answer equals a fresh problem's.  Adaptive problems are never shared."""
    from adamlab.numerics.problems import _instance
    prob = problems.make("logistic-dense", d=3)
    calls = []
    cls = type(prob.sample(5, runs=1, seed=0))
    orig = cls._comparator
    monkeypatch.setattr(cls, "_comparator", lambda self: calls.append(1) or orig(self))
    a = prob.sample(80, runs=2, seed=3).comparator()
    b = prob.sample(80, runs=2, seed=3).comparator()
    assert b is a and len(calls) == 1
    prob.sample(80, runs=2, seed=4).comparator()
    prob.sample(79, runs=2, seed=3).comparator()
    prob.sample(80, runs=2, seed=3, shared=True).comparator()
    assert len(calls) == 4
    fresh = problems.make("logistic-dense", d=3).sample(80, runs=2, seed=3).comparator()
    np.testing.assert_array_equal(fresh.theta, a.theta)
    for s in range(10, 10 + _instance.COMPARATOR_MEMO):   # the memo is bounded
        prob.sample(20, runs=1, seed=s).comparator()
    assert len(prob._comparator_memo) == _instance.COMPARATOR_MEMO
    adaptive = problems.make("logistic-dense", d=3)
    adaptive.adaptive = True          # as linear-adversarial: losses depend on the play
    calls.clear()
    x = adaptive.sample(30, runs=1, seed=0).comparator()
    y = adaptive.sample(30, runs=1, seed=0).comparator()
    assert len(calls) == 2 and x is not y and not hasattr(adaptive, "_comparator_memo")


def test_run_results_do_not_alias_a_remembered_comparator():
    from adamlab.numerics import optimizers, simulate
    prob = problems.make("logistic-dense", d=3)
    r1 = simulate.run(prob, optimizers.make("sgd", lr=0.1), T=40, runs=2, seed=0)
    r2 = simulate.run(prob, optimizers.make("adam"), T=40, runs=2, seed=0)
    np.testing.assert_array_equal(r1.comparator["theta"], r2.comparator["theta"])
    r1.comparator["theta"][:] = 7.0
    assert not np.any(r2.comparator["theta"] == 7.0)
    assert r2.comparator["total_loss"] is not r1.comparator["total_loss"]


@given(st.integers(1, 5), st.integers(0, 10**6), st.floats(0.01, 3.0))
def test_certificates_bound_the_true_suboptimality(d, seed, spread):
    """At any feasible point, the certified bound is >= F(x) - min F (linear and strongly
    convex quadratic totals, whose minimum is known in closed form)."""
    rng = np.random.default_rng(seed)
    for dom in (domains.Box(-1.0, 1.0, d), domains.L2Ball(1.0, d=d)):
        S = rng.normal(size=(1, d))
        fmin = -dom.support(-S)
        x = dom.project(rng.normal(size=(1, d)) * spread)
        kkt, gap, bound = C.certify(dom, x, S)
        assert bound[0] >= float(S[0] @ x[0]) - fmin[0] - 1e-12
    # strongly convex: F(x) = mu/2 ||x - z||^2 on R^d, min 0 at z
    mu, z = float(rng.uniform(0.1, 5)), rng.normal(size=(1, d))
    x = z + rng.normal(size=(1, d)) * spread
    kkt, gap, bound = C.certify(domains.Unconstrained(d), x, mu * (x - z), mu=mu)
    assert gap is None
    assert bound[0] >= 0.5 * mu * float(np.sum((x - z) ** 2)) * (1 - 1e-12)


def test_comparator_json_and_uncertified_flag():
    comp = C.Comparator(np.zeros((2, 1)), [1.0, 2.0], "test", kkt_residual=[0.0, 0.1],
                        duality_gap=None, bound=[0.0, math.inf], tolerance=1e-9)
    assert not comp.certified
    out = comp.to_json()
    assert out["certificate"]["suboptimality_bound"] == "inf"
    assert out["certificate"]["duality_gap"] is None
    json.dumps(out)
    assert "theta" in out and "theta" not in comp.to_json(include_theta=False)
    assert "certified=False" in repr(comp)
