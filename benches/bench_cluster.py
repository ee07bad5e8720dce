"""Cluster benchmark: the cluster report of 12 provinces × 36 criteria from a filled ledger, cold (a whole
`python generate_report.py cluster` process), interleaved with the cold `run` of the example so both see the
same machine: the ratio of each pair is the figure (goal ≤ 1,5).

Runnable alone (``python benches/bench_cluster.py``) or discovered by ``benches/run.py`` via ``cases()``.
The ledger is filled once, outside the timing, with the example workbook's 36 criteria for 12 provinces
and two years (actual figures varied per province), scored by the real `scoring.evaluate`.
"""

from __future__ import annotations

import atexit
import json
import random
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "dong-thap-2022.xlsx"
for _path in (ROOT, ROOT / "benches"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from bench_render import _scratch_config  # noqa: E402
from run import Case, ChildRun, run_cases, run_child  # noqa: E402

CLUSTER = "Cụm thi đua các tỉnh Tây Nam Bộ"
PROVINCES = ["Long An", "Tiền Giang", "Bến Tre", "Trà Vinh", "Vĩnh Long", "Đồng Tháp", "An Giang", "Kiên Giang",
             "Hậu Giang", "Sóc Trăng", "Bạc Liêu", "Cà Mau"]
YEARS = (2021, 2022)
GOAL = 1.5


def fill_ledger(path: Path) -> None:
    """12 provinces × 2 years of the example's criteria, as the dispatcher records them."""
    from thidua.base.config import load_config, scoring_settings
    from thidua.base.ledger import Ledger
    from thidua.intake.reader import read_workbook
    from thidua.scoring.evaluate import evaluate

    settings = scoring_settings(load_config(ROOT / "config.toml"))
    base = read_workbook(EXAMPLE).submission
    assert base is not None
    rng = random.Random(11)
    with Ledger(path) as ledger:
        for year in YEARS:
            for n, province in enumerate(PROVINCES):
                sub = read_workbook(EXAMPLE).submission
                assert sub is not None
                sub.meta.province, sub.meta.year, sub.meta.cluster = province, year, CLUSTER
                numeric = sub.criteria["kind"].isin(["increase", "decrease"])
                factors = [rng.uniform(0.8, 1.25) for _ in range(len(sub.criteria))]
                sub.criteria.loc[numeric, "actual"] = (sub.criteria.loc[numeric, "actual"]
                                                       * [f for f, ok in zip(factors, numeric, strict=True) if ok])
                assessment = evaluate(sub, settings)
                file_id = ledger.start_file(f"bench-{year}-{n}", f"tinh-{n:02d}-{year}.xlsx")
                ledger.record_results(file_id, province, year, assessment.results.to_dict("records"), cluster=CLUSTER,
                                      deductions=float(assessment.totals.deductions))
                ledger.finish_file(file_id, "ok", [], province=province, year=year)


def cluster_config() -> Path:
    """A folder with a filled ledger and a config.toml naming the cluster, its members and contacts."""
    folder = Path(tempfile.mkdtemp(prefix="thidua-bench-cluster-"))
    atexit.register(shutil.rmtree, folder, True)
    fill_ledger(folder / "output" / "thidua.sqlite3")
    q = json.dumps
    lines = ["[paths]", f"output_dir = {q(str(folder / 'output'))}", f"templates_dir = {q(str(ROOT / 'templates'))}",
             "[ledger]", f"path = {q(str(folder / 'output' / 'thidua.sqlite3'))}",
             "[email]", f"outbox_dir = {q(str(folder / 'output' / 'thu-di'))}",
             "[cluster]", f"name = {q(CLUSTER)}", f"members = {q(PROVINCES, ensure_ascii=False)}",
             f"chair = {q('Hậu Giang', ensure_ascii=False)}", 'doc_number = "15/BC-CTĐ"',
             "[[cluster.awards]]", f"name = {q('Cờ thi đua của Chính phủ', ensure_ascii=False)}", "count = 1",
             "[[cluster.awards]]", f"name = {q('Bằng khen của Thủ tướng Chính phủ', ensure_ascii=False)}", "count = 2"]
    for n, province in enumerate(PROVINCES):
        lines += ["[[cluster.contacts]]", f"province = {q(province, ensure_ascii=False)}",
                  f"name = {q('Văn phòng ' + province, ensure_ascii=False)}", f'email = "tinh{n:02d}@tdkt.example"']
    (folder / "config.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder / "config.toml"


class Pairs:
    """Each sample runs the example's cold `run`, then the cold `cluster`; the first pair is the warm-up."""

    def __init__(self) -> None:
        self.run_config = _scratch_config()
        self.cluster_config = cluster_config()
        self.runs: list[float] = []
        self.clusters: list[float] = []

    def sample(self) -> ChildRun:
        python = sys.executable
        ran = run_child([python, "generate_report.py", "--quiet", "--config", str(self.run_config), "run", "--force",
                         "--dry-run", str(EXAMPLE)], ROOT)
        built = run_child([python, "generate_report.py", "--quiet", "--config", str(self.cluster_config), "cluster",
                           "--year", str(YEARS[-1]), "--dry-run"], ROOT)
        self.runs.append(ran.seconds)
        self.clusters.append(built.seconds)
        return built

    def note(self) -> str:
        runs, clusters = self.runs[1:], self.clusters[1:]
        if not runs:
            return ""
        ratios = [c / r for c, r in zip(clusters, runs, strict=True)]
        return (f"cluster 12×36 vs cold `run` of the example, {len(ratios)} interleaved pairs: cluster median "
                f"{statistics.median(clusters) * 1000:.0f} ms, run median {statistics.median(runs) * 1000:.0f} ms, "
                f"ratio median {statistics.median(ratios):.2f} (min {min(ratios):.2f}, max {max(ratios):.2f}; "
                f"goal ≤ {GOAL})")


def cases() -> list[Case]:
    pairs = Pairs()
    return [Case("cluster: cold `cluster` 12 provinces × 36 criteria (paired with cold `run`)", 5, pairs.sample,
                 child=True, note=pairs.note)]


if __name__ == "__main__":
    raise SystemExit(run_cases(cases()))
