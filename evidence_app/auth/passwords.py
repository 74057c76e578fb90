"""Passwords, hashed with Argon2id (the parameters are the app's `PASSWORD_HASH_PARAMETERS`)."""

from __future__ import annotations

import secrets
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200  # what the sign-in form accepts
COMMON_PASSWORDS = Path(__file__).with_name("common_passwords.txt")


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


@cache
def _common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def password_problem(password: str, username: str):
    """What is wrong with `password` as a new password of `username` (a translatable message), or None. The one
    rule for every new password: the self-service change, an administrator's reset, the command line."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _l("At least %(n)s characters.", n=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        return _l("At most %(n)s characters.", n=MAX_PASSWORD_LENGTH)
    if password.lower() in _common_passwords():
        return _l("This password is one of the most common ones, which are tried first: choose another.")
    if username and username.lower() in password.lower():
        return _l("The password must not contain the username.")
    return None


def new_password(username: str) -> str:
    """A random password that the rule accepts (an administrator's reset, a new user)."""
    while True:
        password = secrets.token_urlsafe(9)
        if password_problem(password, username) is None:
            return password
