r"""Piecewise-linear losses: the hinge loss and the absolute loss, on a box.

``hinge`` (online linear SVM without regularization):

.. math:: f_t(x) = \max\bigl(0,\ 1 - y_t\langle a_t, x\rangle\bigr), \qquad
          g_t = -y_t a_t\ \text{if}\ y_t\langle a_t, x\rangle < 1,\ \text{else}\ 0,

with labels :math:`y_t = \operatorname{sign}\langle w^*, a_t\rangle` flipped with
probability ``flip``.  ``absolute`` (online least absolute deviations):

.. math:: f_t(x) = |\langle a_t, x\rangle - b_t|, \qquad
          g_t = \operatorname{sign}(\langle a_t, x\rangle - b_t)\,a_t
          \ (\operatorname{sign} 0 = 0),

with :math:`b_t = \langle w^*, a_t\rangle + \mathrm{noise}\cdot\epsilon_t`,
:math:`\epsilon_t \sim \mathcal N(0,1)`.  In both, :math:`a_t = (\mathrm{scale}
/\sqrt d)\,\xi_t`, :math:`\xi_t \sim \mathcal N(0, I_d)`, and :math:`w^* =
\mathrm{signal}\,\eta` per run.  These are the nonsmooth convex losses of the
OCO literature (Zinkevich, ICML 2003; Shalev-Shwartz, "Online Learning and
Online Convex Optimization", FnT ML 4(2), 2012, §2); the returned g is a
subgradient.

Comparator: :math:`\min_{x\in F}\sum_t f_t(x)` is a linear program
(epigraph variables :math:`s_t \ge` each piece), solved by HiGHS (scipy
``linprog``, dual simplex) on a box F.  Certificate: the primal value
:math:`F(\theta^*)`, evaluated from :math:`\theta^*` directly, minus the
Lagrangian dual value at the LP's multipliers clipped to their dual-feasible
box, e.g. for the hinge :math:`D(u) = \sum_t u_t - \sigma_F(\sum_t u_t y_t a_t)`,
:math:`u \in [0, 1]^T` (for the absolute loss :math:`D(u) = -\sum_t u_t b_t -
\sigma_F(-\sum_t u_t a_t)`, :math:`u \in [-1, 1]^T`); weak duality makes
:math:`D(u) \le \min_F F` for every such u, so the gap bounds the error.  The KKT
residual is :math:`\operatorname{dist}(-\sum_t u_t\,\partial_t, N_F(\theta^*))`
with the subgradient selected by the same multipliers.
"""
from __future__ import annotations

import math

import numpy as np
from scipy import optimize, sparse

from ..comparator import Comparator
from ._base import Param, Problem, rng_for, rowdot
from ._instance import Instance
from ._registry import register


