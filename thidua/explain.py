"""Vietnamese explanation per criterion, rendered from templates/explanation.txt.j2 by rule."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
import pandas as pd

from thidua import model
from thidua.halfup import vn_numbers
from thidua.vnformat import number

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
TEMPLATE_NAME = "explanation.txt.j2"

# Per-row values the template prints; they reach Jinja as placeholders, so a rendered macro is a
# skeleton shared by every row with the same flags (a few dozen renders for 5.000 criteria).
PLACEHOLDERS = ("pct", "plan", "actual", "gap_value", "bonus_gap_value", "unit", "share",
                "plan_label", "actual_label")
# Row flags the template may branch on; rows with equal flags share one skeleton.
FLAGS = ("rule", "kind", "status", "key", "bonus", "gap", "bonus_gap", "on_line", "has_unit")

_LEVEL_NAMES = {level: name for name, level in model.GRADE_LEVELS.items()}


@functools.lru_cache(maxsize=1)
def _module() -> Any:
    """The template's macros, loaded once per process (one Jinja environment)."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)), autoescape=False,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    return env.get_template(TEMPLATE_NAME).module


def macro_name(rule: str) -> str:
    """Template macro for a rule code: "below-floor" → "rule_below_floor"."""
    return "rule_" + rule.replace("-", "_")


@functools.lru_cache(maxsize=512)
def _skeleton(flags: tuple[Any, ...], constants: tuple[str, str, str]) -> str:
    """Render one rule's macro with placeholders and return it as a str.format pattern."""
    values: dict[str, Any] = dict(zip(FLAGS, flags, strict=True))
    values.update(floor=constants[0], line=constants[1], bonus_share=constants[2])
    values.update({name: f"\x00{i}\x00" for i, name in enumerate(PLACEHOLDERS)})
    macro = getattr(_module(), macro_name(values["rule"]))
    text = " ".join(str(macro(values)).split())
    text = text.replace("{", "{{").replace("}", "}}")
    for i in range(len(PLACEHOLDERS)):
        text = text.replace(f"\x00{i}\x00", "{" + str(i) + "}")
    return text


def _display_unit(units: pd.Series) -> np.ndarray:
    """Units for gaps: a percentage's gap is in percentage points ("điểm %")."""
    u = units.fillna("").astype(str).str.strip()
    return np.where(u.str.startswith("%").to_numpy(), "điểm %", u.to_numpy(dtype=object))


def _grade_labels(labels: pd.Series, levels: np.ndarray) -> np.ndarray:
    """The label the officer typed, else the grade's canonical name."""
    typed = labels.fillna("").astype(str).str.strip().to_numpy(dtype=object)
    canonical = np.array([_LEVEL_NAMES.get(int(x), "") if x == x else "" for x in levels], dtype=object) \
        if len(levels) else np.array([], dtype=object)
    return np.where(typed != "", typed, canonical)


def explanations(results: pd.DataFrame, settings: Mapping[str, Any]) -> list[str]:
    """One Vietnamese sentence per row of `results` (criteria + scored columns), in row order."""
    n = len(results)
    if n == 0:
        return []
    kind = results["kind"].astype(str).to_numpy(dtype=object)
    gap = pd.to_numeric(results["gap_to_plan"]).to_numpy(dtype=float)
    bgap = pd.to_numeric(results["gap_to_bonus"]).to_numpy(dtype=float)
    bonus = pd.to_numeric(results["bonus"]).to_numpy(dtype=float) > 0
    unit = _display_unit(results["unit"])
    is_grade = kind == model.KIND_GRADE
    plan = pd.to_numeric(results["plan"], errors="coerce").to_numpy(dtype=float)
    actual = pd.to_numeric(results["actual"], errors="coerce").to_numpy(dtype=float)
    share = np.zeros(n)
    if is_grade.any():
        from thidua.scoring import GRADE_SHARE_KEYS

        for level, name in GRADE_SHARE_KEYS.items():
            share[is_grade & (actual == level)] = float(settings[name])
    flags = pd.DataFrame({
        "rule": results["rule"].astype(str).to_numpy(dtype=object),
        "kind": kind,
        "status": results["status"].astype(str).to_numpy(dtype=object),
        "key": results["key"].fillna(False).astype(bool).to_numpy(),
        "bonus": bonus,
        "gap": gap > 0,
        "bonus_gap": bgap > 0,
        "on_line": (bgap == 0) & ~bonus,
        "has_unit": unit != "",
    })
    columns: list[Any] = [
        vn_numbers(results["pct_of_plan"].to_numpy(dtype=float)),
        vn_numbers(plan),
        vn_numbers(actual),
        vn_numbers(gap),
        vn_numbers(bgap),
        unit,
        vn_numbers(share),
        np.where(is_grade, _grade_labels(results["plan_label"], np.where(is_grade, plan, np.nan)), ""),
        np.where(is_grade, _grade_labels(results["actual_label"], np.where(is_grade, actual, np.nan)), ""),
    ]
    constants = (number(settings["floor_pct"]), number(settings["bonus_line_pct"]),
                 number(settings["bonus_share_pct"]))
    out: list[str] = [""] * n
    for variant, rows in flags.groupby(list(FLAGS), sort=False).indices.items():
        fmt = _skeleton(tuple(variant), constants).format
        picked = [[col[i] for i in rows] for col in columns]
        for i, text in zip(rows, map(fmt, *picked), strict=True):
            out[i] = text
    return out
