"""Write the assessment as <name>.ket-qua.xlsx: criteria colour-coded by status, plus a totals sheet."""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from thidua.base import model
from thidua.base.atomic import atomic_path
from thidua.base.rounding import half_up
from thidua.base.values import plain, text_or_empty
from thidua.scoring.rules import RULES

if TYPE_CHECKING:
    from thidua.cluster.history import Comparison

SHEET_RESULTS = "Kết quả"
SHEET_TOTALS = "Tổng hợp"
SHEET_HISTORY = "So với năm trước"

# Row fill per status: the officer scans colours before numbers.
STATUS_FILLS = {
    model.STATUS_EXCEEDED: "A9D08E",  # green
    model.STATUS_MET: "E2EFDA",  # light green
    model.STATUS_NOT_MET: "F8CBAD",  # red/pink
    model.STATUS_NO_DATA: "D9D9D9",  # grey
}
NUMBER_FORMAT = "#,##0.00"
_LEVEL_NAMES = {level: name for name, level in model.GRADE_LEVELS.items()}
_HEADER_FILL = PatternFill("solid", fgColor="BDD7EE")
_BOLD = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="top")
_TOP = Alignment(vertical="top")


Row = Mapping[Hashable, Any]  # one results row, as pandas gives it


def _shown(row: Row, which: str) -> Any:
    """Plan/actual as the officer reads them: labels for pass/fail and grades, numbers otherwise."""
    value = plain(row[which])
    label = str(row.get(f"{which}_label") or "").strip()
    if row["kind"] == model.KIND_PASS_FAIL:
        return label or {1.0: "Đạt", 0.0: "Không đạt"}.get(value, value)
    if row["kind"] == model.KIND_GRADE:
        return label or _LEVEL_NAMES.get(value, value)
    return value


def _numeric_only(value: Any, row: Row) -> Any:
    """Gaps exist for numbers only: a pass/fail or grade criterion leaves the cell empty."""
    return value if row["kind"] in (model.KIND_INCREASE, model.KIND_DECREASE) else None


def _rule_text(code: Any) -> str:
    """The rule in the officer's words (docs/scoring.md has the codes)."""
    return RULES.get(str(code), str(code))


Column = tuple[str, Callable[[Row], Any], str | None, int]
# Long texts wrap inside their column instead of running over the next ones.
WRAPPED = ("Lĩnh vực", "Tiêu chí", "Giải thích", "Quy tắc", "Cơ quan chủ trì", "Thành viên HĐ theo dõi",
           "Nguyên nhân, ghi chú", "Giải thích (theo số dự kiến cả năm)", "Phần cần đạt tính theo")

# (header, value from a results row, number format, width): one table drives the sheet.
COLUMNS: tuple[Column, ...] = (
    ("STT", lambda r: r["_n"], None, 5),
    ("Mã", lambda r: r["code"], None, 8),
    ("Lĩnh vực", lambda r: r["field"], None, 22),
    ("Tiêu chí", lambda r: r["name"], None, 45),
    ("ĐVT", lambda r: r["unit"], None, 10),
    ("Loại chỉ tiêu", lambda r: model.LABEL_OF_KIND.get(r["kind"], r["kind"]), None, 13),
    ("Trọng tâm", lambda r: "x" if r["key"] else "", None, 9),
    ("Kế hoạch", lambda r: _shown(r, "plan"), NUMBER_FORMAT, 14),
    ("Thực hiện", lambda r: _shown(r, "actual"), NUMBER_FORMAT, 14),
    ("Tình trạng số liệu", lambda r: r["data_status"], None, 12),
    ("Cùng kỳ năm trước", lambda r: _shown(r, "previous"), NUMBER_FORMAT, 14),
    ("% so kế hoạch", lambda r: r["pct_of_plan"], NUMBER_FORMAT, 11),
    ("Đánh giá", lambda r: r["status"], None, 13),
    ("Điểm chuẩn", lambda r: r["max_points"], NUMBER_FORMAT, 10),
    ("Điểm", lambda r: r["points"], NUMBER_FORMAT, 10),
    ("Điểm thưởng", lambda r: r["bonus"], NUMBER_FORMAT, 10),
    ("So cùng kỳ (tăng/giảm)", lambda r: r["yoy_change"], NUMBER_FORMAT, 12),
    ("So cùng kỳ (%)", lambda r: r["yoy_pct"], NUMBER_FORMAT, 11),
    ("Còn thiếu so kế hoạch", lambda r: _numeric_only(r["gap_to_plan"], r), NUMBER_FORMAT, 13),
    ("Còn thiếu để được thưởng", lambda r: r["gap_to_bonus"], NUMBER_FORMAT, 13),
    ("Giải thích", lambda r: r["explanation"], None, 70),
    ("Quy tắc", lambda r: _rule_text(r["rule"]), None, 40),
    ("Cơ quan chủ trì", lambda r: r["agency"], None, 20),
    ("Thành viên HĐ theo dõi", lambda r: r["monitor"], None, 20),
    ("Nguyên nhân, ghi chú", lambda r: r["note"], None, 30),
)


