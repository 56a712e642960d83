r"""RKK Theorems 2 and 3: a counterexample to Adam for every :math:`\beta_1 < \sqrt{\beta_2}`.

Reddi, Kale & Kumar, "On the Convergence of Adam and Beyond", ICLR 2018
(arXiv:1904.09237), §3: Theorem 2 (online) and Theorem 3 (stochastic), both "for
any :math:`\beta_1, \beta_2 \in [0, 1)` with :math:`\beta_1 < \sqrt{\beta_2}`"; their
Adam has no bias correction, :math:`\alpha_t = \alpha/\sqrt t`, constant
:math:`\beta_1`.  The statements are existential, so a check is a *construction* --
a problem as a function of :math:`(\beta_1, \beta_2)` -- and simulations on a grid
of :math:`(\beta_1, \beta_2)` that covers the region's edges: :math:`\beta_1 = 0`,
:math:`\beta_2 \to 1`, :math:`\beta_1 \to \sqrt{\beta_2}` (:math:`\gamma =
\beta_1/\sqrt{\beta_2} \to 1`) and small :math:`\beta_2`.  Grid points are
:math:`\beta_1 = \gamma\sqrt{\beta_2}` over a set of :math:`\beta_2` and of
:math:`\gamma \in [0, 1)` (:func:`grid`: :data:`B2S` x :data:`GAMMAS`, and
:data:`THOROUGH_B2S` x :data:`THOROUGH_GAMMAS` under ``--thorough``).

**Theorem 2** (proof in the Appendix): on :math:`F = [-1, 1]`, the period-C game
:math:`f_t(x) = Cx` for :math:`t \bmod C = 1`, :math:`-x` otherwise (the paper takes
C even and large enough for its conditions on :math:`\beta_1, \beta_2, \gamma`).
Over a period the coefficients sum to 1, so :math:`x^* = -1`.  Our C
(:func:`thm2_period`) comes from the *cycle drift* (:func:`cycle_drift`): once the
moments run through their periodic cycle,

.. math:: m_j = -1 + \frac{(1-\beta_1)(C+1)\beta_1^{j-1}}{1-\beta_1^C}, \qquad
          v_j = 1 + \frac{(1-\beta_2)(C^2-1)\beta_2^{j-1}}{1-\beta_2^C}
          \qquad (j = 1..C,\ j = 1 \text{ the step with gradient } C),

and over a period (where :math:`\alpha_t` barely changes) the iterate moves by
:math:`-\alpha_t S` with :math:`S = \sum_{j=1}^C m_j/\sqrt{v_j}`.  :math:`S < 0`
pushes it to :math:`x = +1`, where every period costs 2 against :math:`x^* = -1`: a
regret linear in T.  C is the first even C >= 4 with :math:`S \le -C/4` (a quarter of
the largest possible upward drift, -C), found by doubling from 4 and bisecting over
even C; :data:`DRIFT_FRACTION`.  With :math:`\beta_2` small the moments forget the
large gradient within a step or two (C = 4); as :math:`\beta_2 \to 1`, C grows like
:math:`\log(1/(1-\beta_2))/(1-\beta_2)` up to a constant (1052 at 0.99, 14458 at
0.999).  The proof in the paper's appendix picks C by its own sufficient conditions;
any C that makes the game work is a valid witness for "there is a problem", and this
one is checked on every grid point.

The simulated game is the paper's times :math:`s = 2^{\lceil \log_2(C/2) \rceil}`:
:math:`f_t(x) = sCx` or :math:`-sx` (problem ``rkk-thm1`` with ``C = s*C``, ``period =
C``, ``slope_other = s``).  Adam with :math:`\epsilon = 0` is invariant under
:math:`g \mapsto sg`, bit for bit when s is a power of 2, so the iterates are the
paper's and :math:`R(T)` is multiplied by s: :math:`R(T)/T \to 2s/C \in [1, 2)` instead
of :math:`2/C`, the scale on which the ledger's "linear" rule (fitted limit >= 0.05)
reads.  The regret is read at the ends of whole periods (``period = C``; a positive
limit along a subsequence already shows :math:`R(T)/T \not\to 0`) and fitted with a
one-off transient (``transient=True``: the first periods, while :math:`v_t` still
carries the first large gradients, cost far more than 2s each).  The run starts at
:math:`x_1 = 1`, as the paper's proof of Theorem 1 assumes without loss of generality
(its proof of Theorem 2 lets :math:`\sum_t \alpha_t = \infty` bring the iterate to 1
first); from :math:`x_1 = 0` the first periods leave a negative transient in
:math:`R(t)` (about :math:`-4\cdot 10^7` at :math:`\beta_2 = 0.999`, against a slope
of 1.13), so that :math:`R(t)/t` stays negative up to :math:`t \approx 4\cdot 10^7`.

**Theorem 3** (proof in the Appendix): :math:`f_t(x) = Cx` with probability
:math:`p = (1+\delta)/(C+1)`, :math:`-x` otherwise, i.i.d. on :math:`F = [-1, 1]`;
:math:`\mathbb E f_t(x) = \delta x`, minimized at :math:`x^* = -1`, while (the
proof's lemma) Adam's expected step is upward once C is large enough for
:math:`\beta_1, \beta_2, \delta`.  We take :math:`\delta = 1` (:data:`DELTA`) and
:math:`C = (1+\delta) C_2 - 1` with :math:`C_2` the period of Theorem 2 at the same
point, so that :math:`p = 1/C_2`: the large gradient comes on average once per
:math:`C_2` steps (problem ``rkk-stochastic``, ``slope_other = 1``).  Rule: the last
iterate stays at least 1.5 from the optimum (:math:`\theta_{T+1} \ge 1/2`) in every
seed, starting from 0.

Readings (as :mod:`.simulations`): for :math:`\beta_1 = 0` the paper's Adam is
simulated exactly (``adam-rkk``: RMSprop with :math:`\rho = \beta_2`) next to Kingma
& Ba's bias-corrected Adam (``adam-kb``); for :math:`\beta_1 > 0` only ``adam-kb`` is
available (the corrections are factors :math:`1-\beta^t \to 1`, geometrically fast;
the moments, and so the cycle drift, are the same in both readings).  :math:`\alpha
= 1/2` (default) and :math:`\alpha \in \{1/10, 1\}` (``--thorough``).

These are asymptotic statements: "verified" on the stated grid, horizon and seeds,
never "proved".
"""
from __future__ import annotations

