"""The template written from the contract: sheets, headers, dropdowns, guide; LibreOffice opens and saves it."""

import shutil
import subprocess
import zipfile

import pytest
from openpyxl import load_workbook

from tests import workbooks as wb
from thidua.intake import contract
from thidua.intake.reader import read_workbook
from thidua.intake.template import write_template


def test_blank_template_layout(tmp_path):
    path = write_template(tmp_path / "mau.xlsx")
    book = load_workbook(path)
    assert book.sheetnames == ["Hướng dẫn", "Thông tin", "Tiêu chí", "Điểm trừ"]
    ws = book["Tiêu chí"]
    assert [c.value for c in ws[1]] == [c.header for c in contract.CRITERIA_SHEET.columns]
    assert ws.freeze_panes == "A2"
    assert ws.max_row == 1  # no example rows that could be read as data
    assert ws.column_dimensions["C"].width == contract.CRITERIA_SHEET.column("name").width
    assert ws["A1"].font.bold
    # formula → the ranges of its dropdowns (two columns take "x": Trọng tâm and Lũy kế)
    lists: dict[str, list[str]] = {}
    for dv in ws.data_validations.dataValidation:
        if dv.type == "list":
            lists.setdefault(dv.formula1, []).append(str(dv.sqref))
    assert lists['"Tăng là tốt,Giảm là tốt,Đạt/Không đạt,Xếp loại"'][0].startswith("E2:E")
    assert lists['"x"'][0].startswith("J2:J") and lists['"Ước,Sơ bộ,Chính thức"'][0].startswith("K2:K")
    assert lists['"x"'][1].startswith("L2:L") and ws["L1"].value == "Lũy kế"
    assert any(dv.type == "decimal" and str(dv.sqref).startswith("I2:I") for dv in ws.data_validations.dataValidation)
    info = book["Thông tin"]
    assert [info.cell(row=r, column=1).value for r in range(2, 2 + len(contract.INFO_ROWS))] == [
        r.label for r in contract.INFO_ROWS]
    assert info["A5"].value == "Kỳ báo cáo" and info["B5"].value is None  # blank: Cả năm
    periods = [dv for dv in info.data_validations.dataValidation if dv.type == "list"]
    assert [(dv.formula1, str(dv.sqref)) for dv in periods] == [('"Cả năm,6 tháng,9 tháng,Quý I,Quý II,Quý III"', "B5")]


def test_guide_sheet_is_generated_from_the_contract(tmp_path):
    book = load_workbook(write_template(tmp_path / "mau.xlsx"))
    text = "\n".join(str(c.value) for row in book["Hướng dẫn"].iter_rows() for c in row if c.value)
    for column in contract.CRITERIA_SHEET.columns:
        assert column.header in text and column.help in text
    for row in contract.INFO_ROWS:
        assert row.label in text
    assert "7.877" in text


def test_write_is_atomic_and_overwrites(tmp_path):
    path = tmp_path / "out" / "mau.xlsx"
    write_template(path)
    write_template(path, criteria_rows=wb.criteria(2), meta=wb.meta())
    assert [p.name for p in path.parent.iterdir()] == ["mau.xlsx"]
    assert zipfile.is_zipfile(path)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_saved_workbook_reads_the_same(tmp_path, example_path):
    outdir = tmp_path / "lo"
    blank = write_template(tmp_path / "blank.xlsx")
    merged = wb.standard_raw(tmp_path / "merged.xlsx", rows=[wb.criterion("KT01", plan="=3+4"), wb.criterion("KT02")],
                             tweak=lambda book: book["Tiêu chí"].merge_cells("A3:B3"))
    percent = wb.percent_workbook(tmp_path / "percent.xlsx")
    cmd = ["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to", "xlsx",
           "--outdir", str(outdir), str(example_path), str(blank), str(merged), str(percent)]
    subprocess.run(cmd, check=True, capture_output=True, timeout=180)
    original, resaved = read_workbook(example_path), read_workbook(outdir / example_path.name)
    assert resaved.valid, resaved.issues
    assert resaved.submission.meta == original.submission.meta
    assert resaved.submission.criteria.equals(original.submission.criteria)
    blank_issues = [(i.cell, i.code) for i in read_workbook(outdir / "blank.xlsx").issues]
    assert blank_issues == [("Thông tin!B2", "missing-value"), ("Thông tin!B3", "missing-value"),
                            ("Tiêu chí", "no-criteria")]
    # LibreOffice stores the formula's value (so no formula-without-value) and keeps the merge
    assert [(i.cell, i.code) for i in read_workbook(outdir / "merged.xlsx").issues] == [
        ("Tiêu chí!A3:B3", "merged-cells")]
    wb.assert_read_as_shown(read_workbook(outdir / "percent.xlsx"))  # LibreOffice's own styles.xml


def test_meta_without_recipients_or_date(tmp_path):
    info = wb.meta(recipients=[], report_date=None, cluster="")
    sub = read_workbook(wb.filled(tmp_path / "x.xlsx", info=info)).submission
    assert (sub.meta.recipients, sub.meta.report_date, sub.meta.cluster) == ([], None, "")
