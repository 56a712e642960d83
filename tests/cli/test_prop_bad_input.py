r"""Property tests: bad input over every public entry point.

Invalid input raises ValueError or TypeError whose message names the argument --
never another exception, never a silently returned NaN.  For the command line:
exit status 2, a one-line message naming the option, no traceback.

Entry points: optimizer construction (every hyperparameter of every registered
optimizer) and ``update`` (grads, state, params); problem construction (every
parameter of every registered problem), ``sample`` and the instance's ``loss``;
``simulate.run``; the domains; the step-size suprema and maximizers of theory/;
the regret bounds (``get`` and ``evaluate``); the ledger (``decide``); the CLI.
"""
from __future__ import annotations

import io
import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import example, given
from hypothesis import strategies as st

from adamlab import cli
from adamlab.numerics import domains as dom
from adamlab.numerics import optimizers, problems, simulate
from adamlab.proofs import ledger
from adamlab.theory.regret import bounds as rb
from adamlab.theory import step_bounds as sb

ERRORS = (ValueError, TypeError)

# invalid for every numeric kind
_NOT_A_NUMBER = [math.nan, math.inf, -math.inf, "0.1", None, [], complex(1, 1), True,
                 object(), {"a": 1}, b"1"]
# invalid per kind (optimizers' HParam kinds and problems' Param kinds)
BAD = {
    "positive": _NOT_A_NUMBER + [0.0, -1.0, -1e-300],
    "nonneg": _NOT_A_NUMBER + [-1e-300, -2.0],
    "unit": _NOT_A_NUMBER + [1.0, -0.1, 1.5],
    "closed_unit": _NOT_A_NUMBER + [1.0000001, -0.1],
    "half_open_unit": _NOT_A_NUMBER + [0.0, -0.5, 1.5],
    "real": [math.nan, math.inf, -math.inf, "0.1", None, complex(1, 1), True],
    "prob": _NOT_A_NUMBER + [0.0, 1.0, -0.1],
    "fraction": _NOT_A_NUMBER + [0.0, 1.5],
    "int": [0, -1, 1.5, 2.0, True, "3", None, math.nan],
    "posint": [0, -1, 1.5, True, "3", None],
    "bool": [1, 0, "true", None, 1.0],
    "choice": ["no-such-choice", 1, None, ""],
    "domain": ["no-such-domain", 1, None],
    "betas": [(0.9,), 0.9, (1.0, 0.9), (0.9, 1.0), (math.nan, 0.9), (0.9, -0.1), "ab",
              (0.9, 0.99, 0.999), None],
    "optimizer": ["no-such-optimizer", 3, None],
}


def _named(exc, *names):
    msg = str(exc)
    return any(n in msg for n in names)


def _hp_cases():
    for name in optimizers.names():
        for hp in optimizers.get(name).hparams():
            yield name, hp.name, hp.kind


HP_CASES = list(_hp_cases())


@given(case=st.sampled_from(HP_CASES), data=st.data())
def test_optimizer_hyperparameters_reject_bad_values_naming_them(case, data):
    name, hp, kind = case
    bad = data.draw(st.sampled_from(BAD[kind]), label="bad")
    with pytest.raises(ERRORS) as info:
        optimizers.make(name, **{hp: bad})
    assert _named(info.value, hp), info.value


def test_every_hyperparameter_kind_has_bad_values():
    assert {k for _, _, k in HP_CASES} <= set(BAD)


BAD_ARRAYS = [
    ("nan", lambda p: np.full_like(p, np.nan)),
    ("inf", lambda p: np.where(np.arange(p.size).reshape(p.shape) == 0, np.inf, p)),
    ("shape", lambda p: np.zeros((p.size, 2))),
    ("shape2", lambda p: np.zeros(p.size + 1)),
    ("empty", lambda p: np.zeros(0)),
    ("int", lambda p: np.zeros(p.shape, dtype=np.int64)),
    ("complex", lambda p: np.zeros(p.shape, dtype=complex)),
    ("str", lambda p: np.array(["a"] * p.size)),
    ("object", lambda p: np.array([None] * p.size, dtype=object)),
    ("none", lambda p: None),
    ("f32", lambda p: p.astype(np.float32)),
]


@given(name=st.sampled_from(optimizers.names()), which=st.sampled_from(["grads", "params"]),
       bad=st.sampled_from(BAD_ARRAYS), d=st.integers(1, 4))
