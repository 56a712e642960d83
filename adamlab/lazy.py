"""Names a package exports but loads only on first use (PEP 562 ``__getattr__``).

>>> # in a package's __init__.py:
>>> # __getattr__, __dir__, __all__ = lazy_exports(__name__, globals(),
>>> #     {"simulate": ".simulate", "Claim": ".claim:Claim"})

A target is a module relative to the package (``".simulate"``: the module itself) or
``"module:attribute"`` (``".claim:Claim"``: one name from it), so that importing one
module of the package does not load all of them.
"""
from __future__ import annotations

import importlib
from typing import Callable


def lazy_exports(package: str, namespace: dict, exports: dict[str, str]
                 ) -> tuple[Callable[[str], object], Callable[[], list], list[str]]:
    """``(__getattr__, __dir__, __all__)`` for ``package`` exporting ``exports``."""
    def __getattr__(name: str):
        if name in exports:
            module, _, attr = exports[name].partition(":")
            mod = importlib.import_module(module, package)
            return getattr(mod, attr) if attr else mod
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__():
        return sorted(list(namespace) + list(exports))

    return __getattr__, __dir__, sorted(exports)


__all__ = ["lazy_exports"]
