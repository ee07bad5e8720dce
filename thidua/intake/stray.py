"""Blank cells far outside a sheet's table (a space typed in XFD1048576) stretch the sheet past what can be
read; they hold nothing, so they are cut out of the sheet's bytes and the officer is told once.

Only cells with no formula and no visible text are cut, and only outside the extent of the cells that do
hold something; if that extent itself is too large the sheet is still refused. One linear pass over the
worksheet part (at most MAX_CLEAN_BYTES), so hostile bytes cost no more than a plain scan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from thidua.base.cellref import MAIN_NS, NS_PREFIX, cell_position, cell_reference

MAX_CLEAN_BYTES = 16 * 1024 * 1024  # a worksheet part larger than this is not cleaned (it is refused)
MAX_NAMED = 3  # stray cells named in the notice
_CELL_START = re.compile(rb"<" + NS_PREFIX + rb"c[\s>/]")
_CELL_END = re.compile(rb"</" + NS_PREFIX + rb"c>")
_TYPE = re.compile(rb'\bt="([a-zA-Z]{1,12})"')
_FORMULA = re.compile(rb"<" + NS_PREFIX + rb"f[\s>/]")
_VALUE = re.compile(rb"<" + NS_PREFIX + rb"v>([^<]{0,8192})</")
_TEXT = re.compile(rb"<" + NS_PREFIX + rb"t(?:\s[^<>]{0,300})?>([^<]{0,32768})</")
_DIMENSION = re.compile(rb"(<" + NS_PREFIX + rb"dimension\s[^<>]{0,300}?\bref=\")[^\"]{0,40}(\")")
_WHITESPACE = re.compile(rb"^(?:\s|&#(?:x0*(?:9|a|d|20|A|D)|0*(?:9|10|13|32));)*$")


@dataclass
class Cleaned:
    """A worksheet part without its stray blank cells: the new bytes, the extent kept, what was cut."""

    xml: bytes
    max_row: int
    max_col: int
    cut: int
    named: list[str]


def blank_shared_strings(xml: bytes | None) -> frozenset[int]:
    """Indexes of shared strings that show nothing (empty or only spaces, tabs, line breaks)."""
    if not xml:
        return frozenset()
    try:
        root = SafeET.fromstring(xml)
    except (SafeET.ParseError, DefusedXmlException):
        return frozenset()
    blank = set()
    for i, item in enumerate(root.iter(f"{MAIN_NS}si")):
        if not "".join(t.text or "" for t in item.iter(f"{MAIN_NS}t")).strip():
            blank.add(i)
    return frozenset(blank)


def _cells(text: bytes) -> list[tuple[int, int, int]]:
    """(start, end of opening tag, end of cell) of every cell, matching each start with the first closing
    tag after it (a cell that never closes ends at its own tag): linear in the text."""
    starts = [m.start() for m in _CELL_START.finditer(text)]
    ends = [(m.start(), m.end()) for m in _CELL_END.finditer(text)]
    out, j = [], 0
    for i, start in enumerate(starts):
        tag_end = text.find(b">", start, start + 400)
        if tag_end < 0:
            continue
        tag_end += 1
        if text[tag_end - 2:tag_end] == b"/>":
            out.append((start, tag_end, tag_end))
            continue
        while j < len(ends) and ends[j][0] < tag_end:
            j += 1
        following = starts[i + 1] if i + 1 < len(starts) else len(text)
        close = ends[j][1] if j < len(ends) and ends[j][0] < following else tag_end
        out.append((start, tag_end, close))
    return out


def _is_blank(text: bytes, start: int, tag_end: int, end: int, blank_shared: frozenset[int]) -> bool:
    """No formula and nothing to see: no value, an empty or whitespace string, or a blank shared string."""
    body = text[tag_end:end]
    if _FORMULA.search(body):
        return False
    kind = _TYPE.search(text, start, tag_end)
    value = _VALUE.search(body)
    if kind is not None and kind.group(1) == b"s":
        return value is not None and value.group(1).strip().isdigit() and int(value.group(1)) in blank_shared
    if kind is not None and kind.group(1) == b"inlineStr":
        return all(_WHITESPACE.match(t) for t in _TEXT.findall(body))
    return value is None or not value.group(1).strip()


def clean(text: bytes, blank_shared: frozenset[int], max_rows: int, max_cells: int) -> Cleaned | None:
    """The sheet without blank cells outside the extent of its filled cells; None when that extent is still
    beyond `max_rows` / `max_cells` (or the part is too large to clean)."""
    if len(text) > MAX_CLEAN_BYTES:
        return None
    placed = []
    max_row = max_col = 0
    for start, tag_end, end in _cells(text):
        position = cell_position(text[start:tag_end])
        if position is None:  # a cell without r="…": its place is implied, nothing here can move it
            return None
        blank = _is_blank(text, start, tag_end, end, blank_shared)
        placed.append((start, end, position, blank))
        if not blank:
            max_row, max_col = max(max_row, position[0]), max(max_col, position[1])
    if max_row > max_rows or max_row * max_col > max_cells:
        return None
    kept: list[bytes] = []
    named: list[str] = []
    cut = pos = 0
    for start, end, (row, col), blank in placed:
        if blank and (row > max_row or col > max_col):
            kept.append(text[pos:start])
            pos = end
            cut += 1
            if len(named) < MAX_NAMED:
                named.append(cell_reference(row, col))
    kept.append(text[pos:])
    xml = b"".join(kept)
    extent = f"A1:{cell_reference(max(max_row, 1), max(max_col, 1))}".encode()
    xml = _DIMENSION.sub(lambda m: m.group(1) + extent + m.group(2), xml, count=1)
    return Cleaned(xml, max_row, max_col, cut, named)
