"""Every setting of config.toml in one declarative table: type, default, Vietnamese help and check.

The table serves the defaults, the validation in `config` and the README's settings reference at once.
"""

from __future__ import annotations

import datetime as dt
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


_DAY = re.compile(r"\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*")


def parse_day(text: str) -> dt.date | None:
    """"30/3/2023" → date(2023, 3, 30); None for blank or anything else."""
    match = _DAY.fullmatch(text or "")
    if not match:
        return None
    try:
        return dt.date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:
        return None


def _day(value: Any) -> str | None:
    if value == "" or parse_day(value) is not None:
        return None
    return "phải là một ngày dạng ngày/tháng/năm, ví dụ 30/3/2023"


def _http_url(value: Any) -> str | None:
    if value == "" or re.fullmatch(r"https?://[^\s]+", value):
        return None
    return "phải là địa chỉ http:// hoặc https:// của máy chủ dấu thời gian (RFC 3161), hoặc để trống"


def _png_path(value: Any) -> str | None:
    return None if value == "" or value.lower().endswith(".png") else "phải là đường dẫn một ảnh .png (nền trong suốt)"


def _pem_paths(value: Any) -> str | None:
    if all(isinstance(v, str) and v.strip() for v in value):
        return None
    return "phải là danh sách đường dẫn tệp chứng thư CA (PEM), ví dụ [\"ca-goc.pem\"]"


_LEGAL_KEY = re.compile(r"\d{4}-\d{2}-\d{2}|\d{4}|mac_dinh")


