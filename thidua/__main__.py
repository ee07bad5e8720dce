"""Allow ``python -m thidua``."""

from thidua.cli import main

raise SystemExit(main())
