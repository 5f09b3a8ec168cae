"""Synthetic lm-evaluation-harness runs: a results file and its `--log_samples` file.

The layout follows lm-eval 0.4.9's writers (see /work/research/lmeval.md, section 3): one line
per item and filter with `doc_id`, `doc`, `target`, `arguments` ({"gen_args_0": {"arg_0": ...}}),
`resps`, `filtered_resps`, `filter`, `metrics`, `doc_hash` (sha256 of the doc as
`json.dumps(doc, indent=2, ensure_ascii=False)`), `prompt_hash`, `target_hash`, then the per-item
metrics under their bare names. The results file's `acc,none` is the mean of the items and
`acc_stderr,none` their sample standard error (ddof 1), as the harness computes them.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

DATE = "2025-12-01T09-15-51.604122"


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def doc_of(doc_id: int) -> dict[str, object]:
    return {"id": f"SYNTH_{doc_id:05d}", "question": f"Question number {doc_id}: which is it?"}


def sample_line(
    doc_id: int, value: float, *, task_prompt: str = "", pad: int = 0, field: str = "acc"
) -> str:
    doc = doc_of(doc_id)
    prompt = f"{task_prompt}Question number {doc_id}: which is it?\nAnswer:"
    line = {
        "doc_id": doc_id,
        "doc": doc,
        "target": "1",
        "arguments": {
            f"gen_args_{k}": {"arg_0": prompt, "arg_1": f" choice {k}" + "x" * pad}
            for k in range(4)
        },
        "resps": [[["-1.5", "False"]]] * 4,
        "filtered_resps": [["-1.5", "False"]] * 4,
        "filter": "none",
        "metrics": [field],
        "doc_hash": _sha(json.dumps(doc, indent=2, ensure_ascii=False)),
        "prompt_hash": _sha(prompt),
        "target_hash": _sha("1"),
        field: value,
    }
    return json.dumps(line, ensure_ascii=False)


def write_run(
    folder: Path,
    values: Sequence[float],
    *,
    doc_ids: Sequence[int] | None = None,
    task: str = "arc_challenge",
    task_prompt: str = "",
    pad: int = 0,
    result: float | None = None,
) -> tuple[Path, Path]:
    """Write results_<DATE>.json and samples_<task>_<DATE>.jsonl into `folder`; return both.

    `result` overrides the results file's acc (to make it disagree with the items).
    """
    folder.mkdir(parents=True, exist_ok=True)
    ids = list(range(len(values))) if doc_ids is None else list(doc_ids)
    n = len(values)
    mean = sum(values) / n
    stderr = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1) / n) if n > 1 else "N/A"
    results = {
        "results": {
            task: {
                "alias": task,
                "acc,none": mean if result is None else result,
                "acc_stderr,none": stderr,
            }
        },
        "n-samples": {task: {"original": n, "effective": n}},
        "config": {"model": "hf", "limit": None},
        "date": 1764580445.218734,
    }
    res_path = folder / f"results_{DATE}.json"
    res_path.write_text(json.dumps(results), encoding="utf-8")
    samples = folder / f"samples_{task}_{DATE}.jsonl"
    with samples.open("w", encoding="utf-8") as out:
        for doc_id, value in zip(ids, values, strict=True):
            out.write(sample_line(doc_id, value, task_prompt=task_prompt, pad=pad) + "\n")
    return res_path, samples


GOALS = """\
version: 1
metrics:
  arc:
    direction: max
    unit: "%"
    source: {{lm_eval: {{task: arc_challenge, field: "acc,none", samples: true}}}}
  cost: {{direction: min, unit: USD/request}}
candidates:
{entries}
"""


def goals_text(names: Sequence[str], costs: Sequence[float] | None = None) -> str:
    costs = list(costs or [1.0] * len(names))
    entries = "\n".join(
        f"  - name: {name}\n    from: {name}/results_{DATE}.json\n    metrics: {{cost: {cost}}}"
        for name, cost in zip(names, costs, strict=True)
    )
    return GOALS.format(entries=entries)


M, B_RIGHT, A_ONLY, B_ONLY = 2000, 1400, 65, 35


def pair() -> tuple[np.ndarray, np.ndarray]:
    """A and B's 0/1 scores: both right on 1,365, A only on 65, B only on 35, both wrong 535."""
    both = B_RIGHT - B_ONLY
    a = np.zeros(M)
    b = np.zeros(M)
    a[:both] = b[:both] = 1
    a[both : both + A_ONLY] = 1
    b[both + A_ONLY : both + A_ONLY + B_ONLY] = 1
    order = np.random.default_rng(7).permutation(M)  # items in no particular order
    return a[order], b[order]
