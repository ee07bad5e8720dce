"""Workbooks laid out the way officers lay them out (issue 15): what is unambiguous is read, with notices
where the reader left something out; what can mean two things stays an issue. Built with openpyxl and,
where the file format differs, saved again by LibreOffice."""

from __future__ import annotations

import shutil
import subprocess
import time
import tracemalloc
from pathlib import Path

import pytest

from tests import workbooks as wb
from thidua.intake.reader import read_workbook

FIELDS = {"KT": "Kinh tế", "XH": "Văn hóa - Xã hội", "MT": "Môi trường"}
needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")


def _grouped_rows() -> list[dict[str, object]]:
    """Three fields of criteria, each field written once in the first row of its group (then merged)."""
    rows = []
    for prefix, n in (("KT", 3), ("XH", 2), ("MT", 1)):
        for i in range(1, n + 1):
            rows.append(wb.criterion(f"{prefix}0{i}", field=FIELDS[prefix] if i == 1 else None,
                                     agency="Sở Kế hoạch và Đầu tư" if i == 1 else None))
    return rows


def _merge_groups(book) -> None:
    ws = book["Tiêu chí"]
    ws.merge_cells("B2:B4")  # Kinh tế over KT01–KT03
    ws.merge_cells("B5:B6")  # Văn hóa - Xã hội over XH01–XH02
    ws.merge_cells("L2:L6")  # one agency for five criteria of two fields


def _fields_of(result) -> dict[str, str]:
    frame = result.submission.criteria
    return dict(zip(frame["code"], frame["field"], strict=True))


def test_a_field_merged_down_over_its_criteria_belongs_to_every_row(tmp_path):
    result = read_workbook(wb.standard_raw(tmp_path / "gop.xlsx", rows=_grouped_rows(), tweak=_merge_groups))
    assert result.valid, result.issues
    assert _fields_of(result) == {"KT01": "Kinh tế", "KT02": "Kinh tế", "KT03": "Kinh tế",
                                  "XH01": "Văn hóa - Xã hội", "XH02": "Văn hóa - Xã hội", "MT01": "Môi trường"}
    assert set(result.submission.criteria["agency"]) == {"Sở Kế hoạch và Đầu tư"}
    assert result.notices == []


def test_a_name_merged_over_two_rows_is_one_criterion(tmp_path):
    def merge(book):
        ws = book["Tiêu chí"]
        for column in "ABCDEFGHIJKLMN":  # the whole criterion written over rows 3-4, as officers do
            ws.merge_cells(f"{column}3:{column}4")

    rows = [wb.criterion("KT01"), wb.criterion("KT02", name="Tổng vốn đầu tư toàn xã hội trên địa bàn tỉnh, "
                                                             "kể cả vốn của doanh nghiệp"), {}, wb.criterion("KT03")]
    result = read_workbook(wb.standard_raw(tmp_path / "ten-dai.xlsx", rows=rows, tweak=merge))
    assert result.valid, result.issues
    assert list(result.submission.criteria["code"]) == ["KT01", "KT02", "KT03"]
    assert list(result.submission.criteria["row"]) == [2, 3, 5]


def test_only_the_name_merged_and_the_next_row_otherwise_empty(tmp_path):
    rows = [wb.criterion("KT01"), {}, wb.criterion("KT02")]
    result = read_workbook(wb.standard_raw(tmp_path / "ten.xlsx", rows=rows,
                                           tweak=lambda book: book["Tiêu chí"].merge_cells("C2:C3")))
    assert result.valid, result.issues
    assert list(result.submission.criteria["code"]) == ["KT01", "KT02"]


@pytest.mark.parametrize(("merge", "rows"), [
    ("F2:G2", None),  # across plan and actual: which is which?
    ("A2:A3", [wb.criterion("KT01"), wb.criterion(None, name="Chỉ tiêu khác")]),  # one code for two criteria
    ("I2:I3", [wb.criterion("KT01"), wb.criterion("KT02")]),  # one max-points figure shared by two criteria
    ("C2:C3", [wb.criterion("KT01"), wb.criterion("KT02")]),  # one name over two criteria with their own codes
])
def test_merges_that_can_mean_two_things_stay_issues(tmp_path, merge, rows):
    result = read_workbook(wb.standard_raw(tmp_path / "mo-ho.xlsx", rows=rows or [wb.criterion("KT01")],
                                           tweak=lambda book: book["Tiêu chí"].merge_cells(merge)))
    assert (f"Tiêu chí!{merge}", "merged-cells") in wb.issue_list(result)
    assert not result.valid


