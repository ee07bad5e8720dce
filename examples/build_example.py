"""Build examples/dong-thap-2022.xlsx (36 criteria, year 2022) from examples/data/dong-thap-criteria.csv.

Run: python examples/build_example.py [OUTPUT.xlsx]

Figures come from the CSV (KH 2022 / TH 2022); this file adds what the CSV does not hold: codes, fields,
kinds, points (1.000 in total), agencies, council members, previous-year figures (plausible 2021 values,
GRDP 2021 = 0,83%), data status and the cause of every unmet criterion. Row 9 (industrial production)
has no 2022 figure in the sources: it is kept, with a reconstructed plan and a blank actual, so the
example also shows a criterion "without data".
"""

from __future__ import annotations

import csv
import datetime as dt
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # allow `python examples/build_example.py` from anywhere
    sys.path.insert(0, str(ROOT))

from thidua.base import model  # noqa: E402
from thidua.base.vnnumber import parse_vn_number  # noqa: E402
from thidua.intake.template import write_template  # noqa: E402

CSV_NAME = "shared/data/dong-thap-criteria.csv"
# A copy of ../shared/data/dong-thap-criteria.csv travels with the repository so a fresh clone (and CI)
# can rebuild and test the example; tests/test_example.py checks the copy still equals the shared file.
CSV_PATH = Path(__file__).resolve().parent / "data" / "dong-thap-criteria.csv"


def shared_csv() -> Path | None:
    """../shared beside the repository (also from a worktree nested one level deeper), if present."""
    here = Path(__file__).resolve()
    for ancestor in here.parents[2:5]:
        if (ancestor / CSV_NAME).is_file():
            return ancestor / CSV_NAME
    return None
OUTPUT = Path(__file__).resolve().parent / "dong-thap-2022.xlsx"

FIELDS = {"KT": ("KT", "Kinh tế"), "XH": ("XH", "Văn hóa - Xã hội"), "MT": ("MT", "Tài nguyên - Môi trường"),
          "QP-AN": ("AN", "Quốc phòng - An ninh"), "XDĐ": ("XD", "Xây dựng Đảng, đoàn thể"),
          "CQ": ("CQ", "Xây dựng chính quyền"), "TĐKT": ("TD", "Công tác thi đua, khen thưởng")}
UNITS = {"tỷ đ": "tỷ đồng", "triệu đ": "triệu đồng", "Y/N": ""}
UP, DOWN, YES_NO = "Tăng là tốt", "Giảm là tốt", "Đạt/Không đạt"

KH_DT = "Sở Kế hoạch và Đầu tư"
TC = "Sở Tài chính"
CT = "Sở Công Thương"
NN = "Sở Nông nghiệp và Phát triển nông thôn"
LD = "Sở Lao động - Thương binh và Xã hội"
YT = "Sở Y tế"
CA = "Công an tỉnh"
BTC = "Ban Tổ chức Tỉnh ủy"
NV = "Sở Nội vụ"
BICH, CUONG, DUNG = "Trần Thị Bích", "Lê Văn Cường", "Phạm Thị Dung"
TUAN, PHUC, HANH, HUNG, LAN = "Võ Minh Tuấn", "Huỳnh Văn Phúc", "Nguyễn Thị Hạnh", "Đặng Quốc Hùng", "Ngô Thị Lan"

