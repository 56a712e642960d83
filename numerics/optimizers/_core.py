r"""Shared machinery of the optimizers: the base class, batching, immutability, steps.

Hyperparameter declarations and their validation are :mod:`.hparams`.

Every optimizer is a pure update rule over arrays whose leading axis is the
*run*: ``params`` of shape ``(R, d)`` are R independent runs of d coordinates
(a 1-D array of shape ``(d,)`` is a single run).  An optimizer offers

* ``init(params) -> state``: a NamedTuple whose field ``step`` counts the
  updates made so far (0 after ``init``) and whose arrays have shape
  ``(R, d)`` (or ``(R, 1)`` for per-run scalars);
* ``update(grads, state, params) -> (new_params, new_state)``: one step
  :math:`t = \mathrm{step} + 1`.  Nothing the caller passed is modified.

Hyperparameters are scalars, arrays broadcastable to ``(R, 1)`` (a 1-D array
of length R is read as one value per run), or -- where the entry says so --
callables of the 1-based step t, e.g. :class:`~.schedules.InverseSqrt` for
:math:`\alpha_t = \alpha/\sqrt{t}`.  A callable's value is validated at every
step like a constant would be.

Computation happens in the dtype of ``params`` (float64 by default, float32
on request); ``grads`` must share it.
"""
from __future__ import annotations

import difflib
import numbers
from fractions import Fraction
from typing import Any, NamedTuple

import numpy as np

from ._guards import check_subnormal, moments_finite

from .arith import (FLOAT, FLOAT_DTYPES, arith_of, arith_of_values, for_dtype,
                    is_scalar_zero)
from .hparams import HParam, Scheduled, check_numeric, runs_of, validate_hparam
from .kernels import compiled_step

def as_params(owner: str, params: Any, name: str = "params", finite: bool = True) -> np.ndarray:
    """Return ``params`` as a read-only-safe 2-D float array ``(R, d)`` (checked to be
    finite unless ``finite=False``: then the caller checks)."""
    if isinstance(params, np.ndarray):
        arr = params
    elif isinstance(params, (list, tuple)) or isinstance(params, numbers.Real):
        arr = np.asarray(params, dtype=np.float64) if not isinstance(params, bool) else None
        if arr is None:
            raise TypeError(f"{owner}: {name} must be a float32/float64 array, got bool")
    else:
        raise TypeError(f"{owner}: {name} must be a NumPy float32 or float64 array of "
                        f"shape (d,) or (R, d); got {type(params).__name__}")
    if arr.dtype not in FLOAT_DTYPES and arr.dtype.kind != "O":
        raise TypeError(f"{owner}: {name} must have dtype float32 or float64 (or be an "
                        f"object array of mpmath.mpf or Fraction values); got {arr.dtype}")
    if arr.ndim not in (1, 2) or arr.size == 0:
        raise ValueError(f"{owner}: {name} must be a non-empty array of shape (d,) or "
                         f"(R, d); got shape {arr.shape}")
    if arr.dtype.kind == "O":
        try:
            arith = arith_of(arr)
        except TypeError as exc:
            raise TypeError(f"{owner}: {name}: {exc}") from None
        if not arith.check_elements(arr):
            raise TypeError(f"{owner}: {name} mixes value types; every entry must be "
                            f"{arith.scalar.__name__} (see optimizers.arith.to_mpmath)")
        if finite and not arith.all_finite(arr):
            raise ValueError(f"{owner}: {name} must be finite; found NaN or inf")
    elif finite and not np.all(np.isfinite(arr)):
        raise ValueError(f"{owner}: {name} must be finite; found NaN or inf")
    return arr.reshape(1, -1) if arr.ndim == 1 else arr


def safe_div(num, den, arith=None):
    r"""``num / den`` with the convention :math:`0/0 = 0`.

    With :math:`\epsilon = 0` a coordinate whose gradients have all been zero
    has :math:`m = v = 0`; its step is defined as 0 (it has not moved).  A
    nonzero numerator over a zero denominator (``g**2`` underflowed) stays
    infinite, and :meth:`Optimizer.update` reports it instead of moving.
    ``arith`` is the backend (:mod:`.arith`); by default that of the arguments.
    """
    return (arith or arith_of_values(num, den)).safe_div(num, den)


def bias_correction(beta, t: int, arith=None):
    r"""Return :math:`1 - \beta^t` without cancellation or overflow.

    Computed as :math:`-\operatorname{expm1}(t \log \beta)`, which keeps full
    relative precision when :math:`\beta` is close to 1 and t is small, and
    tends to 1 (never overflows) for very large t.  :math:`\beta = 0` gives 1.
    ``beta`` is a float or an array of per-run values (see :func:`.arith.elementwise`),
    or mpmath/Fraction values (then computed by that backend of :mod:`.arith`).
    """
    return (arith or arith_of(beta)).one_minus_power(beta, t)


