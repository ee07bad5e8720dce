"""Batch mode over the drop folder: every file once, nothing lost, ledger reuse, crash recovery."""

import contextlib
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests import workbooks as wb
from tests.inbox_fakes import (
    ROOT,
    calls,
    crashing_process,
    distinct_copy,
    dying_process,
    fake_process,
    fake_xlsx,
    full_process,
    make_config,
    settled,
    wait_until,
)
from thidua.base.ledger import Ledger
from thidua.cli import drop_folder as batch
from thidua.cli.main import main


def _write_config_file(config, path):
    path.write_text(
        f'[paths]\ninput_dir = "{config.input_dir}"\noutput_dir = "{config.output_dir}"\n'
        f'templates_dir = "{config.templates_dir}"\n[ledger]\npath = "{config.path("ledger.path")}"\n'
        '[inbox]\nworkers = 2\nstable_seconds = 0.2\n', encoding="utf-8")
    return path


def test_twenty_files_all_end_in_done_or_failed_and_nothing_is_lost(tmp_path):
    config = make_config(tmp_path)
    names = {fake_xlsx(config.input_dir / f"tỉnh {i:02d}.xlsx", f"{'BAD' if i % 5 == 0 else ''}{i}").name
             for i in range(20)}
    out = io.StringIO()
    code = batch.run_inbox(config, out=out, process=fake_process)
    assert code == 1  # four files had data issues
    assert settled(config) == names
    assert len(list((config.input_dir / "loi").iterdir())) == 4
    assert sorted(calls(config)) == sorted(n.replace(" ", "_") for n in names)
    assert [p.name for p in config.input_dir.iterdir() if p.is_file()] == []
    text = out.getvalue()
    assert "Đã xử lý 20 tệp" in text and "tỉnh 05.xlsx" in text and "có lỗi dữ liệu" in text
    with Ledger(config.path("ledger.path")) as ledger:
        assert sorted(r.outcome for r in ledger.files()) == ["issues"] * 4 + ["ok"] * 16


def test_same_content_is_reused_unless_forced(tmp_path):
    config = make_config(tmp_path)
    fake_xlsx(config.input_dir / "a.xlsx", "same")
    assert batch.run_inbox(config, out=io.StringIO(), process=fake_process) == 0
    fake_xlsx(config.input_dir / "a.xlsx", "same")
    out = io.StringIO()
    assert batch.run_inbox(config, out=out, process=fake_process) == 0
    assert calls(config) == ["a.xlsx"]
    assert "đã xử lý trước đó, dùng lại kết quả" in out.getvalue()
    assert settled(config) == {"a.xlsx", "a (2).xlsx"}
    fake_xlsx(config.input_dir / "a.xlsx", "same")
    assert batch.run_inbox(config, out=io.StringIO(), process=fake_process, force=True) == 0
    assert calls(config) == ["a.xlsx", "a.xlsx"]


def test_a_deleted_result_is_made_again(tmp_path):
    config = make_config(tmp_path)
    fake_xlsx(config.input_dir / "a.xlsx", "same")
    batch.run_inbox(config, out=io.StringIO(), process=fake_process)
    (config.output_dir / "a.pdf").unlink()
    fake_xlsx(config.input_dir / "a.xlsx", "same")
    batch.run_inbox(config, out=io.StringIO(), process=fake_process)
    assert calls(config) == ["a.xlsx", "a.xlsx"] and (config.output_dir / "a.pdf").exists()


def test_a_crash_of_ours_answers_the_file_and_is_not_reused(tmp_path):
    config = make_config(tmp_path)
    fake_xlsx(config.input_dir / "a.xlsx")
    out = io.StringIO()
    assert batch.run_inbox(config, out=out, process=crashing_process) == 2
    assert settled(config) == {"a.xlsx"} and (config.input_dir / "loi" / "a.xlsx").exists()
    assert "RuntimeError: boom" in (config.output_dir / "a.loi.txt").read_text(encoding="utf-8")
    assert "lỗi chương trình" in out.getvalue()
    os.replace(config.input_dir / "loi" / "a.xlsx", config.input_dir / "a.xlsx")
    assert batch.run_inbox(config, out=io.StringIO(), process=fake_process) == 0
    assert calls(config) == ["a.xlsx"]