def _legal_basis(value: Any) -> str | None:
    """Keys are dates in force ("2024-01-01"), evaluation years ("2022", the old form) or "mac_dinh";
    each value is a list of lines."""
    for key, lines in value.items():
        if not _LEGAL_KEY.fullmatch(key):
            return (f"có khóa \"{key}\" không hợp lệ: khóa phải là ngày có hiệu lực (\"2024-01-01\"), "
                    "năm đánh giá (\"2022\") hoặc \"mac_dinh\"")
        if "-" in key:
            try:
                dt.date.fromisoformat(key)
            except ValueError:
                return f"có khóa \"{key}\" không phải là ngày có thật (năm-tháng-ngày)"
        if not isinstance(lines, list) or not all(isinstance(line, str) for line in lines):
            return f"ở khóa \"{key}\" phải là danh sách các dòng chữ, ví dụ [\"Căn cứ …;\"]"
    return None


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
    # [interim]: six-month, nine-month and quarterly reviews (docs/scoring.md)
    Setting("interim.share_h1", (int, float), 50.0,
            "Sơ kết 6 tháng: phần kế hoạch năm (%) tiêu chí lũy kế cần đạt đến hết kỳ.", _range(1, 100)),
    Setting("interim.share_9m", (int, float), 75.0,
            "Sơ kết 9 tháng: phần kế hoạch năm (%) tiêu chí lũy kế cần đạt đến hết kỳ.", _range(1, 100)),
    Setting("interim.share_q1", (int, float), 25.0,
            "Sơ kết quý I: phần kế hoạch năm (%) tiêu chí lũy kế cần đạt đến hết kỳ.", _range(1, 100)),
    Setting("interim.share_q2", (int, float), 50.0,
            "Sơ kết quý II (lũy kế 6 tháng): phần kế hoạch năm (%) cần đạt đến hết kỳ.", _range(1, 100)),
    Setting("interim.share_q3", (int, float), 75.0,
            "Sơ kết quý III (lũy kế 9 tháng): phần kế hoạch năm (%) cần đạt đến hết kỳ.", _range(1, 100)),
    Setting("interim.use_last_year", bool, True,
            "true: khi có số cùng kỳ năm trước và sổ theo dõi có kết quả cả năm trước của tỉnh, phần cần đạt "
            "là tỷ lệ cùng kỳ năm trước so với cả năm trước (tính mùa vụ); false: luôn dùng share_*."),
    Setting("interim.risk_margin_pct", (int, float), 90.0,
            "Dự kiến cả năm dưới kế hoạch nhưng từ tỷ lệ này (% kế hoạch) trở lên: Chậm tiến độ; thấp hơn: "
            "Có nguy cơ không đạt.", _range(0, 100)),
    # [report]
    Setting("report.pdf_variant", str, "pdf/a-3b",
            "Chuẩn PDF: pdf/a-3b (lưu trữ, đính kèm tệp nguồn) hoặc rỗng.", _choice("pdf/a-3b", "")),
    Setting("report.annex_max_rows", int, 300,
            "Phụ lục chi tiết liệt kê tối đa chừng này tiêu chí; nhiều hơn thì tóm tắt theo lĩnh vực.",
            _range(1, 100000)),
    Setting("report.legal_basis", dict, {},
            "Các dòng \"Căn cứ…\" chọn theo ngày báo cáo: khóa là ngày văn bản có hiệu lực (\"2024-01-01\": "
            "dùng cho báo cáo ký từ ngày đó); khóa kiểu cũ năm đánh giá (\"2022\") và \"mac_dinh\" vẫn dùng được.",
            _legal_basis),
    Setting("report.unit_kind", str, "tỉnh",
            "Loại đơn vị viết trước tên ở mục Tỉnh/Đơn vị: \"tỉnh\" (tỉnh Hậu Giang) hoặc \"thành phố\" "
            "(thành phố Cần Thơ); rỗng: chỉ viết tên. Tên đã ghi kèm (\"Thành phố Cần Thơ\") thì giữ nguyên."),
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
    # [cluster]: the cluster report and the ranking (checked together in base.cluster_config)
    Setting("cluster.name", str, "", "Tên Cụm thi đua, so với mục \"Cụm thi đua\" của từng tệp (không phân biệt hoa "
            "thường, cách gõ dấu)."),
    Setting("cluster.members", list, [], "Các tỉnh thành viên của Cụm (danh sách tên tỉnh); trống: các tỉnh có tệp ghi "
            "đúng tên Cụm."),
    Setting("cluster.chair", str, "", "Tỉnh Cụm trưởng năm nay (một trong members)."),
    Setting("cluster.parent_agency", str, "", "Dòng trên của đầu văn bản báo cáo Cụm; trống: UBND tỉnh Cụm trưởng."),
    Setting("cluster.agency", str, "", "Cơ quan ban hành báo cáo Cụm; trống: tên Cụm."),
    Setting("cluster.doc_number", str, "", "Số, ký hiệu báo cáo Cụm (ví dụ 15/BC-CTĐ)."),
    Setting("cluster.place", str, "", "Địa danh ở dòng ngày tháng; trống: tỉnh Cụm trưởng."),
    Setting("cluster.report_date", str, "", "Ngày ký báo cáo Cụm (ngày/tháng/năm, ví dụ 30/3/2023); trống: để "
            "trống ngày.", _day),
    Setting("cluster.signing_authority", str, "TM. CỤM THI ĐUA", "Thẩm quyền ký báo cáo Cụm."),
    Setting("cluster.signer_title", str, "CỤM TRƯỞNG", "Chức vụ người ký báo cáo Cụm."),
    Setting("cluster.signer", str, "", "Họ và tên người ký báo cáo Cụm."),
    Setting("cluster.recipients", list, [], "Nơi nhận của báo cáo Cụm, mỗi mục một chuỗi; trống: Ban Thi đua - Khen "
            "thưởng Trung ương, UBND các tỉnh thành viên Cụm, Lưu: VT (sửa trong templates/cluster/report.html.j2)."),
    Setting("cluster.awards", list, [], "Danh sách [[cluster.awards]]: name, count; đề nghị khen thưởng theo thứ hạng."),
    Setting("cluster.tie_breakers", list, ["met", "key_bonus", "deductions"],
            "Thứ tự xét khi bằng tổng điểm: met (nhiều tiêu chí đạt và vượt hơn), key_bonus (nhiều tiêu chí trọng "
            "tâm được điểm thưởng hơn), deductions (ít điểm trừ hơn)."),
    Setting("cluster.contacts", list, [], "Danh sách [[cluster.contacts]]: province, name, email; người nhận báo cáo "
            "Cụm của từng tỉnh."),
    Setting("cluster.auto", bool, True, "Khi có members: chế độ hàng loạt và theo dõi tự làm lại báo cáo Cụm của năm "
            "có kết quả thay đổi."),
    # [signing] (docs/ky-so.md)
    Setting("signing.pkcs12_path", str, "",
            "Tệp khóa ký số PKCS#12 (.p12, .pfx) của người ký; rỗng: không ký bằng tệp."),
    Setting("signing.password_env", str, "THIDUA_SIGNING_PASSWORD",
            "TÊN biến môi trường chứa mật khẩu tệp .p12 (không ghi mật khẩu vào tệp này).", _env_name),
    Setting("signing.pkcs11_lib", str, "",
            "Thư viện PKCS#11 của USB token ký số (.so, .dll); rỗng: không dùng token."),
    Setting("signing.token_label", str, "", "Nhãn (label) của USB token; rỗng: token duy nhất đang cắm."),
    Setting("signing.key_label", str, "", "Nhãn khóa ký trên token; rỗng: khóa duy nhất trên token."),
    Setting("signing.pin_env", str, "THIDUA_TOKEN_PIN",
            "TÊN biến môi trường chứa mã PIN của token (không ghi mã PIN vào tệp này).", _env_name),
    Setting("signing.tsa_url", str, "",
            "Máy chủ dấu thời gian (RFC 3161): có thì ký PAdES B-T, rỗng thì PAdES B-B.", _http_url),
    Setting("signing.signature_image", str, "",
            "Ảnh chữ ký của người ký (PNG nền trong suốt) trong ô chữ ký số; rỗng: chỉ hiện chữ.", _png_path),
    Setting("signing.agency_pkcs12_path", str, "",
            "Tệp PKCS#12 chữ ký số của cơ quan (ký sau người ký); rỗng: không ký số cơ quan."),
    Setting("signing.agency_password_env", str, "THIDUA_AGENCY_PASSWORD",
            "TÊN biến môi trường chứa mật khẩu tệp .p12 của cơ quan.", _env_name),
    Setting("signing.agency_image", str, "",
            "Ảnh con dấu (PNG nền trong suốt), trùm khoảng 1/3 chữ ký bên trái; rỗng: chữ ký cơ quan không hiện hình.",
            _png_path),
    Setting("signing.prepare_field", bool, True,
            "Khi không ký: đặt sẵn ô chữ ký số trống tại chỗ ký để ký bằng phần mềm ký số của người ký."),
    Setting("signing.trust_roots", list, [],
            "Các tệp chứng thư CA gốc (PEM) được tin cậy khi kiểm tra chữ ký (lệnh verify).", _pem_paths),
    # [web]
    Setting("web.host", str, "127.0.0.1",
            "Địa chỉ trang web (lệnh serve); khác 127.0.0.1 thì phải có tài khoản [[web.users]]."),
    Setting("web.port", int, 8080, "Cổng của trang web.", _range(0, 65535)),
    Setting("web.max_upload_mb", int, 20, "Tệp tải lên lớn hơn chừng này MB bị từ chối.", _range(1, 200)),
    Setting("web.threads", int, 16, "Số yêu cầu trang web được phục vụ cùng lúc (một nửa được chờ kết quả xử lý).",
            _range(2, 64)),
    Setting("web.users", list, [],
            "Danh sách [[web.users]]: name, role (admin hoặc province), province, password_hash "
            "(thêm bằng lệnh user add)."),
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
            shown = "`[" + ", ".join(f'"{x}"' for x in default) + "]`" if default and isinstance(default, list) else "(trống)"
        lines.append(f"| `{s.key}` | {type_name(s.type)} | {shown} | {s.help} |")
    return "\n".join(lines) + "\n"
