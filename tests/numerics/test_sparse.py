"""The lazy sparse engine equals the dense reference; its catch-up sums are exact."""
from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest

from adamlab.numerics import domains, optimizers, problems, simulate
from adamlab.numerics.optimizers.schedules import Beta1Decay, InverseSqrt
from adamlab.numerics.sim.sparse_tables import DriftTables
from interrupt import interrupted_at
from sparse_checks import rel, stats_agree


# -- a stand-in sparse problem: separable quadratics, supports of varying size ----------------
class _SparseQuadInstance:
    """f_t(x) = sum_{j in S_t} (w_tj x_j + x_j^2 / 2); only grad_sparse and loss (no support())."""

    def __init__(self, prob, T, runs, seed):
        rng = np.random.default_rng(seed)
        self.problem, self.T, self.runs, self.d, self.domain = prob, T, runs, prob.d, \
            prob.domain
        self.idx, self.w = [], []
        for _ in range(T):
            k = int(rng.integers(1, 7))
            self.idx.append(np.sort(rng.choice(prob.d, k, replace=False)))
            self.w.append(rng.normal(size=(runs, k)) * 3)

    def grad_sparse(self, t, theta):
        idx = np.broadcast_to(self.idx[t - 1], (self.runs, len(self.idx[t - 1])))
        x = np.take_along_axis(theta, idx, axis=1)
        return np.array(idx), self.w[t - 1] + x

    def loss(self, t, theta):
        idx = self.idx[t - 1]
        x = theta[:, idx]
        return (self.w[t - 1] * x + 0.5 * x * x).sum(axis=1)

    def loss_and_grad(self, t, theta):
        idx, g = self.grad_sparse(t, theta)
        dense = np.zeros_like(theta)
        np.put_along_axis(dense, idx, g, axis=1)
        return self.loss(t, theta), dense

    def comparator(self):
        W = np.zeros((self.runs, self.d))
        n = np.zeros(self.d)
        for idx, w in zip(self.idx, self.w):
            W[:, idx] += w
            n[idx] += 1
        with np.errstate(invalid="ignore", divide="ignore"):
            x = np.where(n > 0, -W / np.maximum(n, 1), 0.0)
        x = self.domain.project(x)
        total = (W * x + 0.5 * n * x * x).sum(axis=1)
        return SimpleNamespace(theta=x, total_loss=total, bound=np.zeros(self.runs),
                               method="closed-form", certificate={"certified": True})


class SparseQuad:
    name, sparse, oblivious, linear, params = "sparse-quad", True, False, False, {}

    def __init__(self, d=40):
        self.d = d
        lo = -np.linspace(0.02, 0.5, d)
        self.domain = domains.Box(lo, -lo * 1.5, d)

    def x0(self, runs):
        return np.zeros((runs, self.d))

    def sample(self, T, runs=1, seed=0, shared=False):
        return _SparseQuadInstance(self, T, runs, seed)


# -- sparse == dense ---------------------------------------------------------------------------
CASES = [
    ("adam", dict(lr=InverseSqrt(0.1), eps=1e-8)),
    ("adam", dict(lr=0.02, eps=1e-3)),
    ("adam", dict(lr=InverseSqrt(0.1), eps=1e-8, eps_mode="efficient")),
    ("adam", dict(lr=InverseSqrt(0.05), betas=(0.99, 0.999))),      # slow decay: long drifts
    ("adam", dict(lr=0.05, betas=(0.0, 0.99))),                     # no drift
    ("amsgrad", dict(lr=InverseSqrt(0.1), eps=1e-8)),
    ("amsgrad", dict(lr=InverseSqrt(0.1), amsgrad_mode="optax")),
    ("amsgrad", dict(lr=InverseSqrt(0.1), amsgrad_mode="reddi", eps=1e-6)),
    ("adagrad", dict(lr=0.1)),
    ("adagrad", dict(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1,
                     eps_mode="inside")),
    ("rmsprop", dict(lr=0.01)),
    ("rmsprop", dict(lr=InverseSqrt(0.02), momentum=0.9)),
    ("adam", dict(lr=[0.01, 0.1], betas=(np.array([0.9, 0.5]), 0.999))),
    # Kingma & Ba Thm 4.1's beta1_t = beta1 lambda^(t-1): exact lazy catch-up too
    ("adam", dict(lr=InverseSqrt(0.1), betas=(Beta1Decay(0.9, 0.99), 0.999))),
    ("amsgrad", dict(lr=InverseSqrt(0.1), betas=(Beta1Decay(0.95, 0.999), 0.99),
                     beta1_correction="power")),
    ("adam", dict(lr=0.05, betas=(Beta1Decay(0.9, 1e-3), 0.99), eps_mode="efficient")),
    ("amsgrad", dict(lr=InverseSqrt(0.1), betas=(Beta1Decay(0.9, 0.9), 0.999),
                     amsgrad_mode="reddi", eps=1e-6)),
    # issue 16: plain SGD (no drift), heavy ball with dampening, Nesterov, mixed momenta
    ("sgd", dict(lr=InverseSqrt(0.5))),
    ("momentum", dict(lr=InverseSqrt(0.2), dampening=0.3)),
    ("nag", dict(lr=0.05)),
    ("sgd", dict(lr=[0.2, 0.05], momentum=np.array([0.0, 0.8]))),
]
NO_DRIFT = {4, 8, 9, 10, 17}


