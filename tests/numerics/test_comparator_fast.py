"""Issue 16: the trust-region Newton comparator, the disk cache and parallel horizons."""
from __future__ import annotations

import json
import os
import stat

import numpy as np
import pytest
from scipy import optimize

from adamlab.numerics import comparator_cache, problems
from adamlab.numerics.comparator import Comparator
from adamlab.numerics.comparator_solvers import trust_newton_box
from adamlab.numerics.domains import Box, L2Ball
from adamlab.numerics.prefix_regret import horizons, prefix_comparators
from adamlab.numerics.problems.logistic import logistic_total


def _game(h, d=2000, density=0.05, seed=0):
    inst = problems.make("logistic-sparse", d=d, density=density).sample(h, 1, seed)
    A = inst.matrix(0)
    used = np.unique(A.indices)
    Ar = A[:, used].tocsr()
    ArT = Ar.T.tocsr()
    return (lambda z, need_hess=True: logistic_total(Ar, z, 0.0, need_hess, AT=ArT)), used.size


@pytest.mark.parametrize("h", [60, 150, 400])       # saturated (most words once) to not
def test_trust_newton_is_certified_and_its_bound_holds(h):
    fgh, n = _game(h)
    box = Box(-np.ones(n), np.ones(n))
    res = trust_newton_box(fgh, np.zeros(n), box)
    assert res["bound"] <= 1e-9 * max(1.0, abs(res["loss"]))
    # an independent solver never beats it by more than the certified bound
    ref = optimize.minimize(lambda z: fgh(z, False), np.zeros(n), jac=True, method="L-BFGS-B",
                            bounds=optimize.Bounds(-np.ones(n), np.ones(n)),
                            options={"maxiter": 50000, "ftol": 1e-15, "gtol": 1e-12})
    assert res["loss"] - ref.fun <= res["bound"] + 1e-12 * max(1.0, abs(ref.fun))
    assert np.all(np.abs(res["theta"]) <= 1)


def test_trust_newton_validates():
    fgh, n = _game(50)
    with pytest.raises(ValueError, match="Box or LinfBall"):
        trust_newton_box(fgh, np.zeros(n), L2Ball(1.0, d=n))
    with pytest.raises(ValueError, match="Hessian-vector product"):
        trust_newton_box(lambda z, need_hess=True: fgh(z, False), np.zeros(n),
                         Box(-np.ones(n), np.ones(n)))


def _comp(bound=1e-12):
    return Comparator(np.zeros((2, 3)), np.array([1.0, 2.0]), "test", kkt_residual=[0.0, 0.0],
                      duality_gap=[bound, bound], bound=[bound, bound])


def test_cache_round_trip_and_refusals(tmp_path, monkeypatch):
    monkeypatch.setenv(comparator_cache.ENV, str(tmp_path / "c"))
    prob = problems.make("logistic-sparse", d=50, density=0.1)
    key = comparator_cache.key_of(prob, 10, 2, 0, False)
    assert comparator_cache.load(key) is None
    assert comparator_cache.store(key, _comp())
    back = comparator_cache.load(key)
    assert back.info["cached"] and np.array_equal(back.total_loss, [1.0, 2.0])
    assert np.array_equal(back.bound, _comp().bound)
    other = comparator_cache.key_of(prob, 11, 2, 0, False)
    assert comparator_cache.load(other) is None
    assert not comparator_cache.store(other, _comp(bound=1.0))     # uncertified: not kept
    assert comparator_cache.load(other) is None
    assert not [p for p in (tmp_path / "c").iterdir() if p.name.endswith(".tmp")]
    monkeypatch.setenv(comparator_cache.ENV, "off")
    assert comparator_cache.cache_dir() is None and not comparator_cache.store(key, _comp())


