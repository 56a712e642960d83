r"""Ledger checks decided by simulation: Reddi et al.'s counterexamples and KB Cor 4.2.

Reddi, Kale & Kumar, ICLR 2018: Theorem 1 (``rkk.thm1``), §5 online and
stochastic experiments (``rkk.sec5.online``, ``rkk.sec5.stochastic``);
Kingma & Ba, ICLR 2015, Corollary 4.2 (``kb.cor4.2``).

Evidence: regret curves :math:`R(t)/t` (log-spaced t) per instance and seed,
the fitted limit :math:`L` of :math:`R(t)/t = L + c t^{-1/2}` on
:math:`[T/100, T]` and the log-log slope of R on :math:`[T/10, T]`
(:mod:`.simfit`).  The decision rules, stated in the evidence:

* *does not go to 0*: every seed has :math:`L \ge 0.05` and slope :math:`\ge 0.9`
  (linear regret);
* *goes to 0*: every seed has slope :math:`\le 0.85` (sublinear) and
  :math:`|L| \le 0.02`, and :math:`R(T)/T` at the largest T is below its value
  at T/10;
* *converges to x*: :math:`|\theta_T - x| \le 0.05` in every seed.

These are asymptotic statements: the verdict is "verified" on the stated
horizon and instances, never "proved".  Reddi et al.'s Adam has no bias
correction: for :math:`\beta_1 = 0` it is simulated exactly (RMSprop with
:math:`\rho = \beta_2`, reading ``adam-rkk``) next to Kingma & Ba's
bias-corrected Algorithm 1 (``adam-kb``); for :math:`\beta_1 = 0.9` only
``adam-kb`` is available in the simulator (the corrections differ by factors
:math:`1-\beta^t \to 1`, geometrically fast).  AMSGrad is Reddi et al.'s
Algorithm 2 (``amsgrad-rkk``: no bias correction).
"""
from __future__ import annotations

from fractions import Fraction
from typing import Any

from ..verdict import Verdict
from . import adam_exact
from .simfit import curves

NOT_ZERO = {"fitted_limit_at_least": 0.05, "min_R_over_t_on_last_decade_at_least": 0.05}
TO_ZERO = {"fitted_limit_abs_at_most": 0.02, "slope_at_most": 0.85,
           "R(T)/T below R(T/10)/(T/10)": True}


def not_to_zero(cur: dict) -> bool:
    """Fitted limit >= 0.05 and R(t)/t >= 0.05 at every sampled t in [T/10, T], every seed."""
    ok = True
    for s in cur["seeds"]:
        ts, ro = s["curve"]["t"], s["curve"]["R_over_t"]
        tail = [r for t, r in zip(ts, ro) if t >= cur["T"] / 10]
        ok &= (s["fitted_limit"] >= NOT_ZERO["fitted_limit_at_least"]
               and min(tail) >= NOT_ZERO["min_R_over_t_on_last_decade_at_least"])
    return bool(ok)


def decreasing(cur: dict) -> bool:
    """R(T)/T below its value at the sampled t nearest T/10, every seed."""
    return all(s["curve"]["R_over_t"][-1] < s["curve"]["R_over_t"][-3] for s in cur["seeds"])


def to_zero(cur: dict) -> bool:
    return decreasing(cur) and all(
        abs(s["fitted_limit"]) <= TO_ZERO["fitted_limit_abs_at_most"]
        and s["loglog_slope"] <= TO_ZERO["slope_at_most"] for s in cur["seeds"])


def _brief(cur: dict) -> str:
    L = min(s["fitted_limit"] for s in cur["seeds"]), max(s["fitted_limit"] for s in cur["seeds"])
    sl = min(s["loglog_slope"] for s in cur["seeds"]), max(s["loglog_slope"] for s in cur["seeds"])
    return f"L in [{L[0]:.3g}, {L[1]:.3g}], slope in [{sl[0]:.3f}, {sl[1]:.3f}]"


def thm1_instances(thorough: bool) -> list[dict[str, Any]]:
    Cs = (3.0, 5.0, 10.0) if thorough else (3.0, 10.0)
    out = []
    for C in Cs:
        b2 = 1 / (1 + C * C)
        for frac in ((0.1, 0.5, 0.9) if thorough else (0.5, 0.9)):
            out.append({"C": C, "beta2": b2, "alpha": frac * (1 - b2) ** 0.5})
    return out


