"""Every cell-level issue code, located in Excel coordinates, with Vietnamese messages; all in one pass."""

import pytest
from openpyxl.styles import Border, Side

from tests import workbooks as wb
from thidua.intake import reader as workbook
from thidua.intake.issues import CATALOG
from thidua.intake.reader import read_workbook


def _merge_a3_b3(book):
    book["Tiêu chí"].merge_cells("A3:B3")


def _error_in_g2(book):
    cell = book["Tiêu chí"]["G2"]
    cell.value, cell.data_type = "#N/A", "e"


def _only_info(path):
    return wb.raw_workbook(path, {"Thông tin": wb.info_rows()})


def _junk_header(path):
    return wb.raw_workbook(path, {"Thông tin": wb.info_rows(), "Tiêu chí": [["Bảng tổng hợp"], ["a", "b"]]})


def _no_plan_column(path):
    return wb.standard_raw(path, headers=[h for h in wb.HEADERS if h != "Kế hoạch"])


def _duplicate_column(path):
    return wb.standard_raw(path, headers=[*wb.HEADERS, "Kế hoạch"])


def _header_only(path):
    return wb.standard_raw(path, rows=[])


def _blank_row(path):
    return wb.standard_raw(path, rows=[wb.criterion("KT01"), {}, wb.criterion("KT03")])


def _row(**changes):
    return lambda path: wb.standard_raw(path, rows=[wb.criterion(**changes)])


def _info(**values):
    return lambda path: wb.standard_raw(path, **values)


CASES = {
    "missing-sheet": (_only_info, [("Tiêu chí", "missing-sheet")]),
    "header-not-found": (_junk_header, [("Tiêu chí", "header-not-found")]),
    "missing-column": (_no_plan_column, [("Tiêu chí", "missing-column")]),
    "duplicate-column": (_duplicate_column, [("Tiêu chí!O1", "duplicate-column")]),
    "no-criteria": (_header_only, [("Tiêu chí", "no-criteria")]),
    "merged-cells": (lambda p: wb.standard_raw(p, tweak=_merge_a3_b3), [("Tiêu chí!A3:B3", "merged-cells")]),
    "blank-row": (_blank_row, [("Tiêu chí!A3", "blank-row")]),
    "formula-without-value": (_row(plan="=3+4"), [("Tiêu chí!F2", "formula-without-value")]),
    "missing-value": (_row(name=None), [("Tiêu chí!C2", "missing-value")]),
    "missing-plan": (_row(plan=None), [("Tiêu chí!F2", "missing-plan")]),
    "missing-info": (_info(**{"Năm đánh giá": None}), [("Thông tin", "missing-info")]),
    "non-numeric": (_row(actual="bảy"), [("Tiêu chí!G2", "non-numeric")]),
    "error-value": (lambda p: wb.standard_raw(p, rows=[wb.criterion()], tweak=_error_in_g2),
                    [("Tiêu chí!G2", "error-value")]),
    "ambiguous-number": (_row(plan="7.87"), [("Tiêu chí!F2", "ambiguous-number")]),
    "out-of-range": (_row(max_points=-5), [("Tiêu chí!I2", "out-of-range")]),
    "unknown-kind": (_row(kind="Tăng"), [("Tiêu chí!E2", "unknown-kind")]),
    "invalid-pass-fail": (_row(kind="Đạt/Không đạt", plan="Đạt", actual="Có", previous=None),
                          [("Tiêu chí!G2", "invalid-pass-fail")]),
    "invalid-grade": (_row(kind="Xếp loại", plan="HTTNV", actual="Tốt", previous=None),
                      [("Tiêu chí!G2", "invalid-grade")]),
    "invalid-flag": (_row(key="có lẽ"), [("Tiêu chí!J2", "invalid-flag")]),
    "invalid-status": (_row(data_status="Tạm tính"), [("Tiêu chí!K2", "invalid-status")]),
    "duplicate-code": (lambda p: wb.standard_raw(p, rows=[wb.criterion("KT01"), wb.criterion("kt01")]),
                       [("Tiêu chí!A3", "duplicate-code")]),
    "bad-year": (_info(**{"Năm đánh giá": "năm nay"}), [("Thông tin!B3", "bad-year")]),
    "bad-date": (_info(**{"Ngày báo cáo": "31/02/2023"}), [("Thông tin!B4", "bad-date")]),
    "invalid-period": (_info(**{"Kỳ báo cáo": "Quý IV"}), [("Thông tin!B4", "invalid-period")]),
    "invalid-cumulative": (lambda p: wb.standard_raw(p, rows=[wb.criterion(cumulative="cộng")], headers=wb.ALL_HEADERS),
                           [("Tiêu chí!L2", "invalid-cumulative")]),
}