# An interim review (six-month, nine-month, quarterly): the same rows with progress, the year-end projection
# and the interim status; every point is provisional ("dự kiến"), judged on the projection.
_BY_HEADER = {c[0]: c for c in COLUMNS}
SHARE_SOURCES: dict[str, str] = {model.SHARE_DEFAULT: "Tỷ lệ cấu hình ([interim])",
                                 model.SHARE_LAST_YEAR: "Cùng kỳ năm trước so với cả năm trước"}
INTERIM_SHEET_COLUMNS: tuple[Column, ...] = (
    *(_BY_HEADER[h] for h in ("STT", "Mã", "Lĩnh vực", "Tiêu chí", "ĐVT", "Loại chỉ tiêu", "Trọng tâm")),
    ("Lũy kế", lambda r: "x" if r["cumulative"] else "", None, 8),
    ("Kế hoạch năm", lambda r: _shown(r, "plan"), NUMBER_FORMAT, 14),
    ("Thực hiện (lũy kế hoặc ước cả năm)", lambda r: _shown(r, "actual"), NUMBER_FORMAT, 14),
    *(_BY_HEADER[h] for h in ("Tình trạng số liệu", "Cùng kỳ năm trước")),
    ("Tiến độ (% kế hoạch năm)", lambda r: r["progress_pct"], NUMBER_FORMAT, 11),
    ("Phần kế hoạch năm cần đạt đến hết kỳ (%)", lambda r: r["expected_share_pct"], NUMBER_FORMAT, 12),
    ("Phần cần đạt tính theo", lambda r: SHARE_SOURCES.get(str(r["share_source"]), ""), None, 16),
    ("Dự kiến cả năm", lambda r: _shown(r, "projection"), NUMBER_FORMAT, 14),
    ("Dự kiến % so kế hoạch", lambda r: r["pct_of_plan"], NUMBER_FORMAT, 11),
    ("Đánh giá", lambda r: r["interim_status"], None, 15),
    ("Dự kiến kết quả cả năm", lambda r: r["status"], None, 12),
    ("Điểm chuẩn", lambda r: r["max_points"], NUMBER_FORMAT, 10),
    ("Điểm dự kiến", lambda r: r["points"], NUMBER_FORMAT, 10),
    ("Điểm thưởng dự kiến", lambda r: r["bonus"], NUMBER_FORMAT, 10),
    ("Bình quân đã thực hiện mỗi tháng", lambda r: r["pace_per_month"], NUMBER_FORMAT, 13),
    ("Cần bình quân mỗi tháng còn lại để đạt kế hoạch", lambda r: r["needed_per_month"], NUMBER_FORMAT, 14),
    ("Cần bình quân mỗi tháng còn lại để vượt ngưỡng thưởng", lambda r: r["bonus_needed_per_month"],
     NUMBER_FORMAT, 14),
    *(_BY_HEADER[h] for h in ("So cùng kỳ (tăng/giảm)", "So cùng kỳ (%)")),
    ("Giải thích (theo số dự kiến cả năm)", lambda r: r["explanation"], None, 70),
    *(_BY_HEADER[h] for h in ("Quy tắc", "Cơ quan chủ trì", "Thành viên HĐ theo dõi", "Nguyên nhân, ghi chú")),
)
INTERIM_FILLS = {
    model.INTERIM_ON_TRACK: "A9D08E",  # green
    model.INTERIM_LAGGING: "FFE699",  # yellow
    model.INTERIM_AT_RISK: "F8CBAD",  # red/pink
    model.STATUS_NO_DATA: "D9D9D9",  # grey
}


def _sheet_columns(assessment: model.Assessment) -> tuple[tuple[Column, ...], str, dict[str, str]]:
    """The column table, the status column that colours a row, and its colours."""
    if assessment.interim is not None:
        return INTERIM_SHEET_COLUMNS, "interim_status", INTERIM_FILLS
    return COLUMNS, "status", STATUS_FILLS


def write_header(ws: Worksheet, headers: list[str], widths: list[int]) -> None:
    """Append a bold, filled, wrapped header row and set the column widths (every results sheet)."""
    ws.append(headers)
    for i, width in enumerate(widths, start=1):
        cell = ws.cell(row=ws.max_row, column=i)
        cell.font, cell.fill, cell.alignment = _BOLD, _HEADER_FILL, _WRAP
        ws.column_dimensions[get_column_letter(i)].width = width


