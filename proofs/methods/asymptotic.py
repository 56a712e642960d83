r"""The asymptotic method: simulations over seeds, a fitted limit of R(T)/T and a slope.

A claim about what happens as :math:`T \to \infty` ("the average regret does not go
to 0", "AMSGrad's iterates converge to -1") cannot be proved by running an
optimizer, and a finite run cannot refute it with a certificate.  What a
simulation can do is show, on stated instances, seeds and horizon, that the
behaviour is what the claim says -- the verdict is then "verified" (never
"proved") -- or that it is not, and then the verdict stays "pending" with the
numbers.  Each :class:`Simulation` is one problem played by one registry
optimizer (:func:`adamlab.numerics.optimizers.make`) over seeds; its curve is
the regret :math:`R(t)` against the best fixed point of the first t losses
(``stats["regret_prefix"]``, exact for linear losses), sampled at log-spaced t.

Summaries (:func:`fit`), with their windows:

* the fitted limit :math:`L` of the average regret: least squares of
  :math:`R(t)/t = L + c\,t^{-1/2}` on :math:`t \in [T/100, T]`;
* the log-log slope of :math:`R(t)` on the last decade :math:`[T/10, T]`
  (1 for linear regret, 1/2 for :math:`\sqrt T` regret).

Rules (:data:`RULES`), stated in the evidence:

``"linear"``
    every seed has :math:`L \ge 0.05` and :math:`R(t)/t \ge 0.05` at every sampled
    :math:`t \in [T/10, T]` (the average regret does not go to 0);
``"sublinear"``
    every seed has slope :math:`\le 0.85`, :math:`|L| \le 0.02`, and :math:`R(T)/T`
    below its value near :math:`T/10` (it goes to 0);
``"decreasing"``
    :math:`R(T)/T` below its value near :math:`T/10` in every seed (slower rates);
``None``
    no rule on the regret (only the iterate rule below).

An iterate rule ``theta = (x, how, tol)`` on the first coordinate of
:math:`\theta_{T+1}`: ``"near"`` -- :math:`|\theta - x| \le` tol in every seed;
``"far"`` -- :math:`|\theta - x| \ge` tol in every seed; ``"approaching"`` -- the
mean over seeds of :math:`|\theta - x|` is :math:`\le` tol and below its value
after T/10 steps (a second simulation).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import numpy as np

from adamlab.numerics import optimizers, simulate

from ..claim import Method
from ..verdict import Verdict

NOT_ZERO = {"fitted_limit_at_least": 0.05, "min_R_over_t_on_last_decade_at_least": 0.05}
TO_ZERO = {"fitted_limit_abs_at_most": 0.02, "slope_at_most": 0.85,
           "R(T)/T below R(T/10)/(T/10)": True}
RULES = {"linear": NOT_ZERO, "sublinear": TO_ZERO,
         "decreasing": "R(T)/T below its value at the sampled t nearest T/10, every seed"}
THETA_RULES = ("near", "far", "approaching")
FIT_WINDOW = "R(t)/t = L + c t^(-1/2) on [T/100, T]; slope of log R on [T/10, T]"


def fit(t: np.ndarray, R: np.ndarray) -> dict[str, float]:
    """Fitted limit of R(t)/t (L + c t^(-1/2) on [T/100, T]) and the last decade's slope."""
    t, R = np.asarray(t, dtype=float), np.asarray(R, dtype=float)
    if t.ndim != 1 or t.shape != R.shape or t.size < 3:
        raise ValueError(f"t and R must be 1-d of the same length >= 3; got {t.shape}, "
                         f"{R.shape}")
    T = int(t[-1])
    w = t >= T / 100
    A = np.stack([np.ones(w.sum()), t[w] ** -0.5], axis=1)
    (L, c), *_ = np.linalg.lstsq(A, R[w] / t[w], rcond=None)
    i0 = int(np.searchsorted(t, T / 10))
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = float(np.log(R[-1] / R[i0]) / np.log(t[-1] / t[i0])) if R[i0] > 0 \
            else float("nan")
    return {"fitted_limit": float(L), "fitted_c": float(c), "loglog_slope": slope,
            "avg_regret_T": float(R[-1] / T)}


def curves_of(problem: str, opt, T: int, seeds, problem_params: dict | None = None,
              points: int = 13) -> dict[str, Any]:
    """Simulate ``opt`` (an optimizer built by the registry) on ``problem`` for each seed:
    log-spaced R(t)/t per seed, the fits of :func:`fit` and theta_T."""
    seeds = [int(s) for s in seeds]
    res = simulate.run(problem, opt, T=T, runs=len(seeds), seed=seeds,
                       problem_params=problem_params, progress=False)
    t = np.asarray(res.stats["t"], dtype=float)
    Rp = np.asarray(res.stats["regret_prefix"], dtype=float)
    idx = np.unique(np.round(np.logspace(0, np.log10(T), points)).astype(int) - 1)
    per_seed = []
    for r, s in enumerate(seeds):
        f = fit(t, Rp[:, r])
        f.update(seed=s, theta_T=float(res.theta_final[r, 0]),
                 curve={"t": [int(t[i]) for i in idx],
                        "R_over_t": [float(f"{Rp[i, r] / t[i]:.6g}") for i in idx]})
        per_seed.append(f)
    return {"problem": problem, "problem_params": dict(problem_params or {}),
            "optimizer": opt.name, "T": T, "engine": res.metadata.get("engine"),
            "seeds": per_seed, "fit_window": FIT_WINDOW}


