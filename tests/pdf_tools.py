"""Read a PDF back with poppler and qpdf, the way a person's tools would see it."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path


def text(pdf: Path, *, layout: bool = True) -> str:
    """pdftotext output, whitespace runs collapsed to one space (lines wrap anywhere in justified text)."""
    args = ["pdftotext", *(["-layout"] if layout else []), str(pdf), "-"]
    raw = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    return re.sub(r"\s+", " ", raw)


def squeezed(pdf: Path) -> str:
    """Text with every whitespace removed, to find strings a table cell may have wrapped."""
    return re.sub(r"\s+", "", text(pdf, layout=False))


def fonts(pdf: Path) -> list[dict[str, str]]:
    """pdffonts rows as dicts: name, type, emb, sub, uni."""
    out = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines()[2:]:
        parts = line.split()
        # name type... encoding emb sub uni objectID gen: read the yes/no flags from the right.
        rows.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4], "uni": parts[-3]})
    return rows


def attachments(pdf: Path) -> dict[str, dict]:
    """Embedded files by name (qpdf --json)."""
    out = subprocess.run(["qpdf", "--json", str(pdf)], check=True, capture_output=True, text=True).stdout
    return json.loads(out)["attachments"]


def uncompressed(pdf: Path, tmp: Path) -> bytes:
    """The PDF with object streams and content streams expanded, to search its dictionaries."""
    qdf = tmp / (pdf.stem + ".qdf.pdf")
    subprocess.run(["qpdf", "--qdf", "--object-streams=disable", str(pdf), str(qdf)], check=True)
    return qdf.read_bytes()


def check(pdf: Path) -> subprocess.CompletedProcess[str]:
    """qpdf --check (exit 0 when the structure is sound)."""
    return subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True, text=True)


def page_count(pdf: Path) -> int:
    out = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", out, re.M).group(1))


def info(pdf: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in out.splitlines())}
