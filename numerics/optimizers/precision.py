r"""Low-precision storage: any optimizer with params and state stored in float16/bfloat16/float32.

:class:`LowPrecision` (build it with :func:`low_precision`) wraps an inner optimizer
:math:`A` and reuses its update rule unchanged (one definition).  Step t is

1. the stored params :math:`\theta` and every float array of the stored state are cast
   to the *accumulator* dtype (``accumulate``: float32 or float64) -- exact, since every
   storage value is representable there;
2. the inner optimizer's own :meth:`~._core.Optimizer.update` runs in that dtype and gives
   :math:`\theta + \Delta` and its new state;
3. the new params and every float array of the new inner state are rounded to the
   *storage* dtype (``storage``: ``"float16"``, ``"bfloat16"`` -- needs ml_dtypes -- or
   ``"float32"``) by ``rounding``: ``"nearest"`` (IEEE round to nearest even, NumPy's
   cast) or ``"stochastic"`` (below).

**Representation.**  NumPy optimizers take float32/float64 arrays only, so stored values
travel as arrays of the caller's dtype (float64 in :func:`adamlab.numerics.simulate.run`)
whose entries are exactly storage-dtype values.  Params that reach :meth:`update` off the
storage grid (the initial point, or a projection :math:`\Pi_F` of the simulator) are first
rounded to the storage grid by round-to-nearest (a no-op for stored values).  The inner
state is held in the accumulator dtype with storage-grid entries.  Integer fields and
non-array fields (the step counter) are not rounded.

**Stochastic rounding** (exact, on the accumulator values): ``y = x.astype(storage)`` is
the nearest storage value; if ``y == x`` the value is kept (representable values are
exact).  Otherwise the two neighbours are ``lo < x < hi`` with the other neighbour found
by ``np.nextafter`` in the storage dtype, and ``hi`` is chosen with probability
:math:`(x - lo)/(hi - lo)` (computed in float64, where ``x - lo`` and ``hi - lo`` are
exact), so :math:`E[\mathrm{round}(x)] = x`.  The uniforms come from
``np.random.default_rng([seed, t, k])`` for step t and the k-th rounded array: a pure
function of (``seed``, step), so the same seed gives the same bits.  A value whose
nearest storage value overflows to :math:`\pm\infty` is rounded to it (overflow).

**Kahan-compensated params** (``kahan=True``): with :math:`\Delta = (\theta+\Delta) -
\theta` from the inner step and the compensation c (kept in the state in the
*accumulator* dtype: it holds the sub-ulp remainder, which the storage dtype would
flush or round), in the accumulator dtype

.. math::  s = \theta + (\Delta + c), \qquad \theta' = \mathrm{round}(s), \qquad
           c' = s - \theta' .

**Counters** (in the state): ``flushed`` (R, d) counts, per coordinate, the steps whose
stored update :math:`\theta' - \theta` is zero while the accumulator update
:math:`\Delta` is not (with ``kahan=True`` or stochastic rounding such an update is
*deferred* -- kept in the compensation or made up for in expectation -- rather than lost);
``stalled`` (R, d) counts the steps at which some (R, d) state array (a moment) moved in
the accumulator but its stored value did not (e.g. bfloat16's :math:`\beta_2 v` rounds
back to v when :math:`1-\beta_2 < u/2`, so v never decays); ``nonfinite`` (R, 1) is the
first step at which a run's params or state became non-finite (0: never).

**Non-finite steps** (``nonfinite``): ``"raise"`` (default) keeps the guards of
:meth:`~._core.Optimizer.update` -- a non-finite result raises ValueError.
``"freeze"`` records the step in ``state.nonfinite`` and keeps that run's previous params
and state from then on (so a simulation goes on, e.g. for
:func:`adamlab.numerics.precision_report.compare`); the inner rule then runs as its bare
``step_rule`` (in NumPy, under ``np.errstate``) so a non-finite result is seen per run
rather than raised.

Not listed in the registry: the shared registry tests require an exact-arithmetic
reference for every listed name, and float16/bfloat16 storage has only the "float"
arithmetic backend.  Its class is *declared* (:func:`~._registry.declare`) as a wrapper,
so the run statistics (the second moment, beta1) and the constants of the bounds are
read through ``inner`` as for Lookahead; it declares no lazy_sparse/oblivious_scan/kernel
capability, so :func:`~adamlab.numerics.simulate.run` plays it with the dense engine.
"""
from __future__ import annotations

