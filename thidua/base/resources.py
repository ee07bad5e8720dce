"""Where the bundled templates and fonts are: package data when installed, `templates/` in a checkout."""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

MAIN_TEMPLATE = "report.html.j2"
# In a checkout the editable templates sit beside the package (the design card's top-level templates/);
# a wheel ships the same files as the package data `thidua/_templates` (see pyproject.toml).
_CHECKOUT = Path(__file__).resolve().parents[2] / "templates"


@functools.cache
def bundled_templates() -> Path:
    """The default templates folder: the installed package data, else the checkout's `templates/`."""
    packaged = Path(str(resources.files("thidua"))) / "_templates"
    return packaged if (packaged / MAIN_TEMPLATE).is_file() else _CHECKOUT
