"""The GitHub Action's job summary and pull-request comment, run from action.yml itself with a fake
`gh` on PATH that records its arguments and keeps the comments in a JSON file."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import yaml

from conftest import ROOT
from tradeoff.cli.pr_comment import LIMIT, MARKER, body_of

FAKE_GH = textwrap.dedent(
    """\
    #!PYTHON
    import json, os, sys
    state_path = os.environ["FAKE_GH_STATE"]
    with open(os.environ["FAKE_GH_LOG"], "a") as log:
        log.write(json.dumps(sys.argv[1:]) + "\\n")
    state = json.load(open(state_path)) if os.path.exists(state_path) else {"comments": []}
    args = sys.argv[1:]
    def body():
        ref = args[args.index("-F") + 1].split("=", 1)[1]
        return open(ref[1:]).read()
    if "-X" not in args:
        print(json.dumps([state["comments"]]))
    elif args[args.index("-X") + 1] == "PATCH":
        cid = int(args[args.index("-X") + 2].rsplit("/", 1)[1])
        for c in state["comments"]:
            if c["id"] == cid:
                c["body"] = body()
    else:
        bot = {"login": "github-actions[bot]"}
        c = {"id": 1000 + len(state["comments"]), "user": bot, "body": body()}
        state["comments"].append(c)
        print(json.dumps(c))
    json.dump(state, open(state_path, "w"))
    """
)

GOALS = """\
version: 1
metrics:
  quality: {direction: max}
  latency: {direction: min, unit: ms}
budgets:
  latency: {max: 500}
candidates:
  - {name: "@octocat", metrics: {quality: 70, latency: 900}}
  - {name: fine, metrics: {quality: 60, latency: 100}}
"""


def _step_script() -> str:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    (step,) = [s for s in action["runs"]["steps"] if s.get("name") == "tradeoff check"]
    script: str = step["run"]
    return script


def _run(tmp_path: Path, **inputs: str) -> tuple[int, str, dict[str, Any], list[list[str]]]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    gh = bin_dir / "gh"
    gh.write_text(FAKE_GH.replace("PYTHON", sys.executable))
    gh.chmod(0o755)
    (tmp_path / "goals.yaml").write_text(GOALS)
    summary = tmp_path / "summary.md"
    state, log = tmp_path / "gh.json", tmp_path / "gh.log"
    env = {
        **os.environ,
        "PATH": os.pathsep.join(
            [str(bin_dir), str(Path(sys.executable).parent), os.environ["PATH"]]
        ),
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_REPOSITORY": "owner/repo",
        "TRADEOFF_PR": "7",
        "GH_TOKEN": "token",
        "FAKE_GH_STATE": str(state),
        "FAKE_GH_LOG": str(log),
        "INPUT_FILE": "goals.yaml",
        "INPUT_CANDIDATES": "",
        "INPUT_STRICT": "false",
        "INPUT_FAIL_ON_DOMINATED": "false",
        "INPUT_COMMENT": "true",
        **{f"INPUT_{k.upper()}": v for k, v in inputs.items()},
    }
    bash = shutil.which("bash")
    assert bash
    done = subprocess.run(
        [bash, "-e", "-c", _step_script()],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    comments = json.loads(state.read_text()) if state.exists() else {"comments": []}
    calls = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    return done.returncode, summary.read_text() if summary.exists() else "", comments, calls


def test_summary_and_one_comment_edited_on_the_second_run(tmp_path: Path) -> None:
    code, summary, state, calls = _run(tmp_path)
    assert code == 1  # @octocat breaks the latency budget
    assert "tradeoff check" in summary and "latency" in summary
    (comment,) = state["comments"]
    assert comment["body"].startswith(MARKER + "\n")
    assert comment["body"].removeprefix(MARKER + "\n") == summary
    assert [c[:3] for c in calls] == [
        ["api", "--paginate", "--slurp"],
        ["api", "-X", "POST"],
    ]
    # the second run edits the same comment, and adds none
    code, summary2, state2, calls2 = _run(tmp_path)
    assert code == 1
    assert [c["id"] for c in state2["comments"]] == [comment["id"]]
    assert calls2[-1][:3] == ["api", "-X", "PATCH"]
    assert calls2[-1][3] == f"repos/owner/repo/issues/comments/{comment['id']}"
    assert summary2 == summary * 2  # the summary file is appended to, as GitHub does


def test_names_mention_no_one_and_cannot_forge_the_marker(tmp_path: Path) -> None:
    _, _, state, _ = _run(tmp_path)
    body = state["comments"][0]["body"]
    assert "@octocat" not in body  # escaped: no mention
    assert "octocat" in body
    # a comment of someone else, or one whose marker is not at its start, is never edited
    forged = {"id": 5, "user": {"login": "mallory"}, "body": MARKER + "\nhello"}
    quoted = {"id": 6, "user": {"login": "github-actions[bot]"}, "body": "x " + MARKER}
    (tmp_path / "gh.json").write_text(json.dumps({"comments": [forged, quoted]}))
    _, _, state, calls = _run(tmp_path)
    assert calls[-1][:3] == ["api", "-X", "POST"]
    assert [c["body"] for c in state["comments"][:2]] == [forged["body"], quoted["body"]]


def test_no_comment_unless_asked_or_on_a_pull_request(tmp_path: Path) -> None:
    _, summary, state, calls = _run(tmp_path, comment="false")
    assert summary and state["comments"] == [] and calls == []
    code, _, _, _ = _run(tmp_path, comment="perhaps")
    assert code == 2


def test_the_body_is_cut_to_githubs_limit() -> None:
    body = body_of("| row |\n" * 20_000)
    assert len(body) <= LIMIT
    assert body.startswith(MARKER) and "cut to GitHub's comment limit" in body
    assert body_of("short") == MARKER + "\nshort"
