"""Keep one pull-request comment up to date with a report (the GitHub Action's `comment: true`).

    python -m tradeoff.cli.pr_comment REPORT.md

reads the repository, the pull request and the token from the environment (`GITHUB_REPOSITORY`,
`TRADEOFF_PR`, `GH_TOKEN`) and talks to GitHub through the `gh` CLI that hosted runners have. The
comment is found by a hidden marker on its first line, among comments of the token's own author
(`TRADEOFF_COMMENT_AUTHOR`, default `github-actions[bot]`), and edited in place; only when none
exists is one added. A candidate name cannot forge the marker: the report comes from the markdown
renderer, which escapes `<`, and the marker must open the body, where no user text stands. The
body is cut to GitHub's 65,536-character limit.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

MARKER = "<!-- tradeoff-check report: this comment is edited by each run -->"
LIMIT = 65_536
"""GitHub's limit on a comment body, in characters."""


def body_of(report: str) -> str:
    """The comment body: the marker, then the report, cut to fit GitHub's limit."""
    head = MARKER + "\n"
    if len(head) + len(report) <= LIMIT:
        return head + report
    tail = "\n\n… (cut to GitHub's comment limit; the job summary has the whole report)\n"
    room = LIMIT - len(head) - len(tail)
    return head + report[:room] + tail


def _gh(*args: str) -> str:
    done = subprocess.run(["gh", *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"gh {' '.join(args[:3])} failed: {done.stderr.strip()[:300]}")
    return done.stdout


def _ours(comments: object, author: str) -> int | None:
    if not isinstance(comments, list):
        return None
    for c in comments:
        if not isinstance(c, dict):
            continue
        login = (c.get("user") or {}).get("login")
        body = c.get("body")
        if login == author and isinstance(body, str) and body.startswith(MARKER):
            return int(c["id"])
    return None


def upsert(report: str, repo: str, pr: str, author: str) -> tuple[str, int | None]:
    """Edit our comment on `pr` (or add it): returns ("edited" | "added", the comment id)."""
    listed = _gh("api", "--paginate", "--slurp", f"repos/{repo}/issues/{pr}/comments")
    pages = json.loads(listed or "[]")
    comments = [c for page in pages for c in (page if isinstance(page, list) else [page])]
    found = _ours(comments, author)
    with tempfile.NamedTemporaryFile("w", suffix=".md", delete=False, encoding="utf-8") as f:
        f.write(body_of(report))
    try:
        if found is not None:
            _gh(
                "api",
                "-X",
                "PATCH",
                f"repos/{repo}/issues/comments/{found}",
                "-F",
                f"body=@{f.name}",
            )
            return "edited", found
        out = _gh(
            "api", "-X", "POST", f"repos/{repo}/issues/{pr}/comments", "-F", f"body=@{f.name}"
        )
        made = json.loads(out or "{}")
        return "added", int(made["id"]) if isinstance(made, dict) and "id" in made else None
    finally:
        Path(f.name).unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m tradeoff.cli.pr_comment REPORT.md", file=sys.stderr)
        return 2
    repo, pr = os.environ.get("GITHUB_REPOSITORY", ""), os.environ.get("TRADEOFF_PR", "")
    if not repo or not pr.isdigit():
        print("tradeoff: no pull request here (TRADEOFF_PR); no comment written", file=sys.stderr)
        return 0
    author = os.environ.get("TRADEOFF_COMMENT_AUTHOR") or "github-actions[bot]"
    try:
        report = Path(args[0]).read_text(encoding="utf-8")
        how, cid = upsert(report, repo, pr, author)
    except (OSError, RuntimeError, ValueError, KeyError) as exc:
        # the workflow-command escapes of the Actions toolkit: the message stays one command
        what = str(exc)[:400].replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        print(f"::warning title=tradeoff comment::could not write the comment: {what}")
        return 1
    print(f"tradeoff: {how} comment {cid} on #{pr}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
