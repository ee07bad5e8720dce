"""Run the pipeline over several files and report each outcome to the person."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from thidua.cli_output import print_outcome
from thidua.config import Config
from thidua.errors import EXIT_DATA_ISSUES, EXIT_OK, EXIT_UNREADABLE
from thidua.pipeline import OUTCOME_ISSUES, OUTCOME_OK, OUTCOME_UNREADABLE, FileOutcome, process_workbook


def exit_code_for(outcomes: list[FileOutcome]) -> int:
    """Worst outcome wins: unreadable (3) > data issues (1) > fine (0)."""
    kinds = {o.outcome for o in outcomes}
    if OUTCOME_UNREADABLE in kinds:
        return EXIT_UNREADABLE
    if OUTCOME_ISSUES in kinds:
        return EXIT_DATA_ISSUES
    return EXIT_OK


def run_files(files: list[Path], config: Config, *, out: TextIO, quiet: bool = False,
              write_json: bool = False, send: bool = False, dry_run: bool = False,
              force: bool = False, claim: bool = False) -> int:
    """Process the named files in place (they are not moved); print one block per file."""
    outcomes = []
    for path in files:
        outcome = process_workbook(path, config, write_json=write_json)
        outcomes.append(outcome)
        if not quiet or outcome.outcome != OUTCOME_OK:
            print_outcome(outcome, out)
    return exit_code_for(outcomes)


def run_inbox(config: Config, *, out: TextIO, quiet: bool = False) -> int:
    """Process every workbook waiting in input/ once."""
    files = sorted(p for p in config.input_dir.glob("*") if p.is_file() and p.suffix.lower() == ".xlsx"
                   and not p.name.startswith(("~$", ".")))
    if not files:
        if not quiet:
            print(f"Không có tệp Excel nào trong {config.input_dir}.", file=out)
        return EXIT_OK
    return run_files(files, config, out=out, quiet=quiet, claim=True)


__all__ = ["OUTCOME_OK", "exit_code_for", "run_files", "run_inbox"]
