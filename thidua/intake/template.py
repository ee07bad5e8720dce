"""Write the standard Excel template (blank or filled) from the contract table, with openpyxl."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from thidua.base import model
from thidua.base.atomic import atomic_path
from thidua.intake import contract

HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_FONT = Font(bold=True, color="FFFFFF")
TITLE_FONT = Font(bold=True, size=14, color="1F4E79")
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
HEADER_ALIGN = Alignment(wrap_text=True, vertical="center", horizontal="center")
THIN = Side(style="thin", color="A6A6A6")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
GUIDE_WIDTHS = (24, 11, 30, 60, 30)
MIN_VALIDATED_ROWS = 500  # dropdowns cover at least this many data rows
DATE_FORMAT = "dd/mm/yyyy"

Row = Mapping[str, object]


def _header_row(ws: Worksheet, headers: Sequence[str], widths: Sequence[float]) -> None:
    for col, (header, width) in enumerate(zip(headers, widths, strict=True), start=1):
        cell = ws.cell(row=1, column=col, value=header)
        cell.font, cell.fill, cell.alignment, cell.border = HEADER_FONT, HEADER_FILL, HEADER_ALIGN, BOX
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.row_dimensions[1].height = 32
    ws.freeze_panes = "A2"


def _validation(column: contract.Column) -> DataValidation:
    """Dropdown for choice columns, a number check for numbers, else just the help as input message."""
    if column.allowed:
        dv = DataValidation(type="list", formula1='"' + ",".join(column.allowed) + '"', allow_blank=True,
                            showDropDown=False)
        dv.error = "Hãy chọn một giá trị trong danh sách: " + ", ".join(column.allowed)
    elif column.type == contract.NUMBER:
        dv = DataValidation(type="decimal", operator="between", formula1="0", formula2="100000",
                            allow_blank=True)
        dv.error = "Cần nhập một số không âm."
    else:
        dv = DataValidation(allow_blank=True)
    dv.errorTitle = column.header
    dv.promptTitle = column.header[:32]
    dv.prompt = column.help[:250]
    dv.showErrorMessage = bool(column.allowed) or column.type == contract.NUMBER
    dv.showInputMessage = True
    return dv


def _cell_value(column: contract.Column, value: object) -> object:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if column.type == contract.FLAG and isinstance(value, bool):
        return contract.FLAG_MARK if value else None
    if column.type == contract.KIND and value in contract.LABEL_OF_KIND:
        return contract.LABEL_OF_KIND[value]
    return value


def _table_sheet(wb: Workbook, sheet: contract.Sheet, rows: Sequence[Row]) -> None:
    ws = wb.create_sheet(sheet.name)
    _header_row(ws, [c.header for c in sheet.columns], [c.width for c in sheet.columns])
    last = max(MIN_VALIDATED_ROWS, len(rows) + 200) + 1
    for col, column in enumerate(sheet.columns, start=1):
        dv = _validation(column)
        letter = get_column_letter(col)
        dv.add(f"{letter}2:{letter}{last}")
        ws.add_data_validation(dv)
    for r, row in enumerate(rows, start=2):
        for col, column in enumerate(sheet.columns, start=1):
            value = _cell_value(column, row.get(column.key))
            if value is not None:
                cell = ws.cell(row=r, column=col, value=value)
                if column.type == contract.TEXT and len(str(value)) > column.width:
                    cell.alignment = WRAP
                    _fit_height(ws, r, [(str(value), column.width)])


def _info_sheet(wb: Workbook, meta: model.ReportMeta | None) -> None:
    sheet = contract.INFO_SHEET
    ws = wb.create_sheet(sheet.name)
    _header_row(ws, [c.header for c in sheet.columns], [c.width for c in sheet.columns])
    values = asdict(meta) if meta is not None else {}
    for r, info in enumerate(contract.INFO_ROWS, start=2):
        ws.cell(row=r, column=1, value=info.label).font = BOLD
        cell = ws.cell(row=r, column=2)
        value = values.get(info.key)
        if info.type == contract.LINES:
            lines = list(value or [])
            cell.value = "\n".join(lines) or None
            ws.row_dimensions[r].height = 15 * max(1, len(lines))
        elif info.type == contract.DATE:
            cell.value = value or None
            cell.number_format = DATE_FORMAT
        elif info.type == contract.PERIOD:
            cell.value = model.LABEL_OF_PERIOD.get(str(value), value) if value else None
        elif value not in (None, ""):
            cell.value = value
        cell.alignment = WRAP
        help_text = info.help + (" Bắt buộc." if info.required else "")
        ws.cell(row=r, column=3, value=help_text).alignment = WRAP
    year = DataValidation(type="whole", operator="between", formula1="2000", formula2="2100", allow_blank=True)
    year.error, year.showErrorMessage = "Năm đánh giá là số có 4 chữ số, ví dụ 2022.", True
    date_row = 2 + next(i for i, r in enumerate(contract.INFO_ROWS) if r.type == contract.DATE)
    year_row = 2 + next(i for i, r in enumerate(contract.INFO_ROWS) if r.type == contract.YEAR)
    year.add(f"B{year_row}")
    date = DataValidation(type="date", operator="greaterThan", formula1="36526", allow_blank=True)
    date.error, date.showErrorMessage = "Cần nhập ngày dạng ngày/tháng/năm, ví dụ 30/5/2023.", True
    date.add(f"B{date_row}")
    period = DataValidation(type="list", formula1='"' + ",".join(contract.PERIOD_CHOICES) + '"', allow_blank=True)
    period.error = "Hãy chọn một kỳ trong danh sách: " + ", ".join(contract.PERIOD_CHOICES)
    period.showErrorMessage = True
    period.add(f"B{2 + next(i for i, r in enumerate(contract.INFO_ROWS) if r.type == contract.PERIOD)}")
    ws.add_data_validation(year)
    ws.add_data_validation(date)
    ws.add_data_validation(period)


def _fit_height(ws: Worksheet, row: int, texts: Sequence[tuple[str, float]]) -> None:
    """Set a row height that shows wrapped text (LibreOffice does not re-fit rows written by openpyxl)."""
    lines = max(sum(math.ceil(max(len(part), 1) / width) for part in str(text).split("\n"))
                for text, width in texts)
    ws.row_dimensions[row].height = max(ws.row_dimensions[row].height or 0, 16 * max(1, lines))


def _guide_sheet(wb: Workbook) -> None:
    ws = wb.active
    ws.title = contract.SHEET_GUIDE
    for col, width in enumerate(GUIDE_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.cell(row=1, column=1, value="HƯỚNG DẪN ĐIỀN MẪU TIÊU CHÍ THI ĐUA").font = TITLE_FONT
    r = 3
    ws.cell(row=r, column=1, value="Các bước").font = BOLD
    for i, step in enumerate(contract.filling_steps(), start=1):
        r += 1
        ws.cell(row=r, column=1, value=f"{i}. {step}").alignment = WRAP
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=len(GUIDE_WIDTHS))
        _fit_height(ws, r, [(f"{i}. {step}", sum(GUIDE_WIDTHS))])
    for sheet in (contract.INFO_SHEET, contract.CRITERIA_SHEET, contract.DEDUCTIONS_SHEET):
        r += 2
        ws.cell(row=r, column=1, value=f"Trang \"{sheet.name}\": {sheet.purpose}").font = BOLD
        r += 1
        first = "Mục" if sheet is contract.INFO_SHEET else "Cột"
        for col, text in enumerate((first, "Bắt buộc", "Kiểu / giá trị", "Cách điền", "Ví dụ"), start=1):
            cell = ws.cell(row=r, column=col, value=text)
            cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, BOX
        entries = ([(i.label, i.required, contract.info_type_text(i), i.help, i.example)
                    for i in contract.INFO_ROWS] if sheet is contract.INFO_SHEET else
                   [(c.header, c.required, contract.allowed_text(c) or contract.TYPE_NAMES[c.type], c.help,
                     c.example) for c in sheet.columns])
        for label, required, kind, help_text, example in entries:
            r += 1
            values = (label, "Bắt buộc" if required else "", kind, help_text, example)
            for col, value in enumerate(values, start=1):
                cell = ws.cell(row=r, column=col, value=value)
                cell.alignment, cell.border = WRAP, BOX
            _fit_height(ws, r, list(zip(values, GUIDE_WIDTHS, strict=True)))


def _print_setup(ws: Worksheet) -> None:
    """Landscape A4, all columns on one page width (officers print the template)."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def build_workbook(*, criteria_rows: Sequence[Row] | None = None, meta: model.ReportMeta | None = None,
                   deductions: Sequence[Row] | None = None) -> Workbook:
    """The template as an openpyxl Workbook; rows are dicts keyed by the contract's column keys."""
    wb = Workbook()
    _guide_sheet(wb)
    _info_sheet(wb, meta)
    _table_sheet(wb, contract.CRITERIA_SHEET, criteria_rows or [])
    _table_sheet(wb, contract.DEDUCTIONS_SHEET, deductions or [])
    for ws in wb.worksheets:
        _print_setup(ws)
    return wb


def write_template(path: Path, *, criteria_rows: Sequence[Row] | None = None,
                   meta: model.ReportMeta | None = None, deductions: Sequence[Row] | None = None,
                   overwrite: bool = True) -> Path:
    """Write the standard template (blank, or filled with the given rows and meta) atomically to `path`;
    with `overwrite` False an existing file is never replaced (FileExistsError)."""
    wb = build_workbook(criteria_rows=criteria_rows, meta=meta, deductions=deductions)
    path = Path(path)
    with atomic_path(path, replace=overwrite) as tmp:
        wb.save(tmp)
    return path
