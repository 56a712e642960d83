"""The house rules, checked on the *installed* package's import graph.

* no import cycles (imports inside functions count: a deferred import is still a
  dependency);
* the layers: ``adamlab.theory`` and ``adamlab.numerics`` never import each other,
  nor ``adamlab.proofs`` or the command line; ``adamlab.proofs`` never imports the
  command line;
* no private name imported from another module (``from m import _x``) and no
  private attribute of an imported module used (``m._x``).
"""
from __future__ import annotations

import ast
import importlib
from pathlib import Path

import adamlab

PACKAGES = ("adamlab", "adamlab.theory", "adamlab.numerics", "adamlab.proofs")
CLI = ("adamlab.cli", "adamlab.cli_args", "adamlab.cli_regret", "adamlab.cli_sweep",
       "adamlab.cli_phase", "adamlab.plugins",
       "adamlab.terminal", "adamlab.__main__")


def _modules() -> dict[str, tuple[Path, bool]]:
    """module name -> (file, is_package) for every module of the installed package."""
    out: dict[str, tuple[Path, bool]] = {}
    for pkg in PACKAGES:
        root = Path(importlib.import_module(pkg).__file__).parent
        for f in root.rglob("*.py"):
            rel = f.relative_to(root).with_suffix("").parts
            is_pkg = rel[-1] == "__init__"
            rel = rel[:-1] if is_pkg else rel
            if pkg == "adamlab" and rel and rel[0] in ("theory", "numerics", "proofs"):
                continue
            out[".".join((pkg, *rel))] = (f, is_pkg)
    return out


def _resolve(node: ast.ImportFrom, mod: str, is_pkg: bool) -> str:
    if not node.level:
        return node.module or ""
    base = mod.split(".") if is_pkg else mod.split(".")[:-1]
    base = base[:len(base) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))


def _graph():
    mods = _modules()
    graph: dict[str, set[str]] = {m: set() for m in mods}
    private: list[str] = []
    for mod, (path, is_pkg) in mods.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases: dict[str, str] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    target = a.name
                    if target in mods:
                        graph[mod].add(target)
                        aliases[a.asname or target.split(".")[0]] = target
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(node, mod, is_pkg)
                for a in node.names:
                    full = f"{base}.{a.name}"
                    if full in mods:
                        graph[mod].add(full)
                        aliases[a.asname or a.name] = full
                    elif base in mods:
                        graph[mod].add(base)
                        if a.name.startswith("_") and not a.name.startswith("__") \
                                and base != mod:
                            private.append(f"{mod}: from {base} import {a.name}")
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and \
                    node.value.id in aliases and node.attr.startswith("_") and \
                    not node.attr.startswith("__"):
                private.append(f"{mod}: {aliases[node.value.id]}.{node.attr}")
    for m in graph:
        graph[m].discard(m)
    return graph, sorted(set(private))


def _cycles(graph):
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def _layer(mod: str) -> str:
    for pkg in ("adamlab.theory", "adamlab.numerics", "adamlab.proofs"):
        if mod == pkg or mod.startswith(pkg + "."):
            return pkg.split(".")[1]
    return "cli" if mod in CLI else "top"


def test_the_graph_covers_the_installed_package():
    graph, _ = _graph()
    assert Path(adamlab.__file__).exists()
    for must in ("adamlab.proofs.ledger", "adamlab.numerics.simulate", "adamlab.theory.moments",
                 "adamlab.proofs.claims.kb", "adamlab.numerics.optimizers.adam"):
        assert must in graph
    assert "adamlab.proofs.claims" in graph["adamlab.proofs.ledger"]


def test_no_import_cycles():
    graph, _ = _graph()
    assert _cycles(graph) == []


def test_layers():
    graph, _ = _graph()
    allowed = {"theory": {"theory", "top"}, "numerics": {"numerics", "top"},
               "proofs": {"proofs", "theory", "numerics", "top"},
               "cli": {"cli", "proofs", "theory", "numerics", "top"},
               "top": {"top"}}
    bad = [f"{m} -> {w}" for m, ws in graph.items() for w in ws
           if _layer(w) not in allowed[_layer(m)]]
    assert bad == []


def test_no_private_names_across_modules():
    _, private = _graph()
    assert private == []


def test_the_checker_sees_a_cycle_and_a_private_import():
    """The checks above can fail: a made-up graph with a cycle is reported."""
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []
