"""`send` at the terminal: what each mailing did, and an exit code of 1 when someone is left out."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from thidua.base.config import Config
from thidua.base.errors import EXIT_DATA_ISSUES, EXIT_OK, UsageError
from thidua.base.program import command_name
from thidua.delivery.mailing import send_again


def send_command(config: Config, *, report: Path | None, pending: bool, dry_run: bool, force: bool,
                 out: TextIO, quiet: bool = False) -> int:
    """`send REPORT.pdf` / `send --pending`: deliver and tell the person; exit 1 if anyone is left out."""
    if report is not None:
        refuse_unsigned(config, report)
    named, retried = send_again(config, report=report, pending=pending, dry_run=dry_run, force=force)
    if pending and not retried and not quiet:
        print("Không có thư nào còn treo.", file=out)
    summaries = named + retried
    for summary in summaries:
        for line in summary.problems if quiet else summary.messages:
            print(line, file=out)
    return EXIT_OK if all(s.ok for s in summaries) else EXIT_DATA_ISSUES


def refuse_unsigned(config: Config, report: Path) -> None:
    """With [signing] configured, only a signed report may be mailed (the unsigned one is <name>.chua-ky.pdf)."""
    from thidua.report.signing_keys import signing_configured

    if signing_configured(config) and b"/ByteRange" not in report.read_bytes():
        raise UsageError(f"Báo cáo \"{report}\" chưa được ký số; đã cấu hình [signing] thì thidua chỉ gửi "
                         "báo cáo đã ký.", hint=f"Tạo và ký lại báo cáo: {command_name()} run TỆP.xlsx --force")
