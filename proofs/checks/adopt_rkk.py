r"""ADOPT on Reddi, Kale & Kumar's counterexample families, over a grid of :math:`\beta_2`.

The claim (:mod:`adamlab.proofs.claims.adopt`): ADOPT "can converge with any
:math:`\beta_2`" (Taniguchi et al., NeurIPS 2024, title and abstract).  Its checkable
reading here: the problems that defeat Adam -- RKK's Theorem 3 (stochastic) and
Theorem 2 (online) constructions of :mod:`.rkk_family`, built at :math:`\beta_1 = 0`
(:data:`CONSTRUCTION_B1`) and each :math:`\beta_2` of the grid (valid for every
:math:`\beta_2 \in (0, 1)`, since :math:`0 < \sqrt{\beta_2}`), so that Adam with
:math:`(0, \beta_2)` provably fails on them -- are played by the registry's ADOPT
(``"adopt"``, unclipped Algorithm 1) with the authors' defaults :math:`\beta_1 = 0.9`
and :math:`\epsilon = 10^{-6}` (under ``--thorough`` also with :math:`\beta_1 = 0`,
Adam's own hyperparameters), the same :math:`\beta_2` and :math:`\alpha_t =
\alpha/\sqrt t`:

* **stochastic** (Theorem 3's :math:`f_t(x) = Cx` with probability :math:`p`, :math:`-x`
  otherwise, on :math:`[-1, 1]`; :math:`\mathbb E f_t(x) = x`, optimum :math:`x^* = -1`;
  from :math:`\theta_1 = 0`): the last iterate within :data:`NEAR_TOL` of :math:`-1` in
  every seed (the lower quarter of F, the mirror image of ``rkk.thm3``'s failure rule)
  and :math:`R(T)/T` below its value near T/10 (rule "decreasing");
* **online** (Theorem 2's period-C game, scaled by s as in :mod:`.rkk_family`, so that
  Adam's average regret there tends to :math:`2s/C \in [1, 2)`): rule "sublinear" --
  fitted limit of :math:`R(t)/t` within 0.02 of 0, log-log slope of :math:`R` at most
  0.85, :math:`R(T)/T` decreasing -- read at the ends of whole periods, from
  :math:`x_1 = 1` (where Adam ends up).

Contrast (reported, not counted): Adam (Kingma & Ba's, bias-corrected) with
:math:`(\beta_1, \beta_2) = (0, \beta_2)`, the same :math:`\epsilon` and
:math:`\alpha_t` on the same problems, with the failure rules of ``rkk.thm3`` (at least
1.5 from :math:`-1`) and ``rkk.thm2`` (linear regret).  A second reading: the clipped
ADOPT (``clip=True``, :math:`c_s = s^{1/4}`: the revised paper and the authors' code
since Nov. 22, 2024) on the stochastic problem, :data:`CLIPPED_B2S` by default.  Its
clip caps the normalized large gradient :math:`C/\sqrt{v_{s-1}}` (about C) at
:math:`s^{1/4}`, far below C for :math:`s \ll C^4`, and in that window the clipped
expected step can point away from the optimum, as Adam's does; once :math:`s \ge C^4`
(:func:`clip_inactive_after`) the clip never binds and the rule is unclipped ADOPT's.

Why the grid stops where it does: ADOPT's step after the large gradient C is about
:math:`\alpha_t C/\max(\sqrt{v_{t-1}}, \epsilon)` with :math:`v_{t-1}` near 1, which
throws the iterate across :math:`[-1, 1]` while :math:`\alpha C/\sqrt t \gtrsim 1`,
i.e. for about :math:`(\alpha C)^2` steps (:func:`transient_steps`); the construction's
C grows like :math:`\log(1/(1-\beta_2))/(1-\beta_2)` (:func:`.rkk_family.thm2_period`),
so that transient is about :math:`10^6` steps at :math:`\beta_2 = 0.99` and
:math:`2\cdot 10^8` at 0.999 (stochastic, :math:`\alpha = 1/2`).  The default grid
(:data:`B2S`, horizons :data:`HORIZONS`) ends at 0.9; ``--thorough`` adds 0.01, and 0.99
on the stochastic problem (T = :math:`10^7`).  These are asymptotic statements:
"verified" on the stated grid, horizon and seeds, never "proved"; a finite run cannot
refute them, so a rule that fails leaves its part pending.
"""
from __future__ import annotations

