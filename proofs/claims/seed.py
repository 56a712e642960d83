r"""Claims of the seed documents: the family equations and remarks of the lecture notes
the project was built from (seeds 001-004: momentum, AdaGrad, RMSProp, Adam, AdaDelta,
AdamW and L2, NAG, NAdam; translated in ../shared/CLAIMS.md).

Each entry is decided by the generic methods (:mod:`adamlab.proofs.methods`): the
printed equations are transcribed as rules (:mod:`.algorithms`) and compared with
closed forms (induction), with the papers' algorithms (same iterates under a change
of variables), with the frameworks' stored trajectories (never adamlab's own
optimizers), or read as limits and bounds of explicit sequences.  Where a remark in
words has more than one precise reading, each reading is a part of the claim
(:class:`~adamlab.proofs.methods.combine.AllOf`) and the evidence says which one the
verdict is for.
"""
from __future__ import annotations

import sympy as sp

from ..claim import Claim, Quantifier
from ..methods.combine import AllOf, Part
from ..methods.frameworks import FrameworkReplay, Target
from ..methods.recurrences import Coefficient, Induction, SameIterates
from ..methods.rules import G, TS, g_of
from ..methods.sequences import IntegerSequence, SequenceLimit, Unbounded
from ..methods.symbolic import Symbolic
from . import algorithms as al
from .notation import Tex
from .algorithms import (Eg, Ex, c, eps, eps_den, eps_num, eta, gamma, gt, lam, lam_l2, m, mu,
                         phi, r, rho, rho1, rho2, theta, theta0, v, vel)

_i = sp.Symbol("i", integer=True, positive=True)
_ANY = "every real gradient sequence"


def _tex(latex: str):
    """A display symbol for a statement's LaTeX (named by its LaTeX)."""
    return Tex("_".join(filter(str.isalnum, latex)) or "x", latex, real=True)


def _sum(expr):
    return sp.Sum(expr, (_i, 1, TS))


def _kw(kwargs, *names, **defaults):
    """The stored configuration's values of ``names`` (with defaults), or None when it
    sets anything else the printed rule lacks."""
    allowed = set(names) | set(defaults) | {"foreach"}
    if set(kwargs) - allowed:
        return None
    out = dict(defaults)
    out.update({k: kwargs[k] for k in kwargs if k in names or k in defaults})
    return out


def _torch_adagrad(kw):
    k = _kw(kw, "lr", eps=1e-10, lr_decay=0.0, initial_accumulator_value=0.0,
            weight_decay=0.0)
    if k is None or k["lr_decay"] or k["initial_accumulator_value"] or k["weight_decay"]:
        return None
    return {"eta": k["lr"], "epsilon": k["eps"]}


def _optax_adagrad(kw):
    k = _kw(kw, "learning_rate", eps=1e-7, initial_accumulator_value=0.1)
    if k is None or k["initial_accumulator_value"]:
        return None
    return {"eta": k["learning_rate"], "epsilon": k["eps"]}


def _torch_adamw(kw):
    k = _kw(kw, "lr", "weight_decay", betas=(0.9, 0.999), eps=1e-8, amsgrad=False)
    if k is None or k["amsgrad"]:
        return None
    return {"eta": k["lr"], "rho_1": k["betas"][0], "rho_2": k["betas"][1],
            "epsilon": k["eps"], "lambda": k["weight_decay"]}


def _optax_adamw(kw):
    k = _kw(kw, "learning_rate", "weight_decay", b1=0.9, b2=0.999, eps=1e-8)
    if k is None:
        return None
    return {"eta": k["learning_rate"], "rho_1": k["b1"], "rho_2": k["b2"],
            "epsilon": k["eps"], "lambda": k["weight_decay"]}


def _torch_nesterov(kw):
    k = _kw(kw, "lr", "momentum", nesterov=False, dampening=0.0, weight_decay=0.0)
    if k is None or not k["nesterov"] or k["dampening"] or k["weight_decay"]:
        return None
    return {"eta": k["lr"], "mu": k["momentum"]}


def _optax_nesterov(kw):
    k = _kw(kw, "learning_rate", "momentum", nesterov=False)
    if k is None or not k["nesterov"]:
        return None
    return {"eta": k["learning_rate"], "mu": k["momentum"]}


