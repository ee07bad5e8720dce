"""Kỳ báo cáo and Lũy kế in real workbooks: tolerant labels, previous-template workbooks unchanged, LibreOffice."""

import json
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from tests import workbooks as wb
from tests.interim_workbooks import interim, six_month_rows
from thidua.base import model
from thidua.base.values import plain
from thidua.intake.periods import parse_period
from thidua.intake.reader import read_workbook
from thidua.scoring.evaluate import evaluate

GOLDEN = Path(__file__).resolve().parent / "golden" / "dong-thap-2022.results.json"


@pytest.mark.parametrize(("typed", "period"), [
    ("Cả năm", "year"), ("ca nam", "year"), ("Tổng kết năm 2023", "year"), ("12 tháng", "year"),
    ("6 tháng", "h1"), ("6 thang", "h1"), ("6 tháng đầu năm", "h1"), ("Sơ kết 6 tháng đầu năm 2023", "h1"),
    ("SÁU THÁNG", "h1"), ("9 tháng", "9m"), ("9 thang dau nam", "9m"), ("Quý I", "q1"), ("quý 1", "q1"),
    ("Quy I", "q1"), ("Q1", "q1"), ("quý II/2023", "q2"), ("Quý II năm 2023", "q2"), ("quý 3", "q3"),
    ("QUÝ III", "q3"),
])
def test_period_labels_are_matched_tolerantly(typed, period):
    assert parse_period(typed) == period


@pytest.mark.parametrize("typed", ["Quý IV", "quý 4", "6 tháng cuối năm", "tháng 6", "nửa năm nay", "2023"])
def test_periods_that_are_not_interim_reviews_are_refused(typed):
    assert parse_period(typed) is None


@pytest.mark.parametrize(("typed", "period"), [("6 thang", "h1"), ("6 tháng đầu năm", "h1"), ("quý 1", "q1"),
                                               ("Quý I", "q1"), ("", "year"), ("Cả năm", "year")])
def test_the_period_is_read_from_the_info_sheet(tmp_path, typed, period):
    result = read_workbook(interim(tmp_path / "k.xlsx", typed))
    assert result.valid, result.issues
    assert result.submission.meta.period == period


def test_an_unknown_period_names_its_cell_and_the_choices(tmp_path):
    result = read_workbook(interim(tmp_path / "k.xlsx", "Quý IV"))
    assert wb.issue_list(result) == [("Thông tin!B5", "invalid-period")]
    assert result.issues[0].message == (
        "Ô Thông tin!B5 (Kỳ báo cáo): \"Quý IV\" không phải là kỳ báo cáo đã biết. Cần chọn một trong: "
        "Cả năm, 6 tháng, 9 tháng, Quý I, Quý II, Quý III (để trống nghĩa là Cả năm).")


def test_cumulative_marks_are_read_and_a_bad_mark_is_located(tmp_path):
    sub = read_workbook(interim(tmp_path / "k.xlsx")).submission
    marked = dict(zip(sub.criteria["code"], sub.criteria["cumulative"], strict=True))
    assert marked["KT03"] and marked["KT04"] and marked["AN02"] and not marked["XH02"] and not marked["KT01"]
    assert sub.criteria["cumulative"].dtype == bool
    rows = [wb.criterion("KT01", cumulative="X"), wb.criterion("KT02", cumulative="có"),
            wb.criterion("KT03", cumulative="lũy kế")]
    result = read_workbook(wb.standard_raw(tmp_path / "bad.xlsx", rows=rows, headers=wb.ALL_HEADERS))
    assert wb.issue_list(result) == [("Tiêu chí!L4", "invalid-cumulative")]
    assert "Nhập \"x\" nếu số liệu cộng dồn" in result.issues[0].message


def _numbers(assessment):
    cols = [c for c in json.loads(GOLDEN.read_text(encoding="utf-8"))["criteria"][0]]
    return [{c: plain(rec[c]) for c in cols} for rec in assessment.results.to_dict("records")]


