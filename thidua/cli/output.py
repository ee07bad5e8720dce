"""How outcomes are shown to the person at the terminal (Vietnamese, no tracebacks)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, TextIO

from thidua.base import model
from thidua.base.model import OUTCOME_ISSUES, OUTCOME_OK, OUTCOME_SYSTEM, OUTCOME_UNREADABLE, Issue

if TYPE_CHECKING:
    from thidua.inbox.batch import PassResult
    from thidua.inbox.dispatcher import Done
    from thidua.pipeline import FileOutcome


def format_issue(issue: Issue) -> str:
    """One line per issue: location, message, code."""
    return f"{issue.cell}: {issue.message} [{issue.code}]"


def format_notice(notice: Issue) -> str:
    """One line per notice (the workbook was read, differently from a plain table)."""
    return f"Lưu ý: {notice.message} [{notice.code}]"


def print_outcome(outcome: FileOutcome, out: TextIO) -> None:
    """A short block per file: what was made, or what is wrong and where the error copy is."""
    name = outcome.source.name
    if outcome.outcome == OUTCOME_OK:
        made = ", ".join(str(p) for p in outcome.outputs)
        seconds = f"{outcome.seconds:.1f}".replace(".", ",")
        print(f"{name}: đã tạo {made} ({seconds} giây)", file=out)
        for notice in outcome.notices:
            print("  " + format_notice(notice), file=out)
        for sig in outcome.signatures:
            print(f"  Đã ký số ({sig.role}): {sig.name}, lúc {sig.signed_at} ({sig.level}).", file=out)
        return
    if outcome.outcome == OUTCOME_ISSUES:
        print(f"{name}: có {len(outcome.issues)} lỗi dữ liệu:", file=out)
        for issue in outcome.issues:
            print("  " + format_issue(issue), file=out)
    elif outcome.outcome == OUTCOME_UNREADABLE:
        print(f"{name}: không đọc được tệp: {outcome.message}", file=out)
    elif outcome.outcome == OUTCOME_SYSTEM:
        print(f"{name}: chưa xử lý được, không phải do tệp: {outcome.message}", file=out)
    else:
        print(f"{name}: {outcome.message}", file=out)
    for path in outcome.outputs:
        print(f"  Xem: {path}", file=out)


OUTCOME_WORDS = model.OUTCOME_WORDS


def outcome_word(done: Done) -> str:
    word = OUTCOME_WORDS.get(done.outcome.outcome, done.outcome.outcome)
    if done.outcome.outcome == OUTCOME_SYSTEM and done.retry_in is not None:
        return f"{word} (tệp ở lại input/, thử lại sau {_seconds(done.retry_in)} giây)"
    return f"{word} (đã xử lý trước đó, dùng lại kết quả)" if done.reused else word


def _seconds(value: float) -> str:
    return f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.1f}".replace(".", ",")


def _answer(done: Done) -> str:
    """The file the officer should open: the PDF, or the error copy / note; for a fault of the machine, why."""
    outcome = done.outcome
    if outcome.outcome == OUTCOME_SYSTEM:
        return outcome.message
    path = outcome.pdf or next(iter(outcome.outputs), None)
    return str(path) if path is not None else ""


def print_done(done: Done, out: TextIO) -> None:
    """A file whose content was processed before: say so and point at the earlier result."""
    print(f"{done.name}: {outcome_word(done)}: {_answer(done)}", file=out)


def format_watch_line(done: Done, when: dt.datetime | None = None) -> str:
    """Watch mode's one line per file: time, file, outcome, seconds, and what to open."""
    stamp = (when or dt.datetime.now()).strftime("%H:%M:%S")
    issues = f", {done.n_issues} lỗi" if done.n_issues else ""
    seconds = f"{done.seconds:.1f}".replace(".", ",")
    return f"{stamp}  {done.name}  {outcome_word(done)}{issues}  {seconds} giây  → {_answer(done)}"


TABLE_CELLS = 3  # cells named per file in the closing table; the error copy lists them all


def print_table(done: list[Done], out: TextIO) -> None:
    """The closing table of a batch: file, outcome, PDF, issues (plain text when not a terminal)."""
    from rich.console import Console
    from rich.table import Table

    waiting = sum(1 for d in done if d.outcome.outcome == OUTCOME_SYSTEM)
    title = f"Đã xử lý {len(done) - waiting} tệp" + (f", {waiting} tệp chưa xử lý được" if waiting else "")
    table = Table(title=title, title_justify="left")
    for header in ("Tệp", "Kết quả", "PDF", "Lỗi"):
        table.add_column(header, overflow="fold")
    for item in sorted(done, key=lambda d: d.name.casefold()):
        outcome = item.outcome
        if outcome.outcome == OUTCOME_OK:
            problems = ""
        elif outcome.outcome == OUTCOME_ISSUES:
            cells = ", ".join(i.cell for i in outcome.issues[:TABLE_CELLS])  # a reused result knows no cells
            more = "…" if len(outcome.issues) > TABLE_CELLS else ""
            where = f" ({cells}{more})" if cells else ""
            problems = f"{item.n_issues} lỗi{where}, xem {_answer(item)}"
        elif outcome.outcome == OUTCOME_SYSTEM:
            problems = outcome.message
        else:
            problems = outcome.message + (f" Xem {_answer(item)}" if _answer(item) else "")
        table.add_row(item.name, outcome_word(item), str(outcome.pdf or ""), problems)
    terminal = getattr(out, "isatty", lambda: False)()
    console = Console(file=out, width=None if terminal else 160, no_color=not terminal, highlight=False)
    console.print(table)


def print_mail(done: Done, out: TextIO, *, quiet: bool) -> None:
    """What the mailer did with a new report; with --quiet only when someone did not get it."""
    if done.mail and (not quiet or not done.mail_ok):
        for line in done.mail:
            print(line, file=out)


def print_halted(result: PassResult, out: TextIO, *, moved: bool) -> None:
    """A pass stopped by a fault of the machine: the cause, and that the files wait for the next run."""
    if not result.halted:
        return
    print(f"Dừng xử lý vì lỗi của hệ thống, không phải lỗi của tệp Excel. {result.halted}", file=out)
    where = "vẫn ở thư mục input/" if moved else "được giữ nguyên"
    waiting = sum(1 for d in result if d.outcome.outcome == OUTCOME_SYSTEM) + result.left_waiting
    print(f"  {waiting} tệp chưa xử lý {where}; khắc phục lỗi trên rồi chạy lại lệnh.", file=out)
