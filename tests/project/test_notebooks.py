"""The teaching notebooks in notebooks/ run top to bottom without error, carry
exercises, and are committed without outputs (issue 9).

Each notebook is executed by nbclient in a kernel that runs *this* interpreter
(a kernelspec written to a temporary JUPYTER_PATH), so the test uses the same
environment as the rest of the suite, in CI as well as in a local venv.
"""
from __future__ import annotations

import json
import os
import re
import sys
import time
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
PATHS = sorted(NOTEBOOKS.glob("[0-9]*.ipynb"))
KERNEL = "adamlab-test-python"
LIMIT_S = 60            # the budget per notebook (2 cores)


def test_the_seven_notebooks_exist():
    assert [p.name[:2] for p in PATHS] == ["01", "02", "03", "04", "05", "06", "07"], PATHS


@pytest.fixture(scope="module")
def kernel_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("jupyter")
    spec = root / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "adamlab tests", "language": "python"}))
    return root


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_notebook_is_committed_clean_and_has_exercises(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, f"{path.name}: no code cells"
    stored = [c for c in code if c.outputs or c.execution_count is not None]
    assert not stored, f"{path.name}: {len(stored)} code cell(s) carry outputs; strip them"
    md = [c.source for c in nb.cells if c.cell_type == "markdown"]
    ex = [s.split("## Exercises", 1)[1] for s in md if re.search(r"^## Exercises", s, re.M)]
    assert ex and len(re.findall(r"^\d+\. \S", ex[-1], re.M)) >= 3, \
        f"{path.name}: no '## Exercises' section with at least 3 numbered exercises"
    assert "%matplotlib inline" in code[0].source, f"{path.name}: plots must be inline"


@pytest.mark.slow
@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_notebook_runs(path, kernel_dir, monkeypatch):
    monkeypatch.setenv("JUPYTER_PATH", str(kernel_dir))
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=LIMIT_S * 2, kernel_name=KERNEL,
                                     resources={"metadata": {"path": str(NOTEBOOKS)}})
    t0 = time.perf_counter()
    client.execute()                      # raises CellExecutionError on any error
    elapsed = time.perf_counter() - t0
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert not errors, f"{path.name}: {errors[0]['ename']}: {errors[0]['evalue']}"
    figures = sum("image/png" in o.get("data", {}) for c in nb.cells if c.cell_type == "code"
                  for o in c.outputs)
    assert figures >= 2, f"{path.name}: expected plots, found {figures}"
    print(f"{path.name}: {elapsed:.1f} s")
    if os.environ.get("ADAMLAB_NOTEBOOK_TIMING"):
        assert elapsed <= LIMIT_S, f"{path.name} took {elapsed:.1f} s > {LIMIT_S} s"


def _builder():
    import importlib.util
    spec = importlib.util.spec_from_file_location("notebooks_build", NOTEBOOKS / "_build.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name[:2])
def test_committed_notebook_matches_its_cell_list(path):
    """The .ipynb is exactly what notebooks/_build.py makes from _cells_NN.py (no hand edits,
    no stale notebook after a cell-list change)."""
    build = _builder()
    mod = build._load(f"_cells_{path.name[:2]}")
    assert f"{mod.STEM}.ipynb" == path.name
    expected = build.build(mod)
    committed = nbformat.read(path, as_version=4)
    assert [(c.cell_type, c.source) for c in committed.cells] == \
        [(c.cell_type, c.source) for c in expected.cells]
