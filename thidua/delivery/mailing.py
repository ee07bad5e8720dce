"""One report's mailing: a message per council member, as .eml previews or over SMTP, exactly once each.

Real mail goes through the outbox (delivery.outbox): recorded and claimed in the ledger before the first
connection, under the report's key (what was sent: the workbook's content and the settings), so a re-render,
a second name for the same workbook or a second process never mails a member twice.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import logging
import re
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from thidua.base import atomic
from thidua.base.cluster_config import Contact
from thidua.base.config import Config, Recipient
from thidua.base.errors import UsageError
from thidua.base.fingerprint import settings_fingerprint
from thidua.base.ledger import (
    DELIVERY_DRY_RUN,
    DELIVERY_PENDING,
    DELIVERY_SENDING,
    DeliveryRecord,
    Ledger,
    report_key,
)
from thidua.base.model import Assessment
from thidua.base.program import command_name
from thidua.delivery.brief import ReportBrief
from thidua.delivery.cluster_mail import CLUSTER_BRIEF, cluster_message
from thidua.delivery.compose import build_message, sender_address
from thidua.delivery.outbox import CLAIMED, DONE, Outbox
from thidua.delivery.recipients import plan_recipients
from thidua.delivery.smtp import Envelope, SmtpSettings, send_all
from thidua.delivery.summary import STATUS_ELSEWHERE, STATUS_SKIPPED, DeliveryResult, DeliverySummary

log = logging.getLogger(__name__)

__all__ = ["STATUS_SKIPPED", "DeliveryResult", "DeliverySummary", "deliver_report", "send_again"]


def _slug(email: str) -> str:
    return re.sub(r"[^A-Za-z0-9@._+-]+", "_", email.lower())


def _with_id(msg: EmailMessage, message_id: str) -> EmailMessage:
    """A retry carries the Message-ID of the first attempt, so a mail client merges a duplicate."""
    if message_id and msg["Message-ID"] != message_id:
        del msg["Message-ID"]
        msg["Message-ID"] = message_id
    return msg


Person = tuple[str, str, Callable[[], EmailMessage]]  # name, address, builds the message when it is needed


def _mail_brief(brief: ReportBrief, pdf_path: Path, pdf: bytes, key: str, config: Config, ledger: Ledger, *,
                real: bool, force: bool, book: list[Recipient], only: set[str] | None = None) -> DeliverySummary:
    """A province report's mailing: every addressee of the book with their own criteria."""
    plan = plan_recipients(book, brief)
    addressees = [a for a in plan.addressees if only is None or a.email.lower() in only]
    summary = DeliverySummary(pdf_path, real, unmatched=plan.unmatched,
                              outbox=config.path("email.outbox_dir") / pdf_path.stem)
    people: list[Person] = [(a.name, a.email, functools.partial(build_message, brief, a, pdf, pdf_path.name, config))
                            for a in addressees]
    return deliver_messages(summary, key, pdf, people, config, ledger, force=force)