def test_optimizer_update_rejects_bad_arrays_naming_them(name, which, bad, d):
    opt = optimizers.make(name)
    p = np.linspace(-1, 1, d)
    state = opt.init(p)
    args = {"grads": np.ones(d), "params": p}
    args[which] = bad[1](p)
    with pytest.raises(ERRORS) as info:
        opt.update(args["grads"], state, args["params"])
    assert _named(info.value, which, "dtype", "shape"), info.value


@given(name=st.sampled_from(optimizers.names()),
       state=st.sampled_from([None, (), (0,), "state", 3]))
def test_optimizer_update_rejects_bad_state(name, state):
    opt = optimizers.make(name)
    with pytest.raises(ERRORS) as info:
        opt.update(np.ones(2), state, np.zeros(2))
    assert _named(info.value, "state"), info.value


def _problem_cases():
    for name in problems.names():
        for p in problems.get(name).params():
            yield name, p.name, p.kind


P_CASES = list(_problem_cases())


@given(case=st.sampled_from(P_CASES), data=st.data())
def test_problem_parameters_reject_bad_values_naming_them(case, data):
    name, param, kind = case
    bad = data.draw(st.sampled_from(BAD[kind]), label="bad")
    with pytest.raises(ERRORS) as info:
        problems.make(name, **{param: bad})
    assert _named(info.value, param), info.value


@given(name=st.sampled_from(problems.names()),
       arg=st.sampled_from(["T", "runs", "seed"]),
       bad=st.sampled_from([0, -1, 1.5, "3", None, True, math.nan]))
def test_problem_sample_rejects_bad_values(name, arg, bad):
    if arg == "seed" and bad == 0:
        return                                   # seed 0 is valid
    kw = {"T": 3, "runs": 1, "seed": 0, arg: bad}
    params = {"d": 3} if any(p.name == "d" for p in problems.get(name).params()) else {}
    with pytest.raises(ERRORS) as info:
        problems.make(name, **params).sample(kw.pop("T"), **kw)
    assert _named(info.value, arg), info.value


# Found by the thorough profile, NOT a bug: logistic-sparse's loss() reads theta only at
# the step's support by design (the sparse engine passes a stale view; pinned by
# test_problems_sparse.py::test_sparse_reads_theta_only_at_the_support), so a NaN/inf off the
# support is not looked at.  Checked here: a non-finite value *on* the support is refused.
@example(name="logistic-sparse", which="theta", bad=0, bad_theta=BAD_ARRAYS[1])
@given(name=st.sampled_from([n for n in problems.names() if n != "linear-adversarial"]),
       which=st.sampled_from(["t", "theta"]),
       bad=st.sampled_from([0, 99, -1, 1.5, None, "x", math.nan]),
       bad_theta=st.sampled_from(BAD_ARRAYS))
def test_instance_loss_rejects_bad_values(name, which, bad, bad_theta):
    params = {"d": 3} if any(p.name == "d" for p in problems.get(name).params()) else {}
    prob = problems.make(name, **params)
    inst = prob.sample(5, runs=1, seed=0)
    theta = prob.x0(1)
    t = 1
    if which == "t":
        t = bad
    else:
        if bad_theta[0] == "f32":
            return                                 # float32 is a supported dtype
        theta = bad_theta[1](theta)
        if name == "logistic-sparse" and bad_theta[0] in ("nan", "inf"):
            theta = np.full(prob.x0(1).shape, np.nan)     # non-finite on the support too
    with pytest.raises(ERRORS) as info:
        inst.loss(t, theta)
    assert _named(info.value, which, "dtype", "shape"), info.value


SIM_BAD = {
    "T": [0, -3, 1.5, "10", None, True],
    "runs": [0, -1, 2.5, "2"],
    "seed": [-1, 1.5, "s", None, [0, -1]],
    "projection": ["no", None, 3],
    "engine": ["turbo", None, 1],
    "stats": [1, "yes", None],
    "shared": [1, "yes"],
    "record_iterates": [1, "no"],
    "x0": [np.full(1, np.nan), np.zeros(7), "x", np.zeros((3, 3, 3))],
    "problem": ["no-such-problem", 3, None],
    "optimizer": ["no-such-optimizer", 3, None],
}


