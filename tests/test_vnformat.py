"""Vietnamese number and date formatting, rounding half-up."""

import datetime as dt

import pytest

from thidua.base import vnformat
from thidua.base.rounding import half_up


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [(7877, 2, "7.877"), (1825.684, 2, "1.825,68"), (8.62, 2, "8,62"), (6819.5, 2, "6.819,5"),
     (123.135, 2, "123,14"), (0.125, 2, "0,13"), (-0.004, 2, "0"), (1397, 0, "1.397"), (None, 2, "-"),
     (float("nan"), 2, "-")],
)
def test_number(value, decimals, expected):
    assert vnformat.number(value, decimals) == expected


def test_percent_and_signed():
    assert vnformat.percent(123.14) == "123,14%"
    assert vnformat.percent(115.505) == "115,51%"
    assert vnformat.signed(-0.2) == "−0,2"
    assert vnformat.signed(3.4) == "+3,4"


def test_round_half_up():
    assert half_up(123.135, 2) == 123.14
    assert half_up(2.675, 2) == 2.68


def test_date_line_leading_zeros():
    assert vnformat.date_line(dt.date(2023, 1, 5)) == "ngày 05 tháng 01 năm 2023"
    assert vnformat.date_line(dt.date(2023, 5, 30)) == "ngày 30 tháng 5 năm 2023"
    assert vnformat.date_line(dt.date(2023, 12, 1)) == "ngày 01 tháng 12 năm 2023"
