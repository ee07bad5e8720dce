"""What the cluster reads from the ledger: year-end results only, the latest file per province, old rows."""

from thidua.base.cluster_config import ClusterSettings
from thidua.base.ledger import Ledger
from thidua.cluster.build import cluster_years, rank_year
from thidua.cluster.history import province_years

SETTINGS = ClusterSettings(name="Cụm X", members=("An Giang", "Bến Tre"))


def row(code, points, status="Đạt", **extra):
    return {"code": code, "name": f"Tiêu chí {code}", "field": "Kinh tế", "kind": "increase", "plan": 100.0,
            "actual": points * 10, "pct_of_plan": points * 10, "status": status, "points": points, "bonus": 0.0,
            "max_points": 10.0, "key": False, **extra}


def record(ledger, province, year, points, *, name=None, period="year", cluster="Cụm X", deductions=0.0):
    file_id = ledger.start_file(f"sha-{province}-{year}-{period}-{name}", name or f"{province}-{year}.xlsx")
    ledger.record_results(file_id, province, year, [row("K1", points), row("K2", points)], period=period,
                          cluster=cluster, deductions=deductions)
    ledger.finish_file(file_id, "ok", [], province=province, year=year)
    return file_id


def test_interim_results_never_enter_a_ranking_or_the_history(tmp_path):
    with Ledger(tmp_path / "l.sqlite3") as ledger:
        record(ledger, "An Giang", 2023, 5)
        record(ledger, "Bến Tre", 2023, 6)
        record(ledger, "An Giang", 2023, 10, period="h1")  # a six-month review: kept apart
        record(ledger, "An Giang", 2024, 10, period="h1")
        ranking = rank_year(ledger, SETTINGS, 2023)
        assert [(s.province, s.total) for s in ranking.standings] == [("Bến Tre", 12.0), ("An Giang", 10.0)]
        assert ranking.warnings == []  # the interim file is not a second year-end workbook
        assert cluster_years(ledger, SETTINGS) == [2023]
        assert [(y.year, y.total) for y in province_years(ledger, "An Giang", SETTINGS)] == [(2023, 10.0)]


def test_the_latest_processed_result_of_a_province_wins_whatever_its_spelling(tmp_path):
    with Ledger(tmp_path / "l.sqlite3") as ledger:
        record(ledger, "An Giang", 2023, 5, name="a.xlsx")
        record(ledger, "tỉnh an giang", 2023, 8, name="b.xlsx")  # another spelling: its own rows in results
        ledger.conn.execute("UPDATE files SET finished_at = '2030-01-01T00:00:00' WHERE name = 'b.xlsx'")
        ranking = rank_year(ledger, SETTINGS, 2023)
        [standing] = ranking.standings
        assert (standing.province, standing.total, standing.result.source) == ("An Giang", 16.0, "b.xlsx")
        assert ranking.missing == ["Bến Tre"]
        assert any(w.startswith("An Giang gửi 2 tệp khác nhau cho năm 2023 (a.xlsx, b.xlsx); dùng tệp xử lý sau "
                                "cùng: b.xlsx") for w in ranking.warnings)


def test_without_a_member_list_the_workbooks_naming_the_cluster_are_ranked(tmp_path):
    settings = ClusterSettings(name="Cụm thi đua các tỉnh Tây Nam Bộ")
    with Ledger(tmp_path / "l.sqlite3") as ledger:
        record(ledger, "An Giang", 2023, 5, cluster="CỤM THI ĐUA CÁC TỈNH TÂY NAM BỘ")
        record(ledger, "Bình Dương", 2023, 9, cluster="Cụm thi đua các tỉnh miền Đông Nam Bộ")
        ranking = rank_year(ledger, settings, 2023)
    assert [s.province for s in ranking.standings] == ["An Giang"] and ranking.missing == []


def test_results_recorded_before_the_ledger_kept_maximum_points_are_flagged(tmp_path):
    with Ledger(tmp_path / "l.sqlite3") as ledger:
        record(ledger, "An Giang", 2023, 5)
        record(ledger, "Bến Tre", 2023, 6)
        ledger.conn.execute("UPDATE results SET max_points = NULL WHERE province = 'Bến Tre'")  # an old row
        ranking = rank_year(ledger, SETTINGS, 2023)
    assert ("Sổ theo dõi chưa có điểm chuẩn từng tiêu chí của Bến Tre (kết quả ghi từ phiên bản cũ): xử lý lại tệp "
            "của tỉnh để có đủ số liệu.") in ranking.warnings


def test_a_file_whose_result_was_replaced_is_superseded(tmp_path):
    with Ledger(tmp_path / "l.sqlite3") as ledger:
        first = record(ledger, "An Giang", 2023, 5, name="a.xlsx")
        record(ledger, "An Giang", 2023, 8, name="b.xlsx")
        old = ledger.find_done("sha-An Giang-2023-year-a.xlsx")
        new = ledger.find_done("sha-An Giang-2023-year-b.xlsx")
        assert old is not None and old.id == first and ledger.superseded(old)
        assert new is not None and not ledger.superseded(new)
        other = ledger.start_file("sha-x", "x.xlsx")  # no province recorded (an error copy): never superseded
        ledger.finish_file(other, "issues", [])
        assert not ledger.superseded(ledger.find_done("sha-x"))


def test_a_member_whose_workbook_names_another_cluster_is_ranked_with_a_warning(tmp_path):
    with Ledger(tmp_path / "l.sqlite3") as ledger:
        record(ledger, "An Giang", 2023, 5, cluster="Cụm thi đua khác")
        record(ledger, "Bến Tre", 2023, 6, cluster="")  # left blank: nothing to say
        ranking = rank_year(ledger, SETTINGS, 2023)
    assert [s.province for s in ranking.standings] == ["Bến Tre", "An Giang"]
    assert ranking.warnings == ["Tệp An Giang-2023.xlsx của An Giang ghi \"Cụm thi đua khác\", khác tên Cụm X; vẫn xếp "
                                "hạng vì là thành viên của Cụm."]
