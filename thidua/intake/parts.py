"""Which zip part of an .xlsx is which: the relationships from the package root to the workbook, its
worksheets by name and its shared strings (read with defusedxml from parts the guard already holds)."""

from __future__ import annotations

from pathlib import PurePosixPath

import defusedxml.ElementTree as SafeET

from thidua.base.cellref import MAIN_NS
from thidua.base.errors import UnreadableFileError
from thidua.intake.issues import message

_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_DOC_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def refuse(code: str, value: object = "", **fields: object) -> UnreadableFileError:
    """The whole file refused with a catalog code (exit 3)."""
    return UnreadableFileError(message(code, value=value, where="", sheet=fields.pop("sheet", ""), **fields),
                               code=code)


def _resolve(base: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    parts: list[str] = []
    for piece in (PurePosixPath(base).parent / target).parts:
        if piece == "..":
            if parts:
                parts.pop()
        elif piece != ".":
            parts.append(piece)
    return "/".join(parts)


def _rels(small: dict[str, bytes], part: str) -> dict[str, str]:
    p = PurePosixPath(part)
    rels_name = str(p.parent / "_rels" / (p.name + ".rels")).lstrip("./") if part else "_rels/.rels"
    data = small.get(rels_name)
    if data is None:
        return {}
    root = SafeET.fromstring(data)
    return {r.get("Id", ""): _resolve(part, r.get("Target", "")) + "|" + r.get("Type", "")
            for r in root.iter(f"{_REL_NS}Relationship")}


def _workbook_part(small: dict[str, bytes]) -> str:
    office = [v.split("|")[0] for v in _rels(small, "").values() if v.endswith("/officeDocument")]
    return office[0] if office else "xl/workbook.xml"


def sheet_parts(small: dict[str, bytes]) -> dict[str, str]:
    """Worksheet name → part path, from _rels/.rels, the workbook part and its rels (defusedxml)."""
    content_types = small.get("[Content_Types].xml", b"")
    if b"macroEnabled" in content_types:
        raise refuse("macro-enabled")
    book_part = _workbook_part(small)
    if book_part not in small:
        raise refuse("not-a-workbook", "không có phần bảng tính")
    rels = _rels(small, book_part)
    root = SafeET.fromstring(small[book_part])
    sheets: dict[str, str] = {}
    for el in root.iter(f"{MAIN_NS}sheet"):
        target = rels.get(el.get(f"{_DOC_REL_NS}id", ""), "")
        if target.endswith("/worksheet"):
            sheets[el.get("name", "")] = target.split("|")[0]
    return sheets


def shared_strings_part(small: dict[str, bytes]) -> str:
    """The shared strings part the workbook names (usually xl/sharedStrings.xml)."""
    found = [v.split("|")[0] for v in _rels(small, _workbook_part(small)).values() if v.endswith("/sharedStrings")]
    return found[0] if found else "xl/sharedStrings.xml"
