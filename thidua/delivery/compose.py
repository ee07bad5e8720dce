"""Build one email per recipient from Jinja2 templates; no text from a workbook can become a header."""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined, TemplateError, select_autoescape
from jinja2.sandbox import SandboxedEnvironment

from thidua.base import vnformat
from thidua.base.config import Config
from thidua.base.errors import ConfigError, RenderError
from thidua.base.model import (
    INTERIM_AT_RISK,
    INTERIM_LAGGING,
    KIND_DECREASE,
    KIND_GRADE,
    KIND_PASS_FAIL,
    PERIOD_YEAR,
)
from thidua.base.resources import bundled_templates
from thidua.delivery.brief import CriterionLine, ReportBrief
from thidua.delivery.recipients import Addressee

_FILENAME_FORBIDDEN = re.compile(r'[\\/:*?"<>|]+')
_ADDR = r'[^@\s<>,;"()\[\]\\]+@[^@\s<>,;"()\[\]\\]+'
INTERIM_PREFIX = "so_ket_"  # an interim review's mail templates: email/so_ket_subject.txt.j2, …
_MAILBOX = re.compile(rf'(?P<name>[^<>]*)<(?P<addr>{_ADDR})>|(?P<bare>{_ADDR})')


def one_line(text: str, limit: int = 300) -> str:
    """Header-safe text: every control/format/line-separator character becomes a space, runs collapse."""
    cleaned = "".join(" " if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch
                      for ch in unicodedata.normalize("NFC", str(text)))
    return " ".join(cleaned.split())[:limit]


@functools.lru_cache(maxsize=8)
def _environment(user_dir: Path) -> SandboxedEnvironment:
    """Templates in the configured folder win; the bundled ones fill the gaps. HTML autoescapes."""
    env = SandboxedEnvironment(
        loader=ChoiceLoader([FileSystemLoader(user_dir / "email"), FileSystemLoader(bundled_templates() / "email")]),
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default_for_string=False,
                                     default=False),
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    )
    env.filters["number"] = vnformat.number
    env.filters["percent"] = vnformat.percent
    return env


def _figure(line: CriterionLine, value: float | None, label: str) -> str:
    """"8,62%", "7.877 tỷ đ", or the typed label ("Đạt", a grade) for pass/fail and grade criteria."""
    if line.kind in (KIND_PASS_FAIL, KIND_GRADE):
        return label
    text = vnformat.number(value, missing="")
    if not text or not line.unit:
        return text
    return text + ("" if line.unit == "%" else " ") + line.unit


def criterion_view(line: CriterionLine) -> dict[str, str]:
    """A criterion as the templates print it: code, name, status, % of plan, actual and plan."""
    return {
        "code": line.code, "name": line.name, "unit": line.unit, "status": line.status,
        "pct": vnformat.percent(line.pct_of_plan, missing=""),
        "actual": _figure(line, line.actual, line.actual_label),
        "plan": _figure(line, line.plan, line.plan_label), "data_status": line.data_status,
    }


def _interim_view(line: CriterionLine) -> dict[str, str]:
    """What an interim review's mail adds per criterion: progress, projection, pace and what is still needed."""
    return {
        "interim_status": line.interim_status, "cumulative": "x" if line.cumulative else "",
        "progress": vnformat.percent(line.progress_pct, missing=""),
        "projection": _figure(line, line.projection, line.actual_label),
        "pace": _figure(line, line.pace_per_month, "") if line.cumulative else "",
        "needed": _figure(line, line.needed_per_month, "") if line.cumulative else "",
        "over_plan": "x" if line.cumulative and line.kind == KIND_DECREASE and (line.needed_per_month or 0) < 0 else "",
        "decrease": "x" if line.kind == KIND_DECREASE else "",
    }


def template_context(brief: ReportBrief, addressee: Addressee) -> dict[str, Any]:
    """Everything a mail template may use (plain strings, numbers and lists)."""
    criteria = [criterion_view(c) | (_interim_view(c) if brief.period != PERIOD_YEAR else {})
                for c in addressee.criteria]
    return {
        "province": brief.province, "year": brief.year, "cluster": brief.cluster,
        "n_criteria": brief.n_criteria, "n_met_or_exceeded": brief.n_met_or_exceeded,
        "n_exceeded": brief.n_exceeded, "n_met": brief.n_met, "n_not_met": brief.n_not_met,
        "n_no_data": brief.n_no_data, "max_points": brief.max_points, "points": brief.points,
        "bonus": brief.bonus, "deductions": brief.deductions, "total": brief.total,
        "recipient": {"name": addressee.name, "role": addressee.role, "email": addressee.email},
        "criteria": criteria,
        # interim reviews: the period (email/_ky_bao_cao.j2 words it), counts, the addressee's criteria behind
        "period": brief.period, "months_remaining": brief.months_remaining, "n_on_track": brief.n_on_track,
        "n_lagging": brief.n_lagging, "n_at_risk": brief.n_at_risk,
        "at_risk": [c for c in criteria if c.get("interim_status") == INTERIM_AT_RISK],
        "lagging": [c for c in criteria if c.get("interim_status") == INTERIM_LAGGING],
    }


@dataclass(frozen=True)
class MailParts:
    """Rendered texts of one message, before they become MIME."""

    subject: str
    text: str
    html: str
    attachment_name: str