def not_to_zero(cur: dict) -> bool:
    """Rule "linear": fitted limit >= 0.05 and R(t)/t >= 0.05 at every sampled t in
    [T/10, T], every seed."""
    ok = True
    for s in cur["seeds"]:
        ts, ro = s["curve"]["t"], s["curve"]["R_over_t"]
        tail = [r for t, r in zip(ts, ro) if t >= cur["T"] / 10]
        ok &= (s["fitted_limit"] >= NOT_ZERO["fitted_limit_at_least"]
               and min(tail) >= NOT_ZERO["min_R_over_t_on_last_decade_at_least"])
    return bool(ok)


def decreasing(cur: dict) -> bool:
    """Rule "decreasing": R(T)/T below its value at the sampled t nearest T/10, every seed."""
    return all(s["curve"]["R_over_t"][-1] < s["curve"]["R_over_t"][-3] for s in cur["seeds"])


def to_zero(cur: dict) -> bool:
    """Rule "sublinear" (see the module docs)."""
    return decreasing(cur) and all(
        abs(s["fitted_limit"]) <= TO_ZERO["fitted_limit_abs_at_most"]
        and s["loglog_slope"] <= TO_ZERO["slope_at_most"] for s in cur["seeds"])


_RULE_FNS: dict[str, Callable[[dict], bool]] = {"linear": not_to_zero, "sublinear": to_zero,
                                                "decreasing": decreasing}


def _span(values, fmt) -> str:
    lo, hi = min(values), max(values)
    return f"= {lo:{fmt}}" if f"{lo:{fmt}}" == f"{hi:{fmt}}" else \
        f"in [{lo:{fmt}}, {hi:{fmt}}]"


def brief(cur: dict) -> str:
    """L and slope over the seeds of one curve set (a value or a range), for a summary."""
    return (f"L {_span([s['fitted_limit'] for s in cur['seeds']], '.3g')}, slope "
            f"{_span([s['loglog_slope'] for s in cur['seeds']], '.3f')}")


_OPPOSITE = {"sublinear": ("linear", not_to_zero), "linear": ("sublinear", to_zero)}


def _dist(x: float) -> str:
    return f"|theta_T - {x:g}|" if x >= 0 else f"|theta_T + {-x:g}|"


def _mean_gap(cur: dict, x: float) -> float:
    return sum(abs(s["theta_T"] - x) for s in cur["seeds"]) / len(cur["seeds"])


