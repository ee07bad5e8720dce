"""Accounts: `user add` appends a checked [[web.users]] block, the config validates it, `serve` refuses exposure."""

import io
import sys
import tomllib

import pytest

from thidua.base.config import build_config, load_config
from thidua.base.errors import ConfigError
from thidua.base.passwords import hash_password, is_password_hash, verify_password
from thidua.cli.main import main
from thidua.web.server import check_exposure, is_loopback

COMMENTED = "# Cấu hình của Sở Nội vụ — giữ nguyên ghi chú này\n[scoring]\n# sàn điểm\nfloor_pct = 40\n"


def run(argv, stdin_text, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin_text))
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_user_add_appends_a_salted_hash_and_keeps_the_comments(tmp_path, monkeypatch):
    cfg = tmp_path / "config.toml"
    cfg.write_text(COMMENTED, encoding="utf-8")
    code, out, err = run(["--config", str(cfg), "user", "add", "dongthap", "--role", "province",
                          "--province", "Đồng Tháp"], "mật khẩu dài\n", monkeypatch)
    assert code == 0, err
    assert "Đã thêm tài khoản dongthap (province, tỉnh Đồng Tháp)" in out
    text = cfg.read_text(encoding="utf-8")
    assert text.startswith(COMMENTED) and "mật khẩu dài" not in text
    [user] = load_config(cfg).web_users
    assert (user.name, user.role, user.province) == ("dongthap", "province", "Đồng Tháp")
    assert verify_password("mật khẩu dài", user.password_hash) and not verify_password("mật khẩu sai", user.password_hash)
    code, _, _ = run(["--config", str(cfg), "user", "add", "quantri", "--role", "admin"], "mat-khau-2\n", monkeypatch)
    assert code == 0 and [u.name for u in load_config(cfg).web_users] == ["dongthap", "quantri"]
    hashes = [u["password_hash"] for u in tomllib.loads(cfg.read_text(encoding="utf-8"))["web"]["users"]]
    assert len(set(h.split("$")[4] for h in hashes)) == 2  # a salt of its own each


@pytest.mark.parametrize(("argv", "stdin", "message"), [
    (["user", "add", "x", "--role", "province"], "mat-khau-dai\n", "cần --province"),
    (["user", "add", "x", "--role", "admin", "--province", "An Giang"], "mat-khau-dai\n", "Chỉ tài khoản province"),
    (["user", "add", "x", "--role", "admin"], "ngan\n", "ít nhất 8 ký tự"),
    (["user", "add", "x", "--role", "admin"], "", "Không đọc được mật khẩu"),
    (["user", "add", "x", "--role", "khach"], "mat-khau-dai\n", "không có lựa chọn"),
    (["user", "add", "x", "--role", "admin", "--password", "p"], "mat-khau-dai\n", "--password"),
])
def test_user_add_refuses_and_leaves_the_file_alone(tmp_path, monkeypatch, argv, stdin, message):
    cfg = tmp_path / "config.toml"
    cfg.write_text(COMMENTED, encoding="utf-8")
    code, _, err = run(["--config", str(cfg), *argv], stdin, monkeypatch)
    assert code == 2 and message in err
    assert cfg.read_text(encoding="utf-8") == COMMENTED


def test_a_second_account_of_the_same_name_and_a_file_that_would_break_are_refused(tmp_path, monkeypatch):
    cfg = tmp_path / "config.toml"
    cfg.write_text(COMMENTED, encoding="utf-8")
    assert run(["--config", str(cfg), "user", "add", "An", "--role", "admin"], "mat-khau-dai\n", monkeypatch)[0] == 0
    before = cfg.read_text(encoding="utf-8")
    code, _, err = run(["--config", str(cfg), "user", "add", " an ", "--role", "admin"], "mat-khau-dai\n", monkeypatch)
    assert code == 2 and 'Đã có tài khoản "an"' in err and cfg.read_text(encoding="utf-8") == before
    inline = tmp_path / "inline.toml"
    inline.write_text("[web]\nusers = []\n", encoding="utf-8")
    code, _, err = run(["--config", str(inline), "user", "add", "b", "--role", "admin"], "mat-khau-dai\n", monkeypatch)
    assert code == 2 and "Chưa ghi tài khoản" in err and inline.read_text(encoding="utf-8") == "[web]\nusers = []\n"


