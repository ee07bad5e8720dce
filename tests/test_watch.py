"""The real watcher on a temporary drop folder, with bounded waits instead of long sleeps."""

import contextlib
import io
import os
import signal
import subprocess
import sys
import threading
import time
import zipfile

from openpyxl import load_workbook

from tests import workbooks as wb
from tests.inbox_fakes import ROOT, calls, fake_process, fake_xlsx, make_config, settled, wait_until
from thidua.base.ledger import Ledger
from thidua.cli.drop_folder import watch
from thidua.inbox.watch import StabilityTracker
from thidua.pipeline import process_workbook


@contextlib.contextmanager
def running_watch(config, **kwargs):
    """Start watch() in a thread; stop it and check it ended on leaving."""
    stop, out = threading.Event(), io.StringIO()
    result = {}
    thread = threading.Thread(target=lambda: result.setdefault(
        "code", watch(config, out, stop_event=stop, process=kwargs.pop("process", fake_process), **kwargs)))
    thread.start()
    try:
        wait_until(lambda: "Đang theo dõi" in out.getvalue(), timeout=30)
        yield out
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not thread.is_alive() and result["code"] == 0
    assert "Đã dừng theo dõi." in out.getvalue()


def _lines(out):
    return [line for line in out.getvalue().splitlines() if "giây" in line]


def test_scans_input_at_start_and_stops_after_max_files(tmp_path):
    config = make_config(tmp_path)
    fake_xlsx(config.input_dir / "sẵn có.xlsx")
    out = io.StringIO()
    assert watch(config, out, max_files=1, process=fake_process) == 0
    assert settled(config) == {"sẵn có.xlsx"}
    [line] = _lines(out)
    assert "sẵn có.xlsx  xong" in line and line.endswith("sẵn có.pdf")


