"""`import tradeoff` and loading a goals file stay light: no CLI or DataFrame machinery."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

HEAVY = ["typer", "rich", "pandas", "click"]


def _modules_after(code: str) -> set[str]:
    script = f"import json, sys\n{code}\nprint(json.dumps(sorted(sys.modules)))\n"
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    return set(json.loads(proc.stdout.splitlines()[-1]))


def _top_level(modules: set[str]) -> set[str]:
    return {name.split(".")[0] for name in modules}


def test_loading_a_goals_file_imports_neither_cli_nor_pandas() -> None:
    goals = ROOT / "goals.yaml"
    modules = _modules_after(f"import tradeoff\nstudy = tradeoff.load({str(goals)!r})")
    assert "tradeoff.goals.loader" in modules  # the load really happened
    assert _top_level(modules).isdisjoint(HEAVY), sorted(_top_level(modules) & set(HEAVY))


def test_bare_import_imports_neither_cli_nor_pandas() -> None:
    modules = _modules_after("import tradeoff")
    assert "tradeoff" in modules
    assert _top_level(modules).isdisjoint(HEAVY)


def test_the_check_itself_sees_heavy_modules() -> None:
    # Guards the two tests above against passing vacuously. (The CLI imports rich only to say
    # something on stderr or to draw a table.)
    modules = _modules_after("import tradeoff.cli.app, tradeoff.render.tables")
    assert {"typer", "rich"} <= _top_level(modules)


def test_small_inputs_leave_moocore_unimported() -> None:
    # Importing moocore costs ~60 ms: the CLI on a goals file (layers, front, and the
    # hypervolume of up to 3 goals) must not pay it. (From 4 goals the hypervolume needs it.)
    goals = ROOT / "goals.yaml"
    code = (
        "import contextlib, io\n"
        "from tradeoff.cli.app import app\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    app(['pareto', {str(goals)!r}, '--layers', '-f', 'json', '--metrics', "
        "'quality,cost,safety'], standalone_mode=False)\n"
        "assert 'tradeoff.engine.pareto' in sys.modules\n"
    )
    assert "moocore" not in _top_level(_modules_after(code))
    front = "import numpy as np, tradeoff\ntradeoff.pareto_mask(np.eye(20_000, 3), [0, 0, 0])"
    assert "moocore" not in _top_level(_modules_after(front))  # 3 columns: NumPy, always
    big = "import numpy as np, tradeoff\ntradeoff.nondominated_layers(np.eye(20_000, 3), [0, 0, 0])"
    assert "moocore" in _top_level(_modules_after(big))  # the check can see it


# --- the import graph: packages in layers, no circles (lazy imports included) ---------------

SRC = ROOT / "src" / "tradeoff"
LAYERS = {
    # package -> the tradeoff packages it may import (besides itself and the top-level modules)
    "engine": set(),
    "sources": set(),
    "goals": {"sources", "engine"},
    "questions": {"goals", "sources", "engine"},
    "render": {"questions", "engine"},
    "cli": {"render", "questions", "goals", "sources", "engine"},
}
UI = {"typer", "rich", "click"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _runtime_imports(path: Path) -> set[str]:
    """Every module a file imports at run time, at any depth (TYPE_CHECKING blocks excepted)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for stmt in node.body for n in ast.walk(stmt))
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from pkg import mod` depends on pkg.mod (a parent package is always loaded
            # first, which is no circle); `from mod import name` on mod.
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if _is_module(sub) else node.module)
    return found


def _is_module(dotted: str) -> bool:
    path = SRC.parent.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _graph() -> dict[str, set[str]]:
    files = {_module_name(p): p for p in SRC.rglob("*.py")}
    return {
        name: {m for m in _runtime_imports(path) if m in files and m != name}
        for name, path in files.items()
    }


def test_the_graph_sees_the_modules() -> None:
    graph = _graph()
    assert "tradeoff.engine.pareto" in graph["tradeoff.engine.kernels"] | graph["tradeoff"] | set(
        graph
    )
    assert "tradeoff.questions.study" in graph["tradeoff"]
    assert len(graph) > 40


def test_packages_import_only_the_layers_below() -> None:
    bad = []
    for name, deps in _graph().items():
        parts = name.split(".")
        if len(parts) < 3:
            continue  # tradeoff, tradeoff.errors, ...: the shared vocabulary
        allowed = LAYERS[parts[1]] | {parts[1]}
        for dep in deps:
            dparts = dep.split(".")
            if len(dparts) >= 2 and dparts[1] in LAYERS and dparts[1] not in allowed:
                bad.append(f"{name} -> {dep}")
    assert bad == []


def test_only_the_cli_and_renderers_import_typer_or_rich() -> None:
    bad = []
    for path in SRC.rglob("*.py"):
        name = _module_name(path)
        if name.startswith(("tradeoff.cli", "tradeoff.render")):
            continue
        heavy = {m.split(".")[0] for m in _runtime_imports(path)} & UI
        bad += [f"{name} -> {m}" for m in heavy]
    assert bad == []


def test_no_import_circles() -> None:
    graph = _graph()
    # A package's __init__ importing its own submodule is not a circle through the package.
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        stack.append(node)
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                cycles.append([*stack[stack.index(dep) :], dep])
            elif dep not in state:
                visit(dep, stack)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [])
    assert cycles == []


def test_the_circle_check_can_fail(tmp_path: Path) -> None:
    # Guards the test above: a two-module circle through a lazy import is found.
    a = tmp_path / "a.py"
    a.write_text("def f():\n    from tradeoff.questions import study\n")
    assert "tradeoff.questions.study" in _runtime_imports(a)
    b = tmp_path / "b.py"
    b.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import tradeoff.cli\n")
    assert _runtime_imports(b) == {"typing"}
