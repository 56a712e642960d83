r"""Framework claims: a printed rule replayed on a framework's stored trajectories.

A claim such as "this is the update torch.optim.AdamW and optax.adamw compute" is
decided against the frameworks themselves: their iterates, stored by the scripts in
``tests/reference/`` and shipped in :mod:`adamlab.proofs.references`, never against
adamlab's own optimizers.  For each stored configuration whose framework call is a
:class:`Target`, the printed :class:`~.rules.Rule` is replayed in float64 from the
framework's :math:`\theta_0` on the gradients the framework was given (12 scalar
runs: every method here is coordinate-wise), and compared with the framework's
iterates.

Agreement: :math:`\max_t |\theta^{\text{rule}}_t - \theta^{\text{fw}}_t| \le
\text{rtol}\cdot\max_t|\theta^{\text{fw}}_t|` for every coordinate (rtol
:math:`10^{-10}`, far above float64 rounding over 60 steps and far below any real
difference of rules).  A configuration that disagrees is certified: the worst
coordinate is replayed at 60 digits from the exact binary values of the framework's
inputs (every float64 is a rational), and the difference must exceed
:math:`10^{-6}` relative, which no rounding of the framework can explain.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import mpmath as mp
import numpy as np
import sympy as sp

from .. import references
from ..claim import Method
from ..verdict import Verdict, digits
from .rules import Rule, exact_str, rational

RTOL = 1e-10
CERTIFY_RTOL = 1e-6


@dataclass(frozen=True)
class Target:
    """A framework call (``"torch.optim.AdamW"``, ``"optax.adamw"``) and ``params``, a
    function of the stored configuration's keyword arguments returning the rule's
    parameters (name -> number), or None when the printed rule does not cover that
    configuration (e.g. weight decay the rule does not have)."""

    call: str
    params: Callable[[dict], dict | None]


def _compare(rule: Rule, theta: sp.Symbol, ref, params) -> dict[str, Any]:
    T = ref.grads.shape[0]
    g = ref.grads.reshape(T, -1)
    p = ref.params.reshape(T + 1, -1)
    out = rule.replay_float(params, g, p[0], theta)
    scale = np.maximum(np.abs(p).max(axis=0), 1e-300)
    err = np.abs(out - p).max(axis=0) / scale
    err = np.where(np.isfinite(err), err, np.inf)
    j = int(np.argmax(err))
    return {"config": ref.id, "call": ref.call, "framework_version": ref.version,
            "kwargs": {k: (list(v) if isinstance(v, tuple) else v)
                       for k, v in ref.kwargs.items()},
            "max_rel_diff": float(err.max()),
            "agrees": bool(err.max() <= RTOL), "_worst": j}


def _certify(rule: Rule, theta, ref, params, j: int) -> dict[str, Any] | None:
    """The worst coordinate at 60 digits: the first step whose difference exceeds
    CERTIFY_RTOL relative, as an exact witness."""
    T = ref.grads.shape[0]
    g = ref.grads.reshape(T, -1)[:, j]
    p = ref.params.reshape(T + 1, -1)[:, j]
    start = theta.name + "_0"
    names = {q.name for q in rule.params}
    exact = {k: exact_str(v) for k, v in params.items() if k in names}
    if start in names:
        exact[start] = exact_str(float(p[0]))
    run = rule.replay(exact, T, grads=[float(x) for x in g], dps=60)
    scale = max(abs(float(x)) for x in p)
    for k in range(1, T + 1):
        mine = run["output"][k]
        theirs = mp.mpf(rational(float(p[k])).p) / rational(float(p[k])).q
        if abs(mine - theirs) > CERTIFY_RTOL * scale:
            return {"witness": {"framework": ref.call, "config": ref.id,
                                "params": exact,
                                "grads": [exact_str(float(x)) for x in g[:k]],
                                "step": k,
                                "note": f"coordinate {j} of the stored (3, 4) run; the "
                                        f"framework's iterate is rhs, the printed rule's lhs",
                                "rerun": "Rule.replay(witness['params'], witness['step'], "
                                         "grads=witness['grads'])"},
                    "lhs": digits(mine, 40), "rhs": digits(theirs, 40),
                    "sides": "lhs: the printed rule replayed at 60 digits; rhs: the "
                             "framework's stored float64 iterate"}
    return None


@dataclass(frozen=True)
class FrameworkReplay(Method):
    """Decide "the frameworks of ``targets`` compute ``rule``" (``expect="agrees"``) or
    "they do not" (``"differs"``); ``theta`` is the rule's parameter symbol."""

    rule: Rule
    theta: sp.Symbol
    targets: tuple[Target, ...]
    expect: str = "agrees"
    kind: str = "witness"

    def __post_init__(self):
        if self.expect not in ("agrees", "differs"):
            raise ValueError(f"expect must be 'agrees' or 'differs'; got {self.expect!r}")
        if not self.targets or not all(isinstance(t, Target) for t in self.targets):
            raise TypeError("targets must be a non-empty tuple of Target")

    def describe(self) -> str:
        return f"framework replay ({self.rule.name} on the stored trajectories of " \
               f"{', '.join(t.call for t in self.targets)})"

    def runs(self) -> list[tuple[Any, dict, dict]]:
        """(reference, rule params, comparison) for every covered stored configuration."""
        out = []
        for target in self.targets:
            fw = target.call.split(".")[0]
            for ref in references.load(fw):
                if ref.call != target.call:
                    continue
                params = target.params(dict(ref.kwargs))
                if params is None:
                    continue
                out.append((ref, params, _compare(self.rule, self.theta, ref, params)))
        return out

    def decide(self, claim, thorough: bool = False) -> Verdict:
        runs = self.runs()
        steps = runs[0][0].grads.shape[0] if runs else 0
        rows = [{k: v for k, v in c.items() if not k.startswith("_")} for _, _, c in runs]
        by_call: dict[str, bool] = {}
        for _, _, c in runs:
            by_call[c["call"]] = by_call.get(c["call"], True) and c["agrees"]
        ev: dict[str, Any] = {"rule": self.rule.to_json(), "comparisons": rows,
                              "computes_the_rule": by_call, "tolerance": {
                                  "agree": f"max_t |rule - framework| <= {RTOL:g} max_t "
                                           f"|framework| per coordinate (float64 replay)",
                                  "certified_difference": f"> {CERTIFY_RTOL:g} relative at "
                                                          f"60 digits"},
                              "inputs_covered": f"{len(runs)} stored configurations x 12 "
                                                f"coordinates x {steps} steps"}
        missing = [t.call for t in self.targets if t.call not in by_call]
        if missing:
            return Verdict(claim.id, "pending", f"no stored trajectories cover {missing}", ev)
        names = ", ".join(f"{k} {'computes' if v else 'does not compute'} it"
                          for k, v in by_call.items())
        wrong = [(ref, p, c) for ref, p, c in runs
                 if c["agrees"] != (self.expect == "agrees")]
        if not wrong:
            return Verdict(claim.id, "verified",
                           f"verified against stored trajectories: {names} ({len(runs)} "
                           f"configurations, rtol {RTOL:g})", ev)
        ref, params, c = wrong[0]
        if self.expect == "agrees":
            w = _certify(self.rule, self.theta, ref, params, c["_worst"])
            if w is not None:
                ev.update(w)
                return Verdict(claim.id, "refuted",
                               f"refuted: {names}; {ref.call} ({ref.id}) differs from the "
                               f"printed rule by {c['max_rel_diff']:.3g} relative (certified "
                               f"at 60 digits)", ev)
        return Verdict(claim.id, "pending" if self.expect == "agrees" else "refuted",
                       f"{names} (expected: {self.expect})", ev)


__all__ = ["CERTIFY_RTOL", "FrameworkReplay", "RTOL", "Target"]
