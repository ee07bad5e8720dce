"""Vietnamese numbers and dates for reports and mail (Babel, locale vi), rounded half-up (base.rounding)."""

from __future__ import annotations

import datetime as dt

from babel.numbers import format_decimal

from thidua.base.rounding import half_up, half_up_decimal
from thidua.base.values import is_missing, number_or_none

LOCALE = "vi"


def number(value: object, decimals: int = 2, *, fixed: bool = False, missing: str = "-") -> str:
    """7877 → "7.877"; 1825.684 → "1.825,68"; trailing zeros dropped unless `fixed`."""
    figure = number_or_none(value)
    if figure is None:
        return missing
    rounded = half_up_decimal(figure, decimals)
    if rounded == 0:
        rounded = abs(rounded)
    frac = "0" * decimals if fixed else "#" * decimals
    pattern = "#,##0" + (("." + frac) if decimals else "")
    return format_decimal(rounded, format=pattern, locale=LOCALE, decimal_quantization=False)


def percent(value: object, decimals: int = 2, *, missing: str = "-") -> str:
    """123.14 → "123,14%" (no space before %, as Vietnamese documents write it)."""
    if is_missing(value):
        return missing
    return number(value, decimals) + "%"


def signed(value: object, decimals: int = 2, *, missing: str = "-") -> str:
    """+1,5 / −0,2 with an explicit sign, for changes."""
    figure = number_or_none(value)
    if figure is None:
        return missing
    v = half_up(figure, decimals)
    if v == 0:
        return number(0, decimals)
    return ("+" if v > 0 else "−") + number(abs(v), decimals)


def date_line(day: dt.date) -> str:
    """"ngày 05 tháng 01 năm 2023": leading zero for days < 10 and months 1–2 (Nghị định 30)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def short_date(day: dt.date) -> str:
    """"30/5/2023" as used inside sentences."""
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def time_and_date(moment: dt.datetime) -> str:
    """"10:05 ngày 01/12/2026": when a file was processed, as the report and the terminal say it."""
    return f"{moment.hour:02d}:{moment.minute:02d} ngày {short_date(moment.date())}"
