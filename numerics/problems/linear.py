r"""Online linear losses :math:`f_t(x) = \langle a_t, x\rangle`: random and adversarial.

Online linear optimization is the core of online convex optimization: a
learner's regret on convex losses is at most its regret on the linearized
losses :math:`\langle g_t, x\rangle` (Zinkevich, ICML 2003, §2; Hazan,
"Introduction to Online Convex Optimization", 2016, §3.1).

``linear-random`` -- oblivious i.i.d. coefficients
:math:`a_t = \mu\mathbf 1 + G\,\xi_t` with :math:`\xi_{t,i}` standard normal
(``"gaussian"``), uniform on :math:`[-1,1]` (``"uniform"``) or :math:`\pm 1`
(``"rademacher"``); parameters ``d``, ``scale`` G, ``mean`` :math:`\mu`,
``distribution``.  With :math:`\mu = 0` and Rademacher coefficients on a box
this is the classical :math:`\Omega(DG\sqrt T)` lower-bound game (Hazan 2016,
Theorem 3.2; Abernethy, Bartlett, Rakhlin & Tewari, COLT 2008).

``linear-adversarial`` -- an *adaptive* adversary that sees :math:`\theta_t`
and plays :math:`a_{t,i} = G\operatorname{sign}(\theta_{t,i} - c_i)` (ties,
e.g. at :math:`\theta_1 = c`, give :math:`+G`), c the centre of F: every step
costs the learner :math:`G\|\theta_t - c\|_1 + \langle a_t, c\rangle`, and any
learner whose iterates hover around c pays linearly while
:math:`\sum_t a_t` nearly cancels.  Because :math:`a_t` depends on the
trajectory, the instance records :math:`S = \sum_t a_t` as the steps are
played (in order :math:`t = 1, 2, \dots`; a repeated call at the current t
re-uses the recorded :math:`a_t`, which must then come from the same
:math:`\theta_t`), and :meth:`~._instance.Instance.comparator` is available only
after all T steps.

Both comparators are in closed form: :math:`\theta^* = \arg\min_{x\in F}\langle
S, x\rangle`, the minimum being :math:`-\sigma_F(-S)`.
"""
from __future__ import annotations

import math

import numpy as np

from ..comparator import linear_comparator
from ._base import Param, Problem, rowdot
from ._instance import Instance, LinearInstance
from ._registry import register

_DOMAINS = ("box", "l2", "linf")


class RandomLinearInstance(LinearInstance):

    def __init__(self, *args):
        super().__init__(*args)
        self.block_len = max(1, min(4096, (1 << 16) // self.d))

    def _gen_block(self, rng, b):
        p, shape = self.problem, (self.block_len, self.d)
        if p.distribution == "gaussian":
            xi = rng.standard_normal(shape)
        elif p.distribution == "uniform":
            xi = rng.uniform(-1.0, 1.0, shape)
        else:
            xi = rng.integers(0, 2, shape, dtype=np.int8) * 2.0 - 1.0
        return {"a": p.mean + p.scale * xi}


class RandomLinear(Problem):
    r"""i.i.d. random linear losses; see the module docstring."""

    params_spec = (
        Param("d", "int", 10, "dimension"),
        Param("scale", "positive", 1.0, "G: the spread of the coefficients"),
        Param("mean", "real", 0.0, "mu: a common shift of every coefficient"),
        Param("distribution", "choice", "gaussian", "law of xi",
              choices=("gaussian", "uniform", "rademacher")),
        Param("domain", "domain", "box", "F"),
        Param("radius", "positive", 1.0, "radius of F (box: [-radius, radius]^d)"),
    )
    oblivious = linear = True
    domain_choices = _DOMAINS
    instance_cls = RandomLinearInstance

    def gradient_bounds(self) -> dict | None:
        if self.distribution == "gaussian":
            return None
        m = abs(self.mean) + self.scale
        return {"G": m * math.sqrt(self.d), "G_inf": m}


class AdversarialInstance(Instance):
    """Records S = sum_t a_t while the steps are played.

    No ``linear_coefficients`` and no ``prefix_best_losses``: the coefficients
    exist only once played (engines detect these methods with ``hasattr``).
    """

    def __init__(self, *args):
        super().__init__(*args)
        self._S = np.zeros((self.runs, self.d))
        self._played = 0
        self._last = None

    @property
    def played(self) -> int:
        """How many steps have been played (recorded) so far."""
        return self._played

    def _centre(self):
        dom = self.domain
        if hasattr(dom, "center"):
            return np.broadcast_to(dom.center, (self.d,))
        return (np.broadcast_to(dom.lo, (self.d,)) + np.broadcast_to(dom.hi, (self.d,))) / 2

    def _a(self, t, x):
        owner = self.problem.name
        if t == self._played + 1:
            a = np.where(x >= self._centre(), self.problem.scale, -self.problem.scale)
            self._S += a
            self._played, self._last = t, a
            return a
        if t == self._played:
            return self._last
        raise ValueError(f"{owner}: the adaptive adversary must be played in order: step t="
                         f"{t} requested after {self._played} step(s); call reset() to replay")

    def reset(self) -> None:
        """Forget the played steps (to replay the game with another learner)."""
        self._S[:] = 0.0
        self._played, self._last, self._comp = 0, None, None

    def _loss(self, t, x):
        return rowdot(self._a(t, x), x)

    def _grad(self, t, x):
        return self._a(t, x).astype(np.float64)

    def coefficient_sum(self) -> np.ndarray:
        r""":math:`S = \sum_{t\le T} a_t` as played, shape (R, d) (after all T steps)."""
        self._require_all()
        return self._S.copy()

    def _cumulative(self, x):
        return rowdot(self._S, x)

    def _comparator(self):
        return linear_comparator(self.domain, self.coefficient_sum())

    def _require_all(self):
        if self._played != self.T:
            raise ValueError(f"{self.problem.name}: the comparator of the adaptive adversary "
                             f"is known only after all T={self.T} steps were played "
                             f"({self._played} so far)")

    def cumulative_loss(self, theta):
        self._require_all()
        return super().cumulative_loss(theta)

    def comparator(self):
        self._require_all()
        return super().comparator()


class AdversarialLinear(Problem):
    r"""Adaptive sign adversary on linear losses; see the module docstring."""

    params_spec = (
        Param("d", "int", 10, "dimension"),
        Param("scale", "positive", 1.0, "G: |a_{t,i}| = G"),
        Param("domain", "domain", "box", "F"),
        Param("radius", "positive", 1.0, "radius of F (box: [-radius, radius]^d)"),
    )
    linear = adaptive = True
    domain_choices = _DOMAINS
    instance_cls = AdversarialInstance

    def gradient_bounds(self) -> dict:
        return {"G": self.scale * math.sqrt(self.d), "G_inf": self.scale}


_HAZAN = "Hazan, Introduction to Online Convex Optimization (2016), Section 3"
register("linear-random", RandomLinear,
         summary="f_t(x) = <a_t, x>, a_t i.i.d. (gaussian, uniform or rademacher)",
         source=f"{_HAZAN} (Theorem 3.2: the random-sign lower bound)")
register("linear-adversarial", AdversarialLinear,
         summary="f_t(x) = <a_t, x>, a_t = G sign(theta_t - c) chosen after seeing theta_t",
         source=f"{_HAZAN}; an adaptive (non-oblivious) adversary of our own design")