def check_rkk_thm1(thorough: bool = False) -> Verdict:
    T = 10**7 if thorough else 10**6
    runs = []
    for inst in thm1_instances(thorough):
        for kind in ("adam-rkk", "adam-kb"):
            runs.append(curves("rkk-thm1", kind, inst["alpha"], 0.0, inst["beta2"], T, [0],
                               {"C": inst["C"], "period": 3, "slope_other": 1.0}))
    ok = all(not_to_zero(c) for c in runs)
    ev = {"rule": NOT_ZERO, "runs": runs, "seeds": "the game is deterministic: one seed each; "
          "the instances vary C and alpha = (0.5, 0.9) x sqrt(1-b2) ((0.1, 0.5, 0.9) with "
          "--thorough)",
          "readings": "adam-rkk (Reddi et al.: no bias correction, = RMSprop rho = b2) and "
                      "adam-kb (Kingma & Ba's Algorithm 1); projection onto [-1, 1]"}
    worst = min(s["fitted_limit"] for c in runs for s in c["seeds"])
    return Verdict("rkk.thm1", "verified" if ok else "pending",
                   (f"verified on {len(runs)} runs (C in "
                    f"{sorted({c['problem_params']['C'] for c in runs})},"
                    f" alpha/sqrt(1-b2) in {(0.1, 0.5, 0.9) if thorough else (0.5, 0.9)}, both "
                    f"readings), T = {T:.0e}: fitted lim "
                    f"R(T)/T >= {worst:.3g} > 0, log-log slopes "
                    f"{min(s['loglog_slope'] for c in runs for s in c['seeds']):.3f}..1")
                   if ok else "a run did not show linear regret", ev)


def _sec5(problem: str, thorough: bool, seeds, ams_alphas=(0.1, 1.0)) -> dict[str, Any]:
    T = 10**7 if thorough else 10**6
    return {"adam-kb": [curves(problem, "adam-kb", a, 0.9, 0.99, T, seeds) for a in (0.1, 1.0)],
            "amsgrad-rkk": [curves(problem, "amsgrad-rkk", a, 0.9, 0.99, T, seeds)
                            for a in ams_alphas]}


def check_sec5_online(thorough: bool = False) -> Verdict:
    res = _sec5("rkk-online", thorough, [0])
    adam_bad = all(not_to_zero(c) and all(abs(s["theta_T"] - 1) <= 0.05 for s in c["seeds"])
                   for c in res["adam-kb"])
    ams_small, ams_one = res["amsgrad-rkk"]
    ams_ok = to_zero(ams_one) and decreasing(ams_small)
    ev = {"rules": {"adam (every alpha)": dict(NOT_ZERO, theta_T="|theta_T - 1| <= 0.05"),
                    "amsgrad alpha = 1": TO_ZERO, "amsgrad alpha = 0.1": "R(t)/t decreasing "
                    "on [T/10, T] (slower: RKK Thm 4's constant grows like 1/alpha)"},
          "runs": res, "alpha_t": "alpha/sqrt(t), alpha in (0.1, 1)",
          "seeds": "deterministic game: one seed"}
    summ = (f"Adam (b1 = 0.9, b2 = 0.99, alpha 0.1 and 1): {_brief(res['adam-kb'][0])}, theta_T = "
            f"{res['adam-kb'][0]['seeds'][0]['theta_T']:.4f}; AMSGrad (alpha 1): "
            f"{_brief(ams_one)}, theta_T = {ams_one['seeds'][0]['theta_T']:.4f}")
    if adam_bad and ams_ok:
        return Verdict("rkk.sec5.online", "verified",
                       f"verified at T = {ams_one['T']:.0e}: " + summ, ev)
    return Verdict("rkk.sec5.online", "pending", "undecided at this horizon: " + summ, ev)


def _theta_gap(cur: dict) -> float:
    return sum(abs(s["theta_T"] + 1) for s in cur["seeds"]) / len(cur["seeds"])


