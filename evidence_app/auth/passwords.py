"""Passwords, hashed with Argon2id (the parameters are the app's `PASSWORD_HASH_PARAMETERS`)."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app


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


def sign_in_check(user, password: str) -> bool:
    """Whether `password` signs `user` in. It costs one Argon2 verification whether the user exists, is disabled
    or not, so that the time of the answer does not tell which usernames exist."""
    if user is None:
        _verify_against_nothing(password)
        return False
    matches = check_password(user, password)
    return matches and user.active


def _verify_against_nothing(password: str) -> None:
    extensions = current_app.extensions
    if "password_dummy_hash" not in extensions:  # made once per app, with its own parameters
        extensions["password_dummy_hash"] = hash_password(secrets.token_urlsafe(16))
    try:
        password_hasher().verify(extensions["password_dummy_hash"], password)
    except (VerificationError, InvalidHashError):
        pass
