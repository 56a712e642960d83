"""RKK Theorems 2 and 3 (rkk.thm2, rkk.thm3): the constructions, the grids, the claims, and
the asymptotic method's grid options (period, transient fit, x0, meta, summary="grid")."""
from __future__ import annotations

import math

import numpy as np
import pytest

from adamlab.numerics import problems, simulate
from adamlab.proofs import ledger
from adamlab.proofs.checks import rkk_family as rf
from adamlab.proofs.checks.simfit import make_opt, reading
from adamlab.proofs.claim import Claim
from adamlab.proofs.methods.asymptotic import Asymptotic, Simulation, curves_of, fit

ALL_POINTS = sorted(set(rf.grid(False)) | set(rf.grid(True)))


# ---- the constructions -----------------------------------------------------------------------

@pytest.mark.parametrize("b1,b2", ALL_POINTS)
def test_thm2_construction_at_every_grid_point(b1, b2):
    prob = rf.thm2_problem(b1, b2, 0.5)
    C, s, pp = prob["C"], prob["scale"], prob["problem_params"]
    assert prob["problem"] == "rkk-thm1" and C % 2 == 0 and C >= 4
    assert s == 2.0 ** round(math.log2(s)) and C / 2 <= s < C        # a power of 2, >= C/2
    assert pp == {"C": s * C, "period": C, "slope_other": s}
    # over a period the coefficients sum to s C - s (C - 1) = s > 0: the best fixed point
    # of every whole number of periods is -1
    inst = problems.make("rkk-thm1", **pp).sample(3 * C)
    assert float(inst.coefficient_sum()[0, 0]) == 3 * s
    assert inst.comparator().theta[0, 0] == -1.0
    # the defining property of C (the cycle drift) and that the bisection stopped at it
    assert prob["cycle_drift"] <= -rf.DRIFT_FRACTION * C
    if C > 4:
        assert rf.cycle_drift(b1, b2, C - 2) > -rf.DRIFT_FRACTION * (C - 2)


@pytest.mark.parametrize("b1,b2", ALL_POINTS)
def test_thm3_construction_at_every_grid_point(b1, b2):
    prob = rf.thm3_problem(b1, b2, 0.5)
    C, p, pp = prob["C"], prob["prob"], prob["problem_params"]
    assert prob["problem"] == "rkk-stochastic"
    assert C == (1 + rf.DELTA) * rf.thm2_period(b1, b2) - 1 and 0 < p < 1
    assert math.isclose(p, (1 + rf.DELTA) / (C + 1), rel_tol=1e-15)
    assert pp == {"C": float(C), "slope_other": 1.0, "prob": p}
    # E g_t = p C - (1 - p) = delta > 0: E f_t(x) = delta x is minimized at x = -1
    assert math.isclose(prob["expected_slope"], rf.DELTA, rel_tol=1e-12)
    assert prob["optimum"] == -1.0
    problems.make("rkk-stochastic", **pp)                      # the simulator accepts it


