"""Create the secrets docker compose reads, in deploy/compose/secrets/ (git-ignored).

    .venv/bin/python deploy/compose/init_secrets.py

Writes what is missing, keeps what exists (run it again at any time):

| file | what |
|---|---|
- `postgres-password`: PostgreSQL's superuser `postgres` (pgAdmin logs in with it)
- `auth-db-password`: role `chorus_auth` (owns the auth database; migrations and service)
- `resource-owner-db-password`: role `chorus_resource_owner` (owns the resource tables)
- `resource-db-password`: role `chorus_resource` (the resource service; row-level security)
- `pgadmin-password`: pgAdmin's web login (`CHORUS_PGADMIN_EMAIL`, admin@example.com)
- `signing-keys/`: the auth service's ES256 signing keys
- `jwks.json`: their public keys, for Envoy (written again on every run, to stay in step)

deploy/README.md says which container gets which.

Compose (without Swarm) bind-mounts secret files as they are: no `uid`,
`gid` or `mode` is applied. The containers run as other users than you
(postgres 999, pgadmin 5050, chorus 10001), so the files are readable by
all (0644, folder 0755) inside `secrets/`, which only you may enter (0700):
on this machine only you (and root) can read them; in a container, only the
services that name a secret get it mounted.
"""

import argparse
import json
import secrets
import sys
from collections.abc import Sequence
from pathlib import Path

from chorus_auth.signing_keys import KEY_GLOB, generate_signing_key, load_signing_keys

HERE = Path(__file__).resolve().parent
DEFAULT_DIR = HERE / "secrets"
PASSWORDS = (
    "postgres-password",
    "auth-db-password",
    "resource-owner-db-password",
    "resource-db-password",
    "pgadmin-password",
)
KEYS_DIR = "signing-keys"
JWKS_FILE = "jwks.json"


def new_password() -> str:
    """32 random URL-safe characters (no quote, space or backslash anywhere)."""
    return secrets.token_urlsafe(24)


def init_secrets(folder: Path) -> list[Path]:
    """Create whatever is missing in `folder`; the files created (jwks.json always)."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.chmod(0o700)
    created: list[Path] = []
    for name in PASSWORDS:
        path = folder / name
        if not path.exists():
            path.write_text(new_password() + "\n", encoding="utf-8")
            created.append(path)
        path.chmod(0o644)
    keys = folder / KEYS_DIR
    if not any(keys.glob(KEY_GLOB)):
        created.append(generate_signing_key(keys))
    keys.chmod(0o755)
    for key in keys.glob(KEY_GLOB):
        key.chmod(0o644)
    jwks = folder / JWKS_FILE
    jwks.write_text(json.dumps({"keys": load_signing_keys(keys).jwks()}, indent=2) + "\n")
    jwks.chmod(0o644)
    created.append(jwks)
    return created


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--dir", type=Path, default=DEFAULT_DIR, help="where to write (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    for path in init_secrets(args.dir):
        print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
