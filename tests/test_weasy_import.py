"""WeasyPrint loads the same native libraries without the helper processes of its library search, and HarfBuzz
subsets the fonts natively (Debian's libharfbuzz-subset0), not fontTools."""

from __future__ import annotations

import ctypes.util
import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from tests.assessment_fixture import build_assessment
from thidua.base.config import load_config
from thidua.report import pdf as render
from thidua.report import weasy

ROOT = Path(__file__).resolve().parent.parent
linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the listing rule is Linux's")

# The names WeasyPrint 70 tries, in its order (weasyprint/text/ffi.py), up to the Linux soname.
ASKED = ["libgobject-2.0-0", "gobject-2.0-0", "gobject-2.0", "libpango-1.0-0", "pango-1.0-0", "pango-1.0",
         "libharfbuzz-0", "harfbuzz", "libharfbuzz-subset-0", "harfbuzz-subset", "libharfbuzz-vector-0",
         "harfbuzz-vector", "libfontconfig-1", "fontconfig-1", "fontconfig", "libpangoft2-1.0-0", "pangoft2-1.0"]


@linux
def test_the_listing_answers_as_find_library_does():
    for name in ASKED:
        assert weasy.listed_library(name) == ctypes.util.find_library(name), name
    assert weasy.listed_library("pango-1.0") == "libpango-1.0.so.0"


def test_find_library_is_the_usual_one_again():
    assert ctypes.util.find_library is not weasy.listed_library
    assert ctypes.util.find_library.__module__ == "ctypes.util"


_MAPS = """
import json, sys
if sys.argv[1] == "thidua":
    import thidua.report.weasy
else:
    import weasyprint
print(json.dumps(sorted({l.split()[-1] for l in open("/proc/self/maps") if ".so" in l})))
"""


@linux
def test_the_same_native_libraries_are_loaded():
    def loaded(how: str) -> list[str]:
        done = subprocess.run([sys.executable, "-c", _MAPS, how], cwd=ROOT, capture_output=True, text=True,
                              check=True, timeout=120)
        return json.loads(done.stdout)

    ours, usual = loaded("thidua"), loaded("weasyprint")
    assert ours == usual
    assert any("libpango-1.0.so" in lib for lib in ours) and any("libharfbuzz-subset.so" in lib for lib in ours)


_FAKE = {
    "__init__.py": "import ctypes.util\n"
                   "if ctypes.util.find_library.__module__ != 'ctypes.util':\n"
                   "    raise OSError('cannot load library: only gcc knows where it is')\n"
                   "CSS = HTML = Attachment = 'usual search'\n",
    "text/__init__.py": "", "text/fonts.py": "FontConfiguration = 'usual search'\n",
    "urls.py": "URLFetcher = URLFetcherResponse = 'usual search'\n",
}


@linux
def test_weasyprint_that_fails_to_load_by_the_listing_is_loaded_the_usual_way(tmp_path):
    for name, text in _FAKE.items():
        (tmp_path / "weasyprint" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "weasyprint" / name).write_text(text, encoding="utf-8")
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import ctypes.util, thidua.report.weasy as w; "
            "print(w.HTML, w.FontConfiguration, ctypes.util.find_library.__module__)")
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path)], cwd=ROOT, capture_output=True, text=True,
                          check=True, timeout=60)
    assert done.stdout.split() == ["usual", "search", "usual", "search", "ctypes.util"]


@pytest.mark.slow
def test_fonts_are_subset_by_harfbuzz_not_fonttools(tmp_path, caplog):
    from weasyprint.text import ffi

    assert ffi.harfbuzz_subset is not None and ffi.harfbuzz.hb_version_atleast(4, 1, 0)
    caplog.set_level(logging.WARNING, logger="weasyprint")
    config = load_config(ROOT / "config.toml")
    render.get_renderer(config.templates_dir).render_bytes(build_assessment(), config)
    assert not [r for r in caplog.records if "fontTools instead of HarfBuzz" in r.getMessage()]
