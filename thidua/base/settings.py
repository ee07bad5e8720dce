"""Every setting of config.toml in one declarative table: type, default, Vietnamese help and check.

The table serves the defaults, the validation in `config` and the README's settings reference at once.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Check = Callable[[Any], str | None]  # returns a Vietnamese complaint, or None when fine


def _range(lo: float | None = None, hi: float | None = None) -> Check:
    def check(value: Any) -> str | None:
        if lo is not None and value < lo:
            return f"phải lớn hơn hoặc bằng {lo}"
        if hi is not None and value > hi:
            return f"phải nhỏ hơn hoặc bằng {hi}"
        return None

    return check


def _choice(*allowed: str) -> Check:
    def check(value: Any) -> str | None:
        shown = [a if a else '"" (để trống)' for a in allowed]
        return None if value in allowed else "phải là một trong: " + ", ".join(shown)

    return check


def _env_name(value: Any) -> str | None:
    if value == "" or re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", value):
        return None
    return "phải là TÊN một biến môi trường (ví dụ THIDUA_SMTP_PASSWORD), không phải mật khẩu"


@dataclass(frozen=True)
class Setting:
    """One documented setting: dotted key, type, default, Vietnamese help, optional check."""

    key: str
    type: type | tuple[type, ...]
    default: Any
    help: str
    check: Check | None = None


SETTINGS: tuple[Setting, ...] = (
    # [paths]
    Setting("paths.input_dir", str, "input", "Thư mục nhận tệp Excel (thả tệp vào đây)."),
    Setting("paths.output_dir", str, "output", "Thư mục ghi báo cáo PDF và các tệp kết quả."),
    Setting("paths.templates_dir", str, "templates", "Thư mục mẫu báo cáo (Jinja2, CSS, phông chữ)."),
    # [scoring]
    Setting("scoring.floor_pct", (int, float), 50.0,
            "Dưới tỷ lệ này (% so kế hoạch) tiêu chí không được điểm.", _range(0, 100)),
    Setting("scoring.proportional", bool, True,
            "Dưới 100% kế hoạch (và từ mức sàn trở lên) được điểm theo tỷ lệ; false: không được điểm."),
    Setting("scoring.bonus_line_pct", (int, float), 110.0,
            "Tiêu chí trọng tâm vượt QUÁ tỷ lệ này (% so kế hoạch) được điểm thưởng.", _range(100, 1000)),
    Setting("scoring.bonus_share_pct", (int, float), 10.0,
            "Điểm thưởng bằng tỷ lệ này (%) của điểm chuẩn tiêu chí.", _range(0, 100)),
    Setting("scoring.grade_share_htxs", (int, float), 100.0,
            "Tỷ lệ điểm (%) khi xếp loại Hoàn thành xuất sắc nhiệm vụ.", _range(0, 100)),
    Setting("scoring.grade_share_htt", (int, float), 80.0,
            "Tỷ lệ điểm (%) khi xếp loại Hoàn thành tốt nhiệm vụ.", _range(0, 100)),
    Setting("scoring.grade_share_ht", (int, float), 50.0,
            "Tỷ lệ điểm (%) khi xếp loại Hoàn thành nhiệm vụ.", _range(0, 100)),
    Setting("scoring.grade_share_khtnv", (int, float), 0.0,
            "Tỷ lệ điểm (%) khi xếp loại Không hoàn thành nhiệm vụ.", _range(0, 100)),
    Setting("scoring.points_precision", int, 2, "Số chữ số thập phân của điểm.", _range(0, 4)),
    # [report]
    Setting("report.pdf_variant", str, "pdf/a-3b",
            "Chuẩn PDF: pdf/a-3b (lưu trữ, đính kèm tệp nguồn) hoặc rỗng.", _choice("pdf/a-3b", "")),
    Setting("report.annex_max_rows", int, 300,
            "Phụ lục chi tiết liệt kê tối đa chừng này tiêu chí; nhiều hơn thì tóm tắt theo lĩnh vực.",
            _range(1, 100000)),
    Setting("report.legal_basis", dict, {},
            "Các dòng \"Căn cứ…\" theo năm: khóa là năm (\"2022\") hoặc \"mac_dinh\"."),
    # [inbox]
    Setting("inbox.done_dir", str, "da-xu-ly", "Thư mục con của input cho tệp đã xử lý xong."),
    Setting("inbox.failed_dir", str, "loi", "Thư mục con của input cho tệp bị lỗi."),
    Setting("inbox.workers", int, 0, "Số tiến trình xử lý song song (0 = số nhân CPU).", _range(0, 64)),
    Setting("inbox.stable_seconds", (int, float), 0.5,
            "Chế độ theo dõi: tệp phải đứng yên chừng này giây mới được xử lý.", _range(0, 60)),
    # [ledger]
    Setting("ledger.path", str, "output/thidua.sqlite3", "Tệp SQLite lưu lịch sử xử lý và gửi thư."),
    Setting("ledger.lock_timeout", (int, float), 120.0,
            "Khi sổ theo dõi đang bị tiến trình khác khóa: chờ tối đa chừng này giây (chờ giãn dần), quá thì "
            "trả tệp về input/ để xử lý lần sau (chế độ theo dõi: thử lại sau).", _range(1, 3600)),
    # [email]
    Setting("email.enabled", bool, False, "true: gửi thư thật sau khi tạo báo cáo; false: chỉ ghi tệp .eml."),
    Setting("email.host", str, "localhost", "Máy chủ SMTP."),
    Setting("email.port", int, 587, "Cổng SMTP.", _range(1, 65535)),
    Setting("email.security", str, "starttls", "Bảo mật kết nối: starttls, ssl hoặc none.",
            _choice("starttls", "ssl", "none")),
    Setting("email.username", str, "", "Tên đăng nhập SMTP (rỗng: không đăng nhập)."),
    Setting("email.password_env", str, "THIDUA_SMTP_PASSWORD",
            "TÊN biến môi trường chứa mật khẩu SMTP (không ghi mật khẩu vào tệp này).", _env_name),
    Setting("email.sender", str, "thidua@localhost", "Địa chỉ người gửi (From)."),
    Setting("email.reply_to", str, "", "Địa chỉ nhận trả lời (Reply-To), có thể rỗng."),
    Setting("email.timeout", (int, float), 30.0, "Thời gian chờ máy chủ SMTP (giây).", _range(1, 600)),
    Setting("email.retries", int, 3, "Số lần thử lại khi gửi thất bại.", _range(0, 20)),
    Setting("email.retry_backoff", (int, float), 2.0, "Thời gian chờ giữa các lần thử (giây, tăng dần).",
            _range(0, 600)),
    Setting("email.ca_file", str, "",
            "Tệp chứng chỉ CA (PEM) để xác minh máy chủ SMTP; rỗng: dùng kho chứng chỉ của hệ thống."),
    Setting("email.outbox_dir", str, "output/thu-di", "Thư mục ghi thư (.eml) khi không gửi thật."),
    Setting("email.recipients", list, [],
            "Danh sách [[email.recipients]]: name, email, role, criteria (mã tiêu chí theo dõi)."),
)

BY_KEY = {s.key: s for s in SETTINGS}


def type_name(t: type | tuple[type, ...]) -> str:
    names = {int: "số nguyên", float: "số", str: "chuỗi", bool: "true/false", list: "danh sách",
             dict: "bảng"}
    ts = t if isinstance(t, tuple) else (t,)
    return " hoặc ".join(dict.fromkeys(names.get(x, x.__name__) for x in ts))



def markdown_reference() -> str:
    """The settings table for README.md (a test keeps the README in step with SETTINGS)."""
    lines = ["| Khóa | Kiểu | Mặc định | Ý nghĩa |", "|---|---|---|---|"]
    for s in SETTINGS:
        default = s.default
        shown = ("`true`" if default else "`false`") if isinstance(default, bool) else (
            f"`\"{default}\"`" if isinstance(default, str) else f"`{default}`")
        if isinstance(default, (list, dict)):
            shown = "(trống)"
        lines.append(f"| `{s.key}` | {type_name(s.type)} | {shown} | {s.help} |")
    return "\n".join(lines) + "\n"