@given(arg=st.sampled_from(sorted(SIM_BAD)), data=st.data())
def test_simulate_run_rejects_bad_arguments_naming_them(arg, data):
    bad = data.draw(st.sampled_from(SIM_BAD[arg]), label="bad")
    kw = dict(problem="rkk-online", optimizer="adam", T=5, progress=False)
    kw[arg] = bad
    with pytest.raises(ERRORS) as info:
        simulate.run(**kw)
    assert _named(info.value, arg, "name", "dtype", "shape"), info.value


@given(kind=st.sampled_from(["box", "l2", "linf"]),
       bad=st.sampled_from([math.nan, math.inf, -1.0, 0.0, "1", None, complex(1, 0)]))
def test_domain_constructors_reject_bad_radius_or_bounds(kind, bad):
    with pytest.raises(ERRORS) as info:
        if kind == "box":
            dom.Box(bad, 1.0) if bad not in (-1.0, 0.0) else dom.Box(2.0, bad)
        elif kind == "l2":
            dom.L2Ball(bad)
        else:
            dom.LinfBall(bad)
    assert _named(info.value, "radius", "lo", "hi"), info.value


@given(F=st.sampled_from([dom.Box(-1, 1, 2), dom.L2Ball(1.0, 0.0, 2), dom.LinfBall(1.0)]),
       bad=st.sampled_from([("theta", np.array([np.nan, 0.0])), ("theta", "x"),
                            ("theta", np.zeros(5)), ("weights", np.array([-1.0, 1.0])),
                            ("weights", np.array([np.nan, 1.0])), ("weights", "w"),
                            ("weights", np.ones(3))]))
def test_projections_reject_bad_points_and_weights(F, bad):
    which, value = bad
    theta = value if which == "theta" else np.zeros(2)
    w = value if which == "weights" else np.ones(2)
    with pytest.raises(ERRORS) as info:
        F.project_weighted(theta, w)
    assert _named(info.value, which), info.value


# -- theory: suprema, maximizers, regret bounds ------------------------------------
BAD_BETA = [1.0, -0.1, 1.5, math.nan, math.inf, "0.9", None, True, complex(0.5, 0),
            sp.Rational(3, 2), sp.I]
BAD_T = [0, -1, 1.5, "3", None, True, math.nan, -sp.oo]


@given(fn=st.sampled_from([sb.adam_sup_ratio, sb.adamax_sup_ratio, sb.adam_maximizer,
                           sb.adamax_maximizer]),
       which=st.sampled_from(["beta1", "beta2", "t"]), data=st.data())
def test_step_bounds_reject_bad_values_naming_them(fn, which, data):
    args = {"beta1": 0.9, "beta2": 0.999, "t": 3}
    args[which] = data.draw(st.sampled_from(BAD_T if which == "t" else BAD_BETA))
    with pytest.raises(ERRORS) as info:
        fn(**args)
    assert _named(info.value, which), info.value


@given(b1=st.floats(0, 1, exclude_max=True), b2=st.floats(0, 1, exclude_max=True),
       t=st.one_of(st.integers(1, 10**6), st.just(sp.oo)))
def test_step_bounds_never_return_nan(b1, b2, t):
    for fn in (sb.adam_sup_ratio, sb.adamax_sup_ratio):
        v = float(fn(b1, b2, t))
        assert not math.isnan(v) and v >= 1.0 - 1e-12, (fn.__name__, b1, b2, t, v)


@given(bad=st.sampled_from(["kb.thm41", "", "nope", 3, None]))
def test_regret_bounds_get_rejects_unknown_ids(bad):
    with pytest.raises(ERRORS) as info:
        rb.get(bad)
    assert _named(info.value, "claim", "id", repr(bad), str(bad)), info.value


def _stats(T=4, R=2):
    rng = np.random.default_rng(0)
    s = {"t": np.arange(1, T + 1)}
    for k in ("G", "G_inf", "D", "D_inf", "sum_g_norm", "sum_sqrt_t_vhat", "sum_vhat_sqrt",
              "sum_b1t_vhat_over_alpha"):
        s[k] = np.cumsum(rng.uniform(0.1, 2.0, size=(T, R)), axis=0)
    s["gamma_min_eig"] = np.abs(rng.normal(size=(T, R)))
    s["regret"] = rng.normal(size=(T, R))
    c = {"alpha": np.full(R, 0.1), "beta1": np.full(R, 0.5), "beta2": np.full(R, 0.9),
         "lam": np.full(R, 0.5), "eta": np.full(R, 1.0), "d": 5, "T": T,
         "D_domain": 10.0, "D_inf_domain": 10.0}
    return s, c


