"""Accounts: units, departments, users; signing in and out."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l

from ..extensions import db, login_manager


def password_hasher() -> PasswordHasher:
    """The app's Argon2 hasher, built from `PASSWORD_HASH_PARAMETERS` (cheap in the test configuration)."""
    return current_app.extensions["password_hasher"]


def hash_password(password: str) -> str:
    return password_hasher().hash(password)


def check_password(user, password: str) -> bool:
    """Verify, and upgrade the stored hash when the hashing parameters have changed."""
    hasher = password_hasher()
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return True


def init_app(app) -> None:
    from .models import User

    app.extensions["password_hasher"] = PasswordHasher(**app.config["PASSWORD_HASH_PARAMETERS"])

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(user_id: str):
        if not user_id.isdigit():
            return None
        user = db.session.get(User, int(user_id))
        return user if user is not None and user.active else None
