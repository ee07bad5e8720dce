"""Builders of real .xlsx files for tests: from contract rows, from raw cell rows, and hostile zips."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from openpyxl import Workbook

from thidua.base import model
from thidua.intake import contract
from thidua.intake.template import write_template

# The columns every workbook has: `standard_raw` writes a workbook as the template before "Lũy kế" made
# it (optional columns are absent), so every layout test also checks that such workbooks still read.
HEADERS = [c.header for c in contract.CRITERIA_SHEET.columns if c.key not in contract.CRITERIA_SHEET.optional_columns]
ALL_HEADERS = [c.header for c in contract.CRITERIA_SHEET.columns]


def meta(**changes: object) -> model.ReportMeta:
    base = model.ReportMeta(province="Đồng Tháp", year=2022, cluster="Cụm thi đua các tỉnh Tây Nam Bộ",
                            report_date=dt.date(2023, 5, 30), recipients=["Ban Thi đua - Khen thưởng Trung ương"])
    for key, value in changes.items():
        setattr(base, key, value)
    return base


def criterion(code: str = "KT01", **changes: object) -> dict[str, object]:
    """A valid criterion row keyed by contract column keys (GRDP growth, 8,62 vs 7,0)."""
    row: dict[str, object] = {"code": code, "field": "Kinh tế", "name": "Tốc độ tăng trưởng GRDP", "unit": "%",
                              "kind": "Tăng là tốt", "plan": 7.0, "actual": 8.62, "previous": 0.83,
                              "max_points": 50, "key": "x", "data_status": None, "agency": "Sở Kế hoạch và Đầu tư",
                              "monitor": "Trần Thị Bích", "note": None}
    row.update(changes)
    return row


def criteria(n: int = 3) -> list[dict[str, object]]:
    return [criterion(f"KT{i:02d}") for i in range(1, n + 1)]


def filled(path: Path, rows: Sequence[Mapping[str, object]] | None = None, info: model.ReportMeta | None = None,
           deductions: Sequence[Mapping[str, object]] | None = None) -> Path:
    """A filled standard template (the writer the product uses)."""
    return write_template(path, criteria_rows=criteria() if rows is None else rows,
                          meta=meta() if info is None else info, deductions=deductions)


def info_rows(**values: object) -> list[list[object]]:
    """Raw `Thông tin` rows (header + label/value), defaults for province and year."""
    merged = {"Tỉnh/Đơn vị": "Đồng Tháp", "Năm đánh giá": 2022, **values}
    return [["Mục", "Giá trị"]] + [[k, v] for k, v in merged.items() if v is not None]


def criteria_rows(rows: Sequence[Mapping[str, object]], headers: Sequence[str] = HEADERS,
                  rename: Callable[[str], str] | None = None) -> list[list[object]]:
    """Raw `Tiêu chí` rows: the header row (shown through `rename`), then values in `headers` order."""
    keys = [next(c.key for c in contract.CRITERIA_SHEET.columns if c.header == h) if h in ALL_HEADERS else None
            for h in headers]
    shown = [rename(h) if rename else h for h in headers]
    return [shown] + [[row.get(k) if k else None for k in keys] for row in rows]


def raw_workbook(path: Path, sheets: Mapping[str, Sequence[Sequence[object]]],
                 tweak: Callable[[Workbook], None] | None = None) -> Path:
    """Any workbook: sheet name → rows of cell values (row 1 first); `tweak` edits it before saving."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    ws.cell(row=r, column=c, value=value)
    if tweak is not None:
        tweak(wb)
    wb.save(path)
    return path


def standard_raw(path: Path, rows: Sequence[Mapping[str, object]] | None = None,
                 headers: Sequence[str] = HEADERS, tweak: Callable[[Workbook], None] | None = None,
                 rename: Callable[[str], str] | None = None, **info: object) -> Path:
    """Raw Thông tin + Tiêu chí sheets (no Điểm trừ), for tests that bend the layout."""
    table = criteria_rows(criteria() if rows is None else rows, headers, rename)
    return raw_workbook(path, {"Thông tin": info_rows(**info), "Tiêu chí": table}, tweak)


def rezip(source: Path, target: Path, *, replace: Mapping[str, bytes] | None = None,
          add: Mapping[str, bytes] | None = None, compression: int = zipfile.ZIP_DEFLATED) -> Path:
    """Copy a zip, replacing or adding members."""
    replace, add = dict(replace or {}), dict(add or {})
    buf = io.BytesIO()
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(buf, "w", compression) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, replace.pop(info.filename, None) or zin.read(info.filename))
        for name, data in {**replace, **add}.items():
            zout.writestr(name, data)
    target.write_bytes(buf.getvalue())
    return target


def issue_list(result: model.ReadResult) -> list[tuple[str, str]]:
    """Flattened issues: [(cell, code), …] in reading order."""
    return [(i.cell, i.code) for i in result.issues]


def _typed_as_percent(book: Workbook) -> None:
    """What Excel stores when an officer types "8,62%": 0.0862 with a percentage format."""
    ws = book["Tiêu chí"]
    ws["F2"].value, ws["F2"].number_format = 0.07, "0%"
    ws["G2"].value, ws["G2"].number_format = 0.0862, "0.00%"
    ws["G3"].value, ws["G3"].number_format = 8.62, '0.00"%"'  # a literal % sign: the value is as shown
    ws["H3"].value, ws["H3"].number_format = 0.0083, "#,##0.00%;[Red]-#,##0.00%"


def percent_workbook(path: Path) -> Path:
    """Two GRDP rows whose plan/actual/previous cells were typed as percentages."""
    return standard_raw(path, rows=[criterion("KT01"), criterion("KT02")], tweak=_typed_as_percent)


def assert_read_as_shown(result: model.ReadResult) -> None:
    assert result.valid, result.issues
    c = result.submission.criteria.set_index("code")
    assert (c.loc["KT01", "plan"], c.loc["KT01", "actual"]) == (7.0, 8.62)
    assert (c.loc["KT02", "actual"], c.loc["KT02", "previous"]) == (8.62, 0.83)