import numbers
from typing import Any, NamedTuple

import numpy as np

from ._core import Resolved
from ._registry import declare
from .wrapping import Wrapper
from .hparams import HParam

STORAGE = ("float16", "bfloat16", "float32")
ACCUMULATE = ("float32", "float64")
ROUNDING = ("nearest", "stochastic")
NONFINITE = ("raise", "freeze")


def storage_dtype(name: str) -> np.dtype:
    """The NumPy dtype of a storage name (bfloat16 from ml_dtypes)."""
    if name not in STORAGE:
        raise ValueError(f"storage must be one of {', '.join(map(repr, STORAGE))}; "
                         f"got {name!r}")
    if name == "bfloat16":
        try:
            import ml_dtypes
        except ImportError:
            raise ValueError("storage='bfloat16' needs the ml_dtypes package "
                             "(a dependency of adamlab: pip install 'ml_dtypes>=0.4')") from None
        return np.dtype(ml_dtypes.bfloat16)
    return np.dtype(name)


def unit_roundoff(name: str) -> float:
    r"""The unit roundoff :math:`u = 2^{-p}` of a storage name (p: the significand's bits,
    the implicit one included): the largest relative error of round to nearest in the
    normal range (Higham, *Accuracy and Stability of Numerical Algorithms*, 2nd ed.,
    2002, Thm 2.2): :math:`2^{-24}` (float32), :math:`2^{-11}` (float16), :math:`2^{-8}`
    (bfloat16)."""
    dt = storage_dtype(name)
    if name == "bfloat16":
        import ml_dtypes
        return float(ml_dtypes.finfo(dt).eps) / 2
    return float(np.finfo(dt).eps) / 2


def round_to(x: np.ndarray, storage: np.dtype, rounding: str = "nearest",
             rng: np.random.Generator | None = None) -> np.ndarray:
    """``x`` (a float32/float64 array) rounded to the storage dtype, returned in
    ``x.dtype``: round-to-nearest-even, or stochastic rounding with uniforms from ``rng``
    (see the module docs)."""
    x = np.asarray(x)
    with np.errstate(over="ignore", invalid="ignore"):
        y = x.astype(storage)
        near = y.astype(x.dtype)
    if rounding == "nearest":
        return near
    if rng is None:
        raise ValueError("round_to: rounding='stochastic' needs rng")
    inexact = np.isfinite(near) & (near != x)
    u = rng.random(x.shape)
    if not inexact.any():
        return near
    with np.errstate(over="ignore", invalid="ignore"):
        up = near < x                               # y is the lower neighbour
        towards = np.where(up, np.inf, -np.inf).astype(storage)
        other = np.nextafter(y, towards).astype(np.float64)
        n64, x64 = near.astype(np.float64), x.astype(np.float64)
        lo, hi = np.where(up, n64, other), np.where(up, other, n64)
        p_hi = (x64 - lo) / (hi - lo)
        pick = np.where(u < p_hi, hi, lo).astype(x.dtype)
    return np.where(inexact, pick, near)


class LowPrecisionState(NamedTuple):
    step: int
    inner: Any              # the inner optimizer's state, storage-grid values, acc dtype
    comp: np.ndarray        # Kahan compensation c (R, d), accumulator dtype (zeros if off)
    flushed: np.ndarray     # (R, d) int64: steps whose stored update rounded to 0
    nonfinite: np.ndarray   # (R, 1) int64: first non-finite step (0: never)
    stalled: np.ndarray     # (R, d) int64: steps where a state entry's update rounded away


