r"""Write the teaching notebooks (``notebooks/*.ipynb``) from the cell lists in
``_cells_*.py``, with no outputs.  Run from anywhere:

    python notebooks/_build.py

The committed ``.ipynb`` files are what readers open; edit the cell lists and
re-run this script rather than editing the JSON by hand.
"""
from __future__ import annotations

import importlib.util
import os
import sys
import tempfile
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, HERE / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def build(mod) -> nbformat.NotebookNode:
    """A notebook from ``mod.CELLS``: a list of ("md" | "code", source) pairs."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    for kind, src in mod.CELLS:
        src = src.strip("\n")
        if kind == "md":
            nb.cells.append(nbformat.v4.new_markdown_cell(src))
        elif kind == "code":
            nb.cells.append(nbformat.v4.new_code_cell(src))
        else:
            raise ValueError(f"cell kind must be 'md' or 'code'; got {kind!r}")
    for k, cell in enumerate(nb.cells):          # stable ids: clean diffs on rebuild
        cell["id"] = f"{mod.STEM[:2]}-{k:03d}"
    nbformat.validate(nb)
    return nb


def main() -> None:
    for name in sorted(p.stem for p in HERE.glob("_cells_*.py")):
        mod = _load(name)
        nb = build(mod)
        out = HERE / f"{mod.STEM}.ipynb"
        fd, tmp = tempfile.mkstemp(dir=HERE, suffix=".ipynb.tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            nbformat.write(nb, fh)
        os.replace(tmp, out)
        print(f"wrote {out.relative_to(HERE.parent)} ({len(nb.cells)} cells)", file=sys.stderr)


if __name__ == "__main__":
    main()
