"""Real workbooks of a cluster over two years, built so the ranking has every case worth testing.

Eight criteria of 10 points each (KT01, KT02 key: +1 point past 110% of plan). % of plan per criterion is
chosen per province so that, in 2023:
  Hậu Giang 82 (8 met, 2 bonus) 1 · Trà Vinh 78 (7 met) 2 · Bến Tre 78 (6 met) 3 — tie broken by criteria met
  An Giang 70 (7 met) 4 · Cà Mau 70 (7 met) 4 — a true tie (đồng hạng), so the next place is 6
  Đồng Tháp: first 50 − 2 (deductions), then re-submitted: 66,5 − 2 = 64,5 → 6
  Vĩnh Long: member, nothing sent for 2023 (missing); Kiên Giang names the cluster but is no member;
  Bình Dương belongs to another cluster.
In 2022: Bến Tre 82, Hậu Giang 80, Trà Vinh 76, Cà Mau 75,4, An Giang 68, Vĩnh Long 61, Đồng Tháp 58 (ranks 1…7);
Vĩnh Long has a ninth criterion (XH09) and Cà Mau's KT08 is worth 12 points, so maxima differ that year.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests import workbooks as wb

CLUSTER = "Cụm thi đua các tỉnh Tây Nam Bộ"
MEMBERS = ["An Giang", "Bến Tre", "Cà Mau", "Đồng Tháp", "Hậu Giang", "Trà Vinh", "Vĩnh Long"]
NAMES = ["Tốc độ tăng trưởng GRDP", "Thu ngân sách nhà nước trên địa bàn", "Kim ngạch xuất khẩu",
         "Vốn đầu tư toàn xã hội", "Số doanh nghiệp thành lập mới", "Tỷ lệ lao động qua đào tạo",
         "Tỷ lệ xã đạt chuẩn nông thôn mới", "Tỷ lệ dân số tham gia bảo hiểm y tế"]
FIELDS = ["Kinh tế"] * 5 + ["Văn hóa - Xã hội"] * 3

# % of plan for KT01..KT08 (plan 100, so actual = % of plan). 100 = met (10 points), 90 → 9 points,
# 80 → 8, 65 → 6,5 → … below 50 → 0; 120 on KT01/KT02 (key) earns the 1-point bonus.
Y2023 = {
    "Hậu Giang": [120, 120, 100, 100, 100, 100, 100, 100],
    "Trà Vinh": [100, 100, 100, 100, 100, 100, 100, 80],
    "Bến Tre": [100, 100, 100, 100, 100, 100, 90, 90],
    "An Giang": [100, 100, 100, 100, 100, 100, 100, 0],
    "Cà Mau": [100, 100, 100, 100, 100, 0, 100, 100],
    "Đồng Tháp": [100, 100, 100, 100, 100, 0, 0, 0],  # the first submission: 50 − 2
    "Kiên Giang": [120, 120, 120, 100, 100, 100, 100, 100],
    "Bình Dương": [130, 130, 130, 130, 130, 130, 130, 130],
}
DONG_THAP_AGAIN = [100, 100, 100, 100, 100, 65, 0, 100]  # 65% → 6,5 points: 66,5 − 2
Y2022 = {
    "Bến Tre": [120, 120, 100, 100, 100, 100, 100, 100],
    "Hậu Giang": [120, 100, 100, 100, 100, 100, 100, 90],
    "Trà Vinh": [100, 100, 100, 100, 100, 100, 80, 80],
    "Cà Mau": [100, 100, 100, 100, 100, 100, 70, 70],
    "An Giang": [100, 100, 100, 100, 100, 60, 60, 60],
    "Vĩnh Long": [100, 100, 100, 100, 0, 0, 55, 55],
    "Đồng Tháp": [100, 100, 0, 0, 100, 100, 100, 100],
}
# Điểm chuẩn that differ between provinces for one code (cross-check): Cà Mau's KT08 is worth 12 in 2022.
MAX_POINTS = {("Cà Mau", 2022): {"KT08": 12}}
OTHER_CLUSTER = "Cụm thi đua các tỉnh miền Đông Nam Bộ"


def rows(pcts: list[float], *, extra: bool = False, max_points: dict[str, int] | None = None) -> list[dict[str, object]]:
    out = []
    for i, pct in enumerate(pcts):
        code = f"KT{i + 1:02d}"
        out.append(wb.criterion(code, field=FIELDS[i], name=NAMES[i], unit="%", plan=100.0, actual=float(pct),
                                previous=None, max_points=(max_points or {}).get(code, 10), key="x" if i < 2 else None,
                                monitor="", note="Chưa đạt kế hoạch do khó khăn chung." if pct < 100 else None))
    if extra:
        out.append(wb.criterion("XH09", field="Văn hóa - Xã hội", name="Tỷ lệ trường đạt chuẩn quốc gia", unit="%",
                                plan=100.0, actual=100.0, previous=None, max_points=10, key=None, monitor=""))
    return out


def cluster_of(province: str) -> str:
    if province == "Bình Dương":
        return OTHER_CLUSTER
    return "Cụm thi đua các tỉnh Tây Nam bộ" if province == "Trà Vinh" else CLUSTER  # "bộ": folding matches


def workbook(folder: Path, province: str, year: int, pcts: list[float], *, name: str | None = None,
             extra: bool = False) -> Path:
    info = wb.meta(province=province, year=year, cluster=cluster_of(province), agency="Sở Nội vụ",
                   parent_agency=f"UBND TỈNH {province.upper()}", place=province,
                   report_date=dt.date(year + 1, 1, 15), signer="Nguyễn Văn A")
    deductions = [{"content": "Gửi báo cáo 6 tháng chậm", "points": 2, "note": None}] if province == "Đồng Tháp" else None
    stem = name or f"{_slug(province)}-{year}"
    return wb.filled(folder / f"{stem}.xlsx", rows(pcts, extra=extra, max_points=MAX_POINTS.get((province, year))),
                     info, deductions)


def year_2022(folder: Path) -> list[Path]:
    return [workbook(folder, p, 2022, pcts, extra=p == "Vĩnh Long") for p, pcts in Y2022.items()]


def year_2023(folder: Path) -> list[Path]:
    return [workbook(folder, p, 2023, pcts) for p, pcts in Y2023.items()]


def _slug(province: str) -> str:
    import unicodedata

    bare = unicodedata.normalize("NFD", province.replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in bare if not unicodedata.combining(c)).lower().replace(" ", "-")


def cluster_settings(**changes: object) -> dict[str, object]:
    """The [cluster] table of the tests' config."""
    base: dict[str, object] = {
        "name": CLUSTER, "members": MEMBERS, "chair": "Hậu Giang", "doc_number": "15/BC-CTĐ",
        "report_date": "30/3/2024", "signer": "Trần Văn Chủ",
        "awards": [{"name": "Cờ thi đua của Chính phủ", "count": 1},
                   {"name": "Bằng khen của Thủ tướng Chính phủ", "count": 2}],
        "contacts": [{"province": p, "name": f"Văn phòng {p}", "email": f"{_slug(p)}@tdkt.example"}
                     for p in MEMBERS],
    }
    base.update(changes)
    return base
