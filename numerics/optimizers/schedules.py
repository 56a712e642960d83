r"""Schedules: hyperparameters as callables of the 1-based step t.

Kingma & Ba's Theorem 4.1 (arXiv:1412.6980v9, §4) assumes
:math:`\alpha_t = \alpha/\sqrt{t}` and :math:`\beta_{1,t} = \beta_1\lambda^{t-1}`
with :math:`\lambda \in (0, 1)`; Reddi et al. (ICLR 2018, Thm. 4 and Cor. 1)
use the same two.  Any callable ``f(t) -> float or (R, 1) array`` works as a
schedule; these classes add validation, a readable ``repr`` and a JSON form.

A schedule *declares* what it is: ``kind`` (``"inverse_sqrt"``,
``"beta1_decay"``) and ``params`` (its parameters by name).  The engines and the
statistics read :func:`declared` -- never the class -- to use closed forms
(e.g. the lazy sparse engine's catch-up needs :math:`\beta_{1,t} =
\beta_1\lambda^{t-1}`), so a user's callable that declares
``kind = "beta1_decay"`` and ``params = {"beta1": ..., "lam": ...}`` is
treated as one and must compute exactly that.
"""
from __future__ import annotations

import math
import numbers




def _number(cls: str, name: str, value, low: float, high: float, *, low_open: bool,
            high_open: bool):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{cls}: {name} must be a real number, got {type(value).__name__}")
    value = float(value)
    ok = math.isfinite(value) and (value > low if low_open else value >= low) and \
        (value < high if high_open else value <= high)
    if not ok:
        lo, hi = "(" if low_open else "[", ")" if high_open else "]"
        raise ValueError(f"{cls}: {name} must be in {lo}{low}, {high}{hi}; got {value!r}")
    return value


def _check_t(cls: str, t) -> int:
    if isinstance(t, bool) or not isinstance(t, numbers.Integral):
        raise TypeError(f"{cls}: t must be an int >= 1, got {type(t).__name__}")
    if t < 1:
        raise ValueError(f"{cls}: t must be an int >= 1; got {t}")
    return int(t)


KINDS = {"inverse_sqrt": ("alpha",), "beta1_decay": ("beta1", "lam")}
"""The declared schedule kinds and the parameters each declares."""


def declared(fn) -> tuple[str, dict] | None:
    """``(kind, params)`` that the schedule ``fn`` declares, or None when it declares
    nothing known (any other callable: then only its values t -> fn(t) are used)."""
    kind, params = getattr(fn, "kind", None), getattr(fn, "params", None)
    if not isinstance(kind, str) or kind not in KINDS or not isinstance(params, dict) \
            or any(k not in params for k in KINDS[kind]):
        return None
    return kind, params


class InverseSqrt:
    r""":math:`\alpha_t = \alpha / \sqrt{t}` (Kingma & Ba Thm. 4.1; Zinkevich 2003)."""

    kind = "inverse_sqrt"

    def __init__(self, alpha: float):
        self.alpha = _number("InverseSqrt", "alpha", alpha, 0.0, math.inf,
                             low_open=True, high_open=True)

    def __call__(self, t: int) -> float:
        return self.alpha / math.sqrt(_check_t("InverseSqrt", t))

    def __repr__(self) -> str:
        return f"InverseSqrt(alpha={self.alpha!r})"

    @property
    def params(self) -> dict:
        return {"alpha": self.alpha}

    def to_json(self) -> dict:
        return {"schedule": "inverse_sqrt", "alpha": self.alpha}


class Beta1Decay:
    r""":math:`\beta_{1,t} = \beta_1 \lambda^{t-1}` (Kingma & Ba Thm. 4.1; Reddi et al. Cor. 1).

    ``beta1`` in [0, 1), ``lam`` in (0, 1).  Computed as
    :math:`\beta_1 e^{(t-1)\log\lambda}`, which underflows gracefully to 0.
    """

    kind = "beta1_decay"

    def __init__(self, beta1: float, lam: float):
        self.beta1 = _number("Beta1Decay", "beta1", beta1, 0.0, 1.0,
                             low_open=False, high_open=True)
        self.lam = _number("Beta1Decay", "lam", lam, 0.0, 1.0, low_open=True, high_open=True)

    def __call__(self, t: int) -> float:
        t = _check_t("Beta1Decay", t)
        return self.beta1 * math.exp((t - 1) * math.log(self.lam))

    def __repr__(self) -> str:
        return f"Beta1Decay(beta1={self.beta1!r}, lam={self.lam!r})"

    @property
    def params(self) -> dict:
        return {"beta1": self.beta1, "lam": self.lam}

    def to_json(self) -> dict:
        return {"schedule": "beta1_decay", "beta1": self.beta1, "lam": self.lam}


def from_json(obj: dict):
    """Rebuild a schedule from :meth:`to_json` output."""
    if not isinstance(obj, dict) or "schedule" not in obj:
        raise ValueError("obj must be a dict with a 'schedule' key")
    kind = obj["schedule"]
    if kind == "inverse_sqrt":
        return InverseSqrt(obj["alpha"])
    if kind == "beta1_decay":
        return Beta1Decay(obj["beta1"], obj["lam"])
    raise ValueError(f"unknown schedule {kind!r} (known: inverse_sqrt, beta1_decay)")


__all__ = ["InverseSqrt", "Beta1Decay", "KINDS", "declared", "from_json"]
