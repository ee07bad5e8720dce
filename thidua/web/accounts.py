"""`user add`: a [[web.users]] block appended to config.toml as text (the officer's comments stay), checked first."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from thidua.base.atomic import write_text
from thidua.base.config import ROLE_PROVINCE, ROLES, Config, WebUser, build_config
from thidua.base.errors import ConfigError, UsageError
from thidua.base.passwords import MIN_LENGTH, hash_password
from thidua.base.textfold import fold


def _toml_string(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's: \\" \\\\ \\n \\uXXXX)."""
    return json.dumps(text, ensure_ascii=False)


def check_password(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise UsageError(f"Mật khẩu cần ít nhất {MIN_LENGTH} ký tự.")
    if password != password.strip() or any(ord(ch) < 32 for ch in password):
        raise UsageError("Mật khẩu không được bắt đầu hay kết thúc bằng khoảng trắng, không chứa ký tự điều khiển.")


def add_user(config_path: Path, name: str, role: str, province: str | None, password: str) -> WebUser:
    """Append the account to `config_path` (created if missing); nothing is written unless the whole file,
    account included, still loads as a valid configuration."""
    name, province = name.strip(), (province or "").strip()
    if not name or any(ord(ch) < 32 for ch in name):
        raise UsageError("Tên tài khoản không được để trống hay chứa ký tự điều khiển.")
    if role not in ROLES:
        raise UsageError("--role phải là admin hoặc province.")
    if role == ROLE_PROVINCE and not province:
        raise UsageError("Tài khoản province cần --province TỈNH (tên tỉnh như trong trang Thông tin của tệp Excel).")
    if role != ROLE_PROVINCE and province:
        raise UsageError("Chỉ tài khoản province mới có --province; tài khoản admin xem được mọi tỉnh.")
    check_password(password)
    old = config_path.read_text(encoding="utf-8") if config_path.exists() else ""
    current = _load(old, config_path)
    if any(fold(u.name) == fold(name) for u in current.web_users):
        raise UsageError(f"Đã có tài khoản \"{name}\" trong {config_path}.",
                         hint="Chọn tên khác, hoặc xóa khối [[web.users]] cũ trong tệp cấu hình rồi thêm lại.")
    lines = ["", "[[web.users]]", f"name = {_toml_string(name)}", f"role = {_toml_string(role)}"]
    if province:
        lines.append(f"province = {_toml_string(province)}")
    lines.append(f"password_hash = {_toml_string(hash_password(password))}")
    new = old + ("" if not old or old.endswith("\n") else "\n") + "\n".join(lines) + "\n"
    added = next(u for u in _load(new, config_path).web_users if fold(u.name) == fold(name))
    write_text(config_path, new)
    return added


def _load(text: str, path: Path) -> Config:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"Tệp cấu hình \"{path}\" sai cú pháp TOML: {exc}. Chưa ghi tài khoản.") from exc
    return build_config(data, path.resolve().parent, path)
