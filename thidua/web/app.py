"""The Flask application: templates, security headers, error pages, login and the pages' blueprints."""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from dataclasses import dataclass
from typing import Any

import jinja2
from flask import Flask, Response, g, render_template, request
from werkzeug.exceptions import HTTPException, SecurityError

from thidua.base import model, vnformat
from thidua.base.config import Config
from thidua.base.resources import bundled_templates
from thidua.web import auth, cluster_pages, pages, reports
from thidua.web.context import WebContext, close_store
from thidua.web.service import UploadService

# Scripts and styles only from our own files (no inline script); nothing may frame our pages, except
# that the result page shows the PDF preview of this same site.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "frame-src 'self'; object-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
LOOPBACK_NAMES = ["127.0.0.1", "localhost", "::1", "[::1]"]
SESSION_HOURS = 12


@dataclass(frozen=True)
class NavItem:
    """One entry of the top bar. Later pages (the cluster ranking, a province's history) add theirs here."""

    endpoint: str
    label: str


NAV: list[NavItem] = [
    NavItem("pages.index", "Gửi báo cáo"),
    NavItem("reports.reports", "Báo cáo các tỉnh"),
    NavItem("cluster.ranking", "Xếp hạng Cụm"),
    NavItem("reports.guide", "Hướng dẫn điền mẫu"),
]
BLUEPRINTS = [auth.bp, pages.bp, reports.bp, cluster_pages.bp]  # and theirs here

ERRORS: dict[int, tuple[str, str]] = {
    400: ("Yêu cầu không hợp lệ", "Trang gửi lên thiếu mã xác nhận hoặc đã cũ. Hãy mở lại trang rồi thử lại."),
    403: ("Không có quyền xem", "Tài khoản của bạn không được xem hoặc gửi nội dung này (chỉ xem được báo cáo "
          "của tỉnh mình)."),
    404: ("Không tìm thấy", "Không có trang hoặc tệp này."),
    405: ("Không hợp lệ", "Trang này không nhận kiểu yêu cầu đó."),
    410: ("Tệp không còn", "Tệp này đã bị thay bằng kết quả mới hơn hoặc đã bị chuyển đi. Hãy mở kết quả mới nhất "
          "trong mục Báo cáo các tỉnh."),
    413: ("Tệp quá lớn", "Tệp tải lên vượt giới hạn {limit} MB. Hãy xóa dữ liệu, hình ảnh thừa rồi gửi lại."),
    500: ("Lỗi chương trình", "Có lỗi trong chương trình (không phải lỗi của tệp bạn gửi). Hãy báo bộ phận kỹ thuật."),
    503: ("Chưa sẵn sàng", "Bộ phận xử lý tệp đang khởi động hoặc đã dừng. Hãy thử lại sau ít phút."),
}


def _date(text: str | None) -> str:
    """"2026-12-01T14:05:09" → "01/12/2026 14:05"."""
    if not text:
        return ""
    try:
        return dt.datetime.fromisoformat(text).strftime("%d/%m/%Y %H:%M")
    except ValueError:
        return text


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if request.endpoint != "static":
        response.headers["Cache-Control"] = "no-store"
    return response


def create_app(config: Config, service: UploadService, *, secret_key: bytes | None = None,
               loopback_only: bool = True) -> Flask:
    """The web app over `config`; `service` processes the uploads (start it before serving)."""
    folder = config.templates_dir / "web"
    bundled = bundled_templates() / "web"
    static = folder / "static" if (folder / "static").is_dir() else bundled / "static"
    app = Flask("thidua.web", static_folder=str(static), static_url_path="/tep-tinh")
    app.jinja_options = {**app.jinja_options, "autoescape": True}  # .j2 names: Flask would not escape them
    app.jinja_loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(folder)), jinja2.FileSystemLoader(str(bundled))])
    app.secret_key = secret_key or secrets.token_bytes(32)  # sessions last as long as the server runs
    limit_mb = int(config["web.max_upload_mb"])
    app.config.update(
        MAX_CONTENT_LENGTH=limit_mb * 1024 * 1024,
        SESSION_COOKIE_NAME="thidua_phien", SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=SESSION_HOURS),
        # Served on this machine only: refuse other Host names, so a web page elsewhere cannot reach us
        # through a name that resolves here (DNS rebinding).
        TRUSTED_HOSTS=LOOPBACK_NAMES if loopback_only else None,
    )
    waiting = threading.BoundedSemaphore(max(1, int(config["web.threads"]) // 2))
    app.extensions["thidua"] = WebContext(config, service, auth.RateLimiter(), waiting)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    app.before_request(lambda: auth.identify(config))
    app.after_request(_security_headers)
    app.teardown_appcontext(close_store)

    @app.context_processor
    def _globals() -> dict[str, Any]:
        return {"viewer": g.get("viewer"), "nav": NAV, "csrf_token": auth.csrf_token, "limit_mb": limit_mb,
                "outcome_words": model.OUTCOME_WORDS, "accounts": bool(config.web_users)}

    app.jinja_env.filters["so"] = lambda v, d=2: vnformat.number(v, d)
    app.jinja_env.filters["ngay"] = _date

    @app.errorhandler(HTTPException)
    def _error(exc: HTTPException) -> tuple[str, int] | Response:
        if isinstance(exc, SecurityError):  # an unknown Host: no page of ours is built for it
            return Response("Địa chỉ không hợp lệ: trang này chỉ mở được bằng http://127.0.0.1 trên chính máy chủ.\n",
                            400, mimetype="text/plain")
        code = exc.code or 500
        title, text = ERRORS.get(code, (exc.name, ""))
        return render_template("error.html.j2", code=code, title=title, text=text.format(limit=limit_mb)), code

    return app