def _torch_rmsprop(kw):
    k = _kw(kw, "lr", alpha=0.99, eps=1e-8, momentum=0.0, centered=False, weight_decay=0.0)
    if k is None or k["momentum"] or k["centered"] or k["weight_decay"]:
        return None
    return {"eta": k["lr"], "rho": k["alpha"], "epsilon": k["eps"]}


def _adadelta(lr_key):
    def params(kw):
        k = _kw(kw, lr_key, rho=0.9, eps=1e-6, weight_decay=0.0)
        if k is None or k[lr_key] != 1.0 or k["weight_decay"]:
            return None           # the printed rule has no learning rate (= 1)
        return {"rho": k["rho"], "epsilon": k["eps"]}
    return params


def _optax_nadam(kw):
    k = _kw(kw, "learning_rate", b1=0.9, b2=0.999, eps=1e-8)
    if k is None:
        return None
    return {"eta": k["learning_rate"], "rho_1": k["b1"], "rho_2": k["b2"], "epsilon": k["eps"]}


# -- the seed-003 equations -----------------------------------------------------------------------
_MOM_CLOSED = -eta * _sum(gamma**(TS - _i) * g_of(_i))
_R_CLOSED = _sum(g_of(_i)**2)
_M_CLOSED = (1 - rho1) * _sum(rho1**(TS - _i) * g_of(_i))
_V_CLOSED = (1 - rho2) * _sum(rho2**(TS - _i) * g_of(_i)**2)
_ADAM_STEP = eta * (m / (1 - rho1**TS)) / sp.sqrt(v / (1 - rho2**TS))
_ADAM_CLOSED = (eta * sp.sqrt(1 - rho2**TS) / (1 - rho1**TS) * (1 - rho1) / sp.sqrt(1 - rho2)
                * _sum(rho1**(TS - _i) * g_of(_i)) / sp.sqrt(_sum(rho2**(TS - _i) * g_of(_i)**2)))
_LR_ADAGRAD = eta / sp.sqrt(eps + _sum(g_of(_i)**2))
_j = sp.Symbol("j", integer=True, positive=True)
#: the total movement sum_t rate_t |g_t| (what "learning stops" would make finite)
_MOVE_ADAGRAD = sp.Sum(eta * sp.Abs(g_of(_i)) / sp.sqrt(eps + sp.Sum(g_of(_j)**2, (_j, 1, _i))),
                       (_i, 1, TS))
_CANDIDATES = (("constant 1", sp.Integer(1)), ("1/sqrt(i)", 1 / sp.sqrt(_i)),
               ("1/i", 1 / _i), ("2^-i", sp.Integer(2)**-_i))
_BIAS = sp.sqrt(1 - sp.Rational(999, 1000)**TS) / (1 - sp.Rational(9, 10)**TS)

# -- G bound for RMSProp: v and g^2 through nonnegative slacks ---------------------------------------
_Gb = sp.Symbol("G", positive=True)
_a, _b, _k = (sp.Symbol(n, nonnegative=True) for n in ("a", "b", "k"))
_rho_k = 1 / (1 + _k)                                   # rho in (0, 1]
_V_NEXT = (_rho_k * (_Gb**2 - _a) + (1 - _rho_k) * (_Gb**2 - _b))

def _nag_growth(mu_value, constants=(1, 10, 100)):
    r"""NAG as printed on :math:`f(x) = \lambda x^2/2` (L = 1, eta = 1), theta_0 = 1: for
    the constant C, t = ceil(15 C/(1-mu)) steps and lambda = (1-mu)/(2t), where
    :math:`t^2 f(\theta_t)` is near its largest, about :math:`(1-\mu)t/(4e)`."""
    def family(C):
        t = int(sp.ceiling(15 * C / (1 - mu_value)))
        return {"eta": 1, "mu": mu_value, "theta_0": 1}, (1 - mu_value) / (2 * t), t

    def quantity(params, lam_value, x, t):
        return t * t * lam_value * x * x / 2
    return Unbounded(al.NAG_SEED, family, quantity,
                     "f(x) = lam x^2/2 with lam = (1-mu)/(2t) <= L = 1, theta_0 = 1, theta* = "
                     "0, t = ceil(15 C/(1-mu)): t^2 (f(theta_t) - f*) grows like (1-mu) t/(4e)",
                     constants)