import functools
import math
import numbers
from typing import Any

import numpy as np

from ..methods.asymptotic import Simulation
from .simfit import reading

DRIFT_FRACTION = 0.25
"""Theorem 2's C: the first even C with cycle drift S <= -DRIFT_FRACTION * C."""

DELTA = 1.0
"""Theorem 3's delta: p = (1 + delta)/(C + 1), E f_t(x) = delta x."""

X1 = 1.0
"""Theorem 2's initial point."""

THETA_TOL = 1.5
"""Theorem 3's rule: |theta_(T+1) - (-1)| >= THETA_TOL in every seed."""

GAMMAS = (0.0, 0.5, 0.99)
B2S = (0.01, 0.5, 0.99)
THOROUGH_GAMMAS = (0.0, 0.5, 0.9, 0.99)
THOROUGH_B2S = (0.001, 0.01, 0.1, 0.5, 0.9, 0.99, 0.999)
ALPHAS = (0.5,)
THOROUGH_ALPHAS = (0.1, 1.0)
SEEDS = (0, 1, 2, 3)
THOROUGH_SEEDS = tuple(range(8))


def _point(b1, b2) -> tuple[float, float]:
    for name, v in (("b1", b1), ("b2", b2)):
        if isinstance(v, bool) or not isinstance(v, numbers.Real) or not math.isfinite(v):
            raise TypeError(f"{name} must be a finite real number; got {v!r}")
    b1, b2 = float(b1), float(b2)
    if not (0 <= b1 and b2 < 1 and b1 < math.sqrt(max(b2, 0.0))):
        raise ValueError(f"(b1, b2) must satisfy 0 <= b1 < sqrt(b2) and b2 < 1; got "
                         f"({b1!r}, {b2!r})")
    return b1, b2


