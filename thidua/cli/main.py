"""Command line entry: parse, run one command, map errors to exit codes; the only place that exits."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
import traceback
from typing import NoReturn, TextIO

from thidua.base.config import load_config
from thidua.base.errors import EXIT_USAGE, ThiduaError
from thidua.base.logfmt import console_handler
from thidua.base.model import FILE_SCOPE
from thidua.cli.commands import COMMANDS
from thidua.cli.log_text import LEVELS, officer_line
from thidua.cli.parser import build_parser

_HANDLER_NAME = "thidua-cli"


def _configure_logging(debug: bool, quiet: bool, err: TextIO) -> None:
    logger = logging.getLogger("thidua")
    for handler in list(logger.handlers):
        if handler.get_name() == _HANDLER_NAME:  # main() may run several times in one process (tests)
            logger.removeHandler(handler)
    level = logging.DEBUG if debug else logging.ERROR if quiet else logging.WARNING
    handler = console_handler(err, level, officer_line, LEVELS)
    handler.set_name(_HANDLER_NAME)
    logger.addHandler(handler)
    logger.setLevel(level)
    for library in ("pyhanko", "pyhanko_certvalidator"):  # their tracebacks for an untrusted chain: --debug only
        logging.getLogger(library).setLevel(logging.DEBUG if debug else logging.CRITICAL)


def main(argv: list[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Run one command; return the exit code (0 fine, 1 data issues, 2 usage/config, 3 unreadable)."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    argv = sys.argv[1:] if argv is None else argv
    debug = "--debug" in argv
    as_json = "--json" in argv and "check" in argv  # `check --json` answers in JSON whatever happens
    try:
        with contextlib.redirect_stdout(out):  # --help and --version print to the caller's stream
            args = build_parser().parse_args(argv)
        as_json = args.command == "check" and bool(args.json)
        _configure_logging(args.debug, args.quiet, err)
        config = load_config(args.config)
        return COMMANDS[args.command](args, config, out)
    except SystemExit as exc:  # --help / --version
        return int(exc.code or 0)
    except ThiduaError as exc:
        if debug:
            traceback.print_exc(file=err)
        _say(err, f"Lỗi: {exc.message}", f"Gợi ý: {exc.hint}" if exc.hint else "")
        if as_json:
            _json_error(out, exc.code, exc.message, exc.hint)
        return exc.exit_code
    except KeyboardInterrupt:
        print("Đã dừng theo yêu cầu.", file=err)
        return 130
    except Exception as exc:  # last line of defence: officers never see a traceback
        if debug:
            traceback.print_exc(file=err)
        hint = "chạy lại với --debug và gửi kết quả cho bộ phận kỹ thuật."
        _say(err, f"Lỗi không mong đợi: {type(exc).__name__}: {exc}", f"Gợi ý: {hint}")
        if as_json:
            _json_error(out, "program-error", f"Lỗi không mong đợi: {type(exc).__name__}: {exc}", hint)
        return EXIT_USAGE


def _say(err: TextIO, *lines: str) -> None:
    for line in lines:
        if line:
            print(line, file=err)


def _json_error(out: TextIO, code: str, message: str, hint: str | None) -> None:
    """The one-item list `check --json` prints when it could not check at all (same four fields)."""
    text = f"{message} Gợi ý: {hint}" if hint else message
    item = {"code": code, "sheet": "", "cell": FILE_SCOPE, "message": text}
    print(json.dumps([item], ensure_ascii=False, indent=2), file=out)


def run_and_exit(argv: list[str] | None = None) -> NoReturn:
    """Entry point for a process (`generate_report.py`, `python -m thidua`, the installed `thidua`):
    run `main`, flush, and leave without interpreter teardown.

    Tearing down pandas, WeasyPrint and their C libraries costs ≈0,3 s of a cold run and does nothing
    useful: every output is already renamed into place, the ledger committed and closed, and worker pools
    shut down by the time `main` returns. Buffered output and log handlers are flushed first.
    """
    code = main(argv)
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)
