"""The sparse bag-of-words problem: sparse gradients equal the dense ones, theta is read
only at the support, the Zipf sampler, and O(nnz) steps (split from test_problems.py)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from adamlab.numerics import problems
from adamlab.numerics.problems.logistic_sparse import ZipfSampler, hash_normal
from test_problems import interior


def _sparse(R=2, T=25, **kw):
    prob = problems.make("logistic-sparse", **{"d": 40, "density": 0.15, **kw})
    return prob, prob.sample(T, runs=R, seed=4)


def test_sparse_gradient_equals_dense_gradient_from_the_same_data():
    prob, inst = _sparse(normalize=True)
    k, v = prob.k, prob.value
    assert k == 6 and v == pytest.approx(1 / math.sqrt(6))
    x = interior(prob, 2)
    data = [inst.run_data(r) for r in range(2)]
    for t in range(1, 26):
        idx = inst.support(t)
        assert idx.shape == (2, k) and idx.dtype == np.int64
        assert np.all(np.diff(idx, axis=1) > 0)                  # sorted, unique
        f, gidx, gv = inst.loss_and_grad_sparse(t, x)
        np.testing.assert_array_equal(gidx, idx)
        f2, gv2 = inst.loss_and_grad_support(t, np.take_along_axis(x, idx, axis=1))
        np.testing.assert_array_equal(f, f2)
        np.testing.assert_array_equal(gv, gv2)
        dense = np.zeros((2, prob.d))
        np.put_along_axis(dense, gidx, gv, axis=1)
        np.testing.assert_array_equal(inst.grad(t, x), dense)
        # the dense logistic computed from scratch from the run's data
        for r in range(2):
            a = np.zeros(prob.d)
            a[data[r]["idx"][t - 1]] = v
            y = data[r]["y"][t - 1]
            m = y * a @ x[r]
            assert f[r] == pytest.approx(math.log1p(math.exp(-m)), rel=1e-14)
            np.testing.assert_allclose(dense[r], -y * a / (1 + math.exp(m)), rtol=1e-14)
        np.testing.assert_array_equal(data[0]["idx"][t - 1], idx[0])


def test_sparse_reads_theta_only_at_the_support():
    prob, inst = _sparse()
    x = interior(prob, 2)
    for t in (1, 7, 25):
        idx = inst.support(t)
        stale = np.full_like(x, np.nan)            # everything off the support is garbage
        np.put_along_axis(stale, idx, np.take_along_axis(x, idx, axis=1), axis=1)
        f, gidx, g = inst.loss_and_grad_sparse(t, stale)
        f0, _, g0 = inst.loss_and_grad_sparse(t, x)
        np.testing.assert_array_equal(f, f0)
        np.testing.assert_array_equal(g, g0)
        np.testing.assert_array_equal(inst.loss(t, stale), f0)
        bad = x.copy()
        np.put_along_axis(bad, idx[:, :1], np.nan, axis=1)
        with pytest.raises(ValueError, match="finite"):
            inst.loss_and_grad_sparse(t, bad)
    with pytest.raises(ValueError, match="mismatched"):
        inst.loss_and_grad_support(1, np.zeros((2, prob.k + 1)))
    assert prob.gradient_bounds()["G_inf"] == 1.0


def test_zipf_documents():
    d, k = 1000, 20
    s = ZipfSampler(d, k, 1.0)
    assert s.method == "rejection"
    docs = s.sample(np.random.default_rng(0), 3000)
    assert docs.shape == (3000, k)
    assert np.all(np.diff(docs, axis=1) > 0) and docs.min() >= 0 and docs.max() < d
    freq = np.bincount(docs.ravel(), minlength=d) / 3000
    assert freq[0] > 0.6 and freq[0] > freq[10] > freq[500]        # frequent words first
    # Gumbel-top-k (steep law, many words) draws from the same law: compare inclusions
    g = ZipfSampler(50, 25, 1.0)
    g.method = "gumbel"
    r = ZipfSampler(50, 25, 1.0)
    fg = np.bincount(g.sample(np.random.default_rng(1), 4000).ravel(), minlength=50) / 4000
    fr = np.bincount(r.sample(np.random.default_rng(2), 4000).ravel(), minlength=50) / 4000
    assert np.max(np.abs(fg - fr)) < 0.05
    assert ZipfSampler(100, 90, 2.0).method == "gumbel"
    assert ZipfSampler(10, 10, 0.0).method == "gumbel"
    full = ZipfSampler(10, 10, 0.0).sample(np.random.default_rng(0), 3)
    np.testing.assert_array_equal(full, np.tile(np.arange(10), (3, 1)))
    z = hash_normal(np.uint64(12345), np.arange(200_000))
    assert abs(z.mean()) < 0.01 and abs(z.std() - 1) < 0.01
    assert np.array_equal(z[:10], hash_normal(np.uint64(12345), np.arange(10)))


def test_large_sparse_step_is_cheap():
    """d = 10^6: sampling and steps never touch O(d) per step."""
    import time
    prob = problems.make("logistic-sparse", d=10**6, density=1e-3)
    inst = prob.sample(50, runs=1, seed=0)
    theta = np.zeros((1, 10**6))
    inst.support(1)
    start = time.perf_counter()
    for t in range(1, 51):
        idx = inst.support(t)
        inst.loss_and_grad_support(t, np.take_along_axis(theta, idx, axis=1))
    assert time.perf_counter() - start < 1.0
    assert idx.shape == (1, 1000)
