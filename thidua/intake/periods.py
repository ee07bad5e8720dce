"""Read the `Kỳ báo cáo` cell as officers write it: "6 tháng", "6 thang", "6 tháng đầu năm 2023", "quý 1"."""

from __future__ import annotations

import re

from thidua.base import model
from thidua.base.textfold import LabelMatcher, strip_marks

_LABELS = LabelMatcher(model.PERIOD_LABELS)
# Words that say nothing about which period it is ("Sơ kết 6 tháng đầu năm 2023" = "6 tháng").
_NOISE = re.compile(r"\b(bao cao|so ket|tong ket|ky|lan|luy ke|dau nam|tu dau nam|nam \d{4}|\d{4})\b")
_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "mot": "1", "hai": "2", "ba": "3", "bon": "4"}
_QUARTER = re.compile(r"^(?:quy|q) ?(i{1,3}|iv|[1-4]|mot|hai|ba|bon)$")
_MONTHS = re.compile(r"^(6|9|12|sau|chin|muoi hai) ?(?:thang|t)$")
_MONTH_WORDS = {"sau": "6", "chin": "9", "muoi hai": "12"}
_BY_MONTHS = {"6": model.PERIOD_H1, "9": model.PERIOD_9M, "12": model.PERIOD_YEAR}
_BY_QUARTER = {"1": model.PERIOD_Q1, "2": model.PERIOD_Q2, "3": model.PERIOD_Q3}
_WHOLE_YEAR = ("ca nam", "nam")


def parse_period(text: str) -> str | None:
    """The canonical period (model.PERIOD_*) an officer meant, or None when it names none of them.

    "Quý IV" and "6 tháng cuối năm" are refused: their figures would be the year's, read as an interim.
    """
    hit = _LABELS.match(text)
    if hit is not None:
        return hit
    bare = re.sub(r"[-,/.;:()]", " ", strip_marks(text))
    if "cuoi" in bare:
        return None
    said = " ".join(_NOISE.sub(" ", bare).split())
    if said in _WHOLE_YEAR or not said and re.search(r"\b(nam|tong ket)\b", bare):  # "Tổng kết năm 2023"
        return model.PERIOD_YEAR
    bare = said
    months = _MONTHS.match(bare)
    if months:
        return _BY_MONTHS.get(_MONTH_WORDS.get(months.group(1), months.group(1)))
    quarter = _QUARTER.match(bare)
    if quarter:
        return _BY_QUARTER.get(_ROMAN.get(quarter.group(1), quarter.group(1)))
    return None
