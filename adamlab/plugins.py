"""Load a user's own modules (``--plugin``) so that what they register joins the tools.

A plugin is a Python file (``my_optimizer.py``) or an importable module name
(``mypkg.optim``); importing it runs its ``adamlab.numerics.optimizers.register(...)``
calls.  Errors are :class:`~adamlab.cli_args.UsageError` naming the plugin.
"""
from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from types import ModuleType

from .cli_args import UsageError


def load(spec: str) -> ModuleType:
    """Import the plugin ``spec`` (a .py path or a module name) once; return the module."""
    if not isinstance(spec, str) or not spec.strip():
        raise UsageError(f"--plugin: expected a .py file or a module name; got {spec!r}")
    if spec.endswith(".py") or os.sep in spec:
        path = os.path.abspath(spec)
        if not os.path.isfile(path):
            raise UsageError(f"--plugin: {spec!r} is not a file")
        name = "adamlab_plugin_" + "".join(ch if ch.isalnum() else "_"
                                           for ch in os.path.splitext(path)[0])
        if name in sys.modules:
            return sys.modules[name]
        mod_spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(mod_spec)
        sys.modules[name] = module
        try:
            mod_spec.loader.exec_module(module)
        except Exception as exc:
            del sys.modules[name]
            raise UsageError(f"--plugin {spec}: importing it failed: {type(exc).__name__}: "
                             f"{exc}") from None
        return module
    try:
        return importlib.import_module(spec)
    except ImportError as exc:
        raise UsageError(f"--plugin {spec}: cannot import it ({exc})") from None
    except Exception as exc:
        raise UsageError(f"--plugin {spec}: importing it failed: {type(exc).__name__}: "
                         f"{exc}") from None


def load_all(specs) -> None:
    """:func:`load` each of ``specs`` (the initializer of the processes that decide the
    ledger side by side, so a claim about a plugin's optimizer finds it there too)."""
    for spec in specs:
        load(spec)


__all__ = ["load", "load_all"]
