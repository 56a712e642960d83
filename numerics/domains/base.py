"""The base class of the feasible sets (see :mod:`adamlab.numerics.domains` for the
math: projections, weighted projections and the certificates)."""
from __future__ import annotations

import numbers

import numpy as np

from .core import as_points, check_d, rowdot

__all__ = ["Domain"]


class Domain:
    """A closed convex feasible set F; see the module docstring for the math."""

    name = "domain"
    separable = False
    bounded = False

    def __init__(self, d: int | None = None):
        self._d = check_d(type(self).__name__, d)

    @property
    def d(self) -> int | None:
        """The dimension, or None when the domain applies to any d."""
        return self._d

    # -- to be provided by subclasses ----------------------------------------
    def bind(self, d: int) -> "Domain":
        """This domain in dimension ``d`` (checks that per-coordinate data fit)."""
        raise NotImplementedError  # pragma: no cover

    def to_json(self) -> dict:
        raise NotImplementedError  # pragma: no cover

    # -- shared ---------------------------------------------------------------
    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.to_json().items() if k != "kind")
        return f"{type(self).__name__}({args})"

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and self.to_json() == other.to_json()

    def __hash__(self) -> int:
        return hash(repr(self))

    def _pts(self, x, name="theta") -> np.ndarray:
        return as_points(f"{type(self).__name__}", name, x, self._d)

    def _need_d(self, what: str) -> int:
        if self._d is None:
            raise ValueError(f"{type(self).__name__}: {what} depends on the dimension; bind "
                             f"the domain first with .bind(d) (d is None)")
        return self._d

    @property
    def diameter_2(self) -> float:
        r""":math:`\max_{x,y\in F}\|x-y\|_2` (``inf`` when unbounded)."""
        raise NotImplementedError  # pragma: no cover

    @property
    def diameter_inf(self) -> float:
        r""":math:`\max_{x,y\in F}\|x-y\|_\infty` (``inf`` when unbounded)."""
        raise NotImplementedError  # pragma: no cover

    def project_weighted(self, theta, weights) -> np.ndarray:
        r""":math:`\arg\min_{x\in F}\sum_i w_i(x_i-\theta_i)^2`, ``weights`` :math:`w \ge 0`.

        ``weights`` has the shape of ``theta`` or broadcasts to it ((d,),
        (R, 1), scalar).  For a separable domain this equals :meth:`project`.
        """
        x = self._pts(theta)
        self._weights(weights, x)
        return self.project(x)

    def _weights(self, weights, x: np.ndarray) -> np.ndarray:
        owner = type(self).__name__
        if isinstance(weights, numbers.Real) and not isinstance(weights, bool):
            w = np.asarray(float(weights))
        elif isinstance(weights, (np.ndarray, list, tuple)):
            w = np.asarray(weights)
            if w.dtype.kind not in "fiu":
                raise TypeError(f"{owner}: weights must be real; got dtype {w.dtype}")
            w = w.astype(np.float64)
        else:
            raise TypeError(f"{owner}: weights must be a real array (e.g. sqrt(vhat)); "
                            f"got {type(weights).__name__}")
        try:
            w = np.broadcast_to(w, x.shape)
        except ValueError:
            raise ValueError(f"{owner}: weights of shape {np.shape(weights)} do not broadcast "
                             f"to theta's shape {x.shape} (mismatched dimensions)") from None
        if not np.all(np.isfinite(w)) or np.any(w < 0):
            raise ValueError(f"{owner}: weights must be finite and >= 0")
        return w

    def project_coords(self, theta_vals, idx) -> np.ndarray:
        """Project the selected coordinates ``theta[..., idx]`` given as ``theta_vals``.

        Only for separable domains (box, L-inf ball, unconstrained): the
        sparse path projects the coordinates it touches and nothing else.
        ``theta_vals`` and ``idx`` have the same shape, (k,) or (R, k).
        """
        raise ValueError(f"{type(self).__name__} is not separable: project_coords needs a "
                         f"box, an L-inf ball or no constraint; use project() on the full "
                         f"vector")

    def _coords(self, theta_vals, idx):
        owner = type(self).__name__
        v = as_points(owner, "theta_vals", theta_vals, None)
        i = np.asarray(idx)
        if i.dtype.kind not in "iu":
            raise TypeError(f"{owner}: idx must be an integer array; got dtype {i.dtype}")
        if i.shape != v.shape:
            raise ValueError(f"{owner}: idx shape {i.shape} must equal theta_vals shape "
                             f"{v.shape} (mismatched dimensions)")
        if self._d is not None and i.size and (i.min() < 0 or i.max() >= self._d):
            raise ValueError(f"{owner}: idx must lie in [0, d) = [0, {self._d})")
        return v, i

    def contains(self, theta, rtol: float = 1e-12) -> np.ndarray:
        """Per row, whether theta lies in F up to a relative tolerance ``rtol``."""
        x = self._pts(theta)
        p = self.project(x)
        scale = 1.0 + np.max(np.abs(x), axis=-1)
        return np.max(np.abs(p - x), axis=-1) <= rtol * scale

    def support(self, v) -> np.ndarray:
        r"""The support function :math:`\sigma_F(v) = \max_{x\in F}\langle v, x\rangle` per row."""
        raise NotImplementedError  # pragma: no cover

    def argmin_linear(self, a) -> np.ndarray:
        r"""A minimizer of :math:`\langle a, x\rangle` over F (closed form; ties -> the centre)."""
        raise NotImplementedError  # pragma: no cover

    def fw_gap(self, x, g) -> np.ndarray:
        r"""Frank--Wolfe gap :math:`\max_{y\in F}\langle g, x-y\rangle \ge f(x)-\min_F f` (convex f)."""
        x, g = self._pts(x), self._pts(g, "g")
        return np.maximum(rowdot(g, x) + self.support(-g), 0.0)

    def kkt_residual(self, x, g) -> np.ndarray:
        r""":math:`\operatorname{dist}_2(-g, N_F(x))`: 0 exactly at a minimizer (convex f)."""
        raise NotImplementedError  # pragma: no cover
