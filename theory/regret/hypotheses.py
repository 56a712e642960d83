r"""The hypotheses of the regret bounds as checkable conditions, and what a run satisfies.

A :class:`Hypothesis` is a condition of a theorem (a SymPy relation over the
schema symbols of :mod:`adamlab.theory.regret.quantities`, or a check of the
run's recorded entries); :class:`Applicability` reports, step by step and run
by run, which hypotheses hold, which fail, and which the run does not record
(a schedule is never guessed: ``constants["alpha_schedule"]`` /
``["eta_schedule"]`` say it, when present).  A hypothesis with ``printed=False``
is a condition the published *proof* needs but the statement omits (KB's
telescoping step needs :math:`\Gamma_t \succeq 0`, Reddi et al. §3).

The conditions shared by the bounds of :mod:`adamlab.theory.regret.bounds`:
:math:`\beta < 1`, each paper's :math:`\gamma < 1`, the schedules
:math:`\alpha_t = \alpha/\sqrt t`, :math:`\eta_t = \eta/\sqrt t`,
:math:`\beta_{1,t} = \beta_1\lambda^{t-1}` with :math:`\lambda\in(0,1)`,
:math:`\beta_{1,t}\le\beta_1`, bounded gradients and iterates (the observed
running maxima serve as G, :math:`G_\infty`, D, :math:`D_\infty`), a bounded
domain that the iterates stay in, and :math:`\Gamma_t\succeq0`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import numpy as np
import sympy as sp

from .quantities import SCHEDULES, STATS_SOURCE, Gathered, beta1, beta2, lam, latex


@dataclass(frozen=True)
class Hypothesis:
    r"""A checkable condition of a theorem.

    ``relation`` is a SymPy relation over the schema symbols (for
    :meth:`latex`, and evaluated on a run when ``check`` is None);
    ``check(gathered)`` returns a boolean array (T, R)/(T,) -- "holds at step t"
    -- or None when the run does not record what it needs.  ``printed`` is
    False for a condition that the published *proof* uses but the statement
    omits (reported separately by :class:`Applicability`).
    """

    name: str
    text: str
    relation: Any = None
    check: Callable[[Gathered], np.ndarray | None] | None = None
    needs: Mapping[sp.Symbol, tuple[str, str]] = field(default_factory=dict)
    optional: tuple[str, ...] = ()
    printed: bool = True
    tex: str | None = None

    def latex(self) -> str:
        """``tex`` when given, else the relation's LaTeX."""
        if self.tex is not None:
            return self.tex
        if self.relation is None:
            raise ValueError(f"hypothesis {self.name!r} has neither tex nor relation")
        return latex(self.relation)

    def evaluate(self, g: Gathered) -> np.ndarray | None:
        """Holds at step t (cumulative: at every step <= t), or None if not recorded."""
        if self.check is not None:
            raw = self.check(g)
        else:
            syms = sorted(self.relation.free_symbols, key=lambda s: s.name)
            fn = sp.lambdify(syms, self.relation, modules="numpy")
            vals = []
            for s in syms:
                kind, key = self.needs.get(s, STATS_SOURCE[s])
                vals.append(g.values[f"{kind}:{key}"])
            with np.errstate(divide="ignore", invalid="ignore"):
                raw = fn(*vals)
        if raw is None:
            return None
        held = np.broadcast_to(np.asarray(raw, dtype=bool), g.shape)
        return np.logical_and.accumulate(held, axis=0)