@dataclass(frozen=True)
class Simulation:
    """One set of runs and what the claim says about it (see the module docs).

    ``problem`` -- a problem name (:func:`adamlab.numerics.problems.names`) with
    ``problem_params``; ``optimizer`` -- a registry name with ``hyper`` (values as
    :func:`~adamlab.numerics.optimizers.make` takes them, schedules included);
    ``expect`` -- a regret rule of :data:`RULES` or None; ``theta`` -- an iterate rule
    ``(x, how, tol)`` with ``how`` in :data:`THETA_RULES`, or None; ``seeds``; ``label``
    -- how the summary names it."""

    problem: str
    optimizer: str
    hyper: Mapping[str, Any] = field(default_factory=dict)
    expect: str | None = None
    theta: tuple[float, str, float] | None = None
    problem_params: Mapping[str, Any] = field(default_factory=dict)
    seeds: tuple[int, ...] = (0,)
    label: str = ""

    def __post_init__(self):
        if not isinstance(self.problem, str) or not self.problem:
            raise TypeError(f"problem must be a non-empty str; got {self.problem!r}")
        if not isinstance(self.optimizer, str) or not self.optimizer:
            raise TypeError(f"optimizer must be a non-empty str; got {self.optimizer!r}")
        if self.expect is not None and self.expect not in RULES:
            raise ValueError(f"expect must be one of {tuple(RULES)} or None; got "
                             f"{self.expect!r}")
        if self.theta is not None:
            if not (isinstance(self.theta, tuple) and len(self.theta) == 3
                    and self.theta[1] in THETA_RULES):
                raise ValueError(f"theta must be (x, how, tol) with how in {THETA_RULES}; "
                                 f"got {self.theta!r}")
        if self.expect is None and self.theta is None:
            raise ValueError("a Simulation needs a rule: expect, theta or both")
        seeds = tuple(self.seeds)
        if not seeds or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0
                                for s in seeds):
            raise ValueError(f"seeds must be a non-empty tuple of ints >= 0; got "
                             f"{self.seeds!r}")
        object.__setattr__(self, "seeds", seeds)

    @property
    def name(self) -> str:
        return self.label or f"{self.optimizer} on {self.problem}"

    def play(self, T: int) -> dict[str, Any]:
        """The curves of :func:`curves_of` for horizon T, with this simulation's label."""
        cur = curves_of(self.problem, optimizers.make(self.optimizer, **dict(self.hyper)), T,
                        self.seeds, dict(self.problem_params))
        cur["label"] = self.name
        cur["hyper"] = {k: (v if isinstance(v, (int, float, str, bool)) else repr(v))
                        for k, v in self.hyper.items()}
        return cur

    def judge(self, T: int) -> tuple[bool, dict[str, Any], str]:
        """(rules hold, evidence, one-line summary) at horizon T."""
        cur = self.play(T)
        ok, parts = True, []
        if self.expect is not None:
            hold = _RULE_FNS[self.expect](cur)
            ok &= hold
            note = f"{self.expect}: {'yes' if hold else 'no'}"
            other = _OPPOSITE.get(self.expect)
            if not hold and other and other[1](cur):
                note += f"; the runs meet the opposite rule, {other[0]}"
            parts.append(f"{brief(cur)} ({note})")
        cur["rule"] = {"regret": self.expect and {self.expect: RULES[self.expect]}}
        if self.theta is not None:
            x, how, tol = self.theta
            gaps = [abs(s["theta_T"] - x) for s in cur["seeds"]]
            if how == "near":
                hold = max(gaps) <= tol
                what = f"max {_dist(x)} = {max(gaps):.3g} <= {tol:g}"
            elif how == "far":
                hold = min(gaps) >= tol
                what = f"min {_dist(x)} = {min(gaps):.3g} >= {tol:g}"
            else:
                earlier = self.play(max(1, T // 10))
                g0, g1 = _mean_gap(earlier, x), _mean_gap(cur, x)
                hold = g1 <= tol and g1 < g0
                what = f"mean {_dist(x)} = {g1:.3g} <= {tol:g} (T/10: {g0:.3g})"
                cur["mean_gap"] = {"T/10": g0, "T": g1}
            cur["rule"]["theta"] = f"{how}: {what}"
            ok &= hold
            parts.append(f"{what} ({'yes' if hold else 'no'})")
        return bool(ok), cur, f"{self.name}: " + "; ".join(parts)


@dataclass(frozen=True)
class Asymptotic(Method):
    """Decide a claim by :class:`Simulation` s: "verified" when every rule holds at the
    horizon ``T`` (``T_thorough`` with ``--thorough``), else "pending" with the numbers.
    ``thorough`` replaces ``simulations`` under ``--thorough`` when given."""

    simulations: tuple[Simulation, ...]
    T: int = 10**6
    T_thorough: int = 10**7
    thorough: tuple[Simulation, ...] | None = None
    kind: str = "asymptotic"

    def __post_init__(self):
        for name in ("simulations", "thorough"):
            sims = getattr(self, name)
            if sims is None and name == "thorough":
                continue
            if not isinstance(sims, tuple) or not sims or not all(
                    isinstance(s, Simulation) for s in sims):
                raise TypeError(f"{name} must be a non-empty tuple of Simulation")
        for name in ("T", "T_thorough"):
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool) or not 100 <= v <= 10**9:
                raise ValueError(f"{name} must be an int in 100..10^9; got {v!r}")

    def describe(self) -> str:
        return f"asymptotic ({len(self.simulations)} simulations, T = {self.T:.0e})"

    def decide(self, claim, thorough: bool = False) -> Verdict:
        sims = (self.thorough or self.simulations) if thorough else self.simulations
        T = self.T_thorough if thorough else self.T
        results = [s.judge(T) for s in sims]
        ok = all(r[0] for r in results)
        seeds = sorted({s for sim in sims for s in sim.seeds})
        ev = {"runs": [r[1] for r in results], "rules": RULES, "fit_window": FIT_WINDOW,
              "T": T, "seeds": seeds,
              "reading": "asymptotic statements: 'verified' on these instances, seeds and "
                         "horizon, never 'proved'; a failed rule leaves the claim pending"}
        lines = "; ".join(r[2] for r in results)
        if ok:
            return Verdict(claim.id, "verified",
                           f"verified on {len(sims)} simulations at T = {T:.0e}: {lines}", ev)
        failed = [r[2] for r in results if not r[0]]
        return Verdict(claim.id, "pending",
                       f"undecided at T = {T:.0e}: {len(failed)} of {len(sims)} simulations "
                       f"break their rule: {'; '.join(failed)}", ev)


__all__ = ["Asymptotic", "FIT_WINDOW", "NOT_ZERO", "RULES", "Simulation", "THETA_RULES",
           "TO_ZERO", "brief", "curves_of", "decreasing", "fit", "not_to_zero", "to_zero"]
