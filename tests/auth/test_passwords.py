"""Password hashing: slow on purpose in every real configuration, cheap only in the tests' own."""

from __future__ import annotations

from argon2 import PasswordHasher

import config
from evidence_app.auth import check_password, hash_password, password_hasher
from tests.helpers import PASSWORD, make_unit, make_user


def test_real_configurations_hash_with_argon2id_at_full_cost(tmp_path):
    for settings in (
        config.Config({"MINHCHUNG_DATA_DIR": str(tmp_path)}),
        config.ProductionConfig({"MINHCHUNG_DATA_DIR": str(tmp_path), "SECRET_KEY": "k" * 40}),
    ):
        assert settings.PASSWORD_HASH_PARAMETERS == {"time_cost": 3, "memory_cost": 65536, "parallelism": 4}
    assert config.TestConfig(data_dir=tmp_path).PASSWORD_HASH_PARAMETERS["memory_cost"] < 65536


def test_the_app_hashes_with_its_configured_parameters(app):
    hashed = hash_password("mật khẩu đủ dài")
    assert hashed.startswith("$argon2id$v=19$m=8,t=1,p=1$")
    assert password_hasher().verify(hashed, "mật khẩu đủ dài")


def test_a_hash_made_with_other_parameters_is_upgraded_at_sign_in(app):
    user = make_user(make_unit(), "lan")
    user.password_hash = PasswordHasher(time_cost=2, memory_cost=1024, parallelism=1).hash("mật khẩu cũ")
    assert check_password(user, "sai") is False
    assert "m=1024,t=2" in user.password_hash, "a wrong password changes nothing"
    assert check_password(user, "mật khẩu cũ") is True
    assert user.password_hash.startswith("$argon2id$v=19$m=8,t=1,p=1$")


def test_signing_in_costs_one_verification_whether_the_user_exists_or_not(app, monkeypatch):
    """Issue 13, finding 6: an unknown or disabled username answers no faster than a wrong password."""
    from evidence_app.auth.passwords import sign_in_check

    unit = make_unit()
    known = make_user(unit, "lan")
    disabled = make_user(unit, "tam")
    disabled.active = False
    calls = []

    class CountingHasher:
        def __init__(self, hasher):
            self.hasher = hasher

        def __getattr__(self, name):
            return getattr(self.hasher, name)

        def verify(self, hashed, password):
            calls.append(1)
            return self.hasher.verify(hashed, password)

    monkeypatch.setitem(app.extensions, "password_hasher", CountingHasher(password_hasher()))
    for user, password, expected in (
        (known, "sai mật khẩu", False),
        (None, "sai mật khẩu", False),
        (disabled, PASSWORD, False),
        (known, PASSWORD, True),
    ):
        calls.clear()
        assert sign_in_check(user, password) is expected
        assert len(calls) == 1, (user, password)
