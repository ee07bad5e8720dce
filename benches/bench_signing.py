"""Signing's cost: the cold `run` of the example with and without [signing] (a PKCS#12 key and a signature
image), interleaved A B A B so the machine's drift hits both; and what the structure tree costs a warm render.

Runnable alone (``python benches/bench_signing.py``) or discovered by ``benches/run.py`` via ``cases()``.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import statistics
import sys
import tempfile
from collections import deque
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "dong-thap-2022.xlsx"
for _path in (ROOT, ROOT / "benches"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from run import Case, ChildRun, run_cases, run_child  # noqa: E402

LIMIT = 0.15  # the issue's budget: signing adds at most 15% to the cold run


class Paired:
    """Runs `a` then `b` on every call of the first case; the second case replays b's samples in order,
    so both rows of the table come from the same interleaved series."""

    def __init__(self, a: Callable[[], object], b: Callable[[], object], repeat: int) -> None:
        self.a, self.b, self.repeat = a, b, repeat
        self.waiting: deque[object] = deque()
        self.pairs: list[tuple[float, float]] = []

    def first(self) -> object:
        ra = self.a()
        rb = self.b()
        self.waiting.append(rb)
        self.pairs.append((_seconds(ra), _seconds(rb)))
        return ra

    def second(self) -> object:
        return self.waiting.popleft()

    def timed(self) -> list[tuple[float, float]]:
        """The pairs the table's rows time: not the warm-up, not the traced run after them."""
        return self.pairs[1:1 + self.repeat]

    def ratios(self) -> list[float]:
        return [b / a for a, b in self.timed() if a]


def _seconds(value: object) -> float:
    return float(getattr(value, "seconds", value))  # type: ignore[arg-type]


def _folder(prefix: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, folder, True)
    return folder


def _config(folder: Path, signing: dict[str, str]) -> Path:
    """The bundled config.toml (outputs in `folder`), with these [signing] values filled in."""
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    text = text.replace('templates_dir = "templates"', f'templates_dir = "{ROOT / "templates"}"')
    head, _, tail = text.partition("[signing]\n")
    for key, value in signing.items():
        tail = re.sub(rf'^{key} = .*$', f'{key} = "{value}"', tail, count=1, flags=re.M)
    text = head + "[signing]\n" + tail
    path = folder / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _keys(folder: Path) -> tuple[Path, Path]:
    from tests.signing_tools import PASSWORD, PASSWORD_ENV, SigningCA, signature_png

    ca = SigningCA()
    p12 = ca.write_pkcs12(ca.issue("Nguyễn Văn Minh", "Sở Nội vụ tỉnh Đồng Tháp"), folder / "ky.p12")
    os.environ[PASSWORD_ENV] = PASSWORD  # the child processes inherit it
    return p12, signature_png(folder / "chu-ky.png")


def _cold(config: Path) -> Callable[[], ChildRun]:
    argv = [sys.executable, "generate_report.py", "--quiet", "--config", str(config), "run", "--force", "--dry-run",
            str(EXAMPLE)]
    return lambda: run_child(argv, ROOT)


def _note_signing(pair: Paired) -> str:
    ratios = pair.ratios()
    a = statistics.median(x for x, _ in pair.timed())
    b = statistics.median(y for _, y in pair.timed())
    r = statistics.median(ratios)
    verdict = "within" if r - 1 <= LIMIT else "OVER"
    return (f"signing: cold run signed/unsigned, median of {len(ratios)} interleaved pairs {r:.3f} "
            f"(min {min(ratios):.3f}, max {max(ratios):.3f}); medians {a:.2f} s vs {b:.2f} s: "
            f"+{(r - 1) * 100:.1f}%, {verdict} the {LIMIT:.0%} budget")


def _note_tags(pair: Paired, sizes: tuple[int, int]) -> str:
    ratios = pair.ratios()
    r = statistics.median(ratios)
    return (f"structure tree: warm render tagged/untagged, median of {len(ratios)} interleaved pairs {r:.3f} "
            f"(min {min(ratios):.3f}, max {max(ratios):.3f}); PDF {sizes[0] / 1024:.0f} KiB vs "
            f"{sizes[1] / 1024:.0f} KiB")


def cases() -> list[Case]:
    folder = _folder("thidua-bench-sign-")
    p12, image = _keys(folder)
    from tests.signing_tools import PASSWORD_ENV

    plain = _config(_folder("thidua-bench-plain-"), {})
    signed = _config(_folder("thidua-bench-signed-"),
                     {"pkcs12_path": str(p12), "password_env": PASSWORD_ENV, "signature_image": str(image)})
    cold = Paired(_cold(plain), _cold(signed), 5)

    from bench_render import example_assessment

    from thidua.report import pdf as render

    assessment, config = example_assessment()
    renderer = render.get_renderer(config.templates_dir)  # type: ignore[attr-defined]

    def timed(tagged: bool) -> Callable[[], float]:
        import time

        def run() -> float:
            started = time.perf_counter()
            renderer.render_bytes(assessment, config, tagged=tagged)
            return time.perf_counter() - started
        return run

    sizes = (len(renderer.render_bytes(assessment, config, tagged=True)),
             len(renderer.render_bytes(assessment, config, tagged=False)))
    warm = Paired(timed(True), timed(False), 5)
    return [
        Case("signing: cold `run`, unsigned (pair A)", 5, cold.first, child=True),
        Case("signing: cold `run`, signed (pair B)", 5, cold.second, child=True,
             note=lambda: _note_signing(cold)),
        Case("render: warm, tagged (pair A)", 5, warm.first),
        Case("render: warm, untagged (pair B)", 5, warm.second, note=lambda: _note_tags(warm, sizes)),
    ]


if __name__ == "__main__":
    raise SystemExit(run_cases(cases()))
