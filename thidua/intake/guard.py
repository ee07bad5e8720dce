"""Refuse hostile or broken .xlsx files before any parser touches them, and map sheets to their parts.

Everything here is bounded: the file size, the member count, the sizes the zip declares, and the bytes a
member really inflates to (`ZipFile.open` never yields more than the declared size, read in chunks; a lie
fails its CRC), and the extent of every worksheet (found by a byte-level scan, so a stray cell at
XFD1048576 never allocates a grid; a blank one is cut out by `stray`, a filled one refuses the sheet).
"""

from __future__ import annotations

import copy
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from thidua.base.cellref import NS_PREFIX, column_letters, column_number
from thidua.base.model import Issue
from thidua.intake import stray
from thidua.intake.error_cells import find_error_cells
from thidua.intake.issues import make_notice
from thidua.intake.parts import refuse, shared_strings_part, sheet_parts
from thidua.intake.percent_cells import find_percent_cells, percent_styles

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_TOTAL_INFLATED = 200 * 1024 * 1024
MAX_RATIO = 100  # per member, for members above RATIO_MIN_BYTES
RATIO_MIN_BYTES = 1024 * 1024
MAX_MEMBERS = 2000
MAX_SHEET_ROWS = 20_000
MAX_SHEET_CELLS = 2_000_000  # rows × columns of the used area (a stray note in column XFD still fits 120 rows)
MAX_FORMULAS_RECORDED = 10_000  # formulas without a stored value remembered per sheet
MAX_FORMULAS_EXAMINED = 100_000  # formula tags looked at per sheet (each costs at most FORMULA_WINDOW)
FORMULA_WINDOW = 12 * 1024  # a formula cell's body must end within this many bytes
PROLOG_BYTES = 64 * 1024
CHUNK = 256 * 1024
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Stream names in an OLE container (UTF-16LE): a password-protected .xlsx, or an Excel 97-2003 workbook.
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
_XLS_STREAMS = tuple(name.encode("utf-16-le") for name in ("Workbook", "Book"))

_NS_PREFIX = NS_PREFIX
# Attribute runs are bounded ({0,300}) so hostile bytes cannot make a regex backtrack quadratically.
_ATTRS = rb"[^<>]{0,300}?"
# The attributes before r="…" sit in an atomic group and those after it are taken possessively: a tag
# stuffed with r="…" repeats and no ">" cannot make the engine retry each repeat (0,38 → 0,003 s per MB).
_CELL_REF = re.compile(rb"<" + _NS_PREFIX + rb"c\s(?>" + _ATTRS + rb"\br=\"([A-Z]{1,3})(\d{1,7})\")"
                       + rb"[^<>/]{0,300}+(/?)>")
_CELL_TAG = re.compile(rb"<" + _NS_PREFIX + rb"c[\s>/]")
_ROW_TAG = re.compile(rb"<" + _NS_PREFIX + rb"row[\s>/]")
_FORMULA_TAG = re.compile(rb"<" + _NS_PREFIX + rb"f[\s>/]")
_CELL_OPENED_HERE = re.compile(rb"<" + _NS_PREFIX + rb"c\s(?>" + _ATTRS + rb"\br=\"([A-Z]{1,3})(\d{1,7})\")"
                               + rb"[^<>/]{0,300}+>\s*")
_CELL_CLOSE = re.compile(rb"</" + _NS_PREFIX + rb"c>")
_VALUE = re.compile(rb"<" + _NS_PREFIX + rb"(?:v>[^<]|is[\s>])")
_FORMULA_TEXT = re.compile(rb"<" + _NS_PREFIX + rb"f[^<>]{0,300}>([^<]{0,8192})<")
_DTD = re.compile(r"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_ROOT_START = re.compile(r"<[A-Za-z_]")



@dataclass
class SheetScan:
    """What the byte scan learned about one worksheet (1-based rows and columns)."""

    name: str
    part: str
    max_row: int = 0
    max_col: int = 0
    formulas_without_value: dict[tuple[int, int], str] = field(default_factory=dict)
    percent_cells: set[tuple[int, int]] = field(default_factory=set)  # shown as "8,62%", stored as 0.0862
    error_cells: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) → "#N/A"…


