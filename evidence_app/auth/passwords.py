"""Passwords, hashed with Argon2id (the parameters are the app's `PASSWORD_HASH_PARAMETERS`)."""

from __future__ import annotations

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
