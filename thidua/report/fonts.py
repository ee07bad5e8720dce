"""The report's serif: Times New Roman (the decree's font) when fontconfig lists it on this machine, else
the bundled Liberation Serif (metric-compatible, so the layout is the same).

report.css asks for `local("Times New Roman")` before the bundled file; WeasyPrint finds local fonts
through fontconfig and then reads the font file through our URL fetcher, which may read exactly the files
found here and nothing else outside templates/.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from pathlib import Path

SYSTEM_SERIF = "Times New Roman"
BUNDLED_SERIF = "Liberation Serif"


@functools.lru_cache(maxsize=1)
def system_serif_files() -> frozenset[Path]:
    """The Times New Roman font files fontconfig knows (`fc-list`), resolved; empty when there are none."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return frozenset()
    try:
        listed = subprocess.run([fc_list, "--format", "%{file}\n", SYSTEM_SERIF], capture_output=True,
                                text=True, timeout=20, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    files = set()
    for line in listed.splitlines():
        path = Path(line.strip())
        if line.strip() and path.suffix.lower() in (".ttf", ".otf", ".ttc") and path.is_file():
            files.add(path.resolve())
    return frozenset(files)


def serif_in_use() -> str:
    """The name of the serif the report is set in on this machine."""
    return SYSTEM_SERIF if system_serif_files() else BUNDLED_SERIF