def render_parts(brief: ReportBrief, addressee: Addressee, templates_dir: Path, fallback_name: str) -> MailParts:
    """Render subject, the two-line result, both bodies and the attachment's file name (an interim
    review's own templates for an interim brief)."""
    prefix = "" if brief.period == PERIOD_YEAR else INTERIM_PREFIX
    return render_mail(template_context(brief, addressee), templates_dir, fallback_name, prefix)


def render_mail(ctx: dict[str, Any], templates_dir: Path, fallback_name: str, prefix: str = "") -> MailParts:
    """Render one message's templates (`<prefix>result.txt.j2`, `subject`, `body.txt`, `body.html`,
    `attachment`) from templates/email; a template error is a RenderError naming the line."""
    try:
        return _render_parts(ctx, templates_dir, fallback_name, prefix)
    except TemplateError as exc:
        line = getattr(exc, "lineno", None)
        where = f" ({getattr(exc, 'name', '')}, dòng {line})" if line else ""
        raise RenderError(f"Mẫu thư trong templates/email lỗi{where}: {exc.message or exc}.") from exc


def _render_parts(ctx: dict[str, Any], templates_dir: Path, fallback_name: str, prefix: str) -> MailParts:
    env = _environment(Path(templates_dir))
    ctx = dict(ctx)
    result = [line.strip() for line in env.get_template(f"{prefix}result.txt.j2").render(ctx).splitlines()
              if line.strip()]
    ctx["result_lines"] = result
    name = _FILENAME_FORBIDDEN.sub("-", one_line(env.get_template(f"{prefix}attachment.txt.j2").render(ctx), 150))
    name = name.strip(" .-")
    if not name:
        name = fallback_name
    if not name.lower().endswith(".pdf"):
        name += ".pdf"
    return MailParts(
        subject=one_line(env.get_template(f"{prefix}subject.txt.j2").render(ctx), 250),
        text=env.get_template(f"{prefix}body.txt.j2").render(ctx).strip() + "\n",
        html=env.get_template(f"{prefix}body.html.j2").render(ctx),
        attachment_name=name,
    )


def _address(display: str, addr_spec: str, what: str) -> Address:
    try:
        return Address(display_name=one_line(display, 120), addr_spec=one_line(addr_spec, 254))
    except (ValueError, IndexError) as exc:
        raise ConfigError(f"Địa chỉ email {what} không hợp lệ: \"{one_line(addr_spec)}\".") from exc


def config_mailbox(config: Config, key: str) -> Address | None:
    """Parse "Tên <a@b.vn>" or "a@b.vn" from a setting strictly; anything else is a config error."""
    value = one_line(config[key])
    if not value:
        return None
    match = _MAILBOX.fullmatch(value)
    if not match:
        raise ConfigError(f"\"{key}\" phải là một địa chỉ email, dạng \"Tên <ten@co-quan.gov.vn>\" hoặc "
                          f"\"ten@co-quan.gov.vn\"; nhận được \"{value}\".")
    display = (match["name"] or "").strip().strip('"').strip()
    return _address(display, match["addr"] or match["bare"], f"trong \"{key}\"")


def sender_address(config: Config) -> Address:
    """The configured From; required."""
    address = config_mailbox(config, "email.sender")
    if address is None:
        raise ConfigError("\"email.sender\" đang trống: cần địa chỉ người gửi.")
    return address


def build_message(brief: ReportBrief, addressee: Addressee, pdf: bytes, pdf_name: str, config: Config,
                  *, now: dt.datetime | None = None) -> EmailMessage:
    """One multipart message: text + HTML alternative, the PDF attached (RFC 2231 file name)."""
    parts = render_parts(brief, addressee, config.templates_dir, pdf_name)
    return assemble(parts, addressee.name, addressee.email, pdf, config, now=now)


def assemble(parts: MailParts, name: str, email: str, pdf: bytes, config: Config, *,
             now: dt.datetime | None = None) -> EmailMessage:
    """The MIME message of rendered parts to one person: headers from settings, never from workbook text."""
    sender = sender_address(config)
    to = _address(name, email, f"của {one_line(name)}")
    ascii_only = all(a.addr_spec.isascii() for a in (sender, to))
    msg = EmailMessage(policy=policy.SMTP if ascii_only else policy.SMTPUTF8)
    msg["Subject"] = parts.subject
    msg["From"] = sender
    msg["To"] = to
    reply_to = config_mailbox(config, "email.reply_to")
    if reply_to is not None:
        msg["Reply-To"] = reply_to
    msg["Date"] = format_datetime(now or dt.datetime.now().astimezone())
    msg["Message-ID"] = make_msgid(domain=sender.domain)
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(parts.text)
    msg.add_alternative(parts.html, subtype="html")
    msg.add_attachment(pdf, maintype="application", subtype="pdf", filename=parts.attachment_name)
    # Headers are written unfolded (RFC 5322 allows 998 octets a line): Python 3.11 folds a long Vietnamese
    # subject into adjacent encoded-words and loses the space between them ("Đồng Tháp" → "ĐồngTháp").
    # The bodies were encoded above with the usual 78, so only the header lines change.
    msg.policy = msg.policy.clone(max_line_length=998)
    return msg
