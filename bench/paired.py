"""Time reading per-item logs and drawing paired bootstrap resamples over them (issue 18).

Generates (into bench/data/paired/) 10 lm-eval runs of 20,000 items each: a results file and a
`--log_samples` file whose lines are about 1 KB (the harness's keys, four multiple-choice
arguments), with correlated 0/1 scores (a latent difficulty per item, an ability per model, so
the candidates agree on most items as real models do). Then times, in this process:

1. reading: `tradeoff.load` of the goals file (every samples file parsed, its items checked
   against the results value, matched across candidates);
2. drawing: `rank --uncertainty` with 10,000 paired draws (one resample of the items per draw,
   shared by all candidates) and the significance groups.

Targets (SPEC "Per-item evidence"): under 10 s each on this machine.

    python bench/paired.py [--candidates 10] [--items 20000] [--samples 10000]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import shutil
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data" / "paired"
DATE = "2025-12-01T09-15-51.604122"
TASK = "mmlu_pro"


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _line(doc_id: int, correct: int, question: str) -> str:
    doc = {"question_id": doc_id, "question": question, "options": ["A", "B", "C", "D"]}
    prompt = f"Question: {question}\nAnswer:"
    record = {
        "doc_id": doc_id,
        "doc": doc,
        "target": "1",
        "arguments": {
            f"gen_args_{k}": {"arg_0": prompt, "arg_1": f" option {k}"} for k in range(4)
        },
        "resps": [[[f"-{1.5 + k:.2f}", "False"]] for k in range(4)],
        "filtered_resps": [[f"-{1.5 + k:.2f}", "False"] for k in range(4)],
        "filter": "none",
        "metrics": ["acc"],
        "doc_hash": _sha(json.dumps(doc, indent=2, ensure_ascii=False)),
        "prompt_hash": _sha(prompt),
        "target_hash": _sha("1"),
        "acc": float(correct),
    }
    return json.dumps(record, ensure_ascii=False)


def generate(n: int, m: int) -> Path:
    rng = np.random.default_rng(0)
    difficulty = rng.normal(0, 1.5, size=m)
    ability = np.linspace(0.6, 0.9, n)
    questions = [f"Item {d}: which statement about the topic is true?" for d in range(m)]
    names = []
    for k in range(n):
        p = 1 / (1 + np.exp(difficulty - ability[k]))
        correct = (rng.random(m) < p).astype(int)
        name = f"model-{k:02d}"
        folder = DATA / name
        folder.mkdir(parents=True, exist_ok=True)
        mean = float(correct.mean())
        stderr = math.sqrt(mean * (1 - mean) / (m - 1))
        results = {"results": {TASK: {"acc,none": mean, "acc_stderr,none": stderr}}}
        (folder / f"results_{DATE}.json").write_text(json.dumps(results), encoding="utf-8")
        with (folder / f"samples_{TASK}_{DATE}.jsonl").open("w", encoding="utf-8") as out:
            for d in range(m):
                out.write(_line(d, int(correct[d]), questions[d]) + "\n")
        names.append(name)
    goals = [
        "version: 1",
        "metrics:",
        f'  quality: {{direction: max, unit: "%", source: {{lm_eval: {{task: {TASK}, '
        'field: "acc,none", samples: true}}}',
        "  cost: {direction: min, unit: USD/request}",
        "candidates:",
    ]
    for k, name in enumerate(names):
        goals.append(
            f"  - {{name: {name}, from: {name}/results_{DATE}.json, "
            f"metrics: {{cost: {0.001 * (k + 1):.3f}}}}}"
        )
    path = DATA / "goals.yaml"
    path.write_text("\n".join(goals) + "\n", encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=10)
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--samples", type=int, default=10_000)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    import tradeoff

    shutil.rmtree(DATA, ignore_errors=True)
    goals = generate(args.candidates, args.items)
    logs = sorted(DATA.glob("*/samples_*.jsonl"))
    size = sum(p.stat().st_size for p in logs)
    line = size / (args.candidates * args.items)
    print(f"{len(logs)} samples files, {args.items} items each, {size / 1e6:.0f} MB "
          f"({line:.0f} bytes a line)")  # fmt: skip
    # Wall time, and this process's CPU time: on a shared machine the first includes waiting.
    wall, cpu = time.perf_counter(), time.process_time()
    study = tradeoff.load(goals)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"read {args.candidates} x {args.items} items: {wall:.2f} s wall, {cpu:.2f} s CPU "
          "(target < 10 s)")  # fmt: skip
    wall, cpu = time.perf_counter(), time.process_time()
    result = study.rank_result(uncertainty=True, samples=args.samples, weights={"cost": 0.1})
    groups = result.groups
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"{args.samples} paired draws over them (rank --uncertainty, groups): {wall:.2f} s "
          f"wall, {cpu:.2f} s CPU (target < 10 s)")  # fmt: skip
    print(f"groups from {groups.source}: " + ", ".join(
        f"{r.name} {g}" for r, g in zip(result.rows, groups.letters, strict=True)))  # fmt: skip


if __name__ == "__main__":
    main()
