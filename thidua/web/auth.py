"""Login, logout, the CSRF token of every form, and the rate limit on login attempts."""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import deque
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from thidua.base.config import Config, WebUser
from thidua.base.passwords import dummy_hash, verify_password
from thidua.base.textfold import fold
from thidua.web.access import LOCAL, Viewer

bp = Blueprint("auth", __name__)

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
OPEN_ENDPOINTS = {"auth.login", "static"}  # reachable before logging in (the login page needs its CSS)
MAX_FAILURES = 5
WINDOW_SECONDS = 300.0


class RateLimiter:
    """At most MAX_FAILURES failed logins per WINDOW_SECONDS for one client address and for one name."""

    def __init__(self, max_failures: int = MAX_FAILURES, window: float = WINDOW_SECONDS) -> None:
        self.max_failures, self.window = max_failures, window
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        while times and now - times[0] > self.window:
            times.popleft()
        return times

    def wait_seconds(self, *keys: str) -> float:
        """0 when a login may be tried now, else how long until it may."""
        now = time.monotonic()
        with self._lock:
            waits = [self.window - (now - times[0]) for key in keys
                     if len(times := self._recent(key, now)) >= self.max_failures]
        return max(waits, default=0.0)

    def failed(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)

    def succeeded(self, name_key: str) -> None:
        with self._lock:
            self._failures.pop(name_key, None)


def csrf_token() -> str:
    """This session's token, put in every form (and sent by the page's script as a header)."""
    token = session.get("csrf")
    if not isinstance(token, str):
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def check_csrf() -> None:
    """A state-changing request without this session's token is refused with 400."""
    sent = request.form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or ""
    token = session.get("csrf")
    if not isinstance(token, str) or not hmac.compare_digest(sent.encode(), token.encode()):
        abort(400, description="csrf")


def find_user(config: Config, name: str) -> WebUser | None:
    wanted = fold(name)
    return next((u for u in config.web_users if fold(u.name) == wanted), None)


def identify(config: Config) -> ResponseReturnValue | None:
    """Before every request: who is asking; a redirect to the login page when someone must log in."""
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        check_csrf()
    if not config.web_users:
        g.viewer = LOCAL
        return None
    user = find_user(config, str(session.get("user", "")))
    if user is not None:
        g.viewer = Viewer.of(user)
        return None
    g.viewer = None
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None), 303)


def _local_target(target: str | None) -> str:
    """Only a path on this site (never "//elsewhere" or "https://…") is followed after login."""
    if not target:
        return url_for("pages.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return url_for("pages.index")
    return target


@bp.route("/dang-nhap", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    config: Config = current_app.extensions["thidua"].config
    if not config.web_users:
        return redirect(url_for("pages.index"))
    target = _local_target(request.values.get("next"))
    if request.method == "GET":
        return render_template("login.html.j2", next=target, error="")
    name = request.form.get("name", "").strip()
    limiter: RateLimiter = current_app.extensions["thidua"].limiter
    keys = ("addr:" + str(request.remote_addr), "name:" + fold(name))
    wait = limiter.wait_seconds(*keys)
    if wait > 0:
        minutes = max(1, round(wait / 60))
        return render_template("login.html.j2", next=target, name=name,
                               error=f"Đăng nhập sai quá nhiều lần. Hãy thử lại sau khoảng {minutes} phút."), 429
    user = find_user(config, name)
    password = request.form.get("password", "")
    ok = verify_password(password, user.password_hash if user else dummy_hash()) and user is not None
    if not ok or user is None:
        limiter.failed(*keys)
        return render_template("login.html.j2", next=target, name=name,
                               error="Tên đăng nhập hoặc mật khẩu không đúng."), 401
    limiter.succeeded(keys[1])
    session.clear()  # a fresh session (and CSRF token) for the logged-in person
    session.permanent = True
    session["user"] = user.name
    csrf_token()
    return redirect(target, 303)


@bp.route("/dang-xuat", methods=["POST"])
def logout() -> ResponseReturnValue:
    session.clear()
    config: Config = current_app.extensions["thidua"].config
    return redirect(url_for("auth.login" if config.web_users else "pages.index"), 303)
