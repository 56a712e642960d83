"""Optimizers that run another optimizer inside their step (Lookahead, low precision).

:class:`Wrapper` holds the inner optimizer as the hyperparameter ``optimizer`` -- a
registry name or an :class:`~._core.Optimizer` instance, resolved once -- and checks
that a state's ``inner`` field is the inner optimizer's state.  One definition for every
wrapper; each wrapper adds its own hyperparameters and step.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ._core import Optimizer
from ._registry import get


class Wrapper(Optimizer):
    """Base of the wrappers: ``hyper["optimizer"]`` resolved to an instance (see module)."""

    def _resolve_inner(self) -> None:
        """Turn ``hyper["optimizer"]`` into an Optimizer instance, or raise naming it."""
        value = self.hyper["optimizer"]
        if isinstance(value, str):
            try:
                value = get(value).make()
            except ValueError as exc:
                raise ValueError(f"{self.name}: optimizer must be a registered optimizer "
                                 f"name or an Optimizer instance; {exc}") from None
        elif not isinstance(value, Optimizer):
            raise TypeError(f"{self.name}: optimizer must be a registered optimizer name "
                            f"(str) or an Optimizer instance (e.g. make('adam', lr=1e-2)); "
                            f"got {value!r} of type {type(value).__name__}")
        self.hyper["optimizer"] = value

    def _check_hyper(self) -> None:
        self._resolve_inner()

    @property
    def inner(self) -> Optimizer:
        """The inner optimizer."""
        return self.hyper["optimizer"]

    def _check_state(self, state: Any, p: np.ndarray) -> None:
        super()._check_state(state, p)
        if not isinstance(state.inner, self.inner.State):
            raise TypeError(f"{self.name}: state.inner must be the "
                            f"{self.inner.State.__name__} of the inner optimizer "
                            f"{self.inner.name!r}; got {type(state.inner).__name__}")


__all__ = ["Wrapper"]
