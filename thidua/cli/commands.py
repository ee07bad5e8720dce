"""One function per command: call the library, tell the person what happened, return the exit code."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from thidua.base.config import Config
from thidua.base.errors import EXIT_DATA_ISSUES, EXIT_OK, EXIT_UNREADABLE, MissingFileError, UsageError
from thidua.base.model import Issue
from thidua.base.program import command_name
from thidua.cli.output import format_issue, format_notice
from thidua.cli.parser import DEFAULT_TEMPLATE_NAME

Command = Callable[[argparse.Namespace, Config, TextIO], int]


def _cmd_template(args: argparse.Namespace, config: Config, out: TextIO) -> int:
    from thidua.intake.template import write_template

    target = args.output / DEFAULT_TEMPLATE_NAME if args.output.is_dir() else args.output
    if target.suffix.lower() != ".xlsx":
        raise UsageError(f"Tên tệp mẫu \"{target}\" phải có đuôi .xlsx (mẫu là bảng tính Excel).",
                         hint=f"Ví dụ: {command_name()} template -o {target.with_suffix('.xlsx').name}")
    if not target.parent.is_dir():
        raise UsageError(f"Không có thư mục \"{target.parent}\" để ghi mẫu.", hint="Tạo thư mục trước, hoặc chọn -o khác.")
    taken = UsageError(f"Tệp \"{target}\" đã có; mẫu không được ghi đè lên tệp đó.",
                       hint="Chọn tên khác với -o, hoặc thêm --force nếu thật sự muốn thay tệp đó bằng mẫu trống.")
    if (target.exists() or target.is_symlink()) and not args.force:
        raise taken
    try:
        path = write_template(target, overwrite=bool(args.force))
    except FileExistsError as exc:  # created meanwhile: still never replaced without --force
        raise taken from exc
    if not args.quiet:
        print(f"Đã ghi mẫu Excel: {path}", file=out)
    return EXIT_OK


def _cmd_check(args: argparse.Namespace, config: Config, out: TextIO) -> int:
    require_file(args.file)
    from thidua.base.errors import UnreadableFileError
    from thidua.intake.reader import read_workbook

    notices: list[Issue] = []
    try:
        result = read_workbook(args.file)
    except UnreadableFileError as exc:
        issues = [Issue(exc.code, "", exc.message, file=args.file.name)]
        code = EXIT_UNREADABLE
    else:
        issues, notices = result.issues, result.notices
        code = EXIT_DATA_ISSUES if issues else EXIT_OK
    if args.json:  # the notices too: the same four fields, their codes are documented as notices
        print(json.dumps([i.as_dict() for i in (*issues, *notices)], ensure_ascii=False, indent=2), file=out)
        return code
    if issues:
        for issue in issues:
            print(format_issue(issue), file=out)
    elif not args.quiet:
        print(f"{args.file.name}: hợp lệ, không có lỗi.", file=out)
    for notice in notices:
        print(format_notice(notice), file=out)
    return code


def require_file(path: Path, what: str = "") -> None:
    """A workbook (or `what`) named on the command line must be a file that exists."""
    if path.is_dir():
        if what:
            raise MissingFileError(f"\"{path}\" là một thư mục; cần chỉ ra một tệp {what}.")
        raise MissingFileError(f"\"{path}\" là một thư mục; cần chỉ ra một tệp Excel (.xlsx).",
                               hint=f"Xử lý cả thư mục input/: chạy {command_name()} không kèm lệnh.")
    if not path.is_file():
        raise MissingFileError(f"Không tìm thấy tệp \"{path}\".")


def _cmd_run(args: argparse.Namespace, config: Config, out: TextIO) -> int:
    for path in args.files:
        require_file(path)
    if len(args.files) == 1:  # one file, no worker pool: WeasyPrint loads on the other core meanwhile
        from thidua.report.layout_process import start_ahead

        start_ahead(config.templates_dir)
    from thidua.cli.drop_folder import run_files

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


def _cmd_cluster(args: argparse.Namespace, config: Config, out: TextIO) -> int:
    from thidua.report.layout_process import start_ahead

    start_ahead(config.templates_dir)  # WeasyPrint loads on the other core while the ledger is ranked
    from thidua.cli.cluster_output import cluster_command

    return cluster_command(config, year=args.year, write_json=args.json, send=args.send, dry_run=args.dry_run,
                           force=args.force, out=out, quiet=bool(args.quiet))


def _cmd_history(args: argparse.Namespace, config: Config, out: TextIO) -> int:
    from thidua.cli.cluster_output import history_command

    return history_command(config, args.province, as_json=args.json, out=out)


def _cmd_verify(args: argparse.Namespace, config: Config, out: TextIO) -> int:
    require_file(args.file, "báo cáo PDF")
    from thidua.cli.signature_output import verify_command

    return verify_command(config, args.file, args.trust, out=out, quiet=bool(args.quiet))


def _cmd_serve(args: argparse.Namespace, config: Config, out: TextIO) -> int:
    from thidua.cli.web_cli import serve

    return serve(config, host=args.host, port=args.port, out=out, quiet=bool(args.quiet))


def _cmd_user(args: argparse.Namespace, config: Config, out: TextIO) -> int:
    from thidua.cli.web_cli import add_user

    return add_user(config, args.config, name=args.name, role=args.role, province=args.province, out=out)
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
    "cluster": _cmd_cluster,
    "history": _cmd_history,
    "verify": _cmd_verify,
    "serve": _cmd_serve,
    "user": _cmd_user,
    "ledger": _cmd_ledger,
}
