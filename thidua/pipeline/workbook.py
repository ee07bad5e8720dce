"""One workbook read, validated, evaluated and rendered (the PDF, the results workbook, the JSON): the part
of the flow a worker process runs, never raising for bad data."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

from thidua.base.config import Config, interim_settings, scoring_settings
from thidua.base.errors import UnreadableFileError
from thidua.base.hashing import sha256_of
from thidua.base.model import OUTCOME_ISSUES, OUTCOME_OK, OUTCOME_UNREADABLE, PERIOD_YEAR
from thidua.pipeline.ledger_lookups import earlier_years, last_year_actuals
from thidua.pipeline.outcomes import UNSIGNED_SUFFIX, FileOutcome, output_stem


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
            import thidua.delivery.mailing  # noqa: F401  (the mails follow the PDF)
            if signing:  # the keys and the signature's look (WeasyPrint) made ready on this core meanwhile
                from thidua.report.signing import prepare

                prepare(config)
    finally:
        made = pdf.wait()
    outputs.insert(0, made)
    _remove_old_answers(out_dir, stem, *([] if pdf_name.endswith(UNSIGNED_SUFFIX) else [UNSIGNED_SUFFIX]))
    return FileOutcome(source, OUTCOME_OK, digest, outputs=outputs, assessment=assessment,
                       seconds=time.perf_counter() - started, notices=result.notices)


def _remove_old_answers(out_dir: Path, stem: str, *more: str) -> None:
    """The workbook is good now: an earlier error copy or note (or unsigned copy) under its name would only
    mislead."""
    for suffix in (".loi.xlsx", ".loi.txt", *more):
        with contextlib.suppress(OSError):  # gone already, or open in Excel on Windows: leave it
            (out_dir / f"{stem}{suffix}").unlink()
