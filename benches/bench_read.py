"""Reading and validating workbooks in-process: the bundled example and a generated 5.000-row workbook."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from run import Case, run_cases

from thidua.base.model import ReportMeta
from thidua.intake.guard import SheetScan, _SheetScanner
from thidua.intake.reader import read_workbook
from thidua.intake.template import write_template

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "dong-thap-2022.xlsx"


def _big_workbook(n: int) -> Path:
    rows = [{"code": f"TC{i:05d}", "field": f"Lĩnh vực {i % 7}", "name": f"Tiêu chí số {i}", "unit": "%",
             "kind": "Tăng là tốt" if i % 3 else "Giảm là tốt", "plan": 100.0 + i % 50,
             "actual": f"{95 + i % 20},5" if i % 2 else 101.25, "previous": 99.0, "max_points": 10,
             "key": "x" if i % 10 == 0 else None, "data_status": "Sơ bộ" if i % 5 == 0 else None,
             "agency": "Sở Kế hoạch và Đầu tư", "monitor": "Trần Thị Bích", "note": "Ghi chú " * (i % 3)}
            for i in range(1, n + 1)]
    path = Path(tempfile.mkdtemp(prefix="thidua-bench-")) / f"big-{n}.xlsx"
    return write_template(path, criteria_rows=rows, meta=ReportMeta(province="Đồng Tháp", year=2022))


def _checked(path: Path) -> None:
    result = read_workbook(path)
    assert result.valid, result.issues[:3]


def _stuffed_sheet_scan() -> None:
    """1 MB of cell tags stuffed with attribute repeats and no ">": the guard's scan must stay linear."""
    tag = b'<c ' + b'r="A1" s="9" ' * 25 + b'/'
    scan = SheetScan("x", "x")
    _SheetScanner(scan, frozenset({9})).feed(tag * (1_000_000 // len(tag)), final=True)


def cases() -> list[Case]:
    big = _big_workbook(5000)
    return [Case("read example (36 rows)", 30, lambda: _checked(EXAMPLE), target_ms=30),
            Case("read 5.000 rows", 7, lambda: _checked(big), target_ms=300),
            Case("guard: 1 MB of stuffed cell tags", 7, _stuffed_sheet_scan)]


if __name__ == "__main__":
    raise SystemExit(run_cases(cases()))
