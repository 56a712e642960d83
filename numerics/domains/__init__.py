r"""Feasible sets F of online convex optimization, with exact projections.

Four domains: :class:`Unconstrained` (:math:`\mathbb R^d`), :class:`Box`
(:math:`\{x : l \le x \le u\}`), :class:`L2Ball` (:math:`\{x : \|x-c\|_2 \le r\}`)
and :class:`LinfBall` (:math:`\{x : \|x-c\|_\infty \le r\}`, a box).

Every method takes points of shape ``(R, d)`` (R runs) or ``(d,)`` and returns
the same shape; inputs are never modified.

Euclidean projection
    :math:`\Pi_F(y) = \arg\min_{x\in F}\|x - y\|_2`.
Weighted projection
    :math:`\Pi_{F,\sqrt{V}}(y) = \arg\min_{x\in F}\|V^{1/4}(x-y)\|_2
    = \arg\min_{x\in F}\sum_i w_i (x_i-y_i)^2` with ``weights``
    :math:`w = \operatorname{diag}(V)^{1/2}`: the projection of Reddi, Kale &
    Kumar, "On the Convergence of Adam and Beyond", ICLR 2018, Algorithm 2
    (AMSGrad) and its analysis (Theorem 4), where :math:`V_t =
    \operatorname{diag}(\hat v_t)` and :math:`\Pi_{F,\sqrt{V_t}}(y) =
    \arg\min_{x\in F}\|V_t^{1/4}(x-y)\|` -- so pass ``weights = sqrt(vhat)``.

    *Box*: the objective is separable, so the weighted projection is the clip
    :math:`\min(\max(y, l), u)` for every :math:`w > 0` (exact).

    *L2 ball*: with :math:`z = y - c`, if :math:`\|z\|\le r` the answer is y.
    Otherwise the KKT conditions :math:`w_i(x_i - y_i) + \lambda(x_i - c_i) = 0`,
    :math:`\lambda > 0`, :math:`\|x - c\| = r` give

    .. math:: x_i = c_i + \frac{w_i z_i}{w_i + \lambda}, \qquad
              \phi(\lambda) = \sum_i \frac{w_i^2 z_i^2}{(w_i+\lambda)^2} = r^2,

    a one-dimensional root find.  We solve it by Newton's method on
    :math:`\psi(\lambda) = \phi(\lambda)^{-1/2} - 1/r`, which is increasing and
    concave (Moré & Sorensen, "Computing a trust region step", SIAM J. Sci.
    Stat. Comput. 4(3), 1983, §2), started from the left end of the bracket
    :math:`[\max(0, \|w\circ z\|/r - \max_i w_i),\ \|w\circ z\|/r]`; the
    iterates then increase monotonically to the root and converge
    quadratically; a bisection safeguard keeps them in the bracket.  The loop
    runs until :math:`\lambda` stops changing (machine precision), vectorized
    over runs.  Zero weights are allowed: such a coordinate costs nothing to
    move, so with :math:`\lambda > 0` it goes to the centre; if the positively
    weighted coordinates already fit (:math:`\sum_{w_i>0} z_i^2 \le r^2`) they
    stay at y and the zero-weight part is projected onto the ball of the
    remaining radius (the minimizer closest to y).

Certificates used by :mod:`adamlab.numerics.comparator`:
:meth:`Domain.support` :math:`\sigma_F(v) = \max_{x\in F}\langle v, x\rangle`,
:meth:`Domain.fw_gap` (the Frank--Wolfe gap :math:`\max_{y\in F}\langle g, x-y\rangle`,
an upper bound on :math:`f(x) - \min_F f` for convex f with gradient g at x)
and :meth:`Domain.kkt_residual` (:math:`\operatorname{dist}(-g, N_F(x))`).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from .base import Domain
from .core import check_d, dim_of, real_scalar, rowdot, secular_root, weighted_ball

__all__ = ["Domain", "Unconstrained", "Box", "LinfBall", "L2Ball", "from_json",
           "secular_root"]


class Unconstrained(Domain):
    r"""No constraint, :math:`F = \mathbb R^d`."""

    name = "unconstrained"
    separable = True

    def bind(self, d: int) -> "Unconstrained":
        return Unconstrained(d)

    def to_json(self) -> dict:
        return {"kind": self.name, "d": self._d}

    diameter_2 = property(lambda self: math.inf, doc="inf")
    diameter_inf = property(lambda self: math.inf, doc="inf")

    def project(self, theta) -> np.ndarray:
        """The identity (a copy)."""
        return self._pts(theta).copy()

    def project_coords(self, theta_vals, idx) -> np.ndarray:
        return self._coords(theta_vals, idx)[0].copy()

    def support(self, v) -> np.ndarray:
        v = self._pts(v, "v")
        return np.where(np.any(v != 0, axis=-1), math.inf, 0.0)

    def argmin_linear(self, a) -> np.ndarray:
        raise ValueError("Unconstrained: a linear function has no minimizer on R^d; use a "
                         "bounded domain (Box, L2Ball, LinfBall)")

    def fw_gap(self, x, g) -> np.ndarray:
        g = self._pts(g, "g")
        self._pts(x, "x")
        return np.where(np.any(g != 0, axis=-1), math.inf, 0.0)

    def kkt_residual(self, x, g) -> np.ndarray:
        self._pts(x, "x")
        return np.linalg.norm(self._pts(g, "g"), axis=-1)


class Box(Domain):
    r"""The box :math:`\{x : l_i \le x_i \le u_i\}`; ``lo``, ``hi`` scalars or (d,) arrays.

    Infinite bounds are allowed (a half-space per coordinate); ``lo <= hi``.
    """

    name = "box"
    separable = True

    def __init__(self, lo: Any = -1.0, hi: Any = 1.0, d: int | None = None):
        owner = type(self).__name__
        lo = real_scalar(owner, "lo", lo, allow_inf=True)
        hi = real_scalar(owner, "hi", hi, allow_inf=True)
        d = dim_of(owner, check_d(owner, d), lo, hi)
        if np.any(np.asarray(lo) > np.asarray(hi)) or np.any(np.asarray(lo) == math.inf) \
                or np.any(np.asarray(hi) == -math.inf):
            raise ValueError(f"{owner}: lo must be <= hi (and lo < inf, hi > -inf) in every "
                             f"coordinate; got lo={lo!r}, hi={hi!r}")
        super().__init__(d)
        self.lo, self.hi = lo, hi
        self.bounded = bool(np.all(np.isfinite(lo)) and np.all(np.isfinite(hi)))

    def bind(self, d: int) -> "Box":
        return Box(self.lo, self.hi, d)

    def to_json(self) -> dict:
        conv = lambda v: v if isinstance(v, float) else v.tolist()  # noqa: E731
        return {"kind": self.name, "lo": conv(self.lo), "hi": conv(self.hi), "d": self._d}

    @property
    def diameter_inf(self) -> float:
        return float(np.max(np.asarray(self.hi) - np.asarray(self.lo)))

    @property
    def diameter_2(self) -> float:
        width = np.asarray(self.hi) - np.asarray(self.lo)
        if width.ndim == 0:
            return float(width) * math.sqrt(self._need_d("diameter_2"))
        return float(np.linalg.norm(width))

    def project(self, theta) -> np.ndarray:
        """The clip :math:`\\min(\\max(\\theta, l), u)` (exact)."""
        return np.clip(self._pts(theta), self.lo, self.hi)

    def project_coords(self, theta_vals, idx) -> np.ndarray:
        v, i = self._coords(theta_vals, idx)
        lo = self.lo[i] if isinstance(self.lo, np.ndarray) else self.lo
        hi = self.hi[i] if isinstance(self.hi, np.ndarray) else self.hi
        return np.clip(v, lo, hi)

    def support(self, v) -> np.ndarray:
        v = self._pts(v, "v")
        with np.errstate(invalid="ignore"):
            terms = np.where(v > 0, v * self.hi, np.where(v < 0, v * self.lo, 0.0))
        return np.sum(terms, axis=-1)

    def argmin_linear(self, a) -> np.ndarray:
        a = self._pts(a, "a")
        if not self.bounded:
            raise ValueError("Box: argmin_linear needs finite lo and hi")
        centre = np.broadcast_to((np.asarray(self.lo) + np.asarray(self.hi)) / 2, a.shape)
        return np.where(a > 0, self.lo, np.where(a < 0, self.hi, centre)).astype(a.dtype)

    def fw_gap(self, x, g) -> np.ndarray:
        # per coordinate g_i (x_i - l_i) if g_i > 0, g_i (x_i - u_i) if g_i < 0: each >= 0
        x, g = self._pts(x, "x"), self._pts(g, "g")
        with np.errstate(invalid="ignore"):
            terms = np.where(g > 0, g * (x - self.lo), np.where(g < 0, g * (x - self.hi), 0.0))
        return np.sum(np.maximum(terms, 0.0), axis=-1)

    def kkt_residual(self, x, g) -> np.ndarray:
        x, g = self._pts(x, "x"), self._pts(g, "g")
        at_lo, at_hi = x <= self.lo, x >= self.hi
        r = np.where(at_lo & at_hi, 0.0, np.where(at_lo, np.maximum(-g, 0.0),
                                                  np.where(at_hi, np.maximum(g, 0.0), g)))
        return np.linalg.norm(r, axis=-1)


class LinfBall(Box):
    r"""The L-infinity ball :math:`\{x : \|x - c\|_\infty \le r\}` (a box)."""

    name = "linf_ball"

    def __init__(self, radius: Any = 1.0, center: Any = 0.0, d: int | None = None):
        owner = type(self).__name__
        r = real_scalar(owner, "radius", radius, positive=True, array=False)
        c = real_scalar(owner, "center", center)
        super().__init__(c - r, c + r, dim_of(owner, check_d(owner, d), c))
        self.radius, self.center = r, c

    def bind(self, d: int) -> "LinfBall":
        return LinfBall(self.radius, self.center, d)

    def to_json(self) -> dict:
        c = self.center if isinstance(self.center, float) else self.center.tolist()
        return {"kind": self.name, "radius": self.radius, "center": c, "d": self._d}


class L2Ball(Domain):
    r"""The Euclidean ball :math:`\{x : \|x - c\|_2 \le r\}`."""

    name = "l2_ball"
    bounded = True

    def __init__(self, radius: Any = 1.0, center: Any = 0.0, d: int | None = None):
        owner = type(self).__name__
        self.radius = real_scalar(owner, "radius", radius, positive=True, array=False)
        self.center = real_scalar(owner, "center", center)
        super().__init__(dim_of(owner, check_d(owner, d), self.center))

    def bind(self, d: int) -> "L2Ball":
        return L2Ball(self.radius, self.center, d)

    def to_json(self) -> dict:
        c = self.center if isinstance(self.center, float) else self.center.tolist()
        return {"kind": self.name, "radius": self.radius, "center": c, "d": self._d}

    diameter_2 = property(lambda self: 2.0 * self.radius, doc="2 r")
    diameter_inf = property(lambda self: 2.0 * self.radius, doc="2 r (attained along an axis)")

    def project(self, theta) -> np.ndarray:
        r""":math:`c + (\theta - c)\min(1, r/\|\theta - c\|)`."""
        x = self._pts(theta)
        z = x - self.center
        n = np.linalg.norm(z, axis=-1, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.where(n > self.radius, self.radius / n, 1.0)
        return (self.center + z * scale).astype(x.dtype, copy=False)

    def project_weighted(self, theta, weights) -> np.ndarray:
        x = self._pts(theta)
        w = self._weights(weights, x)
        z = (x - self.center).astype(np.float64)
        out = np.array(x, dtype=np.float64, copy=True)
        rows = np.linalg.norm(z, axis=-1) > self.radius
        if x.ndim == 1:
            if rows:
                out = self.center + weighted_ball(z[None], w[None], self.radius)[0]
        elif np.any(rows):
            out[rows] = self.center + weighted_ball(z[rows], w[rows], self.radius)
        return out.astype(x.dtype, copy=False)

    def support(self, v) -> np.ndarray:
        v = self._pts(v, "v")
        return rowdot(v, np.broadcast_to(self.center, v.shape)) + \
            self.radius * np.linalg.norm(v, axis=-1)

    def argmin_linear(self, a) -> np.ndarray:
        a = self._pts(a, "a")
        n = np.linalg.norm(a, axis=-1, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.where(n > 0, -self.radius * a / n, 0.0)
        return (self.center + step).astype(a.dtype, copy=False)

    def kkt_residual(self, x, g) -> np.ndarray:
        x, g = self._pts(x, "x"), self._pts(g, "g")
        z = x - self.center
        n = np.linalg.norm(z, axis=-1, keepdims=True)
        on = n >= self.radius * (1 - 1e-12)
        with np.errstate(divide="ignore", invalid="ignore"):
            u = np.where(n > 0, z / n, 0.0)
        gu = rowdot(g, u)[..., None]
        tangential = np.linalg.norm(g - gu * u, axis=-1)
        full = np.linalg.norm(g, axis=-1)
        return np.where(on[..., 0] & (gu[..., 0] < 0), tangential, full)


def from_json(spec: dict) -> Domain:
    """Rebuild a domain from :meth:`Domain.to_json`."""
    if not isinstance(spec, dict) or "kind" not in spec:
        raise TypeError("from_json: spec must be a dict with a 'kind' key")
    kw = {k: (np.asarray(v, dtype=np.float64) if isinstance(v, list) else v)
          for k, v in spec.items() if k != "kind"}
    kinds = {"unconstrained": Unconstrained, "box": Box, "linf_ball": LinfBall,
             "l2_ball": L2Ball}
    if spec["kind"] not in kinds:
        raise ValueError(f"from_json: unknown domain kind {spec['kind']!r} "
                         f"(known: {', '.join(kinds)})")
    return kinds[spec["kind"]](**kw)
