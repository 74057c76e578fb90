"""The transaction of a service (docs/decisions/0005-commit-policy.md), written once."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from .extensions import db


@contextmanager
def service_transaction(*, dry_run: bool = False) -> Iterator[None]:
    """Commit what the block wrote; roll it back when the block raises (a refusal or a failure) or for a dry run."""
    try:
        yield
    except BaseException:
        db.session.rollback()
        raise
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
