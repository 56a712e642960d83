"""adamlab.numerics: fast NumPy numerics for Adam and its family.

* :mod:`adamlab.numerics.optimizers` -- the optimizers as pure, batched update
  rules over arrays of shape ``(runs, d)``, and their registry.

Modules a user reaches for load on first use: ``optimizers``, ``problems``,
``domains``, ``simulate`` (:func:`adamlab.numerics.simulate.run`), ``plots``.

numerics never imports :mod:`adamlab.theory`.
"""
from adamlab.lazy import lazy_exports

EXPORTS = {"optimizers": ".optimizers", "problems": ".problems", "domains": ".domains",
           "simulate": ".simulate", "plots": ".plots"}
__getattr__, __dir__, __all__ = lazy_exports(__name__, globals(), EXPORTS)
