"""Hostile and broken files are refused with a catalog code, quickly and with bounded memory."""

import os
import struct
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from tests import workbooks as wb
from thidua.base.errors import EXIT_UNREADABLE, UnreadableFileError
from thidua.intake import guard as xlsx_guard
from thidua.intake.issues import CATALOG
from thidua.intake.reader import read_workbook


@pytest.fixture
def good(tmp_path):
    return wb.filled(tmp_path / "good.xlsx")


def _refused(path) -> UnreadableFileError:
    with pytest.raises(UnreadableFileError) as info:
        read_workbook(path)
    err = info.value
    assert err.exit_code == EXIT_UNREADABLE
    assert CATALOG[err.code].fatal
    assert err.message and "{" not in err.message
    return err


def _patch_sizes(data: bytes, name: bytes, declared: int) -> bytes:
    """Lie about a member's uncompressed size in both its local and central headers."""
    out = bytearray(data)
    for sig, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        pos = 0
        while (pos := out.find(sig, pos)) != -1:
            name_at = pos + (30 if sig == b"PK\x03\x04" else 46)
            if out[name_at:name_at + len(name)] == name:
                out[pos + offset:pos + offset + 4] = struct.pack("<I", declared)
            pos += 4
    return bytes(out)


def test_text_file_renamed_to_xlsx(tmp_path):
    path = tmp_path / "notes.xlsx"
    path.write_text("Báo cáo thi đua\n", encoding="utf-8")
    assert _refused(path).code == "not-a-workbook"
    (tmp_path / "empty.xlsx").write_bytes(b"")
    assert _refused(tmp_path / "empty.xlsx").code == "not-a-workbook"


def test_ole_container_means_encrypted_or_legacy(tmp_path):
    path = tmp_path / "locked.xlsx"
    path.write_bytes(xlsx_guard.OLE_SIGNATURE + b"\0" * 4096)
    err = _refused(path)
    assert err.code == "encrypted-workbook" and "mật khẩu" in err.message