from typing import Any

from adamlab.numerics.optimizers.schedules import InverseSqrt

from ..methods.asymptotic import Asymptotic, Simulation
from . import rkk_family

BETA1 = 0.9
"""ADOPT's beta1: the authors' default (their code's ``betas=(0.9, 0.9999)``)."""
EPS = 1e-6
"""ADOPT's epsilon, a floor on sqrt(v): the authors' default (> 0)."""
B2S = (0.1, 0.5, 0.9)
THOROUGH_B2S = (0.01, 0.1, 0.5, 0.9, 0.99)
THOROUGH_ONLINE_B2S = (0.01, 0.1, 0.5, 0.9)
CLIPPED_B2S = (0.9,)
BETA1S_THOROUGH = (0.9, 0.0)
ALPHAS = (0.5,)
THOROUGH_ALPHAS = (0.1, 0.5)
SEEDS = (0, 1, 2, 3)
THOROUGH_SEEDS = (0, 1, 2, 3)         # T = 1e7 each: 4 seeds keep --thorough to minutes
HORIZONS = {"stochastic": (100_000, 10**7), "online": (200_000, 10**7),
            "clipped": (100_000, 10**7), "adam-stochastic": (20_000, 10**6),
            "adam-online": (20_000, 10**6), "stochastic-rate": (100_000, 10**7),
            "online-rate": (200_000, 10**7)}
"""Each part's horizon T: (default, ``--thorough``)."""
NEAR_TOL = 0.5
"""Stochastic rule: |theta_(T+1) + 1| <= NEAR_TOL in every seed -- the last iterate in the
lower quarter of F = [-1, 1], the mirror image of rkk.thm3's failure rule (>= 1.5, the
upper quarter) -- and R(T)/T below its value near T/10."""
CONSTRUCTION_B1 = 0.0
"""The beta1 at which RKK's problems are built (Adam with it fails on them)."""


def _hyper(name: str, alpha: float, b1: float, b2: float, clip: bool = False) -> dict:
    lr = InverseSqrt(alpha)
    if name == "adopt":
        return dict(lr=lr, betas=(b1, b2), eps=EPS, clip=clip)
    return dict(lr=lr, betas=(b1, b2), eps=EPS)          # Adam (Kingma & Ba), same eps


def _grid(thorough: bool, optimizer: str, b2s=None, narrow: bool = False):
    """(b2, alpha, b1) of the runs: ADOPT at its beta1s, the contrast Adam at (0, b2);
    ``narrow``: the default alpha and ADOPT's default beta1 only."""
    b2s = b2s or (THOROUGH_B2S if thorough else B2S)
    alphas = THOROUGH_ALPHAS if thorough and not narrow else ALPHAS
    b1s = ((BETA1S_THOROUGH if thorough and not narrow else (BETA1,))
           if optimizer == "adopt" else (CONSTRUCTION_B1,))
    return [(b2, a, b1) for b2 in b2s for a in alphas for b1 in b1s]


def _meta(prob: dict, b1: float, who: str, keys) -> dict[str, Any]:
    out = {k: prob[k] for k in keys}
    out.update(b1_optimizer=b1, b1_construction=CONSTRUCTION_B1, optimizer=who)
    return out


def _check_optimizer(optimizer: str) -> str:
    if optimizer not in ("adopt", "adam"):
        raise ValueError(f"optimizer must be 'adopt' or 'adam'; got {optimizer!r}")
    return optimizer