def test_a_blank_row_between_fields_is_skipped(tmp_path):
    rows = [wb.criterion("KT01"), wb.criterion("KT02"), {}, wb.criterion("XH01", field="Văn hóa - Xã hội"), {}, {},
            wb.criterion("MT01", field="Môi trường")]
    result = read_workbook(wb.standard_raw(tmp_path / "cach-dong.xlsx", rows=rows))
    assert result.valid, result.issues
    assert list(result.submission.criteria["code"]) == ["KT01", "KT02", "XH01", "MT01"]


def test_blank_rows_under_the_header_and_between_merged_groups_are_skipped(tmp_path):
    rows = [{}, *_grouped_rows()[:3], {}, *_grouped_rows()[3:]]

    def merge(book):
        book["Tiêu chí"].merge_cells("B3:B5")
        book["Tiêu chí"].merge_cells("B7:B8")

    result = read_workbook(wb.standard_raw(tmp_path / "nhom.xlsx", rows=rows, tweak=merge))
    assert result.valid, result.issues
    assert _fields_of(result)["KT03"] == "Kinh tế" and _fields_of(result)["XH02"] == "Văn hóa - Xã hội"


def test_a_half_filled_row_is_still_an_issue(tmp_path):
    rows = [wb.criterion("KT01"), {}, {"code": "KT02", "name": "Chỉ tiêu mới"}, wb.criterion("KT03")]
    result = read_workbook(wb.standard_raw(tmp_path / "do-dang.xlsx", rows=rows))
    assert ("Tiêu chí!B4", "missing-value") in wb.issue_list(result)
    assert ("Tiêu chí!F4", "missing-plan") in wb.issue_list(result)


def _with_totals(label_cell: str, label: str, merge: str | None = None):
    def tweak(book):
        ws = book["Tiêu chí"]
        ws[label_cell] = label
        ws["I5"] = "=SUM(I2:I4)"  # openpyxl stores no value: not a formula-without-value, the row is left out
        ws["F5"] = "=SUM(F2:F4)"
        if merge:
            ws.merge_cells(merge)
    return tweak


@pytest.mark.parametrize(("cell", "label", "merge"), [
    ("C5", "Tổng cộng", None), ("A5", "Cộng", None), ("A5", "TỔNG CỘNG:", "A5:C5"), ("C5", "Tổng", None),
])
def test_a_totals_row_at_the_bottom_is_left_out_with_one_notice(tmp_path, cell, label, merge):
    path = wb.standard_raw(tmp_path / "tong.xlsx", rows=wb.criteria(3), tweak=_with_totals(cell, label, merge))
    result = read_workbook(path)
    assert result.valid, result.issues
    assert len(result.submission.criteria) == 3
    assert [(n.code, n.cell) for n in result.notices] == [("totals-row", f"Tiêu chí!{cell}")]
    assert result.notices[0].message.startswith(f'Dòng 5 của trang tính "Tiêu chí" ("{label}") là dòng tổng cộng')


def test_a_criterion_named_like_a_total_is_not_a_totals_row(tmp_path):
    rows = [*wb.criteria(2), wb.criterion("KT09", name="Tổng")]  # it has a code and a kind: a criterion
    result = read_workbook(wb.standard_raw(tmp_path / "ten-tong.xlsx", rows=rows))
    assert result.valid and len(result.submission.criteria) == 3 and result.notices == []


@needs_soffice
@pytest.mark.slow
def test_grouped_workbook_saved_by_libreoffice(tmp_path):
    """LibreOffice keeps the merges and stores the totals row's sums: read the same, one notice."""
    grouped = wb.standard_raw(tmp_path / "nhom.xlsx", rows=_grouped_rows(), tweak=_merge_groups)
    totals = wb.standard_raw(tmp_path / "tong.xlsx", rows=wb.criteria(3), tweak=_with_totals("A5", "Tổng cộng", "A5:C5"))
    stray = wb.standard_raw(tmp_path / "xa.xlsx", rows=wb.criteria(3), tweak=_stray_space)
    out = _libreoffice(tmp_path, grouped, totals, stray)
    again = read_workbook(out / "nhom.xlsx")
    assert again.valid, again.issues
    assert _fields_of(again) == _fields_of(read_workbook(grouped))
    summed = read_workbook(out / "tong.xlsx")
    assert summed.valid and [n.code for n in summed.notices] == ["totals-row"]
    far = read_workbook(out / "xa.xlsx")  # LibreOffice writes the space as a shared string
    assert far.valid, far.issues
    assert [n.code for n in far.notices] == ["stray-cells"] and "XFD1048576" in far.notices[0].message


