"""Benchmark: scoring.evaluate on 5.000 generated criteria of mixed kinds, year-end and six-month (≤ 100 ms median)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import Case, run_cases

from thidua.base import model
from thidua.base.config import build_config, scoring_settings
from thidua.scoring import evaluate as scoring
from thidua.scoring import explain

N = 5000
RUNS = 15


def make_submission(n: int = N, seed: int = 7) -> model.Submission:
    """n criteria: 60% increase, 20% decrease, 10% pass/fail, 10% grade, some without actual."""
    rng = np.random.default_rng(seed)
    kinds = rng.choice(list(model.KINDS), size=n, p=[0.6, 0.2, 0.1, 0.1])
    plan = np.round(rng.uniform(1, 10000, n), 2)
    actual = np.round(plan * rng.uniform(0.3, 1.5, n), 2)
    pf, gr = kinds == model.KIND_PASS_FAIL, kinds == model.KIND_GRADE
    plan[pf], actual[pf] = 1.0, rng.integers(0, 2, pf.sum())
    plan[gr], actual[gr] = 3.0, rng.integers(1, 5, gr.sum())
    actual[rng.random(n) < 0.03] = np.nan
    fields = np.array(["Kinh tế", "Văn hóa - Xã hội", "Quốc phòng - An ninh", "Xây dựng Đảng", "Thi đua"])
    criteria = pd.DataFrame({
        "row": np.arange(2, n + 2), "code": [f"TC{i:05d}" for i in range(n)],
        "field": fields[np.arange(n) * len(fields) // n], "name": [f"Tiêu chí {i}" for i in range(n)],
        "unit": rng.choice(["%", "tỷ đ", "người", ""], n), "kind": kinds, "plan": plan, "actual": actual,
        "previous": np.round(actual * rng.uniform(0.8, 1.2, n), 2), "plan_label": "", "actual_label": "",
        "max_points": rng.choice([10.0, 20.0, 30.0], n), "key": rng.random(n) < 0.1,
        "data_status": "Chính thức", "cumulative": rng.random(n) < 0.5, "agency": "", "monitor": "", "note": "",
    }, columns=list(model.CRITERIA_COLUMNS))
    deductions = pd.DataFrame({"row": [2], "content": ["Báo cáo trễ hạn"], "points": [2.0], "note": [""]})
    return model.Submission(meta=model.ReportMeta("Đồng Tháp", 2022), criteria=criteria, deductions=deductions)


def cases() -> list[Case]:
    submission = make_submission()
    settings = scoring_settings(build_config({}, Path.cwd()))
    scored = scoring.evaluate(submission, settings).results
    six_months = model.Submission(meta=model.ReportMeta("Đồng Tháp", 2023, period=model.PERIOD_H1),
                                  criteria=submission.criteria, deductions=submission.deductions)
    last_year = {code: float(total) for code, total in zip(submission.criteria["code"][::2],
                                                            submission.criteria["plan"][::2] * 1.1, strict=True)}
    return [
        Case(f"scoring.evaluate {N} criteria", RUNS, lambda: scoring.evaluate(submission, settings), 100),
        Case(f"scoring.evaluate {N} criteria, 6 tháng (interim)", RUNS,
             lambda: scoring.evaluate(six_months, settings, last_year=last_year), 100),
        Case(f"explain.explanations {N} rows", RUNS, lambda: explain.explanations(scored, settings)),
    ]


if __name__ == "__main__":
    raise SystemExit(run_cases(cases()))