@dataclass
class WorkbookScan:
    """The checked workbook: its worksheets by name, in workbook order; worksheet parts cleaned of stray
    blank cells (read these bytes instead of the file's), and what the officer is told about them."""

    sheets: dict[str, SheetScan]
    replaced: dict[str, bytes] = field(default_factory=dict)  # part name → cleaned worksheet XML
    notices: list[Issue] = field(default_factory=list)


class _SheetScanner:
    """Fed the inflated bytes of one worksheet in chunks; tracks extent and formulas without values."""

    def __init__(self, scan: SheetScan, percent: frozenset[int] = frozenset()) -> None:
        self.scan = scan
        self.percent = percent  # cellXfs indexes with a percentage number format
        self.pending = b""
        self.cells = 0
        self.cells_with_ref = 0
        self.rows = 0
        self.formulas = 0
        self.oversized = False

    def feed(self, data: bytes, final: bool = False) -> None:
        if self.oversized:
            return
        buf = self.pending + data
        cut = len(buf) if final else buf.rfind(b"row>") + 4
        if cut < 4 and not final:  # no row end yet: keep collecting, but never unboundedly
            if len(buf) < 4 * CHUNK:
                self.pending = buf
                return
            cut = buf.rfind(b">") + 1 or len(buf)
        self._scan(buf[:cut])
        self.pending = buf[cut:]

    def _scan(self, text: bytes) -> None:
        refs = _CELL_REF.findall(text)
        self.cells += len(_CELL_TAG.findall(text))
        self.cells_with_ref += len(refs)
        self.rows += len(_ROW_TAG.findall(text))
        filled = [(c, r) for c, r, closed in refs if not closed]
        if filled:
            cols = {c for c, _ in filled}
            rows = {r for _, r in filled}
            self.scan.max_col = max(self.scan.max_col, max(column_number(c) for c in cols))
            self.scan.max_row = max(self.scan.max_row, max(int(r) for r in rows))
        if self.cells != self.cells_with_ref:  # cells without r="…": positions are implied, bound them
            self.scan.max_row = max(self.scan.max_row, self.rows)
            self.scan.max_col = max(self.scan.max_col, min(16384, self.cells - self.cells_with_ref))
        s = self.scan
        if s.max_row > MAX_SHEET_ROWS or s.max_row * s.max_col > MAX_SHEET_CELLS:
            self.oversized = True  # stop scanning; refused once the sheet's name is known
            return
        self._find_formulas_without_value(text)
        find_percent_cells(text, self.percent, self.scan.percent_cells)
        find_error_cells(text, self.scan.error_cells)

    def _find_formulas_without_value(self, text: bytes) -> None:
        """<f> is a cell's first child: look just before it for the cell's r, just after for a value."""
        found = self.scan.formulas_without_value
        for tag in _FORMULA_TAG.finditer(text):
            self.formulas += 1
            if self.formulas > MAX_FORMULAS_EXAMINED or len(found) >= MAX_FORMULAS_RECORDED:
                return
            start = tag.start()
            opened = text.rfind(b"<", max(0, start - 700), start)
            cell = _CELL_OPENED_HERE.fullmatch(text, opened, start) if opened >= 0 else None
            close = _CELL_CLOSE.search(text, start, start + FORMULA_WINDOW)
            if cell is None or close is None or _VALUE.search(text, start, close.start()):
                continue
            formula = _FORMULA_TEXT.match(text, start, close.start() + 1)
            shown = formula.group(1).decode("utf-8", "replace") if formula else ""
            found[(int(cell.group(2)), column_number(cell.group(1)))] = "=" + shown if shown else "công thức dùng chung"


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """Yield the member's inflated bytes in bounded chunks (never more than its declared size, which
    `_check_members` has bounded); a size lie or damage is refused once the CRC disagrees."""
    try:
        with zf.open(info) as member:
            while chunk := member.read(CHUNK):
                yield chunk
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        if _inflates_beyond_declared(zf, info):
            raise refuse("zip-bomb", f"phần {info.filename} giải nén lớn hơn khai báo") from exc
        raise refuse("truncated-file", f"phần {info.filename} bị hỏng") from exc


