r"""Solvers for the comparator's smooth convex minimizations (see :mod:`.comparator`).

``lbfgsb`` (scipy's L-BFGS-B on a box or no constraint, polished by projected Newton
steps), :func:`trust_newton_box` (a Levenberg--Marquardt-damped projected Newton
method for boxes where most coordinates end on a bound), :func:`projected_newton`
(the L2 ball) and :func:`solve_smooth` (the dispatch).  Each returns a solver result
(:func:`.comparator.evaluate`): the point, its loss and its certificate.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np
from scipy import optimize

from . import domains as _domains
from .comparator import DEFAULT_TOL, certify, evaluate, within

CG_MAXITER = 1000     # truncated-Newton CG in the projected Newton polish
FIRST_PASS_TOL = 1e-10  # ftol and gtol of the first L-BFGS-B pass (scaled objective)
CG_RTOL = (1e-10, 1e-2)  # CG relative tolerance, tightened with the certified bound


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

    best = evaluate(fun_grad_hess, domain, domain.project(np.asarray(x0, np.float64)), mu)
    its, polished = 0, 0
    for k in range(rounds):
        if within(best, tol):
            break
        tight = FIRST_PASS_TOL if k == 0 else 1e-16   # a quick pass, Newton does the rest
        res = optimize.minimize(scaled, best["theta"], jac=True, method="L-BFGS-B",
                                bounds=bounds,
                                options={"maxiter": maxiter, "maxfun": 2 * maxiter,
                                         "ftol": tight, "gtol": tight, "maxcor": 30})
        its += int(res.nit)
        best = min(best, evaluate(fun_grad_hess, domain, domain.project(res.x), mu),
                   key=lambda r: r["bound"])
        if not within(best, tol):
            best, k = _box_newton(fun_grad_hess, best, domain, lo, hi, mu=mu, tol=tol)
            polished += k
    best.update(iterations=its, newton_steps=polished)
    return best


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
        if within(best, tol):
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
        cand = evaluate(fgh, domain, xn, mu) if moved else None
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


def _pcg(hv, diag, b, lam, rtol, maxiter):
    r"""Solve :math:`(H + \lambda D)p = b` (D = diag(H) floored) by Jacobi-preconditioned
    conjugate gradients; returns (p, iterations)."""
    M = diag * (1.0 + lam)
    x = np.zeros_like(b)
    r = b.copy()
    z = r / M
    p = z.copy()
    rz = float(r @ z)
    nb = float(np.linalg.norm(b))
    for i in range(maxiter):
        Ap = hv(p) + lam * diag * p
        pAp = float(p @ Ap)
        if pAp <= 0:
            return x, i
        a = rz / pAp
        x += a * p
        r -= a * Ap
        if float(np.linalg.norm(r)) <= rtol * nb:
            return x, i + 1
        z = r / M
        rzn = float(r @ z)
        p = z + (rzn / rz) * p
        rz = rzn
    return x, maxiter


def _result(domain, x, f, g, mu) -> dict:
    kkt, gap, bound = certify(domain, x[None], g[None], mu=mu)
    return {"theta": x, "loss": f, "kkt": kkt[0], "gap": None if gap is None else gap[0],
            "bound": bound[0] if math.isfinite(bound[0]) else kkt[0] * 1e300}


def trust_newton_box(fun_grad_hess: Callable, x0: np.ndarray, domain: _domains.Domain, *,
                     mu: float = 0.0, tol: float = DEFAULT_TOL, maxiter: int = 500,
                     restrict_below: float = 0.25) -> dict:
    r"""Projected Newton with Levenberg--Marquardt damping on a box :math:`[l, u]`.

    For total losses whose minimizer has most coordinates on a bound and a nearly
    singular Hessian on the rest (the sparse logistic games at a few thousand steps,
    where the words seen once or twice saturate), plain projected Newton stalls
    (Bertsekas' line search along a bad direction) and L-BFGS-B stops early.  Here
    every step is a damped Newton step on the free variables,

    .. math:: (H_{FF} + \lambda\,\mathrm{diag}(H_{FF}))\,p = -g_F, \qquad
              x^+ = \Pi_{[l,u]}(x + p),

    with :math:`F` the coordinates not held at a bound by the gradient (at :math:`l`
    with :math:`g > 0` or at :math:`u` with :math:`g < 0`), solved by Jacobi-preconditioned
    CG to a relative tolerance :math:`\min(0.1, \sqrt{	ext{relative bound}})`, and the
    damping adapted by the ratio :math:`
ho` of actual to predicted decrease (step
    accepted when :math:`
ho > 10^{-4}`; :math:`\lambda/4` when :math:`
ho > 3/4`,
    :math:`2\lambda` when :math:`
ho < 1/4`, :math:`4\lambda` and retry when rejected) --
    the trust-region logic of Moré (1978) with the scaled identity of Marquardt (1963).
    Once the predicted decrease is below the rounding of F (:math:`10^{-12}\max(1, |F|)`),
    a step is taken when it lowers the certified bound instead.
    The Hessian comes as a Hessian-vector product with ``.diag``; when fewer than
    ``restrict_below`` of the coordinates are free and it offers ``.restrict(idx)`` (a
    product on those coordinates alone), that is used.  Stops when the certificate of
    :func:`.comparator.certify` is within ``tol``; returns the best certified point.
    """
    if domain.name not in ("box", "linf_ball"):
        raise ValueError(f"trust_newton_box: domain must be a Box or LinfBall; got "
                         f"{type(domain).__name__}")
    lo = np.broadcast_to(domain.lo, x0.shape).astype(np.float64)
    hi = np.broadcast_to(domain.hi, x0.shape).astype(np.float64)
    x = np.clip(np.asarray(x0, dtype=np.float64), lo, hi)
    lam, cg_total, steps = 1e-2, 0, 0
    out = fun_grad_hess(x, need_hess=True)
    if len(out) < 3 or not callable(out[2]) or getattr(out[2], "diag", None) is None:
        raise ValueError("trust_newton_box: fun_grad_hess must return a Hessian-vector "
                         "product with .diag")
    f, g, H = out
    best = _result(domain, x, f, g, mu)
    for _ in range(maxiter):
        if within(best, tol):
            break
        held = ((x <= lo) & (g > 0)) | ((x >= hi) & (g < 0))
        idx = np.flatnonzero(~held)
        if idx.size == 0:
            break
        restrict = getattr(H, "restrict", None)
        if restrict is not None and idx.size < restrict_below * x.size:
            hv = restrict(idx)
        else:
            def hv(v, idx=idx, H=H, n=x.size):
                full = np.zeros(n)
                full[idx] = v
                return H(full)[idx]
        dmax = float(np.max(H.diag)) if H.diag.size else 1.0
        diag = np.maximum(H.diag[idx], 1e-12 * max(dmax, 1e-300))
        rel = best["bound"] / max(1.0, abs(best["loss"]))
        rtol = min(0.1, max(1e-10, math.sqrt(rel)))
        while True:
            p, k = _pcg(hv, diag, -g[idx], lam, rtol, CG_MAXITER)
            cg_total += k
            xn = x.copy()
            xn[idx] = np.clip(x[idx] + p, lo[idx], hi[idx])
            d = xn - x
            pred = -(float(g @ d) + 0.5 * float(d @ H(d)))
            fn, gn = fun_grad_hess(xn, need_hess=False)[:2]
            rho = (f - fn) / pred if pred > 0 else -1.0
            if rho > 1e-4:
                break
            # below the rounding of F itself the decrease says nothing: take the step when
            # it shrinks the certified bound
            if 0 < pred <= 1e-12 * max(1.0, abs(f)) and \
                    _result(domain, xn, fn, gn, mu)["bound"] < best["bound"]:
                rho = 0.5
                break
            lam *= 4
            if lam > 1e12:
                best.update(iterations=steps, cg_iterations=cg_total)
                return best
        lam = max(lam / 4, 1e-10) if rho > 0.75 else (2 * lam if rho < 0.25 else lam)
        x, steps = xn, steps + 1
        f, g, H = fun_grad_hess(x, need_hess=True)
        cand = _result(domain, x, f, g, mu)
        if cand["bound"] < best["bound"]:
            best = cand
    best.update(iterations=steps, cg_iterations=cg_total)
    return best


def solve_smooth(domain: _domains.Domain, fun_grad_hess: Callable, x0: np.ndarray, *,
                 mu: float = 0.0, scale: float = 1.0, tol: float = DEFAULT_TOL) -> tuple[dict, str]:
    """Dispatch: L-BFGS-B for boxes and no constraint, projected Newton for the L2 ball.

    ``fun_grad_hess(x, need_hess=True)`` returns ``(F, grad)`` or ``(F, grad, H)``.
    """
    if domain.name == "l2_ball":
        return projected_newton(fun_grad_hess, x0, domain, mu=mu, tol=tol), "projected-newton"
    return lbfgsb(fun_grad_hess, x0, domain, mu=mu, scale=scale, tol=tol), "L-BFGS-B"


__all__ = ["lbfgsb", "projected_newton", "solve_smooth", "trust_newton_box"]
