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
from scipy import optimize

from . import domains as _domains

__all__ = ["Comparator", "certify", "linear_comparator", "lbfgsb", "projected_newton",
           "assemble"]

DEFAULT_TOL = 1e-9  # target: bound <= DEFAULT_TOL * max(1, |F(theta*)|)
CG_MAXITER = 1000     # truncated-Newton CG in the projected Newton polish
FIRST_PASS_TOL = 1e-10  # ftol and gtol of the first L-BFGS-B pass (scaled objective)
CG_RTOL = (1e-10, 1e-2)  # CG relative tolerance, tightened with the certified bound


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


def lbfgsb(fun_grad_hess: Callable, x0: np.ndarray, domain: _domains.Domain, *,
           mu: float = 0.0, scale: float = 1.0, tol: float = DEFAULT_TOL, rounds: int = 3,
           maxiter: int = 20000) -> dict:
    r"""Minimize a smooth convex total loss over a box (or :math:`\mathbb R^d`) with L-BFGS-B.

    ``fun_grad_hess(x, need_hess) -> (F, grad)`` or ``(F, grad, H)`` on a 1-D x,
    H a dense array, a callable Hessian-vector product, or None.  The objective
    is divided by ``scale`` (e.g. T) for the solver's stopping tests.  When the
    certificate is above ``tol * max(1, |F|)`` -- L-BFGS-B stops once F stops
    decreasing in floating point, often before the gradient is small -- the
    point is polished by projected Newton steps (:func:`_box_newton`), and
    L-BFGS-B restarted, up to ``rounds`` times.  The point with the smallest
    certified bound is returned.
    """
    if domain.name in ("box", "linf_ball"):          # declared by the domain class
        lo = np.broadcast_to(domain.lo, x0.shape).astype(np.float64)
        hi = np.broadcast_to(domain.hi, x0.shape).astype(np.float64)
        bounds = optimize.Bounds(lo, hi)
    elif domain.name == "unconstrained":
        lo, hi = np.full(x0.shape, -np.inf), np.full(x0.shape, np.inf)
        bounds = None
    else:
        raise ValueError(f"lbfgsb: domain must be a Box, LinfBall or Unconstrained; got "
                         f"{type(domain).__name__}")

    def scaled(x):
        f, g = fun_grad_hess(x, need_hess=False)[:2]
        return f / scale, g / scale

    best = _evaluate(fun_grad_hess, domain, domain.project(np.asarray(x0, np.float64)), mu)
    its, polished = 0, 0
    for k in range(rounds):
        if _ok(best, tol):
            break
        tight = FIRST_PASS_TOL if k == 0 else 1e-16   # a quick pass, Newton does the rest
        res = optimize.minimize(scaled, best["theta"], jac=True, method="L-BFGS-B",
                                bounds=bounds,
                                options={"maxiter": maxiter, "maxfun": 2 * maxiter,
                                         "ftol": tight, "gtol": tight, "maxcor": 30})
        its += int(res.nit)
        best = min(best, _evaluate(fun_grad_hess, domain, domain.project(res.x), mu),
                   key=lambda r: r["bound"])
        if not _ok(best, tol):
            best, k = _box_newton(fun_grad_hess, best, domain, lo, hi, mu=mu, tol=tol)
            polished += k
    best.update(iterations=its, newton_steps=polished)
    return best


def _ok(res: dict, tol: float) -> bool:
    return bool(res["bound"] <= tol * max(1.0, abs(res["loss"])))


def _evaluate(fgh, domain, x, mu) -> dict:
    f, g = fgh(x, need_hess=False)[:2]
    kkt, gap, bound = certify(domain, x[None], g[None], mu=mu)
    return {"theta": x, "loss": f, "kkt": kkt[0], "gap": None if gap is None else gap[0],
            "bound": bound[0] if math.isfinite(bound[0]) else kkt[0] * 1e300}