@dataclass(frozen=True)
class Applicability:
    r"""Which hypotheses of a bound a run satisfies, step by step.

    ``status[name]`` is a boolean array of the bound's output shape (True at
    step t when the hypothesis held at every step <= t) or None when the run
    does not record it; ``printed`` names the hypotheses of the statement as
    printed, the others are conditions the published proof needs.
    """

    claim_id: str
    status: dict[str, np.ndarray | None]
    texts: dict[str, str]
    printed: tuple[str, ...]

    def _combine(self, names) -> np.ndarray:
        arrs = [self.status[n] for n in names if self.status[n] is not None]
        if not arrs:
            raise ValueError("no hypothesis could be evaluated")
        return np.logical_and.reduce(arrs)

    @property
    def applies(self) -> np.ndarray:
        """Every recorded printed hypothesis holds (per step and run)."""
        return self._combine(self.printed)

    @property
    def proof_applies(self) -> np.ndarray:
        """Also the conditions the published proof needs beyond the statement."""
        return self._combine(self.status)

    @property
    def unknown(self) -> list[str]:
        """Hypotheses the run does not record (neither confirmed nor refuted)."""
        return [n for n, v in self.status.items() if v is None]

    def failed(self, run: int | None = None) -> list[str]:
        """Hypotheses that fail by the last step (of run ``run`` when there are runs)."""
        out = []
        for n, v in self.status.items():
            if v is None:
                continue
            last = v[-1] if run is None or v.ndim == 1 else v[-1, run]
            if not np.all(last):
                out.append(n)
        return out

    def summary(self) -> str:
        bad = self.failed()
        return (f"{self.claim_id}: " + ("all recorded hypotheses hold" if not bad else
                                        "fails " + "; ".join(f"{n} ({self.texts[n]})"
                                                             for n in bad))
                + (f"; not recorded: {', '.join(self.unknown)}" if self.unknown else ""))


# ---- reusable hypothesis checks -----------------------------------------------------------------
def schedule_check(key: str, want: str = "inverse_sqrt"):
    """``constants[key]`` (optional, outside the schema) says which schedule was used."""
    def check(g: Gathered):
        value = g.raw_constants.get(key)
        if value is None:
            return None
        vals = np.atleast_1d(np.asarray(value, dtype=object))
        for v in vals:
            if v not in SCHEDULES:
                raise ValueError(f"constants[{key!r}] must be one of {SCHEDULES}; got {v!r}")
        ok = np.array([v == want for v in vals], dtype=bool)
        return ok if g.runs is not None and ok.size == g.runs else bool(ok.all())
    return check


def present_check(kind: str, key: str):
    """True when the run records ``kind[key]`` (e.g. ``lam``: beta1 decays)."""
    def check(g: Gathered):
        return f"{kind}:{key}" in g.values
    return check


def within_domain_check(observed: str, domain: str, rtol: float = 1e-9):
    """The observed spread stays within the domain's diameter (the iterates lie in F)."""
    def check(g: Gathered):
        a, b = g.values.get(f"stats:{observed}"), g.values.get(f"constants:{domain}")
        if a is None or b is None:
            return None
        return a <= b * (1 + rtol)
    return check


def close_check(sym_a: str, expr_b: Callable[[Gathered], np.ndarray | None], rtol=1e-9):
    """``constants[sym_a]`` equals ``expr_b(g)`` to a relative ``rtol``."""
    def check(g: Gathered):
        a, b = g.values.get(f"constants:{sym_a}"), expr_b(g)
        if a is None or b is None:
            return None
        return np.abs(a - b) <= rtol * np.abs(b)
    return check


# ---- hypotheses shared by the bounds ------------------------------------------------------------
_B = {beta1: STATS_SOURCE[beta1], beta2: STATS_SOURCE[beta2]}


def beta_lt_one(sym):
    """beta < 1 (beta >= 0 is an input check of the quantities)."""
    return Hypothesis(f"{sym.name}<1", f"{sym.name} in [0, 1)", sp.Lt(sym, 1),
                      needs={sym: STATS_SOURCE[sym]})


def gamma_lt_one(expr, text):
    """A paper's own gamma < 1 (``expr`` in beta1, beta2)."""
    return Hypothesis("gamma<1", text, sp.Lt(expr, 1), needs=_B)


def _lam_in_01(g: Gathered):
    lv = g.values.get("constants:lam")
    return False if lv is None else (lv > 0) & (lv < 1)