def _results_sheet(ws: Worksheet, assessment: model.Assessment) -> None:
    table, status_column, colours = _sheet_columns(assessment)
    write_header(ws, [c[0] for c in table], [c[3] for c in table])
    fills = {status: PatternFill("solid", fgColor=color) for status, color in colours.items()}
    formats = [c[2] for c in table]
    headers = [c[0] for c in table]
    wrap_cols = {i for i, h in enumerate(headers, start=1) if h in WRAPPED}
    for n, row in enumerate(assessment.results.to_dict("records"), start=1):
        row["_n"] = n
        fill = fills.get(row[status_column])
        for col, column in enumerate(table, start=1):
            # ws.cell, not ws.append + ws.max_row: max_row scans every cell, O(n²) for big sheets
            cell = ws.cell(row=n + 1, column=col, value=plain(column[1](row)))
            if fill is not None:
                cell.fill = fill
            if formats[col - 1] and isinstance(cell.value, (int, float)):
                cell.number_format = formats[col - 1]
            cell.alignment = _WRAP if col in wrap_cols else _TOP  # one baseline for tall rows
    ws.freeze_panes = "E2"
    ws.auto_filter.ref = ws.dimensions
    _fit_row_heights(ws, len(assessment.results), {col: table[col - 1][3] for col in wrap_cols})
    _print_setup(ws)


def _print_setup(ws: Worksheet) -> None:
    """Printed landscape on A4, the header row repeated on every page."""
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.print_title_rows = "1:1"


def _lines(text: object, width: int) -> int:
    """Roughly how many lines `text` wraps to in a column `width` characters wide."""
    if not isinstance(text, str) or not text:
        return 1
    return sum(max(1, math.ceil(len(part) * 1.1 / max(width - 1, 1))) for part in text.split("\n"))


def _fit_row_heights(ws: Worksheet, rows: int, widths: dict[int, int]) -> None:
    """Set each data row tall enough for its wrapped texts (`widths`: column → width): not every spreadsheet
    program re-measures rows when it opens a file, and a clipped criterion name is worse than a tall row."""
    for r in range(2, rows + 2):
        lines = max(_lines(ws.cell(row=r, column=col).value, width) for col, width in widths.items())
        if lines > 1:
            ws.row_dimensions[r].height = 15 * min(lines, 12)


