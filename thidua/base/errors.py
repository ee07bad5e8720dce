"""Fatal problems as a small exception tree; the CLI maps each class to an exit code."""

from __future__ import annotations

EXIT_OK = 0
EXIT_DATA_ISSUES = 1
EXIT_USAGE = 2
EXIT_UNREADABLE = 3


class ThiduaError(Exception):
    """Base of every fatal, user-facing error; ``str(err)`` is a Vietnamese sentence."""

    exit_code = EXIT_USAGE
    code = "usage-error"  # kebab-case, as `check --json` prints it

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class ConfigError(ThiduaError):
    """config.toml is missing, malformed or holds an invalid value."""

    exit_code = EXIT_USAGE
    code = "config-error"


class UsageError(ThiduaError):
    """The command line asks for something impossible (missing file, bad option)."""

    exit_code = EXIT_USAGE


class MissingFileError(UsageError):
    """A file named on the command line does not exist (or is a folder)."""

    code = "file-not-found"


class UnreadableFileError(ThiduaError):
    """The input is not a workbook we can safely open (not a zip, hostile, encrypted...)."""

    exit_code = EXIT_UNREADABLE

    def __init__(self, message: str, code: str = "unreadable-file", hint: str | None = None) -> None:
        super().__init__(message, hint)
        self.code = code


class RenderError(ThiduaError):
    """The PDF could not be produced (template error, WeasyPrint failure)."""

    exit_code = EXIT_USAGE
    code = "render-error"


class SigningError(ThiduaError):
    """The report could not be signed: key file, password, token, PIN, certificate or timestamp server."""

    exit_code = EXIT_USAGE
    code = "signing-error"


class LedgerError(ThiduaError):
    """The ledger (SQLite) cannot be used now; `path` names the file. Never the officer's workbook's fault."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, path: str = "", hint: str | None = None) -> None:
        super().__init__(message, hint)
        self.path = path


class LedgerBusyError(LedgerError):
    """Another process held the ledger's write lock for longer than `ledger.lock_timeout`: retry later."""


class LedgerUnavailableError(LedgerError):
    """The ledger's file or folder cannot be opened or written (missing, read-only, disk full)."""


class LedgerDamagedError(LedgerError):
    """The ledger file is not a readable SQLite database (truncated, overwritten): `ledger repair`."""
