"""`serve` and `user add` at the terminal: the address to open, the password asked twice, never echoed."""

from __future__ import annotations

import contextlib
import getpass
import signal
import sys
import threading
from pathlib import Path
from typing import TextIO

from thidua.base.config import Config
from thidua.base.errors import EXIT_OK, UsageError
from thidua.base.textfold import fold


def serve(config: Config, *, host: str | None, port: int | None, out: TextIO, quiet: bool = False) -> int:
    """Serve until Ctrl+C; the files in progress are finished before it stops."""
    from thidua.web.server import WebServer

    if port is not None and not 0 <= port <= 65535:
        raise UsageError(f"--port {port}: cổng phải từ 0 đến 65535.")
    server = WebServer(config, host or str(config["web.host"]), int(config["web.port"]) if port is None else port)

    def ready(url: str) -> None:
        accounts = f"{len(config.web_users)} tài khoản, cần đăng nhập" if config.web_users else "chưa có tài khoản"
        print(f"Trang web: {url} ({accounts}; Ctrl+C để dừng).", file=out, flush=True)

    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _stop_serving) if main else None
    try:  # Ctrl+C or SIGTERM: no new requests; the files in progress are finished (a second one: at once)
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever(on_ready=None if quiet else ready)
    finally:
        if main:
            signal.signal(signal.SIGTERM, previous)
    if not quiet:
        print("Đã dừng trang web.", file=out, flush=True)
    return EXIT_OK


def _stop_serving(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def read_password(stdin: TextIO | None = None) -> str:
    """Twice from the terminal (not echoed); one line from standard input when it is not a terminal."""
    stream = stdin or sys.stdin
    if stream.isatty():
        first = getpass.getpass("Mật khẩu: ")
        if getpass.getpass("Nhập lại mật khẩu: ") != first:
            raise UsageError("Hai lần nhập mật khẩu không khớp; chưa thêm tài khoản.")
        return first
    line = stream.readline()
    if not line:
        raise UsageError("Không đọc được mật khẩu từ đầu vào chuẩn (cần một dòng).")
    return line.rstrip("\r\n")


def add_user(config: Config, config_path: Path | None, *, name: str, role: str, province: str | None,
             out: TextIO, stdin: TextIO | None = None) -> int:
    from thidua.web.accounts import add_user as append_account

    target = config_path or config.source or Path("config.toml")
    if any(fold(u.name) == fold(name) for u in config.web_users):  # say so before asking for a password
        raise UsageError(f"Đã có tài khoản \"{name.strip()}\" trong {target}.")
    user = append_account(target, name, role, province, read_password(stdin))
    scope = "mọi tỉnh" if role == "admin" else f"tỉnh {user.province}"
    print(f"Đã thêm tài khoản {user.name} ({role}, {scope}) vào {target}.", file=out)
    return EXIT_OK
