"""Entry point named by the design card: ``python generate_report.py``."""

from thidua.cli import main

raise SystemExit(main())
