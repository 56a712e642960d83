"""A problem whose runs are interrupted (SIGINT, as Ctrl-C) at a given step, for tests."""
from __future__ import annotations

import os
import signal


def interrupted_at(prob, step: int):
    """A stand-in for ``prob`` whose instances send the process SIGINT when the engine
    asks for the loss and gradient of step ``step`` (sparse engine interface)."""

    class Stop:
        def __init__(self, inst):
            self._i = inst

        def __getattr__(self, k):
            return getattr(self._i, k)

        def loss_and_grad_support(self, t, th):
            if t == step:
                os.kill(os.getpid(), signal.SIGINT)
            return self._i.loss_and_grad_support(t, th)

    class Interrupted:
        def __getattr__(self, k):
            return getattr(prob, k)

        def sample(self, T, runs=1, seed=0, shared=False):
            return Stop(prob.sample(T, runs, seed, shared=shared))

    return Interrupted()