def stochastic(thorough: bool, optimizer: str = "adopt", clip: bool = False, b2s=None,
               narrow: bool = False, rate: bool = False) -> tuple[Simulation, ...]:
    """RKK Thm 3's problems at (0, b2) over the grid (or ``b2s``): ADOPT (``clip`` as
    given) with the rules "near -1" (:data:`NEAR_TOL`) and "decreasing" -- or, with
    ``rate``, the rule "sqrt-rate" alone (the claimed O(1/sqrt(T)) average regret) -- or
    the contrast ``optimizer="adam"`` at (0, b2) with the rule "far from -1"
    (:data:`.rkk_family.THETA_TOL`)."""
    _check_optimizer(optimizer)
    seeds = THOROUGH_SEEDS if thorough else SEEDS
    who = f"{optimizer}{' clipped' if clip else ''}"
    if optimizer == "adopt" and rate:
        expect, theta = "sqrt-rate", None
    elif optimizer == "adopt":
        expect, theta = "decreasing", (-1.0, "near", NEAR_TOL)
    else:
        expect, theta = None, (-1.0, "far", rkk_family.THETA_TOL)
    out = []
    for b2, alpha, b1 in _grid(thorough, optimizer, b2s, narrow):
        prob = rkk_family.thm3_problem(CONSTRUCTION_B1, b2, alpha)
        out.append(Simulation(
            prob["problem"], optimizer, _hyper(optimizer, alpha, b1, b2, clip), expect,
            theta=theta, problem_params=prob["problem_params"], seeds=seeds,
            label=f"{who}, b1 = {b1:g}, b2 = {b2:g}, alpha = {alpha:g}, C = {prob['C']}",
            meta=_meta(prob, b1, who, ("b2", "alpha", "C", "C2", "prob"))))
    return tuple(out)


def online(thorough: bool, optimizer: str = "adopt", rate: bool = False
           ) -> tuple[Simulation, ...]:
    """RKK Thm 2's problems at (0, b2) over the grid: ADOPT with the rule "sublinear" (or
    "sqrt-rate" with ``rate``), or the contrast ``optimizer="adam"`` at (0, b2) with the
    rule "linear"; read at the ends of whole periods, with a transient, from x_1 = 1 (as
    ``rkk.thm2``)."""
    _check_optimizer(optimizer)
    out = []
    for b2, alpha, b1 in _grid(thorough, optimizer, THOROUGH_ONLINE_B2S if thorough else B2S):
        prob = rkk_family.thm2_problem(CONSTRUCTION_B1, b2, alpha)
        out.append(Simulation(
            prob["problem"], optimizer, _hyper(optimizer, alpha, b1, b2),
            ("sqrt-rate" if rate else "sublinear") if optimizer == "adopt" else "linear",
            problem_params=prob["problem_params"], seeds=(0,),
            label=f"{optimizer}, b1 = {b1:g}, b2 = {b2:g}, alpha = {alpha:g}, "
                  f"C = {prob['C']}",
            period=prob["C"], transient=True, x0=(rkk_family.X1,),
            meta=_meta(prob, b1, optimizer, ("b2", "alpha", "C", "scale",
                                              "limit_at_plus_1"))))
    return tuple(out)


def transient_steps(b2: float, alpha: float, theorem: int = 3) -> float:
    r""":math:`(\alpha C)^2`: about how many steps ADOPT's iterate is still thrown across
    :math:`[-1, 1]` by the construction's large gradient C at :math:`(0, \beta_2)` (module
    docs); C of Theorem 3 (stochastic) or Theorem 2 (online, unscaled)."""
    prob = (rkk_family.thm3_problem if theorem == 3 else rkk_family.thm2_problem)(
        CONSTRUCTION_B1, b2, alpha)
    return float((alpha * prob["C"]) ** 2)


def clip_inactive_after(b2: float, alpha: float) -> float:
    r"""The paper's step s from which the clip :math:`c_s = s^{1/4}` no longer binds on
    Theorem 3's problem at :math:`(0, \beta_2)`: every gradient has :math:`|g| \ge 1`, so
    :math:`v_{s-1} \ge 1` and :math:`|g_s|/\max(\sqrt{v_{s-1}}, \epsilon) \le C`; the clip
    is inactive once :math:`s^{1/4} \ge C`, i.e. :math:`s \ge C^4`."""
    return float(rkk_family.thm3_problem(CONSTRUCTION_B1, b2, alpha)["C"]) ** 4