@pytest.mark.parametrize("case", range(len(CASES)))
def test_sparse_equals_dense_on_zipf_logistic(case):
    name, hp = CASES[case]
    prob = problems.make("logistic-sparse", d=150, density=0.04, radius=0.05)
    opt = optimizers.make(name, **hp)
    T = 250
    dense = simulate.run(prob, opt, T, runs=2, seed=3, engine="dense", progress=False)
    sp = simulate.run(prob, opt, T, runs=2, seed=3, progress=False)
    assert sp.metadata["engine"] == "sparse"
    assert np.mean(np.abs(dense.theta_final) == 0.05) > 0.2   # the box is active
    for a, b in ((sp.theta_final, dense.theta_final), (sp.losses, dense.losses),
                 (sp.regret, dense.regret)):
        assert rel(a, b) <= 1e-12
    stats_agree(sp, dense, exact_D=case in NO_DRIFT)


@pytest.mark.parametrize("name,hp", [("adam", dict(lr=InverseSqrt(0.2), eps=1e-8)),
                                     ("amsgrad", dict(lr=0.05, betas=(0.95, 0.99))),
                                     ("rmsprop", dict(lr=0.02, momentum=0.5))])
def test_sparse_equals_dense_without_support_and_with_per_coordinate_box(name, hp):
    prob = SparseQuad()
    opt = optimizers.make(name, **hp)
    dense = simulate.run(prob, opt, 300, runs=3, seed=1, engine="dense", progress=False)
    sp = simulate.run(prob, opt, 300, runs=3, seed=1, engine="sparse", progress=False)
    for a, b in ((sp.theta_final, dense.theta_final), (sp.losses, dense.losses),
                 (sp.regret, dense.regret)):
        assert rel(a, b) <= 1e-12
    stats_agree(sp, dense, exact_D=False)


@pytest.mark.parametrize("b1s", [(0.9, 0.9, 0.9), (0.9, 0.99, 0.5)])
def test_sparse_batch_equals_each_run_alone_bit_for_bit(b1s):
    """Batched = alone, also when the runs' beta1 differ: 0.99 makes its table's short
    gaps go term by term, which must not change how the other runs sum theirs."""
    prob = problems.make("logistic-sparse", d=120, density=0.05)
    lrs = [0.01, 0.03, 0.1]
    opt = optimizers.make("adam", lr=lrs, betas=(np.array(b1s), 0.999))
    batch = simulate.run(prob, opt, 120, runs=3, shared=True, progress=False)
    assert batch.metadata["engine"] == "sparse"
    for i, lr in enumerate(lrs):
        alone = simulate.run(prob, optimizers.make("adam", lr=lr, betas=(b1s[i], 0.999)),
                             120, progress=False)
        assert np.array_equal(batch.losses[:, i], alone.losses[:, 0])
        assert np.array_equal(batch.theta_final[i], alone.theta_final[0])
        for k, v in alone.stats.items():
            assert np.array_equal(batch.stats[k][:, i] if v.ndim == 2 else batch.stats[k],
                                  v[:, 0] if v.ndim == 2 else v), k


