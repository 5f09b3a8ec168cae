"""The commands about the goals file itself: `validate`, `schema` and `init`.

Registered on the app at the bottom of app.py. Annotations are not postponed, as in app.py:
typer reads them faster that way.
"""

from pathlib import Path
from typing import Annotated

import typer

from tradeoff.cli.common import DEFAULT_FILE, emit, fail, say, user_errors, write_atomic
from tradeoff.cli.flags import OutputOpt
from tradeoff.cli.groups import GoalsFlags


def validate(
    *,
    goals: GoalsFlags,
    max_age: Annotated[
        str | None,
        typer.Option(
            "--max-age", help="Warn about dated values older than this: 90d, 12w, 6m, 1y."
        ),
    ] = None,
) -> None:
    """Check a goals file and print a one-line summary (exit 0), or every problem (exit 2).

    With --max-age, values whose date (their own, or their results file's) is older than that
    are listed as warnings on stderr; the exit code stays 0.
    Example: tradeoff validate goals.yaml --max-age 90d
    """
    with user_errors():
        result = goals.load().validate_result(max_age)
    for d in result.stale:
        say(f"warning: {d}")
    emit(result.summary(), None)


def schema(output: OutputOpt = None) -> None:
    """Print the JSON Schema of goals.yaml, for editors (yaml-language-server).

    Example: tradeoff schema -o goals.schema.json
    """
    import json

    from tradeoff.goals.schema import goals_schema

    emit(json.dumps(goals_schema(), indent=2) + "\n", output)


def init(
    path: Annotated[Path, typer.Argument(help="Where to write the starter file.")] = DEFAULT_FILE,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented starter goals.yaml that validates.

    Example: tradeoff init goals.yaml
    """
    from tradeoff.goals.starter import STARTER

    if path.is_dir():
        fail(f"{path} is a directory; give a file name, e.g. {path / 'goals.yaml'}")
    if path.exists() and not force:
        fail(f"{path} already exists; use --force to overwrite it")
    write_atomic(path, STARTER)
    say(f"wrote {path}; next: tradeoff rank {path}")
