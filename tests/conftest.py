"""Shared fixtures: paths of the repository and the bundled example."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "dong-thap-2022.xlsx"


@pytest.fixture
def example_path() -> Path:
    return EXAMPLE
