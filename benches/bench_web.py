"""Web benchmark: upload of the example → its result page, interleaved with watch-mode drop → PDF (same run).

Both run as real processes (`serve` and `watch` on their own temp folders, warm); each sample is one
fresh workbook (new bytes, so never a reused result). Goal: upload → result page ≤ 1,2 × drop → PDF.
Runnable alone (``python benches/bench_web.py``) or discovered by ``benches/run.py`` via ``cases()``.
"""

from __future__ import annotations

import atexit
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "dong-thap-2022.xlsx"
for _path in (ROOT, ROOT / "benches"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from bench_inbox import WatchedFolder  # noqa: E402
from run import Case, run_cases  # noqa: E402

GOAL = 1.2
NAME = "web: upload→result page (example)"


class ServedFolder:
    """The real `python generate_report.py serve --port 0` on a temp drop folder, no accounts (this machine)."""

    def __init__(self) -> None:
        from tests.web_tools import Client

        self.tmp = Path(tempfile.mkdtemp(prefix="thidua-bench-web-"))
        text = (ROOT / "config.toml").read_text(encoding="utf-8")
        text = text.replace('templates_dir = "templates"', f'templates_dir = "{ROOT / "templates"}"')
        (self.tmp / "config.toml").write_text(text, encoding="utf-8")
        self.lines: list[str] = []
        self.proc = subprocess.Popen([sys.executable, str(ROOT / "generate_report.py"), "--config",
                                      str(self.tmp / "config.toml"), "serve", "--port", "0"], cwd=self.tmp,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        threading.Thread(target=self._read, daemon=True).start()
        atexit.register(self.close)
        deadline = time.monotonic() + 120
        while not any(line.startswith("Trang web: ") for line in self.lines):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise TimeoutError("".join(self.lines))
            time.sleep(0.01)
        url = next(line for line in self.lines if line.startswith("Trang web: ")).split()[2]
        self.client = Client(url)
        self.n = 0
        self.upload()  # the first files warm fonts, templates and caches in the workers
        self.upload()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)

    def upload(self) -> float:
        """POST the workbook and follow the redirects until the result page (with its PDF link) arrives."""
        from tests.inbox_fakes import distinct_copy

        self.n += 1
        source = distinct_copy(EXAMPLE, self.tmp / f"tinh-{self.n:03d}.xlsx", f"bản web {self.n}")
        data = source.read_bytes()
        token = self.client.token("/")  # the officer has the page open already
        started = time.perf_counter()
        status, where, page = self.client.post("/tai-len", {"csrf_token": token}, {"workbook": (source.name, data)})
        while status == 200 and "/tai-len/" in where:  # the progress page: reload as its meta refresh says
            time.sleep(float(re.search(r'http-equiv="refresh" content="(\d+)"', page).group(1)))
            status, where, page = self.client.get(where[len(self.client.base):])
        seconds = time.perf_counter() - started
        if status != 200 or "/ket-qua/" not in where or "Tải báo cáo PDF" not in page:
            raise RuntimeError(f"upload answered {status} at {where}")
        return seconds

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=60)
        shutil.rmtree(self.tmp, ignore_errors=True)


class Interleaved:
    """Each sample: one watch drop, then one upload; medians and ratios of the pairs.

    The drop is timed twice: until its PDF appears in output/ (the drop → PDF latency), and until the whole
    file is recorded and moved to input/da-xu-ly/ (PDF, results workbook, the council's mails, ledger): the
    moment the web's result page can be shown, since it shows what the ledger records.
    """

    def __init__(self) -> None:
        self.watch = WatchedFolder()
        self.web = ServedFolder()
        self.to_pdf: list[float] = []
        self.to_done: list[float] = []
        self.web_s: list[float] = []

    def drop(self) -> None:
        source, target, pdf = self.watch._next()
        temp = target.parent / f"{self.watch.n:08X}"
        shutil.copyfile(source, temp)
        done = target.parent / "da-xu-ly" / target.name
        started = time.perf_counter()
        temp.rename(target)
        self.watch._wait(pdf.exists, 60)
        self.to_pdf.append(time.perf_counter() - started)
        self.watch._wait(done.exists, 60)
        self.to_done.append(time.perf_counter() - started)

    def sample(self) -> float:
        self.drop()
        self.web_s.append(self.web.upload())
        return self.web_s[-1]

    def note(self) -> str:
        pdf, done, web = (statistics.median(s) for s in (self.to_pdf, self.to_done, self.web_s))
        verdict = "met" if web / pdf <= GOAL else "NOT met"
        return (f"{NAME}: {len(self.web_s)} interleaved pairs; watch drop→PDF median {pdf * 1000:.0f} ms, drop→recorded "
                f"{done * 1000:.0f} ms; upload→result ÷ drop→PDF = {web / pdf:.2f} (goal ≤ {GOAL}: {verdict}); "
                f"upload→result ÷ drop→recorded = {web / done:.2f}; pairs (s): "
                + " ".join(f"{d:.1f}/{w:.1f}" for d, w in zip(self.to_done, self.web_s, strict=True)))


def cases() -> list[Case]:
    pair = Interleaved()
    return [Case(NAME, 7, pair.sample, note=pair.note)]


if __name__ == "__main__":
    raise SystemExit(run_cases(cases()))
