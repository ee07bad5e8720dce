"""One report's mailing: a message per council member, as .eml previews or over SMTP, once per recipient."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from thidua.base import atomic
from thidua.base.cluster_config import Contact
from thidua.base.config import Config, Recipient
from thidua.base.errors import UsageError
from thidua.base.ledger import (
    DELIVERY_DRY_RUN,
    DELIVERY_PENDING,
    DELIVERY_REJECTED,
    DELIVERY_SENT,
    DeliveryRecord,
    Ledger,
)
from thidua.base.model import Assessment
from thidua.base.program import command_name
from thidua.delivery.brief import ReportBrief
from thidua.delivery.cluster_mail import CLUSTER_BRIEF, cluster_message
from thidua.delivery.compose import build_message, sender_address
from thidua.delivery.recipients import Addressee, plan_recipients
from thidua.delivery.smtp import Envelope, SmtpSettings, send_all

log = logging.getLogger(__name__)

STATUS_SKIPPED = "skipped"  # already sent (or permanently rejected) earlier; not sent again


@dataclass(frozen=True)
class DeliveryResult:
    """What happened to one recipient's message in this run."""

    name: str
    email: str
    status: str  # sent | pending | rejected | skipped | dry-run
    error: str = ""
    eml: Path | None = None


@dataclass
class DeliverySummary:
    """One report's mail run: per-recipient results and the names that had no address."""

    report: Path
    real: bool
    results: list[DeliveryResult] = field(default_factory=list)
    unmatched: tuple[str, ...] = ()
    outbox: Path | None = None
    note: str = ""  # why nothing could be attempted (report missing, no brief…)

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def sent(self) -> int:
        return self.count(DELIVERY_SENT)

    @property
    def pending(self) -> int:
        return self.count(DELIVERY_PENDING)

    @property
    def rejected(self) -> int:
        return self.count(DELIVERY_REJECTED)

    @property
    def skipped(self) -> int:
        return self.count(STATUS_SKIPPED)

    @property
    def dry_run(self) -> int:
        return self.count(DELIVERY_DRY_RUN)

    @property
    def ok(self) -> bool:
        """False when someone did not get the report (pending or rejected): the command exits 1."""
        return not (self.pending or self.rejected)

    @property
    def problems(self) -> list[str]:
        """Vietnamese lines about what went wrong; shown even with --quiet."""
        lines = [f"  Còn treo: {r.name} <{r.email}>: {r.error}." for r in self.results
                 if r.status == DELIVERY_PENDING]
        if self.pending:
            lines.append(f"  Sẽ thử lại khi chạy: {command_name()} send --pending")
        lines += [f"  Bị từ chối: {r.name} <{r.email}>: {r.error}." for r in self.results
                  if r.status == DELIVERY_REJECTED]
        if self.unmatched:
            lines.append("  Chưa có địa chỉ email (thêm vào [[email.recipients]] trong config.toml): "
                         + ", ".join(self.unmatched) + ".")
        return lines

    @property
    def messages(self) -> list[str]:
        """Every line to show the person: the headline first, then the problems."""
        name = self.report.name
        if self.note:
            head = f"{name}: {self.note}"
        elif not self.results:
            head = f"{name}: sổ địa chỉ [[email.recipients]] trống, không có thư nào để gửi."
        elif not self.real:
            head = (f"{name}: đã ghi {self.dry_run} thư (.eml) vào {self.outbox}, chưa gửi thật. "
                    f"Gửi thật: {command_name()} send \"{self.report}\"")
        else:
            parts = [f"đã gửi {self.sent} thư"]
            parts += [f"{n} {label}" for n, label in ((self.skipped, "thư đã gửi (hoặc bị từ chối) trước đó, không gửi lại"),
                                                      (self.pending, "thư còn treo"),
                                                      (self.rejected, "địa chỉ bị từ chối")) if n]
            head = f"{name}: " + "; ".join(parts) + "."
        return [head, *self.problems]


def _slug(email: str) -> str:
    return re.sub(r"[^A-Za-z0-9@._+-]+", "_", email.lower())


