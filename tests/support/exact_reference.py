r"""Independent exact-arithmetic reference for every registered optimizer.

For each registry name, :data:`METHODS` gives the factory that computes its
iterates exactly (SymPy Rationals, symbolic square roots; see
:mod:`exact_reference_classic` and :mod:`exact_reference_adaptive`, one
factory per *method*, parametrised by the convention options), and
:data:`DEFAULTS` the default hyperparameters, transcribed from
``tests/API_SPEC.md`` (not read from the implementation).  A default is the
exact binary value of the float literal the implementation receives
(``Rational(0.9)``), so the reference sees the same inputs.

:func:`trajectory` runs one run (one d-vector) of a method for a list of
gradients and returns the exact iterates :math:`\theta_1, \ldots, \theta_T`.
"""
from __future__ import annotations

import mpmath
import sympy
from sympy import Rational, sqrt

from exact_reference_adaptive import adabound, adam, adamax, adamp, nadam, radam
from exact_reference_classic import Vec, adadelta, adagrad, rmsprop, sgd
from exact_reference_yab import YAB_DEFAULTS, adabelief, laprop, yogi
import exact_reference_sf  # noqa: E402  Schedule-Free AdamW
import exact_reference_lam  # noqa: E402  Lion, ADOPT, AdEMAMix


def _x(value: float) -> Rational:
    """The exact value of a float literal (as the implementation receives it)."""
    return Rational(value)


_BETAS = (_x(0.9), _x(0.999))
_SGD = dict(lr=_x(1e-3), momentum=0, dampening=0, nesterov=False, weight_decay=0)
_ADAM = dict(lr=_x(1e-3), betas=_BETAS, eps=_x(1e-8), weight_decay=0, amsgrad=False,
             amsgrad_mode="torch", eps_mode="outside", decoupled_weight_decay=False,
             decay_scaled_by_lr=True, beta1_correction="product")

DEFAULTS: dict[str, dict] = {
    "sgd": _SGD,
    "momentum": {**_SGD, "momentum": _x(0.9)},
    "nag": {**_SGD, "momentum": _x(0.9), "nesterov": True},
    "adagrad": dict(lr=_x(1e-2), lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                    eps=_x(1e-10), eps_mode="outside"),
    "rmsprop": dict(lr=_x(1e-2), alpha=_x(0.99), eps=_x(1e-8), weight_decay=0, momentum=0,
                    centered=False, eps_mode="outside"),
    "adadelta": dict(lr=1, rho=_x(0.9), eps=_x(1e-6), weight_decay=0),
    "adam": _ADAM,
    "amsgrad": {**_ADAM, "amsgrad": True},
    "adamw": {**_ADAM, "decoupled_weight_decay": True, "weight_decay": _x(1e-2)},
    "adamax": dict(lr=_x(2e-3), betas=_BETAS, eps=_x(1e-8), weight_decay=0,
                   eps_mode="torch"),
    "nadam": dict(lr=_x(2e-3), betas=_BETAS, eps=_x(1e-8), weight_decay=0,
                  momentum_decay=_x(4e-3), decoupled_weight_decay=False, variant="torch"),
    "radam": dict(lr=_x(1e-3), betas=_BETAS, eps=_x(1e-8), weight_decay=0,
                  decoupled_weight_decay=False, threshold=5, eps_mode="efficient"),
    "adabound": dict(lr=_x(1e-3), betas=_BETAS, final_lr=_x(0.1), gamma=_x(1e-3),
                     eps=_x(1e-8), weight_decay=0, amsbound=False, form="code"),
    "adamp": dict(lr=_x(1e-3), betas=_BETAS, eps=_x(1e-8), weight_decay=0, delta=_x(0.1),
                  wd_ratio=_x(0.1), nesterov=False),
    "lookahead": dict(optimizer="adam", k=5, alpha=_x(0.5)),
    **YAB_DEFAULTS,                               # yogi, adabelief, laprop
    "schedule-free-adamw": exact_reference_sf.DEFAULTS,
    **exact_reference_lam.LAM_DEFAULTS,           # lion, adopt, ademamix
}


