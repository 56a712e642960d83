r"""AdaBelief's convex regret bound (Theorem 2.1) checked on linear games on [-1, 1].

Two readings of "the iterates of AdaBelief", each a printed rule
(:class:`~adamlab.proofs.methods.rules.Rule`), projected onto :math:`F = [-1, 1]`:

``"proof"``
    the iteration the theorem's proof analyses (bias correction omitted, as in the
    proof): :math:`m_t = \beta_{1t}m_{t-1} + (1-\beta_{1t})g_t`,
    :math:`s_t = \beta_2 s_{t-1} + (1-\beta_2)(g_t-m_t)^2 + \epsilon`,
    :math:`\theta_{t+1} = \Pi_{F,\sqrt{s_t}}(\theta_t - \alpha_t m_t/\sqrt{s_t})`,
    :math:`\alpha_t = \alpha/\sqrt t`, :math:`\beta_{1t} = \beta_1\lambda^{t-1}`
    (:math:`\lambda = 1`: a constant :math:`\beta_1`);
``"algorithm2"``
    Algorithm 2 as printed in the NeurIPS version, with its bias correction and its
    three epsilons, :math:`\hat m_t = m_t/(1-\beta_1^t)`,
    :math:`\hat s_t = (s_t+\epsilon)/(1-\beta_2^t)`,
    :math:`\theta_{t+1} = \Pi_F(\theta_t - \alpha_t\hat m_t/(\sqrt{\hat s_t}+\epsilon))`,
    and the bound read with the :math:`s_t` of the recursion (as the theorem writes it);
``"algorithm2-shat"``
    the same iterates, with the bound and its hypotheses read in the bias-corrected
    :math:`\hat s_t` that the step divides by (:math:`\hat s_t \le \hat s_{t+1}`,
    :math:`c = \min_t \hat s_t`).

Why one coordinate and linear losses suffice: for convex :math:`f_t`,
:math:`f_t(\theta_t) - f_t(\theta^*) \le g_t(\theta_t - \theta^*)`, so the worst case is
a gradient sequence played as linear losses; on a box every update, the regret and the
hypothesis :math:`s_t \le s_{t+1}` split by coordinate, and the bound is a sum over
coordinates in which only :math:`c \le \min_i c_i` is shared, and it decreases in
:math:`c`; so a d-dimensional game's ratio R/bound is at most its worst coordinate's.

Each game's hypotheses are checked on the run: :math:`s_t \le s_{t+1}` for all
:math:`t < T`, and :math:`c = \min_{t \le T} s_t` (the largest c the theorem allows,
the smallest bound); :math:`D_\infty = 2`.  Games outside the hypotheses do not count.
The bound is :data:`adamlab.theory.regret.belief.BOUND`, lambdified; the regret of a
game is :math:`\sum_t g_t\theta_t + |\sum_t g_t|`.  The worst game found in float64 is
replayed at 60 and 90 digits (mpmath) from exact rational inputs: a violation there is
a certified witness (re-run by :func:`certify`), otherwise the verdict is verified on
the games covered, never proved.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import mpmath as mp
import numpy as np
import sympy as sp

from adamlab.theory.regret import belief as tb

from ..claim import Method
from ..methods.games import lambdified
from ..methods.rules import G, TS, Rule, exact_str
from ..verdict import Verdict, digits

theta, m, s = (sp.Symbol(n, real=True) for n in ("theta", "m", "s"))
theta0 = sp.Symbol("theta_0", real=True)
alpha, b1, b2, lam, eps = (sp.Symbol(n, nonnegative=True)
                           for n in ("alpha", "beta_1", "beta_2", "lambda_1", "epsilon"))
B1T = b1 * lam ** (TS - 1)
ALPHA_T = alpha / sp.sqrt(TS)


def _project(x):
    """:math:`\\Pi_F` onto F = [-1, 1] (every diagonally weighted projection too)."""
    return sp.Max(-1, sp.Min(1, x))


PROOF_ITERATION = Rule(
    "AdaBelief as analysed in the proof of Theorem 2.1 (no bias correction)",
    tb.SOURCE + ", proof (bias correction omitted)",
    ((m, B1T * m + (1 - B1T) * G), (s, b2 * s + (1 - b2) * (G - m) ** 2 + eps),
     (theta, _project(theta - ALPHA_T * m / sp.sqrt(s)))),
    {m: 0, s: 0, theta: theta0}, theta)

ALGORITHM_2 = Rule(
    "AdaBelief, Algorithm 2 as printed (bias correction, eps three times)",
    tb.SOURCE + ", Algorithm 2",
    ((m, b1 * m + (1 - b1) * G), (s, b2 * s + (1 - b2) * (G - m) ** 2 + eps),
     (theta, _project(theta - ALPHA_T * (m / (1 - b1 ** TS))
                      / (sp.sqrt((s + eps) / (1 - b2 ** TS)) + eps)))),
    {m: 0, s: 0, theta: theta0}, theta)

READINGS = {"proof": PROOF_ITERATION, "algorithm2": ALGORITHM_2,
            "algorithm2-shat": ALGORITHM_2}
#: beta_1t of each reading (Algorithm 2 has a constant beta_1)
_B1T = {"proof": B1T, "algorithm2": b1, "algorithm2-shat": b1}
#: the second moment each reading's bound and hypotheses are read in
_S = {"proof": s, "algorithm2": s, "algorithm2-shat": (s + eps) / (1 - b2 ** TS)}
D_INF = 2


def _step_fns(rule: Rule, module: str):
    args = tuple(rule.state) + (G, TS) + tuple(rule.params)
    return args, [(sym, lambdified(args, e, module)) for sym, e in rule.steps]


def play(reading: str, params: dict, grads, module: str = "numpy") -> dict[str, Any]:
    """Play games of ``reading`` from ``params["theta_0"]``: ``grads`` (n, T) in float64
    with ``params`` values (n,) arrays or floats, or one game (T,) of mpf with mpf
    ``params`` (``module="mpmath"``).  Returns R(T), the bound and whether the run meets
    the hypotheses (``mono``: :math:`s_t \\le s_{t+1}`, s as the reading reads it), with
    the statistics."""
    rule = READINGS[reading]
    args, steps = _step_fns(rule, module)
    b1t = lambdified((TS, b1, lam), _B1T[reading], module)
    second = lambdified((s, TS, b2, eps), _S[reading], module)
    mpm = module == "mpmath"
    sqrt = mp.sqrt if mpm else np.sqrt
    grads = list(grads) if mpm else np.asarray(grads, dtype=float)
    T = len(grads) if mpm else grads.shape[1]
    cur = {m: 0, s: 0, theta: params["theta_0"]}
    loss = 0
    mono, c_min, mid = True, None, 0
    prev_s = None
    for t in range(1, T + 1):
        g = grads[t - 1] if mpm else grads[:, t - 1]
        loss = loss + g * cur[theta]
        env = dict(cur)
        for sym, fn in steps:
            env[sym] = fn(*[env[a] if a in env else (g if a is G else t if a is TS
                                                    else params[a.name]) for a in args])
        cur = {k: env[k] for k in (m, s, theta)}
        st = second(cur[s], t, params["beta_2"], params["epsilon"])
        if prev_s is not None:
            mono = mono & (st >= prev_s) if not mpm else (mono and st >= prev_s)
        prev_s = st
        c_min = st if c_min is None else (min(c_min, st) if mpm else np.minimum(c_min, st))
        mid = mid + b1t(t, params["beta_1"], params["lambda_1"]) * sqrt(st) * sqrt(t) \
            / params["alpha"]
    gsum = sum(grads) if mpm else grads.sum(axis=1)
    g4 = sum(x ** 4 for x in grads) if mpm else (grads ** 4).sum(axis=1)
    regret = loss + abs(gsum)
    vals = {"T": T, "D_inf": D_INF, "alpha": params["alpha"], "beta1": params["beta_1"],
            "c": c_min, "sum_s_sqrt": sqrt(st), "sum_g2_norm": sqrt(g4),
            "sum_b1t_s_over_alpha": mid}
    with np.errstate(all="ignore"):
        bound = tb.evaluate(vals, module)
    return {"R": regret, "bound": bound, "mono": mono, "stats": vals}


# ---- candidates ---------------------------------------------------------------------------------
def _draw(rng, n: int, T: int, reading: str) -> tuple[dict, np.ndarray]:
    """n games of horizon T: hyperparameters inside the theorem's ranges, structured and
    random gradient sequences, starts at 0 and the corners."""
    b1v = np.where(rng.random(n) < 0.25, 0.0, rng.uniform(0, 0.95, n))
    near1 = 1 - 10 ** -rng.uniform(1, 7, n)
    b2v = np.where(rng.random(n) < 0.4, near1, rng.uniform(0, 0.999, n))
    lamv = np.where(rng.random(n) < 0.5, 1.0, rng.uniform(0.05, 1, n)) \
        if READINGS[reading] is PROOF_ITERATION else np.ones(n)
    params = {"alpha": 10 ** rng.uniform(-5, 2, n), "beta_1": b1v, "beta_2": b2v,
              "lambda_1": lamv, "epsilon": 10 ** rng.uniform(-10, 0, n),
              "theta_0": rng.choice([-1.0, 0.0, 1.0], n)}
    kind = rng.integers(0, 4, n)[:, None]
    sign = rng.choice([-1.0, 1.0], (n, 1))
    steps = np.arange(1, T + 1)[None, :]
    const = sign * np.ones((n, T))
    growing = sign * rng.uniform(1.05, 3, (n, 1)) ** steps
    alternating = sign * (-1.0) ** steps * rng.uniform(1, 3, (n, 1)) ** steps
    rand = rng.choice([-1.0, 1.0], (n, T)) * 10 ** rng.uniform(-2, 2, (n, T))
    g = np.where(kind == 0, const, np.where(kind == 1, growing,
                                            np.where(kind == 2, alternating, rand)))
    return params, g * 10 ** rng.uniform(-2, 2, (n, 1))


def _ratio(out) -> np.ndarray:
    with np.errstate(all="ignore"):
        r = np.where(out["bound"] > 0, out["R"] / out["bound"], -np.inf)
    return np.where(out["mono"] & np.isfinite(r), r, -np.inf)


def _exact(x) -> Fraction:
    """``x`` rounded to 12 significant decimal digits, as an exact rational."""
    return Fraction(f"{float(x):.12g}")


def certify(w: dict[str, Any], dps: int = 60) -> dict[str, Any]:
    """Replay the witness ``w`` (``reading``, ``params`` and ``gradients`` as exact
    rationals) at ``dps`` and 90 digits: both sides, the hypotheses, ``violated``."""
    for key in ("reading", "params", "gradients"):
        if key not in w:
            raise ValueError(f"witness lacks {key!r}")
    res = []
    for prec in (dps, 90):
        with mp.workdps(prec):
            p = {k: mp.mpf(Fraction(v).numerator) / Fraction(v).denominator
                 for k, v in w["params"].items()}
            g = [mp.mpf(Fraction(x).numerator) / Fraction(x).denominator
                 for x in w["gradients"]]
            res.append(play(w["reading"], p, g, "mpmath"))
    lo, hi = res
    with mp.workdps(90):
        agree = abs(lo["R"] - hi["R"]) < mp.mpf(10) ** -40 and \
            abs(lo["bound"] - hi["bound"]) < mp.mpf(10) ** -40
        inside = bool(lo["mono"] and hi["mono"] and hi["stats"]["c"] > 0)
        return {"lhs": digits(hi["R"]), "rhs": digits(hi["bound"]), "inside_hypotheses": inside,
                "precisions_agree": bool(agree),
                "violated": bool(agree and inside and hi["R"] - hi["bound"] > mp.mpf(10) ** -30),
                "ratio": mp.nstr(hi["R"] / hi["bound"], 20)}


HORIZONS = (1, 2, 3, 4, 6, 10)
HORIZONS_THOROUGH = (1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 50)


def search(reading: str, *, n: int = 2500, horizons=HORIZONS, seed: int = 0) -> dict[str, Any]:
    """The worst in-hypothesis game of ``reading`` over ``n`` games per horizon, rechecked
    at 60/90 digits; ``witness`` (exact inputs) and ``certificate`` for that game."""
    if reading not in READINGS:
        raise ValueError(f"reading must be one of {sorted(READINGS)}; got {reading!r}")
    rng = np.random.default_rng(seed)
    best, games, inside = None, 0, 0
    for T in horizons:
        params, g = _draw(rng, n, T, reading)
        with np.errstate(all="ignore"):        # overflowing games are dropped below
            out = play(reading, params, g)
        r = _ratio(out)
        games += n
        inside += int(np.isfinite(r).sum())
        k = int(np.argmax(r))
        if np.isfinite(r[k]) and (best is None or r[k] > best[0]):
            best = (float(r[k]), {key: v[k] for key, v in params.items()}, g[k])
    if best is None:
        raise ValueError(f"no game of reading {reading!r} met the hypotheses")
    ratio, p, g = best
    w = {"reading": reading, "domain": "[-1,1]",
         "params": {k: exact_str(_exact(v)) for k, v in p.items()},
         "gradients": [exact_str(_exact(x)) for x in g],
         "rerun": "adamlab.proofs.checks.belief_regret.certify(witness)"}
    return {"games": games, "games_inside_hypotheses": inside, "horizons": list(horizons),
            "best_ratio_float64": ratio, "witness": w, "certificate": certify(w)}


COVERAGE = ("one coordinate (enough, see the module docstring), F = [-1,1] (D_inf = 2), "
            "linear losses; alpha log-uniform in [1e-5, 1e2], beta1 0 or uniform in "
            "[0, 0.95], beta2 uniform in [0, 0.999] or 1 - 10^-u (u in [1, 7]), eps "
            "log-uniform in [1e-10, 1], lambda 1 or uniform in [0.05, 1] (reading 'proof'); "
            "gradients constant, geometrically growing, alternating-growing or random "
            "(signs times 10^[-2, 2]), scaled by 10^[-2, 2]; starts -1, 0, 1")
TOLERANCE = ("the worst float64 game is replayed at 60 and 90 digits from exact rational "
             "inputs (float64 values rounded to 12 significant digits): a violation needs "
             "R - bound > 1e-30 with both precisions agreeing to 40 digits and the "
             "hypotheses holding in the exact replay")


@dataclass(frozen=True)
class BeliefRegret(Method):
    """Method: :func:`search` for a game of ``reading`` (:data:`READINGS`) that violates
    the bound inside the hypotheses (more games and horizons with ``thorough``)."""

    reading: str
    kind: str = "search"

    def describe(self) -> str:
        return f"search (linear games on [-1,1], printed rule {READINGS[self.reading].name!r}, " \
               "60/90-digit certificate)"

    def decide(self, claim, thorough: bool = False) -> Verdict:
        res = search(self.reading, n=25000 if thorough else 2500,
                     horizons=HORIZONS_THOROUGH if thorough else HORIZONS)
        cert = res["certificate"]
        ev = {"rule": READINGS[self.reading].to_json(), "search": {
            k: v for k, v in res.items() if k not in ("witness", "certificate")},
              "inputs_covered": COVERAGE, "tolerance": TOLERANCE, "best_game": res["witness"],
              "best_game_certificate": cert}
        if cert["violated"]:
            ev.update(witness=res["witness"], lhs=cert["lhs"], rhs=cert["rhs"])
            w = res["witness"]
            return Verdict(claim.id, "refuted",
                           f"refuted: T = {len(w['gradients'])}, {w['params']}, g = "
                           f"{w['gradients']}: R(T) = {cert['lhs'][:12]} > bound "
                           f"{cert['rhs'][:12]} (s_t non-decreasing, c = min s_t; 60/90 "
                           f"digits)", ev)
        with mp.workdps(30):
            if mp.mpf(cert["ratio"]) > 1:
                return Verdict(claim.id, "pending", "a float64 violation did not certify", ev)
        return Verdict(claim.id, "verified",
                       f"verified (not proved): {res['games_inside_hypotheses']} of "
                       f"{res['games']} games inside the hypotheses (T <= "
                       f"{max(res['horizons'])}), max R/bound = {cert['ratio'][:12]} <= 1 "
                       f"(60/90-digit recheck)", ev)


__all__ = ["ALGORITHM_2", "BeliefRegret", "COVERAGE", "HORIZONS", "PROOF_ITERATION",
           "READINGS", "TOLERANCE", "certify", "play", "search"]
