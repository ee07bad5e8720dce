"""Lay out the report in a second process that imports WeasyPrint while this one reads and scores the
workbook: a cold one-file run then uses both cores (a warm process, one that has WeasyPrint, lays out itself).

The helper is this package's own child, started with this interpreter: it imports the renderer, warms its
fonts and CSS, then turns each request (HTML text made here from the same templates, the settings, the
date and the attached files) into the same PDF bytes the renderer makes in-process. It ends when this
process closes its pipe or exits. If it cannot start or dies, the report is laid out here as before.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import logging
import os
import pickle
import struct
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from thidua.base.errors import RenderError

if TYPE_CHECKING:  # kept out of the start-up path: starting the helper must cost this process nothing
    from thidua.base.config import Config
    from thidua.base.model import Assessment
    from thidua.cluster.history import Comparison
    from thidua.report.templating import AttachedFile

log = logging.getLogger(__name__)

_FRAME = struct.Struct("<Q")
_SERVE = "from thidua.report.layout_process import serve; serve()"


def _write_frame(stream: IO[bytes], value: object) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_FRAME.pack(len(data)) + data)
    stream.flush()


def _read_frame(stream: IO[bytes]) -> Any:
    """The next value, or EOFError when the other side is gone."""
    head = stream.read(_FRAME.size)
    if len(head) < _FRAME.size:
        raise EOFError
    size = _FRAME.unpack(head)[0]
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return pickle.loads(data)  # our own child's answer, over our own pipe


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on every platform
        return os.cpu_count() or 1


def worth_a_helper() -> bool:
    """A second process pays off when WeasyPrint is not loaded here yet and a second core is free for it."""
    return "weasyprint" not in sys.modules and _cores() >= 2


class LayoutProcess:
    """The helper process and its two pipes; one request at a time."""

    def __init__(self, proc: subprocess.Popen[bytes], templates_dir: Path) -> None:
        self.proc = proc
        self.templates_dir = templates_dir
        self.lock = threading.Lock()

    @classmethod
    def start(cls, templates_dir: Path) -> LayoutProcess | None:
        """Start the helper for this templates folder; None when it cannot be started."""
        templates_dir = Path(templates_dir).resolve()
        root = str(Path(__file__).resolve().parents[2])  # the folder holding this thidua, wherever it lives
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)}
        level = logging.getLogger("thidua").getEffectiveLevel()
        try:
            # -P: the officer's working folder is not searched for modules
            proc = subprocess.Popen([sys.executable, "-P", "-c", _SERVE, str(templates_dir), str(level)],
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
        except OSError:
            log.debug("could not start the layout process", exc_info=True)
            return None
        return cls(proc, templates_dir)

    def lay_out(self, request: LayoutRequest) -> bytes | None:
        """The PDF bytes of `request`; None when the helper is gone (the caller lays out itself).
        A template or layout problem raises the RenderError the renderer raised there."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        try:
            _write_frame(self.proc.stdin, request)
            answer = _read_frame(self.proc.stdout)
        except (OSError, EOFError, pickle.UnpicklingError):
            log.info("the layout process ended unexpectedly (exit code %s); laying out here",
                        self.proc.poll())
            self.close()
            return None
        if answer[0] == "pdf":
            return bytes(answer[1])
        raise RenderError(answer[1], hint=answer[2])

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def close(self) -> None:
        """End the helper: it sees its input close and leaves."""
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@dataclass(frozen=True)
class LayoutRequest:
    """Everything the helper needs for one PDF (all plain, picklable data)."""

    html: str
    config: Config
    when: dt.datetime
    files: list[AttachedFile] = field(default_factory=list)


_helper: LayoutProcess | None = None
_helper_lock = threading.Lock()


def start_ahead(templates_dir: Path) -> None:
    """Start the helper now (once per process) when it will pay off, so WeasyPrint is imported and warm by
    the time the report's HTML is ready; later reports of this process reuse it."""
    global _helper
    with _helper_lock:
        if _helper is None and worth_a_helper():
            _helper = LayoutProcess.start(templates_dir)
            if _helper is not None:  # a library caller's process ends the helper on its way out
                atexit.register(_helper.close)


def _running_helper(templates_dir: Path) -> LayoutProcess | None:
    """The helper, when one runs for this templates folder."""
    helper = _helper
    if helper is None or not helper.alive:
        return None
    return helper if helper.templates_dir == Path(templates_dir).resolve() else None


