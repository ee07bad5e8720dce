"""Vietnamese explanation per criterion, rendered from templates/explanation.txt.j2 by rule.

The template is looked up in the configured templates folder first (an officer's edited copy), then in
the bundled one; it is compiled again when the file changes (watch mode runs while officers edit it).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
import pandas as pd

from thidua.base import model
from thidua.base.resources import bundled_templates
from thidua.base.rounding import vn_numbers
from thidua.base.vnformat import number
from thidua.scoring.rules import GRADE_SHARE_KEYS

TEMPLATE_NAME = "explanation.txt.j2"

# Per-row values the template prints; they reach Jinja as placeholders, so a rendered macro is a
# skeleton shared by every row with the same flags (a few dozen renders for 5.000 criteria).
PLACEHOLDERS = ("pct", "plan", "actual", "gap_value", "bonus_gap_value", "unit", "share",
                "plan_label", "actual_label")
# Row flags the template may branch on; rows with equal flags share one skeleton.
FLAGS = ("rule", "kind", "status", "key", "bonus", "gap", "bonus_gap", "on_line", "has_unit")

_LEVEL_NAMES = {level: name for name, level in model.GRADE_LEVELS.items()}


TemplateKey = tuple[str, int]  # (the template file used, its modification time in ns)


def template_key(templates_dir: Path | None = None) -> TemplateKey:
    """Which explanation template applies now: the configured folder's copy if it has one."""
    for folder in (templates_dir, bundled_templates()):
        if folder is not None:
            path = Path(folder) / TEMPLATE_NAME
            try:
                return str(path), path.stat().st_mtime_ns
            except OSError:
                continue
    return str(bundled_templates() / TEMPLATE_NAME), 0


@functools.lru_cache(maxsize=8)
def _module(key: TemplateKey) -> Any:
    """The template's macros for one (file, mtime): one Jinja environment per template version."""
    path = Path(key[0])
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(path.parent)), autoescape=False,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    return env.get_template(path.name).module


def macro_name(rule: str) -> str:
    """Template macro for a rule code: "below-floor" → "rule_below_floor"."""
    return "rule_" + rule.replace("-", "_")


@functools.lru_cache(maxsize=512)
def _skeleton(flags: tuple[Any, ...], constants: tuple[str, str, str], key: TemplateKey) -> str:
    """Render one rule's macro with placeholders and return it as a str.format pattern."""
    values: dict[str, Any] = dict(zip(FLAGS, flags, strict=True))
    values.update(floor=constants[0], line=constants[1], bonus_share=constants[2])
    values.update({name: f"\x00{i}\x00" for i, name in enumerate(PLACEHOLDERS)})
    macro = getattr(_module(key), macro_name(values["rule"]))
    text = " ".join(str(macro(values)).split())
    text = text.replace("{", "{{").replace("}", "}}")
    for i in range(len(PLACEHOLDERS)):
        text = text.replace(f"\x00{i}\x00", "{" + str(i) + "}")
    return text


def _display_units(units: np.ndarray) -> np.ndarray:
    """Units for gaps: a percentage's gap is in percentage points ("điểm %")."""
    out = [("điểm %" if u.startswith("%") else u) for u in (x.strip() if isinstance(x, str) else "" for x in units)]
    return np.array(out, dtype=object)


def _grade_labels(labels: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """The label the officer typed, else the grade's canonical name."""
    out = [str(t).strip() if isinstance(t, str) and t.strip() else _LEVEL_NAMES.get(lvl, "")
           for t, lvl in zip(labels, levels, strict=True)]
    return np.array(out, dtype=object)


def _numbers(values: np.ndarray) -> Callable[[np.ndarray], Any]:
    return lambda rows: vn_numbers(values[rows])


def explanations(results: pd.DataFrame, settings: Mapping[str, Any], templates_dir: Path | None = None) -> list[str]:
    """One Vietnamese sentence per row of `results` (criteria + scored columns), in row order.

    Each distinct set of flags renders its macro once; per row only the placeholders that skeleton
    uses are formatted (vectorised), which keeps 5.000 criteria in a few milliseconds.
    """
    n = len(results)
    if n == 0:
        return []

    def floats(column: str) -> np.ndarray:
        return pd.to_numeric(results[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)

    def objects(column: str) -> np.ndarray:
        return results[column].to_numpy(dtype=object)

    kind = results["kind"].astype(str).to_numpy(dtype=object)
    gap, bgap, plan, actual = floats("gap_to_plan"), floats("gap_to_bonus"), floats("plan"), floats("actual")
    bonus = floats("bonus") > 0
    units = objects("unit")
    has_unit = np.array([isinstance(u, str) and bool(u.strip()) for u in units])
    share = np.zeros(n)
    is_grade = kind == model.KIND_GRADE
    if is_grade.any():
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
        "has_unit": has_unit,
    })
    # Placeholder i → how to produce its strings for some rows (called only if a skeleton uses it).
    producers: list[Callable[[np.ndarray], Any]] = [
        _numbers(floats("pct_of_plan")), _numbers(plan), _numbers(actual), _numbers(gap), _numbers(bgap),
        lambda rows: _display_units(units[rows]), _numbers(share),
        lambda rows: _grade_labels(objects("plan_label")[rows], plan[rows]),
        lambda rows: _grade_labels(objects("actual_label")[rows], actual[rows]),
    ]
    constants = (number(settings["floor_pct"]), number(settings["bonus_line_pct"]),
                 number(settings["bonus_share_pct"]))
    key = template_key(templates_dir)
    out: list[str] = [""] * n
    for variant, rows in flags.groupby(list(FLAGS), sort=False).indices.items():
        skeleton = _skeleton(variant if isinstance(variant, tuple) else (variant,), constants, key)
        used = _used_placeholders(skeleton)
        rows = np.asarray(rows)
        args = [producers[i](rows) if i in used else [""] * len(rows) for i in range(len(PLACEHOLDERS))]
        for i, text in zip(rows, map(skeleton.format, *args), strict=True):
            out[i] = text
    return out


@functools.lru_cache(maxsize=512)
def _used_placeholders(skeleton: str) -> frozenset[int]:
    return frozenset(i for i in range(len(PLACEHOLDERS)) if "{" + str(i) + "}" in skeleton)
