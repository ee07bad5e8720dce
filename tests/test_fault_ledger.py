"""The ledger under faults, for real: truncated or garbage bytes, a second process holding its write lock.
Never a traceback, never a silently fresh ledger, never a workbook in loi/ for it; check and repair."""

import io
import os
import shutil
import threading
import time

import pytest

from tests.faults import (
    EXAMPLE,
    MEMBERS,
    Slow,
    cli,
    files_in,
    ledger_locked,
    no_traceback,
    plain_server,
    wait_for,
    write_config,
)
from tests.inbox_fakes import fake_process, fake_xlsx, make_config, settled
from tests.mailtools import make_assessment, make_pdf
from thidua.base.config import load_config
from thidua.base.ledger import Ledger
from thidua.base.model import Submission
from thidua.cli import drop_folder as batch
from thidua.cli.drop_folder import watch
from thidua.cli.main import main
from thidua.delivery.mailing import deliver_report

pytestmark = [pytest.mark.slow]


def _run(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    no_traceback((out.getvalue(), err.getvalue()))
    return code, out.getvalue(), err.getvalue()


def _history(tmp_path, port):
    """A ledger whose report was mailed to every member, then a long tail of processed files."""
    cfg = write_config(tmp_path, port=port)
    config = load_config(cfg)
    pdf = make_pdf(tmp_path / "output" / "dong-thap-2022.pdf")
    assessment = make_assessment()
    assessment.submission = Submission(assessment.submission.meta, assessment.submission.criteria,
                                       assessment.submission.deductions, sha256="cd" * 32)
    ledger_path = config.path("ledger.path")
    with Ledger(ledger_path) as ledger:
        summary = deliver_report(assessment, pdf, config, send=True, dry_run=False, force=False, ledger=ledger)
        assert summary.sent == len(MEMBERS)
        with ledger.transaction():
            for i in range(400):
                fid = ledger.start_file(f"{i:064x}", f"tinh-{i:03d}-" + "x" * 200 + ".xlsx", "fp")
                ledger.finish_file(fid, "ok", [f"output/tinh-{i}.pdf"])
        ledger.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return cfg, pdf, ledger_path


@pytest.fixture
def smtp():
    handler = Slow(0.0)
    controller = plain_server(handler)
    controller.start()
    yield controller, handler
    controller.stop()


def test_a_truncated_ledger_is_named_then_checked_and_repaired_without_mailing_twice(tmp_path, smtp):
    controller, handler = smtp
    cfg, pdf, ledger_path = _history(tmp_path, controller.port)
    os.truncate(ledger_path, ledger_path.stat().st_size * 2 // 3)
    shutil.copy(EXAMPLE, tmp_path / "input" / "moi.xlsx")

    code, out, err = _run("--config", str(cfg))
    assert code == 2 and out == ""
    assert err.splitlines()[0] == (f"Lỗi: Sổ theo dõi \"{ledger_path}\" bị hỏng: tệp bị cắt cụt hoặc hỏng một phần "
                                   "(database disk image is malformed): không đọc được lịch sử xử lý và gửi thư.")
    assert err.splitlines()[1].startswith("Gợi ý: Kiểm tra: python generate_report.py ledger check; sửa: "
                                          "python generate_report.py ledger repair")
    assert files_in(tmp_path / "input") == ["moi.xlsx"] and settled_nothing(tmp_path)
    code, _, err = _run("send", "--pending", "--config", str(cfg))
    assert code == 2 and "bị hỏng" in err

    code, out, _ = _run("ledger", "check", "--config", str(cfg))
    assert code == 1
    assert out.splitlines()[:2] == [f"Sổ theo dõi \"{ledger_path}\" bị hỏng, SQLite báo:",
                                    "  database disk image is malformed"]
    code, out, _ = _run("ledger", "repair", "--config", str(cfg))
    assert code == 0, out
    aside = next(tmp_path.joinpath("output").glob("thidua.sqlite3.hong-*"))
    assert out.splitlines()[0] == (f"Đã chuyển sổ theo dõi hỏng sang \"{aside}\" và dựng lại \"{ledger_path}\" từ "
                                   "những gì còn đọc được:")
    assert "  deliveries (thư gửi thành viên Hội đồng): khôi phục 5 dòng." in out
    assert "  files (lượt xử lý tệp): khôi phục " in out and "trở đi." in out
    assert "Lưu ý: một phần lịch sử không khôi phục được." in out
    with Ledger(ledger_path) as ledger:
        assert {d.status for d in ledger.deliveries()} == {"sent"} and 0 < len(ledger.files()) < 400

    code, out, _ = _run("ledger", "check", "--config", str(cfg))
    assert code == 0 and out.startswith(f"Sổ theo dõi \"{ledger_path}\" nguyên vẹn (")
    code, out, _ = _run("send", str(pdf), "--config", str(cfg))  # the recovered history still says: sent
    assert code == 0 and "5 thư đã gửi (hoặc bị từ chối) trước đó, không gửi lại" in out
    assert len(handler.received) == len(MEMBERS)
    code, out, _ = _run("--config", str(cfg))
    assert code == 0 and files_in(tmp_path / "input" / "da-xu-ly") == ["moi.xlsx"]


def _with_lock_timeout(config, seconds):
    config.values["ledger.lock_timeout"] = float(seconds)
    return config


def settled_nothing(tmp_path):
    return files_in(tmp_path / "input" / "da-xu-ly") == files_in(tmp_path / "input" / "loi") == []


def test_a_ledger_of_garbage_bytes_is_refused_with_what_to_do_and_repaired_explicitly(tmp_path):
    cfg = write_config(tmp_path)
    ledger_path = tmp_path / "output" / "thidua.sqlite3"
    ledger_path.parent.mkdir(parents=True)
    garbage = os.urandom(64 * 1024)
    ledger_path.write_bytes(garbage)
    fake_xlsx(tmp_path / "input" / "a.xlsx")
    done = cli("run", str(tmp_path / "input" / "a.xlsx"), config=cfg)
    no_traceback(done)
    assert done.returncode == 2
    assert (f"Lỗi: Sổ theo dõi \"{ledger_path}\" bị hỏng: tệp không phải là tệp SQLite (phần đầu tệp bị ghi đè "
            "hoặc không phải sổ theo dõi) (file is not a database)") in done.stderr
    assert ledger_path.read_bytes() == garbage  # never replaced behind the person's back
    done = cli("ledger", "check", config=cfg)
    assert done.returncode == 1 and "file is not a database" in done.stdout
    done = cli("ledger", "repair", config=cfg)
    no_traceback(done)
    assert done.returncode == 0
    assert "  deliveries (thư gửi thành viên Hội đồng): không đọc được bảng này, không khôi phục được dòng nào." \
        in done.stdout
    assert next(ledger_path.parent.glob("thidua.sqlite3.hong-*")).read_bytes() == garbage
    done = cli("ledger", "repair", config=cfg)
    assert done.returncode == 0 and "nguyên vẹn (hoặc chưa có), không cần sửa" in done.stdout


def test_a_batch_waits_for_a_ledger_another_process_holds_for_a_while(tmp_path):
    config = _with_lock_timeout(make_config(tmp_path), 30)
    Ledger(config.path("ledger.path")).close()
    fake_xlsx(config.input_dir / "a.xlsx")
    with ledger_locked(config.path("ledger.path"), 3):
        started = time.monotonic()
        assert batch.run_inbox(config, out=io.StringIO(), process=fake_process) == 0
    assert time.monotonic() - started > 2.0  # it waited for the lock, it did not fail
    assert settled(config) == {"a.xlsx"}


def test_a_lock_that_outlasts_the_limit_gives_the_file_back_with_a_clear_message(tmp_path):
    config = _with_lock_timeout(make_config(tmp_path, workers=1), 1)
    path = config.path("ledger.path")
    Ledger(path).close()
    for name in ("a.xlsx", "b.xlsx"):
        fake_xlsx(config.input_dir / name, name)
    out = io.StringIO()
    with ledger_locked(path, 30):
        code = batch.run_inbox(config, out=out, process=fake_process)
    assert code == 2
    text = " ".join(out.getvalue().split())
    assert (f"Dừng xử lý vì lỗi của hệ thống, không phải lỗi của tệp Excel. Lỗi hệ thống: Sổ theo dõi \"{path}\" "
            "đang bị một tiến trình khác khóa (đã chờ 1 giây).") in text
    assert "2 tệp chưa xử lý vẫn ở thư mục input/" in text
    assert files_in(config.input_dir) == ["a.xlsx", "b.xlsx"] and settled(config) == set()
    assert batch.run_inbox(config, out=io.StringIO(), process=fake_process) == 0  # the lock is gone
    assert settled(config) == {"a.xlsx", "b.xlsx"}


def test_the_watcher_never_exits_on_a_locked_ledger_and_retries_the_file(tmp_path):
    config = _with_lock_timeout(make_config(tmp_path), 1)
    Ledger(config.path("ledger.path")).close()
    stop, out = threading.Event(), io.StringIO()
    result = {}
    thread = threading.Thread(target=lambda: result.setdefault(
        "code", watch(config, out, stop_event=stop, process=fake_process)))
    thread.start()
    try:
        wait_for(lambda: "Đang theo dõi" in out.getvalue(), timeout=30)
        with ledger_locked(config.path("ledger.path"), 6):
            fake_xlsx(config.input_dir / "a.xlsx")
            wait_for(lambda: "đang bị một tiến trình khác khóa" in out.getvalue(), timeout=30)
            assert thread.is_alive() and settled(config) == set()
            assert (config.input_dir / "a.xlsx").exists()  # back in input/, where the officer left it
        wait_for(lambda: settled(config) == {"a.xlsx"}, timeout=60)
    finally:
        stop.set()
        thread.join(timeout=30)
    assert result["code"] == 0 and "a.xlsx  xong" in out.getvalue()
    assert files_in(config.input_dir / "loi") == []


def test_a_locked_ledger_at_send_time_names_the_file_and_loses_nothing(tmp_path, smtp):
    controller, handler = smtp
    cfg = write_config(tmp_path, port=controller.port, ledger__lock_timeout=1)
    config = load_config(cfg)
    pdf = make_pdf(tmp_path / "output" / "r.pdf")
    with Ledger(config.path("ledger.path")) as ledger:
        deliver_report(make_assessment(), pdf, config, send=False, dry_run=False, force=False, ledger=ledger)
    with ledger_locked(config.path("ledger.path"), 30):
        code, out, err = _run("send", str(pdf), "--config", str(cfg))
    assert code == 2 and "đang bị một tiến trình khác khóa (đã chờ 1 giây)" in err and not handler.received
    code, out, _ = _run("send", str(pdf), "--config", str(cfg))
    assert code == 0 and out.startswith("r.pdf: đã gửi 5 thư.") and len(handler.received) == 5