@pytest.mark.parametrize("code", sorted(CASES))
def test_issue_code_is_reported_at_its_cell(tmp_path, code):
    build, expected = CASES[code]
    result = read_workbook(build(tmp_path / f"{code}.xlsx"))
    assert wb.issue_list(result) == expected
    assert result.submission is None and not result.valid
    for issue in result.issues:
        assert issue.message and issue.sheet in issue.cell


def test_every_cell_level_code_has_a_case():
    cell_codes = {code for code, t in CATALOG.items() if not t.fatal}
    assert cell_codes == {*CASES, "too-many-issues"}


def test_issues_are_capped_with_a_final_note(tmp_path, monkeypatch):
    monkeypatch.setattr(workbook, "MAX_ISSUES", 50)
    rows = [wb.criterion(f"C{i}", actual="bảy") for i in range(60)]
    issues = read_workbook(wb.standard_raw(tmp_path / "x.xlsx", rows=rows)).issues
    assert len(issues) == 51 and {i.code for i in issues[:50]} == {"non-numeric"}
    assert (issues[-1].cell, issues[-1].code) == ("Tệp", "too-many-issues")
    assert issues[-1].message.startswith("Tệp có hơn 50 lỗi")


def test_message_says_what_was_found_and_what_is_expected(tmp_path):
    result = read_workbook(_row(plan="bảy")(tmp_path / "x.xlsx"))
    (issue,) = result.issues
    assert issue.message == ('Ô Tiêu chí!F2 (Kế hoạch): "bảy" không phải là số. Cần nhập số, ví dụ 7.877 hoặc '
                             '8,62 (dấu chấm phân cách hàng nghìn, dấu phẩy thập phân).')
    assert issue.value == "bảy"
    ambiguous = read_workbook(_row(actual="8.62")(tmp_path / "y.xlsx")).issues[0]
    assert "ví dụ 8,62" in ambiguous.message


def test_all_problems_are_collected_in_one_pass(tmp_path):
    rows = [wb.criterion("KT01", plan="bảy", kind="Tăng"), wb.criterion("KT02", name=None, key="?"), {},
            wb.criterion("KT01", actual="1,234.5", data_status="Ước"), wb.criterion(None, max_points=None)]
    path = wb.standard_raw(tmp_path / "many.xlsx", rows=rows, **{"Tỉnh/Đơn vị": None, "Năm đánh giá": "20xx"})
    assert wb.issue_list(read_workbook(path)) == [
        ("Thông tin", "missing-info"), ("Thông tin!B2", "bad-year"),
        ("Tiêu chí!E2", "unknown-kind"),
        ("Tiêu chí!C3", "missing-value"), ("Tiêu chí!J3", "invalid-flag"),
        ("Tiêu chí!A4", "blank-row"),
        ("Tiêu chí!A5", "duplicate-code"), ("Tiêu chí!G5", "ambiguous-number"),
        ("Tiêu chí!A6", "missing-value"), ("Tiêu chí!I6", "missing-value"),
    ]


def test_missing_values_in_the_standard_template_name_the_info_cells(tmp_path):
    path = wb.filled(tmp_path / "x.xlsx", info=wb.meta(province="", year=None))
    assert wb.issue_list(read_workbook(path)) == [("Thông tin!B2", "missing-value"),
                                                  ("Thông tin!B3", "missing-value")]


def test_trailing_empty_and_formatted_rows_are_skipped_quietly(tmp_path):
    def style_tail(book):
        ws = book["Tiêu chí"]
        side = Side(style="thin")
        for r in range(10, 60):
            for c in range(1, 15):
                ws.cell(row=r, column=c).border = Border(top=side, bottom=side)
        ws.cell(row=70, column=3, value="   ")

    result = read_workbook(wb.standard_raw(tmp_path / "x.xlsx", tweak=style_tail))
    assert result.valid, result.issues
    assert list(result.submission.criteria["row"]) == [2, 3, 4]


def test_merged_title_above_the_header_is_fine(tmp_path):
    def title(book):
        ws = book["Tiêu chí"]
        ws.insert_rows(1, amount=2)
        ws["A1"] = "BẢNG TIÊU CHÍ THI ĐUA NĂM 2022"
        ws.merge_cells("A1:N1")

    result = read_workbook(wb.standard_raw(tmp_path / "x.xlsx", rows=[wb.criterion(actual="bảy")], tweak=title))
    assert wb.issue_list(result) == [("Tiêu chí!G4", "non-numeric")]


