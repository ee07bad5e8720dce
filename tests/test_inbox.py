"""The drop folder on disk: which files count, claiming, moving without overwriting, crash leftovers."""

import logging

import pytest

from tests.inbox_fakes import fake_xlsx
from thidua.inbox import folder as inbox


@pytest.mark.parametrize(("name", "kind"), [
    ("dong-thap.xlsx", inbox.WORKBOOK), ("BAO CAO.XLSX", inbox.WORKBOOK), ("a.Xlsx", inbox.WORKBOOK),
    ("~$dong-thap.xlsx", inbox.IGNORED), (".~lock.dong-thap.xlsx#", inbox.IGNORED),
    (".hidden.xlsx", inbox.IGNORED), ("A1B2C3D4", inbox.IGNORED), ("x.xlsx.tmp", inbox.IGNORED),
    ("~WRL0001.tmp", inbox.IGNORED), ("x.xlsx~", inbox.IGNORED), ("x.crdownload", inbox.IGNORED),
    ("notes.txt", inbox.OTHER), ("old.xls", inbox.OTHER), ("report.pdf", inbox.OTHER),
])
def test_classify(tmp_path, name, kind):
    assert inbox.classify(tmp_path / name) == kind


def test_candidates_skip_lock_hidden_and_folders_and_log_others_once(tmp_path, caplog):
    for name in ("b.xlsx", "A.XLSX", "~$b.xlsx", ".~lock.b.xlsx#", ".x.xlsx", "notes.txt"):
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "da-xu-ly").mkdir()
    (tmp_path / "da-xu-ly" / "old.xlsx").write_bytes(b"x")
    seen: set[str] = set()
    with caplog.at_level(logging.WARNING, logger="thidua.inbox.folder"):
        first = inbox.candidates(tmp_path, seen_other=seen)
        inbox.candidates(tmp_path, seen_other=seen)
    assert sorted(p.name for p in first) == ["A.XLSX", "b.xlsx"]
    assert [r.getMessage() for r in caplog.records] == ["left alone: notes.txt is not an .xlsx workbook"]


def test_claim_keeps_the_name_and_settle_never_overwrites(tmp_path):
    inbox.working_dir(tmp_path).mkdir()
    done = tmp_path / "da-xu-ly"
    first = inbox.claim(fake_xlsx(tmp_path / "a.xlsx", "one"), tmp_path)
    second = inbox.claim(fake_xlsx(tmp_path / "a.xlsx", "two"), tmp_path)
    assert first and second and first.name == second.name == "a.xlsx" and first.path != second.path
    assert not (tmp_path / "a.xlsx").exists()
    assert inbox.settle(first, done).name == "a.xlsx"
    assert inbox.settle(second, done).name == "a (2).xlsx"
    assert sorted(p.name for p in done.iterdir()) == ["a (2).xlsx", "a.xlsx"]
    assert list(inbox.working_dir(tmp_path).iterdir()) == []


def test_claim_of_a_vanished_file_is_none(tmp_path):
    inbox.working_dir(tmp_path).mkdir()
    assert inbox.claim(tmp_path / "gone.xlsx", tmp_path) is None
    assert list(inbox.working_dir(tmp_path).iterdir()) == []


def test_unclaimed_finds_crash_leftovers_and_release_gives_them_back(tmp_path):
    inbox.working_dir(tmp_path).mkdir()
    claimed = inbox.claim(fake_xlsx(tmp_path / "a.xlsx"), tmp_path)
    (inbox.working_dir(tmp_path) / "empty-slot").mkdir()
    found = inbox.unclaimed(tmp_path)
    assert found == [claimed]
    assert not (inbox.working_dir(tmp_path) / "empty-slot").exists()
    fake_xlsx(tmp_path / "a.xlsx", "newer drop with the same name")
    assert inbox.release(found[0]).name == "a (2).xlsx"


def test_second_run_on_the_same_folder_is_refused(tmp_path):
    with inbox.locked(tmp_path), pytest.raises(inbox.InboxBusyError), inbox.locked(tmp_path):
        pass


def test_complete_zip_and_result_stem(tmp_path):
    path = fake_xlsx(tmp_path / "a.xlsx", size=10_000)
    assert inbox.is_complete_zip(path)
    (tmp_path / "half.xlsx").write_bytes(path.read_bytes()[:5000])
    assert not inbox.is_complete_zip(tmp_path / "half.xlsx")
    assert inbox.result_stem("dong-thap.loi.xlsx") == "dong-thap"
    assert inbox.result_stem("dong-thap.xlsx") == "dong-thap"
    assert inbox.result_stem(".loi.xlsx") == ".loi"


def test_a_move_interrupted_after_its_link_is_finished_without_a_second_copy(tmp_path):
    import os

    inbox.working_dir(tmp_path).mkdir()
    claimed = inbox.claim(fake_xlsx(tmp_path / "a.xlsx"), tmp_path)
    done = tmp_path / "da-xu-ly"
    done.mkdir()
    fake_xlsx(done / "a.xlsx", "an earlier file of the same name")
    os.link(claimed.path, done / "a (2).xlsx")  # the first step of the move, then the crash
    assert inbox.settle(claimed, done).name == "a (2).xlsx"
    assert sorted(p.name for p in done.iterdir()) == ["a (2).xlsx", "a.xlsx"]
    assert not claimed.path.exists()