def test_sparse_same_seed_same_bits():
    prob = problems.make("logistic-sparse", d=100, density=0.05)
    a = simulate.run(prob, "amsgrad", 80, runs=2, seed=4, progress=False)
    b = simulate.run(prob, "amsgrad", 80, runs=2, seed=4, progress=False)
    assert np.array_equal(a.theta_final, b.theta_final)
    assert all(np.array_equal(a.stats[k], b.stats[k]) for k in a.stats)


def test_engine_choice_and_fallbacks():
    prob = problems.make("logistic-sparse", d=50, density=0.1)
    assert simulate.run(prob, "adam", 5, progress=False).metadata["engine"] == "sparse"
    for name in ("adam", "amsgrad"):         # Kingma & Ba's beta1 schedule stays sparse
        opt = optimizers.make(name, betas=(Beta1Decay(0.9, 0.999), 0.99))
        assert simulate.run(prob, opt, 5, progress=False).metadata["engine"] == "sparse"
    for opt in (optimizers.make("nadam"), optimizers.make("adam", weight_decay=0.1),
                optimizers.make("adam", eps_mode="inside"),
                optimizers.make("rmsprop", centered=True),
                optimizers.make("adam", betas=(lambda t: 0.9 / t, 0.99))):
        assert simulate.run(prob, opt, 5, progress=False).metadata["engine"] == "dense"
    with pytest.raises(ValueError, match="engine.*nadam"):
        simulate.run(prob, "nadam", 5, engine="sparse", progress=False)
    ball = problems.make("quadratic", domain="l2")
    with pytest.raises(ValueError, match="not sparse"):
        simulate.run(ball, "adam", 5, engine="sparse", progress=False)


def test_interrupted_sparse_run_catches_up_to_the_last_step_done():
    prob = problems.make("logistic-sparse", d=80, density=0.05, radius=0.1)
    opt = optimizers.make("adam", lr=0.05)
    res = simulate.run(interrupted_at(prob, 40), opt, 100, progress=False)
    assert res.steps_done == 40 and not res.complete
    ref = simulate.run(prob, opt, 40, engine="dense", progress=False)
    assert rel(res.theta_final, ref.theta_final) <= 1e-12
    assert rel(res.losses[:40], ref.losses) <= 1e-12


# -- the catch-up sums themselves ----------------------------------------------------------------
@pytest.mark.parametrize("b1,b2,eps,ams", [(0.9, 0.999, 1e-8, False), (0.9, 0.999, 0.3, False),
                                           (0.99, 0.999, 1e-8, False), (0.5, 0.9, 1e-6, False),
                                           (0.9, 0.999, 0.0, False), (0.9, 0.999, 1e-8, True),
                                           (0.999, 0.9999, 1e-6, False)])
def test_drift_tables_equal_brute_force_sums(b1, b2, eps, ams):
    T = 3000
    u = np.arange(T + 1.0)
    u[0] = 1
    lr = 0.1 / np.sqrt(u)
    c1, c2 = -np.expm1(u * math.log(b1)), -np.expm1(u * math.log(b2))
    la0 = np.log(lr) - np.log(c1)
    lb0, gb = -0.5 * np.log(c2), (0.0 if ams else 0.5 * math.log(b2))
    tab = DriftTables([dict(la0=la0, lb0=lb0, ga=math.log(b1), gb=gb, eps=eps)], T)
    rng = np.random.default_rng(0)
    n = 300
    s = rng.integers(0, T - 1, n)
    e = np.minimum(T, s + 1 + rng.integers(0, 2000, n))
    z = 10.0 ** rng.uniform(-12, 1, n)
    tid = np.zeros(n, dtype=np.int64)
    E = tab.window_end(tid, s, e)
    got = tab.drift(tid, s, E, np.log(z))
    for i in range(n):
        uu = np.arange(s[i] + 1, e[i] + 1)        # the full gap: truncation must not matter
        terms = np.exp(la0[uu] + (uu - s[i]) * math.log(b1)) / \
            (z[i] * np.exp(lb0[uu] + (uu - s[i]) * gb) + eps)
        ref = math.fsum(terms)
        assert abs(got[i] - ref) <= 1e-13 * ref, (i, got[i], ref)
    common = tab.evaluate_common(0, 100, int(tab.window_end(tid[:1], np.array([100]), T)[0]),
                                 np.log(z))
    many = tab.drift(tid, np.full(n, 100), tab.window_end(tid, np.full(n, 100), T), np.log(z))
    np.testing.assert_allclose(common, many, rtol=1e-13)
