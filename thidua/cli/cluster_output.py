"""`cluster` and `history` at the terminal: the ranking, warnings, files and mail; a province's years."""

from __future__ import annotations

import dataclasses
import json
from typing import TextIO

from thidua.base.config import Config
from thidua.base.errors import EXIT_DATA_ISSUES, EXIT_OK
from thidua.base.program import command_name
from thidua.base.vnformat import number
from thidua.pipeline import ClusterOutcome, MailPlan, build_cluster_report

HISTORY_SCHEMA = "thidua.history/1"


def _nothing(outcome: ClusterOutcome, config: Config, year: int | None) -> str:
    name = outcome.cluster or config.cluster.name or "Cụm thi đua"
    when = f"năm {year}" if year is not None else "năm nào"
    return (f"Sổ theo dõi chưa có kết quả cuối {when} của tỉnh thành viên nào của {name}: không có gì để xếp hạng. "
            f"Xử lý tệp Excel của các tỉnh trước ({command_name()} run TỆP.xlsx hoặc thả vào input/).")


def cluster_line(outcome: ClusterOutcome) -> str:
    """Batch and watch: one line per cluster report rebuilt after member results changed."""
    if outcome.error:
        return (f"Không cập nhật được báo cáo Cụm năm {outcome.year} (lỗi chương trình: {outcome.error}); báo cáo "
                f"của các tỉnh không bị ảnh hưởng. Làm lại: {command_name()} cluster --year {outcome.year}")
    if not outcome.ranked:
        return f"Báo cáo Cụm năm {outcome.year}: chưa có tỉnh thành viên nào để xếp hạng."
    missing = f"; chưa gửi báo cáo: {', '.join(outcome.missing)}" if outcome.missing else ""
    return (f"Đã cập nhật báo cáo Cụm năm {outcome.year}: {outcome.pdf} ({outcome.ranked} tỉnh được xếp hạng"
            f"{missing}; {len(outcome.warnings)} lưu ý về số liệu).")


def print_cluster(outcome: ClusterOutcome, config: Config, out: TextIO, *, quiet: bool = False) -> None:
    """The ranking in a few lines, every warning, the files made, what the mail did."""
    ranking = outcome.ranking
    assert ranking is not None
    if not quiet:
        missing = f"; chưa gửi báo cáo: {', '.join(outcome.missing)}" if outcome.missing else ""
        print(f"{outcome.cluster}, năm {outcome.year}: xếp hạng {outcome.ranked} tỉnh{missing}.", file=out)
        for s in ranking.standings:
            before = f"  (năm {ranking.year - 1}: hạng {s.previous_rank})" if s.previous_rank is not None else ""
            award = f"  {s.award}" if s.award else ""
            print(f"  {s.rank:>2}. {s.province:<18} {number(s.total):>9} điểm  {s.n_met_or_exceeded}/{s.n_criteria} "
                  f"tiêu chí{award}{before}", file=out)
        if outcome.warnings:
            print("Lưu ý:", file=out)
            for line in outcome.warnings:
                print(f"  - {line}", file=out)
        print("Đã tạo: " + ", ".join(str(p) for p in outcome.outputs), file=out)
    for line in outcome.mail[1:] if quiet else outcome.mail:
        print(line, file=out)
    without = [m for m in config.cluster.members if not any(c.province == m for c in config.cluster.contacts)]
    if outcome.mail and without and not quiet:
        print("  Chưa có người nhận báo cáo Cụm ([[cluster.contacts]] trong config.toml) của: " + ", ".join(without)
              + ".", file=out)


def cluster_command(config: Config, *, year: int | None, write_json: bool, send: bool, dry_run: bool, force: bool,
                    out: TextIO, quiet: bool = False) -> int:
    """`cluster`: 0 when built (and everyone mailed), 1 when nothing to rank or someone was not mailed."""
    outcome = build_cluster_report(config, year, write_json=write_json, mail=MailPlan(send, dry_run, force))
    if not outcome.ranked:
        print(_nothing(outcome, config, year if year is not None else outcome.year), file=out)
        return EXIT_DATA_ISSUES
    print_cluster(outcome, config, out, quiet=quiet)
    return EXIT_OK if outcome.mail_ok else EXIT_DATA_ISSUES


def history_command(config: Config, province: str, *, as_json: bool, out: TextIO) -> int:
    """`history PROVINCE`: one line per year (0), or which provinces the ledger knows (1)."""
    from thidua.base.ledger import Ledger
    from thidua.cluster.history import province_years
    from thidua.cluster.members import when
    from thidua.cluster.store import recorded_provinces

    path = config.path("ledger.path")
    years, known = [], []
    if path.is_file():
        with Ledger(path) as ledger:
            years = province_years(ledger, province, config.cluster, int(config["scoring.points_precision"]))
            known = [] if years else recorded_provinces(ledger)
    name = config.cluster.member(province) or province.strip()
    if as_json:
        doc = {"schema": HISTORY_SCHEMA, "province": name, "years": [dataclasses.asdict(y) for y in years]}
        print(json.dumps(doc, ensure_ascii=False, indent=2), file=out)
        return EXIT_OK if years else EXIT_DATA_ISSUES
    if not years:
        hint = f" Các tỉnh đã có kết quả: {', '.join(known)}." if known else ""
        print(f"Sổ theo dõi {path} chưa có kết quả cuối năm nào của \"{name}\".{hint}", file=out)
        return EXIT_DATA_ISSUES
    print(f"{name}: kết quả cuối năm trong sổ theo dõi", file=out)
    print(f"  {'Năm':<6}{'Tổng điểm':>18}  {'Đạt và vượt':<13}{'Hạng trong Cụm':<16}Tệp đã dùng", file=out)
    for y in years:
        rank = f"{y.rank}/{y.n_ranked}" if y.rank is not None else "-"
        total = f"{number(y.total)}/{number(y.max_points)}"
        print(f"  {y.year:<6}{total:>18}  {f'{y.n_met_or_exceeded}/{y.n_criteria}':<13}{rank:<16}"
              f"{y.source} (xử lý lúc {when(y.processed_at)})", file=out)
    return EXIT_OK
