"""Helpers shared by the optimizer tests (no formulas of the optimizers here)."""
from __future__ import annotations

import numpy as np

from adamlab.numerics import optimizers


def trajectory(opt, params, grads_seq):
    """Iterates [theta_0, theta_1, ...] of ``opt`` fed the gradients in order."""
    state = opt.init(params)
    out = [np.array(params, copy=True)]
    for g in grads_seq:
        params, state = opt.update(g, state, params)
        out.append(params)
    return np.stack(out), state


def random_grads(seed: int, steps: int, shape, dtype=np.float64):
    """A varied gradient sequence: mixed scales, exact zeros and sign changes."""
    rng = np.random.default_rng(seed)
    scale = 10.0 ** rng.uniform(-2, 1, size=shape)
    grads = rng.normal(size=(steps, *shape)) * scale
    grads[rng.random(size=grads.shape) < 0.1] = 0.0
    return grads.astype(dtype)


def all_names():
    return optimizers.names()
