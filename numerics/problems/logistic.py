r"""Online logistic regression with dense features (``logistic-dense``).

At step t the learner predicts with :math:`\theta` and then sees the example
:math:`(a_t, y_t)`, :math:`y_t \in \{-1, +1\}`:

.. math:: f_t(x) = \log\bigl(1 + e^{-y_t\langle a_t, x\rangle}\bigr)
          + \tfrac\lambda2\|x\|_2^2, \qquad
          \nabla f_t(x) = -y_t\,\sigma(-y_t\langle a_t, x\rangle)\,a_t + \lambda x,

with :math:`\sigma(u) = 1/(1+e^{-u})`; the loss is evaluated as
:math:`-\log\sigma(m)` (``scipy.special.log_expit``), stable for every margin.
This is the objective of Kingma & Ba, "Adam: A Method for Stochastic
Optimization", ICLR 2015, §6.1 (L2-regularized logistic regression), played
online as in their §4 (regret analysis).

Data: :math:`a_t = (\mathrm{scale}/\sqrt d)\,\xi_t`, :math:`\xi_t \sim
\mathcal N(0, I_d)`; labels from a hidden per-run :math:`w^* = \mathrm{signal}\,
\eta`, :math:`\eta \sim \mathcal N(0, I_d)`, with :math:`P(y_t = 1) =
\sigma(\langle w^*, a_t\rangle)`, so margins have standard deviation about
``signal * scale``.  F: a box, L2 ball or L-inf ball of ``radius``, or
:math:`\mathbb R^d` when ``l2`` :math:`= \lambda > 0` (without
regularization a separable sample has no minimizer on :math:`\mathbb R^d`).

Comparator: the total loss is convex and smooth with Hessian
:math:`A^\top\operatorname{diag}(\sigma(m)\sigma(-m))A + T\lambda I`
(:math:`A` the rows :math:`y_t a_t`); L-BFGS-B on boxes and on
:math:`\mathbb R^d`, exact-model projected Newton on the L2 ball
(:mod:`adamlab.numerics.comparator`), each certified by the Frank--Wolfe gap
and, when :math:`\lambda > 0`, by :math:`\rho^2/(2T\lambda)`.
"""
from __future__ import annotations

import math

import numpy as np
from scipy import sparse, special

from ..comparator import assemble
from ..comparator_solvers import solve_smooth
from ._base import Param, Problem, rng_for, rowdot
from ._instance import Instance
from ._registry import register


def softplus_neg(m: np.ndarray) -> np.ndarray:
    r""":math:`\log(1 + e^{-m}) = -\log\sigma(m)`, stable for all m."""
    return -special.log_expit(m)


def logistic_total(A, x: np.ndarray, lam_total: float, need_hess: bool = True, AT=None):
    r"""Total loss, gradient (and Hessian) of :math:`\sum_t \log(1+e^{-(Ax)_t}) + \tfrac{T\lambda}2\|x\|^2`.

    ``A`` holds the signed rows :math:`y_t a_t` (dense array or scipy.sparse); the
    Hessian is a dense array, or for sparse A a Hessian-vector product.  ``AT``:
    optionally :math:`A^\top` already formed (e.g. ``A.T.tocsr()``), so that the
    solver's thousands of products do not transpose A each time.
    """
    if AT is None:
        AT = A.T
    m = A @ x
    f = float(np.sum(softplus_neg(m))) + 0.5 * lam_total * float(x @ x)
    s = special.expit(-m)
    g = -(AT @ s) + lam_total * x
    if not need_hess:
        return f, g
    wts = s * special.expit(m)
    if sparse.issparse(A):
        def hvp(v):
            return AT @ (wts * (A @ v)) + lam_total * v
        hvp.diag = AT.multiply(AT) @ wts + lam_total   # for Jacobi-preconditioned CG

        def restrict(cols):
            """The product on the coordinates ``cols`` alone (the rows with a weight)."""
            rows = np.flatnonzero(wts > 0)
            sub = A[rows][:, cols].tocsr()
            subT, w = sub.T.tocsr(), wts[rows]
            return lambda v: subT @ (w * (sub @ v)) + lam_total * v
        hvp.restrict = restrict
        return f, g, hvp
    H = (A.T * wts) @ A + lam_total * np.eye(x.size)
    return f, g, H


