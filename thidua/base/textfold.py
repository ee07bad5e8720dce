"""Fold Vietnamese text for tolerant matching, one rule for headers, labels and people's names.

Equal after folding: NFC and NFD, upper and lower case, runs of spaces, spaces around punctuation, the
Icelandic Ð typed for Đ, and the old and new placement of the tone mark ("Hoà" = "Hòa", "Thuỷ" = "Thủy",
"Khoẻ" = "Khỏe"). `strip_marks` also drops every diacritic, for labels only when that is unambiguous.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache

_SPACES = re.compile(r"\s+")
_AROUND_PUNCT = re.compile(r"\s*([/,\-–:;()])\s*")
_TONES = "\u0300\u0301\u0303\u0309\u0323"  # huyền, sắc, ngã, hỏi, nặng (combining, after NFD)
# oa, oe, uy carry the tone on either vowel depending on the spelling reform: fold both onto the second.
_TONE_ON_FIRST = re.compile(rf"([oO])([{_TONES}])([aAeE])|([uU])([{_TONES}])([yY])")
_LOOKALIKES = str.maketrans({"Ð": "Đ", "ð": "đ"})
# A cell may name several people: "Trần Thị Bích; Lê Văn Cường" (also "," or one per line).
_NAME_SEPARATORS = re.compile(r"[;,\n\r]+")


def _move_tone(match: re.Match[str]) -> str:
    first, tone, second = (match.group(1), match.group(2), match.group(3)) if match.group(1) else (
        match.group(4), match.group(5), match.group(6))
    return first + second + tone


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Case-folded, NFC, single-spaced, no spaces around punctuation, one tone placement:
    "Đạt / Không  đạt" → "đạt/không đạt", "Lê Thị Hòa" → "lê thị hoà"."""
    text = unicodedata.normalize("NFD", text.translate(_LOOKALIKES))
    text = unicodedata.normalize("NFC", _TONE_ON_FIRST.sub(_move_tone, text))
    text = text.replace("\u00a0", " ").strip().casefold()
    text = _SPACES.sub(" ", text)
    return _AROUND_PUNCT.sub(r"\1", text)


@lru_cache(maxsize=4096)
def strip_marks(text: str) -> str:
    """`fold` without diacritics: "Tên tiêu chí" → "ten tieu chi" (đ → d)."""
    decomposed = unicodedata.normalize("NFD", fold(text))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return bare.replace("đ", "d")


class LabelMatcher:
    """Map typed labels to canonical values: exact fold first, then diacritic-free if unambiguous."""

    def __init__(self, labels: Mapping[str, str] | Iterable[tuple[str, str]]) -> None:
        pairs = labels.items() if isinstance(labels, Mapping) else labels
        self._exact: dict[str, str] = {}
        bare: dict[str, set[str]] = {}
        for label, value in pairs:
            self._exact.setdefault(fold(label), value)
            bare.setdefault(strip_marks(label), set()).add(value)
        self._bare = {k: next(iter(v)) for k, v in bare.items() if len(v) == 1}

    def match(self, text: str) -> str | None:
        """The canonical value for `text`, or None when it matches nothing (or is ambiguous)."""
        if not text:
            return None
        hit = self._exact.get(fold(text))
        return hit if hit is not None else self._bare.get(strip_marks(text))


def split_names(cell: str) -> list[str]:
    """The people named in one cell ("Trần Thị Bích; Lê Văn Cường"), each with its spacing tidied."""
    return [" ".join(part.split()) for part in _NAME_SEPARATORS.split(cell or "") if part.strip()]