def test_a_slow_copy_yields_one_output_after_the_copy_ends(tmp_path):
    config = make_config(tmp_path)
    data = fake_xlsx(tmp_path / "src.xlsx", size=200_000).read_bytes()
    with running_watch(config) as out:
        target = config.input_dir / "cham.xlsx"
        with open(target, "wb") as fh:
            for i in range(20):  # ≈2 s, in chunks, flushed: the watcher sees a growing, broken zip
                fh.write(data[i * len(data) // 20:(i + 1) * len(data) // 20])
                fh.flush()
                time.sleep(0.1)
        copy_ended = time.time()
        wait_until(lambda: len(_lines(out)) == 1, timeout=15)
        time.sleep(0.3)
    assert calls(config) == ["cham.xlsx"] and len(_lines(out)) == 1
    assert (config.output_dir / "cham.pdf").stat().st_mtime >= copy_ended - 0.05
    assert settled(config) == {"cham.xlsx"}


def test_an_excel_style_save_is_processed_and_lock_files_are_left_alone(tmp_path):
    config = make_config(tmp_path)
    with running_watch(config) as out:
        (config.input_dir / "~$bao-cao.xlsx").write_bytes(b"lock")
        (config.input_dir / "ghi-chu.txt").write_bytes(b"note")
        temp = fake_xlsx(config.input_dir / "A1B2C3D4", "excel save")
        os.rename(temp, config.input_dir / "bao-cao.xlsx")
        wait_until(lambda: len(_lines(out)) == 1)
    assert calls(config) == ["bao-cao.xlsx"] and settled(config) == {"bao-cao.xlsx"}
    assert sorted(p.name for p in config.input_dir.iterdir() if p.is_file()) == ["ghi-chu.txt", "~$bao-cao.xlsx"]


def test_the_same_content_saved_twice_is_processed_once(tmp_path):
    config = make_config(tmp_path)
    with running_watch(config) as out:
        fake_xlsx(config.input_dir / "a.xlsx", "same")
        wait_until(lambda: len(_lines(out)) == 1)
        fake_xlsx(config.input_dir / "a.xlsx", "same")
        wait_until(lambda: len(_lines(out)) == 2)
    assert calls(config) == ["a.xlsx"]
    assert "dùng lại kết quả" in _lines(out)[1]
    assert settled(config) == {"a.xlsx", "a (2).xlsx"}


def test_twenty_files_at_once_all_end_in_done_or_failed(tmp_path):
    config = make_config(tmp_path)
    staging = tmp_path / "staging"
    names = {fake_xlsx(staging / f"f{i:02d}.xlsx", f"{'BAD' if i % 4 == 0 else ''}{i}").name for i in range(20)}
    with running_watch(config) as out:
        for name in sorted(names):
            os.rename(staging / name, config.input_dir / name)
        wait_until(lambda: len(_lines(out)) == 20, timeout=30)
    assert settled(config) == names and sorted(calls(config)) == sorted(names)
    assert len(list((config.input_dir / "loi").iterdir())) == 5


def test_real_pipeline_answers_a_bad_workbook_with_a_commented_copy(tmp_path):
    config = make_config(tmp_path)
    with running_watch(config, process=process_workbook) as out:
        staged = wb.filled(tmp_path / "dong-thap.xlsx", rows=[wb.criterion("KT01", plan="bảy")])
        os.rename(staged, config.input_dir / "dong-thap.xlsx")
        (config.input_dir / "0A1B2C3D").write_bytes(b"not a zip at all")  # saved like Excel does
        os.rename(config.input_dir / "0A1B2C3D", config.input_dir / "rac.xlsx")
        wait_until(lambda: len(_lines(out)) == 2, timeout=30)
    assert settled(config) == {"dong-thap.xlsx", "rac.xlsx"}
    assert (config.input_dir / "loi" / "dong-thap.xlsx").exists()
    copy = load_workbook(config.output_dir / "dong-thap.loi.xlsx")
    assert "không phải là số" in copy["Tiêu chí"]["F2"].comment.text
    assert (config.output_dir / "rac.loi.txt").exists()


def test_stability_needs_quiet_time_and_a_whole_zip(tmp_path):
    path = fake_xlsx(tmp_path / "a.xlsx", size=1000)
    tracker = StabilityTracker(0.5)
    tracker.touch(path, now=100.0)
    assert tracker.ready(now=100.2) == []
    assert tracker.ready(now=100.6) == [path]
    half = tmp_path / "half.xlsx"
    half.write_bytes(path.read_bytes()[:300])
    tracker.touch(half, now=100.0)
    assert tracker.ready(now=101.0) == [] and tracker.ready(now=105.1) == [half]  # given up waiting: answered
    renamed = fake_xlsx(tmp_path / "b.xlsx")
    tracker.touch(renamed, renamed=True, now=100.0)
    assert tracker.ready(now=100.0) == [renamed]


_WATCHER = """
import sys
from pathlib import Path
sys.path.insert(0, {root!r})
from tests.inbox_fakes import make_config, slow_process
from thidua.cli.drop_folder import watch
raise SystemExit(watch(make_config(Path({tmp!r})), sys.stdout, process=slow_process))
"""


def _start_watcher(tmp_path):
    env = {**os.environ, "THIDUA_TEST_SLOW": "1.5"}
    return subprocess.Popen([sys.executable, "-c", _WATCHER.format(root=str(ROOT), tmp=str(tmp_path))],
                            env=env, stdout=subprocess.PIPE, text=True, start_new_session=True)


@contextlib.contextmanager
def _watcher_busy_with_a_file(tmp_path):
    """A watcher subprocess in the middle of a slow file a.xlsx; killed hard on the way out."""
    config = make_config(tmp_path)
    proc = _start_watcher(tmp_path)
    try:
        fake_xlsx(config.input_dir / "a.xlsx")
        wait_until(lambda: (config.output_dir / "started").exists(), timeout=30)
        yield config, proc
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)


def test_sigterm_finishes_the_file_in_progress(tmp_path):
    with _watcher_busy_with_a_file(tmp_path) as (config, proc):
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    assert settled(config) == {"a.xlsx"} and calls(config) == ["a.xlsx"]
    assert "a.xlsx  xong" in proc.stdout.read()


def test_a_second_sigterm_gives_the_file_back(tmp_path):
    with _watcher_busy_with_a_file(tmp_path) as (config, proc):
        proc.send_signal(signal.SIGTERM)
        time.sleep(0.2)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    assert (config.input_dir / "a.xlsx").exists() and settled(config) == set() and calls(config) == []
    with Ledger(config.path("ledger.path")) as ledger:
        assert [r.outcome for r in ledger.files()] == ["abandoned"]
    with zipfile.ZipFile(config.input_dir / "a.xlsx") as zf:
        assert zf.read("xl/workbook.xml") == b"a.xlsx"


def test_a_corrected_drop_of_the_same_name_replaces_its_report(tmp_path):
    """In watch mode names are only kept apart while both files are in progress."""
    config = make_config(tmp_path)
    stop = threading.Event()
    out = io.StringIO()
    thread = threading.Thread(target=watch, args=(config, out), kwargs={"stop_event": stop, "process": fake_process},
                              daemon=True)
    thread.start()
    try:
        wait_until(lambda: "Đang theo dõi" in out.getvalue(), timeout=30)
        fake_xlsx(config.input_dir / "a.xlsx", "first")
        wait_until(lambda: settled(config) == {"a.xlsx"}, timeout=30)
        fake_xlsx(config.input_dir / "a.xlsx", "corrected")
        wait_until(lambda: len(calls(config)) == 2 and len(list((config.input_dir / "da-xu-ly").iterdir())) == 2,
                   timeout=30)
    finally:
        stop.set()
        thread.join(timeout=30)
    assert sorted(p.name for p in config.output_dir.glob("*.pdf")) == ["a.pdf"]
