"""What one run did, as the CLI, batch, watch, the web and the ledger read it: a file's or a cluster year's
outcome, the mail plan, and how outputs are named."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from thidua.base.model import Assessment, Issue, Signature

if TYPE_CHECKING:
    from thidua.cluster.ranking import Ranking


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
