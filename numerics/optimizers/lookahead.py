r"""Lookahead: k fast steps of any optimizer, then one step of the slow weights.

Zhang, Lucas, Hinton & Ba, "Lookahead Optimizer: k steps forward, 1 step
back", NeurIPS 2019 (arXiv:1907.08610), Algorithm 1.  Argument names:
``optimizer`` :math:`=A` (the inner, "fast" optimizer: a registry name such
as ``"adam"``, built with its defaults, or an :class:`~._core.Optimizer`
instance), ``k`` :math:`=k` (synchronization period), ``alpha``
:math:`=\alpha` (slow weights step size).  With slow weights :math:`\phi`
and fast weights :math:`\theta` (the ``params`` passed to and returned by
:meth:`update`, at which the gradients are taken), step :math:`t` is

.. math::

    \theta &\leftarrow \theta + A(g_t, \theta)
        \quad\text{(one update of the inner optimizer, its state carried)}, \\
    \text{if } k \mid t:\quad
    \phi &\leftarrow \phi + \alpha(\theta - \phi), \qquad \theta \leftarrow \phi .

Initially :math:`\phi = \theta_0` (``init``).  The slow weights -- what the
paper evaluates -- are ``state.slow``; right after a synchronization they
equal the returned params.  The slow update is computed as
:math:`(1-\alpha)\phi + \alpha\theta`, which is exactly :math:`\theta` at
:math:`\alpha = 1`, so ``k=1, alpha=1`` reproduces the inner optimizer
bit for bit.

Conventions (where implementations differ):

* **Inner state across synchronizations.**  Algorithm 1 never resets the
  inner optimizer A, and neither do we: its moments and step counter run on
  (so the inner step count, bias corrections and lr schedules see the global
  step t).  The authors' PyTorch code (github.com/michaelrzhang/lookahead,
  ``lookahead_pytorch.py``) offers ``pullback_momentum`` in {``"none"``
  (default, = this), ``"reset"`` (zero the SGD momentum buffer at each
  synchronization), ``"pullback"`` (interpolate the buffer like the
  weights)}; optax's ``lookahead`` has ``reset_state`` (default False =
  this; True re-initializes the fast optimizer's state).  Neither variant is
  provided.
* **Defaults.**  ``k=5, alpha=0.5``; the authors' PyTorch code defaults to
  ``la_steps=5, la_alpha=0.8``.  optax calls them ``sync_period`` and
  ``slow_step_size`` and keeps fast and slow weights together in its params
  (``LookaheadParams``); here the slow weights live in the state.
* ``alpha`` in (0, 1] (per run allowed); ``alpha=1`` is the inner optimizer
  with its iterate unchanged.  ``k`` is one int for all runs.
"""
from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .hparams import HParam
from ._registry import register
from .wrapping import Wrapper


class LookaheadState(NamedTuple):
    step: int
    inner: Any          # the inner optimizer's state (a NamedTuple of its own)
    slow: np.ndarray    # slow weights phi, shape (R, d)


class Lookahead(Wrapper):
    __doc__ = __doc__
    hparams = (
        HParam("optimizer", "optimizer", "inner (fast) optimizer: a registry name or an "
               "Optimizer instance"),
        HParam("k", "posint", "synchronization period k (fast steps per slow step)"),
        HParam("alpha", "half_open_unit", r"slow weights step size :math:`\alpha`"),
    )
    defaults = dict(optimizer="adam", k=5, alpha=0.5)
    State = LookaheadState

    def _init(self, p):
        return LookaheadState(0, self.inner.init(p), p)

    def _step(self, g, p, s, h):
        fast, inner = self.inner.update(g, s.inner, p)
        slow = s.slow
        if h.t % self.hyper["k"] == 0:
            alpha = h["alpha"]
            slow = (1 - alpha) * slow + alpha * fast
            fast = slow.copy()  # the returned params must not alias the state
        return fast, LookaheadState(s.step + 1, inner, slow)


register("lookahead", Lookahead,
         family="lookahead", wraps=True,
         summary="Lookahead: k steps of an inner optimizer, then the slow weights move "
                 "a fraction alpha toward the fast ones (Zhang et al. 2019)",
         source="Zhang, Lucas, Hinton & Ba, NeurIPS 2019, arXiv:1907.08610, Algorithm 1",
         frameworks={
             "reference": "not in torch.optim; the authors' "
                      "github.com/michaelrzhang/lookahead lookahead_pytorch.py "
                      "(la_steps=k, la_alpha=alpha, default 0.8; pullback_momentum="
                      "'none' = this)",
             "optax": "optax.lookahead(fast_optimizer, sync_period=k, slow_step_size="
                      "alpha, reset_state=False) = this; slow weights in "
                      "LookaheadParams.slow instead of the state",
         })
