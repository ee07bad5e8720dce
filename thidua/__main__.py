"""Allow ``python -m thidua``."""

from thidua.cli import main

if __name__ == "__main__":  # worker processes import this module again: it must not run the command
    raise SystemExit(main())
