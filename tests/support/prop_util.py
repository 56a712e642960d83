"""Helpers of the property suite: stepping an optimizer and reading its effective step."""
from __future__ import annotations

import numpy as np

# float64 unit roundoff
U = 2.0 ** -53


def steps(opt, grads: np.ndarray):
    """Effective steps Delta_t = theta_{t-1} - theta_t for t = 1..T, and the states.

    The update is applied at theta = 0 every time (the rules below never read
    theta when weight decay is 0), so Delta_t = lr * direction_t comes out
    without the cancellation of differencing a long trajectory.
    """
    T, d = grads.shape
    zero = np.zeros(d, dtype=grads.dtype)
    state = opt.init(zero)
    out, states = np.empty_like(grads), []
    for t in range(T):
        new, state = opt.update(grads[t], state, zero)
        out[t] = -new
        states.append(state)
    return out, states


def trajectory(opt, p0: np.ndarray, grads: np.ndarray) -> np.ndarray:
    """theta_0..theta_T of ``opt`` fed ``grads`` (leading axis T) from ``p0``."""
    state = opt.init(p0)
    out, p = [p0], p0
    for g in grads:
        p, state = opt.update(g, state, p)
        out.append(p)
    return np.stack(out)
