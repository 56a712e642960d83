"""adamlab: a verified theory and numerics toolkit for Adam and its family.

The distribution installs three subpackages from the repository's top-level
folders (see ``pyproject.toml``):

* :mod:`adamlab.theory`   -- SymPy (+ mpmath): exact statements and bounds;
* :mod:`adamlab.numerics` -- NumPy (+ SciPy): optimizers, simulation, regret;
* :mod:`adamlab.proofs`   -- step-checked proofs and the claims ledger.

This folder is only the front door: the version and the ``adamlab`` command.
"""
from __future__ import annotations

from pathlib import Path as _Path

__version__ = "0.1.0"
__all__ = ["__version__"]


def _add_source_tree() -> None:
    """Let ``adamlab.theory`` & co. resolve when imported from a checkout.

    An installed adamlab (editable or not) maps the top-level folders itself.
    When Python instead finds this folder through the current directory (for
    example ``python -m adamlab`` run in the repository root), the subpackages
    live beside it, so the repository root joins this package's search path.
    """
    root = _Path(__file__).resolve().parent.parent
    pyproject = root / "pyproject.toml"
    if not (pyproject.is_file() and (root / "numerics" / "__init__.py").is_file()):
        return
    try:
        text = pyproject.read_text(encoding="utf-8")
    except OSError:  # pragma: no cover - unreadable checkout
        return
    if 'name = "adamlab"' in text and str(root) not in __path__:
        __path__.append(str(root))  # noqa: F821  (module attribute of a package)


_add_source_tree()
