"""The distribution: layout mapping, console command, and the built wheel."""
from __future__ import annotations

import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MAPPED = {"adamlab": "adamlab", "adamlab.theory": "theory",
          "adamlab.numerics": "numerics", "adamlab.proofs": "proofs"}


def _pyproject():
    with open(ROOT / "pyproject.toml", "rb") as fh:
        return tomllib.load(fh)


def test_package_dir_maps_the_top_level_folders():
    tool = _pyproject()["tool"]["setuptools"]
    assert tool["package-dir"] == MAPPED


def test_every_package_folder_is_listed():
    listed = set(_pyproject()["tool"]["setuptools"]["packages"])
    found = set()
    for pkg, folder in MAPPED.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / folder)
            found.add(".".join([pkg, *rel.parts]) if rel.parts else pkg)
    assert found == listed, f"unlisted: {found - listed}, stale: {listed - found}"


def test_dependencies_and_extras():
    project = _pyproject()["project"]
    deps = {d.split(">")[0].split("=")[0] for d in project["dependencies"]}
    assert {"numpy", "scipy", "sympy", "mpmath", "matplotlib"} <= deps
    test = {d.split(">")[0] for d in project["optional-dependencies"]["test"]}
    assert {"pytest", "hypothesis", "nbclient", "nbformat", "ipykernel"} <= test
    assert "torch" not in " ".join(project["dependencies"] + project["optional-dependencies"]["test"])
    assert project["scripts"]["adamlab"] == "adamlab.cli:main"


def _run(*args, cwd=None):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run(list(args), capture_output=True, text=True, cwd=cwd, env=env,
                          timeout=300)


@pytest.mark.slow        # a subprocess that imports the package (~5 s)
def test_python_dash_m_from_another_directory(tmp_path):
    res = _run(sys.executable, "-m", "adamlab", "--version", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("adamlab ")


@pytest.mark.slow
def test_wheel_installs_subpackages_under_adamlab(tmp_path):
    res = _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path),
               str(ROOT), cwd=tmp_path)
    if res.returncode != 0 and "Could not find a version" in res.stderr:
        pytest.skip("no package index reachable to build the wheel's build backend")
    assert res.returncode == 0, res.stderr[-2000:]
    wheel = next(tmp_path.glob("adamlab-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in ["adamlab/__init__.py", "adamlab/cli.py", "adamlab/theory/__init__.py",
                     "adamlab/numerics/optimizers/adam.py", "adamlab/proofs/claims/kb.py",
                     "adamlab/proofs/methods/search.py"]:
        assert expected in names
    top = {n.split("/")[0] for n in names}
    assert not top & {"theory", "numerics", "proofs", "tests"}, top
