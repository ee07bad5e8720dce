"""Every line an officer sees is Vietnamese (issue 15): log lines on the console, config errors with line
and column, `check --json` answering in JSON whatever happens, and the set-up run by the system Python."""

from __future__ import annotations

import ast
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests import workbooks as wb
from tests.mailtools import (
    PASSWORD_ENV,
    ROOT,
    free_port,
    make_assessment,
    make_config,
    make_pdf,
    write_config_file,
)
from thidua.base.ledger import Ledger
from thidua.cli.launch import DISTRIBUTION_OF, REQUIRED_MODULES
from thidua.cli.log_text import VIETNAMESE
from thidua.cli.main import main
from thidua.delivery.mailing import deliver_report

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
_CONSOLE_LINE = re.compile(r"^\d\d:\d\d:\d\d (Cảnh báo|Lỗi): ")
_VIETNAMESE_LETTER = re.compile(r"[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]", re.I)


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def _assert_officer_lines(err: str) -> list[str]:
    lines = err.splitlines()
    assert lines
    for line in lines:
        assert _CONSOLE_LINE.match(line), line
        assert _VIETNAMESE_LETTER.search(line), line
        assert "WARNING" not in line and "thidua." not in line, line
    return lines


def _mail_config_file(tmp_path: Path, port: int, retries: int) -> Path:
    return write_config_file(tmp_path, port, retries=retries)


def test_smtp_retries_and_members_without_an_address_are_told_in_vietnamese(tmp_path, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, "mật-khẩu")
    port = free_port()  # nothing listens there
    pdf = make_pdf(tmp_path / "output" / "dong-thap-2022.pdf")
    config = make_config(tmp_path, port, retries=0)
    with Ledger(config.path("ledger.path")) as ledger:  # the report as `run` left it (mail not sent yet)
        deliver_report(make_assessment(), pdf, config, send=False, dry_run=False, force=False, ledger=ledger)
    code, _, err = _run("send", str(pdf), "--config", str(_mail_config_file(tmp_path, port, retries=1)))
    assert code == 1
    lines = _assert_officer_lines(err)
    assert any("Thành viên Hội đồng 'phạm thị dung'" in line and "chưa có địa chỉ thư" in line for line in lines)
    assert any(line.endswith(f"Gửi thư lần 1 chưa được (không kết nối được máy chủ SMTP 127.0.0.1:{port} "
                             "(bị từ chối kết nối)); sẽ thử lại sau 0,01 giây.") for line in lines), lines
    assert any("Gửi thư lần 2 chưa được" in line and "thư được giữ lại để gửi sau" in line for line in lines)


def test_debug_keeps_the_developer_lines(tmp_path, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, "mật-khẩu")
    port = free_port()
    pdf = make_pdf(tmp_path / "output" / "r.pdf")
    config = make_config(tmp_path, port, retries=0)
    with Ledger(config.path("ledger.path")) as ledger:
        deliver_report(make_assessment(), pdf, config, send=False, dry_run=False, force=False, ledger=ledger)
    _, _, err = _run("send", str(pdf), "--debug", "--config", str(_mail_config_file(tmp_path, port, retries=0)))
    assert "WARNING thidua.delivery.smtp: SMTP attempt 1 failed" in err


def _logged_messages() -> set[str]:
    """The format string of every warning or error logged in thidua (what the console may show)."""
    found = set()
    for path in (ROOT / "thidua").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("warning", "error", "exception", "critical")
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "log"
                    and node.args and isinstance(node.args[0], ast.Constant)):
                found.add(node.args[0].value)
    return found


def test_every_warning_and_error_logged_has_its_vietnamese_line():
    logged = _logged_messages()
    assert len(logged) >= 15
    assert logged - set(VIETNAMESE) == set()
    for english, vietnamese in VIETNAMESE.items():
        assert _VIETNAMESE_LETTER.search(vietnamese), english
        assert re.findall(r"%[a-z]", english) == re.findall(r"%[a-z]", vietnamese), english


# --- config.toml syntax ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "where", "what"), [
    ("[email]\nport 587\n", "ở dòng 2, cột 6 (`port 587`)", "thiếu dấu \"=\" giữa tên khóa và giá trị"),
    ("[email]\nhost = localhost\n", "ở dòng 2, cột 8 (`host = localhost`)", "chuỗi phải đặt trong ngoặc kép"),
    ("[email\nhost = \"a\"\n", "ở dòng 1, cột 7 (`[email`)", "thiếu dấu \"]\" ở cuối tên bảng"),
    ('[email]\nsender = "Sở Nội vụ\n', "ở dòng 2", "chuỗi chưa đóng"),
    ("[email]\nport = 25\nport = 26\n", "ở dòng 3", "một khóa chỉ được khai báo một lần"),
])
def test_a_toml_syntax_error_says_where_and_what_in_vietnamese(tmp_path, text, where, what):
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    code, out, err = _run("check", "x.xlsx", "--config", str(path))
    assert code == 2 and out == ""
    first = err.splitlines()[0]
    assert first.startswith(f'Lỗi: Tệp cấu hình "{path}" sai cú pháp TOML {where}')
    assert what in first
    assert "Expected" not in err and "Invalid" not in err and "line" not in err