def test_cycle_moments_are_where_the_recurrences_settle():
    for b1, b2, C in ((0.0, 0.5, 8), (0.6, 0.5, 12), (0.9, 0.9, 64), (0.3, 0.1, 6)):
        m = v = 0.0
        for _ in range(400):                                  # 400 periods from m = v = 0
            ms, vs = [], []
            for j in range(C):
                g = float(C) if j == 0 else -1.0
                m = b1 * m + (1 - b1) * g
                v = b2 * v + (1 - b2) * g * g
                ms.append(m)
                vs.append(v)
        cm, cv = rf.cycle_moments(b1, b2, C)
        np.testing.assert_allclose(cm, ms, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(cv, vs, rtol=1e-9)
        want = sum(a / math.sqrt(b) for a, b in zip(ms, vs))
        assert math.isclose(rf.cycle_drift(b1, b2, C), want, rel_tol=1e-9)


def test_the_drift_sign_decides_the_outcome():
    """b1 = 0, b2 = 0.99: C = 8 has cycle drift > 0 and Adam leaves +1 for -1 (the regret
    rule says sublinear); C = 22 has drift < 0 and Adam stays at +1 (linear).  The same
    simulation, horizon, start and alpha as the claim: the runs can tell the two apart."""
    out = {}
    for C in (8, 22):
        s = 2.0 ** math.ceil(math.log2(C / 2))
        name, hyper = reading("adam-kb", 0.5, 0.0, 0.99)
        sim = Simulation("rkk-thm1", name, hyper, "linear",
                         problem_params={"C": s * C, "period": C, "slope_other": s},
                         period=C, transient=True, x0=(1.0,))
        out[C] = (rf.cycle_drift(0.0, 0.99, C), *sim.judge(200_000))
    drift, ok, cur, line = out[8]
    assert drift > 0 and not ok and "opposite rule, sublinear" in line
    assert cur["seeds"][0]["theta_T"] < -0.9
    drift, ok, cur, _ = out[22]
    assert drift < 0 and ok and cur["seeds"][0]["theta_T"] > 0.99


def test_thm3_with_a_small_C_converges_to_the_optimum():
    """The same rule on the stochastic game with C = 7 at b2 = 0.99 (far below the
    construction's 2103): Adam reaches -1, so the rule has power."""
    name, hyper = reading("adam-kb", 0.5, 0.0, 0.99)
    sim = Simulation("rkk-stochastic", name, hyper, theta=(-1.0, "far", rf.THETA_TOL),
                     problem_params={"C": 7.0, "slope_other": 1.0, "prob": 0.25},
                     seeds=rf.SEEDS)
    ok, cur, _ = sim.judge(100_000)
    assert not ok and max(s["theta_T"] for s in cur["seeds"]) < -0.99


def test_scaling_the_game_leaves_the_iterates_bit_for_bit():
    b1, b2 = 0.5 * math.sqrt(0.5), 0.5
    prob = rf.thm2_problem(b1, b2, 0.5)
    C, s = prob["C"], prob["scale"]
    opt = lambda: make_opt("adam-kb", 0.5, b1, b2)           # noqa: E731
    T = 50 * C
    plain = simulate.run("rkk-thm1", opt(), T=T, progress=False, x0=np.array([1.0]),
                         problem_params={"C": float(C), "period": C, "slope_other": 1.0})
    scaled = simulate.run("rkk-thm1", opt(), T=T, progress=False, x0=np.array([1.0]),
                          problem_params=prob["problem_params"])
    assert np.array_equal(plain.theta_final, scaled.theta_final)
    np.testing.assert_allclose(scaled.stats["regret_prefix"], s * plain.stats["regret_prefix"],
                               rtol=1e-12, atol=1e-9)


# ---- an independent Adam loop against the simulator -------------------------------------------

def _adam_loop(a, b1, b2, alpha, x, bias_correction):
    """Adam on the linear losses a_t x over [-1, 1], plain Python; returns R(t), t = 1..T,
    against the best fixed point of each prefix (-|S_t|) and the last iterate."""
    m = v = loss = S = 0.0
    out = []
    for t, g in enumerate(a, start=1):
        loss += g * x
        S += g
        out.append(loss + abs(S))
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        if bias_correction:
            step = (m / (1 - b1 ** t)) / math.sqrt(v / (1 - b2 ** t))
        else:
            step = m / math.sqrt(v)
        x = min(1.0, max(-1.0, x - alpha / math.sqrt(t) * step))
    return np.array(out), x


@pytest.mark.parametrize("kind,b1,b2", [("adam-kb", 0.5 * math.sqrt(0.5), 0.5),
                                        ("adam-rkk", 0.0, 0.5), ("adam-kb", 0.0, 0.01)])
def test_thm2_regret_against_a_plain_loop(kind, b1, b2):
    alpha, prob = 0.5, rf.thm2_problem(b1, b2, 0.5)
    pp, T = prob["problem_params"], 400 * prob["C"]
    a = [pp["C"] if (t - 1) % pp["period"] == 0 else -pp["slope_other"]
         for t in range(1, T + 1)]
    want, x = _adam_loop(a, b1, b2, alpha, rf.X1, kind == "adam-kb")
    res = simulate.run("rkk-thm1", make_opt(kind, alpha, b1, b2), T=T, problem_params=pp,
                       progress=False, x0=np.array([rf.X1]))
    got = res.stats["regret_prefix"][:, 0]
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12 * np.abs(want).max())
    assert abs(res.theta_final[0, 0] - x) <= 1e-12


