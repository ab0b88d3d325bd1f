"""`python -m chorus_resource serve | migrate`."""

import os
import sys

from chorus_core.cli import main
from chorus_core.migrations import upgrade_to_head
from chorus_core.telemetry import Telemetry
from chorus_resource.app import build_resource_server
from chorus_resource.settings import ResourceSettings


def migrate(settings: ResourceSettings) -> None:
    """Migrations run as the tables' owner; the service runs as `app_role`."""
    upgrade_to_head("resource", settings.migration_database_url, app_role=settings.app_role)


def run(argv: list[str] | None = None) -> int:
    """The command line (`argv`: the arguments after `python -m chorus_resource`)."""
    return main(
        "resource",
        lambda: migrate(ResourceSettings.from_env()),
        lambda: build_resource_server(
            ResourceSettings.from_env(), Telemetry.from_env("chorus-resource", os.environ)
        ),
        argv=argv,
    )


if __name__ == "__main__":
    sys.exit(run())