class PiecewiseInstance(Instance):

    def __init__(self, *args):
        super().__init__(*args)
        self.block_len = max(1, min(4096, (1 << 16) // self.d))
        self._w = {}

    def _wstar(self, r):
        if r not in self._w:
            self._w[r] = self.problem.signal * rng_for(self.seed, r, 1, 0).standard_normal(self.d)
        return self._w[r]

    def _run_block(self, r, b):
        rr = 0 if self.shared else r
        p, rng = self.problem, rng_for(self.seed, rr, 0, b)
        a = (p.scale / math.sqrt(self.d)) * rng.standard_normal((self.block_len, self.d))
        clean = a @ self._wstar(rr)
        if self.problem.kind == "hinge":
            y = np.where(clean >= 0, 1.0, -1.0)
            y = np.where(rng.random(self.block_len) < p.flip, -y, y)
            return {"a": a, "y": y}
        return {"a": a, "b": clean + p.noise * rng.standard_normal(self.block_len)}

    def _loss_grad(self, t, x):
        s = self._step(t)
        z = rowdot(s["a"], x)
        if self.problem.kind == "hinge":
            m = s["y"] * z
            f = np.maximum(0.0, 1.0 - m)
            coef = np.where(m < 1.0, -s["y"], 0.0)
        else:
            res = z - s["b"]
            f, coef = np.abs(res), np.sign(res)
        return f, coef[:, None] * s["a"]

    def _loss(self, t, x):
        return self._loss_grad(t, x)[0]

    def _grad(self, t, x):
        return self._loss_grad(t, x)[1]

    def _total(self, data, x):
        z = data["a"] @ x
        if self.problem.kind == "hinge":
            return float(np.sum(np.maximum(0.0, 1.0 - data["y"] * z)))
        return float(np.sum(np.abs(z - data["b"])))

    def _cumulative(self, x):
        return np.array([self._total(self.run_data(r), x[r]) for r in range(self.runs)])

    def _solve(self, data):
        """LP for one run: returns (theta, loss, kkt, gap)."""
        a, T, d = data["a"], self.T, self.d
        dom = self.domain
        lo = np.broadcast_to(dom.lo, (d,))
        hi = np.broadcast_to(dom.hi, (d,))
        eye = sparse.identity(T, format="csr")
        if self.problem.kind == "hinge":
            A = data["y"][:, None] * a                       # signed rows
            A_ub = sparse.hstack([sparse.csr_matrix(-A), -eye], format="csr")
            b_ub = -np.ones(T)
        else:
            A = a
            A_ub = sparse.vstack([sparse.hstack([sparse.csr_matrix(a), -eye]),
                                  sparse.hstack([sparse.csr_matrix(-a), -eye])], format="csr")
            b_ub = np.concatenate([data["b"], -data["b"]])
        c = np.concatenate([np.zeros(d), np.ones(T)])
        bounds = list(zip(lo, hi)) + [(0, None)] * T
        res = optimize.linprog(c, A_ub=A_ub, b_ub=b_ub, bounds=bounds, method="highs-ds",
                               options={"primal_feasibility_tolerance": 1e-10,
                                        "dual_feasibility_tolerance": 1e-10})
        if res.status != 0:  # pragma: no cover - the LP is feasible and bounded on a box
            raise RuntimeError(f"{self.problem.name}: linprog failed: {res.message}")
        theta = np.clip(res.x[:d], lo, hi)
        loss = self._total(data, theta)
        lam = -res.ineqlin.marginals
        if self.problem.kind == "hinge":
            u = np.clip(lam, 0.0, 1.0)
            v = A.T @ u                                     # sum_t u_t y_t a_t
            dual = float(np.sum(u)) - float(dom.support(v[None])[0])
            g = -v
        else:
            u = np.clip(lam[:T] - lam[T:], -1.0, 1.0)
            v = A.T @ u
            dual = -float(u @ data["b"]) - float(dom.support(-v[None])[0])
            g = v
        kkt = float(dom.kkt_residual(theta[None], g[None])[0])
        return theta, loss, kkt, max(loss - dual, 0.0)

    def _comparator(self):
        todo, run_map = self._distinct_runs()
        out = [self._solve(self.run_data(r)) for r in todo]
        pick = lambda j: np.array([out[i][j] for i in run_map])  # noqa: E731
        return Comparator(pick(0), pick(1), "linprog-highs", kkt_residual=pick(2),
                          duality_gap=pick(3), bound=pick(3),
                          info={"lp": "epigraph form, HiGHS dual simplex"})


_COMMON = (
    Param("d", "int", 10, "dimension"),
    Param("scale", "positive", 1.0, "feature scale: ||a_t|| is about scale"),
    Param("signal", "nonneg", 3.0, "size of the hidden weights w*"),
)
_BOX = (Param("domain", "domain", "box", "F (a box: the comparator is an LP)"),
        Param("radius", "positive", 1.0, "F = [-radius, radius]^d"))


class Hinge(Problem):
    r"""Online hinge loss with noisy linear labels; see the module docstring."""

    params_spec = _COMMON + (Param("flip", "unit", 0.1, "label-flip probability, in [0, 1)"),
                             ) + _BOX
    domain_choices = ("box", "linf")
    instance_cls = PiecewiseInstance
    kind = "hinge"


class Absolute(Problem):
    r"""Online absolute loss (least absolute deviations); see the module docstring."""

    params_spec = _COMMON + (Param("noise", "nonneg", 0.5, "std of the target noise"),) + _BOX
    domain_choices = ("box", "linf")
    instance_cls = PiecewiseInstance
    kind = "absolute"


register("hinge", Hinge,
         summary="f_t(x) = max(0, 1 - y_t <a_t, x>), Gaussian features, noisy labels",
         source="Shalev-Shwartz, Online Learning and Online Convex Optimization (2012), "
                "Section 2 (online SVM / hinge loss); Zinkevich, ICML 2003")
register("absolute", Absolute,
         summary="f_t(x) = |<a_t, x> - b_t|, Gaussian features, noisy linear targets",
         source="Shalev-Shwartz, Online Learning and Online Convex Optimization (2012), "
                "Section 2 (absolute loss)")
