"""Running a service's Alembic migrations from code (`python -m chorus_auth migrate`)."""

import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import URL

from chorus_core import config

_REPO_ROOT = Path(__file__).resolve().parents[2]


def migrations_dir(service: str) -> Path:
    """`migrations/<service>` of the checkout, or under CHORUS_MIGRATIONS_DIR."""
    root = config.optional_path(os.environ, "CHORUS_MIGRATIONS_DIR")
    return (root or _REPO_ROOT / "migrations") / service


def alembic_config(service: str, url: URL, **attributes: object) -> Config:
    """Config of a service's history; `attributes` reach its migrations."""
    config = Config()
    config.set_main_option("script_location", str(migrations_dir(service)))
    config.attributes.update(attributes, database_url=url)
    return config


def upgrade_to_head(service: str, url: URL, **attributes: object) -> None:
    """Apply every pending migration. Blocking: call it outside the event loop."""
    command.upgrade(alembic_config(service, url, **attributes), "head")
