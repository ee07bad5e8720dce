"""Vietnamese numbers typed as text: accepted forms, refused ambiguous forms, round trip with vnformat."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thidua.base import vnformat
from thidua.base.rounding import half_up
from thidua.base.vnnumber import AMBIGUOUS, NOT_A_NUMBER, parse_vn_number


@pytest.mark.parametrize(
    ("text", "value", "percent"),
    [("7.877", 7877, False), ("8,62", 8.62, False), ("123,14%", 123.14, True), ("1.825,68", 1825.68, False),
     ("6.819,5", 6819.5, False), ("−0,20", -0.2, False), ("-0,2", -0.2, False), ("+0,10", 0.1, False),
     ("7\u00a0877", 7877, False), (" 1 825,68 ", 1825.68, False), ("13,3‰", 13.3, True), ("0,60", 0.6, False),
     ("2022", 2022, False), ("– 3,5 %", -3.5, True), ("100.000", 100000, False), ("007", 7, False)],
)
def test_accepted(text, value, percent):
    parsed = parse_vn_number(text)
    assert parsed.ok
    assert parsed.value == pytest.approx(value)
    assert parsed.percent is percent


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [("7.87", "7,87"), ("0.877", "0,877"), ("8.5", "8,5"), ("1,234.5", "1.234,5"), ("1.234.5", ""),
     ("1,234,567", ""), (",5", ""), ("1.2345", "1,2345"), ("12.34.567", "")],
)
def test_ambiguous_is_refused_with_a_suggestion(text, suggestion):
    parsed = parse_vn_number(text)
    assert parsed.problem == AMBIGUOUS
    assert parsed.value is None
    if suggestion:
        assert parsed.suggestion == suggestion


@pytest.mark.parametrize("text", ["bảy", "", "-", "%", "Top 10", "1 2", "12abc", "∞", "nan", "1e5"])
def test_not_a_number(text):
    assert parse_vn_number(text).problem == NOT_A_NUMBER


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False), st.integers(min_value=0, max_value=4))
def test_vnformat_then_parse_gives_the_rounded_value(value, decimals):
    text = vnformat.number(value, decimals)
    parsed = parse_vn_number(text)
    assert parsed.ok, text
    assert math.isclose(parsed.value, half_up(value, decimals), rel_tol=1e-12, abs_tol=1e-9)


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False))
def test_percent_round_trip(value):
    parsed = parse_vn_number(vnformat.percent(value))
    assert parsed.ok and parsed.percent
    assert math.isclose(parsed.value, half_up(value, 2), rel_tol=1e-12, abs_tol=1e-9)
