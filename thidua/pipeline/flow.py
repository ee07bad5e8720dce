"""The whole flow for one file: process it, sign its report, deliver it; a fault of the machine becomes an
OUTCOME_SYSTEM (the file is processed again later), never the officer's fault."""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path

from thidua.base.config import Config
from thidua.base.errors import ThiduaError
from thidua.base.faults import system_fault
from thidua.base.model import OUTCOME_FAILED, OUTCOME_OK, OUTCOME_SYSTEM
from thidua.pipeline.outcomes import UNSIGNED_SUFFIX, FileOutcome, MailPlan, ProcessFn, output_stem
from thidua.pipeline.workbook import process_workbook

log = logging.getLogger(__name__)


def sign(outcome: FileOutcome, config: Config) -> None:
    """Sign a new unsigned report into <stem>.pdf ([signing] names a key); the unsigned copy is then removed.

    When signing fails the outcome becomes a failure (exit 2, nothing mailed): the unsigned report stays as
    <stem>.chua-ky.pdf, and an earlier <stem>.pdf is removed so it cannot pass for this one.
    """
    unsigned = outcome.pdf
    if outcome.outcome != OUTCOME_OK or unsigned is None or not unsigned.name.endswith(UNSIGNED_SUFFIX):
        return
    from thidua.report.signing import sign_report

    target = unsigned.with_name(unsigned.name[: -len(UNSIGNED_SUFFIX)] + ".pdf")
    agency = outcome.assessment.submission.meta.agency if outcome.assessment is not None else ""
    try:
        outcome.signatures = sign_report(unsigned, target, config, agency_name=agency)
    except Exception as exc:
        if isinstance(exc, ThiduaError):
            why = exc.message + (f" {exc.hint}" if exc.hint else "")
        else:
            log.exception("signing the report of %s failed", outcome.source.name)
            why = f"Lỗi hệ thống: {type(exc).__name__}: {exc}"
        with contextlib.suppress(OSError):
            target.unlink()
        # not the officer's workbook: it stays in input/ (retried once the key is fixed); no results, no mail
        outcome.outcome, outcome.assessment = OUTCOME_SYSTEM, None
        outcome.message = f"Chưa ký số được báo cáo, không gửi thư. {why} Báo cáo chưa ký: {unsigned}"
        return
    unsigned.unlink()
    outcome.outputs = [target if p == unsigned else p for p in outcome.outputs]


def deliver(outcome: FileOutcome, config: Config, plan: MailPlan, fingerprint: str = "") -> None:
    """Mail a new report to the council members (or write the .eml previews); the lines go on `outcome`.

    Runs where the report was made (a worker), with its own ledger connection, so slow SMTP never
    stalls the watcher; mail trouble never loses the report: `send --pending` retries. A fault of the
    machine (the ledger locked, damaged or unwritable, a full disk) is raised: the file is processed again
    later, since nothing may be mailed that the ledger cannot record.
    """
    from thidua.base.ledger import Ledger, report_key
    from thidua.delivery.mailing import deliver_report

    if outcome.assessment is None or outcome.pdf is None:
        return
    key = report_key(outcome.sha256, fingerprint) if fingerprint and outcome.sha256 else ""
    try:
        with Ledger.for_config(config) as ledger:
            summary = deliver_report(outcome.assessment, outcome.pdf, config, send=plan.send,
                                     dry_run=plan.dry_run, force=plan.force, ledger=ledger, key=key)
        outcome.mail, outcome.mail_ok = summary.messages, summary.ok
    except Exception as exc:
        if system_fault(exc):
            raise
        log.exception("mailing the report of %s failed", outcome.source.name)
        outcome.mail = [f"{outcome.source.name}: chưa gửi được thư: {type(exc).__name__}: {exc}"]
        outcome.mail_ok = False


def run_workbook(source: Path, config: Config, *, write_json: bool = False, output_name: str | None = None,
                 mail: MailPlan | None = None, process: ProcessFn = process_workbook,
                 fingerprint: str = "") -> FileOutcome:
    """The whole flow for one file: process it, sign its report when [signing] names a key, deliver it.

    A fault of the machine (disk full, folder read-only, ledger locked) is an OUTCOME_SYSTEM with the cause in
    Vietnamese: the file goes back to input/ to be processed again, it is not the officer's to fix. A crash of
    ours still gets an answer (a note in output/ saying it is not the officer's fault).
    """
    stem = output_name or output_stem(source)
    try:
        outcome = process(source, config, write_json=write_json, output_name=stem)
        sign(outcome, config)
        if mail is not None and outcome.outcome == OUTCOME_OK:
            deliver(outcome, config, mail, fingerprint)
    except Exception as exc:
        fault = system_fault(exc, writing_to=config.output_dir)
        if fault is not None:
            log.warning("system fault while processing %s: %s", source.name, fault)
            return FileOutcome(source, OUTCOME_SYSTEM, message=f"Lỗi hệ thống: {fault}")
        log.exception("processing %s failed", source.name)
        outcome = FileOutcome(source, OUTCOME_FAILED, message=f"Lỗi chương trình: {type(exc).__name__}: {exc}")
        try:
            from thidua.intake.error_copy import write_failure_note

            outcome.outputs.append(write_failure_note(source, exc, config.output_dir / f"{stem}.loi.txt"))
        except Exception:
            log.exception("could not write the failure note for %s", source.name)
    return outcome
