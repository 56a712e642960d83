"""Evaluating the regret bounds on run statistics: values, shapes, hypotheses, bad inputs.

The reference values come from the printed statements written out here (the
strings of test_theory_regret_bounds) and evaluated by mpmath at 50 digits,
element by element -- not from the module's expressions.
"""
from __future__ import annotations

import mpmath as mp
import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from adamlab.theory.regret import bounds as rb
from adamlab.theory.regret.quantities import SYMBOLS

from test_theory_regret_bounds import PRINTED, parse

T_, R_ = 7, 3
SUMS = ("G", "G_inf", "D", "D_inf", "sum_g_norm", "sum_sqrt_t_vhat", "sum_vhat_sqrt",
        "sum_b1t_vhat_over_alpha")


def make_run(seed=0, T=T_, R=R_, **const):
    rng = np.random.default_rng(seed)
    stats = {"t": np.arange(1, T + 1)}
    for k in SUMS:
        stats[k] = np.cumsum(rng.uniform(0.1, 2.0, size=(T, R)), axis=0)
    stats["gamma_min_eig"] = np.abs(rng.normal(size=(T, R)))
    stats["regret"] = rng.normal(size=(T, R))
    c = {"alpha": rng.uniform(0.01, 1, R), "beta1": rng.uniform(0, 0.5, R),
         "beta2": rng.uniform(0.6, 0.999, R), "lam": rng.uniform(0.1, 0.9, R),
         "eta": rng.uniform(0.1, 2, R), "d": 5, "T": T,
         "D_domain": 1e3, "D_inf_domain": 1e3}
    c.update(const)
    return stats, c


def reference(key, stats, constants, diameters):
    """The printed bound at 50 digits, element by element, from this file's strings."""
    printed = PRINTED[key]
    expr = sp.Add(*[parse(text, gam) for _, text, gam in printed])
    syms = sorted(expr.free_symbols, key=lambda s: s.name)
    fn = sp.lambdify(syms, expr, modules="mpmath")
    T, R = stats["G"].shape
    out = np.empty((T, R))
    for r in range(R):
        for i in range(T):
            args = []
            for s in syms:
                name = s.name
                if name == "T":
                    v = stats["t"][i]
                elif name in ("D", "D_inf") and diameters == "domain":
                    v = constants[name + "_domain"]
                elif name in stats:
                    v = stats[name][i, r]
                else:
                    v = np.broadcast_to(constants[name], (R,))[r]
                args.append(mp.mpf(float(v)))
            with mp.workdps(50):
                out[i, r] = float(fn(*args))
    return out


@pytest.mark.parametrize("key", list(PRINTED), ids=[f"{c}:{r}" for c, r in PRINTED])
@pytest.mark.parametrize("seed", [0, 1])
def test_evaluate_matches_mpmath_on_random_runs(key, seed):
    stats, constants = make_run(seed)
    bound = rb.get(*key)
    for diam in ("observed", "domain"):
        got = bound.evaluate(stats, constants, diameters=diam)
        assert got.shape == (T_, R_)
        want = reference(key, stats, constants, diam)
        np.testing.assert_allclose(got, want, rtol=1e-12)
        terms = bound.evaluate_terms(stats, constants, diameters=diam)
        assert list(terms) == [t.name for t in bound.terms]
        np.testing.assert_allclose(sum(terms.values()), got, rtol=1e-12)


def test_single_run_gives_shape_T():
    stats, constants = make_run(3, R=1)
    one = {k: (v[:, 0] if k != "t" else v) for k, v in stats.items()}
    c1 = {k: (np.asarray(v).ravel()[0] if np.ndim(v) else v) for k, v in constants.items()}
    for cid in rb.CLAIM_IDS:
        got = rb.get(cid).evaluate(one, c1)
        assert got.shape == (T_,)
        np.testing.assert_allclose(got, rb.get(cid).evaluate(stats, constants)[:, 0], rtol=1e-14)
        assert rb.get(cid).applies(one, c1).applies.shape == (T_,)


def test_default_diameters_follow_each_papers_hypothesis():
    stats, constants = make_run(4)
    kb = rb.get("kb.thm4.1")
    assert kb.sources()[SYMBOLS["D"]] == ("stats", "D")
    assert rb.get("rkk.thm4").sources()[SYMBOLS["D_inf"]] == ("constants", "D_inf_domain")
    assert rb.get("z.ogd-regret").sources()[SYMBOLS["D"]] == ("constants", "D_domain")
    np.testing.assert_allclose(kb.evaluate(stats, constants),
                               kb.evaluate(stats, constants, diameters="observed"))


# ---- hypotheses on crafted statistics -------------------------------------------------------------
betas = st.floats(0, 0.999, allow_nan=False)


@given(b1=betas, b2=st.floats(0.001, 0.999), lam=st.floats(0.01, 0.99))
def test_kb_gamma_decides_applicability(b1, b2, lam):
    stats, constants = make_run(5, beta1=b1, beta2=b2, lam=lam, alpha_schedule="inverse_sqrt")
    a = rb.get("kb.thm4.1").applies(stats, constants)
    inside = b1**2 / np.sqrt(b2) < 1
    assert np.all(a.status["gamma<1"] == inside)
    assert np.all(a.applies == inside)            # everything else recorded holds
    if not inside:
        assert "gamma<1" in a.failed(0)
        assert "gamma<1" in a.summary()
    assert a.unknown == []


