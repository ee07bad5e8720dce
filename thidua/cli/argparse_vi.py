"""Vietnamese framing for argparse: officers read help and usage errors, so none of it stays English.

argparse builds its texts from English gettext strings; rather than patch the stdlib, the parser class
below sets its own section titles, help texts and usage prefix, and `translate_error` rewrites the
handful of error shapes argparse can produce.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterable

USAGE_PREFIX = "Cách dùng: "
POSITIONALS_TITLE = "tham số"
OPTIONALS_TITLE = "tùy chọn"
HELP_TEXT = "hiện hướng dẫn này rồi thoát"

_ERRORS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^the following arguments are required: (.+)$"), "thiếu tham số bắt buộc: {0}"),
    (re.compile(r"^unrecognized arguments: (.+)$"), "không hiểu tham số: {0}"),
    (re.compile(r"^argument (.+?): invalid choice: '?(.+?)'? \(choose from (.+)\)$"),
     "{0}: không có lựa chọn \"{1}\" (chọn một trong: {2})"),
    (re.compile(r"^argument (.+?): expected one argument$"), "{0}: cần một giá trị đi kèm"),
    (re.compile(r"^argument (.+?): expected at least one argument$"), "{0}: cần ít nhất một giá trị"),
    (re.compile(r"^argument (.+?): not allowed with argument (.+)$"), "{0}: không dùng cùng {1}"),
    (re.compile(r"^argument (.+?): ignored explicit argument '(.+)'$"), "{0}: không nhận giá trị \"{1}\""),
    (re.compile(r"^argument (.+?): invalid (\S+) value: '(.+)'$"), "{0}: giá trị \"{2}\" không hợp lệ"),
    (re.compile(r"^ambiguous option: (\S+) could match (.+)$"), "tùy chọn {0} không rõ, có thể là: {1}"),
]


def translate_error(message: str) -> str:
    """The Vietnamese for one argparse error message (unknown shapes pass through unchanged)."""
    for pattern, template in _ERRORS:
        match = pattern.match(message)
        if match:
            return template.format(*(g.replace("'", "") for g in match.groups()))
    return message


class VietnameseHelpFormatter(argparse.HelpFormatter):
    """Usage line with a Vietnamese prefix."""

    def add_usage(self, usage: str | None, actions: Iterable[argparse.Action],
                  groups: Iterable[argparse._MutuallyExclusiveGroup], prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, prefix=USAGE_PREFIX if prefix is None else prefix)


def set_titles(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Vietnamese section titles (also on parent parsers: their groups merge with the child's by title)."""
    parser._positionals.title = POSITIONALS_TITLE
    parser._optionals.title = OPTIONALS_TITLE
    return parser


def localise(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Vietnamese section titles and a Vietnamese -h/--help on `parser` (built with add_help=False)."""
    set_titles(parser)
    parser.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help=HELP_TEXT)
    return parser
