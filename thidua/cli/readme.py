"""Generated parts of README.md (settings, columns, issue codes), so docs cannot drift from code."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path


def _settings() -> str:
    from thidua.base.settings import markdown_reference

    return markdown_reference()


def _columns() -> str:
    from thidua.intake.contract import markdown_reference

    return markdown_reference()


def _issue_codes() -> str:
    from thidua.intake.issues import markdown_catalog

    return markdown_catalog()


SECTIONS: dict[str, Callable[[], str]] = {
    "columns": _columns,
    "issues": _issue_codes,
    "settings": _settings,
}


def render_readme(text: str) -> str:
    """Replace every `<!-- BEGIN name -->…<!-- END name -->` block with freshly generated text."""
    for name, make in SECTIONS.items():
        pattern = re.compile(rf"(<!-- BEGIN {name} -->\n).*?(<!-- END {name} -->)", re.S)
        found = pattern.search(text)
        if found is None:
            raise ValueError(f"README.md has no generated block '{name}'")
        start, end = found.span()
        head = f"<!-- BEGIN {name} -->\n"
        text = text[:start] + head + make() + f"<!-- END {name} -->" + text[end:]
    return text


def update_readme(path: Path) -> bool:
    """Rewrite README.md in place; returns True when something changed."""
    old = path.read_text(encoding="utf-8")
    new = render_readme(old)
    if new != old:
        path.write_text(new, encoding="utf-8")
    return new != old


if __name__ == "__main__":
    changed = update_readme(Path(__file__).resolve().parents[2] / "README.md")
    print("README.md updated" if changed else "README.md already up to date")
