"""Every registered optimizer against an independent exact-arithmetic reference.

The reference (``exact_reference*.py``) is written from the papers' algorithm
boxes and torch/optax's documented conventions, in SymPy exact arithmetic.
Inputs are dyadic rationals, so the float64 values given to the implementation
*equal* the reference's inputs; hyperparameter schedules are the only inputs
the implementation evaluates in floats (to within a few ulps).

Tolerance: relative 1e-13 on every coordinate of every iterate.  A correct
float64 implementation makes a few tens of roundings (unit 2**-53 ~ 1.1e-16)
per step over at most 8 steps of well-conditioned updates (parameters of
order 1, no cancellation near zero), so its error stays below ~1e-14; every
convention difference these cases are built to expose (epsilon placement
with eps = 2**-10, dampening at step 1, bias correction, clipping, projection,
rectification, momentum schedule, ...) moves an iterate by more than 1e-9 relative.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction as F

import numpy as np
import pytest

from adamlab.numerics import optimizers
from adamlab.numerics.optimizers import schedules

import exact_reference as ref

RTOL = 1e-13

THETA0 = [[1, -2, F(3, 2)], [F(-5, 4), F(9, 4), 3]]
GRADS = [  # step 1 has no zero (eps = 0 cases stay defined); zeros and signs change after
    [[F(1, 2), -1, F(1, 4)], [2, F(-1, 4), 1]],
    [[0, F(3, 2), F(-1, 8)], [F(-1, 2), 0, F(5, 4)]],
    [[F(-3, 4), F(1, 4), 1], [1, F(-3, 2), F(-1, 2)]],
]
# AdamP: step-1 gradients orthogonal to theta_0 in both runs (scale-invariant case).
ORTHO = [[[F(1, 2), 1, 1], [3, F(1, 4), F(17, 16)]]] + GRADS[1:]


@dataclass(frozen=True)
class PerRun:
    """A hyperparameter with one value per run (the implementation's (R,) array)."""
    values: tuple


@dataclass(frozen=True)
class InvSqrt:
    alpha: F


@dataclass(frozen=True)
class B1Decay:
    beta1: F
    lam: F


@dataclass(frozen=True)
class Inner:
    """An optimizer instance passed to lookahead: registry name + overrides."""
    name: str
    hp: dict = field(default_factory=dict)


@dataclass
class Case:
    name: str
    hp: dict
    steps: int = 3
    grads: list = field(default_factory=lambda: GRADS)


def c(name, steps=3, grads=GRADS, **hp):
    return Case(name, hp, steps, grads)


def _float(x):
    out = float(x)
    assert F(out) == F(x), f"{x} is not exactly representable in float64"
    return out


def to_impl(v):
    if isinstance(v, (bool, str)):
        return v
    if isinstance(v, int):
        return v
    if isinstance(v, F):
        return _float(v)
    if isinstance(v, tuple):
        return tuple(to_impl(x) for x in v)
    if isinstance(v, PerRun):
        return np.array([_float(x) for x in v.values])
    if isinstance(v, InvSqrt):
        return schedules.InverseSqrt(_float(v.alpha))
    if isinstance(v, B1Decay):
        return schedules.Beta1Decay(_float(v.beta1), _float(v.lam))
    if isinstance(v, Inner):
        return optimizers.make(v.name, **{k: to_impl(x) for k, x in v.hp.items()})
    raise TypeError(v)


def to_ref(v, run: int):
    if isinstance(v, (bool, str, int)):
        return v
    if isinstance(v, F):
        return ref.Rational(v.numerator, v.denominator)
    if isinstance(v, tuple):
        return tuple(to_ref(x, run) for x in v)
    if isinstance(v, PerRun):
        return to_ref(v.values[run], run)
    if isinstance(v, InvSqrt):
        return ref.inverse_sqrt(to_ref(v.alpha, run))
    if isinstance(v, B1Decay):
        return ref.beta1_decay(to_ref(v.beta1, run), to_ref(v.lam, run))
    if isinstance(v, Inner):
        return (v.name, {k: to_ref(x, run) for k, x in v.hp.items()})
    raise TypeError(v)


LR, BETAS, EPS = F(1, 8), (F(1, 2), F(3, 4)), F(1, 1024)
A = dict(lr=LR, betas=BETAS, eps=EPS)          # a base for the Adam family
SCHED = dict(lr=InvSqrt(F(1, 4)))

CASES = [
    # --- SGD (torch.optim.SGD) ---------------------------------------------
    c("sgd"), c("sgd", lr=LR), c("sgd", lr=LR, momentum=F(1, 2)),
    c("sgd", lr=LR, momentum=F(1, 2), dampening=F(1, 4)),       # no dampening at t=1
    c("sgd", lr=LR, momentum=F(3, 4), nesterov=True, weight_decay=F(1, 4)),
    c("sgd", weight_decay=F(1, 2), **SCHED),
    c("sgd", lr=PerRun((F(1, 8), F(1, 2))), momentum=F(1, 2)),
    c("momentum"), c("momentum", lr=LR, momentum=F(3, 4), dampening=F(1, 2),
                     weight_decay=F(1, 8)),
    c("momentum", lr=LR, nesterov=True),
    c("nag"), c("nag", lr=LR, momentum=F(1, 2), weight_decay=F(1, 4)),
    c("nag", lr=LR, nesterov=False), c("nag", momentum=F(1, 4), **SCHED),
    # --- AdaGrad -----------------------------------------------------------
    c("adagrad"), c("adagrad", lr=LR, eps=EPS, eps_mode="outside"),
    c("adagrad", lr=LR, eps=EPS, eps_mode="inside"), c("adagrad", lr=LR, eps=0),
    c("adagrad", lr=LR, eps=EPS, lr_decay=F(1, 2), weight_decay=F(1, 4)),
    c("adagrad", lr=LR, eps=EPS, eps_mode="inside", initial_accumulator_value=F(1, 4)),
    c("adagrad", eps=EPS, initial_accumulator_value=F(1, 2), lr_decay=F(1, 4), **SCHED),
    # --- RMSprop -----------------------------------------------------------
    c("rmsprop"), c("rmsprop", lr=LR, alpha=F(1, 2), eps=EPS, eps_mode="outside"),
    c("rmsprop", lr=LR, alpha=F(1, 2), eps=EPS, eps_mode="inside"),
    c("rmsprop", lr=LR, alpha=F(3, 4), eps=0),
    c("rmsprop", lr=LR, alpha=F(1, 2), eps=EPS, centered=True),
    c("rmsprop", lr=LR, alpha=F(1, 2), eps=EPS, centered=True, eps_mode="inside"),
    c("rmsprop", lr=LR, alpha=F(1, 2), eps=EPS, momentum=F(1, 2), eps_mode="inside"),
    c("rmsprop", alpha=F(3, 4), eps=EPS, momentum=F(1, 2), centered=True,
      weight_decay=F(1, 4), **SCHED),
    # --- AdaDelta ----------------------------------------------------------
    c("adadelta"), c("adadelta", rho=F(1, 2), eps=EPS),
    c("adadelta", lr=F(1, 2), rho=F(3, 4), eps=F(1, 16), weight_decay=F(1, 4)),
    c("adadelta", rho=F(1, 2), eps=F(1, 64), **SCHED),
    # --- Adam / AMSGrad / AdamW --------------------------------------------
    c("adam"), c("adam", **A), c("adam", **A, eps_mode="efficient"),
    c("adam", **A, eps_mode="inside"), c("adam", **{**A, "eps": 0}),
    c("adam", **A, eps_mode="max"), c("adam", **{**A, "eps": F(1, 2)}, eps_mode="max"),
    c("adam", **A, eps_mode="root_square"),
    c("adam", **A, weight_decay=F(1, 4)),
    c("adam", **A, weight_decay=F(1, 4), decoupled_weight_decay=True),
    c("adam", **A, weight_decay=F(1, 4), decoupled_weight_decay=True,
      decay_scaled_by_lr=False),
    c("adam", **{**A, **SCHED}),
    c("adam", **{**A, "betas": (B1Decay(F(1, 2), F(1, 2)), F(3, 4))},
      beta1_correction="product"),
    c("adam", **{**A, "betas": (B1Decay(F(1, 2), F(1, 2)), F(3, 4))},
      beta1_correction="power"),
    c("adam", **{**A, "lr": PerRun((F(1, 8), F(1, 4))),
                 "betas": (PerRun((F(1, 2), F(3, 4))), PerRun((F(3, 4), F(7, 8))))}),
    *[c("adam", **A, amsgrad=True, amsgrad_mode=m) for m in ("torch", "optax", "reddi")],
    c("amsgrad"),
    *[c("amsgrad", **A, amsgrad_mode=m, eps_mode=e)
      for m in ("torch", "optax", "reddi") for e in ("outside", "efficient", "inside")],
    *[c(n, **A, eps_mode=e) for n in ("amsgrad", "adamw") for e in ("max", "root_square")],
    c("amsgrad", **{**A, "betas": (B1Decay(F(1, 2), F(1, 2)), F(3, 4)), **SCHED},
      amsgrad_mode="reddi"),
    c("amsgrad", **{**A, "betas": (B1Decay(F(3, 4), F(1, 2)), F(3, 4))}, weight_decay=F(1, 4),
      beta1_correction="power", decoupled_weight_decay=True, decay_scaled_by_lr=False),
    c("amsgrad", **A, amsgrad=False),
    c("adamw"), c("adamw", **A, weight_decay=F(1, 4)),
    c("adamw", **A, weight_decay=F(1, 4), decay_scaled_by_lr=False),
    c("adamw", **{**A, **SCHED}, weight_decay=F(1, 2), amsgrad=True),
    c("adamw", **A, weight_decay=F(1, 4), decoupled_weight_decay=False),
    c("adamw", **{**A, "betas": (B1Decay(F(3, 4), F(1, 2)), F(3, 4))}, weight_decay=F(1, 4),
      beta1_correction="power", eps_mode="inside"),
    c("adamw", **A, weight_decay=F(1, 4), amsgrad=True, amsgrad_mode="optax",
      eps_mode="efficient"),
    c("adamw", **A, weight_decay=F(1, 4), amsgrad=True, amsgrad_mode="reddi",
      decay_scaled_by_lr=False),
    # --- AdaMax ------------------------------------------------------------
    c("adamax"), c("adamax", **A, eps_mode="torch"), c("adamax", **A, eps_mode="outside"),
    c("adamax", **{**A, "eps": 0}, eps_mode="torch"),
    c("adamax", **{**A, "eps": 0}, eps_mode="outside"),
    c("adamax", **{**A, **SCHED}, weight_decay=F(1, 4), eps_mode="outside"),
    # --- NAdam -------------------------------------------------------------
    c("nadam"), c("nadam", **A, variant="torch"), c("nadam", **A, variant="optax"),
    c("nadam", **A, momentum_decay=F(1, 4)), c("nadam", **A, momentum_decay=0),
    c("nadam", **A, weight_decay=F(1, 4)),
    c("nadam", **A, weight_decay=F(1, 4), decoupled_weight_decay=True),
    c("nadam", **{**A, **SCHED}, variant="optax", weight_decay=F(1, 4),
      decoupled_weight_decay=True),
    c("nadam", **{**A, **SCHED}, momentum_decay=F(1, 2), weight_decay=F(1, 8)),
    # --- RAdam (rho_t > 5 needs t >= 6; run 8 steps) -----------------------
    c("radam"), c("radam", steps=8),
    c("radam", **A),                                       # rho_t <= 3: no rectification
    c("radam", steps=8, lr=LR, betas=(F(1, 2), F(15, 16)), eps=EPS, eps_mode="efficient"),
    c("radam", steps=8, lr=LR, betas=(F(1, 2), F(15, 16)), eps=EPS, eps_mode="outside"),
    c("radam", steps=8, lr=LR, betas=(F(1, 2), F(15, 16)), eps=EPS, threshold=4),
    c("radam", steps=8, lr=LR, betas=(F(3, 4), F(7, 8)), eps=EPS, threshold=F(9, 2),
      weight_decay=F(1, 4)),
    c("radam", steps=8, betas=(F(1, 2), F(63, 64)), eps=0, weight_decay=F(1, 4),
      decoupled_weight_decay=True, eps_mode="outside", **SCHED),
    # --- AdaBound (gamma=2, final_lr=lr: the clip is active both ways) -----
    c("adabound"), c("adabound", steps=8),
    c("adabound", **A, final_lr=LR, gamma=2, form="code"),
    c("adabound", **A, final_lr=LR, gamma=2, form="paper"),
    c("adabound", **A, final_lr=LR, gamma=2, form="code", amsbound=True),
    c("adabound", **{**A, "eps": 0}, final_lr=LR, gamma=F(1, 2), form="paper",
      amsbound=True),
    c("adabound", **A, final_lr=F(1, 4), gamma=F(1, 8), weight_decay=F(1, 4)),
    c("adabound", **A, final_lr=F(1, 16), gamma=1, weight_decay=F(1, 4), form="paper"),
    c("adabound", **{**A, **SCHED}, final_lr=LR, gamma=2, form="code"),
    c("adabound", **{**A, **SCHED}, final_lr=LR, gamma=2, form="paper"),
    c("adabound", **{**A, "betas": (B1Decay(F(3, 4), F(1, 2)), F(3, 4))}, final_lr=LR,
      gamma=2, form="paper"),
    # --- AdamP -------------------------------------------------------------
    c("adamp"), c("adamp", grads=ORTHO),
    c("adamp", **A, delta=0), c("adamp", **A, delta=2),          # never / always project
    c("adamp", **A, delta=2, nesterov=True, weight_decay=F(1, 4), wd_ratio=F(1, 2)),
    c("adamp", **A, grads=ORTHO, weight_decay=F(1, 4), wd_ratio=F(1, 8)),
    c("adamp", **A, grads=ORTHO, nesterov=True, weight_decay=F(1, 2)),
    c("adamp", **{**A, **SCHED}, grads=ORTHO, weight_decay=F(1, 4)),
    # --- Yogi (v_0 = 1 = g_1^2 in two coordinates: sign(0) = 0 at t = 1) ---
    c("yogi"), c("yogi", **A), c("yogi", **{**A, "eps": 0}),
    c("yogi", **A, initial_accumulator_value=1),
    c("yogi", **A, variant="optax", initial_accumulator_value=F(1, 64)),
    c("yogi", **{**A, "eps": 0}, variant="optax", initial_accumulator_value=1,
      weight_decay=F(1, 4)),
    c("yogi", **{**A, **SCHED}, weight_decay=F(1, 4)),
    c("yogi", **A, initial_accumulator_value=PerRun((F(1, 4), 1))),
    # --- AdaBelief (eps = 2^-10 separates the three eps placements) ------------
    c("adabelief"), c("adabelief", **A), c("adabelief", **A, eps_mode="code"),
    c("adabelief", **A, eps_mode="outside"), c("adabelief", **{**A, "eps": 0}),
    c("adabelief", **A, weight_decay=F(1, 4)),
    c("adabelief", **A, weight_decay=F(1, 4), decay_scaled_by_lr=False),
    c("adabelief", **A, weight_decay=F(1, 4), decoupled_weight_decay=False, eps_mode="code"),
    c("adabelief", **{**A, **SCHED}, weight_decay=F(1, 2), eps_mode="outside"),
    # --- LaProp (a schedule separates the paper's and the code's lr) ---------
    c("laprop"), c("laprop", **A), c("laprop", **{**A, "eps": 0}), c("laprop", **A, form="code"),
    c("laprop", **{**A, **SCHED}, form="paper"), c("laprop", **{**A, **SCHED}, form="code"),
    c("laprop", lr=LR, betas=(F(7, 8), F(1, 4)), eps=EPS, weight_decay=F(1, 4)),   # mu^2 > nu
    c("laprop", **{**A, "lr": PerRun((F(1, 8), F(1, 4)))}, form="code", weight_decay=F(1, 8)),
    # --- Lion (betas (1/2, 1/2): c_2 = 0 in run 0, coordinate 2: sign(0) = 0) ----------
    c("lion"), c("lion", lr=LR, betas=BETAS), c("lion", steps=6, lr=LR, betas=(F(1, 2), F(1, 2))),
    c("lion", lr=LR, betas=(0, F(3, 4))), c("lion", lr=LR, betas=BETAS, weight_decay=F(1, 4)),
    c("lion", lr=LR, betas=BETAS, weight_decay=F(1, 4), decay_scaled_by_lr=False),
    c("lion", betas=BETAS, weight_decay=F(1, 2), **SCHED),
    c("lion", lr=PerRun((F(1, 8), F(1, 4))), betas=(PerRun((F(1, 2), F(3, 4))), F(1, 2)),
      weight_decay=PerRun((0, F(1, 4)))),
    # --- ADOPT (call 1 sets v_0; clip c_s = s^(1/4) active at s = 1; eps = 1: the floor) --
    c("adopt"), c("adopt", steps=6), c("adopt", **A), c("adopt", **A, clip=False),
    c("adopt", steps=6, **A), c("adopt", steps=6, lr=LR, betas=BETAS, eps=1),
    c("adopt", lr=LR, betas=BETAS, eps=1, clip=False), c("adopt", **{**A, "eps": 0}, clip=False),
    c("adopt", **A, weight_decay=F(1, 4)),
    c("adopt", **A, weight_decay=F(1, 4), decoupled_weight_decay=True),
    c("adopt", steps=6, **{**A, **SCHED}, weight_decay=F(1, 4), decoupled_weight_decay=True),
    c("adopt", **{**A, "lr": PerRun((F(1, 8), F(1, 4))),
                  "betas": (PerRun((F(1, 2), F(3, 4))), PerRun((F(3, 4), F(7, 8))))}),
    # --- AdEMAMix (warmups 4 > 3 steps; beta3 = 1/4 < beta1: the cap min(., beta3)) ------
    c("ademamix"), c("ademamix", **A, beta3=F(7, 8), alpha=2),
    c("ademamix", **A, beta3=F(7, 8), alpha=2, eps_mode="inside"),
    c("ademamix", **{**A, "eps": 0}, beta3=F(7, 8), alpha=F(1, 2)),
    c("ademamix", **A, beta3=F(7, 8), alpha=0),
    c("ademamix", **A, beta3=F(7, 8), alpha=2, weight_decay=F(1, 4)),
    c("ademamix", **A, beta3=F(15, 16), alpha=4, alpha_warmup=4, beta3_warmup=4),
    c("ademamix", steps=6, **A, beta3=F(15, 16), alpha=4, alpha_warmup=2, beta3_warmup=5),
    c("ademamix", **A, beta3=F(1, 4), alpha=2, beta3_warmup=4),
    c("ademamix", **{**A, **SCHED}, beta3=F(7, 8), alpha=2, eps_mode="inside",
      weight_decay=F(1, 8)),
    c("ademamix", **{**A, "betas": (PerRun((F(1, 2), F(3, 4))), F(3, 4))},
      beta3=PerRun((F(7, 8), F(15, 16))), alpha=PerRun((1, 3)), beta3_warmup=3),
    # --- Lookahead (k=2: a synchronisation within 3 steps) -----------------
    c("lookahead"), c("lookahead", steps=6),
    c("lookahead", optimizer="sgd", k=2), c("lookahead", optimizer="momentum", k=2,
                                            alpha=1),
    c("lookahead", optimizer=Inner("sgd", dict(lr=LR, momentum=F(1, 2))), k=2),
    c("lookahead", optimizer=Inner("adam", A), k=2, alpha=F(1, 4)),
    c("lookahead", optimizer=Inner("nadam", A), k=1, alpha=F(3, 4)),
    c("lookahead", optimizer=Inner("adamp", {**A, "delta": 2}), k=3),
    c("lookahead", steps=6, optimizer=Inner("radam", dict(lr=LR, betas=(F(1, 2), F(15, 16)),
                                                         threshold=4)), k=2),
    # --- Schedule-Free AdamW (params = y; warmup 4 > 3 steps; InvSqrt: running max) ------
    c("schedule-free-adamw"), c("schedule-free-adamw", steps=6),
    c("schedule-free-adamw", **A), c("schedule-free-adamw", **A, bias_correction="v"),
    c("schedule-free-adamw", **{**A, "eps": 0}, bias_correction="v"),
    c("schedule-free-adamw", **A, weight_decay=F(1, 4)),
    c("schedule-free-adamw", **A, weight_decay=F(1, 4), bias_correction="v", warmup_steps=2),
    c("schedule-free-adamw", steps=6, **A, warmup_steps=4),
    c("schedule-free-adamw", **{**A, **SCHED}, bias_correction="v"),
    c("schedule-free-adamw", **{**A, **SCHED, "betas": (0, F(3, 4))}, weight_decay=F(1, 8)),
    c("schedule-free-adamw", **{**A, "lr": PerRun((F(1, 8), F(1, 4))), "betas": (
        PerRun((F(1, 2), F(3, 4))), PerRun((F(3, 4), F(7, 8))))}),
]


def _impl_iterates(case: Case) -> np.ndarray:
    opt = optimizers.make(case.name, **{k: to_impl(v) for k, v in case.hp.items()})
    params = np.array([[_float(x) for x in row] for row in THETA0])
    state, out = opt.init(params), []
    for t in range(case.steps):
        g = np.array([[_float(x) for x in row] for row in case.grads[t % len(case.grads)]])
        params, state = opt.update(g, state, params)
        out.append(params)
    return np.stack(out)  # (T, R, d)


def _ref_iterates(case: Case) -> np.ndarray:
    runs = []
    for r, theta0 in enumerate(THETA0):
        hp = {k: to_ref(v, r) for k, v in case.hp.items()}
        gs = [[ref.Rational(F(x).numerator, F(x).denominator)
               for x in case.grads[t % len(case.grads)][r]] for t in range(case.steps)]
        th0 = [ref.Rational(F(x).numerator, F(x).denominator) for x in theta0]
        runs.append([[float(x) for x in ref.evaluate(v)]
                     for v in ref.trajectory(case.name, th0, gs, hp)])
    return np.array(runs).transpose(1, 0, 2)  # (T, R, d)


def _fmt(v) -> str:
    if isinstance(v, F):
        return str(v)
    if isinstance(v, tuple):
        return "(" + ",".join(map(_fmt, v)) + ")"
    if isinstance(v, PerRun):
        return "runs" + _fmt(tuple(v.values))
    if isinstance(v, InvSqrt):
        return f"{_fmt(v.alpha)}/sqrt(t)"
    if isinstance(v, B1Decay):
        return f"{_fmt(v.beta1)}*{_fmt(v.lam)}^(t-1)"
    if isinstance(v, Inner):
        return f"{v.name}(" + ",".join(f"{k}={_fmt(x)}" for k, x in v.hp.items()) + ")"
    return str(v)


def _case_id(case: Case) -> str:
    parts = [f"{k}={_fmt(v)}" for k, v in case.hp.items()]
    if case.grads is not GRADS:
        parts.append("grads=ORTHO")
    return f"{case.name}[{','.join(parts)}]" + (f"x{case.steps}" if case.steps != 3 else "")


def _param(case):
    """The cases whose exact SymPy reference takes seconds (nested radicals) are slow, and
    so is every case but the first of each optimizer: the everyday loop replays one
    exact reference per optimizer, the full suite all of them."""
    cid = _case_id(case)
    first = next(c for c in CASES if c.name == case.name) is case
    slow = case.name in ("nadam", "adamp", "lookahead", "rmsprop") and any(
        k in cid for k in ("eps=1/1024,weight_decay=1/4]", "delta=2", "momentum_decay=1/2",
                           "centered=True,weight_decay")) or (case.name == "ademamix" and case.steps > 3)
    return pytest.param(case, id=_case_id(case),
                        marks=[pytest.mark.slow] if slow or not first else [])


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_matches_exact_reference(case):
    if case.name not in optimizers.names():
        pytest.fail(f"{case.name} is not registered")
    got, want = _impl_iterates(case), _ref_iterates(case)
    err = np.abs(got - want) / np.where(want == 0, 1.0, np.abs(want))
    bad = np.argwhere(~(err <= RTOL) | ((want == 0) & (got != 0)))
    assert bad.size == 0, (
        f"{case.name}: first mismatch at (t, run, coord) = {tuple(bad[0] + [1, 0, 0])}: "
        f"ours {got[tuple(bad[0])]!r}, exact {want[tuple(bad[0])]!r}, rel err "
        f"{err[tuple(bad[0])]:.3g}\nours:\n{got}\nexact:\n{want}")


def test_every_registered_name_has_a_case_and_a_reference():
    covered = {case.name for case in CASES}
    for name in optimizers.names():
        assert name in covered, f"no exact-reference case for {name!r}"
        assert name in ref.METHODS and name in ref.DEFAULTS, f"no reference for {name!r}"


@pytest.mark.parametrize("name", sorted({case.name for case in CASES}))
def test_every_choice_and_flag_is_exercised(name):
    """Each declared choice value (and both values of each bool) appears in a case."""
    if name not in optimizers.names():
        pytest.fail(f"{name} is not registered")
    entry = optimizers.get(name)
    used: dict[str, set] = {}
    for case in (k for k in CASES if k.name == name):
        opt = entry.make(**{k: to_impl(v) for k, v in case.hp.items()})
        for key, value in opt.hyper.items():
            if isinstance(value, (str, bool)):
                used.setdefault(key, set()).add(value)
    missing = []
    for hp in entry.hparams():
        wanted = set(hp.choices) if hp.kind == "choice" else \
            {True, False} if hp.kind == "bool" else set()
        missing += [f"{hp.name}={v!r}" for v in sorted(wanted - used.get(hp.name, set()))]
    assert not missing, f"{name}: never exercised: {', '.join(missing)}"
