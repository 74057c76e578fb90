"""Column types and helpers shared by the models."""

from __future__ import annotations

from datetime import UTC
from decimal import Decimal
from functools import lru_cache

from sqlalchemy import DateTime, Numeric, String
from sqlalchemy.types import TypeDecorator

from .clock import utcnow  # noqa: F401  (the models' default timestamps follow the app's clock)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime given where a timezone-aware one is needed")
            value = value.astimezone(UTC)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class Points(TypeDecorator):
    """Index points as exact decimals (15.84, 0.5): NUMERIC on PostgreSQL, text on SQLite, which has no
    exact decimal type (its NUMERIC would round through a float)."""

    impl = Numeric(10, 3)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(24))
        return dialect.type_descriptor(Numeric(10, 3))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        value = Decimal(str(value))
        return str(value) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return _tidy_points(value)


@lru_cache(maxsize=4096)  # a report reads the same few values (weights, points) hundreds of thousands of times
def _tidy_points(value) -> Decimal:
    return tidy_decimal(Decimal(str(value)))


def tidy_decimal(value: Decimal) -> Decimal:
    """Drop trailing zeros (14.000 → 14, 9.500 → 9.5) without turning 100 into 1E+2."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def no_truncate_ddl(table: str) -> list[str]:
    """PostgreSQL statements that make the database refuse TRUNCATE of `table` (a row trigger never sees it):
    for the audit trail and the undo logs, whose rows go one by one or not at all (as migration 0012 applies them).
    """
    return [
        """CREATE OR REPLACE FUNCTION refuse_truncate() RETURNS trigger AS $$
           BEGIN RAISE EXCEPTION '% is append-only: TRUNCATE is refused', TG_TABLE_NAME; END; $$ LANGUAGE plpgsql""",
        f"""CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION refuse_truncate()""",
    ]
