"""One function per command: call the library, tell the person what happened, return the exit code."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from thidua.base.config import Config
from thidua.base.errors import EXIT_DATA_ISSUES, EXIT_OK, EXIT_UNREADABLE, UsageError
from thidua.base.model import Issue
from thidua.base.program import command_name
from thidua.cli.output import format_issue
from thidua.cli.parser import DEFAULT_TEMPLATE_NAME

Command = Callable[[argparse.Namespace, Config, TextIO], int]


def _cmd_template(args: argparse.Namespace, config: Config, out: TextIO) -> int:
    from thidua.intake.template import write_template

    target = args.output / DEFAULT_TEMPLATE_NAME if args.output.is_dir() else args.output
    if not target.parent.is_dir():
        raise UsageError(f"Không có thư mục \"{target.parent}\" để ghi mẫu.", hint="Tạo thư mục trước, hoặc chọn -o khác.")
    path = write_template(target)
    if not args.quiet:
        print(f"Đã ghi mẫu Excel: {path}", file=out)
    return EXIT_OK


def _cmd_check(args: argparse.Namespace, config: Config, out: TextIO) -> int:
    require_file(args.file)
    from thidua.base.errors import UnreadableFileError
    from thidua.intake.reader import read_workbook

    try:
        issues = read_workbook(args.file).issues
    except UnreadableFileError as exc:
        issues = [Issue(exc.code, "", exc.message, file=args.file.name)]
        code = EXIT_UNREADABLE
    else:
        code = EXIT_DATA_ISSUES if issues else EXIT_OK
    if args.json:
        print(json.dumps([i.as_dict() for i in issues], ensure_ascii=False, indent=2), file=out)
    elif issues:
        for issue in issues:
            print(format_issue(issue), file=out)
    elif not args.quiet:
        print(f"{args.file.name}: hợp lệ, không có lỗi.", file=out)
    return code


def require_file(path: Path) -> None:
    """A workbook named on the command line must be a file that exists."""
    if path.is_dir():
        raise UsageError(f"\"{path}\" là một thư mục; cần chỉ ra một tệp Excel (.xlsx).",
                         hint=f"Xử lý cả thư mục input/: chạy {command_name()} không kèm lệnh.")
    if not path.is_file():
        raise UsageError(f"Không tìm thấy tệp \"{path}\".")


def _cmd_run(args: argparse.Namespace, config: Config, out: TextIO) -> int:
    from thidua.cli.drop_folder import run_files

    for path in args.files:
        require_file(path)
    return run_files(args.files, config, out=out, quiet=bool(args.quiet), write_json=args.json,
                     send=args.send, dry_run=args.dry_run, force=args.force)


def _cmd_inbox(args: argparse.Namespace, config: Config, out: TextIO) -> int:
    from thidua.cli.drop_folder import run_inbox

    return run_inbox(config, out=out, quiet=bool(args.quiet), force=bool(args.force))


def _cmd_watch(args: argparse.Namespace, config: Config, out: TextIO) -> int:
    from thidua.cli.drop_folder import watch

    return watch(config, out=out, quiet=bool(args.quiet))


def _cmd_send(args: argparse.Namespace, config: Config, out: TextIO) -> int:
    if not args.pending and args.report is None:
        raise UsageError("Hãy chỉ ra tệp báo cáo PDF cần gửi, hoặc dùng --pending.")
    if args.report is not None:
        require_file(args.report)
    from thidua.cli.mail_output import send_command

    return send_command(config, report=args.report, pending=args.pending, dry_run=args.dry_run,
                        force=args.force, out=out, quiet=bool(args.quiet))


def _cmd_ledger(args: argparse.Namespace, config: Config, out: TextIO) -> int:
    from thidua.cli.ledger_output import ledger_command

    return ledger_command(config, args.action, out=out, quiet=bool(args.quiet))


COMMANDS: dict[str | None, Command] = {
    None: _cmd_inbox,
    "run": _cmd_run,
    "template": _cmd_template,
    "check": _cmd_check,
    "watch": _cmd_watch,
    "send": _cmd_send,
    "ledger": _cmd_ledger,
}