@given(cid=st.sampled_from(rb.CLAIM_IDS), data=st.data(),
       how=st.sampled_from(["missing", "nan", "negative", "shape", "str"]))
def test_regret_bound_evaluate_rejects_bad_statistics_naming_them(cid, data, how):
    bound = rb.get(cid)
    stats, const = _stats()
    src = bound.sources(None)
    sym = data.draw(st.sampled_from(sorted(src, key=str)))
    where, key = src[sym]
    table = stats if where == "stats" else const
    if how == "missing":
        table.pop(key)
    elif how == "nan":
        table[key] = np.full_like(np.asarray(table[key], dtype=float), np.nan)
    elif how == "negative":
        table[key] = -np.abs(np.asarray(table[key], dtype=float)) - 1.0
        if key in ("regret",):
            return
    elif how == "shape":
        table[key] = np.ones((7, 7, 7))
    else:
        table[key] = "x"
    try:
        out = bound.evaluate(stats, const)
    except ERRORS as exc:
        assert _named(exc, key), exc
        return
    # accepted (e.g. a negative value that the bound may take): never a silent NaN
    assert not np.any(np.isnan(out)), (cid, key, how)


@given(bad=st.sampled_from(["kb.sec2.1", "", "nope", 3, None, "KB.THM4.1"]))
def test_ledger_decide_rejects_unknown_ids(bad):
    with pytest.raises(ERRORS) as info:
        ledger.decide(bad)
    assert _named(info.value, "claim", repr(bad), str(bad)), info.value


# -- the command line ----------------------------------------------------------------
def _cli(argv, capsys):
    code = cli.main(argv, out=io.StringIO())
    return code, capsys.readouterr().err


CLI_BAD = {
    "--T": ["0", "-5", "nan", "abc", "1.5", "1e400", ""],
    "--runs": ["0", "-1", "x", "2.5"],
    "--seed": ["-1", "1.5", "s"],
    "--problem": ["nope", ""],
    "--problem-params": ["d=0", "bogus=1", "C=abc", "period=0", "=", "C"],
    "--optimizers": ["nope", "adam,adam", ","],
    "--hp": ["adam:lr=-1", "adam:betas=1.5/0.9", "adam:bogus=1", "nope:lr=1", "lr=0.1",
             "adam:lr=nan", "adam:eps=-1", "adam:lr=1e-3:1e-1:500log"],
    "--formats": ["jpg", "", "png,png"],
}


@given(opt=st.sampled_from(sorted(CLI_BAD)), data=st.data())
def test_cli_regret_bad_options_exit_2_with_a_message(opt, data, tmp_path_factory):
    bad = data.draw(st.sampled_from(CLI_BAD[opt]), label="value")
    out = str(tmp_path_factory.mktemp("rg"))
    argv = ["regret", "--T", "20", "--runs", "1", "--out", out, "--quiet", "--no-progress",
            opt, bad]
    code = cli.main(argv, out=io.StringIO())
    assert code == 2, (argv, code)


# BUG found and fixed: without --out, `check` ignored a bad --T / --formats and ran the
# whole ledger (exit 0); adamlab/cli.py now validates both before the ledger runs.
@example(opt="--T", bad="-5")
@example(opt="--formats", bad="jpg")
@given(opt=st.sampled_from(["--T", "--formats"]), bad=st.sampled_from(
    ["-5", "0", "9", "abc", "nan", "1.5", "1e400", "", "jpg", "png,png", "gif,svg"]))
def test_cli_check_bad_report_options_exit_2_even_without_out(opt, bad):
    code = cli.main(["check", "kb.sec2.1.scale-invariance", opt, bad], out=io.StringIO())
    assert code == 2, (opt, bad, code)


@pytest.mark.parametrize("argv,flag", [
    (["check", "--out", "DIR", "--T", "0"], "--T"),
    (["check", "--out", "DIR", "--formats", "gif"], "--formats"),
    (["check", "kb.thm41"], "kb.thm4.1"),
    (["list", "bogus"], "bogus"),
    (["prove", "nosuch"], "nosuch"),
    (["frobnicate"], "frobnicate"),
    (["regret", "--nope"], "--nope"),
])
def test_cli_bad_input_exit_2_message_no_traceback(argv, flag, capsys, tmp_path):
    argv = [str(tmp_path / "r") if a == "DIR" else a for a in argv]
    code, err = _cli(argv, capsys)
    assert code == 2, (argv, code)
    assert flag in err and "Traceback" not in err, err
