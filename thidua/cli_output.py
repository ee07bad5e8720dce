"""How outcomes are shown to the person at the terminal (Vietnamese, no tracebacks)."""

from __future__ import annotations

from typing import TextIO

from thidua.model import Issue
from thidua.pipeline import OUTCOME_ISSUES, OUTCOME_OK, FileOutcome


def format_issue(issue: Issue) -> str:
    """One line per issue: location, message, code."""
    return f"{issue.cell}: {issue.message} [{issue.code}]"


def print_outcome(outcome: FileOutcome, out: TextIO) -> None:
    """A short block per file: what was made, or what is wrong and where the error copy is."""
    name = outcome.source.name
    if outcome.outcome == OUTCOME_OK:
        made = ", ".join(str(p) for p in outcome.outputs)
        print(f"{name}: đã tạo {made} ({outcome.seconds:.1f} giây)", file=out)
        return
    if outcome.outcome == OUTCOME_ISSUES:
        print(f"{name}: có {len(outcome.issues)} lỗi dữ liệu:", file=out)
        for issue in outcome.issues:
            print("  " + format_issue(issue), file=out)
    else:
        print(f"{name}: không đọc được tệp: {outcome.message}", file=out)
    for path in outcome.outputs:
        print(f"  Xem: {path}", file=out)
