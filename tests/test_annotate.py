"""Error copies: the officer's workbook with each bad cell marked, a Lỗi sheet first, or a text note."""

from openpyxl import load_workbook

from tests import workbooks as wb
from thidua.base.errors import UnreadableFileError
from thidua.base.model import Issue
from thidua.intake.error_copy import (
    AUTHOR,
    BAD_FILL_COLOR,
    ERROR_SHEET,
    write_error_copy,
    write_failure_note,
    write_unreadable_note,
)
from thidua.intake.reader import read_workbook


def _bad_workbook(path):
    return wb.filled(path, rows=[wb.criterion("KT01", plan="bảy"), wb.criterion("KT02"),
                                 wb.criterion("KT03", kind="Nhiều là tốt")])


def test_error_copy_marks_the_exact_cells_and_keeps_the_data(tmp_path):
    source = _bad_workbook(tmp_path / "dong-thap.xlsx")
    issues = read_workbook(source).issues
    assert [(i.cell, i.code) for i in issues] == [("Tiêu chí!F2", "non-numeric"), ("Tiêu chí!E4", "unknown-kind")]
    out = write_error_copy(source, issues, tmp_path / "out" / "dong-thap.loi.xlsx")
    book = load_workbook(out)
    assert book.sheetnames[0] == ERROR_SHEET and book.active.title == ERROR_SHEET
    sheet = book["Tiêu chí"]
    assert sheet["F2"].value == "bảy" and sheet["F2"].comment.author == AUTHOR
    assert "không phải là số" in sheet["F2"].comment.text
    assert sheet["F2"].fill.fgColor.rgb == BAD_FILL_COLOR
    assert "Nhiều là tốt" in sheet["E4"].comment.text
    assert sheet["F3"].comment is None and sheet["F3"].value == 7
    listed = list(book[ERROR_SHEET].iter_rows(min_row=3, values_only=True))
    assert [(r[0], r[1], r[2], r[4]) for r in listed] == [("Tiêu chí", "F2", "bảy", "non-numeric"),
                                                          ("Tiêu chí", "E4", "Nhiều là tốt", "unknown-kind")]
    assert book[ERROR_SHEET]["B3"].hyperlink.location == "'Tiêu chí'!F2"
    # The error copy itself is still a readable workbook with the same problems.
    assert [(i.cell, i.code) for i in read_workbook(out).issues] == [(i.cell, i.code) for i in issues]


def test_sheet_level_issues_are_listed_only(tmp_path):
    source = _bad_workbook(tmp_path / "a.xlsx")
    issues = [Issue("no-criteria", "Tiêu chí", "Chưa có tiêu chí nào."),
              Issue("too-many-issues", "", "Quá nhiều lỗi."),
              Issue("merged-cells", "Tiêu chí", "Vùng gộp ô.", row=3, column=1, end_row=3, end_column=2)]
    book = load_workbook(write_error_copy(source, issues, tmp_path / "a.loi.xlsx"))
    rows = list(book[ERROR_SHEET].iter_rows(min_row=3, values_only=True))
    assert [r[1] for r in rows] == ["Tiêu chí", "Tệp", "A3"]
    assert book["Tiêu chí"]["A3"].comment.text == "• Vùng gộp ô."
    assert sum(c.comment is not None for row in book["Tiêu chí"].iter_rows() for c in row) == 1


def test_a_corrected_copy_dropped_again_gets_fresh_marks(tmp_path):
    source = _bad_workbook(tmp_path / "a.xlsx")
    first = write_error_copy(source, read_workbook(source).issues, tmp_path / "a.loi.xlsx")
    book = load_workbook(first)
    book["Tiêu chí"]["F2"] = 7.5  # the officer fixes one cell in the error copy
    book.save(first)
    issues = read_workbook(first).issues
    assert [i.cell for i in issues] == ["Tiêu chí!E4"]
    again = load_workbook(write_error_copy(first, issues, tmp_path / "b.loi.xlsx"))
    assert again.sheetnames.count(ERROR_SHEET) == 1 and again.sheetnames[0] == ERROR_SHEET
    assert again["Tiêu chí"]["F2"].comment is None
    assert again["Tiêu chí"]["F2"].fill.fgColor.rgb != BAD_FILL_COLOR
    assert again["Tiêu chí"]["E4"].comment is not None


def test_a_workbook_openpyxl_cannot_load_gets_a_text_list(tmp_path):
    source = tmp_path / "broken.xlsx"
    source.write_bytes(b"PK\x03\x04 not really a zip")
    issue = Issue("non-numeric", "Tiêu chí", "Ô F2 không phải là số.", row=2, column=6, value="bảy")
    out = write_error_copy(source, [issue], tmp_path / "broken.loi.xlsx")
    assert out.name == "broken.loi.txt"
    assert "Tiêu chí!F2: Ô F2 không phải là số." in out.read_text(encoding="utf-8")
    assert not (tmp_path / "broken.loi.xlsx").exists()


def test_notes_say_why_and_what_to_do(tmp_path):
    exc = UnreadableFileError("Tệp không phải là tệp Excel (.xlsx).")
    text = write_unreadable_note(tmp_path / "x.xlsx", exc, tmp_path / "x.loi.txt").read_text(encoding="utf-8")
    assert text.startswith("Không đọc được tệp \"x.xlsx\".") and "Lý do: Tệp không phải là tệp Excel" in text
    assert "lưu lại dưới dạng Excel (.xlsx)" in text
    text = write_failure_note(tmp_path / "x.xlsx", RuntimeError("boom"), tmp_path / "y.txt").read_text("utf-8")
    assert "không phải do số liệu" in text and "RuntimeError: boom" in text