@dataclass
class PendingPdf:
    """A PDF being laid out in the helper (or made here already): `wait` writes and returns the file."""

    out_path: Path
    here: Callable[[], Path]  # lays the PDF out in this process and writes it (when there is no helper)
    helper: LayoutProcess | None = None
    done: Path | None = None  # made here already
    _thread: threading.Thread | None = None
    _answer: list[bytes | BaseException | None] = field(default_factory=list)

    def begin(self, request: LayoutRequest) -> None:
        """Hand the request to the helper on a thread of ours, so this process goes on with other work."""
        helper = self.helper
        assert helper is not None

        def ask() -> None:
            with helper.lock:
                try:
                    self._answer.append(helper.lay_out(request))
                except BaseException as exc:  # handed over to `wait`, raised there
                    self._answer.append(exc)

        self._thread = threading.Thread(target=ask, name="thidua-layout", daemon=True)
        self._thread.start()

    def wait(self) -> Path:
        """The PDF written atomically to `out_path` (laid out here when the helper could not)."""
        if self._thread is None:
            return self.done or self.here()
        self._thread.join()
        answer = self._answer[0]
        if isinstance(answer, BaseException):
            raise answer
        if answer is None:  # the helper is gone
            return self.here()
        from thidua.base.atomic import write_bytes

        return write_bytes(self.out_path, answer)


def lay_out(out_path: Path, config: Config, request: Callable[[], LayoutRequest],
            here: Callable[[], Path]) -> PendingPdf:
    """Begin a PDF of this templates folder: the `request` handed to the helper when one runs (this returns
    at once), else made by `here` now, before the caller's other work leaves its garbage for the collector
    to walk during the layout."""
    pending = PendingPdf(Path(out_path), here)
    helper = _running_helper(config.templates_dir)
    if helper is None:
        pending.done = here()
    else:
        pending.helper = helper
        pending.begin(request())
    return pending


def start_pdf(assessment: Assessment, config: Config, out_path: Path, *,
              history: Comparison | None = None) -> PendingPdf:
    """Begin the report's PDF (see `lay_out`); its HTML is built here either way, so a template error is
    raised now."""
    from thidua.report.templating import attached_files, get_templates, timestamp

    def request() -> LayoutRequest:
        text = get_templates(config.templates_dir).html(assessment, config, history=history)
        return LayoutRequest(text, config, timestamp(assessment), attached_files(assessment))

    def here() -> Path:
        from thidua.report.pdf import render_pdf

        return render_pdf(assessment, config, Path(out_path), history=history)

    return lay_out(out_path, config, request, here)


def serve() -> None:
    """The helper's main loop (run by `python -c`): warm the renderer, then answer requests until the input
    closes. Ctrl+C is for the parent to decide."""
    import gc
    import signal

    from thidua.base.logfmt import console_handler

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")  # our channel; stray prints go to stderr instead
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    requests = sys.stdin.buffer
    templates_dir, level = Path(sys.argv[1]), int(sys.argv[2])
    package = logging.getLogger("thidua")
    package.addHandler(console_handler(sys.stderr, level))
    package.setLevel(level)
    gc.disable()  # nothing to collect while importing; get_renderer freezes what the imports made
    try:
        from thidua.report import pdf

        renderer = pdf.get_renderer(templates_dir)
        renderer.stylesheet()
    except Exception as exc:  # e.g. WeasyPrint missing: each request says so, as an in-process render would
        renderer, broken = None, exc
    finally:
        gc.enable()
    while True:
        try:
            request: LayoutRequest = _read_frame(requests)
        except EOFError:  # the parent closed the pipe or exited: nothing left to write or flush
            os._exit(0)
        try:
            if renderer is None:
                raise RenderError(f"Không tạo được tệp PDF: {type(broken).__name__}: {broken}")
            files, when = request.files, request.when
            data = renderer.pdf_from_html(request.html, request.config, when,
                                          lambda: pdf.as_attachments(files, when))  # noqa: B023 (called at once)
            answer: tuple[object, ...] = ("pdf", data)
        except RenderError as exc:
            answer = ("render-error", exc.message, exc.hint)
        except Exception as exc:  # never silent: the officer's message says what failed
            log.debug("layout failed", exc_info=True)
            answer = ("render-error", f"Không tạo được tệp PDF: {type(exc).__name__}: {exc}", None)
        try:
            _write_frame(answers, answer)
        except OSError:  # the parent is gone
            return