def _alpha(alpha) -> float:
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real) \
            or not math.isfinite(alpha) or alpha <= 0:
        raise ValueError(f"alpha must be a finite number > 0; got {alpha!r}")
    return float(alpha)


def _period(C) -> int:
    if isinstance(C, bool) or not isinstance(C, (int, np.integer)) or C < 2:
        raise ValueError(f"C must be an int >= 2; got {C!r}")
    return int(C)


def cycle_moments(b1: float, b2: float, C: int) -> tuple[np.ndarray, np.ndarray]:
    r"""(m_j, v_j), j = 1..C: Adam's moments (no bias correction) on their periodic cycle
    in the period-C game (gradient C at j = 1, -1 otherwise); see the module docs."""
    b1, b2 = _point(b1, b2)
    C = _period(C)
    j = np.arange(C, dtype=np.float64)
    m = -1 + (1 - b1) * (C + 1) * b1 ** j / (1 - b1 ** C)
    v = 1 + (1 - b2) * (C * C - 1.0) * b2 ** j / (1 - b2 ** C)
    return m, v


def cycle_drift(b1: float, b2: float, C: int) -> float:
    r""":math:`S = \sum_{j=1}^C m_j/\sqrt{v_j}` on the cycle: over a period the iterate moves
    by about :math:`-\alpha_t S`; S < 0 drives it to +1 (the paper's failure mode)."""
    m, v = cycle_moments(b1, b2, C)
    return float(np.sum(m / np.sqrt(v)))


def thm2_period(b1: float, b2: float) -> int:
    """Theorem 2's C for (b1, b2): the first even C >= 4 with cycle drift <= -C/4 found by
    doubling from 4 and then bisecting over even C (module docs)."""
    return _thm2_period(*_point(b1, b2))


@functools.lru_cache(maxsize=256)
def _thm2_period(b1: float, b2: float) -> int:
    def ok(C):
        return cycle_drift(b1, b2, C) <= -DRIFT_FRACTION * C

    lo = 4
    if ok(lo):
        return lo
    while not ok(2 * lo):
        lo *= 2
        if lo > 10**8:                                        # pragma: no cover
            raise ValueError(f"no C <= 2e8 for (b1, b2) = ({b1}, {b2})")
    hi = 2 * lo                                               # ok(hi), not ok(lo)
    while hi - lo > 2:
        mid = (lo + hi) // 4 * 2
        if ok(mid):
            hi = mid
        else:
            lo = mid
    return hi


def _scale(C: int) -> float:
    return float(2 ** math.ceil(math.log2(C / 2)))


def thm2_problem(b1: float, b2: float, alpha: float) -> dict[str, Any]:
    """Theorem 2's problem at (b1, b2): ``problem`` and ``problem_params`` for the
    simulator, the period C, the scale s, the cycle drift, the limit 2s/C of R(T)/T when
    Adam sits at +1.  The problem
    does not depend on ``alpha`` (validated and recorded)."""
    b1, b2 = _point(b1, b2)
    alpha = _alpha(alpha)
    C = thm2_period(b1, b2)
    s = _scale(C)
    return {"problem": "rkk-thm1", "problem_params": {"C": s * C, "period": C,
                                                      "slope_other": s},
            "b1": b1, "b2": b2, "gamma": b1 / math.sqrt(b2), "alpha": alpha, "C": C,
            "scale": s, "cycle_drift": cycle_drift(b1, b2, C), "limit_at_plus_1": 2 * s / C,
            "optimum": -1.0}


