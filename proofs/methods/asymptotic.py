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
``"sqrt-rate"``
    every seed has slope :math:`\le 1/2 + 0.05` and :math:`R(T)/T` below its value near
    :math:`T/10`: regret :math:`O(\sqrt T)` up to the fit's tolerance, i.e. average
    regret at the rate :math:`O(1/\sqrt T)` (a claimed rate; a failure leaves it
    pending, as for every rule here);
``None``
    no rule on the regret (only the iterate rule below).

A periodic game (losses with period p) may be judged at the ends of its periods:
with ``period = p`` the curve and the fits use only :math:`t = kp` (the regret of
whole periods; inside a period :math:`R(t)/t` swings by :math:`O(p^2/t)`, which
would otherwise swamp the fit unless :math:`T \gg 100p^2`).  This is sound for the
rule "linear": if :math:`R(T)/T \to 0` then so does every subsequence, so a positive
limit along :math:`t = kp` shows that :math:`R(T)/T \not\to 0` (and for the other
rules :math:`R(t)` differs from :math:`R(kp)` by at most p times the largest change of
R in one step, a vanishing fraction of t).

With ``transient=True`` the fit is :math:`R(t)/t = L + c\,t^{-1/2} + b\,t^{-1}`: a
one-off transient b in :math:`R(t)` (a game that starts far from its cycle: e.g. the
first periods, while Adam's second moment still carries the first large gradients)
would otherwise bend the two-term fit; the limit L keeps its meaning.

An iterate rule ``theta = (x, how, tol)`` on the first coordinate of
:math:`\theta_{T+1}`: ``"near"`` -- :math:`|\theta - x| \le` tol in every seed;
``"far"`` -- :math:`|\theta - x| \ge` tol in every seed; ``"approaching"`` -- the
mean over seeds of :math:`|\theta - x|` is :math:`\le` tol and below its value
after T/10 steps (a second simulation).

For a claim checked on a grid of instances (a family of problems, one per
parameter point), ``Asymptotic(..., summary="grid")`` puts a row per simulation in
the evidence (``"grid"``: its ``meta`` -- e.g. the point and the construction's
constants -- the worst fitted limit, :math:`R(T)/T` and iterate gap over the seeds)
and condenses the one-line summary to the ranges over the grid; ``about`` adds a
mapping (e.g. the construction as a formula and the grids) to the evidence.
"""
from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import numpy as np

from adamlab.numerics import optimizers, simulate
from adamlab.numerics.sim.result import to_jsonable

from ..claim import Method
from ..verdict import Verdict

NOT_ZERO = {"fitted_limit_at_least": 0.05, "min_R_over_t_on_last_decade_at_least": 0.05}
TO_ZERO = {"fitted_limit_abs_at_most": 0.02, "slope_at_most": 0.85,
           "R(T)/T below R(T/10)/(T/10)": True}
SQRT_RATE = {"slope_at_most": 0.55, "R(T)/T below R(T/10)/(T/10)": True}
RULES = {"linear": NOT_ZERO, "sublinear": TO_ZERO,
         "decreasing": "R(T)/T below its value at the sampled t nearest T/10, every seed",
         "sqrt-rate": SQRT_RATE}
THETA_RULES = ("near", "far", "approaching")
FIT_WINDOW = "R(t)/t = L + c t^(-1/2) on [T/100, T]; slope of log R on [T/10, T]"
FIT_TRANSIENT = "L + c t^(-1/2) + b t^(-1)"


def fit(t: np.ndarray, R: np.ndarray, transient: bool = False) -> dict[str, float]:
    """Fitted limit of R(t)/t (L + c t^(-1/2) on [T/100, T]) and the last decade's slope.

    ``transient``: fit L + c t^(-1/2) + b t^(-1) instead, i.e. R(t) = L t + c sqrt(t) + b
    with a one-off transient b (e.g. the first periods of a periodic game, before the
    moments reach their cycle), which would otherwise bend the two-term fit."""
    t, R = np.asarray(t, dtype=float), np.asarray(R, dtype=float)
    if t.ndim != 1 or t.shape != R.shape or t.size < 3:
        raise ValueError(f"t and R must be 1-d of the same length >= 3; got {t.shape}, "
                         f"{R.shape}")
    if not isinstance(transient, bool):
        raise TypeError(f"transient must be True or False; got {transient!r}")
    T = int(t[-1])
    w = t >= T / 100
    cols = [np.ones(w.sum()), t[w] ** -0.5] + ([t[w] ** -1.0] if transient else [])
    coef, *_ = np.linalg.lstsq(np.stack(cols, axis=1), R[w] / t[w], rcond=None)
    L, c = coef[0], coef[1]
    i0 = int(np.searchsorted(t, T / 10))
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = float(np.log(R[-1] / R[i0]) / np.log(t[-1] / t[i0])) if R[i0] > 0 \
            else float("nan")
    out = {"fitted_limit": float(L), "fitted_c": float(c), "loglog_slope": slope,
           "avg_regret_T": float(R[-1] / T)}
    if transient:
        out["fitted_b"] = float(coef[2])
    return out


def check_period(period, T: int | None = None) -> int | None:
    """``period`` as an int >= 1 (or None); with ``T``, at least 3 whole periods in T."""
    if period is None:
        return None
    if isinstance(period, bool) or not isinstance(period, (int, np.integer)):
        raise TypeError(f"period must be an int >= 1 or None; got {period!r}")
    if period < 1:
        raise ValueError(f"period must be an int >= 1 or None; got {period!r}")
    if T is not None and T // int(period) < 3:
        raise ValueError(f"period = {period} leaves fewer than 3 whole periods in T = {T}")
    return int(period)


def curves_of(problem: str, opt, T: int, seeds, problem_params: dict | None = None,
              points: int = 13, period: int | None = None,
              transient: bool = False, x0=None) -> dict[str, Any]:
    """Simulate ``opt`` (an optimizer built by the registry) on ``problem`` for each seed:
    log-spaced R(t)/t per seed, the fits of :func:`fit` and theta_T.  With ``period`` p
    the curve and the fits read only t = k p (the ends of whole periods); ``transient``
    adds the term b/t to the fit (see :func:`fit`); ``x0`` -- the initial point, as
    :func:`adamlab.numerics.simulate.run` takes it (default: the problem's)."""
    period = check_period(period, T)
    seeds = [int(s) for s in seeds]
    res = simulate.run(problem, opt, T=T, runs=len(seeds), seed=seeds,
                       problem_params=problem_params, progress=False, x0=x0)
    t = np.asarray(res.stats["t"], dtype=float)
    Rp = np.asarray(res.stats["regret_prefix"], dtype=float)
    if period is not None:
        keep = np.arange(period - 1, T, period)
        t, Rp = t[keep], Rp[keep]
    idx = np.unique(np.round(np.logspace(0, np.log10(t.size), points)).astype(int) - 1)
    per_seed = []
    for r, s in enumerate(seeds):
        f = fit(t, Rp[:, r], transient)
        f.update(seed=s, theta_T=float(res.theta_final[r, 0]),
                 curve={"t": [int(t[i]) for i in idx],
                        "R_over_t": [float(f"{Rp[i, r] / t[i]:.6g}") for i in idx]})
        per_seed.append(f)
    out = {"problem": problem, "problem_params": dict(problem_params or {}),
           "optimizer": opt.name, "T": T, "engine": res.metadata.get("engine"),
           "seeds": per_seed, "fit_window": FIT_WINDOW}
    if period is not None:
        out.update(period=period, fit_window=FIT_WINDOW + f"; only t = k * {period} (ends of "
                                                           f"whole periods)")
    if transient:
        out["fit_window"] = out["fit_window"].replace("L + c t^(-1/2)", FIT_TRANSIENT)
    if x0 is not None:
        out["x0"] = np.asarray(x0, dtype=float).tolist()
    return out


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


def sqrt_rate(cur: dict) -> bool:
    """Rule "sqrt-rate" (see the module docs)."""
    return decreasing(cur) and all(s["loglog_slope"] <= SQRT_RATE["slope_at_most"]
                                   for s in cur["seeds"])


_RULE_FNS: dict[str, Callable[[dict], bool]] = {"linear": not_to_zero, "sublinear": to_zero,
                                                "decreasing": decreasing,
                                                "sqrt-rate": sqrt_rate}


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


#: the curves of the simulations played in this process (oldest dropped first)
_PLAYED: dict[str, dict[str, Any]] = {}
_PLAYED_MAX = 64


@dataclass(frozen=True)
class Simulation:
    """One set of runs and what the claim says about it (see the module docs).

    ``problem`` -- a problem name (:func:`adamlab.numerics.problems.names`) with
    ``problem_params``; ``optimizer`` -- a registry name with ``hyper`` (values as
    :func:`~adamlab.numerics.optimizers.make` takes them, schedules included);
    ``expect`` -- a regret rule of :data:`RULES` or None; ``theta`` -- an iterate rule
    ``(x, how, tol)`` with ``how`` in :data:`THETA_RULES`, or None; ``seeds``; ``label``
    -- how the summary names it; ``period`` -- read the regret only at the ends of whole
    periods (see the module docs); ``transient`` -- fit a one-off transient b as well
    (:func:`fit`); ``x0`` -- the initial point, a tuple of d numbers (default: the
    problem's, 0 projected onto F); ``meta`` -- what the evidence should say about this
    instance (JSON values: e.g. the grid point and the construction's constants)."""

    problem: str
    optimizer: str
    hyper: Mapping[str, Any] = field(default_factory=dict)
    expect: str | None = None
    theta: tuple[float, str, float] | None = None
    problem_params: Mapping[str, Any] = field(default_factory=dict)
    seeds: tuple[int, ...] = (0,)
    label: str = ""
    period: int | None = None
    transient: bool = False
    x0: tuple[float, ...] | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)

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
        check_period(self.period)
        if not isinstance(self.transient, bool):
            raise TypeError(f"transient must be True or False; got {self.transient!r}")
        if self.x0 is not None and not (
                isinstance(self.x0, tuple) and self.x0 and all(
                    isinstance(v, (int, float)) and not isinstance(v, bool)
                    and np.isfinite(v) for v in self.x0)):
            raise TypeError(f"x0 must be a non-empty tuple of finite numbers or None; got "
                            f"{self.x0!r}")
        if not isinstance(self.meta, Mapping):
            raise TypeError(f"meta must be a mapping; got {type(self.meta).__name__}")

    @property
    def name(self) -> str:
        return self.label or f"{self.optimizer} on {self.problem}"

    def play(self, T: int) -> dict[str, Any]:
        """The curves of :func:`curves_of` for horizon T, with this simulation's label.
        The runs depend only on the game, the optimizer, T and the seeds -- not on the
        rules -- so parts that judge the same runs by different rules share them
        (:data:`_PLAYED`, a copy each time)."""
        key = json.dumps([self.problem, self.optimizer, to_jsonable(dict(self.hyper)), T,
                          self.seeds, to_jsonable(dict(self.problem_params)), self.period,
                          self.transient, self.x0], sort_keys=True, default=repr)
        if key not in _PLAYED:
            if len(_PLAYED) >= _PLAYED_MAX:
                _PLAYED.pop(next(iter(_PLAYED)))
            _PLAYED[key] = curves_of(
                self.problem, optimizers.make(self.optimizer, **dict(self.hyper)), T,
                self.seeds, dict(self.problem_params), period=self.period,
                transient=self.transient,
                x0=None if self.x0 is None else np.array(self.x0, dtype=float))
        cur = copy.deepcopy(_PLAYED[key])
        cur["label"] = self.name
        if self.meta:
            cur["meta"] = dict(self.meta)
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


def grid_rows(sims, results) -> list[dict[str, Any]]:
    """One row per simulation for a grid claim: its ``meta``, whether its rules hold, and
    over its seeds the smallest fitted limit and R(T)/T (regret rule) and the smallest
    and largest theta_T and gap |theta_T - x| (iterate rule)."""
    rows = []
    for sim, (hold, cur, _) in zip(sims, results):
        row = {"label": sim.name, **dict(sim.meta), "holds": bool(hold)}
        if sim.expect is not None:
            row.update(rule=sim.expect,
                       fitted_limit_min=min(s["fitted_limit"] for s in cur["seeds"]),
                       R_T_over_T_min=min(s["avg_regret_T"] for s in cur["seeds"]))
        if sim.theta is not None:
            thetas = [s["theta_T"] for s in cur["seeds"]]
            row.update(theta_rule=cur["rule"]["theta"], theta_T_min=min(thetas),
                       theta_T_max=max(thetas),
                       theta_gap_min=min(abs(v - sim.theta[0]) for v in thetas))
        rows.append(row)
    return rows


def grid_line(sims, rows) -> str:
    """The ranges over a grid's rows (:func:`grid_rows`), for a one-line summary."""
    parts = []
    reg = [r for r in rows if "fitted_limit_min" in r]
    if reg:
        rules = ", ".join(sorted({r["rule"] for r in reg}))
        L = _span([r["fitted_limit_min"] for r in reg], ".3g")
        RT = _span([r["R_T_over_T_min"] for r in reg], ".3g")
        parts.append(f"fitted limit L of R(t)/t {L}, R(T)/T {RT} ({rules}: "
                     f"{sum(r['holds'] for r in reg)} of {len(reg)})")
    its = [(s, r) for s, r in zip(sims, rows) if "theta_gap_min" in r]
    if its:
        s0, r0 = min(its, key=lambda sr: sr[1]["theta_gap_min"] - sr[0].theta[2])
        thetas = [r["theta_T_min"] for _, r in its] + [r["theta_T_max"] for _, r in its]
        parts.append(f"theta_T {_span(thetas, '.3g')}, smallest gap {_dist(s0.theta[0])} = "
                     f"{r0['theta_gap_min']:.3g} ({s0.theta[1]} {s0.theta[2]:g}: "
                     f"{sum(r['holds'] for _, r in its)} of {len(its)})")
    return "; ".join(parts)


SUMMARIES = ("each", "grid")


@dataclass(frozen=True)
class Asymptotic(Method):
    """Decide a claim by :class:`Simulation` s: "verified" when every rule holds at the
    horizon ``T`` (``T_thorough`` with ``--thorough``), else "pending" with the numbers.
    ``thorough`` replaces ``simulations`` under ``--thorough`` when given.
    ``summary="grid"`` (for a family of instances) adds a row per simulation to the
    evidence and condenses the summary (see the module docs); ``about`` is added to the
    evidence as it is (JSON values)."""

    simulations: tuple[Simulation, ...]
    T: int = 10**6
    T_thorough: int = 10**7
    thorough: tuple[Simulation, ...] | None = None
    kind: str = "asymptotic"
    summary: str = "each"
    about: Mapping[str, Any] | None = None

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
        if self.summary not in SUMMARIES:
            raise ValueError(f"summary must be one of {SUMMARIES}; got {self.summary!r}")
        if self.about is not None and not isinstance(self.about, Mapping):
            raise TypeError(f"about must be a mapping or None; got "
                            f"{type(self.about).__name__}")

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
        if self.about is not None:
            ev["about"] = dict(self.about)
        lines = "; ".join(r[2] for r in results)
        if self.summary == "grid":
            ev["grid"] = rows = grid_rows(sims, results)
            lines = f"seeds {seeds}: {grid_line(sims, rows)}"
        if ok:
            return Verdict(claim.id, "verified",
                           f"verified on {len(sims)} simulations at T = {T:.0e}: {lines}", ev)
        failed = [r[2] for r in results if not r[0]]
        return Verdict(claim.id, "pending",
                       f"undecided at T = {T:.0e}: {len(failed)} of {len(sims)} simulations "
                       f"break their rule: {'; '.join(failed)}", ev)


__all__ = ["Asymptotic", "FIT_TRANSIENT", "FIT_WINDOW", "NOT_ZERO", "RULES", "SUMMARIES",
           "Simulation", "THETA_RULES", "TO_ZERO", "brief", "check_period", "curves_of",
           "decreasing", "fit", "grid_line", "grid_rows", "not_to_zero", "sqrt_rate",
           "to_zero", "SQRT_RATE"]
