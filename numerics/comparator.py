r"""The best fixed point in hindsight, with a certificate of its accuracy.

Regret :math:`R(T) = \sum_{t\le T} f_t(\theta_t) - \min_{x\in F}\sum_{t\le T} f_t(x)`
is only as good as its comparator.  A :class:`Comparator` holds, for each run,
the point :math:`\theta^*` found, its total loss :math:`F(\theta^*) =
\sum_t f_t(\theta^*)`, the method, and a certificate:

``kkt_residual``
    :math:`\operatorname{dist}_2(-\nabla F(\theta^*), N_F(\theta^*))`, the
    smallest norm of an element of :math:`\partial(F + \iota_F)(\theta^*)`
    (0 exactly at a minimizer);
``duality_gap``
    the Frank--Wolfe gap :math:`\max_{y\in F}\langle\nabla F(\theta^*),
    \theta^* - y\rangle` (bounded F), or, for the LP-solved piecewise-linear
    losses, primal minus a Lagrangian dual value computed from the LP's
    multipliers;
``bound``
    a certified upper bound on :math:`F(\theta^*) - \min_F F`: the duality gap
    when F is bounded, :math:`\rho^2/(2\mu)` for a :math:`\mu`-strongly convex
    total loss (:math:`\rho` the KKT residual), whichever is smaller.

Both bounds follow from convexity: for :math:`s = \nabla F(\theta^*) + n` with
:math:`n \in N_F(\theta^*)`, :math:`F(\theta^*) - F(x) \le \langle s,
\theta^*-x\rangle - \tfrac\mu2\|\theta^*-x\|^2` for every :math:`x \in F`.
Hence the reported regret :math:`\hat R(T)` (computed with :math:`F(\theta^*)`)
satisfies :math:`\hat R(T) \le R(T) \le \hat R(T) + \mathrm{bound}`.  The
bounds are evaluated in float64 and do not include the rounding of the sums
themselves (about :math:`10^{-16}\,T\max_t|f_t|`).

Methods: ``"closed-form"`` (linear losses: :math:`\theta^* = \arg\min_F\langle
S, x\rangle` with :math:`S = \sum_t a_t`; quadratics: a weighted projection of
the mean target), ``"L-BFGS-B"`` (scipy, box bounds or none; restarted while the
certificate is above tolerance), ``"projected-newton"`` (the L2 ball: Newton
steps whose ball-constrained quadratic model is solved exactly by the same
secular-equation root find as the weighted projection, with an Armijo line
search), and ``"linprog-highs"`` (hinge and absolute losses on a box, an LP).
"""
from __future__ import annotations

import json
import math
from typing import Callable

import numpy as np

from . import domains as _domains

__all__ = ["Comparator", "assemble", "certify", "evaluate", "linear_comparator", "within"]

DEFAULT_TOL = 1e-9  # target: bound <= DEFAULT_TOL * max(1, |F(theta*)|)


class Comparator:
    """The comparator of R runs; see the module docstring.

    ``theta`` (R, d), ``total_loss`` (R,), ``method`` (str), per-run arrays
    ``kkt_residual``, ``duality_gap`` (or None), ``bound``; ``tolerance`` (the
    relative target), ``info`` (solver details, JSON-able).
    """

    def __init__(self, theta, total_loss, method: str, *, kkt_residual, duality_gap, bound,
                 tolerance: float = DEFAULT_TOL, info: dict | None = None):
        self.theta = np.asarray(theta, dtype=np.float64)
        self.total_loss = np.asarray(total_loss, dtype=np.float64)
        self.method = method
        self.kkt_residual = np.asarray(kkt_residual, dtype=np.float64)
        self.duality_gap = None if duality_gap is None else np.asarray(duality_gap, np.float64)
        self.bound = np.asarray(bound, dtype=np.float64)
        self.tolerance = float(tolerance)
        self.info = dict(info or {})

    @property
    def relative_bound(self) -> np.ndarray:
        """``bound / max(1, |total_loss|)`` per run."""
        return self.bound / np.maximum(1.0, np.abs(self.total_loss))

    @property
    def certified(self) -> bool:
        """Whether every run's relative bound is within the tolerance."""
        return bool(np.all(self.relative_bound <= self.tolerance))

    @property
    def certificate(self) -> dict:
        """Maxima over runs: the accuracy to record with every result."""
        def mx(a):
            return None if a is None else _f(np.max(a))
        return {"method": self.method, "kkt_residual": mx(self.kkt_residual),
                "duality_gap": mx(self.duality_gap), "suboptimality_bound": mx(self.bound),
                "relative_bound": mx(self.relative_bound), "tolerance": self.tolerance,
                "certified": self.certified}

    def to_json(self, include_theta: bool | None = None) -> dict:
        """A JSON-able summary (``theta`` included when small or when asked)."""
        out = {"method": self.method, "certificate": self.certificate,
               "total_loss": [_f(v) for v in self.total_loss],
               "bound": [_f(v) for v in self.bound], "info": self.info}
        if include_theta or (include_theta is None and self.theta.size <= 1000):
            out["theta"] = self.theta.tolist()
        json.dumps(out)  # fail here, not in a writer, if something is not JSON-able
        return out

    def __repr__(self) -> str:
        return (f"Comparator(method={self.method!r}, runs={self.theta.shape[0]}, "
                f"bound={float(np.max(self.bound)):.3g}, certified={self.certified})")


