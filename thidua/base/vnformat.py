"""Vietnamese numbers and dates for reports and mail (Babel, locale vi), rounding half-up."""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_decimal

LOCALE = "vi"


def round_half_up(value: float, decimals: int = 2) -> float:
    """Round like people do on paper (123,135 → 123,14), not banker's rounding."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return value
    quantum = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP))


def _is_missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return not math.isfinite(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True


def number(value: object, decimals: int = 2, *, fixed: bool = False, missing: str = "-") -> str:
    """7877 → "7.877"; 1825.684 → "1.825,68"; trailing zeros dropped unless `fixed`."""
    if _is_missing(value):
        return missing
    rounded = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)
    frac = "0" * decimals if fixed else "#" * decimals
    pattern = "#,##0" + (("." + frac) if decimals else "")
    return format_decimal(rounded, format=pattern, locale=LOCALE, decimal_quantization=False)


def percent(value: object, decimals: int = 2, *, missing: str = "-") -> str:
    """123.14 → "123,14%" (no space before %, as Vietnamese documents write it)."""
    if _is_missing(value):
        return missing
    return number(value, decimals) + "%"


def signed(value: object, decimals: int = 2, *, missing: str = "-") -> str:
    """+1,5 / −0,2 with an explicit sign, for changes."""
    if _is_missing(value):
        return missing
    v = round_half_up(float(value), decimals)  # type: ignore[arg-type]
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
