"""Start thidua from a checkout with whichever Python the officer typed: inside the project's .venv when
this interpreter lacks thidua's libraries, else a Vietnamese line saying what to run (never a traceback).

Standard library only, and written for old Pythons too: nothing else of thidua is imported before the check.
"""

from __future__ import annotations

import importlib.util
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import NoReturn

# The import names of the runtime dependencies in pyproject.toml (a test keeps them in step).
REQUIRED_MODULES = ("openpyxl", "pandas", "jinja2", "weasyprint", "python_calamine", "babel", "defusedxml",
                    "watchdog", "rich", "fontTools", "pyhanko", "pyhanko_certvalidator", "pkcs11", "cryptography",
                    "flask", "waitress")
# Where an importable module's name differs from its distribution's in pyproject.toml.
DISTRIBUTION_OF = {"pkcs11": "python_pkcs11"}
MIN_PYTHON = (3, 11)
RELAUNCHED = "THIDUA_RELAUNCHED"  # set for the re-started process, so a broken .venv cannot loop
EXIT_USAGE = 2  # as thidua.base.errors (not imported: it needs Python ≥ 3.11)


def missing_modules() -> list[str]:
    """What this interpreter lacks to run thidua (found without importing anything)."""
    if sys.version_info < MIN_PYTHON:
        return ["Python ≥ " + ".".join(map(str, MIN_PYTHON))]
    return [name for name in REQUIRED_MODULES if importlib.util.find_spec(name) is None]


def venv_python(root: Path) -> Path | None:
    """The interpreter of the project's .venv (made by `make report`), if there is one."""
    for candidate in (root / ".venv" / "bin" / "python", root / ".venv" / "Scripts" / "python.exe"):
        if candidate.is_file():
            return candidate
    return None


def _inside(venv: Path) -> bool:
    try:
        return Path(sys.prefix).resolve() == venv.resolve()
    except OSError:
        return False


def start(root: Path, entry: list[str]) -> NoReturn:
    """Run the command line (`entry` is how this process was started: the script, or ["-m", "thidua"])."""
    missing = missing_modules()
    if not missing:
        from thidua.cli.main import run_and_exit

        run_and_exit()
    python = venv_python(root)
    if python is not None and not os.environ.get(RELAUNCHED) and not _inside(root / ".venv"):
        argv = [str(python), *entry, *sys.argv[1:]]
        env = {**os.environ, RELAUNCHED: "1"}
        if os.name == "nt":  # no exec on Windows: run it and pass its exit code on
            sys.exit(subprocess.call(argv, env=env))
        os.execve(str(python), argv, env)
    python_shown = os.path.relpath(python or root / ".venv" / "bin" / "python")
    shown = shlex.join([python_shown, *entry, *sys.argv[1:]])
    where = "Môi trường .venv của dự án" if python is not None else "Python này"
    print(f"Lỗi: {where} chưa có đủ thư viện để chạy thidua (thiếu: {', '.join(missing)}).", file=sys.stderr)
    print(f"Gợi ý: trong thư mục dự án ({root}) chạy `make report` một lần để tạo .venv và cài thư viện, "
          f"rồi chạy lại lệnh; hoặc chạy thẳng: {shown}", file=sys.stderr)
    sys.exit(EXIT_USAGE)