def _f(v) -> float | str:
    v = float(v)
    return v if math.isfinite(v) else ("inf" if v > 0 else "-inf" if v < 0 else "nan")


def certify(domain: _domains.Domain, theta, total_grad, *, mu: float = 0.0):
    """Per-run ``(kkt_residual, fw_gap or None, bound)`` at ``theta`` (R, d)."""
    kkt = domain.kkt_residual(theta, total_grad)
    gap = domain.fw_gap(theta, total_grad) if domain.bounded else None
    bound = np.full(kkt.shape, math.inf) if gap is None else gap.copy()
    if mu > 0:
        bound = np.minimum(bound, kkt ** 2 / (2 * mu))
    return kkt, gap, bound


def assemble(results: list[dict], run_map, method: str, tolerance: float = DEFAULT_TOL,
             info: dict | None = None) -> Comparator:
    """Stack per-run solver results (dicts with theta, loss, kkt, gap, bound)."""
    pick = lambda k: np.array([results[i][k] for i in run_map])  # noqa: E731
    gaps = None if any(r["gap"] is None for r in results) else pick("gap")
    extra = dict(info or {})
    extra["iterations"] = [int(results[i].get("iterations", 0)) for i in run_map]
    if any("newton_steps" in r for r in results):
        extra["newton_steps"] = [int(results[i].get("newton_steps", 0)) for i in run_map]
    return Comparator(pick("theta"), pick("loss"), method, kkt_residual=pick("kkt"),
                      duality_gap=gaps, bound=pick("bound"), tolerance=tolerance, info=extra)


def linear_comparator(domain: _domains.Domain, S: np.ndarray,
                      total_loss: np.ndarray | None = None) -> Comparator:
    r"""Closed form for linear losses: :math:`\theta^* = \arg\min_{x\in F}\langle S, x\rangle`.

    :math:`\min_F\langle S, x\rangle = -\sigma_F(-S)`; the certificate is
    evaluated at :math:`\theta^*` with gradient S (zero up to rounding).
    ``total_loss`` may be given when known exactly (Reddi et al.'s problems).
    """
    theta = domain.argmin_linear(S)
    loss = np.sum(S * theta, axis=-1) if total_loss is None else total_loss
    kkt, gap, bound = certify(domain, theta, S)
    return Comparator(theta, loss, "closed-form", kkt_residual=kkt, duality_gap=gap,
                      bound=bound, info={"formula": "argmin_F <sum_t a_t, x>"})


def within(res: dict, tol: float) -> bool:
    """Whether a solver result's certified bound is within ``tol * max(1, |F|)``."""
    return bool(res["bound"] <= tol * max(1.0, abs(res["loss"])))


def evaluate(fgh, domain, x, mu) -> dict:
    """A solver result at ``x``: loss, KKT residual, FW gap and certified bound."""
    f, g = fgh(x, need_hess=False)[:2]
    kkt, gap, bound = certify(domain, x[None], g[None], mu=mu)
    return {"theta": x, "loss": f, "kkt": kkt[0], "gap": None if gap is None else gap[0],
            "bound": bound[0] if math.isfinite(bound[0]) else kkt[0] * 1e300}
