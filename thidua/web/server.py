"""Serve the pages with waitress (a threaded WSGI server fit for a small office) beside the upload worker."""

from __future__ import annotations

import ipaddress
import logging
import threading
from collections.abc import Callable
from typing import Any

from waitress import create_server, wasyncore

from thidua.base.config import Config
from thidua.base.errors import ConfigError
from thidua.base.program import command_name
from thidua.pipeline import ProcessFn, process_workbook
from thidua.web.app import create_app
from thidua.web.service import UploadService

log = logging.getLogger(__name__)
BODY_LIMIT_FACTOR = 4  # waitress itself refuses (in English) only far above our limit; up to that, our 413 page


def is_loopback(host: str) -> bool:
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_exposure(config: Config, host: str) -> None:
    """Any address but this machine's own needs accounts: refuse to start without them."""
    if not is_loopback(host) and not config.web_users:
        raise ConfigError(
            f"Không mở trang web trên địa chỉ {host} khi chưa có tài khoản nào: mọi máy trong mạng sẽ xem và gửi "
            "được báo cáo của mọi tỉnh.",
            hint=f"Thêm tài khoản: {command_name()} user add TÊN --role admin (rồi chạy lại), "
                 "hoặc chỉ phục vụ máy này: --host 127.0.0.1")


class WebServer:
    """The upload worker plus the HTTP server on (host, port); port 0 takes a free one (`url` tells)."""

    def __init__(self, config: Config, host: str, port: int, *, process: ProcessFn = process_workbook,
                 workers: int | None = None, threads: int | None = None) -> None:
        check_exposure(config, host)
        self.service = UploadService(config, process=process, workers=workers)
        self.app = create_app(config, self.service, loopback_only=is_loopback(host))
        limit = int(config["web.max_upload_mb"]) * 1024 * 1024
        self._server: Any = create_server(self.app, host=host, port=port, threads=threads or int(config["web.threads"]),
                                          max_request_body_size=BODY_LIMIT_FACTOR * limit + (1 << 20), ident="thidua",
                                          clear_untrusted_proxy_headers=True, expose_tracebacks=False)
        self._thread: threading.Thread | None = None
        self.host = host

    @property
    def url(self) -> str:
        server = self._server
        port = server.effective_port if hasattr(server, "effective_port") else server.effective_listen[0][1]
        shown = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{shown}:{port}/"

    def start(self) -> None:
        """Workers first (they are warm before the first page is served), then the server in a thread."""
        self.service.start()
        self._thread = threading.Thread(target=self._server.run, name="thidua-web-server", daemon=True)
        self._thread.start()

    def serve_forever(self, on_ready: Callable[[str], None] | None = None) -> None:
        """In this thread until Ctrl+C / SIGTERM; then the files in progress are finished."""
        self.service.start()
        if on_ready is not None:
            on_ready(self.url)
        try:
            self._server.run()  # returns on KeyboardInterrupt
        finally:
            self._close_server()
            self.service.stop()

    def _close_server(self) -> None:
        try:
            self._server.task_dispatcher.shutdown()
        finally:
            wasyncore.close_all(self._server.map if hasattr(self._server, "map") else self._server._map)

    def stop(self) -> None:
        """From another thread: close every socket inside the server's own loop, then stop the worker."""
        done = threading.Event()
        server = self._server
        socket_map = server.map if hasattr(server, "map") else server._map
        trigger = next(ch for ch in socket_map.values() if ch.__class__.__name__ == "trigger")

        def close_all() -> None:
            wasyncore.close_all(socket_map)
            done.set()

        trigger.pull_trigger(close_all)
        done.wait(10)
        if self._thread is not None:
            self._thread.join(10)
        server.task_dispatcher.shutdown()
        self.service.stop()