def test_thm3_regret_against_a_plain_loop():
    b1, b2, alpha, seed, T = 0.5 * math.sqrt(0.5), 0.5, 0.5, 3, 3000
    pp = rf.thm3_problem(b1, b2, alpha)["problem_params"]
    a = problems.make("rkk-stochastic", **pp).sample(T, 1, seed).linear_coefficients(0, T)
    a = [float(g) for g in a[:, 0, 0]]
    assert set(a) == {pp["C"], -1.0}
    want, x = _adam_loop(a, b1, b2, alpha, 0.0, True)
    res = simulate.run("rkk-stochastic", make_opt("adam-kb", alpha, b1, b2), T=T,
                       seed=[seed], problem_params=pp, progress=False)
    got = res.stats["regret_prefix"][:, 0]
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12 * np.abs(want).max())
    assert abs(res.theta_final[0, 0] - x) <= 1e-12


# ---- the grids -------------------------------------------------------------------------------

@pytest.mark.parametrize("thorough", [False, True])
def test_the_grid_covers_the_edges_of_the_region(thorough):
    pts = rf.grid(thorough)
    assert len(set(pts)) == len(pts)
    assert all(0 <= b1 < math.sqrt(b2) and 0 < b2 < 1 for b1, b2 in pts)
    b2s = sorted({b2 for _, b2 in pts})
    assert b2s[0] <= 0.01 and b2s[-1] >= 0.99                    # b2 small, b2 -> 1
    for b2 in b2s:                                               # at every b2 ...
        gam = [b1 / math.sqrt(b2) for b1, c in pts if c == b2]
        assert min(gam) == 0.0 and max(gam) >= 0.99              # ... b1 = 0, b1 -> sqrt(b2)
    if thorough:
        assert b2s[0] <= 0.001 and b2s[-1] >= 0.999


def test_simulations_follow_the_grid():
    for thorough, alphas in ((False, rf.ALPHAS), (True, rf.THOROUGH_ALPHAS)):
        pts = rf.grid(thorough)
        n = len(alphas) * (len(pts) + sum(b1 == 0 for b1, _ in pts))   # b1 = 0: two readings
        sims2, sims3 = rf.thm2(thorough), rf.thm3(thorough)
        for sims in (sims2, sims3):
            assert len(sims) == n
            assert {(s.meta["b1"], s.meta["b2"]) for s in sims} == set(pts)
            assert {s.meta["reading"] for s in sims if s.meta["b1"] == 0} == {"adam-rkk",
                                                                                "adam-kb"}
        for s in sims2:
            assert s.expect == "linear" and s.period == s.meta["C"] and s.transient
            assert s.x0 == (rf.X1,) and s.seeds == (0,)
        for s in sims3:
            assert s.theta == (-1.0, "far", rf.THETA_TOL) and len(s.seeds) >= 4


@pytest.mark.parametrize("args,exc,match", [
    ((0.5, 0.2, 0.5), ValueError, "sqrt"),          # b1 >= sqrt(b2)
    ((0.0, 1.0, 0.5), ValueError, "b2 < 1"),
    ((-0.1, 0.5, 0.5), ValueError, "0 <= b1"),
    ((0.0, 0.0, 0.5), ValueError, "sqrt"),          # b2 = 0 leaves no b1
    ((0.0, 0.5, 0.0), ValueError, "alpha"),
    ((0.0, 0.5, float("nan")), ValueError, "alpha"),
    ((True, 0.5, 0.5), TypeError, "b1"),
    ((0.0, "0.5", 0.5), TypeError, "b2"),
])
def test_constructions_validate(args, exc, match):
    for fn in (rf.thm2_problem, rf.thm3_problem):
        with pytest.raises(exc, match=match):
            fn(*args)


def test_grid_and_limit_validate():
    with pytest.raises(TypeError, match="thorough"):
        rf.grid(1)


def test_about_names_the_construction_and_the_grids():
    for n in (2, 3):
        a = rf.about(n)
        assert {"source", "construction", "C(b1, b2)", "grid"} <= set(a)
        assert a["grid"]["default"]["b2"] == list(rf.B2S)
    with pytest.raises(ValueError, match="theorem"):
        rf.about(4)


# ---- the claims --------------------------------------------------------------------------------

