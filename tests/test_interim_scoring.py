"""Interim evaluation: progress, projection, seasonality and the three words, on plain frames (no I/O)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.factories import make_submission
from thidua.base import model
from thidua.scoring.evaluate import evaluate

REVENUE = {"code": "KT03", "name": "Thu NSNN trên địa bàn", "unit": "tỷ đồng", "plan": 7000.0, "actual": 3900.0,
           "cumulative": True, "key": True, "max_points": 50.0}


def _assess(rows, period="h1", interim=None, last_year=None, scoring=None):
    sub = make_submission(rows, year=2023)
    sub.meta.period = period
    return evaluate(sub, scoring or {}, interim_settings=interim, last_year=last_year)


def _row(assessment, code):
    return assessment.results.set_index("code").loc[code]


def test_the_six_month_revenue_example_holds_exactly():
    a = _assess([REVENUE])
    r = _row(a, "KT03")
    assert r["progress_pct"] == 55.71 and r["expected_share_pct"] == 50.0 and r["share_source"] == "default"
    assert r["projection"] == 7800.0 and r["pct_of_plan"] == 111.43
    assert r["interim_status"] == model.INTERIM_ON_TRACK == "Đúng tiến độ"
    assert (r["status"], r["rule"], r["points"], r["bonus"]) == ("Vượt", "bonus", 50.0, 5.0)  # past the bonus line
    assert r["actual"] == 3900.0  # the figure typed stays what it was
    assert r["explanation"].startswith("Đạt 111,43% kế hoạch, vượt ngưỡng thưởng 110%")
    not_key = _row(_assess([{**REVENUE, "key": False}]), "KT03")
    assert (not_key["rule"], not_key["bonus"]) == ("full", 0.0)
    assert a.interim.period == "h1" and (a.interim.months_elapsed, a.interim.months_remaining) == (6, 6)
    assert a.interim.n_on_track == 1 and a.interim.label == "6 tháng"


@pytest.mark.parametrize(("period", "actual", "progress", "share"), [
    ("q1", 1950.0, 27.86, 25.0), ("q2", 3900.0, 55.71, 50.0), ("9m", 5850.0, 83.57, 75.0),
    ("q3", 5850.0, 83.57, 75.0)])
def test_every_period_has_its_share_of_the_year(period, actual, progress, share):
    r = _row(_assess([{**REVENUE, "actual": actual}], period), "KT03")
    assert (r["progress_pct"], r["expected_share_pct"], r["projection"], r["pct_of_plan"]) == (
        progress, share, 7800.0, 111.43)
    assert r["interim_status"] == "Đúng tiến độ"


def test_lagging_exports_are_at_risk_with_what_the_rest_of_the_year_needs():
    exports = {"code": "KT04", "unit": "triệu USD", "plan": 1300.0, "actual": 520.0, "cumulative": True,
               "key": True, "max_points": 40.0}
    r = _row(_assess([exports]), "KT04")
    assert (r["progress_pct"], r["projection"], r["pct_of_plan"]) == (40.0, 1040.0, 80.0)
    assert r["interim_status"] == "Có nguy cơ không đạt"
    assert (r["pace_per_month"], r["needed_per_month"], r["bonus_needed_per_month"]) == (86.67, 130.0, 151.67)
    assert (r["points"], r["bonus"]) == (32.0, 0.0)  # điểm dự kiến: proportional on the projection
    q1 = _row(_assess([{**exports, "actual": 260.0}], "q1"), "KT04")  # 9 months left
    assert (q1["projection"], q1["interim_status"], q1["needed_per_month"]) == (1040.0, "Có nguy cơ không đạt", 115.56)


def test_traffic_deaths_compare_the_other_way_under_and_over_pace():
    deaths = {"code": "AN02", "unit": "người", "kind": model.KIND_DECREASE, "plan": 200.0, "cumulative": True}
    a = _assess([{**deaths, "code": "AN02", "actual": 90.0}, {**deaths, "code": "AN03", "actual": 110.0},
                 {**deaths, "code": "AN04", "actual": 130.0}, {**deaths, "code": "AN05", "actual": 210.0}])
    under, slightly, over, beyond = (_row(a, c) for c in ("AN02", "AN03", "AN04", "AN05"))
    assert (under["progress_pct"], under["projection"], under["pct_of_plan"]) == (45.0, 180.0, 111.11)
    assert under["interim_status"] == "Đúng tiến độ" and under["needed_per_month"] == 18.33  # still allowed a month
    assert (slightly["projection"], slightly["pct_of_plan"], slightly["interim_status"]) == (220.0, 90.91, "Chậm tiến độ")
    assert (over["progress_pct"], over["projection"], over["pct_of_plan"]) == (65.0, 260.0, 76.92)
    assert over["interim_status"] == "Có nguy cơ không đạt" and over["needed_per_month"] == 11.67
    assert beyond["needed_per_month"] == -1.67 and beyond["interim_status"] == "Có nguy cơ không đạt"  # over already


def test_a_poverty_rate_is_a_level_compared_with_the_plan_directly():
    poverty = {"code": "XH02", "unit": "%", "kind": model.KIND_DECREASE, "plan": 2.0, "actual": 2.1}
    r = _row(_assess([poverty]), "XH02")
    assert (r["projection"], r["pct_of_plan"], r["interim_status"]) == (2.1, 95.24, "Chậm tiến độ")
    for column in ("progress_pct", "expected_share_pct", "pace_per_month", "needed_per_month"):
        assert math.isnan(r[column]), column
    assert r["share_source"] == ""
    assert _row(_assess([{**poverty, "actual": 2.5}]), "XH02")["interim_status"] == "Có nguy cơ không đạt"  # 80%
    assert _row(_assess([{**poverty, "actual": 1.9}]), "XH02")["interim_status"] == "Đúng tiến độ"
    growth = _row(_assess([{"code": "KT01", "unit": "%", "plan": 7.0, "actual": 6.5, "previous": 6.0}]), "KT01")
    assert (growth["pct_of_plan"], growth["interim_status"], growth["yoy_change"]) == (92.86, "Chậm tiến độ", 0.5)


def test_pass_fail_and_grades_take_the_typed_value_as_the_expectation():
    a = _assess([{"code": "AN01", "kind": model.KIND_PASS_FAIL, "plan": 1.0, "actual": 1.0},
                 {"code": "AN06", "kind": model.KIND_PASS_FAIL, "plan": 1.0, "actual": 0.0},
                 {"code": "XD01", "kind": model.KIND_GRADE, "plan": 3.0, "actual": 2.0},
                 {"code": "XD02", "kind": model.KIND_GRADE, "plan": 3.0, "actual": 4.0},
                 {"code": "KT09", "plan": 700.0, "cumulative": True}])
    assert [_row(a, c)["interim_status"] for c in ("AN01", "AN06", "XD01", "XD02", "KT09")] == [
        "Đúng tiến độ", "Có nguy cơ không đạt", "Có nguy cơ không đạt", "Đúng tiến độ", "Không có số liệu"]
    assert (a.interim.n_on_track, a.interim.n_lagging, a.interim.n_at_risk, a.interim.n_no_data) == (2, 0, 2, 1)


def test_seasonality_from_last_years_figures():
    """Last year: 3.500 by mid-year of a 7.600 year → 46,05% expected by now, not 50%."""
    seasonal = {**REVENUE, "previous": 3500.0}
    r = _row(_assess([seasonal], last_year={"KT03": 7600.0}), "KT03")
    assert (r["share_source"], r["expected_share_pct"]) == ("last_year", 46.05)
    assert r["projection"] == 8468.57 and r["pct_of_plan"] == 120.98  # 3.900 × 7.600 ÷ 3.500
    assert r["yoy_change"] == 400.0 and r["yoy_pct"] == 11.43  # the period against the same period last year
    for last_year, previous in (({}, 3500.0), ({"KT03": 7600.0}, math.nan), ({"KT03": 3000.0}, 3500.0),
                                ({"KT03": 0.0}, 3500.0), ({"OTHER": 7600.0}, 3500.0)):
        plain = _row(_assess([{**seasonal, "previous": previous}], last_year=last_year), "KT03")
        assert (plain["share_source"], plain["projection"]) == ("default", 7800.0), last_year
    off = _row(_assess([seasonal], interim={"use_last_year": False}, last_year={"KT03": 7600.0}), "KT03")
    assert (off["share_source"], off["projection"]) == ("default", 7800.0)
    level = _row(_assess([{**seasonal, "cumulative": False}], last_year={"KT03": 7600.0}), "KT03")
    assert (level["share_source"], level["projection"]) == ("", 3900.0)


def test_shares_and_the_risk_margin_come_from_the_interim_settings():
    exports = {"code": "KT04", "plan": 1300.0, "actual": 520.0, "cumulative": True}
    r = _row(_assess([exports], interim={"share_h1": 40.0}), "KT04")
    assert (r["expected_share_pct"], r["projection"], r["interim_status"]) == (40.0, 1300.0, "Đúng tiến độ")
    lenient = _row(_assess([exports], interim={"risk_margin_pct": 80.0}), "KT04")
    assert lenient["interim_status"] == "Chậm tiến độ"  # exactly 80% of plan, as printed
    strict = _row(_assess([{**exports, "actual": 640.0}], interim={"risk_margin_pct": 99.0}), "KT04")
    assert (strict["pct_of_plan"], strict["interim_status"]) == (98.46, "Có nguy cơ không đạt")


def test_year_end_workbooks_ignore_cumulative_marks():
    rows = [REVENUE, {"code": "AN02", "kind": model.KIND_DECREASE, "plan": 200.0, "actual": 90.0, "cumulative": True}]
    year = _assess(rows, model.PERIOD_YEAR)
    assert year.interim is None and "interim_status" not in year.results
    unmarked = _assess([{**r, "cumulative": False} for r in rows], model.PERIOD_YEAR)
    assert year.results.drop(columns="cumulative").equals(unmarked.results.drop(columns="cumulative"))
    assert _row(year, "KT03")["pct_of_plan"] == 55.71 and _row(year, "KT03")["status"] == "Chưa đạt"


def test_totals_and_fields_count_the_interim_statuses():
    a = _assess([REVENUE, {"code": "KT04", "plan": 1300.0, "actual": 520.0, "cumulative": True},
                 {"code": "XH02", "field": "Văn hóa - Xã hội", "kind": model.KIND_DECREASE, "plan": 2.0,
                  "actual": 2.1}])
    fields = a.by_field.set_index("field")
    assert fields.loc["Kinh tế", ["n_on_track", "n_lagging", "n_at_risk"]].tolist() == [1, 0, 1]
    assert fields.loc["Văn hóa - Xã hội", ["n_on_track", "n_lagging", "n_at_risk"]].tolist() == [0, 1, 0]
    assert list(a.results.columns) == [*model.CRITERIA_COLUMNS, *model.RESULT_COLUMNS, *model.INTERIM_COLUMNS]
    assert a.totals.points == 50.0 + 8.0 + 9.52 and a.totals.bonus == 5.0


@settings(max_examples=100, deadline=None)
@given(plan=st.floats(1, 1e6), share=st.floats(0.05, 1.2), kind=st.sampled_from(["increase", "decrease"]),
       margin=st.floats(0, 100), cumulative=st.booleans())
def test_the_interim_status_follows_the_projection_and_the_margin(plan, share, kind, margin, cumulative):
    actual = round(plan * share * 0.5, 2)
    r = _row(_assess([{"code": "X", "kind": kind, "plan": plan, "actual": actual, "cumulative": cumulative}],
                     interim={"risk_margin_pct": margin}), "X")
    expected_projection = round(actual / 0.5, 2) if cumulative else actual
    assert r["projection"] == pytest.approx(expected_projection, abs=0.011)
    met = r["status"] in ("Vượt", "Đạt")
    word = ("Đúng tiến độ" if met else "Chậm tiến độ" if np.isfinite(r["pct_of_plan"]) and r["pct_of_plan"] >= margin
            else "Có nguy cơ không đạt")
    assert r["interim_status"] == word
    assert 0 <= r["points"] <= 10.0


def test_interim_settings_are_validated_and_change_the_fingerprint(tmp_path):
    from thidua.base.config import build_config, interim_settings
    from thidua.base.errors import ConfigError
    from thidua.base.fingerprint import settings_fingerprint

    config = build_config({}, tmp_path)
    assert interim_settings(config) == {"share_h1": 50.0, "share_9m": 75.0, "share_q1": 25.0, "share_q2": 50.0,
                                        "share_q3": 75.0, "use_last_year": True, "risk_margin_pct": 90.0}
    other = build_config({"interim": {"risk_margin_pct": 85}}, tmp_path)
    assert settings_fingerprint(other) != settings_fingerprint(config)
    with pytest.raises(ConfigError, match="interim.share_h1"):
        build_config({"interim": {"share_h1": 0}}, tmp_path)
    with pytest.raises(ConfigError, match="khóa không biết \"interim.share_q4\""):
        build_config({"interim": {"share_q4": 100}}, tmp_path)


def test_a_criteria_frame_without_the_cumulative_column_reads_every_figure_as_a_level():
    sub = make_submission([REVENUE], year=2023)
    sub.criteria = sub.criteria.drop(columns="cumulative")
    sub.meta.period = "h1"
    r = evaluate(sub, {}).results.iloc[0]
    assert (r["cumulative"], r["projection"], r["interim_status"]) == (False, 3900.0, "Có nguy cơ không đạt")
