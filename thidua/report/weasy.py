"""WeasyPrint's names for thidua, imported once here (the only module that imports weasyprint) without the
≈20 helper processes its library search starts on Linux: ≈0,2–0,4 s of every cold WeasyPrint import.

WeasyPrint finds Pango, HarfBuzz, fontconfig and GObject by trying each library's Windows and macOS names
before the Linux one. On Linux every name that is not a loadable file goes to ctypes.util.find_library,
which runs `ldconfig -p` and, when that does not know the name, `gcc` and `ld` as well (≈10 ms each). While
WeasyPrint loads, those look-ups are answered from one `ldconfig -p` listing, by the rule find_library
applies to it first; the Linux names (libpango-1.0.so.0…) are then opened directly, as before: the same
libraries are loaded (`/proc/self/maps` shows no difference). Should WeasyPrint fail to load that way, it is
loaded again the usual way, so a machine whose libraries only gcc or ld can find works as it did.
"""

from __future__ import annotations

import contextlib
import ctypes.util
import functools
import os
import re
import struct
import subprocess
import sys
from collections.abc import Callable, Iterator

_ABI = {"x86_64-64": "libc6,x86-64", "ppc64-64": "libc6,64bit", "sparc64-64": "libc6,64bit",
        "s390x-64": "libc6,64bit", "ia64-64": "libc6,IA-64"}  # as ctypes.util reads ldconfig's listing


@functools.cache
def _ldconfig_listing() -> bytes:
    """The dynamic linker's cache as `ldconfig -p` prints it (empty when there is no ldconfig)."""
    for ldconfig in ("/sbin/ldconfig", "ldconfig"):
        try:
            return subprocess.run([ldconfig, "-p"], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, env={"LC_ALL": "C", "LANG": "C"}, timeout=10,
                                  check=False).stdout
        except (OSError, subprocess.SubprocessError):
            continue
    return b""


def listed_library(name: str) -> str | None:
    """ctypes.util.find_library's first rule (the soname `ldconfig -p` lists for lib<name>), from one listing."""
    machine = os.uname().machine + ("-32" if struct.calcsize("l") == 4 else "-64")
    abi = _ABI.get(machine, "libc6")
    pattern = os.fsencode(rf"\s+(lib{re.escape(name)}\.[^\s]+)\s+\({abi}")
    found = re.search(pattern, _ldconfig_listing())
    return os.fsdecode(found.group(1)) if found else None


@contextlib.contextmanager
def _listed_lookups(enabled: bool) -> Iterator[None]:
    original: Callable[[str], str | None] = ctypes.util.find_library
    if enabled:
        setattr(ctypes.util, "find_library", listed_library)  # noqa: B010 (a module function, swapped back below)
    try:
        yield
    finally:
        setattr(ctypes.util, "find_library", original)  # noqa: B010


def _forget_weasyprint() -> None:
    for name in [m for m in sys.modules if m == "weasyprint" or m.startswith("weasyprint.")]:
        del sys.modules[name]


_FAST = sys.platform.startswith("linux") and "weasyprint" not in sys.modules
try:
    with _listed_lookups(_FAST):
        from weasyprint import CSS, HTML, Attachment
        from weasyprint.text.fonts import FontConfiguration
        from weasyprint.urls import URLFetcher, URLFetcherResponse
except OSError:
    if not _FAST:
        raise
    _forget_weasyprint()  # loaded the usual way: gcc and ld may know a library ldconfig does not
    from weasyprint import CSS, HTML, Attachment
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher, URLFetcherResponse

__all__ = ["CSS", "HTML", "Attachment", "FontConfiguration", "URLFetcher", "URLFetcherResponse", "listed_library"]
