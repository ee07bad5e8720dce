"""A hand-built Submission covering every kind and status (evaluated by the real scoring), for render tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from thidua.base.model import (
    CRITERIA_COLUMNS,
    DEDUCTION_COLUMNS,
    KIND_DECREASE,
    KIND_GRADE,
    KIND_INCREASE,
    KIND_PASS_FAIL,
    Assessment,
    ReportMeta,
    Submission,
)
from thidua.scoring.evaluate import evaluate

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


def assess(sub: Submission, settings: dict | None = None) -> Assessment:
    """Evaluate with the real scoring rules (defaults unless `settings` is given)."""
    return evaluate(sub, settings or {})


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
    """The bundled example read by the real reader and evaluated by scoring.evaluate."""
    import hashlib

    from thidua.intake.reader import read_workbook

    result = read_workbook(EXAMPLE)
    assert result.valid, result.issues
    sub = result.submission
    sub.source, sub.sha256 = EXAMPLE, hashlib.sha256(EXAMPLE.read_bytes()).hexdigest()
    return evaluate(sub, settings)
