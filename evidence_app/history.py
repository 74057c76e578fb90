"""Undo logs: the history of values that are changed in place (self-scores, a document's metadata, an item's
assignment), so that the report can read them as they stood at the end of any day.

Each change appends one row holding the values as they were just BEFORE it, and when it happened
(`changed_at`, from the app's clock) and by whom; the row is written by the service that makes the change, in
the same transaction. The value as of a cutoff is then the one kept by the earliest change made at or after
the cutoff, or, when nothing changed since, the current value. Rows that existed before their history table
need nothing more: their current value stands until their first change.

The rows are never updated (the database refuses it); they go only with the row they describe."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Subquery, event, func, select, text
from sqlalchemy.orm import Mapped, mapped_column

from .extensions import db
from .sqltypes import UTCDateTime, no_truncate_ddl, utcnow


class ChangeLog:
    """Columns of every undo log (a mixin): when the change was made and by whom."""

    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


def standing_at(log, key, cutoff: datetime, name: str) -> Subquery:
    """Per value of `key` (a column of the undo log `log`), the log row that holds the values as they stood at
    `cutoff`: the earliest change made at or after it (ties: the first written). A key without such a row
    still has its current values. One derived table, joined by the caller on `key`."""
    first = func.row_number().over(partition_by=key, order_by=(log.changed_at, log.id))
    ranked = select(log.__table__, first.label("rank_")).where(log.changed_at >= cutoff).subquery()
    return select(*(c for c in ranked.c if c.name != "rank_")).where(ranked.c.rank_ == 1).subquery(name)


def change_standing_at(log, key_column, key, cutoff: datetime):
    """The same for one key, in Python: the log row (an object) holding the values at `cutoff`, or None."""
    return db.session.execute(
        select(log).where(key_column == key, log.changed_at >= cutoff).order_by(log.changed_at, log.id).limit(1)
    ).scalar_one_or_none()


def no_update_ddl(table: str) -> dict[str, list[str]]:
    """Statements that make the database refuse any UPDATE of `table` (as migration 0009 applies them), and any
    TRUNCATE (migration 0012): rows go only one by one, with the row they describe."""
    return {
        "postgresql": [
            """CREATE OR REPLACE FUNCTION history_rows_never_change() RETURNS trigger AS $$
               BEGIN RAISE EXCEPTION 'history rows are append-only'; END; $$ LANGUAGE plpgsql""",
            f"""CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
                FOR EACH ROW EXECUTE FUNCTION history_rows_never_change()""",
            *no_truncate_ddl(table),
        ],
        "sqlite": [
            f"""CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
                BEGIN SELECT RAISE(ABORT, 'history rows are append-only'); END""",
        ],
    }


def append_only(model) -> None:
    """Install the no-UPDATE trigger when the table is created from the models (tests, `db.create_all`)."""

    @event.listens_for(model.__table__, "after_create")
    def _never_update(target, connection, **kw):
        for statement in no_update_ddl(target.name).get(connection.dialect.name, []):
            connection.execute(text(statement))
