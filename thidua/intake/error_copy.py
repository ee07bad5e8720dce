"""Answer a workbook with mistakes: a copy with every bad cell marked, or a short note when unreadable."""

from __future__ import annotations

import io
import logging
import warnings
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

from thidua.base.atomic import write_bytes, write_text
from thidua.base.model import Issue
from thidua.base.program import command_name
from thidua.intake.formula_values import cached_formula_values, restore_formula_values

if TYPE_CHECKING:
    from openpyxl import Workbook

log = logging.getLogger(__name__)

ERROR_SHEET = "Lỗi"
AUTHOR = "thidua"  # our comments carry this author, so a corrected copy dropped again is cleaned first
BAD_FILL_COLOR = "FFFFC7CE"
BAD_FONT_COLOR = "FF9C0006"


def _split(issue: Issue) -> tuple[str, str] | None:
    """(sheet, top-left cell) when the issue points at a cell or a range; None for sheet/file issues."""
    return (issue.sheet, issue.top_left) if issue.at_cell else None


def _clear_old_marks(wb: Workbook) -> None:
    """Remove the marks of an earlier error copy (comments by us, their fill) and its Lỗi sheet."""
    from openpyxl.styles import PatternFill

    if ERROR_SHEET in wb.sheetnames:
        del wb[ERROR_SHEET]
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.comment is not None and cell.comment.author == AUTHOR:
                    cell.comment = None
                    if cell.fill is not None and cell.fill.fgColor.rgb == BAD_FILL_COLOR:
                        cell.fill = PatternFill(fill_type=None)


def write_error_copy(source: Path, issues: list[Issue], out_path: Path) -> Path:
    """Write a copy of the officer's workbook with bad cells in red and commented, plus a `Lỗi` sheet.

    The officer fixes the marked cells in this very copy and drops it again. When openpyxl cannot
    open the workbook, a `.loi.txt` listing the issues is written instead (and its path returned).
    """
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():  # openpyxl warns (in English) about extensions it drops
            warnings.simplefilter("ignore")
            wb = load_workbook(io.BytesIO(Path(source).read_bytes()), rich_text=True)  # any name, by content
            cached = cached_formula_values(source, wb)
    except Exception as exc:  # openpyxl raises many kinds on odd files; the officer still gets an answer
        log.warning("cannot annotate %s (%s); writing a text list instead", source.name, type(exc).__name__)
        return _write_issue_text(source, issues, Path(out_path).with_suffix(".txt"))
    _clear_old_marks(wb)
    _mark_cells(wb, issues)
    _add_error_sheet(wb, issues)
    buffer = io.BytesIO()
    wb.save(buffer)
    data = restore_formula_values(buffer.getvalue(), {ws.path.lstrip("/"): cached[ws.title]
                                                      for ws in wb.worksheets if cached.get(ws.title)})
    write_bytes(Path(out_path), data)
    wb.close()
    return Path(out_path)


def _mark_cells(wb: Workbook, issues: list[Issue]) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    by_cell: dict[tuple[str, str], list[Issue]] = defaultdict(list)
    for issue in issues:
        where = _split(issue)
        if where is not None and where[0] in wb.sheetnames:
            by_cell[where].append(issue)
    fill = PatternFill(fill_type="solid", fgColor=BAD_FILL_COLOR, bgColor=BAD_FILL_COLOR)
    for (sheet, ref), found in by_cell.items():
        cell = wb[sheet][ref]
        if not hasattr(cell, "comment") or type(cell).__name__ == "MergedCell":
            continue
        text = "\n".join(f"• {i.message}" for i in found)
        if cell.comment is not None:  # keep the officer's own note below ours
            text += f"\n\n(Ghi chú cũ) {cell.comment.text}"
        comment = Comment(text, AUTHOR)
        comment.width, comment.height = 320, min(60 + 40 * len(found), 400)
        cell.comment = comment
        cell.fill = fill
        cell.font = Font(name=cell.font.name, size=cell.font.size, bold=True, color=BAD_FONT_COLOR)


