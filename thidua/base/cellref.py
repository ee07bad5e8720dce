"""A1 cell references and spreadsheet XML names (the issue model and the byte-level scanners share them)."""

from __future__ import annotations

import re

NS_PREFIX = rb"(?:[A-Za-z_][\w.-]*:)?"  # an optional namespace prefix on a tag ("x:c")
MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REF_ATTR = re.compile(rb'\br="([A-Z]{1,3})(\d{1,7})"')


def column_number(letters: bytes | str) -> int:
    """"A" → 1, "XFD" → 16384."""
    n = 0
    for ch in letters.upper() if isinstance(letters, str) else letters.decode("ascii"):
        n = n * 26 + ord(ch) - 64
    return n


def column_letters(n: int) -> str:
    """1 → "A", 16384 → "XFD"."""
    out = ""
    while n:
        n, rest = divmod(n - 1, 26)
        out = chr(65 + rest) + out
    return out


def cell_reference(row: int, column: int) -> str:
    """(12, 8) → "H12"."""
    return f"{column_letters(column)}{row}"


def cell_position(attributes: bytes) -> tuple[int, int] | None:
    """(row, column) from a <c …> tag's attributes (its r="B12"), None when it has none."""
    ref = _REF_ATTR.search(attributes)
    return (int(ref.group(2)), column_number(ref.group(1))) if ref else None
