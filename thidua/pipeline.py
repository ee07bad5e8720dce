"""One workbook end to end: intake → scoring → report → delivery. Batch, watch and the web call this."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from thidua.base.config import Config, scoring_settings
from thidua.base.errors import UnreadableFileError
from thidua.base.faults import system_fault
from thidua.base.hashing import sha256_of
from thidua.base.model import (
    OUTCOME_FAILED,
    OUTCOME_ISSUES,
    OUTCOME_OK,
    OUTCOME_SYSTEM,
    OUTCOME_UNREADABLE,
    Assessment,
    Issue,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MailPlan:
    """How to mail a new report: real mail with --send (or email.enabled), .eml only with --dry-run."""

    send: bool = False
    dry_run: bool = False
    force: bool = False


@dataclass
class FileOutcome:
    """What happened to one input file; the CLI and the ledger read this."""

    source: Path
    outcome: str
    sha256: str = ""
    issues: list[Issue] = field(default_factory=list)
    outputs: list[Path] = field(default_factory=list)
    assessment: Assessment | None = None
    message: str = ""
    seconds: float = 0.0
    mail: list[str] = field(default_factory=list)  # what the mailing says, line by line
    mail_ok: bool = True  # False when someone did not get the report (pending or rejected)

    @property
    def pdf(self) -> Path | None:
        return next((p for p in self.outputs if p.suffix == ".pdf"), None)


ProcessFn = Callable[..., FileOutcome]  # process_workbook(source, config, *, write_json, output_name)


def output_stem(source: Path) -> str:
    """Outputs are named after the input file: dong-thap-2022.xlsx → dong-thap-2022.*"""
    return source.stem


def process_workbook(
    source: Path,
    config: Config,
    *,
    write_json: bool = False,
    output_name: str | None = None,
) -> FileOutcome:
    """Read, validate, evaluate and render one workbook; never raises for bad data."""
    from thidua.intake import reader

    started = time.perf_counter()
    stem = output_name or output_stem(source)
    out_dir = config.output_dir
    digest = sha256_of(source)
    try:
        result = reader.read_workbook(source)
    except UnreadableFileError as exc:
        from thidua.intake.error_copy import write_unreadable_note

        note = write_unreadable_note(source, exc, out_dir / f"{stem}.loi.txt")
        return FileOutcome(source, OUTCOME_UNREADABLE, digest, message=exc.message, outputs=[note],
                           seconds=time.perf_counter() - started)
    if not result.valid or result.submission is None:
        from thidua.intake.error_copy import write_error_copy

        copy = write_error_copy(source, result.issues, out_dir / f"{stem}.loi.xlsx")
        return FileOutcome(source, OUTCOME_ISSUES, digest, issues=result.issues, outputs=[copy],
                           seconds=time.perf_counter() - started)

    from thidua.report.pdf import render_pdf
    from thidua.report.results_workbook import write_results
    from thidua.scoring.evaluate import evaluate

    submission = result.submission
    submission.source = source
    submission.sha256 = digest
    assessment = evaluate(submission, scoring_settings(config), templates_dir=config.templates_dir)
    outputs = [
        render_pdf(assessment, config, out_dir / f"{stem}.pdf"),
        write_results(assessment, out_dir / f"{stem}.ket-qua.xlsx"),
    ]
    if write_json:
        from thidua.report import results_json

        outputs.append(results_json.write_json(assessment, out_dir / f"{stem}.json"))
    _remove_old_answers(out_dir, stem)
    return FileOutcome(source, OUTCOME_OK, digest, outputs=outputs, assessment=assessment,
                       seconds=time.perf_counter() - started)


def _remove_old_answers(out_dir: Path, stem: str) -> None:
    """The workbook is good now: an earlier error copy or note under its name would only mislead."""
    for suffix in (".loi.xlsx", ".loi.txt"):
        with contextlib.suppress(OSError):  # gone already, or open in Excel on Windows: leave it
            (out_dir / f"{stem}{suffix}").unlink()


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
    """The whole flow for one file: process it, then deliver its report.

    A fault of the machine (disk full, folder read-only, ledger locked) is an OUTCOME_SYSTEM with the cause in
    Vietnamese: the file goes back to input/ to be processed again, it is not the officer's to fix. A crash of
    ours still gets an answer (a note in output/ saying it is not the officer's fault).
    """
    stem = output_name or output_stem(source)
    try:
        outcome = process(source, config, write_json=write_json, output_name=stem)
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
