"""The command line: the only place that prints, exits or shows a traceback."""

from thidua.cli.main import main, run_and_exit

__all__ = ["main", "run_and_exit"]
