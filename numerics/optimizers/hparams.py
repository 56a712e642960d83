r"""Hyperparameters: how an optimizer declares them, and how their values are checked.

An optimizer lists :class:`HParam` declarations (name, kind, whether it may be a
schedule); :func:`validate_hparam` checks a value against its declaration and
wraps a callable of the step in :class:`Scheduled`; :func:`runs_of` checks that a
per-run array fits the runs.  Errors name the optimizer, the hyperparameter and
the allowed range (ValueError / TypeError).  ``LR`` and ``WEIGHT_DECAY`` are the
declarations most optimizers share.
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

# kind -> (predicate on a float array, human-readable allowed range)
_RANGES: dict[str, tuple[Callable[[np.ndarray], np.ndarray], str]] = {
    "positive": (lambda x: x > 0, "a finite number > 0"),
    "nonneg": (lambda x: x >= 0, "a finite number >= 0"),
    "unit": (lambda x: (x >= 0) & (x < 1), "a number in [0, 1)"),
    "closed_unit": (lambda x: (x >= 0) & (x <= 1), "a number in [0, 1]"),
    "half_open_unit": (lambda x: (x > 0) & (x <= 1), "a number in (0, 1]"),
    "real": (lambda x: np.ones_like(x, dtype=bool), "a finite real number"),
}


@dataclass(frozen=True)
class HParam:
    """Declaration of one hyperparameter of an optimizer.

    ``kind`` is one of the numeric kinds in ``_RANGES`` (values may then be
    arrays per run), ``"betas"`` (a pair of ``"unit"`` values), ``"bool"``,
    ``"choice"`` (one of ``choices``), ``"posint"`` (an int >= 1) or
    ``"optimizer"`` (an optimizer instance or registry name).
    """

    name: str
    kind: str
    doc: str = ""
    schedulable: bool = False
    choices: tuple[str, ...] = ()


def _fail_type(owner: str, name: str, allowed: str, value: Any) -> TypeError:
    return TypeError(f"{owner}: {name} must be {allowed}, got {value!r} "
                     f"of type {type(value).__name__}")


def check_numeric(owner: str, name: str, kind: str, value: Any):
    """Validate a numeric hyperparameter value; return a float or a (n, 1) array."""
    pred, allowed = _RANGES[kind]
    if isinstance(value, (bool, np.bool_)) or isinstance(value, (str, bytes)):
        raise _fail_type(owner, name, allowed, value)
    if isinstance(value, (float, int)):  # a plain number (a schedule's value, every step):
        f = float(value)                 # the same test as below, without arrays
        if not (math.isfinite(f) and pred(f)):
            raise ValueError(f"{owner}: {name} must be {allowed}; got {value!r}")
        return f
    if isinstance(value, numbers.Real):
        arr = np.asarray(float(value))
    else:
        try:
            arr = np.asarray(value)
        except Exception as exc:  # pragma: no cover - exotic objects
            raise _fail_type(owner, name, allowed, value) from exc
        if arr.dtype.kind not in "fiu" or arr.size == 0:
            raise _fail_type(owner, name, allowed + " (or a real array per run)", value)
        arr = arr.astype(np.float64)
    if arr.ndim == 0:
        pass
    elif arr.ndim == 1:
        arr = arr.reshape(-1, 1)
    elif arr.ndim == 2 and arr.shape[1] == 1:
        pass
    else:
        raise ValueError(f"{owner}: {name} must be a scalar or an array broadcastable "
                         f"to (R, 1) (one value per run); got shape {arr.shape}")
    if not np.all(np.isfinite(arr)) or not np.all(pred(arr)):
        raise ValueError(f"{owner}: {name} must be {allowed}; got {value!r}")
    return float(arr) if arr.ndim == 0 else arr


class Scheduled:
    """A callable hyperparameter (a schedule of the step t), kept with what is needed to
    check its values: ``fn`` the callable, ``kind`` its range, ``name`` the
    hyperparameter.  ``opt.hyper[name]`` holds one where a schedule was passed."""

    __slots__ = ("fn", "kind", "name")

    def __init__(self, fn: Callable, kind: str, name: str):
        self.fn, self.kind, self.name = fn, kind, name

    def __repr__(self) -> str:
        return repr(self.fn)




def schedule_of(value: Any) -> Callable | None:
    """The schedule (callable of t) behind a validated hyperparameter value, or None
    when the value is a constant."""
    return value.fn if isinstance(value, Scheduled) else None


def validate_hparam(owner: str, hp: HParam, value: Any):
    """Validate one hyperparameter value against its declaration."""
    if hp.kind == "bool":
        if not isinstance(value, (bool, np.bool_)):
            raise _fail_type(owner, hp.name, "True or False", value)
        return bool(value)
    if hp.kind == "choice":
        if not isinstance(value, str) or value not in hp.choices:
            raise ValueError(f"{owner}: {hp.name} must be one of "
                             f"{', '.join(map(repr, hp.choices))}; got {value!r}")
        return value
    if hp.kind == "posint":
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise _fail_type(owner, hp.name, "an int >= 1", value)
        if value < 1:
            raise ValueError(f"{owner}: {hp.name} must be an int >= 1; got {value!r}")
        return int(value)
    if hp.kind == "betas":
        if isinstance(value, (str, bytes)) or not hasattr(value, "__len__") or len(value) != 2:
            raise _fail_type(owner, hp.name, "a pair (beta1, beta2) of numbers in [0, 1)",
                             value)
        return tuple(_numeric_or_schedule(owner, HParam(f"{hp.name}[{i}]", "unit",
                                                        schedulable=hp.schedulable), v)
                     for i, v in enumerate(value))
    if hp.kind == "optimizer":
        return value  # resolved by the owning class (see lookahead)
    return _numeric_or_schedule(owner, hp, value)


def _numeric_or_schedule(owner: str, hp: HParam, value: Any):
    if callable(value) and not isinstance(value, np.ndarray):
        if not hp.schedulable:
            raise TypeError(f"{owner}: {hp.name} cannot be a callable (schedule); "
                            f"it must be {_RANGES[hp.kind][1]}")
        return Scheduled(value, hp.kind, hp.name)
    return check_numeric(owner, hp.name, hp.kind, value)


def runs_of(owner: str, name: str, value, n_runs: int) -> None:
    """Check that a per-run array fits R runs (size 1 or R)."""
    if isinstance(value, np.ndarray) and value.shape[0] not in (1, n_runs):
        raise ValueError(f"{owner}: {name} has {value.shape[0]} values (one per run) "
                         f"but params have {n_runs} run(s); use a scalar, 1 or "
                         f"{n_runs} values")


LR = HParam("lr", "positive", r"learning rate :math:`\alpha` (or a callable of t)",
            schedulable=True)
WEIGHT_DECAY = HParam("weight_decay", "nonneg",
                      r"L2 penalty :math:`\lambda`, added to the gradient as "
                      r":math:`g_t + \lambda\theta_{t-1}` (torch's coupled form)")


__all__ = ["HParam", "LR", "Scheduled", "WEIGHT_DECAY", "check_numeric", "runs_of",
           "schedule_of", "validate_hparam"]