class LogisticDenseInstance(Instance):

    def __init__(self, *args):
        super().__init__(*args)
        self.block_len = max(1, min(4096, (1 << 16) // self.d))
        self._w = {}

    def _wstar(self, r: int) -> np.ndarray:
        if r not in self._w:
            self._w[r] = self.problem.signal * rng_for(self.seed, r, 1, 0).standard_normal(self.d)
        return self._w[r]

    def _run_block(self, r, b):
        rr = 0 if self.shared else r
        p, rng = self.problem, rng_for(self.seed, rr, 0, b)
        a = (p.scale / math.sqrt(self.d)) * rng.standard_normal((self.block_len, self.d))
        prob = special.expit(a @ self._wstar(rr))
        y = np.where(rng.random(self.block_len) < prob, 1.0, -1.0)
        return {"a": a, "y": y}

    def _margin(self, t, x):
        s = self._step(t)
        return s, s["y"] * rowdot(s["a"], x)

    def _loss(self, t, x):
        _, m = self._margin(t, x)
        f = softplus_neg(m)
        lam = self.problem.l2
        return f + 0.5 * lam * rowdot(x, x) if lam else f

    def _grad(self, t, x):
        return self._loss_grad(t, x)[1]

    def _loss_grad(self, t, x):
        s, m = self._margin(t, x)
        lam = self.problem.l2
        f = softplus_neg(m)
        g = (-s["y"] * special.expit(-m))[:, None] * s["a"]
        if lam:
            f = f + 0.5 * lam * rowdot(x, x)
            g = g + lam * x
        return f, g

    def signed_rows(self, r: int) -> np.ndarray:
        """Run r's matrix A with rows y_t a_t, shape (T, d)."""
        data = self.run_data(r)
        return data["y"][:, None] * data["a"]

    def _cumulative(self, x):
        lam_t = self.T * self.problem.l2
        return np.array([logistic_total(self.signed_rows(r), x[r], lam_t, False)[0]
                         for r in range(self.runs)])

    def _comparator(self):
        todo, run_map = self._distinct_runs()
        lam_t, results, method = self.T * self.problem.l2, [], ""
        x0 = self.problem.x0(1)[0]
        for r in todo:
            A = self.signed_rows(r)
            res, method = solve_smooth(
                self.domain, lambda x, need_hess=True: logistic_total(A, x, lam_t, need_hess),
                x0, mu=lam_t, scale=float(self.T))
            results.append(res)
        return assemble(results, run_map, method)


class LogisticDense(Problem):
    r"""Online logistic regression, dense Gaussian features; see the module docstring."""

    params_spec = (
        Param("d", "int", 20, "dimension"),
        Param("scale", "positive", 1.0, "feature scale: ||a_t|| is about scale"),
        Param("signal", "nonneg", 3.0, "size of the hidden weights (label noise falls as "
                                       "signal grows)"),
        Param("l2", "nonneg", 0.0, "lambda: L2 regularization per step"),
        Param("domain", "domain", "box", "F"),
        Param("radius", "positive", 1.0, "radius of F (box: [-radius, radius]^d)"),
    )
    instance_cls = LogisticDenseInstance

    def _setup(self):
        if self.domain.name == "unconstrained" and self.l2 == 0:
            raise ValueError(f"{self.name}: domain 'unconstrained' needs l2 > 0 (a separable "
                             f"sample has no minimizer); got l2=0")


register("logistic-dense", LogisticDense,
         summary="online logistic regression, dense Gaussian features, labels from a hidden "
                 "logistic model",
         source="Kingma & Ba, Adam, ICLR 2015, Section 6.1 (logistic regression) and "
                "Section 4 (online convex setting)")
