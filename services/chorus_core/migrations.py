"""Running a service's Alembic migrations from code (`python -m chorus_auth migrate`).

Each service ships its history as package data (`chorus_auth/migrations/`,
`chorus_resource/migrations/`), found through `importlib.resources`: the
same code finds it in a checkout, an editable install and an installed wheel.
"""

from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import URL


def migrations_dir(service: str) -> Path:
    """The folder of `chorus_<service>/migrations` (env.py, versions/), wherever it is installed."""
    folder = resources.files(f"chorus_{service}") / "migrations"
    if not isinstance(folder, Path) or not (folder / "env.py").is_file():
        raise RuntimeError(f"chorus_{service} is installed without its migrations ({folder})")
    return folder


def alembic_config(service: str, url: URL, **attributes: object) -> Config:
    """Config of a service's history; `attributes` reach its migrations."""
    config = Config()
    config.set_main_option("script_location", str(migrations_dir(service)))
    config.attributes.update(attributes, database_url=url)
    return config


def upgrade_to_head(service: str, url: URL, **attributes: object) -> None:
    """Apply every pending migration. Blocking: call it outside the event loop."""
    command.upgrade(alembic_config(service, url, **attributes), "head")
