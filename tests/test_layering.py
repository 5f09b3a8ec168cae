"""`import tradeoff` and loading a goals file stay light: no CLI or DataFrame machinery."""

from __future__ import annotations

import json
import subprocess
import sys

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
    assert "tradeoff.loader" in modules  # the load really happened
    assert _top_level(modules).isdisjoint(HEAVY), sorted(_top_level(modules) & set(HEAVY))


def test_bare_import_imports_neither_cli_nor_pandas() -> None:
    modules = _modules_after("import tradeoff")
    assert "tradeoff" in modules
    assert _top_level(modules).isdisjoint(HEAVY)


def test_the_check_itself_sees_heavy_modules() -> None:
    # Guards the two tests above against passing vacuously.
    modules = _modules_after("import tradeoff.cli")
    assert {"typer", "rich"} <= _top_level(modules)


def test_small_inputs_leave_moocore_unimported() -> None:
    # Importing moocore costs ~60 ms: the CLI on a goals file (layers, front) must not pay it.
    goals = ROOT / "goals.yaml"
    code = (
        "import contextlib, io\n"
        "from tradeoff.cli import app\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    app(['pareto', {str(goals)!r}, '--layers', '-f', 'json'], standalone_mode=False)\n"
        "assert 'tradeoff.pareto' in sys.modules\n"
    )
    assert "moocore" not in _top_level(_modules_after(code))
    front = "import numpy as np, tradeoff\ntradeoff.pareto_mask(np.eye(20_000, 3), [0, 0, 0])"
    assert "moocore" not in _top_level(_modules_after(front))  # 3 columns: NumPy, always
    big = "import numpy as np, tradeoff\ntradeoff.nondominated_layers(np.eye(20_000, 3), [0, 0, 0])"
    assert "moocore" in _top_level(_modules_after(big))  # the check can see it
