"""The files an officer gets back or writes (issue 15): an error copy that keeps stored formula values, an
Excel 97-2003 file answered in Vietnamese, a template that never replaces a filled workbook."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests import workbooks as wb
from tests.inbox_fakes import make_config
from thidua.cli import drop_folder as batch
from thidua.cli.main import main
from thidua.intake.error_copy import write_error_copy
from thidua.intake.reader import read_workbook

needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")


def _libreoffice(tmp_path: Path, *sources: Path, fmt: str = "xlsx") -> Path:
    out = tmp_path / f"lo-{fmt}"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to",
                    fmt, "--outdir", str(out), *map(str, sources)], check=True, capture_output=True, timeout=180)
    return out


def _set_cell(path: Path, sheet_part: str, ref: str, xml: bytes) -> None:
    """Edit one cell in the file's own XML, as Excel does when the officer types into it (every other cell,
    formula values included, stays byte for byte)."""
    with zipfile.ZipFile(path) as zf:
        members = [(i, zf.read(i)) for i in zf.infolist()]
    pattern = re.compile(rb'<c r="' + ref.encode() + rb'"[^>]*?(?:/>|>.*?</c>)', re.S)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in members:
            if info.filename == sheet_part:
                data, n = pattern.subn(xml, data)
                assert n == 1
            out.writestr(info, data)


def _criteria_part(path: Path) -> str:
    with zipfile.ZipFile(path) as zf:
        return next(n for n in zf.namelist() if n.startswith("xl/worksheets/") and b"KT02" in zf.read(n))


@needs_soffice
@pytest.mark.slow
def test_the_error_copy_keeps_stored_formula_values(tmp_path):
    rows = [wb.criterion("KT01"), wb.criterion("KT02", plan=40000, actual="=F3*1.1", unit="tỷ đồng"),
            wb.criterion("KT03", actual="bảy")]
    saved = _libreoffice(tmp_path, wb.standard_raw(tmp_path / "cong-thuc.xlsx", rows=rows)) / "cong-thuc.xlsx"
    first = read_workbook(saved)
    assert wb.issue_list(first) == [("Tiêu chí!G4", "non-numeric")]

    copy = write_error_copy(saved, first.issues, tmp_path / "cong-thuc.loi.xlsx")
    formulas = load_workbook(copy)["Tiêu chí"]
    values = load_workbook(copy, data_only=True)["Tiêu chí"]
    assert formulas["G3"].value == "=F3*1.1" and values["G3"].value == 44000  # both kept
    again = read_workbook(copy)
    assert wb.issue_list(again) == [("Tiêu chí!G4", "non-numeric")]  # no new formula-without-value

    _set_cell(copy, _criteria_part(copy), "G4", b'<c r="G4"><v>8.5</v></c>')  # the officer fixes G4 only
    fixed = read_workbook(copy)
    assert fixed.valid, fixed.issues
    assert fixed.submission.criteria.set_index("code").loc["KT02", "actual"] == 44000
    resaved = read_workbook(_libreoffice(tmp_path / "lai", copy) / copy.name)  # and LibreOffice opens it alike
    assert resaved.valid and resaved.submission.criteria.set_index("code").loc["KT02", "actual"] == 44000


def _store(xml: bytes, ref: str, kind: str, value: str) -> bytes:
    """Give a formula cell (as openpyxl wrote it, with no value) the value a spreadsheet program stores."""
    cell = re.compile(rb'<c r="' + ref.encode() + rb'"([^>]*)>(<f>[^<]*</f>)<v\s*/?>(?:</v>)?</c>')
    stored = rb'<c r="' + ref.encode() + rb'"\1 t="' + kind.encode() + rb'">\2<v>' + value.encode() + rb"</v></c>"
    xml, n = cell.subn(stored, xml)
    assert n == 1
    return xml


def test_the_error_copy_keeps_values_of_every_kind(tmp_path):
    def tweak(book):
        ws = book["Tiêu chí"]  # column R: beyond the template's columns, an officer's own
        ws["R1"], ws["R2"], ws["R3"], ws["R4"] = "Ghi chú riêng", '=IF(G2>F2,"vuot","chua")', "=G2>F2", "=1/0"

    path = wb.standard_raw(tmp_path / "nhieu.xlsx", rows=[wb.criterion("KT01", actual="bảy"), wb.criterion("KT02"),
                                                           wb.criterion("KT03")], tweak=tweak)
    part = _criteria_part(path)
    with zipfile.ZipFile(path) as zf:
        xml = zf.read(part)
    xml = _store(_store(_store(xml, "R2", "str", "vuot"), "R3", "b", "1"), "R4", "e", "#DIV/0!")
    stored = wb.rezip(path, tmp_path / "luu.xlsx", replace={part: xml})
    copy = write_error_copy(stored, read_workbook(stored).issues, tmp_path / "luu.loi.xlsx")
    values = load_workbook(copy, data_only=True)["Tiêu chí"]
    assert (values["R2"].value, values["R3"].value, values["R4"].value) == ("vuot", True, "#DIV/0!")
    assert load_workbook(copy)["Tiêu chí"]["R2"].value.startswith("=IF(")


# --- Excel 97-2003 in the drop folder ---------------------------------------------------------------------

@needs_soffice
@pytest.mark.slow
def test_an_xls_file_dropped_in_input_is_answered_in_vietnamese(tmp_path):
    config = make_config(tmp_path)
    source = wb.filled(tmp_path / "dong-thap.xlsx")
    legacy = _libreoffice(tmp_path, source, fmt="xls") / "dong-thap.xls"
    assert legacy.read_bytes()[:4] == b"\xd0\xcf\x11\xe0"  # a real BIFF8 file
    shutil.copy(legacy, config.input_dir / "Bao cao 2022.xls")
    out = io.StringIO()
    code = batch.run_inbox(config, out=out)
    assert code == 3
    note = (config.output_dir / "Bao cao 2022.loi.txt").read_text(encoding="utf-8")
    assert "Tệp Excel 97-2003 (.xls): hãy mở và lưu lại dạng .xlsx" in note
    assert (config.input_dir / "loi" / "Bao cao 2022.xls").is_file()
    assert not (config.input_dir / "Bao cao 2022.xls").exists()
    assert "Không có tệp Excel nào" not in out.getvalue() and "Bao cao 2022.xls" in out.getvalue()


def test_xls_in_input_from_the_command_line_says_nothing_in_english(tmp_path):
    from tests.test_batch import _write_config_file

    config = make_config(tmp_path)
    (config.input_dir / "cu.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2048)
    out, err = io.StringIO(), io.StringIO()
    code = main(["--config", str(_write_config_file(config, tmp_path / "config.toml"))], stdout=out, stderr=err)
    assert code == 3
    assert err.getvalue() == ""  # no "left alone … is not an .xlsx workbook"
    assert "Tệp Excel 97-2003 (.xls)" in (config.output_dir / "cu.loi.txt").read_text(encoding="utf-8")
    assert (config.input_dir / "loi" / "cu.xls").is_file()


# --- template -o FILE ---------------------------------------------------------------------------------------

def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_template_never_replaces_a_filled_workbook_without_force(tmp_path):
    filled = wb.filled(tmp_path / "bao-cao.xlsx")
    before = filled.read_bytes()
    code, out, err = _run("template", "-o", str(filled))
    assert (code, out) == (2, "")
    assert err.splitlines() == [f'Lỗi: Tệp "{filled}" đã có; mẫu không được ghi đè lên tệp đó.',
                                "Gợi ý: Chọn tên khác với -o, hoặc thêm --force nếu thật sự muốn thay tệp đó bằng "
                                "mẫu trống."]
    assert filled.read_bytes() == before
    assert read_workbook(filled).valid
    code, out, _ = _run("template", "-o", str(filled), "--force")
    assert code == 0 and out == f"Đã ghi mẫu Excel: {filled}\n"
    assert [i.code for i in read_workbook(filled).issues] == ["missing-value", "missing-value", "no-criteria"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bao-cao.xlsx"]  # no temporary file left behind


def test_template_into_a_folder_that_already_has_one(tmp_path):
    assert _run("template", "-o", str(tmp_path))[0] == 0
    code, _, err = _run("template", "-o", str(tmp_path))
    assert code == 2 and "đã có" in err


@pytest.mark.parametrize("name", ["mau.xls", "mau", "mau.csv", "mau.xlsx.bak"])
def test_template_refuses_a_name_that_is_not_xlsx(tmp_path, name):
    code, out, err = _run("template", "-o", str(tmp_path / name))
    assert code == 2 and out == ""
    assert err.startswith(f'Lỗi: Tên tệp mẫu "{tmp_path / name}" phải có đuôi .xlsx')
    assert not (tmp_path / name).exists()


def test_template_accepts_upper_case_xlsx(tmp_path):
    code, _, _ = _run("template", "-o", str(tmp_path / "MAU.XLSX"))
    assert code == 0 and (tmp_path / "MAU.XLSX").is_file()


def test_an_xlsx_saved_under_an_xls_name_is_read_and_answered(tmp_path):
    """The content decides, not the name: a real .xlsx named .xls is read, and its error copy made."""
    source = wb.standard_raw(tmp_path / "that.xlsx", rows=[wb.criterion("KT01", actual="bảy")])
    misnamed = tmp_path / "ten-nham.xls"
    shutil.copy(source, misnamed)
    result = read_workbook(misnamed)
    assert wb.issue_list(result) == [("Tiêu chí!G2", "non-numeric")]
    copy = write_error_copy(misnamed, result.issues, tmp_path / "ten-nham.loi.xlsx")
    assert copy.suffix == ".xlsx" and "không phải là số" in load_workbook(copy)["Tiêu chí"]["G2"].comment.text
