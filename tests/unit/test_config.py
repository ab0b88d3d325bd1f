"""Reading settings: env values, secret files and database URLs."""

from pathlib import Path

import pytest

from chorus_core import config
from chorus_core.config import ConfigError, read_secret_file
from chorus_core.database import database_url

SECRET = "hunter2"


def test_text_strips_and_falls_back_to_the_default_when_blank() -> None:
    name = "CHORUS_TOKEN_AUDIENCE"
    assert config.text({name: "  api \n"}, name) == "api"
    assert config.text({name: "   "}, name) == "chorus"
    assert config.text({}, name) == "chorus"


def test_path_and_optional_path() -> None:
    assert config.path({"CHORUS_AUTH_KEYS_DIR": "k"}, "CHORUS_AUTH_KEYS_DIR") == Path("k")
    assert config.path({}, "CHORUS_AUTH_KEYS_DIR") == Path("var/keys")
    name = "CHORUS_AUTH_DATABASE_PASSWORD_FILE"
    assert config.optional_path({}, name) is None
    assert config.optional_path({name: "/run/secrets/pw"}, name) == Path("/run/secrets/pw")


def test_integer_parses_the_value_or_falls_back_to_the_default() -> None:
    name = "CHORUS_AUTH_ARGON2_TIME_COST"
    assert config.integer({name: " 42 "}, name) == 42
    assert config.integer({name: ""}, name) == 3
    assert config.integer({}, name) == 3
    assert config.integer({name: "1"}, name) == 1


@pytest.mark.parametrize("raw", ["abc", "1.5", "10s", "0x10"])
def test_integer_rejects_a_non_integer_naming_the_variable(raw: str) -> None:
    name = "CHORUS_SHUTDOWN_GRACE_SECONDS"
    with pytest.raises(ConfigError) as error:
        config.integer({name: raw}, name)
    assert str(error.value) == f"{name} must be an integer, got {raw!r}"


def test_integer_rejects_a_value_below_the_minimum_naming_the_variable() -> None:
    name = "CHORUS_AUTH_MAX_CONCURRENT_HASHES"
    with pytest.raises(ConfigError) as error:
        config.integer({name: "0"}, name)
    assert str(error.value) == f"{name} must be at least 1, got 0"


def test_a_setting_that_is_not_defined_cannot_be_read() -> None:
    with pytest.raises(KeyError):
        config.text({"CHORUS_NO_SUCH": "x"}, "CHORUS_NO_SUCH")


@pytest.mark.parametrize("ending", ["\n", "\r\n", ""])
def test_read_secret_file_drops_only_the_line_ending(tmp_path: Path, ending: str) -> None:
    path = tmp_path / "secret"
    path.write_bytes(f" {SECRET} {ending}".encode())
    assert read_secret_file(path) == f" {SECRET} "


def test_read_secret_file_error_names_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "absent"
    with pytest.raises(ConfigError) as error:
        read_secret_file(path)
    assert str(error.value) == f"cannot read secret file {path}: No such file or directory"


@pytest.mark.parametrize(
    "content",
    [SECRET.encode() + b"\xff\n", b"\xfe" + SECRET.encode()],
    ids=["bad-end", "bad-start"],
)
def test_read_secret_file_never_shows_the_content_of_an_unreadable_file(
    tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "secret"
    path.write_bytes(content)
    with pytest.raises(ConfigError) as error:
        read_secret_file(path)
    assert str(path) in str(error.value)
    assert SECRET not in repr(error.value)
    assert error.value.__cause__ is None
    assert error.value.__suppress_context__


@pytest.mark.parametrize(
    ("url", "driver"),
    [
        ("postgresql://chorus@db.example:5433/songs", "postgresql+asyncpg"),
        ("postgres://chorus@db.example:5433/songs", "postgresql+asyncpg"),
        ("postgresql+asyncpg://chorus@db.example:5433/songs", "postgresql+asyncpg"),
    ],
)
def test_database_url_sends_postgresql_through_asyncpg(url: str, driver: str) -> None:
    parsed = database_url(url)
    assert parsed.drivername == driver
    assert (parsed.username, parsed.host, parsed.port, parsed.database) == (
        "chorus",
        "db.example",
        5433,
        "songs",
    )


@pytest.mark.parametrize(
    ("url", "database"),
    [
        ("sqlite:///var/auth.db", "var/auth.db"),
        ("sqlite:////srv/chorus/auth.db", "/srv/chorus/auth.db"),
        ("sqlite+aiosqlite:///var/auth.db", "var/auth.db"),
    ],
)
def test_database_url_sends_sqlite_through_aiosqlite(url: str, database: str) -> None:
    parsed = database_url(url)
    assert parsed.drivername == "sqlite+aiosqlite"
    assert parsed.database == database


def test_database_url_takes_the_password_from_a_file_and_hides_it(tmp_path: Path) -> None:
    password = "p@ss:w/rd#1"  # characters that need escaping inside a URL
    password_file = tmp_path / "db-password"
    password_file.write_text(f"{password}\n")
    parsed = database_url("postgresql://chorus@db.example/songs", password_file)
    assert parsed.password == password
    for rendering in (str(parsed), repr(parsed), parsed.render_as_string()):
        assert password not in rendering
        assert "***" in rendering
    shown = parsed.render_as_string(hide_password=False)
    assert shown.startswith("postgresql+asyncpg://chorus:p%40ss%3Aw%2Frd%231@db.example/")


def test_database_url_reports_an_unreadable_password_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^cannot read secret file .*absent: "):
        database_url("postgresql://chorus@db.example/songs", tmp_path / "absent")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            f"mysql://root:{SECRET}@db.example/songs",
            "CHORUS_X_DATABASE_URL: unsupported database 'mysql': use postgresql or sqlite",
        ),
        (
            f"postgresql+psycopg2://root:{SECRET}@db.example/songs",
            "CHORUS_X_DATABASE_URL: unsupported database 'postgresql+psycopg2': "
            "use postgresql or sqlite",
        ),
        (
            f"postgresql://root:{SECRET}@db.example:port/songs",
            "CHORUS_X_DATABASE_URL: malformed database URL '<unparseable>'",
        ),
        ("not a url", "CHORUS_X_DATABASE_URL: malformed database URL '<unparseable>'"),
    ],
    ids=["mysql", "sync-driver", "bad-port", "not-a-url"],
)
def test_database_url_rejects_other_databases_naming_the_setting(url: str, message: str) -> None:
    with pytest.raises(ConfigError) as error:
        database_url(url, setting="CHORUS_X_DATABASE_URL")
    assert str(error.value) == message
    assert SECRET not in str(error.value)
