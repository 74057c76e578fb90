"""Sessions that end. The session cookie is signed but kept by the browser, so a copy of it would work for as long
as it is accepted; what ends a session is therefore checked here on every request:

- the user's `session_epoch`, stored in the session at sign-in: sign-out, a password change or reset, disabling
  and a role change raise it, which ends every session of the user (a saved copy of a cookie included);
- the idle lifetime (`SESSION_IDLE_MINUTES` since the last request) and the absolute one (`SESSION_MAX_HOURS`
  since signing in), measured with the app's clock.

Session protection (Flask-Login's "basic") marks a session as not fresh when the client's address or browser
changes, and never signs it out: a phone moving from Wi-Fi to 4G stays signed in. The address it compares is
`request.remote_addr`, the one source of the client address: ProxyFix sets it from X-Forwarded-For only when
`MINHCHUNG_PROXY_COUNT` says proxies are in front (Flask-Login would otherwise read that header itself)."""

from __future__ import annotations

import hashlib

from flask import current_app, request, session

from ..clock import utcnow
from .models import User

EPOCH, SIGNED_IN_AT, SEEN_AT = "epoch", "signed_in_at", "seen_at"
# A request records the time it was seen only when the last record is older than this, so that not every
# request re-sends the cookie.
SEEN_PRECISION = 60


def _now() -> int:
    return int(utcnow().timestamp())


def fresh_session() -> None:
    """An empty session (at sign-in, sign-out and when a session ends), keeping only the chosen language."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def begin(user: User) -> None:
    """Called right after Flask-Login's `login_user`."""
    now = _now()
    session[EPOCH] = user.session_epoch
    session[SIGNED_IN_AT] = now
    session[SEEN_AT] = now


def keep_this_session(user: User) -> None:
    """After a change that raised the epoch (the user's own password change): this session goes on."""
    session[EPOCH] = user.session_epoch


def end_every_session(user: User) -> None:
    """Raise the user's epoch (the caller commits with the change that asked for it)."""
    user.session_epoch = (user.session_epoch or 0) + 1


def still_valid(user: User) -> bool:
    """Whether the session of this request may go on as `user`; a session that has ended is emptied."""
    epoch, signed_in_at, seen_at = session.get(EPOCH), session.get(SIGNED_IN_AT), session.get(SEEN_AT)
    now = _now()
    config = current_app.config
    if (
        epoch != user.session_epoch
        or not isinstance(signed_in_at, int)
        or not isinstance(seen_at, int)
        or now - signed_in_at > config["SESSION_MAX_HOURS"] * 3600
        or now - seen_at > config["SESSION_IDLE_MINUTES"] * 60
    ):
        fresh_session()
        return False
    if now - seen_at >= SEEN_PRECISION:
        session[SEEN_AT] = now
    return True


def client_address() -> str:
    """The client's address, for throttling and session protection alike: `remote_addr`, which ProxyFix sets from
    X-Forwarded-For only when MINHCHUNG_PROXY_COUNT proxies are trusted. Nothing else reads that header."""
    return request.remote_addr or "unknown"


def client_identifier() -> str:
    """What Flask-Login's session protection compares: the client's address and browser."""
    agent = request.headers.get("User-Agent", "")
    return hashlib.sha512(f"{client_address()}|{agent}".encode()).hexdigest()