@given(b1=betas, b2=st.floats(0.001, 0.999))
def test_rkk_gamma_is_b1_over_sqrt_b2(b1, b2):
    stats, constants = make_run(6, beta1=b1, beta2=b2)
    a = rb.get("rkk.thm4").applies(stats, constants)
    assert np.all(a.status["gamma<1"] == (b1 / np.sqrt(b2) < 1))
    assert a.unknown == ["alpha_t = alpha/sqrt(t)"]        # the schedule is not recorded


@given(k=st.integers(1, T_), bad=st.floats(-5, -1e-9))
def test_psd_condition_fails_from_the_first_negative_gamma(k, bad):
    stats, constants = make_run(7)
    stats["gamma_min_eig"][k - 1, 1] = bad
    a = rb.get("kb.thm4.1").applies(stats, constants)
    psd = a.status["Gamma_t PSD"]
    assert np.all(psd[: k - 1, 1]) and not np.any(psd[k - 1:, 1])
    assert np.all(psd[:, [0, 2]])
    assert np.all(a.applies[:, 1])                        # not a printed hypothesis ...
    assert not np.any(a.proof_applies[k - 1:, 1])         # ... but the proof needs it


def test_missing_decay_schedule_and_domain_are_hypothesis_failures():
    stats, constants = make_run(8)
    del constants["lam"]
    a = rb.get("kb.thm4.1").applies(stats, constants)
    assert not np.any(a.status["beta1 decay"]) and "beta1 decay" in a.failed()
    with pytest.raises(ValueError, match="lam"):
        rb.get("kb.thm4.1").evaluate(stats, constants)     # the bound itself needs lambda
    stats, constants = make_run(8, D_inf_domain=0.5)
    a = rb.get("rkk.thm4").applies(stats, constants)
    assert not np.any(a.status["bounded domain"][-1])      # the iterates left F
    stats, constants = make_run(8, eta_schedule="constant")
    assert not np.any(rb.get("z.ogd-regret").applies(stats, constants).status["eta_t = eta/sqrt(t)"])
    stats, constants = make_run(8)
    constants["eta"] = constants["D_inf_domain"] / np.sqrt(2)
    assert np.all(rb.get("dhs.adagrad-regret").applies(stats, constants).status["eta = D_inf/sqrt(2)"])
    constants["eta"] = 1.0
    assert not np.any(rb.get("dhs.adagrad-regret").applies(stats, constants).status["eta = D_inf/sqrt(2)"])


def test_lambda_one_gives_inf_and_is_outside():
    stats, constants = make_run(9, lam=1.0, beta1=0.5)
    b = rb.get("kb.thm4.1")
    assert np.all(np.isinf(b.evaluate(stats, constants)))
    assert not np.any(b.applies(stats, constants).status["beta1 decay"])


# ---- bad inputs raise ValueError naming the quantity ------------------------------------------------
@pytest.mark.parametrize("mutate, match", [
    (lambda s, c: s.pop("sum_g_norm"), "sum_g_norm"),
    (lambda s, c: c.pop("beta2"), "beta2"),
    (lambda s, c: s.__setitem__("G_inf", -s["G_inf"]), "G_inf"),
    (lambda s, c: s["D"].__setitem__((2, 1), np.nan), "'D'"),
    (lambda s, c: s.__setitem__("sum_sqrt_t_vhat", s["sum_sqrt_t_vhat"][:-1]), "sum_sqrt_t_vhat"),
    (lambda s, c: s.__setitem__("t", np.arange(T_)), "'t'"),
    (lambda s, c: s.__setitem__("t", np.arange(T_, 0, -1)), "increasing"),
    (lambda s, c: c.__setitem__("beta1", 1.5), "beta1"),
    (lambda s, c: c.__setitem__("alpha", 0.0), "alpha"),
    (lambda s, c: c.__setitem__("d", 2.5), "'d'"),
    (lambda s, c: c.__setitem__("lam", np.array([0.5, 0.5])), "lam"),
    (lambda s, c: c.__setitem__("alpha", np.ones((2, 2))), "alpha"),
    (lambda s, c: s.__setitem__("G_inf", np.ones((T_, 2, 2))), "G_inf"),
])
def test_bad_inputs_name_the_quantity(mutate, match):
    stats, constants = make_run(10)
    mutate(stats, constants)
    with pytest.raises(ValueError, match=match):
        rb.get("kb.thm4.1").evaluate(stats, constants)


def test_other_bad_inputs():
    stats, constants = make_run(11)
    with pytest.raises(TypeError, match="stats"):
        rb.get("z.ogd-regret").evaluate([1, 2], constants)
    with pytest.raises(TypeError, match="constants"):
        rb.get("z.ogd-regret").evaluate(stats, None)
    with pytest.raises(ValueError, match="diameters"):
        rb.get("z.ogd-regret").evaluate(stats, constants, diameters="both")
    del constants["D_domain"]
    with pytest.raises(ValueError, match="D_domain"):
        rb.get("z.ogd-regret").evaluate(stats, constants)
    stats, constants = make_run(11, alpha_schedule="weekly")
    with pytest.raises(ValueError, match="alpha_schedule"):
        rb.get("kb.thm4.1").applies(stats, constants)
