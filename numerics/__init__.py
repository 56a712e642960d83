"""adamlab.numerics: fast NumPy numerics for Adam and its family.

* :mod:`adamlab.numerics.optimizers` -- the optimizers as pure, batched update
  rules over arrays of shape ``(runs, d)``, and their registry.

Modules a user reaches for load on first use: ``optimizers``, ``problems``,
``domains``, ``simulate`` (:func:`adamlab.numerics.simulate.run`), ``plots``.

numerics never imports :mod:`adamlab.theory`.
"""


import importlib as _importlib

_EXPORTS = {"optimizers": ".optimizers", "problems": ".problems", "domains": ".domains",
            "simulate": ".simulate", "plots": ".plots"}


def __getattr__(name: str):
    if name in _EXPORTS:
        target = _EXPORTS[name]
        module, _, attr = target.partition(":")
        mod = _importlib.import_module(module, __name__)
        return getattr(mod, attr) if attr else mod
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_EXPORTS))


__all__ = sorted(_EXPORTS)
