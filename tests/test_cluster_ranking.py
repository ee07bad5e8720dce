"""Ranking rules on plain results: totals, tie-breakers, shared places, awards, cross-checks, gaps."""

import pytest

from thidua.base.cluster_config import Award
from thidua.cluster.gaps import gaps, standings_brief
from thidua.cluster.ranking import rank
from thidua.cluster.store import CriterionResult, YearResult

BREAKERS = ("met", "key_bonus", "deductions")


def crit(code, points, *, max_points=10.0, bonus=0.0, key=False, status=None, pct=None, name=None):
    status = status or ("Đạt" if points >= max_points else "Chưa đạt")
    return CriterionResult(code, name or f"Tiêu chí {code}", "Kinh tế", "increase", status,
                           pct if pct is not None else points / max_points * 100, points, bonus, max_points, key)


def result(province, criteria, deductions=0.0, *, file_id=1, source=None, cluster="Cụm X"):
    return YearResult(province, 2023, file_id, source or f"{province}.xlsx", "sha", "2024-01-10T09:00:00", cluster,
                      deductions, tuple(criteria))


def ranked(results, **kw):
    return rank("Cụm X", 2023, {r.province: r for r in results}, tie_breakers=kw.pop("tie_breakers", BREAKERS), **kw)


def table(ranking):
    return [(s.rank, s.province, s.total) for s in ranking.standings]


def test_total_is_points_plus_bonus_minus_deductions_and_decides_first():
    a = result("A", [crit("K1", 10, bonus=1, key=True), crit("K2", 8)], deductions=2)  # 18 + 1 − 2 = 17
    b = result("B", [crit("K1", 10), crit("K2", 7.5)])  # 17,5
    r = ranked([a, b])
    assert table(r) == [(1, "B", 17.5), (2, "A", 17.0)]
    assert (r.standings[1].points, r.standings[1].bonus, r.standings[1].deductions) == (18.0, 1.0, 2.0)


def test_sums_are_rounded_half_up_like_scoring_so_equal_totals_tie():
    # 0,1 + 0,2 is 0,30000000000000004 in floats: still the same total as 0,3
    a = result("A", [crit("K1", 0.1, status="Chưa đạt"), crit("K2", 0.2, status="Chưa đạt")])
    b = result("B", [crit("K1", 0.3, status="Chưa đạt"), crit("K2", 0.0, status="Chưa đạt")])
    assert [s.rank for s in ranked([a, b]).standings] == [1, 1]


def test_a_tie_on_total_is_broken_by_criteria_met_then_key_bonus_then_deductions():
    met7 = result("Trà Vinh", [crit(f"K{i}", 10) for i in range(7)] + [crit("K7", 8)])  # 78, 7 met
    met6 = result("Bến Tre", [crit(f"K{i}", 10) for i in range(6)] + [crit("K6", 9), crit("K7", 9)])  # 78, 6 met
    r = ranked([met6, met7])
    assert table(r) == [(1, "Trà Vinh", 78.0), (2, "Bến Tre", 78.0)]
    [tie] = r.ties
    assert (tie.upper.province, tie.lower.province, tie.decided_by) == ("Trà Vinh", "Bến Tre", "met")

    bonus = result("A", [crit("K1", 9, bonus=1, key=True), crit("K2", 10)])  # 20, 1 met, 1 key bonus
    plain = result("B", [crit("K1", 10, key=True), crit("K2", 10, status="Chưa đạt")])  # 20, 1 met, none
    r = ranked([plain, bonus])
    assert [s.province for s in r.standings] == ["A", "B"] and r.ties[0].decided_by == "key_bonus"

    fewer = result("C", [crit("K1", 12)], deductions=2)  # 10
    more = result("D", [crit("K1", 13)], deductions=3)  # 10
    r = ranked([more, fewer])
    assert [s.province for s in r.standings] == ["C", "D"] and r.ties[0].decided_by == "deductions"


def test_still_equal_means_the_same_rank_and_the_next_rank_is_skipped():
    same = [crit("K1", 10), crit("K2", 5)]
    r = ranked([result("A", [crit("K1", 10), crit("K2", 10)]), result("B", same), result("C", same),
                result("D", [crit("K1", 1)])])
    assert [(s.rank, s.province) for s in r.standings] == [(1, "A"), (2, "B"), (2, "C"), (4, "D")]
    assert [t.decided_by for t in r.ties] == [None]