def _as_float(value):
    """A float (or float array) copy of a high-precision value, for range checks."""
    if isinstance(value, np.ndarray):
        return np.array([float(v) for v in value.flat]).reshape(value.shape)
    return float(value)


def split_exact(value):
    """``(float_value, exact)`` for a hyperparameter value: ``exact`` is the value itself
    when it is a Fraction, an mpmath number or an object array of them (kept for
    high-precision replays), else None.  Pairs such as ``betas`` are split per entry."""
    if isinstance(value, tuple):
        parts = [split_exact(v) for v in value]
        if all(e is None for _, e in parts):
            return value, None
        return tuple(f for f, _ in parts), tuple(e for _, e in parts)
    if isinstance(value, np.ndarray) and value.dtype.kind == "O":
        return _as_float(value), value
    if isinstance(value, Fraction) or type(value).__module__.startswith("mpmath"):
        return float(value), value
    return value, None


class Resolved:
    """The hyperparameters' values at one step t, cast for one computation.

    ``arith`` (default: from ``dtype``; object means mpmath) is the backend of
    :mod:`.arith` the values are converted to: floats as always for ``FLOAT``,
    exact conversions (and the exact values given at construction) otherwise.
    """

    def __init__(self, opt: "Optimizer", t: int, n_runs: int, dtype: np.dtype, arith=None):
        self._opt, self.t, self._n, self._dtype = opt, t, n_runs, dtype
        self.arith = arith if arith is not None else for_dtype(dtype)
        self._cache: dict[str, Any] = {}

    def __getitem__(self, name: str):
        if name not in self._cache:
            value = self._opt.hyper[name]
            if self.arith is FLOAT:
                self._cache[name] = self._resolve(name, value)
            else:
                exact = getattr(self._opt, "exact_hyper", {}).get(name)
                self._cache[name] = self._resolve_exact(name, value, exact)
        return self._cache[name]

    def _resolve_exact(self, name, value, exact):
        """A hyperparameter for a high-precision backend: the exact value given at
        construction (Fraction, mpf) when there is one, else the float converted
        exactly; a schedule's value from ``fn.at(t, arith)`` when the schedule offers
        it (e.g. :class:`~.schedules.InverseSqrt`), else from ``fn(t)``."""
        if isinstance(value, tuple):
            ex = exact if isinstance(exact, tuple) else (None,) * len(value)
            return tuple(self._resolve_exact(f"{name}[{i}]", v, e)
                         for i, (v, e) in enumerate(zip(value, ex)))
        if isinstance(value, Scheduled):
            at = getattr(value.fn, "at", None)
            out = at(self.t, self.arith) if at is not None else value.fn(self.t)
            check_numeric(self._opt.name, f"{value.name}(t={self.t})", value.kind,
                          _as_float(out))
            exact = out
        if isinstance(value, (bool, str)) or not isinstance(value, (numbers.Real, np.ndarray,
                                                                    Scheduled)):
            return value
        src = value if exact is None else exact
        if isinstance(src, np.ndarray):
            runs_of(self._opt.name, name, src, self._n)
        return self.arith.const(src)

    def _resolve(self, name, value):
        if isinstance(value, tuple):
            return tuple(self._resolve(f"{name}[{i}]", v) for i, v in enumerate(value))
        if isinstance(value, Scheduled):
            out = value.fn(self.t)
            value = check_numeric(self._opt.name, f"{value.name}(t={self.t})", value.kind, out)
        if isinstance(value, np.ndarray):
            runs_of(self._opt.name, name, value, self._n)
            return value.astype(self._dtype)
        return value