def _box_newton(fgh, best: dict, domain, lo, hi, *, mu, tol, maxiter: int = 50):
    r"""Projected Newton (Bertsekas, SIAM J. Control Optim. 20(2), 1982) on a box.

    The :math:`\epsilon`-active set (within :math:`\epsilon = \min(10^{-3},
    \|x - \Pi(x - \nabla F)\|)` of a bound, gradient pointing outward) moves to
    its bounds; on the free variables the Newton system is solved (dense, or by
    CG with a Hessian-vector product); Armijo backtracking along the projected
    path :math:`\Pi(x + s p)`.  Returns the point with the smallest certified
    bound seen, and the number of steps.
    """
    from scipy.sparse import linalg as splinalg
    x, steps = best["theta"], 0
    for _ in range(maxiter):
        if _ok(best, tol):
            break
        out = fgh(x, need_hess=True)
        f, g, H = out[0], out[1], (out[2] if len(out) > 2 else None)
        if H is None:
            break
        eps = min(1e-3, float(np.linalg.norm(x - np.clip(x - g, lo, hi))))
        act = ((x <= lo + eps) & (g > 0)) | ((x >= hi - eps) & (g < 0))
        free = ~act
        p = np.where(act, np.where(g > 0, lo, hi) - x, 0.0)
        nf = int(free.sum())
        if nf:
            rhs = -g[free]
            if callable(H):
                def mv(v, free=free):
                    full = np.zeros(x.size)
                    full[free] = v
                    return H(full)[free]
                op = splinalg.LinearOperator((nf, nf), matvec=mv, dtype=np.float64)
                pre = None
                if getattr(H, "diag", None) is not None:
                    inv = 1.0 / np.maximum(H.diag[free], 1e-300)
                    pre = splinalg.LinearOperator((nf, nf), matvec=lambda v, inv=inv: inv * v,
                                                  dtype=np.float64)
                rel = best["bound"] / max(1.0, abs(best["loss"]))
                pf, _ = splinalg.cg(op, rhs, rtol=float(np.clip(math.sqrt(rel), CG_RTOL[0], CG_RTOL[1])),
                                    maxiter=CG_MAXITER, M=pre)
            else:
                Hff = H[np.ix_(free, free)]
                ridge = 1e-14 * max(float(np.trace(Hff)) / nf, 1e-300)
                pf = np.linalg.solve(Hff + ridge * np.eye(nf), rhs)
            p[free] = pf
        s, moved = 1.0, False
        for _ in range(40):
            xn = np.clip(x + s * p, lo, hi)
            fn = fgh(xn, need_hess=False)[0]
            if fn <= f + 1e-4 * float(g @ (xn - x)):
                moved = True
                break
            s *= 0.5
        steps += 1
        cand = _evaluate(fgh, domain, xn, mu) if moved else None
        if cand is not None and cand["bound"] < best["bound"]:
            best = cand
        if not moved:
            break
        x = xn
    return best, steps


def projected_newton(fun_grad_hess: Callable, x0: np.ndarray, ball: _domains.L2Ball, *,
                     mu: float = 0.0, tol: float = DEFAULT_TOL, maxiter: int = 200) -> dict:
    r"""Newton's method on an L2 ball with exactly solved ball-constrained models.

    At :math:`x_k` the model :math:`\min_{\|y-c\|\le r} \langle g, y-x_k\rangle +
    \tfrac12 (y-x_k)^\top H (y-x_k)` is solved exactly: with :math:`H = Q\Lambda
    Q^\top` and :math:`b = Q^\top(H(x_k-c) - g)`, :math:`y - c = Q\,b/(\Lambda +
    \nu)` where :math:`\nu = 0` if that lies in the ball (and :math:`\Lambda > 0`)
    and otherwise :math:`\nu > 0` solves :math:`\|b/(\Lambda+\nu)\| = r`
    (:func:`~adamlab.numerics.domains.secular_root`).  The step to y is damped by
    an Armijo backtracking line search (feasible by convexity of the ball).
    """
    c = np.broadcast_to(ball.center, x0.shape).astype(np.float64)
    r = ball.radius
    x = ball.project(np.asarray(x0, dtype=np.float64))
    for k in range(maxiter):
        f, g, H = fun_grad_hess(x)
        kkt, gap, bound = certify(ball, x[None], g[None], mu=mu)
        if bound[0] <= tol * max(1.0, abs(f)) or k == maxiter - 1:
            break
        lam, Q = np.linalg.eigh(H)
        lam = np.maximum(lam, 0.0)
        b = Q.T @ (H @ (x - c) - g)
        with np.errstate(divide="ignore", invalid="ignore"):
            u0 = b / lam
        if np.all(lam > 0) and np.linalg.norm(u0) <= r:
            u = u0
        else:
            nu = _domains.secular_root(b[None], lam[None], r)[0]
            u = b / (lam + nu)
            n = np.linalg.norm(u)
            u = u * (r / n) if n > r else u
        step = c + Q @ u - x
        slope = float(g @ step)
        if slope >= 0:
            break  # no descent direction left at this precision
        s = 1.0
        while s > 1e-12:
            if fun_grad_hess(x + s * step, need_hess=False)[0] <= f + 1e-4 * s * slope:
                break
            s *= 0.5
        else:
            break
        x = ball.project(x + s * step)
    return {"theta": x, "loss": f, "kkt": kkt[0], "gap": None if gap is None else gap[0],
            "bound": bound[0], "iterations": k}


def solve_smooth(domain: _domains.Domain, fun_grad_hess: Callable, x0: np.ndarray, *,
                 mu: float = 0.0, scale: float = 1.0, tol: float = DEFAULT_TOL) -> tuple[dict, str]:
    """Dispatch: L-BFGS-B for boxes and no constraint, projected Newton for the L2 ball.

    ``fun_grad_hess(x, need_hess=True)`` returns ``(F, grad)`` or ``(F, grad, H)``.
    """
    if domain.name == "l2_ball":
        return projected_newton(fun_grad_hess, x0, domain, mu=mu, tol=tol), "projected-newton"
    return lbfgsb(fun_grad_hess, x0, domain, mu=mu, scale=scale, tol=tol), "L-BFGS-B"
