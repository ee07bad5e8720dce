"""Entry point named by the design card: ``python generate_report.py``."""

from thidua.cli.main import run_and_exit

if __name__ == "__main__":  # worker processes import this file again: it must not run the command
    run_and_exit()