def test_the_bundled_previous_template_workbook_gives_exactly_todays_results(example_path):
    """The example was made with the template before Kỳ báo cáo and Lũy kế; its results are the ones
    recorded before interim reviews existed (tests/golden), number for number."""
    result = read_workbook(example_path)
    assert result.valid and result.submission.meta.period == model.PERIOD_YEAR
    assert not result.submission.criteria["cumulative"].any()
    assessment = evaluate(result.submission, {})
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert _numbers(assessment) == golden["criteria"]
    assert {k: plain(v) for k, v in vars(assessment.totals).items()} == golden["totals"]
    assert assessment.interim is None
    assert list(assessment.results.columns) == list(model.CRITERIA_COLUMNS) + list(model.RESULT_COLUMNS)


def test_marking_cumulative_changes_nothing_in_a_year_end_report(tmp_path):
    """Old layout (no Kỳ báo cáo, no Lũy kế column) and the new one with Cả năm and x marks: same results."""
    rows = six_month_rows()
    old = read_workbook(wb.standard_raw(tmp_path / "cu.xlsx", rows=rows)).submission
    new = read_workbook(interim(tmp_path / "moi.xlsx", "Cả năm", rows=rows, year=2022)).submission
    assert new.criteria["cumulative"].any() and not old.criteria["cumulative"].any()
    a, b = evaluate(old, {}), evaluate(new, {})
    drop = ["cumulative", "row"]
    pd.testing.assert_frame_equal(a.results.drop(columns=drop), b.results.drop(columns=drop))
    assert a.totals == b.totals and b.interim is None


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_a_workbook_saved_by_libreoffice_reads_the_same(tmp_path):
    six = interim(tmp_path / "sau-thang.xlsx", "6 tháng")
    quarter = interim(tmp_path / "quy-mot.xlsx", "Quý I", rows=[
        wb.criterion("KT03", name="Thu NSNN trên địa bàn", unit="tỷ đồng", plan=7000, actual="1.950",
                     cumulative="x", key="x")])
    outdir = tmp_path / "lo"
    cmd = ["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to", "xlsx",
           "--outdir", str(outdir), str(six), str(quarter)]
    subprocess.run(cmd, check=True, capture_output=True, timeout=180)
    for original in (six, quarter):
        before, after = read_workbook(original), read_workbook(outdir / original.name)
        assert after.valid, after.issues
        assert after.submission.meta == before.submission.meta
        assert after.submission.criteria.equals(before.submission.criteria)
    q1 = evaluate(read_workbook(outdir / quarter.name).submission, {})
    revenue = q1.results.iloc[0]
    assert q1.interim.period == "q1"
    assert (revenue["progress_pct"], revenue["projection"], revenue["pct_of_plan"]) == (27.86, 7800.0, 111.43)
    assert revenue["interim_status"] == "Đúng tiến độ" and revenue["bonus"] > 0


def test_an_interim_workbook_without_the_cumulative_column_is_asked_for_it(tmp_path):
    """A previous-template workbook whose Kỳ báo cáo was typed in by hand: which figures are six months'
    worth and which are the year's estimate cannot be told, so the column is asked for (not guessed)."""
    path = wb.standard_raw(tmp_path / "cu.xlsx", rows=[wb.criterion("KT03", plan=7000, actual=3900)],
                           **{"Kỳ báo cáo": "6 tháng"})
    result = read_workbook(path)
    assert wb.issue_list(result) == [("Tiêu chí", "missing-column")]
    assert result.issues[0].message == (
        "Trang tính \"Tiêu chí\" thiếu cột \"Lũy kế\". Hãy thêm cột này vào dòng tiêu đề (dòng 1). Báo cáo sơ kết "
        "(Kỳ báo cáo ở trang \"Thông tin\") cần cột này: nhập x cho số liệu lũy kế từ đầu năm, để trống cho tỷ lệ, "
        "mức độ.")
    year_end = read_workbook(wb.standard_raw(tmp_path / "nam.xlsx", **{"Kỳ báo cáo": "Cả năm"}))
    assert year_end.valid and year_end.submission.meta.period == "year"