def _inflates_beyond_declared(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Read the member again allowing one byte more than declared (and no CRC check, which the first
    read already failed): does it really have more?"""
    probe = copy.copy(info)
    probe.file_size = info.file_size + 1
    probe.CRC = None  # type: ignore[assignment]  # ZipExtFile then skips the CRC comparison
    produced = 0
    try:
        with zf.open(probe) as member:
            while chunk := member.read(CHUNK):
                produced += len(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError):
        pass
    return produced > info.file_size


def _check_prolog(head: bytes, name: str) -> None:
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or head[:2] in (b"<\x00", b"\x00<"):
        text = head.decode("utf-16" if head[:2] in (b"\xff\xfe", b"\xfe\xff") else
                           "utf-16-le" if head[:1] == b"<" else "utf-16-be", "replace")
    else:
        text = head.decode("utf-8", "replace")
    root = _ROOT_START.search(text)
    prolog = text[: root.start()] if root else text
    if _DTD.search(prolog) or (root is None and len(head) >= PROLOG_BYTES):
        raise refuse("xml-entities", name)


def _check_members(zf: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise refuse("zip-bomb", f"{len(infos)} phần")
    seen: set[str] = set()
    for info in infos:  # part names are case-insensitive (OPC); one copy would silently win
        name = info.filename.replace("\\", "/").lstrip("/").casefold()
        if name in seen:
            raise refuse("duplicate-part", info.filename)
        seen.add(name)
    total = sum(i.file_size for i in infos)
    if total > MAX_TOTAL_INFLATED:
        raise refuse("zip-bomb", f"giải nén ra {total // 1024 // 1024} MB")
    for info in infos:
        if info.flag_bits & 0x1:
            raise refuse("encrypted-workbook")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise refuse("unreadable-file", f"kiểu nén {info.compress_type} không hỗ trợ")
        if info.file_size > RATIO_MIN_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise refuse("zip-bomb", f"tỷ lệ nén của {info.filename} quá cao")
        if info.filename.lower().endswith("vbaproject.bin"):
            raise refuse("macro-enabled")
    return infos


def inspect_workbook(path: Path) -> WorkbookScan:
    """Check `path` is a safe, sane .xlsx; raise UnreadableFileError (with a catalog code) if not."""
    path = Path(path)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise refuse("file-too-large", f"{size / 1024 / 1024:.1f} MB".replace(".", ","),
                      expected=f"{MAX_FILE_BYTES // 1024 // 1024} MB")
    with open(path, "rb") as fh:
        head = fh.read(8)
        if head == OLE_SIGNATURE:
            raise refuse(_ole_kind(fh, path))
        if head[:2] != b"PK":
            if path.suffix.lower() == ".xls" and head:
                raise refuse("legacy-xls")
            raise refuse("not-a-workbook", "tệp rỗng" if not head else "nội dung không phải tệp nén ZIP của .xlsx")
        try:
            zf = zipfile.ZipFile(fh)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError,
                struct.error) as exc:
            raise refuse("truncated-file", "không đọc được mục lục tệp nén") from exc
        with zf:
            return _scan_members(zf, _check_members(zf))


def _ole_kind(fh: BinaryIO, path: Path) -> str:
    """An OLE container is a password-protected .xlsx ("EncryptedPackage" stream) or an Excel 97-2003 file
    ("Workbook"/"Book" stream, or simply named .xls); anything else keeps the message that names both."""
    fh.seek(0)
    found_xls = False
    tail = b""
    while chunk := fh.read(CHUNK):  # the file size is already bounded (MAX_FILE_BYTES)
        window = tail + chunk
        if _ENCRYPTED_STREAM in window:
            return "encrypted-workbook"
        found_xls = found_xls or any(name in window for name in _XLS_STREAMS)
        tail = window[-64:]
    return "legacy-xls" if found_xls or path.suffix.lower() == ".xls" else "encrypted-workbook"


def _clean_sheet(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, blank_shared: frozenset[int],
                 percent: frozenset[int], out: WorkbookScan) -> SheetScan | None:
    """The scan of a worksheet once its stray blank cells are cut (kept in `out`); None if still too large."""
    if info.file_size > stray.MAX_CLEAN_BYTES:
        return None
    cleaned = stray.clean(b"".join(_read_member(zf, info)), blank_shared, MAX_SHEET_ROWS, MAX_SHEET_CELLS)
    if cleaned is None:
        return None
    scanner = _SheetScanner(SheetScan(name, info.filename), percent)
    scanner.feed(cleaned.xml, final=True)
    if scanner.oversized:
        return None
    out.replaced[info.filename] = cleaned.xml
    if cleaned.cut:
        where = ", ".join(cleaned.named) + ("…" if cleaned.cut > len(cleaned.named) else "")
        out.notices.append(make_notice("stray-cells", name, (), where, count=cleaned.cut))
    return scanner.scan


def _scan_members(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> WorkbookScan:
    small: dict[str, bytes] = {}
    scanners: dict[str, _SheetScanner] = {}
    percent: frozenset[int] | None = None
    # worksheets last, so styles.xml is known when their cells are scanned (each member is read once)
    for info in sorted(infos, key=lambda i: i.filename.startswith("xl/worksheets/")):
        name = info.filename
        is_xml = name.lower().endswith((".xml", ".rels", ".vml"))
        is_sheet = is_xml and name.startswith("xl/worksheets/")
        if is_sheet and percent is None:
            percent = percent_styles(small.get("xl/styles.xml"))
        scanner = scanners.setdefault(name, _SheetScanner(SheetScan(name, name), percent or frozenset())) \
            if is_sheet else None
        head = b""
        keep = is_xml and not is_sheet and info.file_size <= 4 * 1024 * 1024
        kept: list[bytes] = []
        for chunk in _read_member(zf, info):
            if is_xml and len(head) < PROLOG_BYTES:
                head += chunk[: PROLOG_BYTES - len(head)]
            if scanner is not None:
                scanner.feed(chunk)
            if keep:
                kept.append(chunk)
        if is_xml:
            _check_prolog(head, name)
        if scanner is not None:
            scanner.feed(b"", final=True)
        if keep:
            small[name] = b"".join(kept)
    try:
        parts = sheet_parts(small)
    except (SafeET.ParseError, DefusedXmlException) as exc:
        raise refuse("unreadable-file", "mục lục bảng tính hỏng") from exc
    out = WorkbookScan({})
    by_name = {info.filename: info for info in infos}
    for sheet_name, part in parts.items():
        scan = scanners[part].scan if part in scanners else SheetScan(sheet_name, part)
        scan.name = sheet_name
        if part in scanners and scanners[part].oversized:
            blank_shared = stray.blank_shared_strings(small.get(shared_strings_part(small)))
            cleaned = _clean_sheet(zf, by_name[part], sheet_name, blank_shared, percent or frozenset(), out)
            if cleaned is None:
                raise refuse("sheet-too-large", f"{column_letters(scan.max_col)}{scan.max_row}", sheet=sheet_name,
                              expected=f"{MAX_SHEET_ROWS:,} dòng / {MAX_SHEET_CELLS:,} ô".replace(",", "."))
            scan = cleaned
        out.sheets[sheet_name] = scan
    return out