_WD_SGD = sp.Eq(theta - eta * (G + lam_l2 * theta), theta - eta * G - (eta * lam_l2) * theta)

CLAIMS = (
    Claim("seed003.momentum-unroll", "seed 003, momentum equations",
          "With a constant rate eta: gtilde_t = gamma*gtilde_{t-1} - eta*g_t with gtilde_0 = 0 "
          "equals -eta * sum_{i=1}^t gamma^(t-i) g_i, and theta_{t+1} = theta_t + gtilde_t.",
          lambda: sp.Eq(sp.Symbol(r"\tilde g_t"), _MOM_CLOSED),
          Induction(al.MOMENTUM_SEED, {gt: _MOM_CLOSED}, unit=(gamma,)),
          lambda: ("gtilde_0 = 0", _ANY), Quantifier("momentum", {"lr": "eta (constant)"},
                                                       _ANY)),
    Claim("seed003.adagrad-update", "seed 003, AdaGrad equations",
          "r_t = r_{t-1} + g_t*g_t = sum_{i<=t} g_i^2 (r_0 = 0) and theta_{t+1} = theta_t - "
          "eta*g_t/sqrt(r_t + eps) = theta_t - eta*g_t/sqrt(eps + sum_{i<=t} g_i^2); say "
          "which frameworks compute this update.",
          lambda: sp.Eq(sp.Symbol("r_t"), _R_CLOSED),
          AllOf((Part("r_t = sum of squares and the update in closed form",
                      Induction(al.ADAGRAD_SEED, {r: _R_CLOSED},
                                (-eta * G / sp.sqrt(r + eps),
                                 -eta * G / sp.sqrt(eps + _R_CLOSED)))),
                 Part("optax.adagrad (initial_accumulator_value = 0) computes it",
                      FrameworkReplay(al.ADAGRAD_SEED, theta,
                                      (Target("optax.adagrad", _optax_adagrad),)), "report"),
                 Part("torch.optim.Adagrad does not compute it (its eps is outside the root)",
                      FrameworkReplay(al.ADAGRAD_SEED, theta,
                                      (Target("torch.optim.Adagrad", _torch_adagrad),),
                                      expect="differs"), "report"),
                 Part("torch.optim.Adagrad computes the eps-outside form",
                      FrameworkReplay(al.ADAGRAD_EPS_OUTSIDE, theta,
                                      (Target("torch.optim.Adagrad", _torch_adagrad),)),
                      "report")),
                reading="the identities are proved for every t; the frameworks are judged by "
                        "replaying the printed rule on their stored trajectories"),
          lambda: ("r_0 = 0", _ANY), Quantifier("adagrad", {"eps": "inside the root"}, _ANY)),
    Claim("seed003.adagrad-lr-vanishes", "seeds 001, 002, 003 (AdaGrad remarks)",
          "AdaGrad's per-coordinate learning rate eta/sqrt(eps + sum_{i<=t} g_{i}^2) goes to "
          "0 as training goes on, so learning stops.",
          lambda: sp.Eq(sp.Limit(_LR_ADAGRAD, TS, sp.oo), 0),
          AllOf((Part("for every gradient sequence the rate tends to 0",
                      SequenceLimit(_LR_ADAGRAD, 0, _CANDIDATES,
                                    {"eta": 1, "epsilon": "1/100000000"})),
                 Part("the rate tends to 0 when the squared gradients are not summable",
                      SequenceLimit(_LR_ADAGRAD, 0, _CANDIDATES[:2],
                                    {"eta": 1, "epsilon": "1/100000000"}), "reading"),
                 Part("learning stops: the total movement sum_t rate_t |g_t| is finite",
                      SequenceLimit(_MOVE_ADAGRAD, "finite", _CANDIDATES[:1],
                                    {"eta": 1, "epsilon": "1/100000000"}), "reading")),
                reading="'goes to 0 as training goes on' for every gradient sequence (the "
                        "verdict); also decided: the rate goes to 0 when sum g_i^2 diverges, "
                        "and whether 'learning stops' (finite total movement) follows",
                corrected="The rate eta/sqrt(eps + sum g_i^2) tends to 0 exactly when the "
                          "squared gradients are not summable (it tends to eta/sqrt(eps + "
                          "sum g_i^2) > 0 otherwise); even then learning need not stop: for "
                          "gradients bounded away from 0 the total movement sum_t eta|g_t|/"
                          "sqrt(eps + sum_{i<=t} g_i^2) diverges (like 2 eta sqrt(t))."),
          lambda: (_ANY,), Quantifier("adagrad", {}, _ANY)),
    Claim("seed001.rmsprop-lr-nonvanishing", "seed 001, RMSProp",
          "With v_t = rho*v_{t-1} + (1-rho)*g_t^2 and bounded gradients abs(g_t) <= G, "
          "RMSProp's learning rate eta/sqrt(v_t + eps) does not go to 0.",
          lambda: sp.Ge(eta / sp.sqrt(v + eps), eta / sp.sqrt(_Gb**2 + eps)),
          AllOf((Part("invariant v_t <= G^2 (step: v_(t-1) = G^2 - a, g_t^2 = G^2 - b, "
                      "rho = 1/(1+k), a, b, k >= 0)",
                      Symbolic(relation=sp.Le(_V_NEXT, _Gb**2),
                               hypotheses=(sp.Ge(_a, 0), sp.Ge(_b, 0), sp.Ge(_k, 0)))),
                 Part("hence v_t + eps <= G^2 + eps, so the rate eta/sqrt(v_t + eps) >= "
                      "eta/sqrt(G^2 + eps) > 0 (1/sqrt is decreasing)",
                      Symbolic(relation=sp.Le(_Gb**2 - _a + eps, _Gb**2 + eps, evaluate=False),
                               hypotheses=(sp.Ge(_a, 0),)))),
                reading="v_0 = 0 <= G^2 and the step keeps v_t <= G^2 (induction), so the "
                        "rate is at least eta/sqrt(G^2 + eps) for every t: it does not go to 0 "
                        "(v_t = G^2 - a with 0 <= a <= G^2)"),
          lambda: (sp.Le(sp.Abs(sp.Symbol("g_t", real=True)), _Gb), "v_0 = 0", "0 < rho < 1"),
          Quantifier("rmsprop", {"eps": "inside the root"}, "gradients with |g_t| <= G")),
    Claim("seed003.adam-closed-form", "seed 003, Adam equations",
          "With eps = 0, Adam's step equals eta * sqrt(1-rho2^t)/(1-rho1^t) * "
          "(1-rho1)/sqrt(1-rho2) * (sum_{i<=t} rho1^(t-i) g_i) / sqrt(sum_{i<=t} rho2^(t-i) "
          "g_i^2).",
          lambda: sp.Eq(sp.Symbol(r"\Delta_t"), _ADAM_CLOSED),
          Induction(al.ADAM_SEED_EPS0, {m: _M_CLOSED, v: _V_CLOSED}, (_ADAM_STEP, _ADAM_CLOSED),
                    unit=(rho1, rho2)),
          lambda: ("eps = 0", "m_0 = v_0 = 0", _ANY),
          Quantifier("adam", {"eps": 0}, _ANY)),
    Claim("seed003.bias-factor", "seed 003, Adam equations and footnote 1",
          "At (rho1, rho2) = (0.9, 0.999) the factor sqrt(1-rho2^t)/(1-rho1^t) is below 1 "
          "for every t, tends to 1, and is close to 1 (>= 0.99) from around t = 4000 on.",
          lambda: sp.Lt(_BIAS, 1),
          IntegerSequence(_BIAS, below=1, limit=1, at_least=(sp.Rational(99, 100), 4000, 0.1),
                          N=10000),
          lambda: ("t = 1, 2, ...", "'around 4000': within 10%"),
          Quantifier("adam", {"betas": "(0.9, 0.999)"}, "the bias-correction factor")),
    Claim("seed002.rmsprop-bias-correction", "seed 002, related work on RMSProp",
          "RMSProp has no bias correction; when b2 is close to 1, correcting the bias causes "
          "very large step sizes and often divergence.",
          lambda: sp.Ge(sp.sqrt(1 - rho2**TS), 1),
          AllOf((Part("RMSProp (torch.optim.RMSprop) has no bias correction",
                      FrameworkReplay(al.RMSPROP_UNCORRECTED, theta,
                                      (Target("torch.optim.RMSprop", _torch_rmsprop),))),
                 Part("correcting the bias makes the steps larger: |corrected step| = "
                      "sqrt(1-b2^t) |uncorrected step| >= |uncorrected step|",
                      Symbolic(relation=sp.Ge(sp.sqrt(1 - rho2**TS), 1),
                               hypotheses=(sp.Lt(rho2, 1),))),
                 Part("torch's RMSprop is not the bias-corrected rule",
                      FrameworkReplay(al.RMSPROP_CORRECTED, theta,
                                      (Target("torch.optim.RMSprop", _torch_rmsprop),),
                                      expect="differs"), "report")),
                reading="with eps = 0 the corrected step is the uncorrected one times "
                        "sqrt(1 - b2^t) <= 1 (v_t -> v_t/(1 - b2^t) under the root); 'causes "
                        "very large step sizes' read as: the corrected step is at least the "
                        "uncorrected one",
                corrected="RMSProp (as in torch) has no bias correction, and it is the *lack* "
                          "of it that causes large steps when b2 is close to 1: the "
                          "uncorrected step is 1/sqrt(1 - b2^t) times the corrected one (at "
                          "t = 1, 1/sqrt(1-b2): 31.6 for b2 = 0.999) (Kingma & Ba §3 and "
                          "§6.4)."),
          lambda: (sp.Lt(rho2, 1), "eps = 0"), Quantifier("rmsprop", {}, _ANY)),
    Claim("seed004.adadelta-update", "seed 004, AdaDelta",
          "E[g^2]_t = rho E[g^2]_{t-1} + (1-rho) g_t^2; Delta theta_t = -sqrt(E[Delta "
          "theta^2]_{t-1} + eps)/sqrt(E[g^2]_t + eps) * g_t; E[Delta theta^2]_t = rho E[Delta "
          "theta^2]_{t-1} + (1-rho) Delta theta_t^2 is Zeiler's Algorithm 1 [Ze].",
          lambda: sp.Eq(_tex(r"\Delta\theta_t"),
                        -sp.sqrt(_tex(r"\mathbb{E}[\Delta\theta^2]_{t-1}") + eps)
                        / sp.sqrt(_tex(r"\mathbb{E}[g^2]_t") + eps) * _tex("g_t")),
          AllOf((Part("the printed equations are [Ze] Algorithm 1",
                      SameIterates(al.ADADELTA_ZEILER, al.ADADELTA_SEED, unit=(rho,))),
                 Part("torch.optim.Adadelta and optax.adadelta (lr = 1) compute it",
                      FrameworkReplay(al.ADADELTA_SEED, theta,
                                      (Target("torch.optim.Adadelta", _adadelta("lr")),
                                       Target("optax.adadelta", _adadelta("learning_rate")))),
                      "report"))),
          lambda: ("E[g^2]_0 = E[Delta theta^2]_0 = 0", _ANY),
          Quantifier("adadelta", {}, _ANY)),
    Claim("seed004.adadelta-window", "seed 004, AdaDelta",
          "Instead of accumulating all past gradients, AdaDelta uses only the gradients "
          "inside a window of fixed size.",
          lambda: sp.Eq(sp.Derivative(_tex(r"\mathbb{E}[g^2]_t"), _tex("g_1")), 0),
          AllOf((Part("exact reading: E[g^2]_t (hence Delta theta_t) does not depend on g_1 "
                      "once t exceeds the window: the weight of g_1^2 is (1-rho) rho^(t-1) = 0",
                      Symbolic(relation=sp.Eq((1 - rho) * rho**(TS - 1), 0),
                               hypotheses=(sp.Lt(rho, 1),))),
                 Part("effective reading: the weights outside the last w steps sum to rho^w",
                      Induction(al.ADADELTA_SEED, {Eg: (1 - rho) * _sum(rho**(TS - _i)
                                                                        * g_of(_i)**2)},
                                unit=(rho,)), "reading")),
                reading="'only the gradients inside a window of fixed size': the update at t "
                        "does not depend on gradients older than a fixed w (the verdict); "
                        "Zeiler's own reading (an exponentially decaying average, [Ze] §3.1) "
                        "is decided as the EMA closed form",
                corrected="AdaDelta replaces AdaGrad's sum by exponentially decaying averages "
                          "([Ze] §3.1): every past gradient keeps the weight (1-rho) "
                          "rho^(t-i) > 0; the window is only effective (weights outside the "
                          "last w steps sum to rho^w, about 1/(1-rho) steps)."),
          lambda: (sp.Lt(0, rho, evaluate=False), sp.Lt(rho, 1)), Quantifier("adadelta", {}, _ANY)),
    Claim("seed004.adadelta-units", "seed 004, AdaDelta (the units argument of [Ze] §3.2)",
          "AdaDelta's update has the units of theta: rescaling the parameter, theta -> "
          "c*theta, rescales the update by c, so no learning rate needs to be set.",
          lambda: sp.Eq(sp.Symbol(r"\Delta\tilde\theta_t"), c * sp.Symbol(r"\Delta\theta_t")),
          AllOf((Part("theta -> c theta (gradients g -> g/c) gives updates c Delta theta_t",
                      SameIterates(al.ADADELTA_SEED,
                                   al.ADADELTA_SEED.subs({G: G / c, theta0: c * theta0},
                                                         name="AdaDelta on phi = c theta"),
                                   {theta: c * theta, Eg: Eg / c**2, Ex: c**2 * Ex,
                                    al.dx: c * al.dx},
                                   point_map=sp.Lambda(sp.Symbol("x"), c * sp.Symbol("x")),
                                   unit=(rho,))),
                 Part("exact with two epsilons rescaled: eps_num -> c^2 eps_num, eps_den -> "
                      "eps_den/c^2",
                      SameIterates(al.ADADELTA_TWO_EPS,
                                   al.ADADELTA_TWO_EPS.subs({G: G / c, theta0: c * theta0,
                                                             eps_num: c**2 * eps_num,
                                                             eps_den: eps_den / c**2},
                                                            name="AdaDelta (two eps) on phi = "
                                                                 "c theta"),
                                   {theta: c * theta, Eg: Eg / c**2, Ex: c**2 * Ex,
                                    al.dx: c * al.dx},
                                   point_map=sp.Lambda(sp.Symbol("x"), c * sp.Symbol("x")),
                                   unit=(rho,)), "reading")),
                reading="f~(phi) = f(phi/c): AdaDelta run on phi = c theta sees gradients g/c; "
                        "the claim is that its iterates are c times those on theta, for every "
                        "c > 0 and eps > 0 as printed (one eps)",
                corrected="With one eps (as printed, and in torch and optax) AdaDelta's update "
                          "is not equivariant: already the first step is -sqrt(eps)/sqrt((1-"
                          "rho) g^2 + eps) g, whatever c. It rescales by c exactly when the two "
                          "epsilons are rescaled with the parameter (eps_num -> c^2 eps_num, "
                          "eps_den -> eps_den/c^2), and only approximately when eps is small "
                          "against both E[Delta theta^2] and E[g^2]; [Ze] §3.2 argues units, not "
                          "this identity."),
          lambda: (sp.Gt(c, 0, evaluate=False), sp.Gt(eps, 0, evaluate=False)),
          Quantifier("adadelta", {}, "every differentiable f, rescaled parameter")),
    Claim("seed004.adamw-update", "seed 004, AdamW (4)",
          "AdamW's update is theta_t = theta_{t-1} - eta*mhat_t/(sqrt(vhat_t) + eps) - "
          "eta*lambda*theta_{t-1}, with Adam's mhat_t and vhat_t (as torch.optim.AdamW and "
          "optax.adamw compute it).",
          lambda: sp.Eq(sp.Symbol(r"\theta_t"), al.ADAMW_SEED.steps[-1][1]),
          FrameworkReplay(al.ADAMW_SEED, theta, (Target("torch.optim.AdamW", _torch_adamw),
                                                 Target("optax.adamw", _optax_adamw))),
          lambda: ("m_0 = v_0 = 0", "amsgrad = False"),
          Quantifier("adamw", {}, "the frameworks' stored trajectories")),
    Claim("seed004.l2-equals-wd-sgd", "seed 004, AdamW (1)",
          "For plain SGD, L2 regularization (adding lambda'*theta to the gradient) is weight "
          "decay: theta - eta*(g + lambda'*theta) = theta - eta*g - lambda*theta with lambda = "
          "eta*lambda'.",
          lambda: _WD_SGD, Symbolic(), lambda: (sp.Gt(eta, 0, evaluate=False),),
          Quantifier("sgd", {"weight_decay": "lambda'"}, "every step (SGD keeps no state)")),
    Claim("seed004.l2-equals-wd-momentum", "seed 004, AdamW (1)",
          "For SGD with momentum (torch's buffer b_t = mu*b_{t-1} + g_t), L2 regularization "
          "equals decoupled weight decay (SGDW, [LH] Algorithm 1) for a suitable decay "
          "coefficient.",
          lambda: sp.Eq(sp.Symbol(r"\theta_t^{L2}"), sp.Symbol(r"\theta_t^{SGDW}")),
          AllOf((Part("some lambda makes SGDW's iterates those of momentum SGD on g + "
                      "lambda' theta",
                      Coefficient(al.MOMENTUM_L2_TORCH, al.SGDW, lam, theta,
                                  (theta0, sp.Symbol("g_1", real=True),
                                   sp.Symbol("g_2", real=True)))),),
                reading="a constant lambda (the only one step 1 allows is lambda = "
                        "lambda'), the same for every gradient sequence; [LH] Algorithm 1 "
                        "with schedule multiplier 1 and learning rate eta",
                corrected="For SGD with momentum mu > 0, L2 regularization is not SGDW for "
                          "any decay coefficient: L2 puts lambda' theta into the momentum "
                          "buffer, so the decay of theta_{s} keeps acting at later steps "
                          "(the term -eta mu lambda' theta_0 at step 2). They coincide only "
                          "for mu = 0 (plain SGD, seed004.l2-equals-wd-sgd)."),
          lambda: (sp.Lt(0, mu, evaluate=False), sp.Lt(mu, 1), sp.Gt(lam_l2, 0, evaluate=False)),
          Quantifier("momentum", {"weight_decay": "lambda'"}, _ANY)),
    Claim("seed004.l2-vs-wd-adam", "seed 004, AdamW (1)",
          "For Adam, L2 regularization is not decoupled weight decay: no coefficient "
          "lambda' makes Adam on g + lambda'*theta produce AdamW's iterates.",
          lambda: sp.Ne(sp.Symbol(r"\theta_t^{Adam+L2}"), sp.Symbol(r"\theta_t^{AdamW}")),
          Coefficient(al.ADAMW_SEED, al.ADAM_L2, lam_l2, theta, (1, 0, 0), exists=False,
                      configs=tuple({eta: sp.Rational(*e), rho1: sp.Rational(*b1),
                                     rho2: sp.Rational(*b2), eps: sp.Rational(*ep),
                                     lam: sp.Rational(*wd)}
                                    for e, b1, b2, ep, wd in (
                                        ((1, 1000), (9, 10), (999, 1000), (1, 10**8), (1, 100)),
                                        ((1, 10), (95, 100), (99, 100), (1, 10**8), (1, 10)),
                                        ((1, 100), (0, 1), (1, 2), (1, 10**6), (1, 20)),
                                        ((1, 2), (1, 2), (9, 10), (1, 10), (1, 2)),
                                        ((1, 10), (9, 10), (999, 1000), (1, 1000), (3, 2))))),
          lambda: (sp.Gt(lam, 0, evaluate=False), "theta_0 = 1, g_t = 0 (the loss is flat: "
                   "only the regularization acts)"),
          Quantifier("adamw", {"compared with": "adam on g + lambda' theta"},
                     "5 configurations x the flat loss from theta_0 = 1")),
    Claim("seed004.nag-update", "seed 004, NAG",
          "v_t = mu*v_{t-1} + eta*grad f(theta_{t-1} - mu*v_{t-1}), theta_t = theta_{t-1} - "
          "v_t is [SMDH]'s Nesterov momentum, and torch's SGD(nesterov=True) iterates are its "
          "look-ahead points theta_t - mu*v_t.",
          lambda: sp.Eq(sp.Symbol(r"\phi_t"), theta - mu * vel),
          AllOf((Part("the printed rule is [SMDH] eqs. (3)-(4) (v -> -v)",
                      SameIterates(al.NAG_SMDH, al.NAG_SEED, {vel: -vel}, unit=(mu,))),
                 Part("torch's documented SGD(nesterov=True) iterates are the look-ahead "
                      "points (phi = theta - mu v, b = v/eta)",
                      SameIterates(al.NAG_SEED, al.NAG_TORCH,
                                   {phi: theta - mu * vel, al.buf: vel / eta},
                                   output_map=theta - mu * vel, unit=(mu,))),
                 Part("torch.optim.SGD(nesterov=True) and optax.sgd(nesterov=True) iterates "
                      "are the look-ahead points (stored trajectories)",
                      FrameworkReplay(al.NAG_SEED_LOOKAHEAD, theta,
                                      (Target("torch.optim.SGD", _torch_nesterov),
                                       Target("optax.sgd", _optax_nesterov))))),
                reading="the gradient is evaluated at the look-ahead point; torch and optax "
                        "report the point where they evaluate the next gradient"),
          lambda: ("v_0 = 0", "0 < mu < 1"), Quantifier("nag", {}, "every differentiable f")),
    Claim("seed004.nag-optimal-rate", "seed 004, NAG (advantages)",
          "NAG as printed, with a constant momentum mu in (0, 1) and eta = 1/L, attains the "
          "optimal rate f(theta_t) - f* <= C L norm2(theta_0 - theta*)^2 / t^2 on every "
          "L-smooth convex f, with C an absolute constant.",
          lambda: sp.Le(_tex(r"f(\theta_t) - f^*"),
                        sp.Symbol("C") * sp.Symbol("L") * _tex(
                            r"\lVert\theta_0-\theta^*\rVert^2") / TS**2),
          AllOf((Part("mu = 1/2", _nag_growth(sp.Rational(1, 2))),
                 Part("mu = 9/10", _nag_growth(sp.Rational(9, 10), (1, 10)), "reading")),
                reading="f(x) = lam x^2/2 (L = 1, f* = 0 at 0, lam <= L), theta_0 = 1: the "
                        "quantity t^2 (f(theta_t) - f*)/(L |theta_0 - theta*|^2) must stay "
                        "below one C for every lam and t",
                corrected="With a constant momentum NAG does not attain O(1/t^2) on all "
                          "L-smooth convex functions (on flat quadratics it behaves like "
                          "gradient descent with step eta/(1-mu): O(1/t)). Nesterov's "
                          "schedule mu_t = (t-1)/(t+2) (Nesterov 1983; Beck & Teboulle 2009) "
                          "gives f(theta_t) - f* <= 2 L |theta_0 - theta*|^2/(t+1)^2."),
          lambda: (sp.Lt(0, mu, evaluate=False), sp.Lt(mu, 1), sp.Eq(eta, 1 / sp.Symbol("L", positive=True))),
          Quantifier("nag", {"lr": "1/L", "momentum": "constant mu"},
                     "L-smooth convex quadratics f(x) = lam x^2/2")),
    Claim("seed004.nadam-update", "seed 004, NAdam (3)",
          "With Adam's m_t, v_t, mhat_t = m_t/(1-b1^t), vhat_t: theta_t = theta_{t-1} - "
          "eta/(sqrt(vhat_t) + eps) * (b1*mhat_t + (1-b1)*g_t) is Dozat's NAdam [Do].",
          lambda: sp.Eq(sp.Symbol(r"\theta_t"), al.NADAM_SEED.steps[-1][1]),
          AllOf((Part("the printed update is [Do] Algorithm 2 (constant mu_t = b1)",
                      SameIterates(al.NADAM_DOZAT, al.NADAM_SEED, unit=(rho1, rho2))),
                 Part("optax.nadam computes [Do] Algorithm 2",
                      FrameworkReplay(al.NADAM_DOZAT, theta,
                                      (Target("optax.nadam", _optax_nadam),)), "report"),
                 Part("optax.nadam does not compute the printed update",
                      FrameworkReplay(al.NADAM_SEED, theta,
                                      (Target("optax.nadam", _optax_nadam),), expect="differs"),
                      "report")),
                reading="Dozat's Algorithm 2 with a constant momentum schedule mu_t = b1 (the "
                        "printed update has no schedule)",
                corrected="Dozat's NAdam (constant mu = b1) is theta_t = theta_{t-1} - "
                          "eta/(sqrt(vhat_t) + eps) * (b1 m_t/(1-b1^(t+1)) + (1-b1) g_t/"
                          "(1-b1^t)): the momentum term is corrected with 1-b1^(t+1), and the "
                          "gradient term is bias-corrected too (optax.nadam computes this)."),
          lambda: ("m_0 = v_0 = 0",), Quantifier("nadam", {"variant": "Dozat"}, _ANY)),
)

__all__ = ["CLAIMS"]