@pytest.mark.parametrize("cid,n", [("rkk.thm2", 2), ("rkk.thm3", 3)])
def test_the_claims_are_decided(cid, n):
    v = ledger.decide(cid)
    assert v.verdict == "verified", v.summary
    ev = v.evidence
    sims = rf.thm2(False) if n == 2 else rf.thm3(False)
    assert len(ev["grid"]) == len(ev["runs"]) == len(sims)
    assert all(r["holds"] for r in ev["grid"])
    assert ev["about"] == rf.about(n)
    for row in ev["grid"]:
        assert {"b1", "b2", "alpha", "C", "reading"} <= set(row)
    if n == 2:
        assert all(r["fitted_limit_min"] >= 0.05 for r in ev["grid"])
        assert all(run["period"] == run["meta"]["C"] for run in ev["runs"])
        assert "fitted limit L of R(t)/t" in v.summary
    else:
        assert all(r["theta_gap_min"] >= rf.THETA_TOL for r in ev["grid"])
        assert len(ev["seeds"]) >= 4 and "smallest gap |theta_T + 1|" in v.summary


def test_the_claims_statements():
    for cid in ("rkk.thm2", "rkk.thm3"):
        spec = ledger.resolve(cid)
        assert spec.text.startswith("For any b1, b2 in [0, 1) with b1 < sqrt(b2)")
        assert spec.method.summary == "grid" and spec.method.thorough is not None
        tex = spec.latex()
        assert r"\sqrt{\beta_{2}}" in tex or r"\sqrt{\beta_2}" in tex


# ---- the asymptotic method's grid options -----------------------------------------------------

def test_fit_with_a_transient_recovers_the_limit():
    t = np.arange(1.0, 10**5 + 1)
    R = 0.4 * t + 30 * np.sqrt(t) + 5e4
    plain, tr = fit(t, R), fit(t, R, transient=True)
    assert abs(tr["fitted_limit"] - 0.4) < 1e-9 and abs(tr["fitted_b"] - 5e4) < 1e-3
    assert abs(plain["fitted_limit"] - 0.4) > 0.05 and "fitted_b" not in plain
    with pytest.raises(TypeError, match="transient"):
        fit(t, R, transient=1)


def test_curves_read_at_period_ends():
    opt = make_opt("adam-rkk", 0.5, 0.0, 0.1)
    cur = curves_of("rkk-thm1", opt, 3000, [0], {"C": 6.0, "period": 4, "slope_other": 1.0},
                    period=4, transient=True, x0=np.array([1.0]))
    assert all(t % 4 == 0 for t in cur["seeds"][0]["curve"]["t"])
    assert cur["period"] == 4 and cur["x0"] == [1.0] and "b t^(-1)" in cur["fit_window"]
    with pytest.raises(ValueError, match="fewer than 3 whole periods"):
        curves_of("rkk-thm1", opt, 10, [0], period=4)


@pytest.mark.parametrize("kw,exc,match", [
    (dict(period=0), ValueError, "period"), (dict(period=2.0), TypeError, "period"),
    (dict(period=True), TypeError, "period"), (dict(transient="yes"), TypeError, "transient"),
    (dict(x0=1.0), TypeError, "x0"), (dict(x0=(float("inf"),)), TypeError, "x0"),
    (dict(meta=[1]), TypeError, "meta"),
])
def test_simulation_validates_the_grid_options(kw, exc, match):
    with pytest.raises(exc, match=match):
        Simulation("rkk-thm1", "adam", {}, "linear", **kw)


def test_asymptotic_validates_the_grid_options():
    sim = Simulation("rkk-thm1", "adam", {}, "linear")
    with pytest.raises(ValueError, match="summary"):
        Asymptotic((sim,), summary="table")
    with pytest.raises(TypeError, match="about"):
        Asymptotic((sim,), about=[("a", 1)])


def test_grid_summary_lists_rows_and_ranges():
    name, hyper = reading("adam-rkk", 0.5, 0.0, 0.1)
    sims = tuple(Simulation("rkk-thm1", name, hyper, "linear", problem_params={"C": C},
                            meta={"C": C}, label=f"C = {C:g}") for C in (3.0, 5.0))
    m = Asymptotic(sims, T=20_000, summary="grid", about={"construction": "x"})
    v = m.decide(Claim("t.grid", "test", "a test claim", None, m))
    assert v.verdict == "verified" and "fitted limit L of R(t)/t" in v.summary
    assert [r["C"] for r in v.evidence["grid"]] == [3.0, 5.0]
    assert v.evidence["about"] == {"construction": "x"}
    assert v.evidence["runs"][0]["meta"] == {"C": 3.0}
