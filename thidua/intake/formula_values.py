"""Keep the values Excel or LibreOffice stored for formula cells when openpyxl rewrites a workbook.

openpyxl keeps a formula or its stored value, never both: a copy it saves has formulas without values,
and the next `check` of that copy would report `formula-without-value` for cells the officer never
touched. The values are read once more (openpyxl's data-only view) and written back next to each formula
in the copy's worksheet XML, which openpyxl writes in one fixed shape.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

if TYPE_CHECKING:
    from openpyxl import Workbook

Cached = dict[str, tuple[str, str]]  # "G4" → (t attribute, <v> text)

# A formula cell as openpyxl 3.1 writes it: <c r="G4" s="3"><f>F4*1.1</f><v /></c> (no t attribute)
_FORMULA_CELL = re.compile(rb'<c r="([A-Z]{1,3}[0-9]{1,7})"([^<>]*)>(<f(?:\s[^<>]*)?(?:/>|>[^<]*</f>))'
                           rb"(?:<v\s*/>|<v></v>)</c>")


def _as_xml(value: object, data_type: str, epoch: dt.datetime) -> tuple[str, str] | None:
    """The t attribute and <v> text of a stored value, as Excel writes them."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "b", "1" if value else "0"
    if isinstance(value, int | float):
        return "", repr(float(value)) if isinstance(value, float) and not value.is_integer() else str(int(value))
    if isinstance(value, dt.datetime | dt.date | dt.time | dt.timedelta):
        from openpyxl.utils.datetime import to_excel

        return "", repr(float(to_excel(value, epoch)))
    return ("e" if data_type == "e" else "str"), escape(str(value))


def cached_formula_values(source: Path, wb: Workbook) -> dict[str, Cached]:
    """Sheet title → the stored value of each formula cell of `wb` (as loaded from `source`)."""
    from openpyxl import load_workbook

    wanted = {ws.title: {(c.row, c.column) for row in ws.iter_rows() for c in row if c.data_type == "f"}
              for ws in wb.worksheets}
    if not any(wanted.values()):
        return {}
    values = load_workbook(io.BytesIO(Path(source).read_bytes()), data_only=True, read_only=True)
    try:
        out: dict[str, Cached] = {}
        for title, cells in wanted.items():
            if not cells or title not in values.sheetnames:
                continue
            found: Cached = {}
            for row in values[title].iter_rows(min_row=min(r for r, _ in cells), max_row=max(r for r, _ in cells)):
                for cell in row:
                    position = (getattr(cell, "row", None), getattr(cell, "column", None))
                    if position in cells:
                        shown = _as_xml(cell.value, cell.data_type, values.epoch)
                        if shown is not None:
                            found[cell.coordinate] = shown
            out[title] = found
        return out
    finally:
        values.close()


def restore_formula_values(xlsx: bytes, by_part: dict[str, Cached]) -> bytes:
    """`xlsx` (as openpyxl saved it) with each formula cell's stored value written back."""
    if not by_part:
        return xlsx
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            cached = by_part.get(info.filename)
            if cached:
                data = _FORMULA_CELL.sub(functools.partial(_with_value, cached=cached), data)
            zout.writestr(info, data)
    return out.getvalue()


def _with_value(match: re.Match[bytes], cached: Cached) -> bytes:
    stored = cached.get(match.group(1).decode("ascii"))
    if stored is None:
        return match.group(0)
    kind, text = stored
    attrs = match.group(2) + (f' t="{kind}"'.encode() if kind else b"")
    return b'<c r="' + match.group(1) + b'"' + attrs + b">" + match.group(3) + b"<v>" + text.encode() + b"</v></c>"
