"""The SQLite ledger: migrations, files, results, deliveries, concurrent writers."""

import multiprocessing as mp

from thidua.base.ledger import MIGRATIONS, Ledger


def test_migrates_to_latest_and_is_idempotent(tmp_path):
    path = tmp_path / "l.sqlite3"
    with Ledger(path) as ledger:
        assert ledger.schema_version == len(MIGRATIONS)
    with Ledger(path) as ledger:
        assert ledger.schema_version == len(MIGRATIONS)


def test_file_lifecycle(tmp_path):
    with Ledger(tmp_path / "l.sqlite3") as ledger:
        fid = ledger.start_file("abc", "a.xlsx")
        assert ledger.find_done("abc") is None
        assert [r.id for r in ledger.unfinished()] == [fid]
        ledger.finish_file(fid, "ok", ["output/a.pdf"], province="Đồng Tháp", year=2022)
        done = ledger.find_done("abc")
        assert done is not None and done.outputs == ["output/a.pdf"] and done.outcome == "ok"
        assert ledger.unfinished() == []


def test_results_replace_per_province_year(tmp_path):
    row = {"code": "KT01", "name": "GRDP", "field": "Kinh tế", "kind": "increase", "plan": 7.0,
           "actual": 8.62, "pct_of_plan": 123.14, "status": "Vượt", "points": 50, "bonus": 5}
    with Ledger(tmp_path / "l.sqlite3") as ledger:
        ledger.record_results(1, "Đồng Tháp", 2022, [row])
        ledger.record_results(2, "Đồng Tháp", 2022, [{**row, "actual": float("nan")}])
        ledger.record_results(3, "Đồng Tháp", 2023, [{**row, "actual": 5.66}])
        hist = ledger.history("Đồng Tháp", "KT01")
    assert [(h["year"], h["actual"]) for h in hist] == [(2022, None), (2023, 5.66)]


def test_interim_results_are_kept_apart_from_the_year_end(tmp_path):
    row = {"code": "KT01", "name": "GRDP", "field": "Kinh tế", "kind": "increase", "plan": 7.0,
           "actual": 8.62, "pct_of_plan": 123.14, "status": "Vượt", "points": 50, "bonus": 5}
    with Ledger(tmp_path / "l.sqlite3") as ledger:
        ledger.record_results(1, "Đồng Tháp", 2022, [row])
        ledger.record_results(2, "Đồng Tháp", 2022, [{**row, "actual": 4.1}], period="h1")
        hist = ledger.history("Đồng Tháp", "KT01")
        periods = sorted(r[0] for r in ledger.conn.execute("SELECT period FROM results"))
    assert [(h["year"], h["actual"]) for h in hist] == [(2022, 8.62)] and periods == ["h1", "year"]


def test_delivery_upsert_counts_attempts(tmp_path):
    with Ledger(tmp_path / "l.sqlite3") as ledger:
        ledger.record_delivery("r1", "out.pdf", "A@x.vn", "A", "pending", error="timeout")
        assert ledger.delivery_status("r1", "a@x.vn") == "pending"
        assert [d.email for d in ledger.pending_deliveries()] == ["a@x.vn"]
        ledger.record_delivery("r1", "out.pdf", "a@x.vn", "A", "sent")
        assert ledger.delivery_status("r1", "a@x.vn") == "sent"
        assert ledger.pending_deliveries() == []
        assert ledger.deliveries()[0].attempts == 2


def _writer(path: str, n: int) -> None:
    with Ledger(path) as ledger:
        for i in range(n):
            fid = ledger.start_file(f"sha{i}", f"f{i}.xlsx")
            ledger.finish_file(fid, "ok", [])


