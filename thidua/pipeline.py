"""One workbook end to end: intake → scoring → report → signing → delivery (batch, watch and the web call
this); and a cluster's year from the ledger: ranking → report → mail to the contacts."""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from thidua.base.config import Config, interim_settings, scoring_settings
from thidua.base.errors import ThiduaError, UnreadableFileError
from thidua.base.faults import system_fault
from thidua.base.hashing import sha256_of
from thidua.base.model import (
    OUTCOME_FAILED,
    OUTCOME_ISSUES,
    OUTCOME_OK,
    OUTCOME_SYSTEM,
    OUTCOME_UNREADABLE,
    PERIOD_YEAR,
    Assessment,
    Issue,
    Signature,
    Submission,
)
from thidua.base.textfold import fold

if TYPE_CHECKING:
    from thidua.base.ledger import Ledger
    from thidua.cluster.history import Comparison
    from thidua.cluster.ranking import Ranking

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
    signatures: list[Signature] = field(default_factory=list)  # put on the PDF by `sign`
    notices: list[Issue] = field(default_factory=list)  # read differently from a plain table (not problems)
    code: str = ""  # the issue code of a refused file (unreadable), as `check` names it

    @property
    def pdf(self) -> Path | None:
        return next((p for p in self.outputs if p.suffix == ".pdf"), None)


ProcessFn = Callable[..., FileOutcome]  # process_workbook(source, config, *, write_json, output_name)


UNSIGNED_SUFFIX = ".chua-ky.pdf"  # the report before signing: never mailed, kept when signing fails


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
    from thidua.report import layout_process

    started = time.perf_counter()
    layout_process.start_ahead(config.templates_dir)  # a cold process: WeasyPrint loads on the other core
    stem = output_name or output_stem(source)
    out_dir = config.output_dir
    digest = sha256_of(source)
    try:
        result = reader.read_workbook(source)
    except UnreadableFileError as exc:
        from thidua.intake.error_copy import write_unreadable_note

        note = write_unreadable_note(source, exc, out_dir / f"{stem}.loi.txt")
        return FileOutcome(source, OUTCOME_UNREADABLE, digest, message=exc.message, outputs=[note],
                           seconds=time.perf_counter() - started, code=exc.code)
    if not result.valid or result.submission is None:
        from thidua.intake.error_copy import write_error_copy

        copy = write_error_copy(source, result.issues, out_dir / f"{stem}.loi.xlsx")
        return FileOutcome(source, OUTCOME_ISSUES, digest, issues=result.issues, outputs=[copy],
                           seconds=time.perf_counter() - started, notices=result.notices)

    from thidua.report.signing_keys import signing_configured, warm_up
    from thidua.scoring.evaluate import evaluate

    submission = result.submission
    submission.source = source
    submission.sha256 = digest
    interim = submission.meta.period != PERIOD_YEAR
    assessment = evaluate(submission, scoring_settings(config), templates_dir=config.templates_dir,
                          interim_settings=interim_settings(config),
                          last_year=last_year_actuals(submission, config) if interim else None)
    history = None if interim else earlier_years(assessment, config)  # year-end reports compare years
    signing = signing_configured(config)
    if signing:
        warm_up()
    pdf_name = stem + (UNSIGNED_SUFFIX if signing else ".pdf")  # `sign` names it <stem>.pdf
    pdf = layout_process.start_pdf(assessment, config, out_dir / pdf_name, history=history)
    try:  # the results workbook is written while the helper (if any) lays out the PDF
        from thidua.report.results_workbook import write_results  # openpyxl: after the HTML is handed over

        outputs = [write_results(assessment, out_dir / f"{stem}.ket-qua.xlsx", history=history)]
        if write_json:
            from thidua.report import results_json

            outputs.append(results_json.write_json(assessment, out_dir / f"{stem}.json"))
        if pdf.helper is not None:  # still waiting for the layout: load what comes after it now
            import thidua.delivery.mailing  # the mails follow the PDF
            if signing:
                import thidua.report.signing  # noqa: F401  (WeasyPrint for the signature's look, pyHanko)
    finally:
        made = pdf.wait()
    outputs.insert(0, made)
    _remove_old_answers(out_dir, stem, *([] if pdf_name.endswith(UNSIGNED_SUFFIX) else [UNSIGNED_SUFFIX]))
    return FileOutcome(source, OUTCOME_OK, digest, outputs=outputs, assessment=assessment,
                       seconds=time.perf_counter() - started, notices=result.notices)


def earlier_years(assessment: Assessment, config: Config) -> Comparison | None:
    """The province's earlier year-end results in the ledger, compared with this one (None when there are
    none, or no ledger yet); a ledger that cannot be read never stops the report."""
    from thidua.base.ledger import Ledger
    from thidua.cluster.history import compare

    path = config.path("ledger.path")
    if not path.is_file():
        return None
    try:
        with Ledger(path) as ledger:
            return compare(ledger, assessment, int(config["scoring.points_precision"]))
    except sqlite3.Error:
        log.exception("could not read earlier years of %s from the ledger", assessment.submission.meta.province)
        return None