H_LAMBDA = Hypothesis("beta1 decay", "b1_t = b1 lambda^(t-1), lambda in (0, 1) (needs "
                      "constants['lam'])", sp.And(sp.Gt(lam, 0), sp.Lt(lam, 1)),
                      check=_lam_in_01, optional=("lam",),
                      tex=r"\beta_{1,t} = \beta_1\lambda^{t-1},\ 0 < \lambda < 1")
H_ALPHA = Hypothesis("alpha_t = alpha/sqrt(t)", "alpha_t = alpha/sqrt(t) (constants["
                     "'alpha_schedule'] == 'inverse_sqrt')", check=schedule_check(
                         "alpha_schedule"), optional=("alpha_schedule",),
                     tex=r"\alpha_t = \alpha/\sqrt{t}")
H_ETA = Hypothesis("eta_t = eta/sqrt(t)", "eta_t = eta/sqrt(t) (constants['eta_schedule'] == "
                   "'inverse_sqrt')", check=schedule_check("eta_schedule"),
                   optional=("eta_schedule",), tex=r"\eta_t = \eta/\sqrt{t}")
H_GRADS = Hypothesis("bounded gradients", "||g_t||_2 <= G, ||g_t||_inf <= G_inf (the observed "
                     "running maxima are used)", check=lambda g: True,
                     tex=r"\lVert g_t\rVert_2 \le G,\ \lVert g_t\rVert_\infty \le G_{\infty}")
H_ITERATES = Hypothesis("bounded iterates", "||theta_n - theta_m||_2 <= D, ||theta_n - theta_m||_inf "
                        "<= D_inf (the observed spreads are used)", check=lambda g: True,
                        tex=r"\lVert\theta_n-\theta_m\rVert_2 \le D,\ "
                            r"\lVert\theta_n-\theta_m\rVert_\infty \le D_{\infty}")
H_B1T = Hypothesis("b1_t <= b1", "b1_t <= b1 (constant, or decayed with lambda <= 1)",
                   check=lambda g: True, tex=r"\beta_{1,t} \le \beta_1")
H_PSD = Hypothesis("Gamma_t PSD", "Gamma_t = sqrt(vhat_t)/alpha_t - sqrt(vhat_(t-1))/alpha_(t-1) "
                   ">= 0 (the telescoping step of KB's proof needs it; not in the statement)",
                   check=lambda g: (g.values["stats:gamma_min_eig"] >= 0
                                    if "stats:gamma_min_eig" in g.values else None),
                   optional=("gamma_min_eig",), printed=False, tex=r"\Gamma_t \succeq 0")


def bounded_domain(diam_2: bool, diam_inf: bool):
    """F is bounded (its diameters are recorded) and the observed spreads stay within them."""
    def check(g: Gathered):
        out = True
        for flag, obs, dom in ((diam_2, "D", "D_domain"), (diam_inf, "D_inf", "D_inf_domain")):
            if flag:
                if f"constants:{dom}" not in g.values:
                    return False
                res = within_domain_check(obs, dom)(g)
                if res is None:
                    return None
                out = out & res
        return out
    names = " and ".join(n for f, n in ((diam_2, "D_domain"), (diam_inf, "D_inf_domain")) if f)
    return Hypothesis("bounded domain", f"F is bounded ({names} given) and the iterates stay "
                      f"in it (observed spread <= diameter)", check=check,
                      optional=tuple(x for f, xs in ((diam_2, ("D", "D_domain")),
                                                     (diam_inf, ("D_inf", "D_inf_domain")))
                                     if f for x in xs),
                      tex=r"\theta_t \in F,\ " + r",\ ".join(
                          t for f, t in ((diam_2, r"\operatorname{diam}_2 F = D"),
                                         (diam_inf, r"\operatorname{diam}_\infty F = D_{\infty}"))
                          if f))


__all__ = ["Applicability", "H_ALPHA", "H_B1T", "H_ETA", "H_GRADS", "H_ITERATES", "H_LAMBDA",
           "H_PSD", "Hypothesis", "beta_lt_one", "bounded_domain", "close_check", "gamma_lt_one",
           "present_check", "schedule_check", "within_domain_check"]