def test_real_pipeline_from_the_command_line(tmp_path):
    """Bad data → error copy commented on the exact cell; junk → .loi.txt; lock and other files stay."""
    config = make_config(tmp_path)
    wb.filled(config.input_dir / "Dong Thap.XLSX", rows=[wb.criterion("KT01", plan="bảy"), wb.criterion("KT02")])
    (config.input_dir / "hong.xlsx").write_bytes(b"this is not a workbook")
    for name in ("~$Dong Thap.XLSX", ".~lock.Dong Thap.XLSX#", "ghi-chu.txt"):
        (config.input_dir / name).write_bytes(b"x")
    before = {p.name for p in config.input_dir.iterdir() if p.is_file()}
    out, err = io.StringIO(), io.StringIO()
    code = main(["--config", str(_write_config_file(config, tmp_path / "config.toml"))], stdout=out, stderr=err)
    assert code == 3, out.getvalue() + err.getvalue()
    assert settled(config) == {"Dong Thap.XLSX", "hong.xlsx"}
    assert {p.name for p in config.input_dir.iterdir() if p.is_file()} == before - settled(config)
    copy = load_workbook(config.output_dir / "Dong Thap.loi.xlsx")
    assert "không phải là số" in copy["Tiêu chí"]["F2"].comment.text
    assert "Không đọc được tệp \"hong.xlsx\"" in (config.output_dir / "hong.loi.txt").read_text("utf-8")
    # the officer is told about the file left alone, in Vietnamese (issue 15: no English line on the console)
    assert "Cảnh báo: Bỏ qua ghi-chu.txt: không phải tệp Excel .xlsx." in err.getvalue()
    assert "is not an .xlsx workbook" not in err.getvalue()
    assert "Dong Thap.XLSX" in out.getvalue() and "không đọc được" in out.getvalue()


def test_run_named_files_in_place_uses_the_ledger(tmp_path):
    config = make_config(tmp_path)
    path = wb.filled(tmp_path / "a.xlsx", rows=[wb.criterion("KT01", plan="bảy")])
    out = io.StringIO()
    assert batch.run_files([path], config, out=out) == 1
    assert path.exists() and "Tiêu chí!F2" in out.getvalue()
    out = io.StringIO()
    assert batch.run_files([path], config, out=out) == 1
    assert "dùng lại kết quả" in out.getvalue()
    with Ledger(config.path("ledger.path")) as ledger:
        files = ledger.files()
    assert [(r.name, r.outcome, r.n_issues) for r in files] == [("a.xlsx", "issues", 1)] * 2
    assert [r.reused_from for r in files] == [None, files[0].id]  # processed once, answered twice


def test_quiet_prints_only_problems(tmp_path):
    config = make_config(tmp_path)
    fake_xlsx(config.input_dir / "good.xlsx")
    fake_xlsx(config.input_dir / "bad.xlsx", "BAD")
    out = io.StringIO()
    assert batch.run_inbox(config, out=out, quiet=True, process=fake_process) == 1
    assert "bad.xlsx" in out.getvalue() and "good.xlsx" not in out.getvalue()


_CRASHER = """
import sys
from pathlib import Path
sys.path.insert(0, {root!r})
from tests.inbox_fakes import make_config, slow_process
from thidua.cli import drop_folder as batch
import io
batch.run_inbox(make_config(Path({tmp!r})), out=io.StringIO(), process=slow_process)
"""


def _batch_busy_with_a_file(tmp_path):
    """A batch subprocess (own session) in the middle of a slow file a.xlsx."""
    config = make_config(tmp_path)
    fake_xlsx(config.input_dir / "a.xlsx", "crash me")
    proc = subprocess.Popen([sys.executable, "-c", _CRASHER.format(root=str(ROOT), tmp=str(tmp_path))],
                            start_new_session=True)
    try:
        wait_until(lambda: (config.output_dir / "started").exists(), timeout=30)
    except BaseException:
        os.killpg(proc.pid, signal.SIGKILL)
        raise
    return config, proc


def test_kill_9_mid_run_then_restart_processes_the_file_exactly_once(tmp_path):
    config, proc = _batch_busy_with_a_file(tmp_path)
    os.killpg(proc.pid, signal.SIGKILL)  # the whole process group, workers included
    proc.wait()
    assert not (config.input_dir / "a.xlsx").exists() and settled(config) == set()
    with Ledger(config.path("ledger.path")) as ledger:
        assert [r.outcome for r in ledger.files()] == ["claimed"]
    time.sleep(0.05)  # the killed workers' lock is released by the kernel
    assert batch.run_inbox(config, out=io.StringIO(), process=fake_process) == 0
    assert calls(config) == ["a.xlsx"] and settled(config) == {"a.xlsx"}
    assert batch.run_inbox(config, out=io.StringIO(), process=fake_process) == 0
    assert calls(config) == ["a.xlsx"]
    with Ledger(config.path("ledger.path")) as ledger:
        assert [r.outcome for r in ledger.files()] == ["abandoned", "ok"]


