"""Load config.toml into validated settings; one declarative table serves defaults, checks and docs."""

from __future__ import annotations

import math
import os
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from thidua.base.errors import ConfigError
from thidua.base.resources import bundled_templates

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

_BY_KEY = {s.key: s for s in SETTINGS}


@dataclass(frozen=True)
class Recipient:
    """A committee member from the address book."""

    name: str
    email: str
    role: str = ""
    criteria: tuple[str, ...] = ()




@dataclass
class Config:
    """Validated settings; `values` maps dotted keys to values, paths are resolved against `base_dir`."""

    values: dict[str, Any]
    base_dir: Path
    source: Path | None = None
    recipients: list[Recipient] = field(default_factory=list)

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def section(self, name: str) -> dict[str, Any]:
        prefix = name + "."
        return {k[len(prefix):]: v for k, v in self.values.items() if k.startswith(prefix)}

    def path(self, key: str) -> Path:
        p = Path(self.values[key])
        return p if p.is_absolute() else self.base_dir / p

    @property
    def input_dir(self) -> Path:
        return self.path("paths.input_dir")

    @property
    def output_dir(self) -> Path:
        return self.path("paths.output_dir")

    @property
    def templates_dir(self) -> Path:
        """The configured templates; when left at the default and absent (thidua started from another
        folder without a config.toml), the templates bundled with thidua."""
        configured = self.path("paths.templates_dir")
        if self.values["paths.templates_dir"] == _BY_KEY["paths.templates_dir"].default and not configured.is_dir():
            return bundled_templates()
        return configured

    def legal_basis(self, year: int) -> list[str]:
        table = self.values["report.legal_basis"]
        lines = table.get(str(year), table.get("mac_dinh", []))
        return [str(x) for x in lines]

    def smtp_password(self) -> str:
        name = self.values["email.password_env"]
        return os.environ.get(name, "") if name else ""


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict) and dotted not in _BY_KEY:
            flat.update(_flatten(value, dotted + "."))
        else:
            flat[dotted] = value
    return flat


def _type_name(t: type | tuple[type, ...]) -> str:
    names = {int: "số nguyên", float: "số", str: "chuỗi", bool: "true/false", list: "danh sách",
             dict: "bảng"}
    ts = t if isinstance(t, tuple) else (t,)
    return " hoặc ".join(dict.fromkeys(names.get(x, x.__name__) for x in ts))


def _check_type(setting: Setting, value: Any) -> bool:
    types = setting.type if isinstance(setting.type, tuple) else (setting.type,)
    if isinstance(value, bool) and bool not in types:
        return False
    return isinstance(value, types)


def _parse_recipients(raw: list[Any], where: str) -> list[Recipient]:
    out: list[Recipient] = []
    for i, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            raise ConfigError(f"{where}: [[email.recipients]] thứ {i} phải là một bảng (name, email, …).")
        name, email = item.get("name", ""), item.get("email", "")
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(f"{where}: [[email.recipients]] thứ {i} thiếu \"name\".")
        if not isinstance(email, str) or not re.fullmatch(r"[^@\s<>,;\"]+@[^@\s<>,;\"]+", email):
            raise ConfigError(f"{where}: [[email.recipients]] thứ {i} ({name}) có địa chỉ email không hợp lệ: "
                              f"\"{email}\".")
        codes = item.get("criteria", [])
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            raise ConfigError(f"{where}: [[email.recipients]] thứ {i} ({name}): \"criteria\" phải là danh sách "
                              "mã tiêu chí, ví dụ [\"KT01\", \"KT03\"].")
        unknown = set(item) - {"name", "email", "role", "criteria"}
        if unknown:
            raise ConfigError(f"{where}: [[email.recipients]] thứ {i} có khóa không biết: "
                              + ", ".join(sorted(unknown)) + ".")
        out.append(Recipient(name.strip(), email.strip(), str(item.get("role", "")).strip(),
                             tuple(c.strip() for c in codes)))
    return out


def build_config(data: dict[str, Any], base_dir: Path, source: Path | None = None) -> Config:
    """Validate a parsed TOML mapping; unknown keys and wrong types are ConfigErrors."""
    where = str(source) if source else "config.toml"
    flat = _flatten(data)
    values = {s.key: s.default for s in SETTINGS}
    for key, value in flat.items():
        setting = _BY_KEY.get(key)
        if setting is None:
            raise ConfigError(f"{where}: khóa không biết \"{key}\".",
                              hint="Xem bảng cấu hình trong README.md.")
        if isinstance(value, int) and not isinstance(value, bool) and float in (
            setting.type if isinstance(setting.type, tuple) else (setting.type,)
        ):
            value = float(value)
        if not _check_type(setting, value):
            raise ConfigError(f"{where}: \"{key}\" phải là {_type_name(setting.type)}, "
                              f"nhận được {value!r}.")
        if isinstance(value, float) and not math.isfinite(value):  # TOML allows nan and inf
            raise ConfigError(f"{where}: \"{key}\" phải là một số hữu hạn, nhận được {value!r}.")
        if setting.check is not None:
            complaint = setting.check(value)
            if complaint:
                raise ConfigError(f"{where}: \"{key}\" = {value!r} {complaint}.")
        values[key] = value
    recipients = _parse_recipients(values["email.recipients"], where)
    return Config(values=values, base_dir=base_dir, source=source, recipients=recipients)


def load_config(path: Path | None = None) -> Config:
    """Read config.toml (default ./config.toml); a missing default file means all defaults."""
    explicit = path is not None
    path = Path(path) if path is not None else Path("config.toml")
    if not path.exists():
        if explicit:
            raise ConfigError(f"Không tìm thấy tệp cấu hình \"{path}\".",
                              hint="Kiểm tra đường dẫn sau --config.")
        return build_config({}, Path.cwd())
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Tệp cấu hình \"{path}\" sai cú pháp TOML: {exc}.") from exc
    return build_config(data, path.resolve().parent, path)


def scoring_settings(config: Config) -> dict[str, Any]:
    """The effective [scoring] section as a plain dict (also attached to the PDF)."""
    return config.section("scoring")


def markdown_reference() -> str:
    """The settings table for README.md (a test keeps the README in step with SETTINGS)."""
    lines = ["| Khóa | Kiểu | Mặc định | Ý nghĩa |", "|---|---|---|---|"]
    for s in SETTINGS:
        default = s.default
        shown = ("`true`" if default else "`false`") if isinstance(default, bool) else (
            f"`\"{default}\"`" if isinstance(default, str) else f"`{default}`")
        if isinstance(default, (list, dict)):
            shown = "(trống)"
        lines.append(f"| `{s.key}` | {_type_name(s.type)} | {shown} | {s.help} |")
    return "\n".join(lines) + "\n"
