r"""Property tests: projections and the comparator.

* Euclidean projections :math:`\Pi_F` are idempotent (:math:`\Pi_F\Pi_F y = \Pi_F y`),
  land in F, and are non-expansive (:math:`\|\Pi_F x - \Pi_F y\| \le \|x - y\|`).
  Tolerances: exact for boxes (a clip); for the L2 ball relative :math:`8u` of the
  norms involved (one scaling by :math:`r/\|z\|`).
* The weighted projection :math:`\arg\min_{x\in F}\sum_i w_i(x_i-y_i)^2` (Reddi et al.
  2018, Alg. 2) lies in F, is idempotent, and its objective is no larger than what
  an independent solver finds (scipy.optimize SLSQP from several starts, d <= 4),
  up to :math:`10^{-9}` relative.
* The comparator (best fixed point in hindsight) has cumulative loss no larger
  than any fixed point of F we try -- random points, vertices / boundary points,
  and small perturbations of the comparator itself -- up to its own certified
  suboptimality bound plus :math:`10^{-10}` relative.
"""
from __future__ import annotations

import itertools

import numpy as np
import scipy.optimize as so
from hypothesis import given
from hypothesis import strategies as st

from adamlab.numerics import problems as P
from prop_util import U
from strategies import domains, points, problems, weights


def _norm(a):
    return np.linalg.norm(a, axis=-1)


@given(data=st.data(), d=st.integers(1, 5), R=st.integers(1, 3))
def test_projection_idempotent_in_F_and_nonexpansive(data, d, R):
    F = data.draw(domains(d))
    x, y = data.draw(points(R, d)), data.draw(points(R, d))
    px, py = F.project(x), F.project(y)
    scale = 1 + _norm(np.abs(x) + np.abs(y))
    assert np.all(F.contains(px, rtol=8 * U * 10))
    assert np.all(_norm(F.project(px) - px) <= 8 * U * scale)
    assert np.all(_norm(px - py) <= _norm(x - y) * (1 + 8 * U) + 8 * U * scale)
    if F.separable:
        np.testing.assert_array_equal(F.project(px), px)


def _weighted_obj(x, y, w):
    return float(np.sum(w * (x - y) ** 2))


def _scipy_weighted(F, y, w):
    """Independent reference: SLSQP on the same objective, best of a few starts."""
    d = y.size
    cons, bounds = [], None
    if F.name == "l2_ball":
        c = np.broadcast_to(F.center, (d,))
        cons = [{"type": "ineq", "fun": lambda x: F.radius ** 2 - np.sum((x - c) ** 2),
                 "jac": lambda x: -2 * (x - c)}]
    elif F.name in ("box", "linf_ball"):
        bounds = list(zip(np.broadcast_to(F.lo, (d,)), np.broadcast_to(F.hi, (d,))))
    starts = [F.project(y), F.project(np.zeros(d)), np.broadcast_to(
        getattr(F, "center", 0.0), (d,)).astype(float)]
    best = None
    for x0 in starts:
        r = so.minimize(_weighted_obj, x0, args=(y, w), jac=lambda x, y, w: 2 * w * (x - y),
                        method="SLSQP", bounds=bounds, constraints=cons,
                        options={"ftol": 1e-15, "maxiter": 500})
        x = F.project(r.x)   # feasible for sure
        if best is None or _weighted_obj(x, y, w) < _weighted_obj(best, y, w):
            best = x
    return best


@given(data=st.data(), d=st.integers(1, 4))
def test_weighted_projection_minimises_weighted_norm(data, d):
    F = data.draw(domains(d, bounded=True))
    y = data.draw(points(1, d, bound=20.0))[0]
    w = data.draw(weights(1, d))[0]
    x = F.project_weighted(y, w)
    assert np.all(F.contains(x, rtol=1e-12))
    np.testing.assert_allclose(F.project_weighted(x, w), x, rtol=0, atol=1e-12 * (1 + np.abs(x).max()))
    ref = _scipy_weighted(F, y, w)
    ours, theirs = _weighted_obj(x, y, w), _weighted_obj(ref, y, w)
    assert ours <= theirs * (1 + 1e-9) + 1e-12, (ours, theirs)


@given(data=st.data(), d=st.integers(1, 4), c=st.floats(1e-3, 1e3))
def test_weighted_projection_with_equal_weights_is_euclidean(data, d, c):
    F = data.draw(domains(d, bounded=True))
    y = data.draw(points(2, d, bound=20.0))
    np.testing.assert_allclose(F.project_weighted(y, c), F.project(y), rtol=1e-10, atol=1e-12)


def _candidates(F, comp_theta, rng, R):
    """Random points of F, vertices / boundary points, perturbed comparators: (k, R, d)."""
    d = comp_theta.shape[-1]
    out = [F.project(rng.normal(scale=3.0, size=(R, d))) for _ in range(6)]
    if F.name in ("box", "linf_ball"):
        lo, hi = np.broadcast_to(F.lo, (d,)), np.broadcast_to(F.hi, (d,))
        for corner in itertools.islice(itertools.product((0, 1), repeat=d), 16):
            v = np.where(np.array(corner) == 1, hi, lo)
            out.append(np.broadcast_to(v, (R, d)).copy())
    elif F.name == "l2_ball":
        for _ in range(4):
            z = rng.normal(size=(R, d))
            out.append(F.center + F.radius * z / _norm(z)[:, None])
    for eps in (1e-6, 1e-3, 1e-1):
        out.append(F.project(comp_theta + eps * rng.normal(size=(R, d))))
    return out


@given(case=problems(), T=st.integers(1, 60), seed=st.integers(0, 2**16), R=st.integers(1, 2))
def test_comparator_beats_every_fixed_point(case, T, seed, R):
    name, params = case
    inst = P.make(name, **params).sample(T, runs=R, seed=seed)
    comp = inst.comparator()
    total = comp.total_loss
    np.testing.assert_allclose(inst.cumulative_loss(comp.theta), total, rtol=1e-12,
                               atol=1e-12)
    assert np.all(inst.domain.contains(comp.theta, rtol=1e-9))
    rng = np.random.default_rng(seed)
    for x in _candidates(inst.domain, comp.theta, rng, R):
        other = inst.cumulative_loss(x)
        assert np.all(total - comp.bound <= other + 1e-10 * (1 + np.abs(other))), (
            name, total, comp.bound, other)
