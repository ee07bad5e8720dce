"""How wide a line of text is in the report's serif, from the font's own advance widths, so chart labels
are wrapped to fit instead of cut ("Tỷ lệ trường đạt chuẩn quốc gia…").

Times New Roman and the bundled Liberation Serif share their metrics, so the bundled file measures both.
"""

from __future__ import annotations

import functools
import unicodedata
from pathlib import Path

AVERAGE_EM = 0.5  # a serif letter's mean advance, used when the font file cannot be read


@functools.lru_cache(maxsize=4)
def _advances(font_file: str, stamp: float) -> tuple[dict[int, float], float]:
    """Code point → advance width in em, and the width of a character the font lacks."""
    from fontTools.ttLib import TTFont

    font = TTFont(font_file, lazy=True)
    try:
        per_em = float(font["head"].unitsPerEm)
        metrics = font["hmtx"].metrics
        widths = {cp: metrics[glyph][0] / per_em for cp, glyph in font.getBestCmap().items() if glyph in metrics}
    finally:
        font.close()
    return widths, widths.get(ord("n"), AVERAGE_EM)


class TextWidth:
    """Callable: (text, size in pt) → width in pt, measured with `font_file` (estimated without one)."""

    def __init__(self, font_file: Path | None = None) -> None:
        self.widths: dict[int, float] = {}
        self.missing = AVERAGE_EM
        try:
            if font_file is not None:
                self.widths, self.missing = _advances(str(font_file), font_file.stat().st_mtime)
        except Exception:  # an unreadable or odd font only makes the estimate rougher
            self.widths, self.missing = {}, AVERAGE_EM

    def __call__(self, text: str, size: float) -> float:
        text = unicodedata.normalize("NFC", text)
        return sum(self.widths.get(ord(ch), self.missing) for ch in text) * size

    def wrap(self, text: str, width: float, size: float) -> list[str]:
        """Lines of at most `width` pt, broken between words (a word too long for a line is split)."""
        lines: list[str] = []
        line = ""
        for word in " ".join(str(text).split()).split(" "):
            candidate = f"{line} {word}" if line else word
            if not line or self(candidate, size) <= width:
                line = candidate
            else:
                lines.append(line)
                line = word
            while len(line) > 1 and self(line, size) > width:  # one word wider than the line
                cut = len(line) - 1
                while cut > 1 and self(line[:cut], size) > width:
                    cut -= 1
                lines.append(line[:cut])
                line = line[cut:]
        if line or not lines:
            lines.append(line)
        return lines
