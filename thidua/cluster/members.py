"""Which recorded results belong to the cluster's year: members first, the latest file each, cross-checked."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from thidua.base.cluster_config import ClusterSettings, province_key
from thidua.base.textfold import strip_marks
from thidua.base.vnformat import time_and_date
from thidua.cluster.store import FileSeen, YearResult


@dataclass
class Selection:
    """The results to rank (by the member's name as configured), the members without one, and warnings."""

    year: int
    chosen: dict[str, YearResult] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def when(iso: str) -> str:
    """A ledger time ("2026-12-01T10:05:00") as "10:05 ngày 01/12/2026"; the text itself when unreadable."""
    try:
        return time_and_date(dt.datetime.fromisoformat(iso))
    except ValueError:
        return iso


def belongs(settings: ClusterSettings, province: str, cluster: str) -> bool:
    """A result counts for the cluster when its province is a member; without a member list, when its
    workbook names the cluster."""
    if settings.members:
        return settings.member(province) is not None
    return settings.names_cluster(cluster)


def select(settings: ClusterSettings, year: int, results: list[YearResult], files: list[FileSeen]) -> Selection:
    """The latest result of each member (or, with no member list, of each province naming the cluster)."""
    sel = Selection(year)
    latest: dict[str, YearResult] = {}
    for result in results:
        if result.year != year:
            continue
        if not belongs(settings, result.province, result.cluster):
            if settings.names_cluster(result.cluster):
                sel.warnings.append(f"{result.province} (tệp {result.source}) ghi {settings.name} nhưng không có trong "
                                    "danh sách thành viên của Cụm: không xếp hạng.")
            continue
        key = province_key(result.province)
        held = latest.get(key)
        if held is None or (result.processed_at, result.file_id) > (held.processed_at, held.file_id):
            latest[key] = result
    for key, result in sorted(latest.items(), key=lambda kv: strip_marks(kv[0])):
        name = settings.member(result.province) or result.province
        sel.chosen[name] = result
        if settings.name and result.cluster and not settings.names_cluster(result.cluster):
            sel.warnings.append(f"Tệp {result.source} của {name} ghi \"{result.cluster}\", khác tên {settings.name}; "
                                "vẫn xếp hạng vì là thành viên của Cụm.")
        _duplicates(sel, name, result, [f for f in files if province_key(f.province) == key])
    sel.missing = [m for m in settings.members if province_key(m) not in latest]
    return sel


def _duplicates(sel: Selection, name: str, used: YearResult, files: list[FileSeen]) -> None:
    """The same province sent several different workbooks for the year: say which one is used."""
    contents = {f.sha256 for f in files}
    if len(contents) < 2:
        return
    names = list(dict.fromkeys(f.name for f in files))
    sel.warnings.append(f"{name} gửi {len(contents)} tệp khác nhau cho năm {sel.year} ({', '.join(names)}); dùng tệp "
                        f"xử lý sau cùng: {used.source} (xử lý lúc {when(used.processed_at)}).")