def _mail_brief(brief: ReportBrief, pdf_path: Path, pdf: bytes, config: Config, ledger: Ledger, *, real: bool,
              force: bool, book: list[Recipient], only: set[str] | None = None) -> DeliverySummary:
    """Build every addressee's message; write .eml files (preview) or deliver over SMTP."""
    sha = hashlib.sha256(pdf).hexdigest()
    plan = plan_recipients(book, brief)
    addressees = [a for a in plan.addressees if only is None or a.email.lower() in only]
    outbox = config.path("email.outbox_dir") / pdf_path.stem
    summary = DeliverySummary(pdf_path, real, unmatched=plan.unmatched, outbox=outbox)
    todo: list[tuple[Addressee, Envelope]] = []
    sender = sender_address(config).addr_spec
    for person in addressees:
        before = ledger.delivery_status(sha, person.email)
        if real and not force and before in (DELIVERY_SENT, DELIVERY_REJECTED):
            log.info("skip %s: already %s", person.email, before)
            summary.results.append(DeliveryResult(person.name, person.email, STATUS_SKIPPED))
            continue
        msg = build_message(brief, person, pdf, pdf_path.name, config)
        if not real:
            eml = atomic.write_bytes(outbox / f"{_slug(person.email)}.eml", msg.as_bytes())
            if before in (None, DELIVERY_DRY_RUN):  # a preview never hides a real delivery's state
                ledger.record_delivery(sha, str(pdf_path), person.email, person.name, DELIVERY_DRY_RUN,
                                       message_id=str(msg["Message-ID"]))
            summary.results.append(DeliveryResult(person.name, person.email, DELIVERY_DRY_RUN, eml=eml))
            continue
        todo.append((person, Envelope(sender, person.email, msg)))

    if todo:
        names = {env.recipient: person.name for person, env in todo}

        def record(env: Envelope) -> None:
            ledger.record_delivery(sha, str(pdf_path), env.recipient, names[env.recipient], env.status,
                                   error=env.error, message_id=str(env.message["Message-ID"]))

        send_all([env for _, env in todo], SmtpSettings.from_config(config), on_done=record)
        for person, env in todo:
            if env.status == DELIVERY_PENDING:
                record(env)
                log.info("still pending for %s: %s", env.recipient, env.error)  # the summary says it in Vietnamese
            summary.results.append(DeliveryResult(person.name, person.email, env.status, env.error))
    return summary


def deliver_report(assessment: Assessment, pdf_path: Path, config: Config, *, send: bool, dry_run: bool,
                   force: bool, ledger: Ledger) -> DeliverySummary:
    """The batch's hook after a PDF is made: real mail when `send` or email.enabled (and not dry_run).

    The report's brief is stored in the ledger under the PDF's hash, so `send REPORT.pdf` and
    `send --pending` can rebuild the same messages later without the workbook.
    """
    pdf_path = Path(pdf_path)
    pdf = pdf_path.read_bytes()
    brief = ReportBrief.from_assessment(assessment)
    ledger.record_report(hashlib.sha256(pdf).hexdigest(), str(pdf_path), brief.to_dict())
    real = (send or bool(config["email.enabled"])) and not dry_run
    return _mail_brief(brief, pdf_path, pdf, config, ledger, real=real, force=force, book=config.recipients)


def _send_report(report: Path, config: Config, ledger: Ledger, *, dry_run: bool, force: bool) -> DeliverySummary:
    pdf = report.read_bytes()
    found = ledger.report_brief(hashlib.sha256(pdf).hexdigest())
    if found is None:
        raise UsageError(f"Sổ theo dõi {ledger.path} không có thông tin về báo cáo \"{report}\" "
                         "(tệp không do thidua tạo, hoặc đã bị sửa sau khi tạo).",
                         hint=f"Tạo lại báo cáo từ tệp Excel: {command_name()} run TỆP.xlsx")
    if found[1].get("kind") == CLUSTER_BRIEF:
        return _mail_cluster(found[1], report, pdf, config, ledger, real=not dry_run, force=force)
    brief = ReportBrief.from_dict(found[1])
    return _mail_brief(brief, report, pdf, config, ledger, real=not dry_run, force=force, book=config.recipients)


def _send_pending(config: Config, ledger: Ledger, *, dry_run: bool) -> list[DeliverySummary]:
    """Retry every pending delivery, report by report; people left out of the book still get theirs."""
    groups: dict[str, list[DeliveryRecord]] = {}
    for record in ledger.pending_deliveries():
        groups.setdefault(record.report_sha256, []).append(record)
    summaries = []
    for sha, records in groups.items():
        found = ledger.report_brief(sha)
        path = Path(found[0] if found else records[0].report_path)
        pdf = path.read_bytes() if path.is_file() else b""
        if found is None or hashlib.sha256(pdf).hexdigest() != sha:
            why = ("không có thông tin báo cáo trong sổ theo dõi" if found is None
                   else "không còn tệp báo cáo này (đã bị chuyển, xóa hoặc tạo lại)")
            summaries.append(DeliverySummary(path, True, note=f"{why}; {len(records)} thư vẫn còn treo.", results=[
                DeliveryResult(r.name, r.email, DELIVERY_PENDING, r.last_error) for r in records]))
            continue
        if found[1].get("kind") == CLUSTER_BRIEF:
            summaries.append(_mail_cluster(found[1], path, pdf, config, ledger, real=not dry_run, force=False,
                                           only={r.email for r in records}))
            continue
        known = {r.email.lower() for r in config.recipients}
        book = config.recipients + [Recipient(r.name, r.email) for r in records if r.email not in known]
        summaries.append(_mail_brief(ReportBrief.from_dict(found[1]), path, pdf, config, ledger, real=not dry_run,
                                   force=False, book=book, only={r.email for r in records}))
    return summaries