def check_sec5_stochastic(thorough: bool = False) -> Verdict:
    seeds = list(range(8 if thorough else 5))
    T = 10**7 if thorough else 10**6
    res = _sec5("rkk-stochastic", thorough, seeds, (1.0,))
    earlier = curves("rkk-stochastic", "amsgrad-rkk", 1.0, 0.9, 0.99, T // 10, seeds)
    adam_far = all(abs(s["theta_T"] + 1) >= 1 for c in res["adam-kb"] for s in c["seeds"])
    ams = res["amsgrad-rkk"][0]
    gap, gap0 = _theta_gap(ams), _theta_gap(earlier)
    ams_near = gap <= 0.25 and gap < gap0
    thetas = {k: {c["alpha"]: [round(s["theta_T"], 4) for s in c["seeds"]] for c in v}
              for k, v in res.items()}
    ev = {"rules": {"adam (alpha 0.1 and 1)": "|theta_T + 1| >= 1 in every seed",
                    "amsgrad (alpha 1)": "mean_seeds |theta_T + 1| <= 0.25 and below its value "
                                         "at T/10"},
          "theta_T": thetas, "amsgrad_mean_gap": {"T/10": gap0, "T": gap}, "runs": res,
          "note": "R(t) is against the best fixed point of the sampled sequence; with alpha = "
                  "0.1 AMSGrad moves more slowly (RKK Thm 4's constant grows like 1/alpha); it "
                  "is not simulated here"}
    summ = (f"{len(seeds)} seeds, T = {T:.0e}: Adam theta_T in "
            f"[{min(min(v) for v in thetas['adam-kb'].values()):.4f}, 1]; AMSGrad (alpha 1) "
            f"mean |theta_T + 1| = {gap:.3f} (T/10: {gap0:.3f})")
    if adam_far and ams_near:
        return Verdict("rkk.sec5.stochastic", "verified", "verified: " + summ, ev)
    return Verdict("rkk.sec5.stochastic", "pending", "undecided: " + summ, ev)


def check_kb_cor42(thorough: bool = False) -> Verdict:
    T = 10**7 if thorough else 10**6
    adam = curves("rkk-thm1", "adam-kb", 0.5, 0.0, 0.1, T, [0], {"C": 3.0})
    ams = curves("rkk-thm1", "amsgrad-rkk", 0.5, 0.0, 0.1, T, [0], {"C": 3.0})
    w = None
    for Th in (30, 100, 300, 1000, 3000):
        w = adam_exact.witness("kb.cor4.2", Fraction(3), Fraction(1, 10), Fraction(1, 2),
                               Fraction(1, 2), Th)
        if w["certificate"]["violated"]:
            break
    ev = {"runs": {"adam-kb": adam, "amsgrad-rkk": ams}, "rules": {"adam": NOT_ZERO,
          "amsgrad": TO_ZERO}, "instance": "RKK Thm 1 (C = 3, b2 = 1/10, alpha = 1/2, b1 = 0 "
          "satisfies Thm 4.1's hypotheses; bounded gradients |g| <= 3 and distances <= 2)"}
    if not (w["certificate"]["violated"] and not_to_zero(adam)):
        return Verdict("kb.cor4.2", "pending", "no certified violation", ev)
    ev.update(witness=w, lhs=w["certificate"]["lhs"], rhs=w["certificate"]["rhs"])
    fixed = to_zero(ams)
    summ = (f"refuted: Adam on RKK Thm 1's instance (b1 = 0): R(T)/T = "
            f"{w['certificate']['lhs'][:8]}"
            f" > Cor 4.2's bound {w['certificate']['rhs'][:8]} at T = {w['T']} (certified), and "
            f"{_brief(adam)} up to T = {T:.0e}; AMSGrad on the same game: {_brief(ams)}")
    return Verdict("kb.cor4.2", "refuted-as-stated" if fixed else "refuted", summ, ev,
                   "With AMSGrad's vhat_t = max(vhat_(t-1), v_t) (Gamma_t PSD; RKK Thm 4, "
                   "check rkk.thm4) the average regret goes to 0 on the same instance "
                   "(verified by simulation; the rate is O(sqrt(log T / T)) by RKK Thm 4)"
                   if fixed else None)