def lookahead(hp):
    r"""Lookahead (Zhang, Lucas, Hinton & Ba, NeurIPS 2019, Algorithm 1).

    Slow weights :math:`\phi_0 = \theta_0`; each step is one inner step on the
    fast weights; after every k-th step :math:`\phi \leftarrow \phi +
    \alpha(\theta - \phi)` and the fast weights restart from :math:`\phi`
    (the returned iterate).  The inner optimizer's state and step counter
    carry on across synchronisations (the paper's default: the inner
    optimizer is not reset; likewise optax.lookahead).  ``optimizer`` is
    ``(name, exact overrides)`` or a bare registry name (its defaults).
    """
    inner = hp["optimizer"]
    name, over = (inner, {}) if isinstance(inner, str) else inner
    inner_step = METHODS[name]({**DEFAULTS[name], **over})
    k, alpha = hp["k"], hp["alpha"]
    st = {}

    def step(theta, g, t):
        st.setdefault("slow", theta)
        fast = inner_step(theta, g, t)
        if t % k:
            return fast
        st["slow"] = st["slow"] + alpha * (fast - st["slow"])
        return st["slow"]

    return step


METHODS = {
    "sgd": sgd, "momentum": sgd, "nag": sgd,
    "adagrad": adagrad, "rmsprop": rmsprop, "adadelta": adadelta,
    "adam": adam, "amsgrad": adam, "adamw": adam,
    "adamax": adamax, "nadam": nadam, "radam": radam,
    "adabound": adabound, "adamp": adamp, "lookahead": lookahead,
    "yogi": yogi, "adabelief": adabelief, "laprop": laprop,
    "schedule-free-adamw": exact_reference_sf.schedule_free_adamw,
    **exact_reference_lam.METHODS,                 # lion, adopt, ademamix
}


def inverse_sqrt(alpha):
    r"""Exact :math:`\alpha_t = \alpha/\sqrt t` (Kingma & Ba Thm. 4.1)."""
    return lambda t: alpha / sqrt(t)


def beta1_decay(beta1, lam):
    r"""Exact :math:`\beta_{1,t} = \beta_1\lambda^{t-1}` (Kingma & Ba Thm. 4.1)."""
    return lambda t: beta1 * lam ** (t - 1)


def trajectory(name: str, theta0, grads, hp: dict) -> list[Vec]:
    """Exact iterates theta_1..theta_T of one run of ``name`` (``hp`` overrides defaults)."""
    step = METHODS[name]({**DEFAULTS[name], **hp})
    theta, out = Vec(theta0), []
    for t, g in enumerate(grads, start=1):
        theta = step(theta, Vec(g), t)
        out.append(theta)
    return out


def evaluate(vec: Vec, digits: int = 40) -> list[mpmath.mpf]:
    """The exact iterate evaluated with ``digits`` + 30 digits of working precision
    (mpmath), each shared subexpression once.

    The exact iterates are expression DAGs whose subtrees repeat (the state feeds every
    later step); ``sympy.N`` evaluates a repeated subtree again at each use, which made
    a few references take 10-15 s.  Here every node is evaluated once per vector, by the
    same arithmetic on mpmath numbers; node types this does not know go to ``sympy.N``
    (at the same precision).  The 30 guard digits cover far more cancellation than the
    first steps of a well-conditioned update have (the tests compare at 1e-12)."""
    with mpmath.workdps(digits + 30):
        memo: dict = {}
        return [_value(x, memo) for x in vec]


def _value(expr, memo):
    hit = memo.get(expr)
    if hit is not None:
        return hit
    if expr.is_Rational:
        val = mpmath.mpf(expr.p) / expr.q
    elif expr.is_Add:
        val = mpmath.fsum(_value(a, memo) for a in expr.args)
    elif expr.is_Mul:
        val = mpmath.fprod(_value(a, memo) for a in expr.args)
    elif expr.is_Pow and expr.exp.is_Rational:
        base = _value(expr.base, memo)
        if expr.exp == sympy.S.Half:
            val = mpmath.sqrt(base)
        elif expr.exp.q == 1:
            val = base ** int(expr.exp.p)
        else:
            val = mpmath.power(base, mpmath.mpf(expr.exp.p) / expr.exp.q)
    elif isinstance(expr, (sympy.Max, sympy.Min)):
        vals = [_value(a, memo) for a in expr.args]
        val = max(vals) if isinstance(expr, sympy.Max) else min(vals)
    elif isinstance(expr, sympy.Abs):
        val = abs(_value(expr.args[0], memo))
    else:                       # anything else: SymPy's own evaluation
        val = mpmath.mpf(sympy.N(expr, mpmath.mp.dps)._mpf_)
    memo[expr] = val
    return val
