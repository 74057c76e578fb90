"""Accounts: units, departments, users; signing in and out (passwords: `passwords.py`)."""

from __future__ import annotations

from argon2 import PasswordHasher
from flask_babel import lazy_gettext as _l

from ..extensions import db, login_manager
from . import sessions
from .passwords import check_password, hash_password, password_hasher

__all__ = ["check_password", "hash_password", "init_app", "password_hasher"]


def init_app(app) -> None:
    from .models import User

    app.extensions["password_hasher"] = PasswordHasher(**app.config["PASSWORD_HASH_PARAMETERS"])

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    # "basic": a changed address or browser marks the session not fresh, and does not sign out a phone that
    # moves from Wi-Fi to 4G; the address compared is the one ProxyFix settled (sessions.client_identifier).
    login_manager.session_protection = "basic"
    login_manager._session_identifier_generator = sessions.client_identifier

    @login_manager.user_loader
    def load_user(user_id: str):
        if not user_id.isdigit():
            return None
        user = db.session.get(User, int(user_id))
        if user is None or not user.active or not sessions.still_valid(user):
            return None
        return user
