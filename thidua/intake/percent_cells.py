"""Cells that Excel shows as a percentage: an officer who types "8,62%" gets 0.0862 stored with a "0.00%"
format, and means 8,62. The reader takes what the officer sees, so these cells are found here.

Found from the workbook's own bytes (styles.xml, then a bounded scan of each worksheet), because
python-calamine returns values without their number formats.
"""

from __future__ import annotations

import functools
import re

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from thidua.base.cellref import MAIN_NS, NS_PREFIX, cell_position

BUILTIN_PERCENT_FORMATS = frozenset({9, 10})  # "0%", "0.00%"
MAX_PERCENT_CELLS = 200_000  # per sheet; more is not a filled-in template
_QUOTED = re.compile(r'"[^"]*"|\\.')  # literal text and escaped characters are not format codes


def is_percent_format(code: str) -> bool:
    """True when a number format code displays a percentage ("0.00%", "#,##0.0%;[Red]-0.0%")."""
    return "%" in _QUOTED.sub("", code)


def percent_styles(styles_xml: bytes | None) -> frozenset[int]:
    """Indexes into cellXfs (a cell's s="…") whose number format is a percentage."""
    if not styles_xml:
        return frozenset()
    try:
        root = SafeET.fromstring(styles_xml)
    except (SafeET.ParseError, DefusedXmlException):
        return frozenset()
    custom = {int(f.get("numFmtId", "-1")): f.get("formatCode", "")
              for f in root.iter(f"{MAIN_NS}numFmt") if f.get("numFmtId", "").isdigit()}
    cell_xfs = root.find(f"{MAIN_NS}cellXfs")
    if cell_xfs is None:
        return frozenset()
    found = set()
    for index, xf in enumerate(cell_xfs.findall(f"{MAIN_NS}xf")):
        fmt = xf.get("numFmtId", "0")
        fmt_id = int(fmt) if fmt.isdigit() else 0
        if fmt_id in BUILTIN_PERCENT_FORMATS or is_percent_format(custom.get(fmt_id, "")):
            found.add(index)
    return frozenset(found)


@functools.lru_cache(maxsize=32)
def _styled_cell(styles: frozenset[int]) -> re.Pattern[bytes]:
    """A filled cell (not <c …/>) whose s="…" is one of `styles`; matching stays in the regex engine."""
    alternatives = b"|".join(str(i).encode() for i in sorted(styles))
    # atomic and possessive parts: no retrying for tags stuffed with s="…" repeats (see xlsx_guard._CELL_REF)
    return re.compile(rb"<" + NS_PREFIX + rb"c\s((?>[^<>]{0,300}?\bs=\"(?:" + alternatives + rb")\")[^<>/]{0,300}+)>")


def find_percent_cells(text: bytes, styles: frozenset[int], into: set[tuple[int, int]]) -> None:
    """Add (row, column) of every filled cell in this worksheet XML text styled with one of `styles`."""
    if not styles or len(into) >= MAX_PERCENT_CELLS:
        return
    for match in _styled_cell(styles).finditer(text):
        position = cell_position(match.group(1))
        if position is not None:
            into.add(position)
            if len(into) >= MAX_PERCENT_CELLS:
                return