def test_cache_files_follow_the_umask(tmp_path, monkeypatch):
    monkeypatch.setenv(comparator_cache.ENV, str(tmp_path))
    old = os.umask(0o027)
    try:
        prob = problems.make("logistic-sparse", d=50, density=0.1)
        comparator_cache.store(comparator_cache.key_of(prob, 10, 2, 0, False), _comp())
    finally:
        os.umask(old)
    for p in tmp_path.iterdir():
        assert stat.S_IMODE(p.stat().st_mode) == 0o640, p


def test_a_changed_key_or_corrupt_entry_is_a_miss(tmp_path, monkeypatch):
    monkeypatch.setenv(comparator_cache.ENV, str(tmp_path))
    prob = problems.make("logistic-sparse", d=50, density=0.1)
    key = comparator_cache.key_of(prob, 10, 2, 0, False)
    comparator_cache.store(key, _comp())
    for p in tmp_path.glob("*.json"):
        meta = json.loads(p.read_text())
        meta["key"]["T"] = 99
        p.write_text(json.dumps(meta))
    assert comparator_cache.load(key) is None
    for p in tmp_path.glob("*.npz"):
        p.write_bytes(b"not an npz")
    comparator_cache.store(key, _comp())          # rewritten whole
    assert comparator_cache.load(key) is not None


def test_prefix_comparators_do_not_depend_on_threads(monkeypatch):
    monkeypatch.setenv(comparator_cache.ENV, "off")
    hs = horizons(300)
    one = prefix_comparators(problems.make("logistic-sparse", d=1000, density=0.05), hs, 2,
                             seed=4, workers=1, progress=False)
    two = prefix_comparators(problems.make("logistic-sparse", d=1000, density=0.05), hs, 2,
                             seed=4, workers=2, progress=False)
    assert np.array_equal(one["best"], two["best"]) and two["workers"] == 2
    assert one["certified"] and [c["h"] for c in one["certificates"]] == list(hs)
    assert all(c["relative_bound"] <= c["tolerance"] for c in one["certificates"])


def test_prefix_comparators_validate():
    prob = problems.make("logistic-sparse", d=100, density=0.05)
    with pytest.raises(ValueError, match="workers must be an int"):
        prefix_comparators(prob, [10], 1, workers=0)
    with pytest.raises(ValueError, match="hs must be"):
        prefix_comparators(prob, [], 1)
    with pytest.raises(ValueError, match="adaptive"):
        prefix_comparators(problems.make("linear-adversarial"), [10], 1)


def test_a_cached_comparator_for_other_data_is_not_used(tmp_path, monkeypatch):
    """Verify, do not trust: a cache entry whose total loss does not match this data at
    its point (e.g. the sampler changed under the same version) is solved again."""
    monkeypatch.setenv(comparator_cache.ENV, str(tmp_path))
    from adamlab.numerics.problems import _instance
    monkeypatch.setattr(_instance, "CACHE_MIN_SECONDS", 0.0)     # store every solve
    prob = problems.make("logistic-sparse", d=300, density=0.05)
    first = prob.sample(200, 1, 0).comparator()
    key = comparator_cache.key_of(prob, 200, 1, 0, False)
    cached = comparator_cache.load(key)
    assert cached is not None and np.array_equal(cached.total_loss, first.total_loss)
    fresh = problems.make("logistic-sparse", d=300, density=0.05)   # a new memo
    assert fresh.sample(200, 1, 0).comparator().info.get("cached") is True
    # tamper: the stored optimum no longer matches the data
    meta = next(tmp_path.glob("*.json"))
    import json
    doc = json.loads(meta.read_text())
    stem = meta.with_suffix("")
    with np.load(stem.with_suffix(".npz")) as z:
        arrays = {k: z[k] for k in z.files}
    arrays["total_loss"] = arrays["total_loss"] + 1.0
    np.savez_compressed(stem.with_suffix(".npz"), **arrays)
    assert doc["key"] == json.loads(json.dumps(key, default=str))
    again = problems.make("logistic-sparse", d=300, density=0.05).sample(200, 1, 0).comparator()
    assert not again.info.get("cached") and np.allclose(again.total_loss, first.total_loss)
