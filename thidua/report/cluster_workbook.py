"""Write the cluster's year as cum-thi-dua-<year>.xlsx: the ranking, % of plan by province, every cell."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from thidua.base.atomic import atomic_path
from thidua.cluster.members import when
from thidua.cluster.ranking import Ranking
from thidua.report.results_workbook import NUMBER_FORMAT, STATUS_FILLS, write_header

SHEET_RANKING = "Xếp hạng"
SHEET_MATRIX = "% so kế hoạch"
SHEET_DETAIL = "Chi tiết"
_BOLD = Font(bold=True)


def _numbers(ws: Worksheet, first_row: int) -> None:
    for row in ws.iter_rows(min_row=first_row):
        for cell in row:
            if isinstance(cell.value, float):
                cell.number_format = NUMBER_FORMAT


def _ranking_sheet(ws: Worksheet, ranking: Ranking) -> None:
    ws.append([f"Kết quả chấm điểm, xếp hạng thi đua năm {ranking.year} - {ranking.cluster}"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([])
    headers = ["Hạng", "Tỉnh", "Điểm", "Điểm thưởng", "Điểm trừ", "Tổng điểm", "Điểm chuẩn", "% điểm chuẩn",
               "Tiêu chí đạt và vượt", "Số tiêu chí", "Tiêu chí trọng tâm được thưởng", "Đề nghị khen thưởng",
               f"Hạng năm {ranking.year - 1}", "Thay đổi thứ hạng", "Tệp đã dùng", "Xử lý lúc"]
    write_header(ws, headers, [7, 16, 10, 10, 10, 11, 10, 10, 11, 9, 12, 30, 10, 10, 28, 18])
    for s in ranking.standings:
        change = s.previous_rank - s.rank if s.previous_rank is not None else None
        ws.append([s.rank, s.province, s.points, s.bonus, s.deductions, s.total, s.max_points, s.pct_of_max,
                   s.n_met_or_exceeded, s.n_criteria, s.n_key_bonus, s.award or "", s.previous_rank, change,
                   s.result.source, when(s.result.processed_at)])
    _numbers(ws, 4)
    ws.freeze_panes = "C4"
    for title, lines in (("Chưa gửi báo cáo", ranking.missing), ("Lưu ý về số liệu", ranking.warnings)):
        if lines:
            ws.append([])
            ws.append([title])
            ws.cell(row=ws.max_row, column=1).font = _BOLD
            for line in lines:
                ws.append([line])


def _matrix_sheet(ws: Worksheet, ranking: Ranking) -> None:
    provinces = [s.province for s in ranking.standings]
    write_header(ws, ["Mã", "Lĩnh vực", "Tiêu chí", "Trọng tâm", *provinces], [8, 20, 45, 9, *[12] * len(provinces)])
    fills = {status: PatternFill("solid", fgColor=color) for status, color in STATUS_FILLS.items()}
    for row in ranking.criteria:
        values: list[object] = [row.code, row.field, row.name, "x" if row.key else ""]
        values += [row.by_province[p].pct_of_plan if p in row.by_province and row.by_province[p].pct_of_plan is not None
                   else (row.by_province[p].status if p in row.by_province else "") for p in provinces]
        ws.append(values)
        for i, p in enumerate(provinces, start=5):
            if p in row.by_province and (fill := fills.get(row.by_province[p].status)) is not None:
                ws.cell(row=ws.max_row, column=i).fill = fill
    _numbers(ws, 2)
    ws.freeze_panes = "E2"


def _detail_sheet(ws: Worksheet, ranking: Ranking) -> None:
    write_header(ws, ["Hạng", "Tỉnh", "Mã", "Tiêu chí", "% so kế hoạch", "Đánh giá", "Điểm", "Điểm thưởng",
                      "Điểm chuẩn", "Trọng tâm"], [7, 16, 8, 45, 12, 14, 9, 10, 10, 9])
    for s in ranking.standings:
        for c in s.result.criteria:
            ws.append([s.rank, s.province, c.code, c.name, c.pct_of_plan, c.status, c.points, c.bonus, c.max_points,
                       "x" if c.key else ""])
    _numbers(ws, 2)
    ws.freeze_panes = "C2"
    ws.auto_filter.ref = ws.dimensions


def write_cluster_workbook(ranking: Ranking, path: Path) -> Path:
    """Write the workbook atomically to `path` and return it."""
    book = Workbook()
    ws = book.active
    ws.title = SHEET_RANKING
    _ranking_sheet(ws, ranking)
    _matrix_sheet(book.create_sheet(SHEET_MATRIX), ranking)
    _detail_sheet(book.create_sheet(SHEET_DETAIL), ranking)
    for sheet in book.worksheets:
        sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    path = Path(path)
    with atomic_path(path) as tmp:
        book.save(tmp)
    return path