def thm3_problem(b1: float, b2: float, alpha: float) -> dict[str, Any]:
    """Theorem 3's problem at (b1, b2): C = (1+delta) C_2 - 1 with C_2 = Theorem 2's period,
    p = (1+delta)/(C+1) = 1/C_2, delta = :data:`DELTA`; ``problem`` and ``problem_params``
    for the simulator, E f_t(x) = delta x and its minimizer -1."""
    b1, b2 = _point(b1, b2)
    alpha = _alpha(alpha)
    C2 = thm2_period(b1, b2)
    C = round((1 + DELTA) * C2) - 1
    p = (1 + DELTA) / (C + 1)
    return {"problem": "rkk-stochastic",
            "problem_params": {"C": float(C), "slope_other": 1.0, "prob": p},
            "b1": b1, "b2": b2, "gamma": b1 / math.sqrt(b2), "alpha": alpha, "C": C,
            "C2": C2, "delta": DELTA, "prob": p, "expected_slope": p * C - (1 - p),
            "optimum": -1.0}


def grid(thorough: bool) -> tuple[tuple[float, float], ...]:
    """The (b1, b2) points: b1 = gamma sqrt(b2) over the b2 and gamma of the run."""
    if not isinstance(thorough, bool):
        raise TypeError(f"thorough must be True or False; got {thorough!r}")
    b2s, gammas = (THOROUGH_B2S, THOROUGH_GAMMAS) if thorough else (B2S, GAMMAS)
    return tuple((g * math.sqrt(b2), b2) for b2 in b2s for g in gammas)


def _readings(b1: float) -> tuple[str, ...]:
    return ("adam-rkk", "adam-kb") if b1 == 0 else ("adam-kb",)


def _meta(prob: dict, kind: str, keys) -> dict[str, Any]:
    out = {k: prob[k] for k in keys}
    out["reading"] = kind
    return out


_THM2_META = ("b1", "b2", "gamma", "alpha", "C", "scale", "cycle_drift", "limit_at_plus_1")
_THM3_META = ("b1", "b2", "gamma", "alpha", "C", "C2", "prob", "expected_slope")


def thm2(thorough: bool) -> tuple[Simulation, ...]:
    """Theorem 2 on the grid, every reading and alpha: rule "linear", read at the ends of
    whole periods, fitted with a transient; one seed (the game is deterministic)."""
    out = []
    for b1, b2 in grid(thorough):
        for alpha in (THOROUGH_ALPHAS if thorough else ALPHAS):
            prob = thm2_problem(b1, b2, alpha)
            for kind in _readings(b1):
                name, hyper = reading(kind, alpha, b1, b2)
                out.append(Simulation(
                    prob["problem"], name, hyper, "linear",
                    problem_params=prob["problem_params"], seeds=(0,),
                    label=f"{kind}, b1 = {b1:.4g}, b2 = {b2:g}, alpha = {alpha:g}, "
                          f"C = {prob['C']}",
                    period=prob["C"], transient=True, x0=(X1,),
                    meta=_meta(prob, kind, _THM2_META)))
    return tuple(out)


def thm3(thorough: bool) -> tuple[Simulation, ...]:
    """Theorem 3 on the grid, every reading and alpha: theta_(T+1) at least
    :data:`THETA_TOL` from the optimum -1 in every seed."""
    out = []
    seeds = THOROUGH_SEEDS if thorough else SEEDS
    for b1, b2 in grid(thorough):
        for alpha in (THOROUGH_ALPHAS if thorough else ALPHAS):
            prob = thm3_problem(b1, b2, alpha)
            for kind in _readings(b1):
                name, hyper = reading(kind, alpha, b1, b2)
                out.append(Simulation(
                    prob["problem"], name, hyper, theta=(-1.0, "far", THETA_TOL),
                    problem_params=prob["problem_params"], seeds=seeds,
                    label=f"{kind}, b1 = {b1:.4g}, b2 = {b2:g}, alpha = {alpha:g}, "
                          f"C = {prob['C']}",
                    meta=_meta(prob, kind, _THM3_META)))
    return tuple(out)