def test_real_pdfs_and_results_in_the_ledger(tmp_path, example_path):
    config = make_config(tmp_path)
    for i in range(3):
        distinct_copy(example_path, config.input_dir / f"tỉnh {i}.xlsx", f"bản {i}")
    out = io.StringIO()
    assert batch.run_inbox(config, out=out, process=full_process) == 0
    assert settled(config) == {f"tỉnh {i}.xlsx" for i in range(3)}
    for i in range(3):
        assert (config.output_dir / f"tỉnh {i}.pdf").read_bytes().startswith(b"%PDF")
    with Ledger(config.path("ledger.path")) as ledger:
        assert [(r.outcome, r.n_issues) for r in ledger.files()] == [("ok", 0)] * 3
        assert ledger.history("Đồng Tháp", "KT01")[0]["year"] == 2022


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_terminal_gets_a_progress_bar_and_the_table(tmp_path):
    config = make_config(tmp_path)
    for i in range(3):
        fake_xlsx(config.input_dir / f"{i}.xlsx")
    out = _Terminal()
    assert batch.run_inbox(config, out=out, process=fake_process) == 0
    assert "Đã xử lý 3 tệp" in out.getvalue()


def test_bare_command_accepts_force_and_reports_an_empty_folder(tmp_path):
    config = make_config(tmp_path)
    out = io.StringIO()
    code = main(["--force", "--config", str(_write_config_file(config, tmp_path / "config.toml"))], stdout=out)
    assert code == 0 and out.getvalue().startswith("Không có tệp Excel nào trong")


def test_a_worker_killed_mid_file_answers_that_file_and_the_run_goes_on(tmp_path):
    config = make_config(tmp_path, workers=1)
    fake_xlsx(config.input_dir / "a-killer.xlsx", "dies")
    fake_xlsx(config.input_dir / "b-fine.xlsx", "fine")
    os.utime(config.input_dir / "a-killer.xlsx", (1, 1))  # oldest first: the killer goes first
    assert batch.run_inbox(config, out=io.StringIO(), process=dying_process) == 2
    assert (config.input_dir / "loi" / "a-killer.xlsx").exists()
    assert (config.input_dir / "da-xu-ly" / "b-fine.xlsx").exists()
    assert "không phải do số liệu" in (config.output_dir / "a-killer.loi.txt").read_text(encoding="utf-8")


def test_new_reports_are_handed_to_the_mailer_once(tmp_path, example_path):
    people = [{"name": "Nguyễn Văn An", "email": "an@example.vn"}]
    config = make_config(tmp_path, email={"recipients": people})
    distinct_copy(example_path, config.input_dir / "dong-thap.xlsx", "mail")
    out = io.StringIO()
    assert batch.run_inbox(config, out=out, process=full_process) == 0
    assert "đã ghi 1 thư (.eml)" in out.getvalue()
    assert len(list((tmp_path / "output" / "thu-di").rglob("*.eml"))) == 1
    os.replace(config.input_dir / "da-xu-ly" / "dong-thap.xlsx", config.input_dir / "dong-thap.xlsx")
    out = io.StringIO()
    assert batch.run_inbox(config, out=out, process=full_process) == 0
    assert "dùng lại kết quả" in out.getvalue() and ".eml" not in out.getvalue()