def method(part: str) -> Asymptotic:
    """The :class:`Asymptotic` method of a part, with its horizons (:data:`HORIZONS`):
    ``"stochastic"``, ``"online"`` (ADOPT, unclipped; ``"stochastic-rate"``,
    ``"online-rate"``: the same runs judged by the rule "sqrt-rate"), ``"clipped"`` (ADOPT with
    clip=True on the stochastic problems; default grid :data:`CLIPPED_B2S`),
    ``"adam-stochastic"``, ``"adam-online"`` (the contrast)."""
    build = {"stochastic": lambda th: stochastic(th),
             "online": lambda th: online(th),
             "stochastic-rate": lambda th: stochastic(th, rate=True),
             "online-rate": lambda th: online(th, rate=True),
             "clipped": lambda th: stochastic(th, clip=True, narrow=True,
                                              b2s=None if th else CLIPPED_B2S),
             "adam-stochastic": lambda th: stochastic(th, "adam"),
             "adam-online": lambda th: online(th, "adam")}
    if part not in build:
        raise ValueError(f"part must be one of {tuple(build)}; got {part!r}")
    T, T_thorough = HORIZONS[part]
    return Asymptotic(build[part](False), T=T, T_thorough=T_thorough,
                      thorough=build[part](True), summary="grid", about=about(part))


def _optimizer_text(part: str) -> str:
    if part.startswith("adam"):
        return (f"registry 'adam' (Kingma & Ba, bias-corrected), (b1, b2) = "
                f"({CONSTRUCTION_B1:g}, b2), eps = {EPS:g}, alpha_t = alpha/sqrt(t)")
    clip = "on (c_s = s^(1/4))" if part == "clipped" else "off"
    return (f"registry 'adopt' (Algorithm 1: v_0 = g_0^2; g_t normalized by "
            f"max(sqrt(v_(t-1)), eps) before the momentum), eps = {EPS:g}, alpha_t = "
            f"alpha/sqrt(t), clip {clip}")


def about(part: str) -> dict[str, Any]:
    """What the evidence says about the problems, grids and transients."""
    theorem = 2 if part.endswith("online") else 3
    T, T_thorough = HORIZONS[part]
    b2s = CLIPPED_B2S if part == "clipped" else B2S
    narrow = part == "clipped"
    grids = {"default": {"b2": list(b2s), "b1 (ADOPT)": [BETA1], "alpha": list(ALPHAS),
                         "seeds": list(SEEDS) if theorem == 3 else [0], "T": T},
             "thorough": {"b2": list(THOROUGH_ONLINE_B2S if theorem == 2 else
                                     THOROUGH_B2S),
                          "b1 (ADOPT)": [BETA1] if narrow else list(BETA1S_THOROUGH),
                          "alpha": list(ALPHAS if narrow else THOROUGH_ALPHAS),
                          "seeds": list(THOROUGH_SEEDS) if theorem == 3 else [0],
                          "T": T_thorough}}
    return {"source": "Taniguchi et al., NeurIPS 2024 (arXiv:2411.02853), title and "
                      "abstract; problems: Reddi, Kale & Kumar, ICLR 2018, Theorem "
                      f"{theorem}'s construction at (b1, b2) = ({CONSTRUCTION_B1:g}, b2) "
                      f"(rkk_family.thm{theorem}_problem)",
            "optimizer": _optimizer_text(part),
            "transient (alpha C)^2 at alpha = 0.5": {
                f"{b2:g}": float(f"{transient_steps(b2, 0.5, theorem):.3g}")
                for b2 in THOROUGH_B2S + (0.999,)},
            **({"clip inactive from s = C^4": {
                f"{b2:g}": float(f"{clip_inactive_after(b2, 0.5):.3g}")
                for b2 in THOROUGH_B2S}} if part == "clipped" else {}),
            "grid": grids}


__all__ = ["ALPHAS", "B2S", "BETA1", "BETA1S_THOROUGH", "CLIPPED_B2S", "CONSTRUCTION_B1",
           "EPS", "HORIZONS", "NEAR_TOL", "SEEDS", "THOROUGH_ALPHAS", "THOROUGH_B2S",
           "THOROUGH_ONLINE_B2S", "THOROUGH_SEEDS", "about", "clip_inactive_after",
           "method", "online", "stochastic", "transient_steps"]