def test_a_config_that_is_not_utf8(tmp_path):
    path = tmp_path / "config.toml"
    path.write_bytes("[email]\nsender = \"Sở\"\n".encode("cp1258", errors="replace") + b"\xff\xfe\n")
    code, _, err = _run("check", "x.xlsx", "--config", str(path))
    assert code == 2 and "không phải văn bản UTF-8" in err and "UnicodeDecodeError" not in err


# --- check --json -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("argv", [
    ["check", "{tmp}/khong-co.xlsx", "--json"],
    ["check", "{tmp}", "--json"],
    ["check", "--json"],
    ["--config", "{tmp}/hong.toml", "check", "{tmp}/khong-co.xlsx", "--json"],
])
def test_check_json_prints_json_in_every_case(tmp_path, argv):
    (tmp_path / "hong.toml").write_text("[email\n", encoding="utf-8")
    code, out, err = _run(*[a.format(tmp=tmp_path) for a in argv])
    assert code == 2
    (item,) = json.loads(out)
    assert set(item) == {"code", "sheet", "cell", "message"}
    assert item["code"] in {"file-not-found", "usage-error", "config-error"}
    assert item["message"] and err.startswith("Lỗi: ")


def test_check_json_missing_file_names_it(tmp_path):
    code, out, _ = _run("check", str(tmp_path / "khong-co.xlsx"), "--json")
    assert code == 2
    assert json.loads(out) == [{"code": "file-not-found", "sheet": "", "cell": "Tệp",
                                "message": f'Không tìm thấy tệp "{tmp_path / "khong-co.xlsx"}".'}]


def test_check_prints_notices_after_the_verdict(tmp_path):
    path = wb.standard_raw(tmp_path / "tong.xlsx", rows=wb.criteria(2),
                           tweak=lambda book: book["Tiêu chí"].__setitem__("C4", "Tổng cộng"))
    code, out, _ = _run("check", str(path))
    assert code == 0
    assert out.splitlines()[0] == "tong.xlsx: hợp lệ, không có lỗi."
    assert out.splitlines()[1].startswith('Lưu ý: Dòng 4 của trang tính "Tiêu chí" ("Tổng cộng") là dòng tổng cộng')
    code, out, _ = _run("check", str(path), "--json")
    assert code == 0 and [i["code"] for i in json.loads(out)] == ["totals-row"]


# --- the set-up: `python generate_report.py …` with whatever python is on the machine --------------------

SYSTEM_PYTHON = "/usr/bin/python3"
needs_system_python = pytest.mark.skipif(
    not Path(SYSTEM_PYTHON).is_file()
    or subprocess.run([SYSTEM_PYTHON, "-c", "import pandas"], capture_output=True).returncode == 0,
    reason="needs a system Python without thidua's libraries")


def _checkout(tmp_path: Path) -> Path:
    """A copy of the project as a fresh clone has it (no .venv)."""
    copy = tmp_path / "thidua"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".venv", ".git", "output", "input", "*.pyc",
                                                              "__pycache__", ".*_cache", "benches", "tests"))
    return copy


def _system_python(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    env["PATH"] = "/usr/bin:/bin"
    return subprocess.run([SYSTEM_PYTHON, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


@needs_system_python
@pytest.mark.slow
def test_system_python_without_the_environment_says_what_to_run(tmp_path):
    copy = _checkout(tmp_path)
    for args in (["generate_report.py", "template", "-o", "mau.xlsx"], ["-m", "thidua", "check", "a.xlsx"]):
        done = _system_python(args, copy)
        assert done.returncode == 2, done.stderr
        assert "Traceback" not in done.stderr + done.stdout and "ModuleNotFoundError" not in done.stderr
        assert done.stderr.startswith("Lỗi: Python này chưa có đủ thư viện để chạy thidua (thiếu: ")
        assert "Gợi ý: trong thư mục dự án" in done.stderr and "`make report`" in done.stderr
    assert not (copy / "mau.xlsx").exists()


@needs_system_python
@pytest.mark.slow
def test_system_python_continues_inside_the_projects_venv(tmp_path):
    copy = _checkout(tmp_path)
    (copy / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)  # what `make report` leaves
    done = _system_python(["generate_report.py", "template", "-o", "mau.xlsx"], copy)
    assert (done.returncode, done.stdout, done.stderr) == (0, "Đã ghi mẫu Excel: mau.xlsx\n", "")
    assert (copy / "mau.xlsx").is_file()


def test_required_modules_are_the_runtime_dependencies():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = {re.split(r"[<>=!~ ;\[]", dep, maxsplit=1)[0].lower().replace("-", "_") for dep in project["dependencies"]}
    assert {DISTRIBUTION_OF.get(name, name).lower() for name in REQUIRED_MODULES} == names
