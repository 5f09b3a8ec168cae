"""Write the synthetic lm-eval runs of this example (run it from anywhere; deterministic).

Three models answer the same 1,000 yes/no questions (a BoolQ-like task, two choices). Each run
is a results file and its `--log_samples` file, laid out as lm-eval 0.4.9 writes them (see
README.md here). The scores are built to a known structure:

- model-b is right on 700 items (70.0 %);
- model-a agrees with model-b on 950 items and wins 36 of the 50 it disagrees on: 72.2 %;
- model-c is model-b with 40 right answers turned wrong and 34 wrong ones turned right: 69.4 %.
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
DATE = "2025-12-01T09-15-51.604122"
TASK = "boolq"
M = 1000


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def scores() -> dict[str, np.ndarray]:
    b = np.zeros(M)
    b[:700] = 1
    a = b.copy()
    a[700:736] = 1  # a only: 36
    a[:14] = 0  # b only: 14
    c = b.copy()
    c[100:140] = 0
    c[800:834] = 1
    order = np.random.default_rng(2025).permutation(M)
    return {"model-a": a[order], "model-b": b[order], "model-c": c[order]}


def line(doc_id: int, value: float) -> str:
    doc = {"question": f"is statement {doc_id} of the passage true", "label": doc_id % 2}
    prompt = f"Question: is statement {doc_id} of the passage true?\nAnswer:"
    record = {
        "doc_id": doc_id,
        "doc": doc,
        "target": str(doc_id % 2),
        "arguments": {"gen_args_0": {"arg_0": prompt, "arg_1": " no"},
                      "gen_args_1": {"arg_0": prompt, "arg_1": " yes"}},
        "resps": [[["-0.9", "False"]], [["-1.2", "False"]]],
        "filtered_resps": [["-0.9", "False"], ["-1.2", "False"]],
        "filter": "none",
        "metrics": ["acc"],
        "doc_hash": _sha(json.dumps(doc, indent=2, ensure_ascii=False)),
        "prompt_hash": _sha(prompt),
        "target_hash": _sha(str(doc_id % 2)),
        "acc": value,
    }  # fmt: skip
    return json.dumps(record, ensure_ascii=False)


def main() -> None:
    for name, values in scores().items():
        folder = HERE / name
        folder.mkdir(exist_ok=True)
        mean = float(values.mean())
        stderr = math.sqrt(float(((values - mean) ** 2).sum()) / (M - 1) / M)
        results = {
            "results": {TASK: {"alias": TASK, "acc,none": mean, "acc_stderr,none": stderr}},
            "n-shot": {TASK: 0},
            "n-samples": {TASK: {"original": M, "effective": M}},
            "config": {"model": "hf", "model_args": f"pretrained=example/{name}", "limit": None},
            "date": 1764580445.218734,
        }
        (folder / f"results_{DATE}.json").write_text(json.dumps(results, indent=2) + "\n")
        with (folder / f"samples_{TASK}_{DATE}.jsonl").open("w", encoding="utf-8") as out:
            for doc_id, value in enumerate(values.tolist()):
                out.write(line(doc_id, value) + "\n")


if __name__ == "__main__":
    main()
