"""Interim-review workbooks (six-month, quarterly) as officers fill them, written by the product's template."""

from __future__ import annotations

from pathlib import Path

from tests import workbooks as wb


def row(code: str, name: str, unit: str, plan: object, actual: object, *, kind: str = "Tăng là tốt",
        cumulative: bool = True, key: bool = False, previous: object = None, field: str = "Kinh tế",
        agency: str = "Sở Kế hoạch và Đầu tư", monitor: str = "", points: float = 20, **more: object) -> dict:
    return wb.criterion(code, field=field, name=name, unit=unit, kind=kind, plan=plan, actual=actual,
                        previous=previous, max_points=points, key="x" if key else None,
                        cumulative="x" if cumulative else None, agency=agency, monitor=monitor, **more)


def six_month_rows() -> list[dict]:
    """The issue's cases: revenue on track past the bonus line, lagging exports, traffic deaths under and
    over pace, a poverty rate (a level), GRDP growth (a rate), a pass/fail and a graded criterion."""
    return [
        row("KT01", "Tốc độ tăng trưởng GRDP", "%", 7.0, 6.8, cumulative=False, key=True, previous=6.5,
            monitor="Trần Thị Bích", points=50, data_status="Ước"),
        row("KT03", "Thu NSNN trên địa bàn", "tỷ đồng", 7000, 3900, key=True, agency="Sở Tài chính",
            monitor="Lê Văn Cường", points=50),
        row("KT04", "Kim ngạch xuất khẩu", "triệu USD", 1300, 520, key=True, agency="Sở Công Thương",
            monitor="Võ Minh Tuấn", points=40, note="Đơn hàng thủy sản giảm mạnh"),
        row("XH03", "Lao động được giải quyết việc làm", "người", 38000, 17000, field="Văn hóa - Xã hội",
            agency="Sở Lao động - Thương binh và Xã hội", monitor="Phạm Thị Dung"),
        row("XH02", "Tỷ lệ hộ nghèo", "%", 2.0, 2.1, kind="Giảm là tốt", cumulative=False,
            field="Văn hóa - Xã hội", agency="Sở Lao động - Thương binh và Xã hội", monitor="Phạm Thị Dung"),
        row("AN02", "Số người chết do tai nạn giao thông", "người", 200, 90, kind="Giảm là tốt",
            field="Quốc phòng - An ninh", agency="Công an tỉnh", monitor="Đặng Quốc Hùng"),
        row("AN03", "Số vụ tai nạn giao thông", "vụ", 300, 200, kind="Giảm là tốt", field="Quốc phòng - An ninh",
            agency="Công an tỉnh", monitor="Đặng Quốc Hùng"),
        row("AN01", "Hoàn thành chỉ tiêu tuyển quân", "", "Đạt", "Đạt", kind="Đạt/Không đạt", cumulative=False,
            previous=None, field="Quốc phòng - An ninh", agency="Bộ Chỉ huy Quân sự tỉnh"),
        row("XD01", "Xếp loại tổ chức cơ sở đảng", "", "HTTNV", "HTNV", kind="Xếp loại", cumulative=False,
            field="Xây dựng Đảng, đoàn thể", agency="Ban Tổ chức Tỉnh ủy"),
        row("KT09", "Doanh nghiệp thành lập mới", "doanh nghiệp", 700, None, agency="Sở Kế hoạch và Đầu tư"),
    ]


def interim(path: Path, period: str = "6 tháng", rows: list[dict] | None = None, year: int = 2023,
            **meta: object) -> Path:
    """A filled standard template for an interim period (`Kỳ báo cáo` typed as `period`)."""
    info = wb.meta(year=year, **meta)
    path = wb.filled(path, six_month_rows() if rows is None else rows, info)
    if period:
        from openpyxl import load_workbook

        book = load_workbook(path)
        ws = book["Thông tin"]
        for r in ws.iter_rows(min_row=2):
            if r[0].value == "Kỳ báo cáo":
                r[1].value = period
        book.save(path)
    return path
