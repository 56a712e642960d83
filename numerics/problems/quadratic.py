r"""An online quadratic: moving targets under a fixed diagonal curvature.

.. math:: f_t(x) = \tfrac12\sum_{i=1}^d h_i\,(x_i - z_{t,i})^2, \qquad
          z_t = \mu\mathbf 1 + \sigma\xi_t,\ \xi_t \sim \mathcal N(0, I_d)\ \text{i.i.d.},

with :math:`h_i = h_{\max}\,\kappa^{-(i-1)/(d-1)}` log-spaced from
:math:`h_{\max}` (``curvature``) down to :math:`h_{\max}/\kappa`
(``condition`` :math:`\kappa \ge 1`); ``mean`` :math:`\mu`, ``sigma``
:math:`\sigma`, on a box, L2 ball, L-inf ball or :math:`\mathbb R^d`.
Each :math:`f_t` is :math:`\min_i h_i`-strongly convex, the setting of
logarithmic regret for online gradient descent with :math:`\eta_t =
1/(\mu t)` (Hazan, Agarwal & Kale, "Logarithmic regret algorithms for online
convex optimization", Machine Learning 69, 2007, Theorem 1).

Comparator in closed form.  With :math:`\bar z = \frac1T\sum_t z_t`,

.. math:: \sum_{t=1}^T f_t(x) = \tfrac T2\sum_i h_i (x_i - \bar z_i)^2
          + \tfrac12\sum_i h_i\sum_t (z_{t,i} - \bar z_i)^2,

so :math:`\theta^* = \arg\min_{x\in F}\sum_i h_i(x_i - \bar z_i)^2 =
\Pi_{F,h}(\bar z)`, the weighted projection of
:mod:`~adamlab.numerics.domains` with weights h (a clip on a box, the exact
secular-equation root on a ball).  The total loss is evaluated from the
per-run mean and centred second moment (merged over blocks, Chan, Golub &
LeVeque 1979), without cancellation.
"""
from __future__ import annotations

import numpy as np

from ..comparator import Comparator, certify
from ._base import Param, Problem, rowdot
from ._instance import Instance
from ._registry import register


class QuadraticInstance(Instance):

    def __init__(self, *args):
        super().__init__(*args)
        self.block_len = max(1, min(4096, (1 << 16) // self.d))

    def _gen_block(self, rng, b):
        p = self.problem
        return {"z": p.mean + p.sigma * rng.standard_normal((self.block_len, self.d))}

    def _z(self, t):
        return self._step(t)["z"]

    def _loss(self, t, x):
        return self._loss_grad(t, x)[0]

    def _grad(self, t, x):
        return self._loss_grad(t, x)[1]

    def _loss_grad(self, t, x):
        diff = x - self._z(t)
        hd = self.problem.h * diff
        return 0.5 * rowdot(hd, diff), hd

    def moments(self):
        """Per run the mean target and centred second moment: (zbar (R, d), M2 (R, d))."""
        n, mean, m2 = 0, np.zeros((self.runs, self.d)), np.zeros((self.runs, self.d))
        for s in range(0, self.T, self.block_len):
            e = min(s + self.block_len, self.T)
            z = self._range(s, e)["z"]               # (R, k, d)
            k = e - s
            mb = z.mean(axis=1)
            m2b = np.sum((z - mb[:, None]) ** 2, axis=1)
            delta = mb - mean
            mean = mean + delta * (k / (n + k))
            m2 = m2 + m2b + delta ** 2 * (n * k / (n + k))
            n += k
        return mean, m2

    def _cumulative(self, x, moments=None):
        zbar, m2 = self.moments() if moments is None else moments
        h = self.problem.h
        return 0.5 * np.sum(h * (self.T * (x - zbar) ** 2 + m2), axis=-1)

    def _comparator(self):
        zbar, m2 = self.moments()
        h = self.problem.h
        theta = self.domain.project_weighted(zbar, h)
        loss = self._cumulative(theta, (zbar, m2))
        g = self.T * h * (theta - zbar)
        kkt, gap, bound = certify(self.domain, theta, g, mu=self.T * float(np.min(h)))
        return Comparator(theta, loss, "closed-form", kkt_residual=kkt, duality_gap=gap,
                          bound=bound, info={"formula": "weighted projection of the mean "
                                                        "target, weights h"})


class Quadratic(Problem):
    r"""Online quadratic with moving targets; see the module docstring."""

    params_spec = (
        Param("d", "int", 10, "dimension"),
        Param("mean", "real", 0.5, "mu: the mean target coordinate"),
        Param("sigma", "nonneg", 1.0, "sigma: spread of the targets"),
        Param("curvature", "positive", 1.0, "h_max: the largest curvature"),
        Param("condition", "positive", 10.0, "kappa = h_max / h_min (>= 1)"),
        Param("domain", "domain", "box", "F"),
        Param("radius", "positive", 1.0, "radius of F (box: [-radius, radius]^d)"),
    )
    instance_cls = QuadraticInstance

    def _setup(self):
        if self.condition < 1:
            raise ValueError(f"{self.name}: condition must be a number >= 1; got "
                             f"{self.condition!r}")
        expo = np.linspace(0.0, 1.0, self.d) if self.d > 1 else np.zeros(1)
        self.h = self.curvature * self.condition ** (-expo)


register("quadratic", Quadratic,
         summary="f_t(x) = 1/2 sum_i h_i (x_i - z_{t,i})^2 with Gaussian targets z_t",
         source="Hazan, Agarwal & Kale, Machine Learning 69 (2007), strongly convex "
                "online optimization (Theorem 1)")
