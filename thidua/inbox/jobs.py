"""One file's passage through the dispatcher: the job in progress, what came of it, the output names."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from thidua.base.config import Config
from thidua.base.model import PERIOD_YEAR
from thidua.inbox import folder
from thidua.pipeline import FileOutcome

Item = Path | folder.Claim  # a file waiting in input/ (or named on the command line), or one already claimed


@dataclass
class Done:
    """One file handled: its outcome, whether a recorded result was reused, where the input went."""

    outcome: FileOutcome
    name: str
    reused: bool = False
    moved_to: Path | None = None
    seconds: float = 0.0
    recorded_issues: int = 0  # a reused result only knows how many issues there were
    retry_in: float | None = None  # a system fault in watch mode: seconds until the file is tried again
    file_id: int = 0  # its row in the ledger's files table

    @property
    def mail(self) -> list[str]:
        """What the mailing said about this file's report (nothing for a reused result)."""
        return self.outcome.mail

    @property
    def mail_ok(self) -> bool:
        return self.outcome.mail_ok

    @property
    def n_issues(self) -> int:
        return len(self.outcome.issues) or self.recorded_issues


@dataclass(frozen=True)
class Changed:
    """A province's year-end result recorded (new or replaced): its cluster's report may need rebuilding."""

    province: str
    year: int
    cluster: str
    period: str = PERIOD_YEAR


@dataclass
class Job:
    name: str
    path: Path
    sha256: str
    claim: folder.Claim | None
    file_id: int = 0
    stem: str = ""
    started: float = field(default_factory=time.monotonic)
    generation: int = 0  # which pool ran it (a dead worker breaks the whole pool)
    solo: bool = False  # suspected of killing its worker: runs alone, so a death is told apart

    @property
    def item(self) -> Item:
        return self.claim or self.path


@dataclass(frozen=True)
class Held:
    item: Item


def default_workers(config: Config) -> int:
    return int(config["inbox.workers"]) or os.cpu_count() or 1


def item_key(item: Item) -> str:
    return str(item.path if isinstance(item, folder.Claim) else item)


class OutputNames:
    """Outputs are named after the file; two different workbooks of one pass that would share a name
    ("a.xlsx" and "a.XLSX") get "a" and "a (2)", so neither report overwrites the other.

    For one pass over a folder every file of the pass keeps its name; in watch mode only files in progress
    do, so a later corrected drop replaces its report.
    """

    def __init__(self, one_pass: bool) -> None:
        self.one_pass = one_pass
        self._stems: dict[str, str] = {}  # output stem (case-folded) → content digest

    def take(self, name: str, digest: str) -> str:
        base = folder.result_stem(name)
        stem, n = base, 1
        while self._stems.setdefault(stem.casefold(), digest) != digest:
            n += 1
            stem = f"{base} ({n})"
        return stem

    def release(self, stem: str, running: list[Job]) -> None:
        """Watch mode: a name is free again once no file of that name is in progress."""
        if not self.one_pass and not any(j.stem.casefold() == stem.casefold() for j in running):
            self._stems.pop(stem.casefold(), None)