class Optimizer:
    """Base class: validation, batching and immutability; subclasses do the math.

    Subclasses set ``hparams`` (a tuple of :class:`HParam`), ``State`` (a
    NamedTuple with a first field ``step``), and implement the two hooks
    ``init_state(p)`` (the initial state for 2-D params p, ``step = 0``) and
    ``step_rule(g, p, s, h)`` returning ``(new_p, new_state)`` for 2-D arrays,
    with ``h`` a :class:`Resolved` (``h["lr"]`` a hyperparameter's value at this
    step, ``h.t`` the 1-based step).  The package's own optimizers implement
    them as ``_init``/``_step``.  The registry sets ``name``, the defaults and
    :attr:`entry` (see :func:`adamlab.numerics.optimizers.register`).
    """

    name: str = "optimizer"
    hparams: tuple[HParam, ...] = ()
    defaults: dict[str, Any] = {}
    State: type = NamedTuple
    registry_entry: Any = None   # set by the registry on the classes it builds/registers
    #: backends of :mod:`.arith` the update rule is written for: params that are
    #: object arrays of mpmath.mpf ("mpmath") or Fraction ("fraction") replay the same
    #: rule in that arithmetic, for the optimizers that list it
    arithmetics: tuple[str, ...] = ("float",)

    @property
    def entry(self):
        """The registry entry this optimizer was built from (its declared
        capabilities are ``entry.caps``), or None for an unregistered class.

        Only the exact class counts: a subclass of a registered optimizer that is
        not registered itself has no entry (and so no declared capabilities), since
        its update rule may differ."""
        return type(self).__dict__.get("registry_entry")

    def __init__(self, **hyper: Any):
        known = {hp.name: hp for hp in self.hparams}
        for key in hyper:
            if key not in known:
                close = difflib.get_close_matches(key, known, n=3)
                hint = f"; did you mean {', '.join(close)}?" if close else ""
                raise TypeError(f"{self.name}: unknown hyperparameter {key!r}{hint} "
                                f"(known: {', '.join(sorted(known))})")
        values = {**self.defaults, **hyper}
        split = {name: split_exact(v) for name, v in values.items()}
        self.hyper = {hp.name: validate_hparam(self.name, hp, split[hp.name][0])
                      for hp in self.hparams}
        #: the exact (Fraction / mpf) values given, used by high-precision replays
        self.exact_hyper = {k: e for k, (_, e) in split.items() if e is not None}
        self._check_hyper()

    def _check_hyper(self) -> None:
        """Cross-checks between hyperparameters (override where needed)."""

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self.hyper.items())
        return f"{type(self).__name__}[{self.name}]({inner})"

    # -- public API ---------------------------------------------------------
    def init(self, params: Any):
        """Return the initial state (``step = 0``) for ``params`` of shape (d,) or (R, d)."""
        p = as_params(self.name, params)
        self._check_runs(p.shape[0])
        if p.dtype.kind == "O":
            self._check_arith(arith_of(p))
        return self.init_state(p.copy())

    def update(self, grads: Any, state: Any, params: Any, *, inplace: bool = False):
        """Apply one step; return ``(new_params, new_state)`` without mutating inputs.

        ``inplace=True`` works like torch's ``step()``: the new parameters are written
        into ``params`` and the new (R, d) moments into the arrays of ``state``, which are
        returned again (``params`` must then be a writable, C-contiguous float array).
        As with torch, a step that fails in place leaves the arrays holding it: on the
        compiled path (:mod:`.kernels`) non-finite grads, params or results are found
        while the arrays are written, and the ValueError says so; the NumPy path checks
        before it writes.

        Raises ValueError (naming the argument) for bad arrays, and instead of
        returning a wrong step when the result is non-finite, or when eps = 0 and a
        coordinate moved on a subnormal squared-gradient accumulator
        (:func:`~adamlab.numerics.optimizers._guards.check_subnormal`).
        """
        if not isinstance(inplace, bool):
            raise TypeError(f"{self.name}: inplace must be True or False; got {inplace!r}")
        p = as_params(self.name, params, finite=False)
        g = as_params(self.name, grads, name="grads", finite=False)
        if g.shape != p.shape:
            raise ValueError(f"{self.name}: grads shape {np.shape(grads)} does not match "
                             f"params shape {np.shape(params)}")
        arith = FLOAT
        if p.dtype.kind == "O":       # a high-precision replay: grads converted exactly
            if inplace:
                raise ValueError(f"{self.name}: inplace=True needs float params, not "
                                 f"{arith_of(p).name} values")
            arith = self._check_arith(arith_of(p))
            g = g if g.dtype.kind == "O" and arith_of(g) is arith else arith.const(g)
        elif g.dtype != p.dtype:
            raise TypeError(f"{self.name}: grads dtype {g.dtype} differs from params "
                            f"dtype {p.dtype}; cast one of them")
        if inplace and not (isinstance(params, np.ndarray) and params.flags.writeable
                            and params.flags.c_contiguous):
            raise ValueError(f"{self.name}: inplace=True needs params to be a writable, "
                             f"C-contiguous NumPy array")
        self._check_state(state, p)
        h = Resolved(self, state.step + 1, p.shape[0], p.dtype, arith)
        fast = None
        if arith is FLOAT and p.dtype == np.float64:    # the kernel checks its inputs
            fast = compiled_step(self, g, p, state, h, inplace=inplace)
        if fast is not None:
            new_p, new_state = fast
        else:
            for name, arr in (("params", p), ("grads", g)):
                if not arith.all_finite(arr):
                    raise ValueError(f"{self.name}: {name} must be finite; found NaN or inf")
            new_p, new_state = self._numpy_step(g, p, state, h)
            if inplace:
                new_p, new_state = _write_back(p, state, new_p, new_state)
        if inplace:
            return params, new_state
        if np.ndim(params) == 1:
            new_p = new_p.reshape(-1)
        return new_p, new_state

    def step_arrays(self, g: np.ndarray, p: np.ndarray, state: Any, h: Resolved, *,
                    repeats: int = 1):
        """One step on validated 2-D arrays (what :meth:`update` and the engines call):
        :meth:`step_rule`, then the guards of :meth:`update` (non-finite results, a
        subnormal accumulator with eps = 0).  Returns ``(new_p, new_state)``.

        Large float64 steps of an optimizer that declares ``kernel=True`` run as one
        compiled loop when numba is installed (:mod:`.kernels`; equal bit for bit);
        ``repeats`` is how many such steps the caller takes (an engine passes T), which
        is what makes a compilation pay."""
        if h.arith is FLOAT and p.dtype == np.float64:
            fast = compiled_step(self, g, p, state, h, repeats=repeats)
            if fast is not None:
                return fast
        return self._numpy_step(g, p, state, h)

    def _numpy_step(self, g, p, state, h):
        """:meth:`step_rule` in NumPy (or an exact backend), then the guards."""
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            new_p, new_state = self.step_rule(g, p, state, h)
        new_p = np.asarray(new_p, dtype=p.dtype)
        if h.arith is not FLOAT:
            if not (h.arith.all_finite(new_p) and all(
                    h.arith.all_finite(v) for f, v in zip(new_state._fields, new_state)
                    if isinstance(v, np.ndarray) and v.shape == p.shape
                    and not f.startswith("log_"))):
                raise ValueError(f"{self.name}: the update at step t={h.t} became "
                                 f"non-finite in {h.arith.name} arithmetic")
            return new_p, new_state
        if not (np.all(np.isfinite(new_p)) and moments_finite(new_state, p.shape)):
            raise ValueError(f"{self.name}: the update at step t={h.t} became non-finite "
                             f"(g**2 overflowing, or underflowing to 0 with eps=0); grads "
                             f"or hyperparameters are out of range for {p.dtype}")
        if "eps" in self.hyper:
            check_subnormal(self.name, h["eps"], new_state, p, new_p, h.t)
        return new_p, new_state

    # -- the two hooks of a subclass ------------------------------------------
    def init_state(self, p: np.ndarray):
        """The initial state (``step = 0``) for 2-D params ``p`` (R, d); override."""
        return self._init(p)

    def step_rule(self, g: np.ndarray, p: np.ndarray, s: Any, h: Resolved):
        """``(new_p, new_state)`` for 2-D gradients ``g`` at params ``p`` in state ``s``,
        with ``h`` the hyperparameters at step ``h.t = s.step + 1``; override.  Must not
        modify its arguments."""
        return self._step(g, p, s, h)

    # -- helpers ------------------------------------------------------------
    def _check_arith(self, arith):
        if arith.name not in self.arithmetics:
            raise TypeError(f"{self.name}: params in {arith.name} arithmetic are not "
                            f"supported; this update rule runs in "
                            f"{', '.join(self.arithmetics)}")
        return arith

    def _check_runs(self, n_runs: int) -> None:
        for name, value in self.hyper.items():
            for v in (value if isinstance(value, tuple) else (value,)):
                if isinstance(v, np.ndarray):
                    runs_of(self.name, name, v, n_runs)

    def _check_state(self, state: Any, p: np.ndarray) -> None:
        if not isinstance(state, self.State):
            raise TypeError(f"{self.name}: state must be the {self.State.__name__} "
                            f"returned by init()/update() of this optimizer; got "
                            f"{type(state).__name__}")
        for field, value in zip(state._fields, state):
            if isinstance(value, np.ndarray) and value.ndim == 2 and value.shape[1] != 1 \
                    and value.shape != p.shape:
                raise ValueError(f"{self.name}: state.{field} has shape {value.shape} but "
                                 f"params have shape {p.shape}")

    def _init(self, p: np.ndarray):  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__} must define init_state(p)")

    def _step(self, g, p, s, h):  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__} must define "
                                  f"step_rule(g, p, s, h)")


def _write_back(p, state, new_p, new_state):
    """Copy a step's results into the caller's arrays (``update(inplace=True)``)."""
    p[...] = new_p
    fields = []
    for old, new in zip(state, new_state):
        if isinstance(old, np.ndarray) and isinstance(new, np.ndarray) \
                and old.shape == new.shape and old is not new and old.flags.writeable:
            old[...] = new
            new = old
        fields.append(new)
    return p, type(new_state)(*fields)


def coupled_decay(g: np.ndarray, p: np.ndarray, weight_decay) -> np.ndarray:
    r"""L2 regularisation folded into the gradient: :math:`g + \lambda\theta`."""
    if is_scalar_zero(weight_decay):
        return g
    return g + weight_decay * p
