"""DataFrame views of results, for notebooks (`Study.rank()`, `Study.pareto()`).

pandas is imported only here, inside the function.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from tradeoff.data import StudyData
from tradeoff.questions.results import Row

if TYPE_CHECKING:
    import pandas as pd


def frame(
    rows: Sequence[Row], data: StudyData, *, score: bool, feasible: bool = False
) -> pd.DataFrame:
    """`rows` as a DataFrame indexed by name: rank and score (`score`) or layer and knee, one
    column per metric, dominated_by, and `feasible` when asked."""
    import pandas as pd

    records = []
    for r in rows:
        rec: dict[str, Any] = {"name": r.name}
        rec.update(
            {"rank": r.rank, "score": r.score} if score else {"layer": r.layer, "knee": r.knee}
        )
        rec.update({m.name: v for m, v in zip(data.metrics, r.values, strict=True)})
        rec["dominated_by"] = list(r.dominated_by)
        rec["feasible"] = r.feasible
        records.append(rec)
    columns = ["name", *(["rank", "score"] if score else ["layer", "knee"]), *data.metric_names]
    columns += ["dominated_by", *(["feasible"] if feasible else [])]
    frame = pd.DataFrame.from_records(records, columns=columns)
    return frame.set_index("name")
