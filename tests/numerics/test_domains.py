"""Feasible sets: projections idempotent, non-expansive, weighted ones exact; bad input."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import optimize

from adamlab.numerics import domains as D
from adamlab.numerics.domains import L2Ball, LinfBall, Box, Unconstrained, secular_root

finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)


@st.composite
def domain_and_points(draw, n_points=2):
    d = draw(st.integers(1, 6))
    R = draw(st.integers(1, 4))
    kind = draw(st.sampled_from(["box", "box_arr", "linf", "l2", "l2_center", "free"]))
    rnd = lambda *shape: np.array(draw(st.lists(finite, min_size=int(np.prod(shape)),  # noqa
                                                max_size=int(np.prod(shape))))).reshape(shape)
    if kind == "box":
        lo = draw(st.floats(-5, 0))
        dom = Box(lo, lo + draw(st.floats(0.0, 5)), d)
    elif kind == "box_arr":
        lo = rnd(d) / 100
        dom = Box(lo, lo + np.abs(rnd(d)) / 100)
    elif kind == "linf":
        dom = LinfBall(draw(st.floats(1e-3, 10)), rnd(d) / 100)
    elif kind == "l2":
        dom = L2Ball(draw(st.floats(1e-3, 10)), d=d)
    elif kind == "l2_center":
        dom = L2Ball(draw(st.floats(1e-3, 10)), rnd(d) / 100)
    else:
        dom = Unconstrained(d)
    return dom, [rnd(R, d) for _ in range(n_points)]


def _scale(*xs):
    return 1.0 + max(float(np.max(np.abs(x))) for x in xs)


@given(domain_and_points())
def test_projection_idempotent_and_feasible(case):
    dom, (x, _) = case
    p = dom.project(x)
    assert p.shape == x.shape
    assert np.all(dom.contains(p))
    pp = dom.project(p)
    if isinstance(dom, (Box, Unconstrained)):
        assert np.array_equal(pp, p)            # exactly idempotent
    else:
        np.testing.assert_allclose(pp, p, rtol=0, atol=4e-16 * _scale(p))


@given(domain_and_points())
def test_projection_non_expansive(case):
    dom, (x, y) = case
    lhs = np.linalg.norm(dom.project(x) - dom.project(y), axis=-1)
    rhs = np.linalg.norm(x - y, axis=-1)
    assert np.all(lhs <= rhs * (1 + 1e-12) + 1e-12 * _scale(x, y))


@given(domain_and_points(n_points=3))
def test_projection_variational_inequality(case):
    """<x - P(x), y - P(x)> <= 0 for every y in F: P(x) is the nearest point."""
    dom, (x, y, _) = case
    p, q = dom.project(x), dom.project(y)
    ip = np.einsum("rd,rd->r", x - p, q - p)
    assert np.all(ip <= 1e-9 * _scale(x, y) ** 2)


@given(domain_and_points(n_points=3))
def test_weighted_projection_optimal(case):
    """<W (x - P_W(x)), y - P_W(x)> <= 0 for all y in F (the weighted nearest point)."""
    dom, (x, y, w) = case
    w = np.abs(w) / 100
    p = dom.project_weighted(x, w)
    assert np.all(dom.contains(p, rtol=1e-12))
    q = dom.project(y)
    ip = np.einsum("rd,rd->r", w * (x - p), q - p)
    assert np.all(ip <= 1e-9 * _scale(x, y) ** 2 * (1 + float(np.max(w))))
    # and it is never farther (weighted) than the Euclidean projection or another point
    cost = lambda z: np.sum(w * (z - x) ** 2, axis=-1)  # noqa: E731
    tol = 1e-9 * _scale(x, y) ** 2 * (1 + float(np.max(w)))
    assert np.all(cost(p) <= cost(dom.project(x)) + tol)
    assert np.all(cost(p) <= cost(q) + tol)


@given(domain_and_points())
def test_weighted_projection_with_equal_weights_is_euclidean(case):
    dom, (x, _) = case
    c = 0.37
    np.testing.assert_allclose(dom.project_weighted(x, c), dom.project(x), rtol=1e-12,
                               atol=1e-12 * _scale(x))


def test_box_weighted_projection_is_clip_for_any_weights():
    rng = np.random.default_rng(0)
    box = Box(-np.arange(1, 5.0), np.arange(1, 5.0))
    x = rng.normal(size=(7, 4)) * 5
    w = rng.exponential(size=(7, 4))
    assert np.array_equal(box.project_weighted(x, w), np.clip(x, box.lo, box.hi))


@pytest.mark.parametrize("seed", range(6))
def test_l2_weighted_projection_matches_scipy_and_brentq(seed):
    rng = np.random.default_rng(seed)
    d = int(rng.integers(1, 7))
    ball = L2Ball(float(rng.uniform(0.2, 2)), rng.normal(size=d) * 0.3)
    y = ball.center + rng.normal(size=d) * 3
    w = rng.exponential(size=d)
    z = y - ball.center
    if np.linalg.norm(z) <= ball.radius:
        y = ball.center + z * (2 * ball.radius / np.linalg.norm(z))
        z = y - ball.center
    x = ball.project_weighted(y, w)
    # the multiplier by brentq to machine precision
    phi = lambda lam: np.sum((w * z / (w + lam)) ** 2) - ball.radius ** 2  # noqa: E731
    lam = optimize.brentq(phi, 0.0, np.linalg.norm(w * z) / ball.radius, xtol=1e-300,
                          rtol=4 * np.finfo(float).eps)
    np.testing.assert_allclose(x, ball.center + w * z / (w + lam), rtol=1e-13, atol=1e-14)
    assert secular_root((w * z)[None], w[None], ball.radius)[0] == pytest.approx(lam, rel=1e-13)
    # scipy's constrained minimizer never does better (up to its own feasibility slack)
    cons = {"type": "ineq", "fun": lambda v: ball.radius ** 2 - np.sum((v - ball.center) ** 2),
            "jac": lambda v: -2 * (v - ball.center)}
    res = optimize.minimize(lambda v: np.sum(w * (v - y) ** 2), ball.center, method="SLSQP",
                            jac=lambda v: 2 * w * (v - y), constraints=[cons],
                            options={"ftol": 1e-15, "maxiter": 500})
    ours = np.sum(w * (x - y) ** 2)
    assert ours <= res.fun + 1e-9 * (1 + res.fun)
    np.testing.assert_allclose(x, res.x, atol=1e-6)
    assert np.linalg.norm(x - ball.center) <= ball.radius * (1 + 1e-15)


def test_l2_weighted_projection_zero_weights():
    ball = L2Ball(1.0, d=3)
    # weighted coordinates fit: they stay; the free one shrinks onto the remaining radius
    x = ball.project_weighted(np.array([0.6, 0.0, 5.0]), np.array([1.0, 1.0, 0.0]))
    np.testing.assert_allclose(x, [0.6, 0.0, 0.8], atol=1e-15)
    # weighted coordinates alone are outside: zero-weight ones go to the centre
    x = ball.project_weighted(np.array([3.0, 4.0, 5.0]), np.array([1.0, 1.0, 0.0]))
    np.testing.assert_allclose(x, [0.6, 0.8, 0.0], atol=1e-15)
    # all weights zero: any feasible point is optimal; we return the nearest
    x = ball.project_weighted(np.array([3.0, 4.0, 0.0]), 0.0)
    np.testing.assert_allclose(x, [0.6, 0.8, 0.0], atol=1e-15)


def test_inside_points_unchanged_and_inputs_not_mutated():
    ball = L2Ball(2.0, d=3)
    x = np.array([[0.1, 0.2, 0.3], [3.0, 0.0, 0.0]])
    keep = x.copy()
    p = ball.project_weighted(x, np.array([1.0, 2.0, 3.0]))
    assert np.array_equal(x, keep)
    assert np.array_equal(p[0], x[0])
    assert p.dtype == x.dtype


def test_float32_is_kept():
    for dom in (Box(-1, 1, 3), L2Ball(1.0, d=3), LinfBall(1.0, d=3), Unconstrained(3)):
        x = np.full((2, 3), 2.0, dtype=np.float32)
        assert dom.project(x).dtype == np.float32
        assert dom.project_weighted(x, np.ones(3)).dtype == np.float32


def test_project_coords_matches_full_projection():
    rng = np.random.default_rng(1)
    box = Box(-rng.uniform(0, 1, 10), rng.uniform(0, 1, 10))
    x = rng.normal(size=(3, 10)) * 2
    idx = np.sort(rng.choice(10, size=(3, 4)), axis=1)
    vals = np.take_along_axis(x, idx, axis=1)
    full = box.project(x)
    np.testing.assert_array_equal(box.project_coords(vals, idx),
                                  np.take_along_axis(full, idx, axis=1))
    assert np.array_equal(Unconstrained(10).project_coords(vals, idx), vals)
    assert box.separable and LinfBall(1.0).separable and not L2Ball(1.0).separable
    with pytest.raises(ValueError, match="separable"):
        L2Ball(1.0, d=10).project_coords(vals, idx)
    with pytest.raises(ValueError, match="idx"):
        box.project_coords(vals, idx + 10)
    with pytest.raises(ValueError, match="idx"):
        box.project_coords(vals, idx[:, :2])


@given(domain_and_points())
def test_support_argmin_and_gaps(case):
    dom, (a, x) = case
    if isinstance(dom, Unconstrained):
        with pytest.raises(ValueError):
            dom.argmin_linear(a)
        return
    xs = dom.argmin_linear(a)
    assert np.all(dom.contains(xs))
    sc = _scale(a) * (1 + max(1.0, float(np.max(np.abs(xs)))))
    np.testing.assert_allclose(np.einsum("rd,rd->r", a, xs), -dom.support(-a),
                               atol=1e-12 * sc * a.shape[1])
    assert np.all(dom.fw_gap(xs, a) <= 1e-12 * sc * a.shape[1])
    assert np.all(dom.kkt_residual(xs, a) <= 1e-12 * sc * a.shape[1])
    # at any feasible point the gap bounds the suboptimality of <a, .>
    p = dom.project(x)
    sub = np.einsum("rd,rd->r", a, p) - np.einsum("rd,rd->r", a, xs)
    assert np.all(dom.fw_gap(p, a) >= sub - 1e-9 * sc * a.shape[1])


def test_diameters():
    assert Box(-1, 1, 4).diameter_2 == pytest.approx(4.0)
    assert Box(-1, 1, 4).diameter_inf == 2.0
    assert LinfBall(0.5, d=9).diameter_2 == pytest.approx(3.0)
    assert L2Ball(2.0).diameter_2 == 4.0 and L2Ball(2.0).diameter_inf == 4.0
    assert Unconstrained().diameter_2 == math.inf
    assert Box(np.array([0.0, 0.0]), np.array([3.0, 4.0])).diameter_2 == pytest.approx(5.0)
    with pytest.raises(ValueError, match="bind"):
        _ = Box(-1, 1).diameter_2
    assert not Box(-math.inf, 1.0, 2).bounded


def test_json_round_trip():
    for dom in (Box(-1, 2, 3), Box(np.zeros(2), np.ones(2)), LinfBall(0.5, [1.0, 2.0]),
                L2Ball(3.0, d=4), Unconstrained(5)):
        spec = dom.to_json()
        json.dumps(spec)
        assert D.from_json(spec) == dom
    with pytest.raises(ValueError, match="kind"):
        D.from_json({"kind": "simplex"})


@pytest.mark.parametrize("make,exc,word", [
    (lambda: Box(1.0, -1.0), ValueError, "lo"),
    (lambda: Box(np.zeros(3), np.ones(2)), ValueError, "mismatched"),
    (lambda: Box(np.nan, 1.0), ValueError, "lo"),
    (lambda: Box("a", 1.0), TypeError, "lo"),
    (lambda: Box(-1, 1, d=0), ValueError, "d"),
    (lambda: Box(-1, 1, d=2.0), TypeError, "d"),
    (lambda: L2Ball(0.0), ValueError, "radius"),
    (lambda: L2Ball(math.nan), ValueError, "radius"),
    (lambda: L2Ball(math.inf), ValueError, "radius"),
    (lambda: L2Ball(-1.0), ValueError, "radius"),
    (lambda: L2Ball(1.0, [0.0, math.inf]), ValueError, "center"),
    (lambda: L2Ball(1.0, np.zeros(3), d=2), ValueError, "mismatched"),
    (lambda: LinfBall(np.ones(2)), ValueError, "radius"),
    (lambda: Box(-1, 1, 3).project(np.zeros(4)), ValueError, "theta"),
    (lambda: Box(-1, 1, 3).project(np.array([0.0, np.nan, 0.0])), ValueError, "theta"),
    (lambda: Box(-1, 1, 3).project("x"), TypeError, "theta"),
    (lambda: Box(-1, 1, 3).project(np.zeros((2, 2, 3))), ValueError, "theta"),
    (lambda: L2Ball(1.0, d=3).project_weighted(np.zeros(3), -np.ones(3)), ValueError, "weights"),
    (lambda: L2Ball(1.0, d=3).project_weighted(np.zeros(3), np.ones(2)), ValueError, "weights"),
    (lambda: L2Ball(1.0, d=3).project_weighted(np.zeros(3), [np.nan] * 3), ValueError,
     "weights"),
    (lambda: Box(-1, 1, 3).project_weighted(np.zeros(3), "w"), TypeError, "weights"),
])
def test_bad_input(make, exc, word):
    with pytest.raises(exc) as info:
        make()
    assert word in str(info.value), str(info.value)