def _grid_json(thorough: bool) -> dict[str, Any]:
    return {"b2": list(THOROUGH_B2S if thorough else B2S),
            "gamma = b1/sqrt(b2)": list(THOROUGH_GAMMAS if thorough else GAMMAS),
            "alpha": list(THOROUGH_ALPHAS if thorough else ALPHAS),
            "seeds": list(THOROUGH_SEEDS if thorough else SEEDS)}


def about(theorem: int) -> dict[str, Any]:
    """What the evidence says about the construction and the grids (``Asymptotic.about``)."""
    grids = {"default": _grid_json(False), "thorough": _grid_json(True),
             "edges": "b1 = 0 (gamma = 0); b1 -> sqrt(b2) (gamma = 0.99); b2 small "
                      "(0.01; 0.001 thorough); b2 -> 1 (0.99; 0.999 thorough)",
             "readings": "adam-rkk (the paper's Adam, exact) and adam-kb at b1 = 0; adam-kb "
                         "elsewhere (no bias-correction-free Adam with b1 > 0 in the "
                         "simulator)"}
    if theorem == 2:
        return {"source": "Reddi, Kale & Kumar, ICLR 2018 (arXiv:1904.09237), §3 Theorem 2; "
                          "construction of its proof (Appendix)",
                "construction": "f_t(x) = s C x if t mod C = 1, -s x otherwise, on [-1, 1] "
                                "(problem rkk-thm1: C -> s*C, period C, slope_other s); "
                                "x* = -1",
                "C(b1, b2)": "first even C >= 4 with cycle drift S = sum_j m_j/sqrt(v_j) <= "
                             f"-{DRIFT_FRACTION:g} C (m_j = -1 + (1-b1)(C+1) b1^(j-1)/"
                             "(1-b1^C), v_j = 1 + (1-b2)(C^2-1) b2^(j-1)/(1-b2^C)); doubling "
                             "from 4, then bisection over even C",
                "scale": "s = 2^ceil(log2(C/2)): Adam (eps = 0) is invariant under g -> s g, "
                         "so the iterates are the paper's; R(T)/T -> 2s/C when Adam sits at "
                         "+1 (2/C unscaled)",
                "regret": "read at t = k C (ends of periods); fit R(t)/t = L + c t^(-1/2) + "
                          "b/t on [T/100, T]; start x_1 = 1",
                "grid": grids}
    if theorem == 3:
        return {"source": "Reddi, Kale & Kumar, ICLR 2018 (arXiv:1904.09237), §3 Theorem 3; "
                          "construction of its proof (Appendix)",
                "construction": "f_t(x) = C x with probability p = (1+delta)/(C+1), -x "
                                "otherwise, i.i.d. on [-1, 1] (problem rkk-stochastic); "
                                "E f_t(x) = delta x, optimum x* = -1",
                "C(b1, b2)": f"C = (1+delta) C_2 - 1, delta = {DELTA:g}, C_2 = Theorem 2's "
                             "period at (b1, b2) (p = 1/C_2)",
                "rule": f"|theta_(T+1) + 1| >= {THETA_TOL:g} in every seed (theta_1 = 0)",
                "grid": grids}
    raise ValueError(f"theorem must be 2 or 3; got {theorem!r}")


__all__ = ["ALPHAS", "B2S", "DELTA", "DRIFT_FRACTION", "GAMMAS", "SEEDS", "THETA_TOL", "X1",
           "THOROUGH_ALPHAS", "THOROUGH_B2S", "THOROUGH_GAMMAS", "THOROUGH_SEEDS", "about",
           "cycle_drift", "cycle_moments", "grid", "thm2", "thm2_period", "thm2_problem", "thm3", "thm3_problem"]
