"""Allow ``python -m thidua`` (any Python, as ``generate_report.py``)."""

from pathlib import Path

from thidua.cli.launch import start

if __name__ == "__main__":  # worker processes import this module again: it must not run the command
    start(Path(__file__).resolve().parent.parent, ["-m", "thidua"])
