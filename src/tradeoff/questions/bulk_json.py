"""rank's `candidates` as JSON text, encoded column by column: no Python dict per value.

A million-row table ranks 720,000 candidates; building a dict per candidate (and per metric) and
running json's indenting encoder over them took minutes and gigabytes. Here each column becomes
a list of JSON texts at once (floats by `float.__repr__`, as json does; names by json's own
string encoder) and one format string per candidate puts them in place. The text is exactly
what `json.dumps(RankResult.to_json(), indent=2, ensure_ascii=False)` writes for those
candidates (tests compare the two on random studies).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
from numpy.typing import NDArray

from tradeoff.engine.budgets import Violations
from tradeoff.questions.analysis import Analysis

STEP = 20_000  # candidates per chunk of text: bounded memory whatever the table's size
FIELD = "\x00"  # marks a field in a layout (JSON text never holds a raw NUL)
_IN = "\n      "  # a candidate's keys
_IN2 = "\n        "  # the keys of its nested objects and the items of its lists


def candidate_chunks(
    a: Analysis,
    order: NDArray[np.intp],
    doms: NDArray[np.intp],
    letters: Sequence[str | None],
) -> Iterator[str]:
    """The items of rank's `candidates` list for `order` (ranks 1, 2, ...), in chunks.

    `doms` holds per shown row the rows of its listed dominators (-1 pads); `letters` the
    significance group of each row. Chunks are joined by ",\\n"; each holds whole candidates,
    each indented as the 4th level of the document.
    """
    from json.encoder import encode_basestring

    data = a.data
    keys = [encode_basestring(m) for m in data.metric_names]
    in_keys = [encode_basestring(m) for m in data.inputs.names] if data.inputs else []
    d, limit = len(keys), doms.shape[1]
    # The text between the fields of one candidate; FIELD marks where a field goes.
    layout = (
        ",\n    {" + _IN + '"rank": ' + FIELD + "," + _IN + '"name": ' + FIELD + ","
        + _IN + '"score": ' + FIELD + "," + _IN + '"metrics": ' + _object(keys)
        + "," + _IN + '"inputs": ' + _object(in_keys)
        + "," + _IN + '"normalized": ' + _object(keys)
        + "," + _IN + '"dominated_by": [' + FIELD * (limit + 1)
        + "," + _IN + '"group": ' + FIELD + "\n    }"
    )  # fmt: skip
    literals = layout.split(FIELD)
    names = data.names
    listed = _dominator_names(names, doms)
    for s in range(0, len(order), STEP):
        rows = order[s : s + STEP]
        shown = a.values[rows]
        shown[a.filled[rows]] = np.nan  # a value `--missing worst` filled in shows as null
        inputs = data.inputs.values[rows] if data.inputs else np.zeros((len(rows), 0))
        columns = [
            list(map(str, range(s + 1, s + len(rows) + 1))),
            list(map(encode_basestring, [names[i] for i in rows.tolist()])),
            floats(a.scores[rows]),
            *(floats(shown[:, j]) for j in range(d)),
            *(floats(inputs[:, j]) for j in range(inputs.shape[1])),
            *(floats(a.normalized[rows, j]) for j in range(d)),
            *_dominated_by(listed, doms[s : s + STEP]),
            ["null" if g is None else encode_basestring(g) for g in letters[s : s + STEP]],
        ]
        yield _fill(literals, columns, first=literals[0][2:])  # its ",\n" left out


def floats(col: NDArray[np.float64]) -> list[str]:
    """JSON numbers as json writes them (`float.__repr__`), null for NaN and infinities.

    msgspec writes the same shortest round-trip digits in C, ~5x faster, and the same text
    for 0 and magnitudes in [1e-4, 1e16); outside that range its notation differs ("1e-7",
    "0.00001") and `repr` writes those few.
    """
    import msgspec

    out = msgspec.json.encode(col.tolist()).decode()[1:-1].split(",") if len(col) else []
    size = np.abs(col)
    for k in np.flatnonzero(~((size >= 1e-4) & (size < 1e16)) & (col != 0)).tolist():
        x = float(col[k])
        out[k] = repr(x) if np.isfinite(x) else "null"
    return out


def _object(keys: list[str]) -> str:
    """A nested object with a FIELD per key (an empty object is `{}`)."""
    if not keys:
        return "{}"
    return "{" + ",".join(_IN2 + k + ": " + FIELD for k in keys) + _IN + "}"


def _fill(literals: list[str], columns: list[list[str]], first: str | None = None) -> str:
    """Row after row, `literals[0] col[0] literals[1] ... literals[-1]`, joined at once: list
    slices filled column by column, no formatting per row. `first`: the first row's
    `literals[0]` instead (no copy of the text to change its start)."""
    n, k = len(columns[0]), len(columns)
    step = 2 * k + 1
    pieces = [""] * (n * step)
    for f, text in enumerate(literals):
        pieces[2 * f :: step] = [text] * n
    for f, col in enumerate(columns):
        pieces[2 * f + 1 :: step] = col
    if first is not None and n:
        pieces[0] = first
    return "".join(pieces)


def _dominator_names(names: list[str], doms: NDArray[np.intp]) -> NDArray[np.object_]:
    """The JSON text of every name `doms` lists, at its row (other rows stay None)."""
    from json.encoder import encode_basestring

    out = np.full(len(names), None, dtype=object)
    for i in np.unique(doms[doms >= 0]).tolist():
        out[i] = encode_basestring(names[i])
    return out


def _dominated_by(listed: NDArray[np.object_], doms: NDArray[np.intp]) -> list[list[str]]:
    """The fields after `"dominated_by": [`: one per listed name (with its line break and
    comma), then the close (`]` alone when the list is empty)."""
    cols = []
    for j in range(doms.shape[1]):
        lead = _IN2 if j == 0 else "," + _IN2
        has = doms[:, j] >= 0
        col = np.full(len(doms), "", dtype=object)
        col[has] = lead + listed[doms[has, j]]
        cols.append(col.tolist())
    close = np.where(doms[:, 0] >= 0, _IN + "]", "]").tolist()
    return [*cols, close]


def infeasible_lines(found: Violations, rows: NDArray[np.intp]) -> list[str]:
    """Per row, `{"name": ..., "violations": [VIOLATION, ...]}` as one line of JSON text.

    What json.dumps writes (compact separators) for `Row.violations`' records
    (`BudgetResult.violation()`), built from the budgets' masks and columns, budget by budget.
    """
    from json.encoder import encode_basestring

    data = found.data
    names = list(map(encode_basestring, [data.names[i] for i in rows.tolist()]))
    columns: list[list[str]] = []
    seen = np.zeros(len(rows), dtype=bool)  # an earlier budget failed: a comma goes first
    for b, j, mask in zip(data.budgets, found.columns, found.masks, strict=True):
        at = np.flatnonzero(mask[rows])
        col = [""] * len(rows)
        if len(at):
            sub = rows[at]
            rest = f'"bound": "{b.bound}", "limit": {float(b.limit)!r}, "level": "{b.level}"'
            literals = [
                '{"candidate": ',
                f', "metric": {encode_basestring(b.metric)}, "value": ',
                f", {rest}, " + '"line": ',
                "}" + FIELD,
            ]
            texts = [
                [names[k] for k in at.tolist()],
                floats(data.values[sub, j]),
                list(map(str, data.lines[sub, j].tolist())),
            ]
            made = _fill(literals, texts).split(FIELD)
            for k, comma, text in zip(at.tolist(), seen[at].tolist(), made, strict=False):
                col[k] = ", " + text if comma else text
            seen[at] = True
        columns.append(col)
    if not columns:
        return ['{"name": ' + n + ', "violations": []}' for n in names]
    literals = ['{"name": ', ', "violations": [', *[""] * (len(columns) - 1), "]}" + FIELD]
    return _fill(literals, [names, *columns]).split(FIELD)[: len(rows)] if len(rows) else []
