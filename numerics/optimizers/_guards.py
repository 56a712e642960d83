r"""Guards that :meth:`Optimizer.update` runs on every step's result.

Two ways a float64 step can be silently wrong, both refused with ValueError:

* a state array became non-finite (:math:`g^2` overflowed, or a nonzero first
  moment met a second moment that underflowed to exactly 0 with
  :math:`\epsilon = 0`): :func:`moments_finite`;
* a squared-gradient accumulator is *subnormal* where the parameter moved with
  :math:`\epsilon = 0`, so the step carries only a few significant bits:
  :func:`check_subnormal`.
"""

from __future__ import annotations

import numpy as np


def moments_finite(state, shape) -> bool:
    r"""True when every (R, d) array of the state, nested states included, is finite.

    An overflowed second moment (``g**2 = inf``) would otherwise freeze a
    coordinate silently (:math:`g/\sqrt{\infty} = 0`).  Fields named
    ``log_*`` may legitimately hold -inf (e.g.
    :math:`\log\prod_s\beta_{1,s}` once :math:`\beta_{1,s} = 0`) and are
    skipped.
    """
    for name, value in zip(getattr(state, "_fields", ()), state):
        if name.startswith("log_"):
            continue
        if isinstance(value, np.ndarray) and value.shape == shape:
            if not np.all(np.isfinite(value)):
                return False
        elif isinstance(value, tuple) and not moments_finite(value, shape):
            return False
    return True



SQUARED_FIELDS = ("v", "vmax", "sum", "square_avg", "acc_delta", "u", "s")
"""State fields that accumulate squared gradients (AdaMax's ``u``: absolute values;
AdaBelief's ``s``: squared prediction errors)."""


def _subnormal_fields(state, shape, tiny):
    """Yield ``(field, mask)`` for each squared-gradient field with a nonzero value below ``tiny``."""
    for name, value in zip(getattr(state, "_fields", ()), state):
        if isinstance(value, tuple):
            yield from _subnormal_fields(value, shape, tiny)
        elif name in SQUARED_FIELDS and isinstance(value, np.ndarray) and value.shape == shape:
            a = np.abs(value)
            hit = (a < tiny) & (a > 0)
            if hit.any():
                yield name, hit


def check_subnormal(name, eps, state, p, new_p, t) -> None:
    r"""Refuse a step computed from a subnormal second moment with :math:`\epsilon = 0`.

    A subnormal float keeps only a few significant bits: for
    :math:`g = 10^{-160}`, :math:`(1-\beta_2) g^2 \approx 10^{-323}` is two
    units of the smallest subnormal, and Adam's first step came out as
    :math:`|\Delta_1|/\alpha = 1.006`, above the exact supremum 1.  With
    :math:`\epsilon = 0` nothing masks that error, so a coordinate that
    moved while one of its squared-gradient accumulators (fields named in
    :data:`SQUARED_FIELDS`) is subnormal raises ValueError.  Coordinates that
    did not move (e.g. a second moment decaying through a long run of zero
    gradients, whose first moment underflowed to 0 long before) pass, and so
    do runs with :math:`\epsilon > 0`: at any practical :math:`\epsilon` (say
    :math:`10^{-8}`) it dominates :math:`\sqrt{v} < 1.5\cdot 10^{-154}`; an
    :math:`\epsilon` below about :math:`10^{-150}` is not guarded.  Only the
    runs with :math:`\epsilon = 0` are scanned, three passes per accumulator.
    Found by the property suite (tests/numerics/test_prop_step.py).
    """
    if isinstance(eps, np.ndarray):             # per run
        zero = np.broadcast_to(eps.astype(np.float64, copy=False), (p.shape[0], 1)) == 0.0
        if not zero.any():                      # eps > 0 in every run: nothing to check
            return
    elif eps == 0:                              # one eps for all runs (every step: no arrays)
        zero = True
    else:
        return
    tiny = np.finfo(p.dtype).tiny
    for field, hit in _subnormal_fields(state, p.shape, tiny):
        bad = hit & zero & (new_p != p)         # subnormal, eps = 0, and the step moved it
        if bad.any():
            where = tuple(int(i) for i in np.argwhere(bad)[0])
            raise ValueError(
                f"{name}: at step t={t} the accumulator {field!r} is subnormal "
                f"(below {tiny:.3g} for {p.dtype}) at run, coordinate {where} with eps=0, "
                f"so the step would carry only a few significant bits; rescale the "
                f"gradients (with eps=0 the update is scale invariant) or use eps > 0")
