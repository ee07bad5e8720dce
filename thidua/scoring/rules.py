"""The scoring rules as data: every rule code `evaluate` can fire, grade shares, the [scoring] defaults."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from thidua.base.config import SETTINGS

# Every rule `evaluate` can fire, by kebab-case code (the `rule` column), with what it means;
# docs/scoring.md has the full table, templates/explanation.txt.j2 one macro per rule.
RULES: dict[str, str] = {
    "bonus": "≥ 100% kế hoạch, tiêu chí trọng tâm vượt QUÁ ngưỡng thưởng: đủ điểm chuẩn cộng điểm thưởng.",
    "full": "≥ 100% kế hoạch: đủ điểm chuẩn.",
    "proportional": "Từ mức sàn đến dưới 100% kế hoạch: điểm chuẩn × % so kế hoạch.",
    "below-plan": "Dưới 100% kế hoạch khi không chấm theo tỷ lệ (proportional = false): 0 điểm.",
    "below-floor": "Dưới mức sàn (floor_pct): 0 điểm.",
    "zero-plan": "Kế hoạch bằng 0: so sánh trực tiếp, không tính % so kế hoạch.",
    "zero-actual": "Tiêu chí giảm là tốt, thực hiện bằng 0 (mức tốt nhất): đủ điểm, không tính %.",
    "negative": "Có số âm: không tính % (vô nghĩa), so sánh trực tiếp thực hiện với kế hoạch; không thưởng, "
                "trừ tiêu chí giảm là tốt có kế hoạch dương và thực hiện âm (tốt hơn cả mức 0).",
    "pass": "Tiêu chí Đạt/Không đạt, thực hiện Đạt: đủ điểm chuẩn.",
    "fail": "Tiêu chí Đạt/Không đạt, thực hiện Không đạt: 0 điểm.",
    "grade": "Tiêu chí xếp loại: điểm chuẩn × tỷ lệ của mức xếp loại đạt được (grade_share_*).",
    "no-data": "Chưa có số liệu thực hiện: 0 điểm, trạng thái Không có số liệu.",
    "no-plan": "Thiếu kế hoạch: không đánh giá được, 0 điểm.",
    "invalid": "Loại tiêu chí hoặc giá trị không hợp lệ (ví dụ mức xếp loại không tồn tại): 0 điểm.",
}

# Grade level (model.GRADE_LEVELS) → the setting holding its points share.
GRADE_SHARE_KEYS = {4: "grade_share_htxs", 3: "grade_share_htt", 2: "grade_share_ht", 1: "grade_share_khtnv"}

DEFAULTS: dict[str, Any] = {s.key.split(".", 1)[1]: s.default for s in SETTINGS if s.key.startswith("scoring.")}

def effective_settings(settings: Mapping[str, Any] | None) -> dict[str, Any]:
    """Defaults from the settings table overlaid with the caller's values, so tests may pass a few."""
    merged = dict(DEFAULTS)
    merged.update(settings or {})
    return merged