def test_tie_breakers_follow_the_configured_order():
    a = result("A", [crit("K1", 10), crit("K2", 0)], deductions=0)  # 10, 1 met, no deductions
    b = result("B", [crit("K1", 10), crit("K2", 10)], deductions=10)  # 10, 2 met, 10 deducted
    assert [s.province for s in ranked([a, b]).standings] == ["B", "A"]
    assert [s.province for s in ranked([a, b], tie_breakers=("deductions", "met")).standings] == ["A", "B"]
    assert [s.rank for s in ranked([a, b], tie_breakers=()).standings] == [1, 1]


def test_awards_follow_the_places_and_a_shared_place_beyond_the_count_is_flagged():
    awards = (Award("Cờ thi đua của Chính phủ", 1), Award("Bằng khen của Thủ tướng Chính phủ", 2))
    r = ranked([result(p, [crit("K1", v)]) for p, v in (("A", 10), ("B", 9), ("C", 8), ("D", 7))], awards=awards)
    assert [s.award for s in r.standings] == ["Cờ thi đua của Chính phủ", "Bằng khen của Thủ tướng Chính phủ",
                                              "Bằng khen của Thủ tướng Chính phủ", None]
    assert r.warnings == []
    tied = ranked([result(p, [crit("K1", v)]) for p, v in (("A", 10), ("B", 10), ("C", 8))], awards=awards)
    assert [s.award for s in tied.standings] == ["Cờ thi đua của Chính phủ", "Cờ thi đua của Chính phủ",
                                                 "Bằng khen của Thủ tướng Chính phủ"]
    assert tied.warnings == ["Cờ thi đua của Chính phủ: 1 suất nhưng 2 tỉnh được đề nghị do đồng hạng (A, B); "
                             "Cụm cần xem xét, quyết định."]


def test_cross_checks_name_missing_codes_and_differing_maximum_points():
    a = result("An Giang", [crit("K1", 10), crit("K2", 10), crit("X9", 10)])
    b = result("Bến Tre", [crit("K1", 12, max_points=12), crit("K2", 10)])
    c = result("Cà Mau", [crit("K1", 10), crit("K2", 10)])
    r = ranked([a, b, c])
    assert r.warnings == [
        "Mã X9 chỉ có trong báo cáo của An Giang.",
        "Mã K1 (Tiêu chí K1) có điểm chuẩn khác nhau giữa các tỉnh: 12 (Bến Tre); 10 (An Giang, Cà Mau).",
        "Tổng điểm chuẩn khác nhau giữa các tỉnh (từ 20 đến 30 điểm): xếp hạng theo tổng điểm, kèm tỷ lệ tổng "
        "điểm so điểm chuẩn của từng tỉnh.",
    ]
    assert r.max_points_differ and [s.pct_of_max for s in r.standings] == [100.0, 100.0, 100.0]
    d = result("Đồng Tháp", [crit("K1", 10)])
    assert "Mã K2 không có trong báo cáo của Đồng Tháp." in ranked([b, c, d]).warnings


def test_gaps_name_the_unmet_criteria_that_would_close_the_gap_largest_first():
    top = result("A", [crit("K1", 10), crit("K2", 10), crit("K3", 10)])  # 30
    mid = result("B", [crit("K1", 10), crit("K2", 4), crit("K3", 8)])  # 22: 6 + 2 available
    low = result("C", [crit("K1", 10), crit("K2", 10, status="Đạt"), crit("K3", 1)])  # 21: 9 available
    r = ranked([top, mid, low])
    by = {g.standing.province: g for g in gaps(r)}
    assert by["A"].above is None and by["A"].lead_below == 8.0
    assert (by["B"].gap_above, [c.code for c in by["B"].closers], by["B"].closes) == (8.0, ["K2", "K3"], False)
    assert (by["C"].gap_above, [c.code for c in by["C"].closers], by["C"].closes) == (1.0, ["K3"], True)
    brief = standings_brief(r)
    assert brief["provinces"]["B"]["unmet"] == [{"code": "K2", "name": "Tiêu chí K2", "available": 6.0},
                                               {"code": "K3", "name": "Tiêu chí K3", "available": 2.0}]
    assert (brief["provinces"]["C"]["above"], brief["provinces"]["C"]["gap_above"]) == ("B", 1.0)


@pytest.mark.parametrize("status", ["Không có số liệu", "Chưa đạt"])
def test_points_still_available_count_criteria_without_data_too(status):
    r = ranked([result("A", [crit("K1", 10)]), result("B", [crit("K1", 0, status=status)])])
    assert [c.code for c in r.standings[1].unmet] == ["K1"]
