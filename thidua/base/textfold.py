"""Fold Vietnamese labels for tolerant matching: Unicode NFC/NFD, case, spacing, optionally diacritics."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache

_SPACES = re.compile(r"\s+")
_AROUND_PUNCT = re.compile(r"\s*([/,\-–:;()])\s*")


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Case-folded, NFC, single-spaced, no spaces around punctuation: "Đạt / Không  đạt" → "đạt/không đạt"."""
    text = unicodedata.normalize("NFC", text).replace("\u00a0", " ").strip().casefold()
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
