"""Allow ``python -m thidua``."""

from thidua.cli.main import run_and_exit

if __name__ == "__main__":  # worker processes import this module again: it must not run the command
    run_and_exit()
