"""Entry point named by the design card: ``python generate_report.py`` (any Python: it continues inside the
project's .venv when this one lacks thidua's libraries)."""

import sys
from pathlib import Path

from thidua.cli.launch import start

if __name__ == "__main__":  # worker processes import this file again: it must not run the command
    start(Path(__file__).resolve().parent, [sys.argv[0]])