def send_again(config: Config, *, report: Path | None, pending: bool, dry_run: bool,
               force: bool) -> tuple[list[DeliverySummary], list[DeliverySummary]]:
    """`send REPORT.pdf` and/or `send --pending`: (the named report's mailing, the retried ones)."""
    with Ledger(config.path("ledger.path")) as ledger:
        named = [_send_report(Path(report), config, ledger, dry_run=dry_run, force=force)] if report else []
        retried = _send_pending(config, ledger, dry_run=dry_run) if pending else []
    return named, retried


# --- the cluster report: `_mail_brief`'s per-recipient rule for messages the caller builds ---------------

Person = tuple[str, str, Callable[[], EmailMessage]]  # name, address, builds the message when it is needed


def deliver_messages(summary: DeliverySummary, sha: str, people: list[Person], config: Config, ledger: Ledger, *,
                     force: bool) -> DeliverySummary:
    """Each person's message, once per report content (`sha`): previews when not `summary.real`."""
    todo: list[tuple[str, Envelope]] = []
    sender = sender_address(config).addr_spec
    path = str(summary.report)
    for name, email, build in people:
        before = ledger.delivery_status(sha, email)
        if summary.real and not force and before in (DELIVERY_SENT, DELIVERY_REJECTED):
            log.info("skip %s: already %s", email, before)
            summary.results.append(DeliveryResult(name, email, STATUS_SKIPPED))
            continue
        msg = build()
        if not summary.real:
            assert summary.outbox is not None
            eml = atomic.write_bytes(summary.outbox / f"{_slug(email)}.eml", msg.as_bytes())
            if before in (None, DELIVERY_DRY_RUN):  # a preview never hides a real delivery's state
                ledger.record_delivery(sha, path, email, name, DELIVERY_DRY_RUN, message_id=str(msg["Message-ID"]))
            summary.results.append(DeliveryResult(name, email, DELIVERY_DRY_RUN, eml=eml))
            continue
        todo.append((name, Envelope(sender, email, msg)))
    if todo:
        names = {env.recipient: name for name, env in todo}

        def record(env: Envelope) -> None:
            ledger.record_delivery(sha, path, env.recipient, names[env.recipient], env.status, error=env.error,
                                   message_id=str(env.message["Message-ID"]))

        send_all([env for _, env in todo], SmtpSettings.from_config(config), on_done=record)
        for name, env in todo:
            if env.status == DELIVERY_PENDING:
                record(env)
                log.info("still pending for %s: %s", env.recipient, env.error)
            summary.results.append(DeliveryResult(name, env.recipient, env.status, env.error))
    return summary


def _mail_cluster(brief: dict[str, Any], pdf_path: Path, pdf: bytes, config: Config, ledger: Ledger, *, real: bool,
                  force: bool, only: set[str] | None = None) -> DeliverySummary:
    contacts = list(config.cluster.contacts)
    known = {c.email.lower() for c in contacts}  # people promised this report and since left out still get it
    contacts += [Contact(**c) for c in brief.get("contacts", []) if only and c["email"].lower() not in known]
    contacts = [c for c in contacts if only is None or c.email.lower() in only]
    summary = DeliverySummary(pdf_path, real, outbox=config.path("email.outbox_dir") / pdf_path.stem)
    if not contacts:
        summary.note = "danh sách [[cluster.contacts]] trống, không có thư nào để gửi."
        return summary
    people: list[Person] = [(c.name, c.email, functools.partial(cluster_message, brief, c, pdf, pdf_path.name, config))
                            for c in contacts]
    return deliver_messages(summary, hashlib.sha256(pdf).hexdigest(), people, config, ledger, force=force)


def deliver_cluster(brief: dict[str, Any], pdf_path: Path, config: Config, *, send: bool, dry_run: bool, force: bool,
                    ledger: Ledger) -> DeliverySummary:
    """Mail the cluster report to [[cluster.contacts]] (each with their province's standing), once per report
    content and contact; the brief is kept under the PDF's hash for `send REPORT.pdf` and `send --pending`."""
    pdf_path = Path(pdf_path)
    pdf = pdf_path.read_bytes()
    brief = {**brief, "kind": CLUSTER_BRIEF, "contacts": [dataclasses.asdict(c) for c in config.cluster.contacts]}
    ledger.record_report(hashlib.sha256(pdf).hexdigest(), str(pdf_path), brief)
    real = (send or bool(config["email.enabled"])) and not dry_run
    return _mail_cluster(brief, pdf_path, pdf, config, ledger, real=real, force=force)
