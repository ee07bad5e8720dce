"""Build Submission objects straight from row dicts, without a workbook."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from thidua.base import model

_DEFAULTS: dict[str, Any] = {
    "field": "Kinh tế", "name": "", "unit": "", "kind": model.KIND_INCREASE, "plan": np.nan,
    "actual": np.nan, "previous": np.nan, "plan_label": "", "actual_label": "", "max_points": 10.0,
    "key": False, "data_status": "Chính thức", "cumulative": False, "agency": "", "monitor": "", "note": "",
}


def make_criteria(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """A criteria frame with every CRITERIA_COLUMNS column; unspecified values get defaults."""
    filled = []
    for i, row in enumerate(rows):
        unknown = set(row) - set(model.CRITERIA_COLUMNS)
        assert not unknown, f"unknown criteria columns {unknown}"
        full = {"row": i + 2, "code": f"TC{i + 1:02d}", **_DEFAULTS, **row}
        if not full["name"]:
            full["name"] = f"Tiêu chí {full['code']}"
        filled.append(full)
    frame = pd.DataFrame(filled, columns=list(model.CRITERIA_COLUMNS))
    for col in ("plan", "actual", "previous", "max_points"):
        frame[col] = frame[col].astype(float)
    frame["key"] = frame["key"].astype(bool)
    frame["row"] = frame["row"].astype(int)
    return frame


def make_submission(rows: list[dict[str, Any]], deductions: list[dict[str, Any]] | None = None,
                    province: str = "Đồng Tháp", year: int = 2022) -> model.Submission:
    """A Submission over `rows`; `deductions` rows need at least "points"."""
    ded = pd.DataFrame(
        [{"row": i + 2, "content": "", "note": "", **d} for i, d in enumerate(deductions or [])],
        columns=list(model.DEDUCTION_COLUMNS))
    ded["points"] = ded["points"].astype(float)
    meta = model.ReportMeta(province=province, year=year, cluster="Cụm thi đua các tỉnh Tây Nam Bộ",
                            agency="Sở Nội vụ")
    return model.Submission(meta=meta, criteria=make_criteria(rows), deductions=ded)


def seed_rows() -> list[dict[str, Any]]:
    """The three key figures of the 2022 seed article (plans derived in DOMAIN.md)."""
    return [
        {"code": "KT01", "name": "Tốc độ tăng trưởng GRDP", "unit": "%", "plan": 7.0, "actual": 8.62,
         "previous": 9.11, "max_points": 30.0, "key": True},
        {"code": "KT03", "name": "Thu NSNN trên địa bàn", "unit": "tỷ đ", "plan": 6819.5, "actual": 7877.0,
         "max_points": 30.0, "key": True},
        {"code": "KT04", "name": "Kim ngạch xuất khẩu", "unit": "triệu USD", "plan": 1185.0, "actual": 1397.0,
         "max_points": 25.0, "key": True},
    ]


_FIELDS = {"KT": "Kinh tế", "XH": "Văn hóa - Xã hội", "MT": "Tài nguyên - Môi trường",
           "QP-AN": "Quốc phòng - An ninh", "XDĐ": "Xây dựng Đảng, đoàn thể", "CQ": "Xây dựng chính quyền",
           "TĐKT": "Công tác thi đua, khen thưởng"}
KEY_CRITERIA = {"1", "3", "4", "15"}  # GRDP, budget revenue, exports, jobs (seed article)


def _vn_float(text: str) -> float:
    """"6.819,5" → 6819.5, "−0,20" → -0.2, "Top 10" → 10, "—" → NaN; composites take the worst part."""
    text = text.replace("−", "-").replace("(ước)", "").replace("Top", "").replace("each", "").strip()
    if text in ("", "—"):
        return float("nan")
    if text == "Đạt":
        return 1.0
    parts = re.findall(r"[-+]?\d[\d.]*(?:,\d+)?", text)
    numbers = [float(p.replace(".", "").replace(",", ".")) for p in parts]
    return max(numbers)  # TNGT "vụ −6,1%; chết +3,4%; …": the worst of the three decides


def dong_thap_2022_rows(csv_path: Path | None = None) -> list[dict[str, Any]]:
    """The 36 criteria of ../shared/data/dong-thap-criteria.csv, year 2022, as make_submission rows."""
    path = csv_path or Path(__file__).resolve().parents[1] / "examples" / "data" / "dong-thap-criteria.csv"
    rows = []
    with open(path, encoding="utf-8", newline="") as fh:
        for rec in csv.DictReader(fh):
            direction = rec["Dir"]
            kind = (model.KIND_PASS_FAIL if direction == "Y/N"
                    else model.KIND_DECREASE if direction.startswith("↓") else model.KIND_INCREASE)
            key = rec["#"] in KEY_CRITERIA
            rows.append({
                "code": f"{rec['Nhóm']}{int(rec['#']):02d}", "field": _FIELDS[rec["Nhóm"]],
                "name": rec["Tiêu chí"], "unit": "" if rec["ĐVT"] == "Y/N" else rec["ĐVT"], "kind": kind,
                "plan": _vn_float(rec["KH 2022"]), "actual": _vn_float(rec["TH 2022"]),
                "plan_label": "Đạt" if kind == model.KIND_PASS_FAIL else "",
                "actual_label": rec["TH 2022"] if kind == model.KIND_PASS_FAIL else "",
                "max_points": 30.0 if key else 20.0, "key": key,
                "data_status": "Ước" if "(ước)" in rec["TH 2022"] else "Chính thức",
            })
    return rows
