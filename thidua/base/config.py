"""Load config.toml into validated settings (the declarative table is base.settings)."""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from thidua.base.cluster_config import ClusterSettings, parse_cluster
from thidua.base.errors import ConfigError
from thidua.base.resources import bundled_templates
from thidua.base.settings import BY_KEY as _BY_KEY
from thidua.base.settings import SETTINGS, Setting, type_name
from thidua.base.tomltext import describe_encoding_error, describe_toml_error


@dataclass(frozen=True)
class Recipient:
    """A committee member from the address book."""

    name: str
    email: str
    role: str = ""
    criteria: tuple[str, ...] = ()


ROLE_ADMIN = "admin"  # sees and uploads everything
ROLE_PROVINCE = "province"  # sees and uploads only its own province's workbooks and reports
ROLES = (ROLE_ADMIN, ROLE_PROVINCE)


@dataclass(frozen=True)
class WebUser:
    """An account of the web pages ([[web.users]]); only a salted hash of the password is kept."""

    name: str
    role: str
    province: str
    password_hash: str


@dataclass
class Config:
    """Validated settings; `values` maps dotted keys to values, paths are resolved against `base_dir`."""

    values: dict[str, Any]
    base_dir: Path
    source: Path | None = None
    recipients: list[Recipient] = field(default_factory=list)
    cluster: ClusterSettings = field(default_factory=ClusterSettings)
    web_users: list[WebUser] = field(default_factory=list)

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

    def legal_basis(self, year: int, report_date: dt.date | None = None) -> list[str]:
        """The "Căn cứ…" lines in force on the report's date (1 January after the evaluation year when the
        report is undated): the latest key dated on or before it; else the evaluation year's key (the
        old form), else "mac_dinh"."""
        table = self.values["report.legal_basis"]
        when = report_date or dt.date(year + 1, 1, 1)
        dated = sorted((dt.date.fromisoformat(key), key) for key in table if "-" in key)
        in_force = [key for since, key in dated if since <= when]
        key = in_force[-1] if in_force else str(year) if str(year) in table else "mac_dinh"
        return [str(x) for x in table.get(key, [])]

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


def _check_signing(values: dict[str, Any], where: str) -> None:
    """[signing] settings that only make sense together (each key alone is checked by its Setting)."""
    if values["signing.pkcs12_path"] and values["signing.pkcs11_lib"]:
        raise ConfigError(f"{where}: [signing] chỉ chọn một cách ký: tệp khóa \"pkcs12_path\" hoặc USB token "
                          "\"pkcs11_lib\", không đặt cả hai.")
    for key in ("token_label", "key_label"):
        if values[f"signing.{key}"] and not values["signing.pkcs11_lib"]:
            raise ConfigError(f"{where}: [signing] \"{key}\" là thông tin của USB token, cần đặt cả \"pkcs11_lib\" "
                              "(thư viện PKCS#11 của token).")
    personal = values["signing.pkcs12_path"] or values["signing.pkcs11_lib"]
    if values["signing.agency_pkcs12_path"] and not personal:
        raise ConfigError(f"{where}: [signing] chữ ký số của cơ quan (\"agency_pkcs12_path\") được ký sau chữ ký "
                          "của người có thẩm quyền: cần đặt cả \"pkcs12_path\" hoặc \"pkcs11_lib\" của người ký.")


def _parse_web_users(raw: list[Any], where: str) -> list[WebUser]:
    from thidua.base.passwords import is_password_hash
    from thidua.base.program import command_name
    from thidua.base.textfold import fold

    out: list[WebUser] = []
    seen: set[str] = set()
    for i, item in enumerate(raw, start=1):
        what = f"{where}: [[web.users]] thứ {i}"
        if not isinstance(item, dict):
            raise ConfigError(f"{what} phải là một bảng (name, role, province, password_hash).")
        unknown = set(item) - {"name", "role", "province", "password_hash"}
        if unknown:
            raise ConfigError(f"{what} có khóa không biết: " + ", ".join(sorted(unknown)) + ".")
        name, role, province = item.get("name", ""), item.get("role", ""), item.get("province", "")
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(f"{what} thiếu \"name\".")
        what += f" ({name.strip()})"
        if role not in ROLES:
            raise ConfigError(f"{what}: \"role\" phải là \"admin\" hoặc \"province\", nhận được {role!r}.")
        if not isinstance(province, str) or (role == ROLE_PROVINCE and not province.strip()):
            raise ConfigError(f"{what}: tài khoản province cần \"province\" (tên tỉnh như trong tệp Excel).")
        if not is_password_hash(item.get("password_hash")):
            raise ConfigError(f"{what}: \"password_hash\" không hợp lệ.",
                              hint=f"Tạo tài khoản bằng lệnh: {command_name()} user add TÊN --role {role}")
        if fold(name) in seen:
            raise ConfigError(f"{what}: tên tài khoản bị trùng.")
        seen.add(fold(name))
        out.append(WebUser(name.strip(), role, province.strip() if role == ROLE_PROVINCE else "",
                           str(item["password_hash"])))
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
            raise ConfigError(f"{where}: \"{key}\" phải là {type_name(setting.type)}, "
                              f"nhận được {value!r}.")
        if isinstance(value, float) and not math.isfinite(value):  # TOML allows nan and inf
            raise ConfigError(f"{where}: \"{key}\" phải là một số hữu hạn, nhận được {value!r}.")
        if setting.check is not None:
            complaint = setting.check(value)
            if complaint:
                raise ConfigError(f"{where}: \"{key}\" = {value!r} {complaint}.")
        values[key] = value
    _check_signing(values, where)
    recipients = _parse_recipients(values["email.recipients"], where)
    users = _parse_web_users(values["web.users"], where) if values["web.users"] else []
    return Config(values=values, base_dir=base_dir, source=source, recipients=recipients,
                  cluster=parse_cluster(values, where), web_users=users)


def load_config(path: Path | None = None) -> Config:
    """Read config.toml (default ./config.toml); a missing default file means all defaults."""
    explicit = path is not None
    path = Path(path) if path is not None else Path("config.toml")
    if not path.exists():
        if explicit:
            raise ConfigError(f"Không tìm thấy tệp cấu hình \"{path}\".",
                              hint="Kiểm tra đường dẫn sau --config.")
        return build_config({}, Path.cwd())
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"Tệp cấu hình \"{path}\" {describe_encoding_error(exc.start, raw)}.") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"Tệp cấu hình \"{path}\" sai cú pháp TOML {describe_toml_error(str(exc), text)}.",
                          hint="Sửa dòng đó trong tệp cấu hình (các dòng mẫu trong config.toml có chú thích).") from exc
    return build_config(data, path.resolve().parent, path)


def scoring_settings(config: Config) -> dict[str, Any]:
    """The effective [scoring] section as a plain dict (also attached to the PDF)."""
    return config.section("scoring")


def interim_settings(config: Config) -> dict[str, Any]:
    """The effective [interim] section (six-month, nine-month and quarterly reviews) as a plain dict."""
    return config.section("interim")
