r"""The named quantities of the regret bounds, and how a run's statistics feed them.

Every symbol here is named after the entry of the *run-statistics schema*
that supplies it (the contract between :mod:`adamlab.numerics` and
:mod:`adamlab.theory`; theory never imports numerics):

``stats`` -- a mapping of NumPy arrays, each (T, R) (row t-1: the value after
step t, one column per run) or (T,) for a single run:

=============================  ===========================================================
``t``                          the step, 1..T (T,) -- the symbol :data:`T` row by row
``G``, ``G_inf``               :math:`\max_{s\le t}\lVert g_s\rVert_2`, :math:`\lVert\cdot\rVert_\infty`
``D``, ``D_inf``               observed spread of the iterates (2- and inf-norm)
``sum_g_norm``                 :math:`\sum_{i=1}^d \lVert g_{1:t,i}\rVert_2`
``sum_sqrt_t_vhat``            :math:`\sum_{i=1}^d \sqrt{t\,\hat v_{t,i}}`
``sum_vhat_sqrt``              :math:`\sum_{i=1}^d \hat v_{t,i}^{1/2}`
``sum_b1t_vhat_over_alpha``    :math:`\sum_{s\le t}\sum_i \beta_{1,s}\hat v_{s,i}^{1/2}/\alpha_s`
``gamma_min_eig``              :math:`\min_i \Gamma_{t,i}` (Reddi et al. §3; >= 0: PSD)
=============================  ===========================================================

``constants`` -- scalars or (R,) arrays: ``alpha``, ``beta1``, ``beta2``,
``lam`` (only when :math:`\beta_{1,t} = \beta_1\lambda^{t-1}`), ``eta``,
``d``, ``T``, ``D_domain``, ``D_inf_domain`` (the diameters of F when it is
bounded).  Optional, outside the schema: ``alpha_schedule`` /
``eta_schedule`` (``"inverse_sqrt"`` when the step is
:math:`\alpha/\sqrt t`, ``"constant"`` otherwise); without them the schedule
hypotheses are reported as *not recorded* rather than guessed.

:func:`gather` validates and broadcasts what a bound needs: a missing name, a
wrong shape, a NaN, a negative norm or a beta outside [0, 1] raises
ValueError naming the quantity.  Values that are valid but outside a
theorem (:math:`\gamma \ge 1`, :math:`\beta = 1`, a constant :math:`\beta_1`
where the theorem needs a decay) are *not* errors:
:mod:`adamlab.theory.regret.hypotheses` reports them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np
import sympy as sp

from ..symbols import alpha, beta1, beta2, gamma

# ---- the symbols (names = schema names) --------------------------------------------------------
T = sp.Symbol("T", integer=True, positive=True)
d = sp.Symbol("d", integer=True, positive=True)
D = sp.Symbol("D", nonnegative=True)
D_inf = sp.Symbol("D_inf", nonnegative=True)
G = sp.Symbol("G", nonnegative=True)
G_inf = sp.Symbol("G_inf", nonnegative=True)
lam = sp.Symbol("lam", nonnegative=True)
eta = sp.Symbol("eta", positive=True)
sum_g_norm = sp.Symbol("sum_g_norm", nonnegative=True)
sum_sqrt_t_vhat = sp.Symbol("sum_sqrt_t_vhat", nonnegative=True)
sum_vhat_sqrt = sp.Symbol("sum_vhat_sqrt", nonnegative=True)
sum_b1t_vhat_over_alpha = sp.Symbol("sum_b1t_vhat_over_alpha", nonnegative=True)
gamma_min_eig = sp.Symbol("gamma_min_eig", real=True)
#: the regret :math:`R(T) = \sum_{t\le T} f_t(\theta_t) - \min_{\theta\in F}\sum_{t\le T} f_t(\theta)`,
#: the left side of a regret claim (searched claims: ``R <= bound``)
R = sp.Symbol("R", real=True)

SYMBOLS: dict[str, sp.Symbol] = {s.name: s for s in (
    T, d, D, D_inf, G, G_inf, alpha, beta1, beta2, lam, eta, gamma, sum_g_norm,
    sum_sqrt_t_vhat, sum_vhat_sqrt, sum_b1t_vhat_over_alpha, gamma_min_eig, R)}

LATEX_NAMES: dict[sp.Symbol, str] = {
    T: "T", d: "d", D: "D", D_inf: r"D_{\infty}", G: "G", G_inf: r"G_{\infty}",
    alpha: r"\alpha", beta1: r"\beta_1", beta2: r"\beta_2", lam: r"\lambda", eta: r"\eta",
    gamma: r"\gamma",
    sum_g_norm: r"\sum_{i=1}^{d}\lVert g_{1:T,i}\rVert_2",
    sum_sqrt_t_vhat: r"\sum_{i=1}^{d}\sqrt{T\,\hat v_{T,i}}",
    sum_vhat_sqrt: r"\sum_{i=1}^{d}\hat v_{T,i}^{1/2}",
    sum_b1t_vhat_over_alpha:
        r"\sum_{t=1}^{T}\sum_{i=1}^{d}\frac{\beta_{1,t}\hat v_{t,i}^{1/2}}{\alpha_t}",
    gamma_min_eig: r"\min_i\Gamma_{T,i}",
    R: "R(T)",
}

STATS_NAMES = ("t", "regret", "regret_prefix", "G", "G_inf", "D", "D_inf", "sum_g_norm",
               "sum_sqrt_t_vhat", "sum_vhat_sqrt", "sum_b1t_vhat_over_alpha", "gamma_min_eig")
CONSTANT_NAMES = ("alpha", "beta1", "beta2", "lam", "eta", "d", "T", "D_domain",
                  "D_inf_domain", "alpha_schedule", "eta_schedule")
SCHEDULES = ("inverse_sqrt", "constant")

# where each symbol comes from: ("stats" | "constants", key)
STATS_SOURCE = {T: ("stats", "t"), G: ("stats", "G"), G_inf: ("stats", "G_inf"),
                D: ("stats", "D"), D_inf: ("stats", "D_inf"),
                sum_g_norm: ("stats", "sum_g_norm"),
                sum_sqrt_t_vhat: ("stats", "sum_sqrt_t_vhat"),
                sum_vhat_sqrt: ("stats", "sum_vhat_sqrt"),
                sum_b1t_vhat_over_alpha: ("stats", "sum_b1t_vhat_over_alpha"),
                gamma_min_eig: ("stats", "gamma_min_eig"),
                alpha: ("constants", "alpha"), beta1: ("constants", "beta1"),
                beta2: ("constants", "beta2"), lam: ("constants", "lam"),
                eta: ("constants", "eta"), d: ("constants", "d")}
DOMAIN_SOURCE = {D: ("constants", "D_domain"), D_inf: ("constants", "D_inf_domain")}

# value ranges that make a quantity meaningful (violations are input errors, not hypotheses)
_RANGES: dict[str, tuple[float, float, bool, str]] = {   # low, high, low_open, text
    "G": (0, np.inf, False, ">= 0"), "G_inf": (0, np.inf, False, ">= 0"),
    "D": (0, np.inf, False, ">= 0"), "D_inf": (0, np.inf, False, ">= 0"),
    "sum_g_norm": (0, np.inf, False, ">= 0"), "sum_sqrt_t_vhat": (0, np.inf, False, ">= 0"),
    "sum_vhat_sqrt": (0, np.inf, False, ">= 0"),
    "sum_b1t_vhat_over_alpha": (0, np.inf, False, ">= 0"),
    "gamma_min_eig": (-np.inf, np.inf, False, "finite"),
    "regret": (-np.inf, np.inf, False, "finite"),
    "alpha": (0, np.inf, True, "> 0"), "eta": (0, np.inf, True, "> 0"),
    "beta1": (0, 1, False, "in [0, 1]"), "beta2": (0, 1, False, "in [0, 1]"),
    "lam": (0, 1, False, "in [0, 1]"), "d": (1, np.inf, False, "a positive integer"),
    "T": (1, np.inf, False, "a positive integer"),
    "D_domain": (0, np.inf, True, "> 0 and finite"),
    "D_inf_domain": (0, np.inf, True, "> 0 and finite"),
}


def latex(expr) -> str:
    """LaTeX of a bound expression with the schema symbols written as in the papers."""
    return sp.latex(expr, symbol_names=LATEX_NAMES)


@dataclass(frozen=True)
class Gathered:
    """Validated arrays, broadcast for evaluation: (T, 1) / (1, R) / (T, R) (or (T,))."""

    values: dict[str, np.ndarray]
    steps: int
    runs: int | None          # None: single run, results have shape (T,)
    raw_constants: Mapping[str, Any]

    @property
    def shape(self) -> tuple[int, ...]:
        return (self.steps,) if self.runs is None else (self.steps, self.runs)

    def full(self, x) -> np.ndarray:
        return np.broadcast_to(np.asarray(x, dtype=float), self.shape).copy()


def _check_range(kind: str, name: str, arr: np.ndarray) -> None:
    if name not in _RANGES:
        return
    lo, hi, lo_open, text = _RANGES[name]
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{kind}[{name!r}] must be finite (no NaN or inf); it holds "
                         f"{arr[~np.isfinite(arr)].ravel()[:3].tolist()}")
    bad = (arr <= lo) if lo_open else (arr < lo)
    bad = bad | (arr > hi)
    if name in ("d", "T"):
        bad = bad | (arr != np.round(arr))
    if np.any(bad):
        raise ValueError(f"{kind}[{name!r}] must be {text}; got {arr[bad].ravel()[:3].tolist()}")


def _stats_array(stats: Mapping, name: str) -> np.ndarray:
    try:
        arr = np.asarray(stats[name], dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"stats[{name!r}] must be a numeric array: {exc}") from None
    if arr.ndim not in (1, 2):
        raise ValueError(f"stats[{name!r}] must have shape (T,) or (T, R); got {arr.shape}")
    return arr


def _t_axis(stats: Mapping) -> np.ndarray:
    if "t" not in stats:
        raise ValueError("stats is missing 't' (the steps 1..T)")
    tt = np.asarray(stats["t"])
    if tt.ndim != 1 or tt.size == 0:
        raise ValueError(f"stats['t'] must be a non-empty 1-D array of steps; got shape {tt.shape}")
    if not np.all(np.isfinite(tt.astype(float))) or np.any(tt != np.round(tt)) or np.any(tt < 1):
        raise ValueError("stats['t'] must hold positive integer steps")
    if np.any(np.diff(tt) <= 0):
        raise ValueError("stats['t'] must be strictly increasing")
    return tt.astype(float)


def gather(stats: Mapping, constants: Mapping, needs: Mapping[sp.Symbol, tuple[str, str]],
           *, who: str = "the bound", optional: tuple[str, ...] = ()) -> Gathered:
    """Validate and broadcast the entries that ``needs`` maps each symbol to.

    ``optional`` keys (stats or constants) are validated when present and skipped
    when absent.  Raises TypeError for non-mappings, ValueError naming every missing
    entry at once, or the first malformed one.
    """
    if not isinstance(stats, Mapping):
        raise TypeError(f"stats must be a mapping of arrays; got {type(stats).__name__}")
    if not isinstance(constants, Mapping):
        raise TypeError(f"constants must be a mapping; got {type(constants).__name__}")
    tt = _t_axis(stats)
    missing = [f"{kind}[{key!r}]" for kind, key in needs.values()
               if key != "t" and key not in (stats if kind == "stats" else constants)]
    if missing:
        raise ValueError(f"{who} needs {', '.join(sorted(set(missing)))}, which "
                         f"{'is' if len(missing) == 1 else 'are'} missing")
    keys = {(k, n) for k, n in needs.values() if n != "t"}
    keys |= {("stats", n) for n in optional if n in stats}
    keys |= {("constants", n) for n in optional if n in constants and n not in
             ("alpha_schedule", "eta_schedule")}
    runs: int | None = None
    arrays: dict[str, np.ndarray] = {}
    for kind, name in sorted(keys):
        if kind == "stats":
            arr = _stats_array(stats, name)
            if arr.shape[0] != tt.size:
                raise ValueError(f"stats[{name!r}] has {arr.shape[0]} rows but stats['t'] "
                                 f"has {tt.size}")
            r = arr.shape[1] if arr.ndim == 2 else None
        else:
            try:
                arr = np.asarray(constants[name], dtype=float)
            except (TypeError, ValueError) as exc:
                raise ValueError(f"constants[{name!r}] must be a number or an (R,) array: "
                                 f"{exc}") from None
            if arr.ndim > 1:
                raise ValueError(f"constants[{name!r}] must be a scalar or an (R,) array; "
                                 f"got shape {arr.shape}")
            r = arr.shape[0] if arr.ndim == 1 else None
        _check_range(kind, name, arr)
        if r is not None:
            if runs is not None and r != runs:
                raise ValueError(f"{kind}[{name!r}] has {r} runs but another input has {runs}")
            runs = r
        arrays[f"{kind}:{name}"] = arr
    out: dict[str, np.ndarray] = {}
    for key, arr in arrays.items():
        kind, _ = key.split(":")
        if runs is None:
            out[key] = arr
        elif kind == "stats":
            out[key] = arr if arr.ndim == 2 else arr[:, None]
        else:
            out[key] = arr[None, :] if arr.ndim == 1 else arr
    out["stats:t"] = tt if runs is None else tt[:, None]
    return Gathered(out, tt.size, runs, constants)


__all__ = ["CONSTANT_NAMES", "D", "DOMAIN_SOURCE", "R", "D_inf", "G", "G_inf", "Gathered",
           "LATEX_NAMES", "SCHEDULES", "STATS_NAMES", "STATS_SOURCE", "SYMBOLS", "T", "alpha",
           "beta1", "beta2", "d", "eta", "gamma", "gamma_min_eig", "gather", "lam", "latex",
           "sum_b1t_vhat_over_alpha", "sum_g_norm", "sum_sqrt_t_vhat", "sum_vhat_sqrt"]
