"""Creating, checking and revoking personal API tokens (for the token page, the CLI and the API's sign-in)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select

from .. import audit
from ..auth.models import User
from ..extensions import db
from ..sqltypes import utcnow
from .models import ApiToken

TOKEN_PREFIX = "mc_"
# Recording every use would make each API read a write; a minute is precise enough to tell a token still in use.
LAST_USED_PRECISION = timedelta(minutes=1)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_token(user: User, name: str, *, actor: User | None = None) -> tuple[ApiToken, str]:
    """A new token for `user`, and commit. The secret is returned this once; only its hash is stored. `actor`: the
    signed-in user who asked for it (None on the command line, whose operator the audit event names)."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name.strip()[:100] or "API",
        token_hash=_digest(secret),
        prefix=secret[: len(TOKEN_PREFIX) + 6],
    )
    db.session.add(token)
    db.session.flush()
    audit.record(
        "token.create",
        unit_id=user.unit_id,
        actor_id=actor.id if actor is not None else None,
        object_type="user",
        object_id=user.id,
        data={"token": token.id, "name": token.name, "prefix": token.prefix},
    )
    db.session.commit()
    return token, secret


def revoke_token(token: ApiToken, *, actor: User | None) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(
            "token.revoke",
            unit_id=token.user.unit_id,
            actor_id=actor.id if actor is not None else None,
            object_type="user",
            object_id=token.user_id,
            data={"token": token.id, "name": token.name, "prefix": token.prefix},
        )
    db.session.commit()


def revoke_tokens_on_password_reset(user: User) -> dict:
    """Registered with auth's ON_PASSWORD_RESET: a password set by someone else revokes the user's tokens, in the
    same transaction and audit event as the new password."""
    now, revoked = utcnow(), []
    for token in db.session.execute(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)).order_by(ApiToken.id)
    ).scalars():
        token.revoked_at = now
        revoked.append({"token": token.id, "name": token.name, "prefix": token.prefix})
    return {"tokens_revoked": revoked}


def user_for_token(secret: str) -> User | None:
    """The active user a token belongs to, or None (unknown, revoked, or the user is disabled)."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = db.session.execute(select(ApiToken).where(ApiToken.token_hash == _digest(secret))).scalar_one_or_none()
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        token.last_used_at = now
        db.session.commit()
    return token.user


def tokens_of(user: User) -> list[ApiToken]:
    return (
        db.session.execute(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.revoked_at.is_not(None), ApiToken.id.desc())
        )
        .scalars()
        .all()
    )
