"""The command line: the only place that prints, exits or shows a traceback.

Nothing is imported here eagerly, so `thidua.cli.launch` (standard library only) can run under a Python
that lacks thidua's libraries and say what to do instead of failing on an import.
"""

from __future__ import annotations

from typing import Any

__all__ = ["run_and_exit"]


def __getattr__(name: str) -> Any:
    """`thidua.cli.run_and_exit` (the installed command's entry point), imported on first use."""
    if name == "run_and_exit":
        from thidua.cli.main import run_and_exit

        return run_and_exit
    raise AttributeError(f"module 'thidua.cli' has no attribute {name!r}")