def test_concurrent_writers(tmp_path):
    path = str(tmp_path / "l.sqlite3")
    Ledger(path).close()
    procs = [mp.get_context("spawn").Process(target=_writer, args=(path, 25)) for _ in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    with Ledger(path) as ledger:
        assert len(ledger.files()) == 75


def test_report_brief_round_trip(tmp_path):
    with Ledger(tmp_path / "l.sqlite3") as ledger:
        assert ledger.report_brief("r1") is None
        ledger.record_report("r1", "output/a.pdf", {"province": "Đồng Tháp", "year": 2022})
        ledger.record_report("r1", "output/b.pdf", {"province": "Đồng Tháp", "year": 2022})
        assert ledger.report_brief("r1") == ("output/b.pdf", {"province": "Đồng Tháp", "year": 2022})


def test_a_reused_file_is_recorded_pointing_at_the_original(tmp_path):
    with Ledger(tmp_path / "l.sqlite3") as ledger:
        first = ledger.start_file("ab" * 32, "dong-thap.xlsx")
        ledger.finish_file(first, "ok", ["output/dong-thap.pdf"], province="Đồng Tháp", year=2022)
        original = ledger.find_done("ab" * 32)
        again = ledger.record_reuse("dong-thap (ban sao).xlsx", original)
        files = ledger.files()
    assert [f.name for f in files] == ["dong-thap.xlsx", "dong-thap (ban sao).xlsx"]
    assert files[1].id == again and files[1].reused_from == first and files[0].reused_from is None
    assert files[1].outcome == "ok" and files[1].outputs == ["output/dong-thap.pdf"]
    assert files[1].finished_at is not None


def test_old_deliveries_are_keyed_by_the_processing_that_made_their_pdf(tmp_path):
    """Migration to content keys: rows keyed by PDF hash get the workbook's key; duplicates keep 'sent'."""
    import sqlite3

    from thidua.base.ledger import apply_migrations, report_key

    path = tmp_path / "l.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    before = MIGRATIONS.index(next(m for m in MIGRATIONS if "report_key TEXT" in m))
    apply_migrations(conn, 0, before)
    stamp = "2026-01-01T00:00:00"
    for fid, pdf in ((1, "pdf-a"), (2, "pdf-b")):  # the same workbook rendered twice (new PDF bytes)
        conn.execute("INSERT INTO files (id, sha256, name, claimed_at, outcome, fingerprint, output_hashes) "
                     "VALUES (?, 'src', 'a.xlsx', ?, 'ok', 'fp', ?)", (fid, stamp, f'{{"output/a.pdf": "{pdf}"}}'))
        conn.execute("INSERT INTO reports (sha256, path, brief, updated_at) VALUES (?, 'output/a.pdf', '{}', ?)",
                     (pdf, stamp))
    rows = [("pdf-a", "an@x.vn", "sent"), ("pdf-b", "an@x.vn", "pending"), ("pdf-b", "binh@x.vn", "pending"),
            ("pdf-unknown", "an@x.vn", "sent")]
    for pdf, email, status in rows:
        conn.execute("INSERT INTO deliveries (report_sha256, report_path, email, name, status, updated_at) "
                     "VALUES (?, 'output/a.pdf', ?, 'A', ?, ?)", (pdf, email, status, stamp))
    conn.close()
    with Ledger(path) as ledger:
        key = report_key("src", "fp")
        assert {(d.email, d.status) for d in ledger.deliveries(key)} == {("an@x.vn", "sent"), ("binh@x.vn", "pending")}
        assert ledger.delivery_status("pdf:pdf-unknown", "an@x.vn") == "sent"
        assert ledger.report_key_of("pdf-a") == ledger.report_key_of("pdf-b") == key


def test_a_damaged_page_loses_only_its_rows_and_the_repair_says_which(tmp_path):
    import os

    from thidua.base import ledger_repair

    path = tmp_path / "l.sqlite3"
    with Ledger(path) as ledger, ledger.transaction():
        for i in range(400):
            ledger.record_delivery(f"k{i}", "output/a.pdf", f"a{i}@x.vn", "A", "sent", message_id="<m>" + "x" * 300)
    with Ledger(path) as ledger:
        ledger.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = path.stat().st_size
    with open(path, "r+b") as fh:  # one page in the middle of the deliveries table overwritten
        fh.seek(size // 2 // 4096 * 4096)
        fh.write(os.urandom(4096))
    assert not ledger_repair.check(path).ok
    result = ledger_repair.repair(path)
    [deliveries] = [t for t in result.tables if t.table == "deliveries"]
    assert deliveries.recovered + sum(b - a + 1 for a, b in deliveries.lost) == 400
    assert len(deliveries.lost) == 1 and deliveries.lost[0][1] is not None
    assert result.aside is not None and result.aside.read_bytes()[:16] == b"SQLite format 3\0"
    assert ledger_repair.check(path).ok
    with Ledger(path) as ledger:
        kept = {d.email for d in ledger.deliveries()}
    first, last = deliveries.lost[0]
    assert kept == {f"a{i - 1}@x.vn" for i in range(1, 401) if not first <= i <= last}  # ids are rowids


def test_a_ledger_error_names_the_file_wherever_it_surfaces(tmp_path):
    import pytest

    from thidua.base.errors import LedgerDamagedError, LedgerUnavailableError

    path = tmp_path / "l.sqlite3"
    path.write_bytes(b"this is not SQLite" * 100)
    with pytest.raises(LedgerDamagedError) as damaged:
        Ledger(path)
    assert damaged.value.path == str(path) and str(path) in damaged.value.message
    (tmp_path / "tep").write_text("x", encoding="utf-8")
    with pytest.raises(LedgerUnavailableError) as unavailable:
        Ledger(tmp_path / "tep" / "l.sqlite3")
    assert f"\"{tmp_path / 'tep'}\" không phải là thư mục" in unavailable.value.message


def _open_together(path: str, start: float) -> None:
    import time

    while time.time() < start:
        pass
    with Ledger(path, lock_timeout=20) as ledger:
        ledger.finish_file(ledger.start_file("sha", "a.xlsx"), "ok", [])


def test_processes_creating_a_new_ledger_at_the_same_moment_all_get_it(tmp_path):
    """Switching a new file to WAL can report "locked" before SQLite's busy handler waits: retried."""
    import time

    for attempt in range(5):
        path = str(tmp_path / f"l{attempt}.sqlite3")
        start = time.time() + 0.5
        procs = [mp.get_context("spawn").Process(target=_open_together, args=(path, start)) for _ in range(3)]
        for p in procs:
            p.start()
        for p in procs:
            p.join(60)
        assert [p.exitcode for p in procs] == [0, 0, 0]
        with Ledger(path) as ledger:
            assert len(ledger.files()) == 3 and ledger.schema_version == len(MIGRATIONS)