def _add_error_sheet(wb: Workbook, issues: list[Issue]) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.hyperlink import Hyperlink

    ws = wb.create_sheet(ERROR_SHEET, 0)
    ws.append([f"Tệp có {len(issues)} lỗi. Sửa các ô tô đỏ (di chuột lên ô để xem hướng dẫn), "
               "lưu tệp rồi thả lại vào thư mục input."])
    ws.append(["Trang tính", "Ô", "Giá trị đang có", "Lỗi và cách sửa", "Mã lỗi"])
    for issue in issues:
        where = _split(issue)
        ref = where[1] if where else ""
        ws.append([issue.sheet or (where[0] if where else ""), ref or issue.cell, issue.value, issue.message,
                   issue.code])
    for row, issue in enumerate(issues, start=3):
        where = _split(issue)
        if where is not None and where[0] in wb.sheetnames:
            link = ws.cell(row=row, column=2)
            link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{where[0]}'!{where[1]}")  # one click
            link.font = Font(color="FF0563C1", underline="single")
    ws["A1"].font = Font(bold=True, color=BAD_FONT_COLOR)
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDE", (16, 10, 24, 90, 22), strict=True):
        ws.column_dimensions[letter].width = width
    for row in ws.iter_rows(min_row=3):
        row[3].alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A3"
    wb.active = 0
    for sheet in wb.worksheets[1:]:
        sheet.sheet_view.tabSelected = False


def _write_issue_text(source: Path, issues: list[Issue], out_path: Path) -> Path:
    lines = [f"Tệp \"{source.name}\" có {len(issues)} lỗi:", ""]
    lines += [f"- {i.cell}: {i.message}" for i in issues]
    lines += ["", "Hãy sửa các ô trên trong tệp Excel, lưu lại rồi thả lại vào thư mục input."]
    return write_text(out_path, "\n".join(lines) + "\n")


def write_unreadable_note(source: Path, exc: Exception, out_path: Path) -> Path:
    """Write a short Vietnamese `.loi.txt`: why the file could not be read and what to do."""
    reason = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    hint = getattr(exc, "hint", None)
    lines = [
        f"Không đọc được tệp \"{source.name}\".",
        "",
        f"Lý do: {reason}",
        "",
        "Cách xử lý:",
        f"- {hint}" if hint else "- Mở tệp bằng Excel hoặc LibreOffice và lưu lại dưới dạng Excel (.xlsx).",
        f"- Nên dùng mẫu chuẩn (lệnh: {command_name()} template), điền số liệu rồi thả lại tệp "
        "vào thư mục input.",
        "- Nếu vẫn lỗi, gửi tệp này kèm tệp Excel cho bộ phận kỹ thuật.",
    ]
    return write_text(Path(out_path), "\n".join(lines) + "\n")


def write_failure_note(source: Path, exc: Exception, out_path: Path) -> Path:
    """Our own failure (not the officer's data): say so, and who to tell."""
    lines = [
        f"Chưa tạo được báo cáo cho tệp \"{source.name}\" do lỗi của chương trình, không phải do số liệu.",
        "",
        f"Chi tiết kỹ thuật: {type(exc).__name__}: {exc}",
        "",
        "Cách xử lý: báo cho bộ phận kỹ thuật. Sau khi sửa, thả lại tệp vào thư mục input "
        "(tệp gốc được giữ trong thư mục input/loi).",
    ]
    return write_text(Path(out_path), "\n".join(lines) + "\n")


def write_killer_note(source: Path, kills: int, out_path: Path) -> Path:
    """A file whose processing stopped the worker process `kills` times: set aside, not the officer's data."""
    lines = [
        f"Chưa tạo được báo cáo cho tệp \"{source.name}\": tiến trình xử lý bị dừng đột ngột {kills} lần khi xử lý "
        "tệp này (có thể do máy hết bộ nhớ, hoặc tệp quá lớn hay khác thường), không phải do số liệu.",
        "",
        "Tệp được để riêng trong thư mục input/loi để không làm dừng việc xử lý các tệp khác.",
        "",
        "Cách xử lý: mở tệp bằng Excel hoặc LibreOffice, lưu lại dưới dạng Excel (.xlsx) rồi thả lại vào thư mục "
        "input; nếu vẫn bị dừng, gửi tệp này kèm tệp Excel cho bộ phận kỹ thuật.",
    ]
    return write_text(Path(out_path), "\n".join(lines) + "\n")