# CSV row "#" → (kind, points, agency, council member, previous year, key, data status, note)
DETAILS: dict[int, tuple[str, int, str, str, float | str | None, bool, str, str]] = {
    1: (UP, 50, KH_DT, BICH, 0.83, True, "", ""),
    2: (UP, 30, KH_DT, BICH, 55.6, False, "Sơ bộ", ""),
    3: (UP, 50, TC, CUONG, 6702, True, "", ""),
    4: (UP, 50, CT, TUAN, 1163, True, "", ""),
    5: (UP, 30, KH_DT, BICH, 28100, False, "", ""),
    6: (UP, 30, KH_DT, CUONG, 95.0, False, "",
        "Một số dự án vướng giải phóng mặt bằng, thủ tục đầu tư kéo dài."),
    7: (UP, 20, KH_DT, TUAN, 610, False, "", ""),
    8: (UP, 30, CT, TUAN, 86900, False, "", ""),
    9: (UP, 20, CT, TUAN, None, False, "", "Chưa có số liệu thực hiện năm 2022."),
    10: (UP, 40, NN, PHUC, 100, False, "", "Còn 01 xã chưa hoàn thành tiêu chí thu nhập và môi trường."),
    11: (UP, 20, NN, PHUC, 8, False, "", ""),
    12: (UP, 30, NN, PHUC, 310, False, "", ""),
    13: (UP, 30, LD, DUNG, 0.90, False, "",
         "Thu nhập của hộ cận nghèo bị ảnh hưởng do giá vật tư nông nghiệp tăng; nguồn lực hỗ trợ giảm "
         "nghèo còn hạn chế."),
    14: (DOWN, 30, LD, DUNG, 2.77, False, "", "Tỷ lệ hộ nghèo giảm chậm hơn kế hoạch."),
    15: (UP, 40, LD, DUNG, 30500, True, "", ""),
    16: (UP, 20, LD, DUNG, 600, False, "Ước", ""),
    17: (UP, 20, LD, DUNG, 71.5, False, "", ""),
    18: (UP, 20, LD, DUNG, 12300, False, "", ""),
    19: (UP, 30, "Bảo hiểm xã hội tỉnh", HANH, 90.8, False, "",
         "Một bộ phận người dân chưa tham gia bảo hiểm y tế hộ gia đình."),
    20: (UP, 20, YT, HANH, None, False, "",
         "Tỷ suất sinh thô giảm 0,20‰ trong khi kế hoạch tăng 0,10‰ (Công văn số 756/BYT-TCDS ngày "
         "20/2/2022 của Bộ Y tế)."),
    21: (DOWN, 20, YT, HANH, 14.8, False, "", ""),
    22: (UP, 20, YT, HANH, 9.3, False, "", ""),
    23: (UP, 20, "Sở Giáo dục và Đào tạo", HANH, 73.5, False, "", ""),
    24: (UP, 20, YT, HANH, 100, False, "", ""),
    25: (UP, 20, "Sở Văn hóa, Thể thao và Du lịch", HANH, 90.5, False, "", ""),
    26: (UP, 20, NN, PHUC, 68.5, False, "", ""),
    27: (UP, 20, "Sở Tài nguyên và Môi trường", PHUC, 95.0, False, "", ""),
    28: (YES_NO, 30, CA, HUNG, None, False, "", "Số người chết do tai nạn giao thông tăng 3,4%."),
    29: (YES_NO, 20, "Bộ Chỉ huy Quân sự tỉnh", HUNG, "Đạt", False, "", ""),
    30: (UP, 30, CA, HUNG, 80, False, "", ""),
    31: (UP, 20, CA, HUNG, 10, False, "", "Còn 01 xã chưa hoàn thành chuyển hóa do địa bàn giáp ranh, phức tạp."),
    32: (UP, 30, BTC, LAN, 88.0, False, "",
         "Tỷ lệ tổ chức cơ sở đảng xếp loại hoàn thành tốt nhiệm vụ trở lên chưa đạt chỉ tiêu."),
    33: (UP, 30, "Ủy ban MTTQ Việt Nam tỉnh", LAN, 87.0, False, "",
         "Tỷ lệ MTTQ và đoàn thể cơ sở xếp loại hoàn thành tốt nhiệm vụ trở lên chưa đạt chỉ tiêu."),
    34: (UP, 20, BTC, LAN, 1980, False, "", ""),
    35: (DOWN, 20, NV, LAN, 9, False, "", ""),
    36: (YES_NO, 50, NV, LAN, "Đạt", False, "", ""),
}
# Figures the CSV writes in words, and the one plan it lacks (row 9: reconstructed, see module doc).
OVERRIDES: dict[int, tuple[object, object]] = {
    9: (65000, None),
    28: ("Đạt", "Không đạt"),
    35: (10, 6),
}


def example_meta() -> model.ReportMeta:
    return model.ReportMeta(
        province="Đồng Tháp", year=2022, cluster="Cụm thi đua các tỉnh Tây Nam Bộ",
        parent_agency="UBND TỈNH ĐỒNG THÁP", agency="Sở Nội vụ", doc_number="125/BC-SNV", place="Đồng Tháp",
        report_date=dt.date(2023, 5, 30), signing_authority="KT. GIÁM ĐỐC", signer_title="PHÓ GIÁM ĐỐC",
        signer="Nguyễn Văn Minh",
        recipients=["Ban Thi đua - Khen thưởng Trung ương", "Cụm trưởng Cụm thi đua các tỉnh Tây Nam Bộ",
                    "UBND tỉnh (để báo cáo)", "Thành viên Hội đồng TĐKT tỉnh", "Lưu: VT, TĐKT"])


def _figure(text: str) -> object:
    parsed = parse_vn_number(text)
    if parsed.ok:
        return parsed.value
    return text  # "Đạt" and the like; anything else fails loudly when the workbook is read back


def example_rows(csv_path: Path = CSV_PATH) -> tuple[model.ReportMeta, list[dict[str, object]],
                                                    list[dict[str, object]]]:
    """(meta, criteria rows keyed by contract column keys, deductions): the Đồng Tháp 2022 example."""
    if not csv_path.is_file():
        raise FileNotFoundError(f"Reference data not found: {csv_path} (expected ../shared/data beside the repo)")
    with open(csv_path, encoding="utf-8", newline="") as fh:
        records = list(csv.DictReader(fh))
    counters: dict[str, int] = {}
    rows: list[dict[str, object]] = []
    for rec in records:
        number = int(rec["#"])
        prefix, field = FIELDS[rec["Nhóm"]]
        counters[prefix] = counters.get(prefix, 0) + 1
        kind, points, agency, monitor, previous, key, status, note = DETAILS[number]
        plan, actual = OVERRIDES.get(number, (_figure(rec["KH 2022"]), _figure(rec["TH 2022"])))
        rows.append({
            "code": f"{prefix}{counters[prefix]:02d}", "field": field, "name": rec["Tiêu chí"],
            "unit": UNITS.get(rec["ĐVT"], rec["ĐVT"]), "kind": kind, "plan": plan, "actual": actual,
            "previous": previous, "max_points": points, "key": key, "data_status": status or None,
            "agency": agency, "monitor": monitor, "note": note or None,
        })
    return example_meta(), rows, []


def build(output: Path = OUTPUT, csv_path: Path = CSV_PATH) -> Path:
    meta, rows, deductions = example_rows(csv_path)
    return write_template(output, criteria_rows=rows, meta=meta, deductions=deductions)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    output = Path(args[0]) if args else OUTPUT
    try:
        path = build(output)
    except FileNotFoundError as exc:
        print(f"Không tạo được tệp ví dụ: {exc}", file=sys.stderr)
        return 2
    print(f"Đã ghi {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
