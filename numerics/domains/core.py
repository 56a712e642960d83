r"""Helpers of :mod:`adamlab.numerics.domains`: argument validation and the secular equation.

The secular equation :math:`\sum_i \mathrm{num}_i^2/(w_i+\lambda)^2 = r^2` gives
both the weighted projection onto an L2 ball (:class:`~.domains.L2Ball`) and
the ball-constrained Newton model of :mod:`~.comparator`; see the docstring of
:mod:`adamlab.numerics.domains` for the method.
"""
from __future__ import annotations

import numbers
from typing import Any

import numpy as np

_EPS = np.finfo(np.float64).eps


def as_points(owner: str, name: str, x: Any, d: int | None) -> np.ndarray:
    """Validate a point array of shape (d,) or (R, d) (float32/float64, finite)."""
    if isinstance(x, (list, tuple)):
        x = np.asarray(x, dtype=np.float64)
    if not isinstance(x, np.ndarray):
        raise TypeError(f"{owner}: {name} must be a float array of shape (d,) or (R, d); "
                        f"got {type(x).__name__}")
    if x.dtype not in (np.float32, np.float64):
        if x.dtype.kind in "iu":
            x = x.astype(np.float64)
        else:
            raise TypeError(f"{owner}: {name} must have dtype float32 or float64; got {x.dtype}")
    if x.ndim not in (1, 2) or x.size == 0:
        raise ValueError(f"{owner}: {name} must be a non-empty array of shape (d,) or (R, d); "
                         f"got shape {x.shape}")
    if d is not None and x.shape[-1] != d:
        raise ValueError(f"{owner}: {name} has {x.shape[-1]} coordinates but the domain has "
                         f"d = {d}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{owner}: {name} must be finite; found NaN or inf")
    return x


def real_scalar(owner: str, name: str, value: Any, *, positive=False, allow_inf=False,
          array=True) -> float | np.ndarray:
    """A real scalar, or (with ``array``) a 1-D real array; NaN never allowed."""
    if isinstance(value, (bool, np.bool_, str, bytes)) or value is None:
        raise TypeError(f"{owner}: {name} must be a real number"
                        f"{' or a 1-D array' if array else ''}; got {value!r}")
    if isinstance(value, numbers.Real):
        arr = np.asarray(float(value))
    else:
        try:
            arr = np.asarray(value)
        except Exception as exc:  # pragma: no cover
            raise TypeError(f"{owner}: {name} must be a real number; got {value!r}") from exc
        if arr.dtype.kind not in "fiu":
            raise TypeError(f"{owner}: {name} must be real; got dtype {arr.dtype}")
        arr = arr.astype(np.float64)
        if arr.ndim > 1 or (arr.ndim == 1 and (not array or arr.size == 0)):
            raise ValueError(f"{owner}: {name} must be a scalar"
                             f"{' or a non-empty 1-D array (one value per coordinate)' if array else ''}"
                             f"; got shape {arr.shape}")
    bad = np.isnan(arr) | (~np.isfinite(arr) if not allow_inf else False)
    if positive:
        bad = bad | ~(arr > 0)
    if np.any(bad):
        allowed = "a number > 0" if positive else "a real number"
        raise ValueError(f"{owner}: {name} must be {'finite ' if not allow_inf else ''}"
                         f"{allowed}; got {value!r}")
    return float(arr) if arr.ndim == 0 else arr


def check_d(owner: str, d: Any) -> int | None:
    if d is None:
        return None
    if isinstance(d, bool) or not isinstance(d, numbers.Integral):
        raise TypeError(f"{owner}: d must be an int >= 1 or None; got {d!r}")
    if d < 1:
        raise ValueError(f"{owner}: d must be an int >= 1; got {d}")
    return int(d)


def dim_of(owner: str, d: int | None, *arrays) -> int | None:
    for a in arrays:
        if isinstance(a, np.ndarray):
            if d is not None and a.size != d:
                raise ValueError(f"{owner}: got {a.size} per-coordinate values but d = {d} "
                                 f"(mismatched dimensions)")
            d = a.size
    return d


def rowdot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=-1)   # row by row: the same bits whatever the batch size


def secular_root(num: np.ndarray, w: np.ndarray, radius: float, maxiter: int = 200):
    r"""Solve :math:`\sum_i \mathrm{num}_i^2/(w_i+\lambda)^2 = r^2` for :math:`\lambda \ge 0`, per row.

    Rows must satisfy :math:`\sum_{i:w_i>0} (\mathrm{num}_i/w_i)^2 > r^2`
    and ``num`` = 0 where ``w`` = 0 (then the root is unique and positive).
    Safeguarded Newton on :math:`\phi^{-1/2} - 1/r` from the left end of the
    bracket (see the module docstring); returns :math:`\lambda` of shape (R,).
    Also used by the ball-constrained Newton step of the comparator, where
    ``w`` are Hessian eigenvalues and ``num`` the gradient in the eigenbasis.
    """
    num2 = num * num
    nn = np.sqrt(np.sum(num2, axis=-1))
    hi = nn / radius
    lo = np.maximum(hi - np.max(w, axis=-1), 0.0)
    lam = lo.copy()
    active = np.ones(lam.shape, dtype=bool)
    for _ in range(maxiter):
        with np.errstate(divide="ignore", invalid="ignore"):
            q = num2[active] / (w[active] + lam[active, None]) ** 2
            phi = np.sum(q, axis=-1)
            dphi = np.sum(q / (w[active] + lam[active, None]), axis=-1)  # = -phi'/2
            psi = 1.0 / np.sqrt(phi) - 1.0 / radius
            step = psi * phi ** 1.5 / dphi
        la, l0, h0 = lam[active], lo[active], hi[active]
        l0 = np.where(psi <= 0, np.maximum(l0, la), l0)
        h0 = np.where(psi >= 0, np.minimum(h0, la), h0)
        new = la - step
        bad = ~np.isfinite(new) | (new < l0) | (new > h0)
        new = np.where(bad, 0.5 * (l0 + h0), new)
        done = (np.abs(new - la) <= 2 * _EPS * np.maximum(la, _EPS)) | (h0 - l0 <= 2 * _EPS * h0)
        lam[active], lo[active], hi[active] = new, l0, h0
        idx = np.flatnonzero(active)
        active[idx[done]] = False
        if not active.any():
            break
    return lam


def weighted_ball(z: np.ndarray, w: np.ndarray, r: float) -> np.ndarray:
    """Weighted projection of rows z (all with ||z|| > r) onto the centred ball."""
    pos = w > 0
    rho2 = np.sum(np.where(pos, z * z, 0.0), axis=-1)
    out = np.empty_like(z)
    fits = rho2 <= r * r
    if np.any(fits):  # lambda* = 0: weighted coordinates stay, the rest shrink
        zf, pf = z[fits], pos[fits]
        free = np.where(pf, 0.0, zf)
        room = np.sqrt(np.maximum(r * r - rho2[fits], 0.0))[:, None]
        nfree = np.linalg.norm(free, axis=-1, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            free = np.where(nfree > room, free * (room / nfree), free)
        out[fits] = np.where(pf, zf, free)
    rest = ~fits
    if np.any(rest):
        num = w[rest] * z[rest]
        lam = secular_root(num, w[rest], r)
        x = num / (w[rest] + lam[:, None])
        n = np.linalg.norm(x, axis=-1, keepdims=True)
        out[rest] = np.where(n > r, x * (r / n), x)  # remove a last-ulp excess
    return out
