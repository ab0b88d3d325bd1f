"""`python -m chorus_auth serve | migrate | keys generate | keys jwks`."""

import argparse
import json
import os
import sys

from chorus_auth.app import build_auth_server
from chorus_auth.settings import AuthSettings
from chorus_auth.signing_keys import generate_signing_key, load_signing_keys
from chorus_core.cli import main
from chorus_core.migrations import upgrade_to_head
from chorus_core.telemetry import Telemetry


def _keys_commands(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    keys = commands.add_parser("keys", help="manage signing keys")
    actions = keys.add_subparsers(dest="keys_command", required=True)
    generate = actions.add_parser("generate", help="add a new signing key (it signs from now on)")
    generate.add_argument(
        "--if-missing", action="store_true", help="only if the folder holds no key yet"
    )
    generate.set_defaults(run=_generate)
    jwks = actions.add_parser("jwks", help="print the public keys as a JWKS document")
    jwks.set_defaults(run=_jwks)


def _generate(args: argparse.Namespace) -> int:
    folder = AuthSettings.from_env().keys_dir
    if args.if_missing and any(folder.glob("es256-*.pem")):
        return 0
    path = generate_signing_key(folder)
    print(f"new signing key: {path}", file=sys.stderr)
    return 0


def _jwks(args: argparse.Namespace) -> int:
    keys = load_signing_keys(AuthSettings.from_env().keys_dir)
    print(json.dumps({"keys": keys.jwks()}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(
        main(
            "auth",
            lambda: upgrade_to_head("auth", AuthSettings.from_env().database_url),
            lambda: build_auth_server(
                AuthSettings.from_env(), Telemetry.from_env("chorus-auth", os.environ)
            ),
            _keys_commands,
        )
    )
