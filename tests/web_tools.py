"""The web app for tests: a real server on a free loopback port, accounts, a headless Chromium, an HTTP client."""

from __future__ import annotations

import contextlib
import http.cookiejar
import os
import re
import shutil
import tempfile
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

from tests.inbox_fakes import make_config
from thidua.base.config import Config, build_config
from thidua.base.passwords import hash_password

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
PASSWORD = "mat-khau-thu-nghiem"
USERS = (("quantri", "admin", ""), ("dongthap", "province", "Đồng Tháp"), ("angiang", "province", "An Giang"))


RECIPIENTS = [{"name": "Trần Thị Bích", "email": "bich.tt@dongthap.example", "criteria": ["KT01"]},
              {"name": "Lê Văn Cường", "email": "cuong.lv@dongthap.example"}]


def web_config(tmp: Path, *, accounts: bool = True, email: dict[str, object] | None = None,
               cluster: dict[str, object] | None = None, **web: object) -> Config:
    """make_config's drop folder and two council members (mail previews only, unless `email` says otherwise),
    with three accounts (all with PASSWORD) unless `accounts` is False."""
    base = make_config(tmp, workers=1)
    data = {"paths": {k.split(".")[1]: v for k, v in base.values.items() if k.startswith("paths.")},
            "ledger": {"path": base["ledger.path"]}, "inbox": {"workers": 1, "stable_seconds": 0.2},
            "email": {"outbox_dir": base["email.outbox_dir"], "recipients": RECIPIENTS, **(email or {})},
            "web": dict(web), "cluster": dict(cluster or {})}
    if accounts:
        digest = hash_password(PASSWORD)  # one hash for all: scrypt is slow on purpose
        data["web"]["users"] = [{"name": n, "role": r, "province": p, "password_hash": digest} for n, r, p in USERS]
    return build_config(data, tmp)


@contextlib.contextmanager
def running_server(config: Config, **kwargs: object) -> Iterator[object]:
    """The real WebServer (waitress + the upload worker) on 127.0.0.1 and a free port."""
    from thidua.web.server import WebServer

    server = WebServer(config, "127.0.0.1", 0, workers=1, **kwargs)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def browser_missing() -> str:
    """Why the browser tests cannot run here ("" when they can)."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    return ("Debian's chromium and chromium-driver are not installed (" + ", ".join(missing) + ")") if missing else ""


@contextlib.contextmanager
def chromium(download_dir: Path, *, javascript: bool = True) -> Iterator[object]:
    """Headless Chromium from Debian, driven by Selenium (no driver download: the system chromedriver)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = Path(tempfile.mkdtemp(prefix="thidua-chromium-"))
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1280,1000",
                "--lang=vi", f"--user-data-dir={profile}"):
        options.add_argument(arg)
    prefs: dict[str, object] = {"download.default_directory": str(download_dir), "download.prompt_for_download": False,
                                "intl.accept_languages": "vi,vi-VN"}
    if not javascript:
        prefs["profile.managed_default_content_settings.javascript"] = 2
    options.add_experimental_option("prefs", prefs)
    # Vietnamese browser strings ("Chọn tệp") where Debian's chromium-l10n is installed
    service = Service(str(CHROMEDRIVER), env={**os.environ, "LANGUAGE": "vi"})
    driver = webdriver.Chrome(options=options, service=service)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def slow_fake(source: Path, config: Config, *, write_json: bool = False, output_name: str | None = None) -> object:
    """A render that takes 3 s (then a dummy PDF): for progress and concurrency tests."""
    import time

    from tests.inbox_fakes import fake_process

    time.sleep(3)
    return fake_process(source, config, write_json=write_json, output_name=output_name)


class Client:
    """A plain HTTP client with cookies (the benchmark and the server-level tests): real requests."""

    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> tuple[int, str, str]:
        return self._open(urllib.request.Request(self.base + path))

    def _open(self, request: urllib.request.Request, follow: bool = True) -> tuple[int, str, str]:
        opener = self.opener if follow else urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)
        try:
            with opener.open(request, timeout=120) as response:
                return response.status, response.geturl(), response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            where = exc.headers.get("Location", "") if not follow else exc.geturl()
            return exc.code, where, exc.read().decode("utf-8", "replace")

    def token(self, path: str = "/") -> str:
        found = re.search(r'name="csrf_token" value="([^"]+)"', self.get(path)[2])
        assert found, "no CSRF token on " + path
        return found.group(1)

    def post(self, path: str, fields: dict[str, str], files: dict[str, tuple[str, bytes]] | None = None,
             follow: bool = True) -> tuple[int, str, str]:
        boundary = uuid.uuid4().hex
        parts: list[bytes] = []
        for key, value in fields.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode())
        for key, (name, data) in (files or {}).items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"; filename="{name}"\r\n'
                         "Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        request = urllib.request.Request(self.base + path, data=body, method="POST",
                                         headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
        return self._open(request, follow)

    def login(self, name: str, password: str = PASSWORD) -> tuple[int, str, str]:
        return self.post("/dang-nhap", {"csrf_token": self.token("/dang-nhap"), "name": name, "password": password})

    def upload(self, name: str, data: bytes) -> tuple[int, str, str]:
        return self.post("/tai-len", {"csrf_token": self.token("/")}, {"workbook": (name, data)})
