"""Half-up rounding, defined once: one value (`half_up`) or whole arrays, exact at ties; Vietnamese number strings."""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy only for whole arrays: `check` needs the scalar rule alone
    import numpy as np

# A float within this distance of a half (after scaling), or within _TIE_ULPS float spacings of it for
# big numbers, may sit on the wrong side because of binary representation; those few values are
# re-rounded with Decimal, the rest stay in numpy.
_TIE_EPS = 1e-6
_TIE_ULPS = 16
# From here on every float is a whole number: nothing left to round.
_WHOLE = 2.0**52


def _dec(value: float) -> Decimal:
    return Decimal(repr(float(value)))


def half_up_decimal(value: float, decimals: int = 2) -> Decimal:
    """The exact half-up rounding of a finite float's shortest repr, as a Decimal (for formatting)."""
    with localcontext() as ctx:  # huge values need more than the default 28 digits
        ctx.prec = 800
        return _dec(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def half_up(value: float, decimals: int = 2) -> float:
    """Round one number like people do on paper (123,135 → 123,14), not banker's rounding; NaN/inf stay."""
    if not math.isfinite(value):
        return value
    return float(half_up_decimal(value, decimals)) + 0.0


def round_half_up(values: np.ndarray, decimals: int = 2,
                  exact: Callable[[int], Decimal] | None = None) -> np.ndarray:
    """Round an array half away from zero like people do on paper (123,135 → 123,14).

    The fast path is `floor(|x|·10^d + 0.5)`; values near a tie fall back to Decimal, either on the
    float's shortest repr (same as `half_up`) or on `exact(i)`, the true value of
    element i computed from the typed inputs (so 1,23135 ÷ 1 × 100 rounds to 123,14, not 123,13).
    NaN stays NaN.
    """
    import numpy as np

    x = np.asarray(values, dtype=float)
    factor = 10.0**decimals
    with np.errstate(over="ignore", invalid="ignore"):  # huge values overflow to inf and are kept as is
        scaled = np.abs(x) * factor
        out = np.sign(x) * np.floor(scaled + 0.5) / factor + 0.0  # + 0.0 turns -0.0 into 0.0
        tolerance = np.maximum(_TIE_EPS, _TIE_ULPS * np.spacing(scaled))
        near = (scaled < _WHOLE) & (np.abs(scaled - np.floor(scaled) - 0.5) < tolerance)
        out = np.where(scaled >= _WHOLE, x, out)
    if near.any():
        quantum = Decimal(1).scaleb(-decimals)
        with localcontext() as ctx:  # exact values of huge inputs need more than the default 28 digits
            ctx.prec = 800
            for i in np.flatnonzero(near):
                true_value = exact(int(i)) if exact is not None else _dec(x[i])
                out[i] = float(true_value.quantize(quantum, rounding=ROUND_HALF_UP)) + 0.0
    return out


def round_ratio(numer: np.ndarray, denom: np.ndarray, factor: float = 100.0, decimals: int = 2) -> np.ndarray:
    """Half-up rounded numer × factor ÷ denom, exact at ties; NaN where denom is 0 or a side is NaN."""
    import numpy as np

    n = np.asarray(numer, dtype=float)
    d = np.asarray(denom, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        raw = np.where(d != 0, n * factor / np.where(d != 0, d, 1.0), np.nan)
    f = _dec(factor)
    return round_half_up(raw, decimals, exact=lambda i: _dec(n[i]) * f / _dec(d[i]))


def round_product(a: np.ndarray, b: np.ndarray, divisor: float = 100.0, decimals: int = 2) -> np.ndarray:
    """Half-up rounded a × b ÷ divisor (points × share %), exact at ties."""
    import numpy as np

    x = np.asarray(a, dtype=float)
    y = np.asarray(b, dtype=float)
    q = _dec(divisor)
    with np.errstate(over="ignore", invalid="ignore"):
        raw = x * y / divisor
    return round_half_up(raw, decimals, exact=lambda i: _dec(x[i]) * _dec(y[i]) / q)


def round_difference(a: np.ndarray, b: np.ndarray, decimals: int = 6) -> np.ndarray:
    """a − b without binary noise (8,62 − 9,11 = −0,49, not −0,48999999999999844)."""
    import numpy as np

    x = np.asarray(a, dtype=float)
    y = np.asarray(b, dtype=float)
    return round_half_up(x - y, decimals, exact=lambda i: _dec(x[i]) - _dec(y[i]))


_TO_VN = str.maketrans(",.", ".,")


def vn_numbers(values: np.ndarray, decimals: int = 2, missing: str = "-") -> list[str]:
    """Format many numbers as `vnformat.number` does ("1.825,68", "8,62", "7.877"), but fast."""
    import numpy as np

    rounded = round_half_up(np.asarray(values, dtype=float), decimals)
    spec = f",.{decimals}f"
    out: list[str] = []
    append = out.append
    for v in rounded.tolist():
        if v != v or v in (float("inf"), float("-inf")):
            append(missing)
            continue
        s = format(v, spec)
        if decimals:
            s = s.rstrip("0").rstrip(".")
        append(s.translate(_TO_VN))
    return out
