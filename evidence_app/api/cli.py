"""`minhchung tokens …`: personal API tokens, for an administrator at the command line."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from ..auth.models import User
from ..extensions import db
from .models import ApiToken
from .operations import create_token, revoke_token, tokens_of

tokens_cli = AppGroup("tokens", help="Personal API tokens (Authorization: Bearer …).")


def _user(username: str) -> User:
    user = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        raise click.ClickException(f"user {username!r} does not exist")
    return user


@tokens_cli.command("create")
@click.option("--user", "username", required=True, help="The user the token acts as.")
@click.option("--name", default="CLI", show_default=True, help="What the token is for (shown in the list).")
def tokens_create(username: str, name: str) -> None:
    """Create a token and print it (this once: only its hash is kept)."""
    user = _user(username)
    if not user.active:
        raise click.ClickException(f"user {username!r} is disabled")
    _token, secret = create_token(user, name)
    click.echo(secret)


@tokens_cli.command("list")
@click.option("--user", "username", required=True)
def tokens_list(username: str) -> None:
    """A user's tokens: id, start of the token, name, created, last used, revoked."""
    for t in tokens_of(_user(username)):
        click.echo(
            f"{t.id:<6} {t.prefix}…  {t.name:<24} created {t.created_at:%Y-%m-%d %H:%M}  "
            f"last used {t.last_used_at.strftime('%Y-%m-%d %H:%M') if t.last_used_at else '—'}"
            f"{'  REVOKED' if t.revoked_at else ''}"
        )


@tokens_cli.command("revoke")
@click.argument("token_id", type=int)
def tokens_revoke(token_id: int) -> None:
    """Revoke a token by its id (see `tokens list`)."""
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise click.ClickException(f"token {token_id} does not exist")
    revoke_token(token, actor=None)  # the operator, named by the audit event
    click.echo(f"token {token_id} ({token.prefix}…) of {token.user.username} revoked")