def test_the_entry_points_are_safe_for_worker_processes(tmp_path):
    """Workers re-import the main script; unguarded it would run the command again in every worker."""
    config = make_config(tmp_path)
    cfg = _write_config_file(config, tmp_path / "config.toml")
    for entry in (["generate_report.py"], ["-m", "thidua"]):
        for i in range(2):
            wb.filled(config.input_dir / f"{entry[-1]}-{i}.xlsx", rows=[wb.criterion("KT01", plan="bảy")])
        done = subprocess.run([sys.executable, *entry, "--config", str(cfg)], cwd=ROOT, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 1, done.stdout + done.stderr
        assert "Đã xử lý 2 tệp" in done.stdout
    assert len(list((config.input_dir / "loi").iterdir())) == 4
    # the entry points leave by os._exit after flushing: the ledger and the error copies are complete
    with Ledger(config.path("ledger.path")) as ledger:
        files = ledger.files()
    assert sorted(f.name for f in files) == sorted(p.name for p in (config.input_dir / "loi").iterdir())
    assert all(f.outcome == "issues" for f in files)


def test_a_file_that_cannot_be_moved_is_settled_by_the_next_run_without_reprocessing(tmp_path):
    config = make_config(tmp_path)
    fake_xlsx(config.input_dir / "a.xlsx")
    (config.input_dir / "da-xu-ly").write_bytes(b"a file where the folder should be")
    assert batch.run_inbox(config, out=io.StringIO(), process=fake_process) == 0
    assert not (config.input_dir / "a.xlsx").exists() and calls(config) == ["a.xlsx"]
    (config.input_dir / "da-xu-ly").unlink()
    out = io.StringIO()
    assert batch.run_inbox(config, out=out, process=fake_process) == 0
    assert settled(config) == {"a.xlsx"} and calls(config) == ["a.xlsx"]
    assert "dùng lại kết quả" in out.getvalue()


def test_asking_for_json_after_a_run_without_it_processes_again(tmp_path, example_path):
    config = make_config(tmp_path)
    source = tmp_path / "dong-thap.xlsx"
    source.write_bytes(example_path.read_bytes())
    assert batch.run_files([source], config, out=io.StringIO()) == 0
    assert not (config.output_dir / "dong-thap.json").exists()
    out = io.StringIO()
    assert batch.run_files([source], config, out=out, write_json=True) == 0
    assert "dùng lại kết quả" not in out.getvalue()
    assert (config.output_dir / "dong-thap.json").is_file()
    out = io.StringIO()
    assert batch.run_files([source], config, out=out, write_json=True) == 0
    assert "dùng lại kết quả" in out.getvalue()  # now everything asked for exists


def test_reuse_needs_outputs_named_after_the_file_and_unchanged_since(tmp_path):
    config = make_config(tmp_path)
    a, b = fake_xlsx(tmp_path / "a.xlsx", "A"), fake_xlsx(tmp_path / "b-src.xlsx", "B")
    assert batch.run_files([a], config, out=io.StringIO(), process=fake_process) == 0
    copy = tmp_path / "ban sao.xlsx"
    copy.write_bytes(a.read_bytes())
    assert batch.run_files([copy], config, out=io.StringIO(), process=fake_process) == 0
    assert calls(config) == ["a.xlsx", "ban_sao.xlsx"]  # same content, other name: its own outputs
    assert (config.output_dir / "ban sao.pdf").is_file()

    other = tmp_path / "other" / "a.xlsx"  # a different workbook called a.xlsx overwrites output/a.pdf
    other.parent.mkdir()
    other.write_bytes(b.read_bytes())
    assert batch.run_files([other], config, out=io.StringIO(), process=fake_process) == 0
    out = io.StringIO()
    assert batch.run_files([a], config, out=out, process=fake_process) == 0
    assert "dùng lại kết quả" not in out.getvalue()  # a.pdf is no longer a's report: made again
    assert calls(config) == ["a.xlsx", "ban_sao.xlsx", "a.xlsx", "a.xlsx"]
    out = io.StringIO()
    assert batch.run_files([a], config, out=out, process=fake_process) == 0
    assert "dùng lại kết quả" in out.getvalue()


def _descendants(pid: int) -> set[int]:
    """Every process below `pid`, from /proc (Linux)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_workers_do_not_outlive_a_killed_parent(tmp_path):
    """kill -9 of the main process alone: its workers, forkserver and resource tracker leave too."""
    config, proc = _batch_busy_with_a_file(tmp_path)
    try:
        helpers = _descendants(proc.pid)
        assert helpers
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        wait_until(lambda: not any(_alive(pid) for pid in helpers), timeout=10)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    assert batch.run_inbox(config, out=io.StringIO(), process=fake_process) == 0
    assert settled(config) == {"a.xlsx"}


def test_a_corrected_workbook_clears_its_old_error_copy(tmp_path, example_path):
    config = make_config(tmp_path)
    bad = wb.standard_raw(config.input_dir / "dong-thap.xlsx", rows=[wb.criterion("KT01", plan="bảy")])
    assert batch.run_inbox(config, out=io.StringIO()) == 1
    assert (config.output_dir / "dong-thap.loi.xlsx").is_file()
    bad.parent.mkdir(exist_ok=True)
    (config.input_dir / "dong-thap.xlsx").write_bytes(example_path.read_bytes())
    assert batch.run_inbox(config, out=io.StringIO()) == 0
    assert (config.output_dir / "dong-thap.pdf").is_file()
    assert not (config.output_dir / "dong-thap.loi.xlsx").exists()


def test_two_workbooks_that_would_share_output_names_both_keep_their_report(tmp_path):
    config = make_config(tmp_path)
    fake_xlsx(config.input_dir / "a.xlsx", "one")
    fake_xlsx(config.input_dir / "a.XLSX", "two")
    assert batch.run_inbox(config, out=io.StringIO(), process=fake_process) == 0
    pdfs = sorted(p.name for p in config.output_dir.glob("*.pdf"))
    assert pdfs == ["a (2).pdf", "a.pdf"]
    assert (config.output_dir / "a.pdf").read_bytes() != (config.output_dir / "a (2).pdf").read_bytes()


def test_closing_table_names_the_bad_cells(tmp_path):
    config = make_config(tmp_path)
    wb.standard_raw(config.input_dir / "sai.xlsx", rows=[wb.criterion("KT01", actual="bảy"), wb.criterion("KT02")])
    out = io.StringIO()
    assert batch.run_inbox(config, out=out, process=full_process) == 1
    assert "1 lỗi (Tiêu chí!G2), xem" in " ".join(out.getvalue().split())
    assert (config.input_dir / "loi" / "sai.xlsx").is_file()  # the officer's file is kept
