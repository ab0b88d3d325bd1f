"""`python -m chorus_resource serve | migrate`."""

import sys

from chorus_core.cli import main
from chorus_resource.app import build_resource_server
from chorus_resource.settings import ResourceSettings

if __name__ == "__main__":
    sys.exit(
        main(
            "resource",
            lambda: ResourceSettings.from_env().database_url,
            lambda: build_resource_server(ResourceSettings.from_env()),
        )
    )