def deliver_messages(summary: DeliverySummary, key: str, pdf: bytes, people: list[Person], config: Config,
                     ledger: Ledger, *, force: bool) -> DeliverySummary:
    """Each person's message once per report `key`: .eml previews when not `summary.real`, else over SMTP
    through the outbox (claimed before the first connection, sent only after the server's 250)."""
    sha = hashlib.sha256(pdf).hexdigest()
    pdf_path = summary.report
    messages = {email.lower(): build() for _, email, build in people}
    if not summary.real:
        assert summary.outbox is not None
        for name, email, _ in people:
            msg = messages[email.lower()]
            eml = atomic.write_bytes(summary.outbox / f"{_slug(email)}.eml", msg.as_bytes())
            if ledger.delivery_status(key, email) in (None, DELIVERY_DRY_RUN):  # never hides a real state
                ledger.record_delivery(key, str(pdf_path), email, name, DELIVERY_DRY_RUN,
                                       message_id=str(msg["Message-ID"]), report_sha256=sha)
            summary.results.append(DeliveryResult(name, email, DELIVERY_DRY_RUN, eml=eml))
        return summary

    sender = sender_address(config).addr_spec
    outbox = Outbox(ledger, key, sha, str(pdf_path))
    slots = outbox.claim([(email, name, str(messages[email.lower()]["Message-ID"])) for name, email, _ in people],
                         force=force)
    todo: list[tuple[str, Envelope, bool]] = []
    for name, email, _ in people:
        slot = slots[email.lower()]
        if slot.state != CLAIMED:
            status = STATUS_SKIPPED if slot.state == DONE else STATUS_ELSEWHERE
            log.info("not sending to %s: %s", email, status)
            summary.results.append(DeliveryResult(name, email, status))
            continue
        msg = _with_id(messages[email.lower()], slot.message_id)
        todo.append((name, Envelope(sender, email, msg), slot.in_doubt))
    try:
        if todo:
            send_all([env for _, env, _ in todo], SmtpSettings.from_config(config),
                     on_start=lambda env: outbox.sending(env.recipient),
                     on_done=lambda env: outbox.finish(env.recipient, env.status, env.error))
        for name, env, was_in_doubt in todo:
            if env.status == DELIVERY_PENDING:
                outbox.finish(env.recipient, env.status, env.error, in_doubt=env.in_doubt)
                log.info("still pending for %s: %s", env.recipient, env.error)  # the summary says it in Vietnamese
            summary.results.append(DeliveryResult(name, env.recipient, env.status, env.error,
                                                  in_doubt=was_in_doubt or env.in_doubt))
    finally:
        outbox.abandon()  # whatever an exception left claimed
    return summary


def deliver_report(assessment: Assessment, pdf_path: Path, config: Config, *, send: bool, dry_run: bool,
                   force: bool, ledger: Ledger, key: str = "") -> DeliverySummary:
    """The batch's hook after a PDF is made: real mail when `send` or email.enabled (and not dry_run).

    The report's brief is stored in the ledger under the PDF's hash, so `send REPORT.pdf` and
    `send --pending` can rebuild the same messages later without the workbook. Its mail is keyed by `key`,
    by default the workbook's SHA-256 with the settings fingerprint (base.ledger.report_key).
    """
    pdf_path = Path(pdf_path)
    pdf = pdf_path.read_bytes()
    brief = ReportBrief.from_assessment(assessment)
    source = assessment.submission.sha256
    key = key or (report_key(source, settings_fingerprint(config)) if source else "")
    key = ledger.record_report(hashlib.sha256(pdf).hexdigest(), str(pdf_path), brief.to_dict(), key)
    real = (send or bool(config["email.enabled"])) and not dry_run
    return _mail_brief(brief, pdf_path, pdf, key, config, ledger, real=real, force=force, book=config.recipients)


def _send_report(report: Path, config: Config, ledger: Ledger, *, dry_run: bool, force: bool) -> DeliverySummary:
    pdf = report.read_bytes()
    sha = hashlib.sha256(pdf).hexdigest()
    found, key = ledger.report_brief(sha), ledger.report_key_of(sha)
    if found is None or key is None:
        raise UsageError(f"Sổ theo dõi {ledger.path} không có thông tin về báo cáo \"{report}\" "
                         "(tệp không do thidua tạo, hoặc đã bị sửa sau khi tạo).",
                         hint=f"Tạo lại báo cáo từ tệp Excel: {command_name()} run TỆP.xlsx")
    if found[1].get("kind") == CLUSTER_BRIEF:
        return _mail_cluster(found[1], report, pdf, key, config, ledger, real=not dry_run, force=force)
    brief = ReportBrief.from_dict(found[1])
    return _mail_brief(brief, report, pdf, key, config, ledger, real=not dry_run, force=force,
                       book=config.recipients)


