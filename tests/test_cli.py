"""Issue 16: the `minhchung` command itself — help whatever the configuration, one line for a configuration error,
its version, and only the schema commands an operator needs."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from evidence_app.cli import main

BAD_CONFIGURATIONS = {
    "MINHCHUNG_MAX_UPLOAD_MB": ("lots", "MINHCHUNG_MAX_UPLOAD_MB='lots' is not a whole number."),
    "MINHCHUNG_ENV": ("production", "SECRET_KEY is missing or is a default value"),
}


@pytest.fixture
def empty_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("MINHCHUNG_DATA_DIR", "DATABASE_URL", "STORAGE_URL", "SECRET_KEY", "MINHCHUNG_ENV"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


@pytest.mark.parametrize("variable", [None, *BAD_CONFIGURATIONS])
def test_help_lists_every_command_whatever_the_configuration_and_writes_nothing(empty_folder, variable):
    env = {variable: BAD_CONFIGURATIONS[variable][0]} if variable else {}
    result = CliRunner().invoke(main, ["--help"], env=env)
    assert result.exit_code == 0, result.output
    listed = {line.split()[0] for line in result.output.split("Commands:")[1].splitlines() if line.strip()}
    assert {"demo", "users", "catalog", "report", "pack", "audit", "storage", "db", "tokens"} <= listed
    assert "Traceback" not in result.output
    assert list(empty_folder.iterdir()) == [], "asking for help created files"
    users = CliRunner().invoke(main, ["users", "--help"], env=env)
    assert users.exit_code == 0 and "set-password" in users.output
    assert list(empty_folder.iterdir()) == []


@pytest.mark.parametrize("variable", list(BAD_CONFIGURATIONS))
def test_a_configuration_error_is_one_line_and_exit_2(empty_folder, variable):
    value, message = BAD_CONFIGURATIONS[variable]
    result = CliRunner().invoke(main, ["units", "list"], env={variable: value})
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {message}") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr + result.stdout


def test_version(empty_folder):
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0 and result.output.startswith("minhchung ")


def test_only_the_schema_commands_an_operator_needs(empty_folder):
    result = CliRunner().invoke(main, ["db", "--help"])
    commands = {line.split()[0] for line in result.output.split("Commands:")[1].splitlines() if line.strip()}
    assert commands == {"current", "downgrade", "upgrade"}, "migrate, stamp, revision… are for developers"


def test_db_upgrade_and_current_on_a_new_database(empty_folder):
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    current = runner.invoke(main, ["db", "current"])
    assert current.exit_code == 0
    assert (empty_folder / "instance" / "minhchung.sqlite3").exists()