def _map_arrays(state, fn):
    """Apply ``fn`` to every float ndarray of a (possibly nested) NamedTuple state."""
    fields = []
    for value in state:
        if isinstance(value, tuple) and hasattr(value, "_fields"):
            value = _map_arrays(value, fn)
        elif isinstance(value, np.ndarray) and value.dtype.kind == "f":
            value = fn(value)
        fields.append(value)
    return type(state)(*fields)


def _float_arrays(state):
    out = []
    for value in state:
        if isinstance(value, tuple) and hasattr(value, "_fields"):
            out.extend(_float_arrays(value))
        elif isinstance(value, np.ndarray) and value.dtype.kind == "f":
            out.append(value)
    return out


def _stalled(old, unrounded, stored, shape) -> np.ndarray:
    """(R, d) 0/1: some (R, d) float state array's update was nonzero in the accumulator
    but its stored value equals the old one (the update rounded away)."""
    out = np.zeros(shape, dtype=bool)
    with np.errstate(invalid="ignore"):
        for a, b, c in zip(_float_arrays(old), _float_arrays(unrounded),
                           _float_arrays(stored)):
            if a.shape == shape and b.shape == shape and c.shape == shape:
                out |= (c == a) & (b != a)
    return out.astype(np.int64)


def _select(mask, new, old):
    """Per-run choice between two states/arrays: ``new`` where mask (R,) is False."""
    if isinstance(new, tuple) and hasattr(new, "_fields"):
        return type(new)(*(_select(mask, a, b) for a, b in zip(new, old)))
    if isinstance(new, np.ndarray) and new.ndim == 2 and new.shape[0] == mask.shape[0]:
        return np.where(mask[:, None], old, new)
    return new


