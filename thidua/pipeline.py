"""Process one workbook end to end: read, evaluate, write the PDF and result files."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from thidua.base.config import Config, scoring_settings
from thidua.base.errors import UnreadableFileError
from thidua.base.model import Assessment, Issue

log = logging.getLogger(__name__)

OUTCOME_OK = "ok"  # PDF written
OUTCOME_ISSUES = "issues"  # data problems; error copy written
OUTCOME_UNREADABLE = "unreadable"  # hostile or broken file; .loi.txt written


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

    @property
    def pdf(self) -> Path | None:
        return next((p for p in self.outputs if p.suffix == ".pdf"), None)


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file, read in chunks (files are at most tens of MB)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


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
    from thidua.intake import reader as workbook

    started = time.perf_counter()
    stem = output_name or output_stem(source)
    out_dir = config.output_dir
    digest = sha256_of(source)
    try:
        result = workbook.read_workbook(source)
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

    from thidua.report import pdf as render
    from thidua.report import results_workbook as results_xlsx
    from thidua.scoring import evaluate as scoring

    submission = result.submission
    submission.source = source
    submission.sha256 = digest
    assessment = scoring.evaluate(submission, scoring_settings(config), templates_dir=config.templates_dir)
    outputs = [
        render.render_pdf(assessment, config, out_dir / f"{stem}.pdf"),
        results_xlsx.write_results(assessment, out_dir / f"{stem}.ket-qua.xlsx"),
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
