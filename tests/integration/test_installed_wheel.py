"""The wheel carries each service's migrations, and an installed wheel finds and runs them.

Built with pip from this checkout (no build isolation, no index: offline),
installed with `--no-deps --no-index` into a folder of its own, then a
separate Python that imports the services from that folder only migrates
two fresh SQLite databases.
"""

import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

from alembic.script import ScriptDirectory

from chorus_auth.models import Base as AuthBase
from chorus_core.migrations import migrations_dir
from chorus_devtools.processes import clean_env
from chorus_resource.models import Base as ResourceBase

ROOT = Path(__file__).resolve().parents[2]
SERVICES = {"auth": AuthBase.metadata, "resource": ResourceBase.metadata}
PIP_SECONDS = 300
MIGRATE = """
import sys
from pathlib import Path
from sqlalchemy.engine import make_url
from chorus_core.migrations import migrations_dir, upgrade_to_head

site, databases = Path(sys.argv[1]), Path(sys.argv[2])
for service in ("auth", "resource"):
    folder = migrations_dir(service)
    assert folder.is_relative_to(site), f"{service} migrations found outside the wheel: {folder}"
    upgrade_to_head(service, make_url(f"sqlite+aiosqlite:///{databases / service}.db"))
"""


def pip(*args: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", *args],
        capture_output=True,
        text=True,
        timeout=PIP_SECONDS,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def migration_files(service: str) -> set[str]:
    folder = ROOT / "services" / f"chorus_{service}" / "migrations"
    return {
        f"chorus_{service}/migrations/{path.relative_to(folder).as_posix()}"
        for path in folder.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


def test_an_installed_wheel_finds_and_runs_its_migrations(tmp_path: Path) -> None:
    pip("wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", str(tmp_path), str(ROOT))
    [wheel] = tmp_path.glob("chorus-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    for service in SERVICES:
        expected = migration_files(service)
        assert f"chorus_{service}/migrations/env.py" in expected
        assert expected <= names, sorted(expected - names)
    assert not any(name.startswith(("chorus_devtools/", "tests/")) for name in names)

    site, databases = tmp_path / "site", tmp_path / "databases"
    databases.mkdir()
    pip("install", "--no-deps", "--no-index", "--target", str(site), str(wheel))
    migrated = subprocess.run(
        [sys.executable, "-c", MIGRATE, str(site), str(databases)],
        env=clean_env(PYTHONPATH=str(site)),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=PIP_SECONDS,
        check=False,
    )
    assert migrated.returncode == 0, migrated.stderr

    for service, metadata in SERVICES.items():
        with sqlite3.connect(databases / f"{service}.db") as db:
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
            [(version,)] = db.execute("SELECT version_num FROM alembic_version").fetchall()
        assert set(metadata.tables) <= tables
        assert version == ScriptDirectory(str(migrations_dir(service))).get_current_head()
