"""The command as the person started it, so every hint names what they can type again."""

from __future__ import annotations

import sys
from pathlib import Path

CHECKOUT_COMMAND = "python generate_report.py"


def command_name() -> str:
    """"thidua" (the installed command), "python -m thidua", or "python generate_report.py" (a checkout)."""
    started = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else ""
    if started == "thidua":
        return "thidua"
    if started == "__main__.py" and Path(sys.argv[0]).parent.name == "thidua":
        return "python -m thidua"
    return CHECKOUT_COMMAND


def program_name() -> str:
    """What argparse shows after "Cách dùng:": "generate_report.py", "thidua" or "python -m thidua"."""
    name = command_name()
    return "generate_report.py" if name == CHECKOUT_COMMAND else name