def test_deduction_issues(tmp_path):
    path = wb.filled(tmp_path / "x.xlsx", deductions=[{"content": "Báo cáo chậm", "points": -2},
                                                      {"content": None, "points": "hai"}])
    assert wb.issue_list(read_workbook(path)) == [
        ("Điểm trừ!B2", "out-of-range"), ("Điểm trừ!A3", "missing-value"), ("Điểm trừ!B3", "non-numeric")]


def test_excel_error_values_and_absurd_magnitudes_are_issues_not_blanks(tmp_path):
    def tweak(book):
        ws = book["Tiêu chí"]
        for ref, error in (("G2", "#N/A"), ("F3", "#DIV/0!"), ("I4", "#REF!")):
            ws[ref].value, ws[ref].data_type = error, "e"
        ws["G5"].value = 1e308

    result = read_workbook(wb.standard_raw(tmp_path / "loi-excel.xlsx", rows=wb.criteria(5), tweak=tweak))
    assert wb.issue_list(result) == [("Tiêu chí!G2", "error-value"), ("Tiêu chí!F3", "error-value"),
                                     ("Tiêu chí!I4", "error-value"), ("Tiêu chí!G5", "out-of-range")]
    assert '"#N/A"' in result.issues[0].message and '"1e+308"' in result.issues[3].message
    typed = read_workbook(wb.standard_raw(tmp_path / "chu.xlsx", rows=[wb.criterion(actual="1.000.000.000.000.000")]))
    assert '"1.000.000.000.000.000" không hợp lệ' in typed.issues[0].message  # quoted as the officer typed it


def test_formula_errors_saved_by_libreoffice_are_found(tmp_path):
    import shutil
    import subprocess

    if not shutil.which("soffice"):
        pytest.skip("LibreOffice is not installed")
    source = wb.standard_raw(tmp_path / "cong-thuc.xlsx", rows=[wb.criterion("KT01", actual="=NA()"),
                                                                 wb.criterion("KT02", plan="=1/0")])
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to",
                    "xlsx", "--outdir", str(tmp_path / "lo"), str(source)], check=True, capture_output=True,
                   timeout=180)
    result = read_workbook(tmp_path / "lo" / "cong-thuc.xlsx")
    assert wb.issue_list(result) == [("Tiêu chí!G2", "error-value"), ("Tiêu chí!F3", "error-value")]


def test_merged_rows_are_still_read_and_never_look_empty(tmp_path):
    def merge(book):
        book["Tiêu chí"].merge_cells("N2:N3")
        book["Tiêu chí"].merge_cells("A4:B5")

    rows = [wb.criterion("KT01"), wb.criterion("KT02", actual="bảy"), wb.criterion("KT03"), wb.criterion("KT04")]
    result = read_workbook(wb.standard_raw(tmp_path / "gop.xlsx", rows=rows, tweak=merge))
    assert wb.issue_list(result) == [("Tiêu chí!N2:N3", "merged-cells"), ("Tiêu chí!G3", "non-numeric"),
                                     ("Tiêu chí!A4:B5", "merged-cells")]  # no "no-criteria", no hidden-cell blanks


def test_excel_errors_on_the_info_sheet_are_reported_even_in_optional_rows(tmp_path):
    def errors(book):
        ws = book["Thông tin"]
        for row in ws.iter_rows(min_row=2):
            if row[0].value in ("Tỉnh/Đơn vị", "Người ký"):
                row[1].value, row[1].data_type = "#N/A", "e"

    result = read_workbook(wb.standard_raw(tmp_path / "tt.xlsx", tweak=errors, **{"Người ký": "Nguyễn Văn Minh"}))
    codes = [(i.code, i.message.split("(")[1].split(")")[0]) for i in result.issues]
    assert codes == [("error-value", "Tỉnh/Đơn vị"), ("error-value", "Người ký")]


def test_a_huge_merge_is_reported_without_enumerating_its_cells(tmp_path):
    import zipfile

    def merge(book):
        book["Tiêu chí"].merge_cells("N2:N3")

    small = wb.standard_raw(tmp_path / "gop.xlsx", rows=wb.criteria(3), tweak=merge)
    with zipfile.ZipFile(small) as zf:  # openpyxl would create every cell of a huge merge; edit the XML
        part = next(n for n in zf.namelist() if n.startswith("xl/worksheets/") and b"N2:N3" in zf.read(n))
        xml = zf.read(part).replace(b'ref="N2:N3"', b'ref="N2:XFD1048576"')
    result = read_workbook(wb.rezip(small, tmp_path / "gop-lon.xlsx", replace={part: xml}))
    assert wb.issue_list(result) == [("Tiêu chí!N2:XFD1048576", "merged-cells")]
