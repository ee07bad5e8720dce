"""Test helpers for mail: an Assessment built from rows, a config, a real SMTP server on loopback."""

from __future__ import annotations

import os
import socket
import ssl
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pandas as pd
import trustme
import weasyprint
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from thidua.base.config import build_config
from thidua.base.model import CRITERIA_COLUMNS, RESULT_COLUMNS, Assessment, ReportMeta, Submission, Totals

ROOT = Path(__file__).resolve().parent.parent
PASSWORD_ENV = "THIDUA_TEST_SMTP_PASSWORD"
USER = "thidua"

ROWS = [
    # code, name, unit, kind, plan, actual, status, pct, monitor
    ("KT01", "Tốc độ tăng trưởng GRDP", "%", "increase", 7.0, 8.62, "Vượt", 123.14, "Trần Thị Bích"),
    ("KT03", "Thu NSNN trên địa bàn", "tỷ đ", "increase", 6819.5, 7877.0, "Vượt", 115.51, ""),
    ("XH02", "Tỷ lệ hộ nghèo", "%", "decrease", 2.0, 2.5, "Chưa đạt", 80.0, "phạm  thị dung"),
    ("XH05", "Xếp loại chỉ số cải cách hành chính", "", "grade", 3.0, 3.0, "Đạt", float("nan"),
     "Hoàng Văn Em"),
]


def make_assessment(rows: list[tuple] = ROWS, province: str = "Đồng Tháp", year: int = 2022) -> Assessment:
    """An Assessment with just the columns mail reads, as scoring.evaluate would shape it."""
    records = []
    for i, (code, name, unit, kind, plan, actual, status, pct, monitor) in enumerate(rows, start=5):
        rec = {c: "" for c in CRITERIA_COLUMNS + RESULT_COLUMNS}
        rec.update(row=i, code=code, field="Kinh tế", name=name, unit=unit, kind=kind, plan=plan, actual=actual,
                   status=status, pct_of_plan=pct, monitor=monitor, max_points=250.0, points=0.0, bonus=0.0,
                   plan_label="Hoàn thành tốt nhiệm vụ" if kind == "grade" else "",
                   actual_label="Hoàn thành tốt nhiệm vụ" if kind == "grade" else "")
        records.append(rec)
    results = pd.DataFrame.from_records(records)
    meta = ReportMeta(province=province, year=year, cluster="Cụm thi đua các tỉnh Đồng bằng sông Cửu Long")
    submission = Submission(meta, results[list(CRITERIA_COLUMNS)], pd.DataFrame())
    n_exc = sum(r[6] == "Vượt" for r in rows)
    n_met = sum(r[6] == "Đạt" for r in rows)
    n_not = sum(r[6] == "Chưa đạt" for r in rows)
    totals = Totals(len(rows), n_exc, n_met, n_not, len(rows) - n_exc - n_met - n_not, 1000.0, 945.5, 10.0,
                    5.0, 950.5)
    return Assessment(submission, results, pd.DataFrame(), totals)


RECIPIENTS = [
    {"name": "Nguyễn Văn An", "email": "an.nv@dongthap.example", "role": "Chủ tịch Hội đồng"},
    {"name": "Trần Thị Bích", "email": "bich.tt@dongthap.example", "role": "Giám đốc Sở Kế hoạch và Đầu tư",
     "criteria": ["KT03"]},
    {"name": "Phạm Thị Dung", "email": "dung.pt@dongthap.example", "role": "Giám đốc Sở Lao động"},
]


def make_config(tmp_path: Path, port: int = 25, *, ca_file: Path | None = None, **email: object):
    """A config whose outputs live under tmp_path and whose templates are the bundled ones."""
    settings: dict[str, object] = {
        "host": "127.0.0.1", "port": port, "security": "starttls", "username": USER,
        "password_env": PASSWORD_ENV, "sender": "Sở Nội vụ Đồng Tháp <thidua@snv.dongthap.example>",
        "reply_to": "Văn phòng Hội đồng <vanphong@snv.dongthap.example>", "timeout": 5, "retries": 1,
        "retry_backoff": 0.01, "ca_file": str(ca_file or ""), "recipients": RECIPIENTS,
    }
    settings.update(email)
    data = {"paths": {"templates_dir": str(ROOT / "templates")}, "ledger": {"path": "output/l.sqlite3"},
            "email": settings}
    return build_config(data, tmp_path)


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_config_file(tmp_path: Path, port: int, **email: object) -> Path:
    """tmp_path/config.toml for a test that runs the command line: the bundled templates, a ledger under
    output/, SMTP on loopback `port` (no retries unless given) and one council member, Trần Thị Bích."""
    settings: dict[str, object] = {"host": "127.0.0.1", "port": port, "username": USER, "password_env": PASSWORD_ENV,
                                   "timeout": 5, "retries": 0, "retry_backoff": 0.01, **email}
    lines = ["[paths]", f"templates_dir = {_toml(ROOT / 'templates')}", "[ledger]", 'path = "output/l.sqlite3"',
             "[email]", *(f"{key} = {_toml(value)}" for key, value in settings.items()),
             "[[email.recipients]]", 'name = "Trần Thị Bích"', 'email = "bich.tt@dongthap.example"']
    path = tmp_path / "config.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def make_pdf(path: Path, text: str = "Báo cáo thử") -> Path:
    """A small but real PDF to attach."""
    path.parent.mkdir(parents=True, exist_ok=True)
    weasyprint.HTML(string=f"<p>{text}</p>").write_pdf(path)
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def parse(raw: bytes) -> EmailMessage:
    return BytesParser(policy=policy.default).parsebytes(raw)  # type: ignore[return-value]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


@dataclass
class Handler:
    """Accepts mail, refusing the listed addresses at RCPT with a permanent 550."""

    refuse: set[str] = field(default_factory=set)
    received: list[Received] = field(default_factory=list)
    busy: dict[str, int] = field(default_factory=dict)  # address -> how many more times to answer 450

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 Hộp thư không tồn tại"
        if self.busy.get(address, 0) > 0:
            self.busy[address] -= 1
            return "450 4.2.1 Mailbox busy, try later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parse(envelope.content)))
        return "250 Message accepted for delivery"


@dataclass
class Authenticator:
    """One user; the password is the one in the client's environment variable when the server starts."""

    password: bytes

    def __call__(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login == USER.encode()
              and auth_data.password == self.password != b"")
        return AuthResult(success=ok, handled=False)  # let aiosmtpd answer 535 on failure


class SmtpServer:
    """aiosmtpd on 127.0.0.1 with AUTH and STARTTLS (or implicit TLS) using a trustme certificate."""

    def __init__(self, tmp_path: Path, port: int | None = None, *, security: str = "starttls",
                 refuse: set[str] | None = None) -> None:
        self.port = port or free_port()
        self.ca = trustme.CA()
        self.ca_file = tmp_path / "ca.pem"
        self.ca.cert_pem.write_to_path(str(self.ca_file))
        server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.ca.issue_cert("127.0.0.1", "localhost").configure_cert(server_ctx)
        self.handler = Handler(refuse or set())
        kwargs: dict[str, object] = {"authenticator": Authenticator(os.environ.get(PASSWORD_ENV, "").encode()),
                                     "auth_required": True}
        if security == "none":
            kwargs = {}
        elif security == "ssl":
            kwargs["ssl_context"] = server_ctx
            kwargs["auth_require_tls"] = False  # the whole session is TLS already
        else:
            kwargs.update(tls_context=server_ctx, require_starttls=True)
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, **kwargs)

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()
