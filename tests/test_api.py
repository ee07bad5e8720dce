"""The library API: the README's example runs as written, and `import thidua` stays light."""

import re
import subprocess
import sys

import thidua
from tests.conftest import ROOT


def _readme_example() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("### Dùng như một thư viện"):]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_readme_example_runs_as_written(tmp_path):
    done = subprocess.run([sys.executable, "-c", _readme_example()], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["25 / 36 tiêu chí đạt và vượt", "True"]


def test_every_public_name_resolves_and_is_listed():
    assert thidua.__all__[0] == "__version__"
    for name in thidua.__all__:
        assert getattr(thidua, name) is not None, name
    assert sorted(dir(thidua)) == sorted(thidua.__all__)


def test_import_thidua_loads_neither_pandas_nor_weasyprint():
    code = "import sys, thidua, thidua.cli; print(sorted(m for m in ('pandas', 'weasyprint', 'numpy') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "[]", done.stderr


def test_help_names_the_program_as_it_was_started():
    for argv, prog in ((["generate_report.py"], "generate_report.py"), (["-m", "thidua"], "python -m thidua")):
        done = subprocess.run([sys.executable, *argv, "--help"], cwd=ROOT, capture_output=True, text=True,
                              timeout=60)
        assert done.returncode == 0 and done.stdout.startswith(f"Cách dùng: {prog} "), done.stdout[:80]
    done = subprocess.run([sys.executable, "-m", "thidua", "send"], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2 and "Hãy chỉ ra tệp báo cáo PDF" in done.stderr
