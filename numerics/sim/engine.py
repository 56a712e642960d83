"""The engine protocol of :func:`adamlab.numerics.simulate.run`.

An engine is a function ``run_X(inst, opt, theta0, T, cfg, bar) -> EngineOutput``
(``inst`` the sampled instance, ``opt`` the optimizer, ``theta0`` (R, d), ``cfg``
the run's settings: ``projection``, ``stats``, ``record_iterates`` and ``stop``,
a :class:`StopFlag` it polls between steps, and optionally ``compiled`` (False: the
NumPy path whatever ``compiled_status`` says); ``bar`` a progress bar), paired with
a support test ``X_support(prob, opt, projection, inst) -> True | reason`` that
reads the optimizer's *declared* capabilities.  The engines import this module
and never :mod:`.simulate`; :mod:`.simulate` picks one and assembles the result.
"""
from __future__ import annotations

import signal
import threading

from ..optimizers import kernels

#: the declared kinds of domain whose projection is a coordinate clip (the compiled
#: engines' projection)
CLIP_DOMAINS = ("box", "linf_ball", "unconstrained")


def compiled_blocker(domain) -> str | None:
    """Why no compiled engine path can run (``ADAMLAB_KERNELS=off``, numba missing, a
    domain whose projection is not a clip), or None; each engine adds when compiling
    pays (its ``compiled_status``)."""
    if kernels.mode() == "off":
        return f"{kernels.ENV}=off"
    if not kernels.numba_available():
        return 'numba is not installed (pip install "adamlab[fast]")'
    kind = getattr(domain, "name", None)
    if kind not in CLIP_DOMAINS:
        return f"the domain {kind!r} is not a box (its projection is not a clip)"
    return None


class StopFlag:
    """Ctrl-C during a run: the first press asks the engine to stop after the current
    step (so every array stays consistent); a second press interrupts at once.

    Installed only in the main thread; elsewhere engines just catch
    KeyboardInterrupt.  ``requested`` is what the engines poll.
    """

    def __init__(self):
        self.requested = False
        self._old = None

    def __enter__(self) -> "StopFlag":
        if threading.current_thread() is threading.main_thread():
            try:
                self._old = signal.signal(signal.SIGINT, self._handler)
            except (ValueError, OSError):   # pragma: no cover - embedded interpreters
                self._old = None
        return self

    def _handler(self, signum, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def __exit__(self, *exc) -> None:
        if self._old is not None:
            signal.signal(signal.SIGINT, self._old)


class EngineOutput:
    """What an engine hands back to :func:`~.simulate.run`: the (T, R) losses, the
    statistics recorded (name -> (T, R) array), the final iterate theta_{T+1}, the
    number of steps done, notes on the statistics, the iterates (T, R, d) or None, and
    the optimizer's state after the last step done (None where the engine keeps no
    whole state: the sparse engine's is lazy, the oblivious scan's is never formed), and
    ``notes``: how the engine ran (e.g. ``sparse_step``: compiled or NumPy, and why),
    copied into the result's metadata."""

    def __init__(self, losses, stats, theta_final, steps_done, stats_meta, iterates=None,
                 final_state=None, notes=None):
        self.losses, self.stats, self.theta_final = losses, stats, theta_final
        self.steps_done, self.stats_meta, self.iterates = steps_done, stats_meta, iterates
        self.final_state = final_state
        self.notes = dict(notes or {})


__all__ = ["CLIP_DOMAINS", "EngineOutput", "StopFlag", "compiled_blocker"]
