"""What besides the workbook decides a report: program version, scoring and report settings, templates.

A file whose content was processed before is answered with the earlier result only when this fingerprint
is also unchanged; otherwise an officer who edits config.toml or a template would silently get the old PDF.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from thidua.base.config import Config
from thidua.base.version import __version__

_SECTIONS = ("scoring", "interim", "report", "signing")  # signing: a report signed (or not) differently is another PDF
_template_cache: dict[tuple[object, ...], str] = {}


def _templates_digest(folder: Path) -> str:
    """SHA-256 over every file below `folder` (relative name and bytes); recomputed only when a file's
    size or modification time changes, so watch mode pays a directory scan, not a re-read, per file."""
    files = sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    stats = tuple((str(p), st.st_size, st.st_mtime_ns) for p in files for st in [os.stat(p)])
    cached = _template_cache.get(stats)
    if cached is None:
        h = hashlib.sha256()
        for path in files:
            h.update(path.relative_to(folder).as_posix().encode() + b"\0")
            h.update(hashlib.sha256(path.read_bytes()).digest())
        _template_cache.clear()  # only the templates as they are now matter
        cached = _template_cache[stats] = h.hexdigest()
    return cached


def settings_fingerprint(config: Config) -> str:
    """A short stable hash of everything but the workbook that shapes the outputs."""
    settings = {name: config.section(name) for name in _SECTIONS}
    h = hashlib.sha256(__version__.encode())
    h.update(json.dumps(settings, sort_keys=True, ensure_ascii=False, default=str).encode())
    templates = config.templates_dir
    h.update(_templates_digest(templates).encode() if templates.is_dir() else b"no-templates")
    return h.hexdigest()[:16]
