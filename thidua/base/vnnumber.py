"""Parse numbers typed as Vietnamese text ("7.877", "8,62", "123,14%"); refuse what is ambiguous.

The rule (never a silent guess): text is read by the Vietnamese convention only — "." groups thousands
in groups of exactly three digits and "," is the decimal mark. A string that is not a well-formed
Vietnamese number but would be one under another convention ("7.87", "0.877", "1,234.5", "1.234.5",
"1,234,567") is *ambiguous* and refused with a suggestion; anything else that is not a number is
*not a number*. Spaces (also non-breaking) may group thousands instead of dots.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

OK = ""
AMBIGUOUS = "ambiguous"
NOT_A_NUMBER = "not-a-number"

_MINUS = "\\-\u2212\u2013"  # hyphen-minus, minus sign, en dash
_BLANKS = re.compile(r"[\s\u00a0\u202f\u2007\u2009]+")
_SIGNED = re.compile(rf"^([+{_MINUS}]?)\s*(.*?)\s*([%‰]?)$", re.DOTALL)
_PLAIN = re.compile(r"^\d+(?:,\d+)?$")  # 7877 ; 8,62 ; 0,60
_DOT_GROUPS = re.compile(r"^[1-9]\d{0,2}(?:\.\d{3})+(?:,\d+)?$")  # 7.877 ; 1.825,68
_SPACE_GROUPS = re.compile(r"^[1-9]\d{0,2}(?: \d{3})+(?:,\d+)?$")  # 7 877 ; 1 825,68
_NUMBERISH = re.compile(r"^[\d.,]*\d[\d.,]*$")  # digits with dots/commas: some other convention


@dataclass(frozen=True)
class ParsedNumber:
    """A parse result: `value` when `problem` is OK; `percent` when the text ended with % or ‰."""

    value: float | None
    problem: str = OK
    percent: bool = False
    suggestion: str = ""

    @property
    def ok(self) -> bool:
        return self.problem == OK


def _suggest(body: str) -> str:
    """A Vietnamese rewrite of an ambiguous body, read the way an English-locale user meant it."""
    if body.count(".") == 1 and "," not in body:
        return body.replace(".", ",")  # 7.87 → 7,87
    if "," in body and "." in body and body.rfind(".") > body.rfind(","):
        return body.replace(",", " ").replace(".", ",").replace(" ", ".")  # 1,234.5 → 1.234,5
    return "7.877 hoặc 8,62"


def parse_vn_number(text: str) -> ParsedNumber:
    """"7.877" → 7877.0; "8,62" → 8.62; "123,14%" → 123.14 (percent=True); "−0,20" → -0.2."""
    stripped = _BLANKS.sub(" ", text).strip()
    match = _SIGNED.match(stripped)
    if not match or not match.group(2):
        return ParsedNumber(None, NOT_A_NUMBER)
    sign, body, unit = match.groups()
    if _PLAIN.match(body) or _DOT_GROUPS.match(body) or _SPACE_GROUPS.match(body):
        digits = body.replace(".", "").replace(" ", "").replace(",", ".")
        value = float(digits)
        if not math.isfinite(value):
            return ParsedNumber(None, NOT_A_NUMBER)
        if sign and sign != "+":
            value = -value
        return ParsedNumber(value + 0.0, OK, bool(unit))
    if _NUMBERISH.match(body):
        return ParsedNumber(None, AMBIGUOUS, bool(unit), _suggest(body))
    return ParsedNumber(None, NOT_A_NUMBER, bool(unit))
