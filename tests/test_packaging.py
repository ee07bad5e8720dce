"""The package as a Python user gets it: a wheel installed into a fresh virtualenv, run from an empty folder."""

import os
import shutil
import subprocess
import sys
import zipfile

import pytest

from tests.conftest import EXAMPLE, ROOT

pytestmark = pytest.mark.slow


def _run(argv, cwd, timeout=600):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)
    assert done.returncode == 0, f"{argv}: {done.stdout}\n{done.stderr}"
    return done


def _sources(into):
    """The checkout's own files (no build/ left over from an earlier build, no .venv): the wheel must come from
    what git holds, or a stale build/lib would hide a package missing from pyproject.toml."""
    ignore = shutil.ignore_patterns("build", ".venv", "*.egg-info", "__pycache__", ".git", "output", "input",
                                    ".mypy_cache", ".ruff_cache", ".pytest_cache")
    shutil.copytree(ROOT, into, ignore=ignore)
    return into


def test_wheel_installs_into_a_fresh_virtualenv_and_runs_from_an_empty_folder(tmp_path):
    wheels = tmp_path / "wheels"
    source = _sources(tmp_path / "src")
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(source)], source)
    (wheel,) = wheels.glob("thidua-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "thidua").rglob("*.py") if "__pycache__" not in p.parts}
    assert modules - names == set()  # every sub-package is listed in pyproject.toml
    templates = {"thidua/_templates/" + p.relative_to(ROOT / "templates").as_posix()
                 for p in (ROOT / "templates").rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    assert templates - names == set()  # and every template, stylesheet, font and static file
    assert not any(n.startswith(("tests/", "templates/", "benches/")) for n in names)

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], tmp_path)
    _run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
          "-c", str(ROOT / "requirements.txt"), str(wheel)], tmp_path)
    thidua = str(venv / "bin" / "thidua")

    empty = tmp_path / "empty"
    empty.mkdir()
    help_text = _run([thidua, "--help"], empty).stdout
    assert help_text.startswith("Cách dùng: thidua ")
    wrong = subprocess.run([thidua, "chay"], cwd=empty, capture_output=True, text=True, timeout=60)
    assert wrong.returncode == 2 and "Gợi ý: Xem: thidua --help" in wrong.stderr and "Traceback" not in wrong.stderr
    assert "Đã ghi mẫu Excel" in _run([thidua, "template", "-o", "mau.xlsx"], empty).stdout
    assert zipfile.is_zipfile(empty / "mau.xlsx")
    _run([thidua, "check", str(EXAMPLE)], empty)
    _run([thidua, "run", str(EXAMPLE)], empty)
    pdf = empty / "output" / "dong-thap-2022.pdf"
    info = _run(["pdfinfo", str(pdf)], empty).stdout
    assert "Pages:" in info and int(info.split("Pages:")[1].split()[0]) >= 5
    text = _run(["pdftotext", "-layout", str(pdf), "-"], empty).stdout
    assert "123,14%" in text and "7.877" in text
    assert sorted(p.name for p in empty.iterdir()) == ["mau.xlsx", "output"]  # no templates copied beside it