def test_truncated_file(tmp_path, good):
    data = good.read_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(data[: len(data) // 2])
    assert _refused(path).code == "truncated-file"


def test_corrupted_bytes_inside_a_member(tmp_path, good):
    data = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as zf:
        info = zf.getinfo("xl/worksheets/sheet3.xml")
    start = info.header_offset + 30 + len(info.filename) + 10
    data[start:start + 64] = bytes(64)
    path = tmp_path / "bad.xlsx"
    path.write_bytes(bytes(data))
    assert _refused(path).code == "truncated-file"


def test_file_over_20_mb_is_refused_before_reading(tmp_path):
    path = tmp_path / "big.xlsx"
    with open(path, "wb") as fh:
        fh.truncate(xlsx_guard.MAX_FILE_BYTES + 1)
    assert _refused(path).code == "file-too-large"


def test_zip_bomb_by_ratio(tmp_path, good):
    path = wb.rezip(good, tmp_path / "bomb.xlsx", add={"xl/media/image1.png": b"\0" * (8 * 1024 * 1024)})
    err = _refused(path)
    assert err.code == "zip-bomb"


def test_zip_bomb_by_total_size(tmp_path, good, monkeypatch):
    monkeypatch.setattr(xlsx_guard, "MAX_TOTAL_INFLATED", 2 * 1024 * 1024)
    path = wb.rezip(good, tmp_path / "bomb.xlsx", add={"xl/media/image1.png": os.urandom(3 * 1024 * 1024)})
    assert _refused(path).code == "zip-bomb"


def test_member_that_inflates_beyond_its_declared_size(tmp_path, good):
    path = wb.rezip(good, tmp_path / "lie.xlsx", add={"xl/media/a.bin": os.urandom(64 * 1024) * 2})
    path.write_bytes(_patch_sizes(path.read_bytes(), b"xl/media/a.bin", 1000))
    err = _refused(path)
    assert err.code == "zip-bomb" and "khai báo" in err.message


def test_too_many_members(tmp_path, good):
    extra = {f"xl/media/p{i}.bin": b"x" for i in range(xlsx_guard.MAX_MEMBERS)}
    assert _refused(wb.rezip(good, tmp_path / "many.xlsx", add=extra)).code == "zip-bomb"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_xml_entities_are_refused(tmp_path, good, encoding):
    with zipfile.ZipFile(good) as zf:
        original = zf.read("xl/workbook.xml").decode("utf-8")
    body = original.split("?>", 1)[1] if original.startswith("<?xml") else original
    evil = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
            + body)
    path = wb.rezip(good, tmp_path / "evil.xlsx", replace={"xl/workbook.xml": evil.encode(encoding)})
    err = _refused(path)
    assert err.code == "xml-entities" and "xl/workbook.xml" in err.message


def test_external_entity_in_a_sheet(tmp_path, good):
    with zipfile.ZipFile(good) as zf:
        sheet = zf.read("xl/worksheets/sheet3.xml").decode("utf-8")
    evil = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' + sheet
    path = wb.rezip(good, tmp_path / "xxe.xlsx", replace={"xl/worksheets/sheet3.xml": evil.encode()})
    assert _refused(path).code == "xml-entities"


def test_macro_enabled_workbooks(tmp_path, good):
    path = wb.rezip(good, tmp_path / "macro.xlsx", add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"})
    assert _refused(path).code == "macro-enabled"
    with zipfile.ZipFile(good) as zf:
        types = zf.read("[Content_Types].xml").replace(
            b"spreadsheetml.sheet.main+xml", b"sheet.macroEnabled.main+xml")
    path = wb.rezip(good, tmp_path / "xlsm.xlsx", replace={"[Content_Types].xml": types})
    assert _refused(path).code == "macro-enabled"


def test_unsupported_compression(tmp_path, good):
    path = wb.rezip(good, tmp_path / "bz.xlsx", compression=zipfile.ZIP_BZIP2)
    assert _refused(path).code == "unreadable-file"


def test_zip_without_a_workbook(tmp_path):
    path = tmp_path / "doc.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("word/document.xml", "<w/>")
    assert _refused(path).code == "not-a-workbook"


def test_stray_cell_at_xfd1048576_is_refused_fast_and_small(tmp_path):
    def stray(book):
        book["Tiêu chí"]["XFD1048576"] = 1

    path = wb.standard_raw(tmp_path / "huge.xlsx", tweak=stray)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        err = _refused(path)
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert time.perf_counter() - started < 2.0
    assert peak < 32 * 1024 * 1024
    assert err.code == "sheet-too-large"
    assert "Tiêu chí" in err.message and "XFD1048576" in err.message


def test_too_many_used_rows(tmp_path):
    rows = [{"code": f"KT{i}"} for i in range(xlsx_guard.MAX_SHEET_ROWS + 5)]
    path = wb.raw_workbook(tmp_path / "rows.xlsx", {"Tiêu chí": wb.criteria_rows(rows)})
    assert _refused(path).code == "sheet-too-large"


def test_every_fatal_code_is_exercised():
    fatal = {code for code, t in CATALOG.items() if t.fatal}
    source = Path(__file__).read_text(encoding="utf-8")
    assert all(f'"{code}"' in source for code in fatal), fatal


def test_guard_maps_sheets_and_finds_formulas_without_values(tmp_path):
    path = wb.standard_raw(tmp_path / "f.xlsx", rows=[wb.criterion(plan="=SUM(1,2)")])
    scan = xlsx_guard.inspect_workbook(path)
    assert list(scan.sheets) == ["Thông tin", "Tiêu chí"]
    assert scan.sheets["Tiêu chí"].formulas_without_value == {(2, 6): "=SUM(1,2)"}
    assert (scan.sheets["Tiêu chí"].max_row, scan.sheets["Tiêu chí"].max_col) == (2, 14)


@pytest.mark.parametrize("junk", [b"<c r=\"A1\" " * 400_000, b"<c r=\"A1\"><f>" * 300_000,
                                  b"<row>" + b"<c " * 1_000_000])
def test_pathological_sheet_xml_is_handled_in_bounded_time(tmp_path, good, junk):
    sheet = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    path = wb.rezip(good, tmp_path / "junk.xlsx", replace={"xl/worksheets/sheet3.xml": sheet + junk},
                    compression=zipfile.ZIP_STORED)  # stored: the ratio check must not be what stops it
    started = time.perf_counter()
    try:
        result = read_workbook(path)
    except UnreadableFileError as err:
        assert err.code in {"unreadable-file", "sheet-too-large"}
    else:
        assert not result.valid
    assert time.perf_counter() - started < 3.0


def test_a_stray_note_far_right_of_a_normal_table_is_read(tmp_path):
    def far_note(book):
        book["Tiêu chí"]["XFD2"] = "ghi chú lạc chỗ"

    result = read_workbook(wb.standard_raw(tmp_path / "xa.xlsx", rows=wb.criteria(100), tweak=far_note))
    assert result.valid and len(result.submission.criteria) == 100


def _with_second_copy(good: Path, target: Path, rename=lambda name: name) -> Path:
    """The workbook with its criteria sheet stored twice under one part name, the copies disagreeing."""
    import warnings

    with zipfile.ZipFile(good) as zf:
        part = next(n for n in zf.namelist() if n.startswith("xl/worksheets/") and b"KT01" in zf.read(n))
        members = [(i.filename, zf.read(i)) for i in zf.infolist()]
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate name, as it should
        for name, data in members:
            out.writestr(name, data)
        original = dict(members)[part]
        out.writestr(rename(part), original.replace(b"<v>8.62</v>", b"<v>99</v>"))
    return target


@pytest.fixture
def good_inline(tmp_path):
    return wb.standard_raw(tmp_path / "inline.xlsx", rows=wb.criteria(2))


def test_two_parts_of_one_name_are_refused(tmp_path, good_inline):
    path = _with_second_copy(good_inline, tmp_path / "hai-ban.xlsx")
    err = _refused(path)
    assert err.code == "duplicate-part" and "xl/worksheets/" in err.message
    assert "Excel và thidua có thể đọc ra số liệu khác nhau" in err.message


def test_part_names_differ_only_in_case_are_the_same_part(tmp_path, good_inline):
    path = _with_second_copy(good_inline, tmp_path / "hoa-thuong.xlsx", rename=str.upper)
    assert _refused(path).code == "duplicate-part"


def test_duplicate_part_from_the_command_line_exits_3_with_json(tmp_path, good_inline):
    import io
    import json

    from thidua.cli.main import main

    path = _with_second_copy(good_inline, tmp_path / "hai-ban.xlsx")
    out, err = io.StringIO(), io.StringIO()
    assert main(["check", str(path), "--json"], stdout=out, stderr=err) == 3
    assert [i["code"] for i in json.loads(out.getvalue())] == ["duplicate-part"]


def test_excel_97_2003_files_are_named_as_such(tmp_path):
    legacy = tmp_path / "cu.xlsx"  # a BIFF8 file's directory names its stream "Workbook" (UTF-16LE)
    legacy.write_bytes(xlsx_guard.OLE_SIGNATURE + b"\0" * 1000 + "Workbook".encode("utf-16-le") + b"\0" * 3000)
    err = _refused(legacy)
    assert err.code == "legacy-xls"
    assert err.message.startswith("Tệp Excel 97-2003 (.xls): hãy mở và lưu lại dạng .xlsx")
    named = tmp_path / "cu.xls"  # any OLE file named .xls
    named.write_bytes(xlsx_guard.OLE_SIGNATURE + b"\0" * 4096)
    assert _refused(named).code == "legacy-xls"
    locked = tmp_path / "khoa.xls"  # a password-protected .xlsx stays "encrypted" whatever its name
    locked.write_bytes(xlsx_guard.OLE_SIGNATURE + b"\0" * 100 + "EncryptedPackage".encode("utf-16-le") + b"\0" * 100)
    assert _refused(locked).code == "encrypted-workbook"