# --- pass/fail words ---------------------------------------------------------------------------------

def _pass_fail(actual: object, plan: object = "Đạt") -> dict[str, object]:
    return wb.criterion("TD01", kind="Đạt/Không đạt", unit=None, plan=plan, actual=actual, previous=None)


@pytest.mark.parametrize(("plan", "actual", "reads"), [
    ("Đạt", "Chưa đạt", "Không đạt"), ("Đạt", "chưa đạt", "Không đạt"), ("Đạt", "Chua dat", "Không đạt"),
    ("Có", "Có", "Đạt"), ("Có", "Không", "Không đạt"), ("Không", "Không", "Đạt"), ("Không", "Có", "Không đạt"),
])
def test_unambiguous_pass_fail_words(tmp_path, plan, actual, reads):
    result = read_workbook(wb.standard_raw(tmp_path / "dat.xlsx", rows=[_pass_fail(actual, plan)]))
    assert result.valid, result.issues
    row = result.submission.criteria.iloc[0]
    assert (row["actual_label"], row["plan_label"]) == (reads, "Đạt")


def test_a_bare_yes_against_a_plan_of_dat_stays_ambiguous(tmp_path):
    result = read_workbook(wb.standard_raw(tmp_path / "co.xlsx", rows=[_pass_fail("Có")]))
    assert wb.issue_list(result) == [("Tiêu chí!G2", "invalid-pass-fail")]


def test_chua_dat_is_scored_as_not_met(tmp_path):
    from thidua.scoring.evaluate import evaluate

    result = read_workbook(wb.standard_raw(tmp_path / "dat.xlsx", rows=[_pass_fail("Chưa đạt")]))
    assessment = evaluate(result.submission, {})
    assert assessment.results["status"].tolist() == ["Chưa đạt"] and assessment.totals.points == 0


# --- stray cells far outside the table ------------------------------------------------------------------

def _stray_space(book) -> None:
    book["Tiêu chí"]["XFD1048576"] = " "


def test_a_space_typed_in_xfd1048576_is_a_notice_not_a_refusal(tmp_path):
    path = wb.standard_raw(tmp_path / "xa.xlsx", rows=wb.criteria(3), tweak=_stray_space)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        result = read_workbook(path)
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert time.perf_counter() - started < 2.0 and peak < 32 * 1024 * 1024  # today's bounds for this file
    assert result.valid, result.issues
    assert list(result.submission.criteria["code"]) == ["KT01", "KT02", "KT03"]
    (notice,) = result.notices
    assert (notice.code, notice.sheet) == ("stray-cells", "Tiêu chí")
    assert "XFD1048576" in notice.message and "1 ô chỉ chứa khoảng trắng" in notice.message


def test_stray_blanks_on_several_far_cells_are_one_notice(tmp_path):
    def scatter(book):
        for ref in ("XFD1048576", "ZZ5000", "A1048000", "XFA3"):
            book["Tiêu chí"][ref] = "  "

    result = read_workbook(wb.standard_raw(tmp_path / "rai.xlsx", rows=wb.criteria(2), tweak=scatter))
    assert result.valid, result.issues
    (notice,) = result.notices
    assert "4 ô" in notice.message and notice.message.count("…") == 1


def test_a_real_value_far_away_is_still_refused(tmp_path):
    from thidua.base.errors import UnreadableFileError

    path = wb.standard_raw(tmp_path / "xa.xlsx", rows=wb.criteria(2),
                           tweak=lambda book: book["Tiêu chí"].__setitem__("XFD1048576", "ghi chú"))
    with pytest.raises(UnreadableFileError) as caught:
        read_workbook(path)
    assert caught.value.code == "sheet-too-large" and "XFD1048576" in caught.value.message


def _libreoffice(tmp_path: Path, *sources: Path, fmt: str = "xlsx") -> Path:
    out = tmp_path / f"lo-{fmt}"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to",
                    fmt, "--outdir", str(out), *map(str, sources)], check=True, capture_output=True, timeout=180)
    return out
