"""Numbers as the rubric and the forecast use them: Decimal only, read leniently from YAML, JSON and sheets."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

ZERO, ONE, HUNDRED = Decimal(0), Decimal(1), Decimal(100)
POINT_STEP = Decimal("0.0001")  # computed points are truncated to 4 decimals


def as_decimal(value: object) -> Decimal | None:
    """A number from a catalog (1, 0.5, "0,5"), or None when it is not one (booleans, texts, NaN, infinity)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float, str)):
        try:
            result = Decimal(str(value).strip().replace(",", "."))
        except InvalidOperation:
            return None
        return result if result.is_finite() else None
    return None


def dec(value: object) -> Decimal:
    """A validated parameter (int, float, str or Decimal) as a Decimal."""
    return value if isinstance(value, Decimal) else Decimal(str(value))
