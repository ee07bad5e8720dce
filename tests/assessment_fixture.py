"""A hand-built Assessment of the Đồng Tháp 2022 figures, for render tests independent of scoring."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pandas as pd

from thidua.model import (
    CRITERIA_COLUMNS,
    DEDUCTION_COLUMNS,
    KIND_DECREASE,
    KIND_GRADE,
    KIND_INCREASE,
    KIND_PASS_FAIL,
    RESULT_COLUMNS,
    STATUS_EXCEEDED,
    STATUS_MET,
    STATUS_NO_DATA,
    STATUS_NOT_MET,
    Assessment,
    ReportMeta,
    Submission,
    Totals,
)
from thidua.vnformat import round_half_up

NAN = float("nan")

# code, field, name, unit, kind, plan, actual, previous, max, key, status, agency, monitor, note
ROWS = [
    ("KT01", "Kinh tế", "Tốc độ tăng trưởng GRDP", "%", KIND_INCREASE, 7.0, 8.62, 8.41, 40, True,
     "Chính thức", "Sở Kế hoạch và Đầu tư", "Trần Thị Bích", ""),
    ("KT02", "Kinh tế", "GRDP bình quân đầu người", "triệu đ", KIND_INCREASE, 60.0, 62.1, 57.3, 30, False,
     "Chính thức", "Sở Kế hoạch và Đầu tư", "Trần Thị Bích", ""),
    ("KT03", "Kinh tế", "Thu NSNN trên địa bàn", "tỷ đ", KIND_INCREASE, 6819.5, 7877, 7120, 40, True,
     "Chính thức", "Sở Tài chính", "Lê Văn Cường", ""),
    ("KT04", "Kinh tế", "Kim ngạch xuất khẩu", "triệu USD", KIND_INCREASE, 1185, 1397, 1250, 40, True,
     "Chính thức", "Sở Công Thương", "Trần Thị Bích", ""),
    ("KT05", "Kinh tế", "Tổng vốn đầu tư toàn xã hội", "tỷ đ", KIND_INCREASE, 30000, 31450, 29800, 30, False,
     "Ước", "Sở Kế hoạch và Đầu tư", "Trần Thị Bích", ""),
    ("KT06", "Kinh tế", "Tỷ lệ giải ngân vốn đầu tư công", "% KH vốn", KIND_INCREASE, 100, 96.5, 95.0, 30,
     False, "Chính thức", "Sở Kế hoạch và Đầu tư", "Trần Thị Bích",
     "Một số dự án vướng giải phóng mặt bằng, chậm bàn giao mặt bằng thi công"),
    ("XH01", "Văn hóa - Xã hội", "Mức giảm tỷ lệ hộ nghèo đa chiều", "điểm %", KIND_INCREASE, 1.0, 0.6, 0.9,
     30, False, "Chính thức", "Sở Lao động - Thương binh và Xã hội", "Phạm Thị Dung",
     "Chuẩn nghèo đa chiều giai đoạn 2022-2025 nâng cao, nhiều hộ tái nghèo do dịch bệnh"),
    ("XH02", "Văn hóa - Xã hội", "Lao động được giải quyết việc làm", "người", KIND_INCREASE, 30000, 38900,
     35000, 30, True, "Sơ bộ", "Sở Lao động - Thương binh và Xã hội", "Phạm Thị Dung", ""),
    ("XH03", "Văn hóa - Xã hội", "Điều chỉnh mức sinh: tăng tỷ suất sinh thô", "‰", KIND_INCREASE, 0.1,
     -0.2, 0.05, 20, False, "Chính thức", "Sở Y tế", "Phạm Thị Dung",
     "Tâm lý ngại sinh con thứ hai; chính sách khuyến khích sinh đủ hai con chưa đủ sức hấp dẫn"),
    ("XH04", "Văn hóa - Xã hội", "Tỷ lệ hộ nghèo cuối năm", "%", KIND_DECREASE, 2.0, 2.17, 2.5, 20, False,
     "Chính thức", "Sở Lao động - Thương binh và Xã hội", "Phạm Thị Dung", "Như tiêu chí giảm nghèo"),
    ("QP01", "Quốc phòng - An ninh", "Kéo giảm tai nạn giao thông (số vụ, số người chết, số người bị thương)",
     "vụ / người", KIND_PASS_FAIL, 1.0, 0.0, NAN, 30, False, "Chính thức", "Công an tỉnh", "Võ Minh Tâm",
     "Số người chết tăng 3,4% do phương tiện tăng nhanh, ý thức chấp hành luật của một bộ phận người dân"),
    ("QP02", "Quốc phòng - An ninh", "Hoàn thành chỉ tiêu tuyển quân", "", KIND_PASS_FAIL, 1.0, 1.0, NAN, 30,
     False, "Chính thức", "Bộ Chỉ huy Quân sự tỉnh", "Võ Minh Tâm", ""),
    ("XD01", "Xây dựng Đảng, chính quyền, đoàn thể", "Tổ chức cơ sở đảng, MTTQ và đoàn thể vững mạnh",
     "", KIND_GRADE, 4.0, 3.0, NAN, 30, False, "Chính thức", "Ban Tổ chức Tỉnh ủy", "Nguyễn Văn An",
     "Một số tổ chức cơ sở đảng chưa đạt tiêu chuẩn hoàn thành xuất sắc nhiệm vụ"),
    ("TD01", "Công tác thi đua, khen thưởng", "Ban hành kế hoạch, phát động thi đua; báo cáo đúng hạn",
     "", KIND_PASS_FAIL, 1.0, 1.0, NAN, 50, False, "Sở Nội vụ", "Sở Nội vụ", "Nguyễn Văn An", ""),
]

LABELS = {KIND_PASS_FAIL: {1.0: "Đạt", 0.0: "Không đạt"},
          KIND_GRADE: {4.0: "Hoàn thành xuất sắc nhiệm vụ", 3.0: "Hoàn thành tốt nhiệm vụ"}}


def _evaluate(kind: str, plan: float, actual: float, max_points: float, key: bool) -> dict[str, object]:
    """A simplified copy of the scoring rules, good enough to exercise every template branch."""
    if kind in (KIND_PASS_FAIL, KIND_GRADE):
        ok = actual >= plan
        return {"pct_of_plan": NAN, "status": STATUS_MET if ok else STATUS_NOT_MET,
                "rule": "pass-fail" if kind == KIND_PASS_FAIL else "grade",
                "points": max_points if ok else (0.8 * max_points if kind == KIND_GRADE else 0.0),
                "bonus": 0.0, "gap_to_plan": NAN, "gap_to_bonus": NAN}
    ratio = (plan / actual if kind == KIND_DECREASE else actual / plan) * 100
    pct = round_half_up(ratio, 2) if ratio > 0 else 0.0
    status = STATUS_EXCEEDED if pct > 100 else STATUS_MET if pct == 100 else STATUS_NOT_MET
    points = max_points if pct >= 100 else (max_points * pct / 100 if pct >= 50 else 0.0)
    bonus = round_half_up(0.1 * max_points, 2) if key and pct > 110 else 0.0
    line = plan * 1.1
    return {"pct_of_plan": pct, "status": status, "rule": "ratio", "points": round_half_up(points, 2),
            "bonus": bonus, "gap_to_plan": max(plan - actual, 0.0) if kind == KIND_INCREASE else
            max(actual - plan, 0.0), "gap_to_bonus": max(line - actual, 0.0) if key else NAN}


def _explain(res: dict, max_points: float) -> str:
    """A sentence as long as the real ones, so the annex layout is tested with realistic text."""
    from thidua.vnformat import number

    pct = res["pct_of_plan"]
    if pct != pct:
        return f"Quy tắc {res['rule']}: được {number(res['points'])}/{number(max_points)} điểm chuẩn."
    if pct >= 100:
        text = f"Đạt {number(pct)}% kế hoạch (từ 100% trở lên): được đủ {number(max_points)} điểm chuẩn"
        return text + (f"; vượt trên 110% kế hoạch: thưởng {number(res['bonus'])} điểm." if res["bonus"] else ".")
    return (f"Đạt {number(pct)}% kế hoạch (từ 50% đến dưới 100%): được {number(pct)}% × "
            f"{number(max_points)} = {number(res['points'])} điểm; cần thêm để đạt kế hoạch.")


def assess(sub: Submission, settings: dict | None = None) -> Assessment:
    """Evaluate a Submission with the simplified rules above (stands in for scoring.evaluate)."""
    records = []
    for r in sub.criteria.to_dict("records"):
        if math.isnan(r["actual"]):
            res = {"pct_of_plan": NAN, "status": STATUS_NO_DATA, "rule": "no-data", "points": 0.0,
                   "bonus": 0.0, "gap_to_plan": NAN, "gap_to_bonus": NAN}
        else:
            res = _evaluate(r["kind"], r["plan"], r["actual"], r["max_points"], bool(r["key"]))
        prev = r["previous"]
        yoy = r["actual"] - prev if not math.isnan(prev) else NAN
        records.append({**r, **res, "yoy_change": yoy,
                        "yoy_pct": round_half_up(yoy / abs(prev) * 100, 2) if prev == prev and prev else NAN,
                        "explanation": _explain(res, r["max_points"])})
    results = pd.DataFrame.from_records(records, columns=[*CRITERIA_COLUMNS, *RESULT_COLUMNS])
    by_field = (results.groupby("field", sort=False)
                .agg(n_criteria=("code", "size"),
                     n_met_or_exceeded=("status", lambda s: int(s.isin([STATUS_MET, STATUS_EXCEEDED]).sum())),
                     n_not_met=("status", lambda s: int((s == STATUS_NOT_MET).sum())),
                     n_no_data=("status", lambda s: int((s == STATUS_NO_DATA).sum())),
                     max_points=("max_points", "sum"), points=("points", "sum"), bonus=("bonus", "sum"))
                .reset_index())
    st = results["status"]
    ded = float(sub.deductions["points"].sum()) if len(sub.deductions) else 0.0
    totals = Totals(
        n_criteria=len(results), n_exceeded=int((st == STATUS_EXCEEDED).sum()),
        n_met=int((st == STATUS_MET).sum()), n_not_met=int((st == STATUS_NOT_MET).sum()),
        n_no_data=int((st == STATUS_NO_DATA).sum()), max_points=float(results["max_points"].sum()),
        points=float(results["points"].sum()), bonus=float(results["bonus"].sum()), deductions=ded,
        total=float(results["points"].sum() + results["bonus"].sum() - ded))
    settings = settings or {"floor_pct": 50.0, "bonus_line_pct": 110.0, "bonus_share_pct": 10.0}
    return Assessment(submission=sub, results=results, by_field=by_field, totals=totals, settings=settings)


def build_assessment(rows: list[tuple] | None = None, source: Path | None = None) -> Assessment:
    """A 14-criterion Assessment with every CRITERIA_COLUMNS + RESULT_COLUMNS column filled."""
    records = []
    for i, r in enumerate(rows or ROWS, start=5):
        code, fld, name, unit, kind, plan, actual, prev, mx, key, ds, agency, monitor, note = r
        labels = LABELS.get(kind, {})
        records.append({
            "row": i, "code": code, "field": fld, "name": name, "unit": unit, "kind": kind,
            "plan": plan, "actual": actual, "previous": prev,
            "plan_label": labels.get(plan, ""), "actual_label": labels.get(actual, ""),
            "max_points": float(mx), "key": key, "data_status": ds, "agency": agency,
            "monitor": monitor, "note": note,
        })
    criteria = pd.DataFrame.from_records(records, columns=list(CRITERIA_COLUMNS))
    deductions = pd.DataFrame.from_records(
        [{"row": 5, "content": "Gửi báo cáo 6 tháng chậm 3 ngày", "points": 2.0, "note": ""}],
        columns=list(DEDUCTION_COLUMNS))
    meta = ReportMeta(
        province="Đồng Tháp", year=2022, cluster="Cụm thi đua các tỉnh Tây Nam Bộ",
        parent_agency="UBND TỈNH ĐỒNG THÁP", agency="SỞ NỘI VỤ", doc_number="125/BC-SNV",
        place="Đồng Tháp", report_date=dt.date(2023, 5, 30),
        signing_authority="KT. GIÁM ĐỐC", signer_title="PHÓ GIÁM ĐỐC", signer="Nguyễn Văn Bình",
        recipients=["Ban Thi đua - Khen thưởng Trung ương", "Cụm trưởng Cụm thi đua các tỉnh Tây Nam Bộ",
                    "TT/TU, TT/HĐND tỉnh", "UBND tỉnh", "Thành viên Hội đồng TĐKT tỉnh"],
    )
    sub = Submission(meta=meta, criteria=criteria, deductions=deductions, source=source, sha256="ab" * 32)
    return assess(sub)


EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "dong-thap-2022.xlsx"


def example_assessment(settings: dict) -> Assessment:
    """The bundled example read by the real reader, evaluated by scoring.evaluate once it exists."""
    import hashlib

    from thidua.workbook import read_workbook

    result = read_workbook(EXAMPLE)
    assert result.valid, result.issues
    sub = result.submission
    sub.source, sub.sha256 = EXAMPLE, hashlib.sha256(EXAMPLE.read_bytes()).hexdigest()
    try:
        from thidua.scoring import evaluate
    except ImportError:  # before the scoring branch is merged
        return assess(sub, settings)
    return evaluate(sub, settings)