def _totals_sheet(ws: Worksheet, assessment: model.Assessment) -> None:
    t, interim = assessment.totals, assessment.interim
    meta = assessment.submission.meta
    if interim is None:
        ws.append([f"Tổng hợp kết quả chấm điểm: {meta.province} năm {meta.year}"])
    else:  # every point of an interim review is a projection
        ws.append([f"Tổng hợp sơ kết {interim.label} năm {meta.year}: {meta.province} (điểm dự kiến, tạm tính "
                   "theo số dự kiến cả năm)"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([])
    dk = "" if interim is None else " dự kiến"
    headers = ["Lĩnh vực", "Số tiêu chí", "Đạt và vượt" + dk, "Chưa đạt" + dk, "Không có số liệu", "Điểm chuẩn",
               "Điểm" + dk, "Điểm thưởng" + dk]
    write_header(ws, headers, [28, 11, 11, 11, 14, 12, 12, 12])
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    for rec in assessment.by_field.to_dict("records"):
        ws.append([plain(rec[k]) for k in ("field", "n_criteria", "n_met_or_exceeded", "n_not_met",
                                            "n_no_data", "max_points", "points", "bonus")])
    ws.append(["Tổng cộng", t.n_criteria, t.n_met_or_exceeded, t.n_not_met, t.n_no_data, t.max_points,
               t.points, t.bonus])
    for cell in ws[ws.max_row]:
        cell.font = _BOLD
    ws.append([])
    ratio = half_up(t.total / t.max_points * 100, 2) if t.max_points else None
    lines: list[tuple[str, Any]] = [
        ("Điểm" + dk + " (chưa tính thưởng)", t.points), ("Điểm thưởng" + dk, t.bonus), ("Điểm trừ", t.deductions),
        ("Tổng điểm" + dk + " (điểm + thưởng − điểm trừ)", t.total), ("Tổng điểm chuẩn", t.max_points),
        ("Tổng điểm" + dk + " so điểm chuẩn (%)", ratio)]
    if interim is not None:
        lines += [("Kỳ báo cáo", interim.label), (model.INTERIM_ON_TRACK, interim.n_on_track), (model.INTERIM_LAGGING, interim.n_lagging),
                  (model.INTERIM_AT_RISK, interim.n_at_risk), (model.STATUS_NO_DATA, interim.n_no_data)]
    for label, value in lines:
        ws.append([label, None, None, None, None, value])
        ws.cell(row=ws.max_row, column=1).font = _BOLD
    for row in ws.iter_rows(min_row=4):
        for cell in row[5:8]:
            if isinstance(cell.value, float):
                cell.number_format = NUMBER_FORMAT
    deductions = assessment.submission.deductions
    if len(deductions):
        ws.append([])
        ws.append(["Nội dung điểm trừ", None, None, None, None, "Điểm"])
        ws.cell(row=ws.max_row, column=1).font = _BOLD
        for rec in deductions.to_dict("records"):
            ws.append([plain(rec.get("content")), None, None, None, None, plain(rec.get("points"))])
    ws.append([])
    ws.append(["Cấu hình chấm điểm ([scoring])"])
    ws.cell(row=ws.max_row, column=1).font = _BOLD
    settings = dict(assessment.settings)
    if interim is not None:
        settings.update({f"interim.{k}": v for k, v in interim.settings.items()})
    for key, value in settings.items():
        ws.append([key, None, None, None, None, plain(value) if not isinstance(value, bool) else
                   ("có" if value else "không")])


def _change(before: str, after: str) -> str:
    met = (model.STATUS_MET, model.STATUS_EXCEEDED)
    if before == model.STATUS_NOT_MET and after in met:
        return "Chưa đạt → đạt"
    if before in met and after == model.STATUS_NOT_MET:
        return "Đạt → chưa đạt"
    return ""


def _history_sheet(ws: Worksheet, assessment: model.Assessment, cmp: Comparison) -> None:
    """Fill `ws`: one row per year (up to five), then the criteria of this year beside the earlier year's."""
    year, before = cmp.current.year, cmp.previous.year
    ws.append([f"So sánh kết quả của {cmp.province} năm {year} với năm {before} (các năm không có trong sổ theo dõi "
               "được bỏ qua)"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([])
    write_header(ws, ["Năm", "Tổng điểm", "Điểm", "Điểm thưởng", "Điểm trừ", "Điểm chuẩn", "Tiêu chí đạt và vượt",
                      "Số tiêu chí", "Tệp"], [10, 45, 14, 14, 12, 12, 12, 12, 30])
    for y in cmp.years:
        ws.append([y.year, y.total, y.points, y.bonus, y.deductions, y.max_points, y.n_met_or_exceeded,
                   y.n_criteria, y.source])
    ws.append([])
    ws.append([f"So sánh trên {cmp.n_common} tiêu chí có ở cả hai năm; {cmp.n_new} tiêu chí mới, {cmp.n_dropped} "
               f"tiêu chí của năm {before} không còn."])
    ws.cell(row=ws.max_row, column=1).font = _BOLD
    write_header(ws, ["Mã", "Tiêu chí", f"Đánh giá {before}", f"Đánh giá {year}", f"% so KH {before}",
                      f"% so KH {year}", f"Điểm {before}", f"Điểm {year}", "Thay đổi"], [10, 45, 14, 14, 12, 12, 12, 12, 30])
    seen = set()
    for row in assessment.results.to_dict("records"):
        code = text_or_empty(row["code"])
        seen.add(code)
        old = cmp.previous_criteria.get(code)
        status = text_or_empty(row["status"])
        ws.append([code, text_or_empty(row["name"]), old.status if old else "", status,
                   old.pct_of_plan if old else None, plain(row["pct_of_plan"]), old.points if old else None,
                   plain(row["points"]), _change(old.status, status) if old else f"Mới năm {year}"])
    for code, old in cmp.previous_criteria.items():
        if code not in seen:
            ws.append([code, old.name, old.status, "", old.pct_of_plan, None, old.points, None, f"Không còn năm {year}"])
    for cells in ws.iter_rows(min_row=4):
        for cell in cells:
            if isinstance(cell.value, float):
                cell.number_format = NUMBER_FORMAT


def write_results(assessment: model.Assessment, path: Path, *, history: Comparison | None = None) -> Path:
    """Write the results workbook atomically to `path` and return it (with the sheet "So với năm trước"
    when `history` compares this year with an earlier one)."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_RESULTS
    _results_sheet(ws, assessment)
    _totals_sheet(wb.create_sheet(SHEET_TOTALS), assessment)
    if history is not None:
        _history_sheet(wb.create_sheet(SHEET_HISTORY), assessment, history)
    path = Path(path)
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return path