class LowPrecision(Wrapper):
    __doc__ = __doc__
    name = "lowp"
    hparams = (
        HParam("optimizer", "optimizer", "inner optimizer: a registry name or an Optimizer"),
        HParam("storage", "choice", "dtype params and state are stored in", choices=STORAGE),
        HParam("accumulate", "choice", "dtype each update is computed in",
               choices=ACCUMULATE),
        HParam("rounding", "choice", "rounding of stored values", choices=ROUNDING),
        HParam("kahan", "bool", "Kahan-compensated parameter updates"),
        # an int >= 0, validated in _check_hyper ("optimizer" kind: passed through)
        HParam("seed", "optimizer", "seed of the stochastic rounding (an int >= 0)"),
        HParam("nonfinite", "choice", "'raise' or 'freeze' the run on a non-finite step",
               choices=NONFINITE),
    )
    defaults = dict(optimizer="adam", storage="float16", accumulate="float32",
                    rounding="nearest", kahan=False, seed=0, nonfinite="raise")
    State = LowPrecisionState

    def _check_hyper(self) -> None:
        self._resolve_inner()
        seed = self.hyper["seed"]
        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
            raise TypeError(f"{self.name}: seed must be an int >= 0; got {seed!r}")
        if seed < 0:
            raise ValueError(f"{self.name}: seed must be an int >= 0; got {seed!r}")
        self.hyper["seed"] = int(seed)
        try:
            self.storage = storage_dtype(self.hyper["storage"])
        except ValueError as exc:
            raise ValueError(f"{self.name}: {exc}") from None
        self.acc = np.dtype(self.hyper["accumulate"])

    def _init(self, p):
        if p.dtype.kind == "O":
            raise TypeError(f"{self.name}: params must be float32/float64 (low precision "
                            f"storage has only the float arithmetic backend)")
        pa = round_to(p.astype(self.acc), self.storage)
        inner = _map_arrays(self.inner.init(pa),
                            lambda a: round_to(a.astype(self.acc), self.storage))
        R, d = p.shape
        return LowPrecisionState(0, inner, np.zeros((R, d), self.acc),
                                 np.zeros((R, d), np.int64), np.zeros((R, 1), np.int64),
                                 np.zeros((R, d), np.int64))

    def _rounder(self, t):
        if self.hyper["rounding"] == "nearest":
            return lambda a: round_to(a, self.storage)
        seed, k = self.hyper["seed"], iter(range(1 << 30))
        return lambda a: round_to(a, self.storage, "stochastic",
                                  np.random.default_rng([seed, t, next(k)]))

    def _step(self, g, p, s, h):
        t, out_dtype = h.t, p.dtype
        freeze = self.hyper["nonfinite"] == "freeze"
        pa = round_to(p.astype(self.acc), self.storage)
        ga = g.astype(self.acc)
        if freeze:
            hi = Resolved(self.inner, t, p.shape[0], self.acc)
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                new_a, inner = self.inner.step_rule(ga, pa, s.inner, hi)
            new_a = np.asarray(new_a, dtype=self.acc)
        else:
            new_a, inner = self.inner.update(ga, s.inner, pa)
        rnd = self._rounder(t)
        with np.errstate(over="ignore", invalid="ignore"):
            delta = new_a - pa
            if self.hyper["kahan"]:
                acc_sum = pa + (delta + s.comp)
                new_p = rnd(acc_sum)
                comp = acc_sum - new_p
                comp = np.where(np.isfinite(comp), comp, 0).astype(self.acc)
            else:
                new_p, comp = rnd(new_a), s.comp
        unrounded = inner
        inner = _map_arrays(inner, rnd)
        flushed = s.flushed + ((new_p == pa) & (delta != 0))
        stalled = s.stalled + _stalled(s.inner, unrounded, inner, p.shape)
        nonfinite = s.nonfinite
        if freeze:
            bad = ~np.all(np.isfinite(new_p), axis=1)
            for a in _float_arrays(inner):
                if a.ndim == 2 and a.shape[0] == p.shape[0]:
                    bad |= ~np.all(np.isfinite(a), axis=1)
            bad |= s.nonfinite[:, 0] > 0          # frozen runs stay frozen
            nonfinite = np.where((s.nonfinite == 0) & bad[:, None], t, s.nonfinite)
            if bad.any():
                new_p = np.where(bad[:, None], pa, new_p)
                inner = _select(bad, inner, s.inner)
                comp = np.where(bad[:, None], s.comp, comp)
                flushed = np.where(bad[:, None], s.flushed, flushed)
                stalled = np.where(bad[:, None], s.stalled, stalled)
        else:
            nonfinite = np.where((s.nonfinite == 0) & ~np.all(np.isfinite(new_p), axis=1,
                                                               keepdims=True),
                                 t, s.nonfinite)
        return new_p.astype(out_dtype), LowPrecisionState(s.step + 1, inner, comp,
                                                          flushed, nonfinite, stalled)


declare("lowp", LowPrecision, wraps=True,
        summary="any optimizer with params and state stored in float16/bfloat16/float32",
        source="adamlab (no paper): storage rounding, stochastic rounding, Kahan summation")


def low_precision(optimizer: Any = "adam", *, storage: str = "float16",
                  accumulate: str = "float32", rounding: str = "nearest",
                  kahan: bool = False, seed: int = 0, nonfinite: str = "raise"
                  ) -> LowPrecision:
    """``optimizer`` (a registry name or an Optimizer) with params and state stored in
    ``storage`` and each update computed in ``accumulate``; see :class:`LowPrecision`.
    The result is an Optimizer that :func:`adamlab.numerics.simulate.run` accepts."""
    return LowPrecision(optimizer=optimizer, storage=storage, accumulate=accumulate,
                        rounding=rounding, kahan=kahan, seed=seed, nonfinite=nonfinite)


__all__ = ["LowPrecision", "LowPrecisionState", "low_precision", "round_to",
           "storage_dtype", "unit_roundoff", "STORAGE", "ACCUMULATE", "ROUNDING"]
