"""Property tests: points stay in bounds, move the right way with actual, and never become NaN."""

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.factories import make_submission
from thidua.base import vnformat
from thidua.base.rounding import half_up, round_half_up, vn_numbers
from thidua.scoring import evaluate as scoring

values = st.one_of(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
                   st.integers(-1000, 1000).map(float), st.just(0.0))
maybe_values = st.one_of(values, st.just(float("nan")))
kinds = st.sampled_from(["increase", "decrease", "pass_fail", "grade"])
config = st.fixed_dictionaries({
    "floor_pct": st.floats(0, 100), "proportional": st.booleans(), "bonus_line_pct": st.floats(100, 300),
    "bonus_share_pct": st.floats(0, 100), "points_precision": st.integers(0, 4),
})
rows = st.fixed_dictionaries({
    "kind": kinds, "plan": maybe_values, "actual": maybe_values, "previous": maybe_values,
    "max_points": st.floats(0, 1000), "key": st.booleans(),
})


def points_of(kind, plan, actual, s, key=False, max_points=20.0):
    row = {"kind": kind, "plan": plan, "actual": actual, "key": key, "max_points": max_points}
    r = scoring.evaluate(make_submission([row]), s).results.iloc[0]
    return r["points"], r["bonus"]


@settings(max_examples=150, deadline=None)
@given(st.lists(rows, min_size=1, max_size=20), config)
def test_points_in_bounds_and_never_nan(criteria, s):
    a = scoring.evaluate(make_submission(criteria), s)
    r = a.results
    assert not r[["points", "bonus"]].isna().any().any()
    assert (r["points"] >= 0).all() and (r["bonus"] >= 0).all()
    assert (r["points"] <= r["max_points"]).all()
    # the bonus is max × share, rounded half-up to the points precision
    rounding_slack = 0.5 * 10.0 ** -s["points_precision"] + 1e-9
    assert (r["bonus"] <= r["max_points"] * s["bonus_share_pct"] / 100 + rounding_slack).all()
    assert (r["points"] + r["bonus"] <= r["max_points"] + r["bonus"]).all()
    t = a.totals
    assert all(math.isfinite(x) for x in (t.points, t.bonus, t.deductions, t.total, t.max_points))
    assert set(r["status"]) <= {"Vượt", "Đạt", "Chưa đạt", "Không có số liệu"}
    assert set(r["rule"]) <= set(scoring.RULES)
    assert all(e and "{" not in e for e in r["explanation"])


@settings(max_examples=150, deadline=None)
@given(values, values, st.floats(0, 1e5), config, st.booleans())
def test_raising_actual_never_lowers_increase_points(plan, actual, delta, s, key):
    low = sum(points_of("increase", plan, actual, s, key))
    high = sum(points_of("increase", plan, actual + delta, s, key))
    assert high >= low  # points and bonus together


@settings(max_examples=150, deadline=None)
@given(values, values, st.floats(0, 1e5), config, st.booleans())
def test_lowering_actual_never_lowers_decrease_points(plan, actual, delta, s, key):
    high_actual = sum(points_of("decrease", plan, actual, s, key))
    low_actual = sum(points_of("decrease", plan, actual - delta, s, key))
    assert low_actual >= high_actual  # points and bonus together (below zero counts as the best case)


@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), st.integers(0, 4))
def test_vectorised_rounding_matches_vnformat(x, decimals):
    assert round_half_up(np.array([x]), decimals)[0] == half_up(x, decimals)


@given(st.one_of(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False),
                 st.decimals(min_value=-1000, max_value=1000, places=3).map(float)),
       st.integers(0, 3))
def test_fast_formatting_matches_vnformat(x, decimals):
    assert vn_numbers(np.array([x]), decimals) == [vnformat.number(x, decimals)]


def test_fast_formatting_missing():
    assert vn_numbers(np.array([np.nan, np.inf])) == ["-", "-"]


def test_huge_and_tiny_values_round_without_warnings():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = round_half_up(np.array([1e308, -1e308, 5e-324, np.inf, np.nan]), 4)
        r = scoring.evaluate(make_submission([{"plan": 1e-300, "actual": 1e300, "key": True}]), {}).results
    assert out[0] == 1e308 and out[1] == -1e308 and out[2] == 0.0 and out[3] == np.inf and np.isnan(out[4])
    assert r["pct_of_plan"][0] == scoring.PCT_CAP and r["status"][0] == "Vượt" and r["bonus"][0] == 1.0