def last_year_actuals(submission: Submission, config: Config) -> dict[str, float]:
    """Code → the province's year-end actual of last year, for each cumulative criterion the ledger knows
    with the same code and kind: an interim review reads last year's share at this point from it."""
    path = config.path("ledger.path")
    if not path.is_file():  # nothing recorded yet (and reading must not create a ledger)
        return {}
    from thidua.base.ledger import Ledger
    from thidua.base.year_end import year_end_actuals

    meta = submission.meta
    with Ledger(path) as ledger:
        known = {fold(code): found for code, found in year_end_actuals(ledger, meta.province, meta.year - 1).items()}
    out: dict[str, float] = {}
    criteria = submission.criteria
    for code, kind, cumulative in zip(criteria["code"], criteria["kind"], criteria["cumulative"], strict=True):
        found = known.get(fold(str(code)))
        if cumulative and found is not None and found[0] == kind:
            out[str(code)] = found[1]
    return out


def _remove_old_answers(out_dir: Path, stem: str, *more: str) -> None:
    """The workbook is good now: an earlier error copy or note (or unsigned copy) under its name would only
    mislead."""
    for suffix in (".loi.xlsx", ".loi.txt", *more):
        with contextlib.suppress(OSError):  # gone already, or open in Excel on Windows: leave it
            (out_dir / f"{stem}{suffix}").unlink()


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


@dataclass
class ClusterOutcome:
    """What building a cluster's year report did; the CLI, batch and watch read this."""

    year: int | None
    cluster: str = ""
    outputs: list[Path] = field(default_factory=list)
    ranked: int = 0
    missing: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    mail: list[str] = field(default_factory=list)
    mail_ok: bool = True
    ranking: Ranking | None = None
    error: str = ""  # why an automatic rebuild failed (the province files it followed are unaffected)

    @property
    def pdf(self) -> Path | None:
        return next((p for p in self.outputs if p.suffix == ".pdf"), None)


def cluster_stem(year: int) -> str:
    """output/cum-thi-dua-<year>.pdf, .xlsx, .json"""
    return f"cum-thi-dua-{year}"


def build_cluster_report(config: Config, year: int | None = None, *, write_json: bool = False,
                         mail: MailPlan | None = None) -> ClusterOutcome:
    """Rank the cluster's members for `year` (default: the latest year with results for the cluster) from
    the ledger's year-end results; write the PDF, the workbook (and JSON); mail the contacts when `mail`.
    Nothing to rank → an outcome with `ranked == 0` and no file written."""
    from thidua.base.errors import ConfigError
    from thidua.base.ledger import Ledger
    from thidua.cluster.build import cluster_years, rank_year

    settings = config.cluster
    if not settings.configured:
        raise ConfigError("Chưa khai báo Cụm thi đua: cần \"name\" hoặc \"members\" trong mục [cluster] của "
                          "config.toml.", hint="Xem mục \"Cụm thi đua\" trong README.md.")
    path = config.path("ledger.path")
    if not path.is_file():
        return ClusterOutcome(year, settings.name)
    with Ledger(path) as ledger:
        if year is None:
            years = cluster_years(ledger, settings)
            if not years:
                return ClusterOutcome(None, settings.name, missing=list(settings.members))
            year = years[-1]
        ranking = rank_year(ledger, settings, year, precision=int(config["scoring.points_precision"]))
        outcome = ClusterOutcome(year, ranking.cluster, ranked=len(ranking.standings), missing=ranking.missing,
                                 warnings=ranking.warnings, ranking=ranking)
        if not ranking.standings:
            return outcome
        _write_cluster_files(ranking, config, outcome, write_json)
        if mail is not None and outcome.pdf is not None:
            _mail_cluster(ranking, outcome, config, mail, ledger)
    return outcome


def _write_cluster_files(ranking: Ranking, config: Config, outcome: ClusterOutcome, write_json: bool) -> None:
    from thidua.report.cluster_pdf import render_cluster_pdf
    from thidua.report.cluster_workbook import write_cluster_workbook

    stem = config.output_dir / cluster_stem(ranking.year)
    outcome.outputs += [render_cluster_pdf(ranking, config, stem.with_suffix(".pdf")),
                        write_cluster_workbook(ranking, stem.with_suffix(".xlsx"))]
    if write_json:
        from thidua.report.cluster_json import write_json as write_cluster_json

        outcome.outputs.append(write_cluster_json(ranking, stem.with_suffix(".json")))


def _mail_cluster(ranking: Ranking, outcome: ClusterOutcome, config: Config, plan: MailPlan, ledger: Ledger) -> None:
    """Mail trouble never loses the report: what went wrong goes on `outcome`, `send --pending` retries."""
    from thidua.cluster.gaps import standings_brief
    from thidua.delivery.mailing import deliver_cluster

    assert outcome.pdf is not None
    brief = standings_brief(ranking, int(config["scoring.points_precision"]))
    try:
        summary = deliver_cluster(brief, outcome.pdf, config, send=plan.send, dry_run=plan.dry_run, force=plan.force,
                                  ledger=ledger)
        outcome.mail, outcome.mail_ok = summary.messages, summary.ok
    except Exception as exc:
        log.exception("mailing the cluster report failed")
        outcome.mail = [f"{outcome.pdf.name}: chưa gửi được thư: {type(exc).__name__}: {exc}"]
        outcome.mail_ok = False