def _current_rendering(ledger: Ledger, key: str) -> tuple[Path, bytes, dict[str, object]] | None:
    """The newest PDF of this report key that is still on disk as it was made (re-renders included)."""
    for sha, path, brief in ledger.reports_for_key(key):
        try:
            pdf = Path(path).read_bytes()
        except OSError:
            continue
        if hashlib.sha256(pdf).hexdigest() == sha:
            return Path(path), pdf, brief
    return None


def _send_pending(config: Config, ledger: Ledger, *, dry_run: bool) -> list[DeliverySummary]:
    """Retry every pending or in-doubt delivery, report by report; people left out of the book still get theirs."""
    groups: dict[str, list[DeliveryRecord]] = {}
    for record in ledger.pending_deliveries():
        groups.setdefault(record.report_key, []).append(record)
    summaries = []
    for key, records in groups.items():
        current = _current_rendering(ledger, key)
        if current is None:
            known = ledger.reports_for_key(key)
            path = Path(known[0][1] if known else records[0].report_path)
            why = ("không có thông tin báo cáo trong sổ theo dõi" if not known
                   else "không còn tệp báo cáo này (đã bị chuyển, xóa hoặc tạo lại)")
            summaries.append(DeliverySummary(path, True, note=f"{why}; {len(records)} thư vẫn còn treo.", results=[
                DeliveryResult(r.name, r.email, DELIVERY_PENDING, r.last_error,
                               in_doubt=r.in_doubt or r.status == DELIVERY_SENDING) for r in records]))
            continue
        path, pdf, brief = current
        if brief.get("kind") == CLUSTER_BRIEF:
            summaries.append(_mail_cluster(brief, path, pdf, key, config, ledger, real=not dry_run, force=False,
                                           only={r.email for r in records}))
            continue
        known_emails = {r.email.lower() for r in config.recipients}
        book = config.recipients + [Recipient(r.name, r.email) for r in records if r.email not in known_emails]
        summaries.append(_mail_brief(ReportBrief.from_dict(brief), path, pdf, key, config, ledger,
                                     real=not dry_run, force=False, book=book, only={r.email for r in records}))
    return summaries


def send_again(config: Config, *, report: Path | None, pending: bool, dry_run: bool,
               force: bool) -> tuple[list[DeliverySummary], list[DeliverySummary]]:
    """`send REPORT.pdf` and/or `send --pending`: (the named report's mailing, the retried ones)."""
    with Ledger.for_config(config) as ledger:
        named = [_send_report(Path(report), config, ledger, dry_run=dry_run, force=force)] if report else []
        retried = _send_pending(config, ledger, dry_run=dry_run) if pending else []
    return named, retried


# --- the cluster report: the same rules, for the messages of [[cluster.contacts]] ----------------------

def _mail_cluster(brief: dict[str, Any], pdf_path: Path, pdf: bytes, key: str, config: Config, ledger: Ledger, *,
                  real: bool, force: bool, only: set[str] | None = None) -> DeliverySummary:
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
    return deliver_messages(summary, key, pdf, people, config, ledger, force=force)


def deliver_cluster(brief: dict[str, Any], pdf_path: Path, config: Config, *, send: bool, dry_run: bool, force: bool,
                    ledger: Ledger) -> DeliverySummary:
    """Mail the cluster report to [[cluster.contacts]] (each with their province's standing), once per report
    content and contact; the brief is kept under the PDF's hash for `send REPORT.pdf` and `send --pending`."""
    pdf_path = Path(pdf_path)
    pdf = pdf_path.read_bytes()
    brief = {**brief, "kind": CLUSTER_BRIEF, "contacts": [dataclasses.asdict(c) for c in config.cluster.contacts]}
    key = ledger.record_report(hashlib.sha256(pdf).hexdigest(), str(pdf_path), brief)  # keyed by the PDF's content
    real = (send or bool(config["email.enabled"])) and not dry_run
    return _mail_cluster(brief, pdf_path, pdf, key, config, ledger, real=real, force=force)
