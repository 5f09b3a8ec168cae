"""One measurement read by several candidates is drawn once: its noise cannot tell them apart.

Two deployments of one model share one lm-eval run (the same file, task and field): in every
Monte Carlo draw their quality must move together. Copies of the file in two places are two
runs as far as the tool knows, and are drawn independently.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import runner
from tradeoff.cli.app import app

ROOT = Path(__file__).resolve().parent.parent
ARC = ROOT / "examples" / "real-files" / "lm_eval" / "Meta-Llama-3-8B-Instruct" / "arc.json"

GOALS = """\
version: 1
metrics:
  arc:  {{direction: max, unit: "%", source: {{lm_eval: {{task: arc_challenge, field: acc_norm}}}}}}
  cost: {{direction: min, unit: USD/hour}}
candidates:
  - {{name: fast, from: {a}, metrics: {{cost: 2.00}}}}
  - {{name: slow, from: {b}, metrics: {{cost: 2.01}}}}
"""


def _p_first(tmp_path: Path, a: str, b: str) -> dict[str, float]:
    path = tmp_path / "goals.yaml"
    path.write_text(GOALS.format(a=a, b=b))
    result = runner.invoke(app, ["rank", str(path), "-f", "json", "--uncertainty"])
    assert result.exit_code == 0, result.stderr
    return {c["name"]: c["p_first"] for c in json.loads(result.stdout)["candidates"]}


def test_one_file_read_by_two_candidates_is_one_draw(tmp_path: Path) -> None:
    shutil.copy(ARC, tmp_path / "arc.json")
    p = _p_first(tmp_path, "arc.json", "arc.json")
    # Equal quality in every draw: the cheaper one always leads.
    assert p == {"fast": 1.0, "slow": 0.0}


def test_two_files_are_two_draws(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    shutil.copy(ARC, tmp_path / "a" / "arc.json")
    shutil.copy(ARC, tmp_path / "b" / "arc.json")
    p = _p_first(tmp_path, "a/arc.json", "b/arc.json")
    # Min-max over two candidates scores each metric 1 for the better, 0 for the other, and
    # weights are 1:1. fast wins cost always; arc is a fair coin in independent draws of two
    # equal values. fast leads outright on heads (score 1 vs 0) and ties 0.5-0.5 on tails,
    # a tie drawn at random: P(fast first) = 1/2 + 1/2 x 1/2 = 0.75.
    assert abs(p["fast"] - 0.75) < 0.03 and abs(p["fast"] + p["slow"] - 1.0) < 1e-9