def test_web_users_are_validated_in_vietnamese(tmp_path):
    good = hash_password("mat-khau-dai")
    assert is_password_hash(good) and not is_password_hash("mat-khau-dai")
    cases = [
        ({"name": "a", "role": "khach", "password_hash": good}, '"role" phải là "admin" hoặc "province"'),
        ({"name": "a", "role": "province", "password_hash": good}, "cần \"province\""),
        ({"name": "a", "role": "admin", "password_hash": "123"}, '"password_hash" không hợp lệ'),
        ({"name": "a", "role": "admin", "password_hash": good, "password": "x"}, "khóa không biết: password"),
        ({"role": "admin", "password_hash": good}, 'thiếu "name"'),
    ]
    for user, message in cases:
        with pytest.raises(ConfigError) as caught:
            build_config({"web": {"users": [user]}}, tmp_path)
        assert message in caught.value.message
    with pytest.raises(ConfigError, match="trùng"):
        build_config({"web": {"users": [{"name": "A", "role": "admin", "password_hash": good}] * 2}}, tmp_path)


def test_serving_beyond_this_machine_needs_accounts(tmp_path):
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1") and is_loopback("127.0.0.2")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.10") and not is_loopback("thidua.local")
    config = build_config({}, tmp_path)
    check_exposure(config, "127.0.0.1")
    with pytest.raises(ConfigError, match="khi chưa có tài khoản nào"):
        check_exposure(config, "0.0.0.0")
    out, err = io.StringIO(), io.StringIO()
    cfg = tmp_path / "config.toml"
    cfg.write_text("", encoding="utf-8")
    assert main(["--config", str(cfg), "serve", "--host", "0.0.0.0", "--port", "0"], stdout=out, stderr=err) == 2
    assert "Không mở trang web trên địa chỉ 0.0.0.0 khi chưa có tài khoản nào" in err.getvalue()
    assert "user add" in err.getvalue()
    users = {"web": {"users": [{"name": "a", "role": "admin", "password_hash": hash_password("mat-khau-dai")}]}}
    check_exposure(build_config(users, tmp_path), "0.0.0.0")


def _on_a_terminal(cfg, answers, name="nguoi-dung"):
    """`user add` in a real pseudo-terminal: each answer typed after its prompt; what it shows, its exit code."""
    import os
    import pty
    import select
    import signal
    import time

    from tests.conftest import ROOT

    pid, fd = pty.fork()
    if pid == 0:  # the child: the command, with the terminal as its controlling tty
        os.execv(sys.executable, [sys.executable, str(ROOT / "generate_report.py"), "--config", str(cfg),
                                  "user", "add", name, "--role", "admin"])
    deadline = time.monotonic() + 60

    def read() -> bytes:
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            os.kill(pid, signal.SIGKILL)
            raise AssertionError("user add is waiting: " + shown.decode("utf-8", "replace"))
        try:
            return os.read(fd, 1024)
        except OSError:  # EIO: the command has ended and closed its side
            return b""

    shown = b""
    for i, answer in enumerate(answers):
        prompt = ("Mật khẩu: " if i == 0 else "Nhập lại mật khẩu: ").encode()
        while shown.count(prompt) < 1 or (i == 0 and b"Nh" in shown.split(prompt)[-1]):
            chunk = read()
            if not chunk:
                break
            shown += chunk
        os.write(fd, answer.encode() + b"\n")
    while chunk := read():
        shown += chunk
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), shown.decode("utf-8", "replace")


def test_on_a_terminal_the_password_is_asked_twice_and_never_shown(tmp_path):
    cfg = tmp_path / "config.toml"
    cfg.write_text(COMMENTED, encoding="utf-8")
    code, shown = _on_a_terminal(cfg, ["mat-khau-rat-dai", "mat-khau-rat-dai"])
    assert code == 0, shown
    assert "Mật khẩu:" in shown and "Nhập lại mật khẩu:" in shown and "mat-khau-rat-dai" not in shown
    assert verify_password("mat-khau-rat-dai", load_config(cfg).web_users[0].password_hash)
    code, shown = _on_a_terminal(cfg, ["mat-khau-mot", "mat-khau-hai"], name="nguoi-khac")
    assert code == 2 and "không khớp" in shown and len(load_config(cfg).web_users) == 1
    code, shown = _on_a_terminal(cfg, [], name="Nguoi-Dung")  # a taken name is refused before any prompt
    assert code == 2 and 'Đã có tài khoản "Nguoi-Dung"' in shown and "Mật khẩu" not in shown
