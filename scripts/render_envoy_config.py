"""Render gateway/envoy.template.yaml into a config Envoy can run.

    python scripts/render_envoy_config.py --jwks-endpoint 127.0.0.1:50061 --out var/envoy.yaml
    python scripts/render_envoy_config.py --jwks var/jwks.json --out var/envoy.yaml

Every value goes into the template as JSON (a valid YAML scalar or list), so a
value cannot change the YAML around it. Stdlib only: `render()` is imported by
the tests, the CLI by people and deploy scripts.
"""

import argparse
import json
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from string import Template

from chorus_core import config

TEMPLATE = Path(__file__).resolve().parents[1] / "gateway" / "envoy.template.yaml"

# The defaults of `make run` (chorus_core.config.SETTINGS).
DEFAULT_LISTEN = config.text({}, "CHORUS_GATEWAY_LISTEN")
DEFAULT_ADMIN = config.text({}, "CHORUS_GATEWAY_ADMIN")
DEFAULT_AUTH = config.text({}, "CHORUS_AUTH_LISTEN")
DEFAULT_RESOURCE = config.text({}, "CHORUS_RESOURCE_LISTEN")
_WEB_PORT = config.text({}, "CHORUS_WEB_PORT")
DEFAULT_CORS_ORIGINS = (f"http://localhost:{_WEB_PORT}", f"http://127.0.0.1:{_WEB_PORT}")
DEFAULT_AUTH_RATE_PER_MINUTE = config.integer({}, "CHORUS_GATEWAY_AUTH_RATE_PER_MINUTE")
DEFAULT_ANONYMOUS_RATE_PER_MINUTE = config.integer({}, "CHORUS_GATEWAY_ANONYMOUS_RATE_PER_MINUTE")
DEFAULT_CALL_SECONDS = 10
JWKS_PATH = "/.well-known/jwks.json"
JWKS_CACHE_SECONDS = 5
"""How often Envoy fetches the keys again: a new key is accepted at the edge within this."""
DEFAULT_ISSUER = config.text({}, "CHORUS_TOKEN_ISSUER")
DEFAULT_AUDIENCE = config.text({}, "CHORUS_TOKEN_AUDIENCE")
GENERATED_HEADER = (
    "# Rendered from gateway/envoy.template.yaml by scripts/render_envoy_config.py:\n"
    "# change those, not this file (see gateway/README.md).\n\n"
)

_ORIGIN = re.compile(r"https?://([A-Za-z0-9.\-]+|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?")
_HOST = re.compile(r"[A-Za-z0-9.\-]+|[0-9A-Fa-f:.]+")


class RenderError(ValueError):
    """A value the gateway config cannot take."""


@dataclass(frozen=True)
class Address:
    host: str
    port: int

    @classmethod
    def parse(cls, value: str, what: str) -> "Address":
        """`host:port` or `[ipv6]:port`; port 0 lets the system pick one."""
        host, sep, port = value.rpartition(":")
        if host.startswith("[") and host.endswith("]"):
            host = host[1:-1]
        if not sep or not host or not _HOST.fullmatch(host) or not port.isdigit():
            raise RenderError(f"{what}: expected host:port, got {value!r}")
        if not 0 <= int(port) <= 65535:
            raise RenderError(f"{what}: port out of range in {value!r}")
        return cls(host, int(port))


def _origin(value: str) -> str:
    """An exact web origin: scheme://host[:port], no path, no wildcard."""
    if not _ORIGIN.fullmatch(value):
        raise RenderError(
            f"CORS origin: expected scheme://host[:port] (no path, no '*'), got {value!r}"
        )
    return value


def _json(value: object) -> str:
    return json.dumps(value)


def _addresses(value: str | Sequence[str], what: str) -> list[Address]:
    """One address or several (replicas), without repeats, in the order given."""
    values = [value] if isinstance(value, str) else list(value)
    if not values:
        raise RenderError(f"{what}: at least one address is needed")
    return [Address.parse(item, what) for item in dict.fromkeys(values)]


def _endpoints(addresses: Sequence[Address]) -> str:
    """A YAML flow list of Envoy lb_endpoints, built from JSON scalars only."""
    items = [
        "{ endpoint: { address: { socket_address: "
        f"{{ address: {_json(a.host)}, port_value: {_json(a.port)} }} }} }} }}"
        for a in addresses
    ]
    return "[" + ", ".join(items) + "]"


def render(
    *,
    jwks: Path | str | None = None,
    jwks_endpoint: str | None = None,
    listen: str = DEFAULT_LISTEN,
    admin: str = DEFAULT_ADMIN,
    auth: str | Sequence[str] = DEFAULT_AUTH,
    resource: str | Sequence[str] = DEFAULT_RESOURCE,
    cors_origins: Sequence[str] = DEFAULT_CORS_ORIGINS,
    auth_rate_per_minute: int = DEFAULT_AUTH_RATE_PER_MINUTE,
    anonymous_rate_per_minute: int = DEFAULT_ANONYMOUS_RATE_PER_MINUTE,
    call_seconds: int = DEFAULT_CALL_SECONDS,
    issuer: str = DEFAULT_ISSUER,
    audience: str = DEFAULT_AUDIENCE,
    template: Path = TEMPLATE,
) -> str:
    """The Envoy config (YAML) for these settings.

    Envoy verifies access tokens with the keys of `jwks_endpoint` (host:port
    of the auth service's HTTP JWKS endpoint, fetched again every
    JWKS_CACHE_SECONDS, so keys change without a restart) or of `jwks`, a JWKS
    file (written by `python -m chorus_auth keys jwks`, read once at start; a
    relative path is made absolute here). Give exactly one.

    `auth` and `resource` are one `host:port` or several (replicas): Envoy
    balances calls over all of them, and over every address a host name
    resolves to (a Kubernetes headless Service gives one per ready pod).
    """
    if isinstance(cors_origins, str):
        raise RenderError("cors_origins: give a list of origins, not one string")
    if not cors_origins:
        raise RenderError("cors_origins: at least one origin is needed")
    if auth_rate_per_minute < 1:
        raise RenderError("auth_rate_per_minute: must be at least 1")
    if anonymous_rate_per_minute < 1:
        raise RenderError("anonymous_rate_per_minute: must be at least 1")
    if call_seconds < 1:
        raise RenderError("call_seconds: must be at least 1")
    if not issuer or not audience:
        raise RenderError("issuer and audience must not be empty")
    listen_at = Address.parse(listen, "listen")
    admin_at = Address.parse(admin, "admin")
    auth_at = _addresses(auth, "auth")
    resource_at = _addresses(resource, "resource")
    origins = [_origin(origin) for origin in dict.fromkeys(cors_origins)]
    values = {
        "LISTEN_HOST": _json(listen_at.host),
        "LISTEN_PORT": _json(listen_at.port),
        "ADMIN_HOST": _json(admin_at.host),
        "ADMIN_PORT": _json(admin_at.port),
        "AUTH_ENDPOINTS": _endpoints(auth_at),
        "RESOURCE_ENDPOINTS": _endpoints(resource_at),
        **_jwks_values(jwks, jwks_endpoint),
        "TOKEN_ISSUER": _json(issuer),
        "TOKEN_AUDIENCE": _json(audience),
        "CORS_ORIGINS": _json([{"exact": origin} for origin in origins]),
        "CORS_ORIGIN_REGEX": _json(f"^(?:{'|'.join(re.escape(o) for o in origins)})$"),
        "AUTH_ATTEMPTS_PER_MINUTE": _json(auth_rate_per_minute),
        "ANONYMOUS_CALLS_PER_MINUTE": _json(anonymous_rate_per_minute),
        "CALL_SECONDS": _json(f"{call_seconds}s"),
    }
    config = Template(_without_leading_comment(template.read_text(encoding="utf-8")))
    return GENERATED_HEADER + config.substitute(values)


def _jwks_values(jwks: Path | str | None, endpoint: str | None) -> dict[str, str]:
    """JWKS_SOURCE and JWKS_CLUSTERS: flow YAML built from JSON values only."""
    if (jwks is None) == (endpoint is None):
        raise RenderError("give either jwks (a file) or jwks_endpoint (host:port), not both")
    if jwks is not None:
        return {
            "JWKS_SOURCE": "local_jwks: " + _json({"filename": str(Path(jwks).absolute())}),
            "JWKS_CLUSTERS": "",
        }
    at = Address.parse(endpoint or "", "jwks_endpoint")
    host = f"[{at.host}]" if ":" in at.host else at.host
    source = {
        "http_uri": {
            "uri": f"http://{host}:{at.port}{JWKS_PATH}",
            "cluster": "jwks",
            "timeout": "2s",
        },
        "cache_duration": f"{JWKS_CACHE_SECONDS}s",
        # Fetched at start and again in the background, never while a call waits.
        "async_fetch": {"failed_refetch_duration": "1s"},
        "retry_policy": {"num_retries": 3},
    }
    cluster = {
        "name": "jwks",
        "type": "STRICT_DNS",
        "dns_lookup_family": "V4_PREFERRED",
        "connect_timeout": "2s",
        "load_assignment": {
            "cluster_name": "jwks",
            "endpoints": [
                {
                    "lb_endpoints": [
                        {
                            "endpoint": {
                                "address": {
                                    "socket_address": {"address": at.host, "port_value": at.port}
                                }
                            }
                        }
                    ]
                }
            ],
        },
    }
    return {
        "JWKS_SOURCE": "remote_jwks: " + _json(source),
        "JWKS_CLUSTERS": "    - " + _json(cluster),
    }


def _without_leading_comment(text: str) -> str:
    """The template minus its first comment block (which documents the placeholders)."""
    lines = text.splitlines(keepends=True)
    first = next(
        (i for i, line in enumerate(lines) if line.strip() and not line.startswith("#")),
        len(lines),
    )
    return "".join(lines[first:])


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Render the Chorus Envoy gateway config from gateway/envoy.template.yaml."
    )
    parser.add_argument(
        "--listen", default=DEFAULT_LISTEN, help="gRPC-Web and gRPC port (%(default)s)"
    )
    parser.add_argument("--admin", default=DEFAULT_ADMIN, help="Envoy admin (%(default)s)")
    parser.add_argument(
        "--auth",
        action="append",
        metavar="HOST:PORT",
        help=f"auth service; repeat for several replicas (default: {DEFAULT_AUTH})",
    )
    parser.add_argument(
        "--resource",
        action="append",
        metavar="HOST:PORT",
        help=f"resource service; repeat for several replicas (default: {DEFAULT_RESOURCE})",
    )
    keys = parser.add_mutually_exclusive_group(required=True)
    keys.add_argument(
        "--jwks-endpoint",
        metavar="HOST:PORT",
        help="the auth service's HTTP JWKS endpoint (CHORUS_AUTH_JWKS_LISTEN): keys refreshed live",
    )
    keys.add_argument(
        "--jwks",
        type=Path,
        help="a JWKS file instead (python -m chorus_auth keys jwks > FILE), read once at start",
    )
    parser.add_argument(
        "--cors-origin",
        action="append",
        dest="cors_origins",
        metavar="ORIGIN",
        help="an allowed web app origin; repeat for more "
        f"(default: {', '.join(DEFAULT_CORS_ORIGINS)})",
    )
    parser.add_argument(
        "--auth-rate-per-minute",
        type=int,
        default=DEFAULT_AUTH_RATE_PER_MINUTE,
        help="SignUp + Login calls per client address per minute (%(default)s)",
    )
    parser.add_argument(
        "--anonymous-rate-per-minute",
        type=int,
        default=DEFAULT_ANONYMOUS_RATE_PER_MINUTE,
        help="other calls without an access token per client address per minute (%(default)s)",
    )
    parser.add_argument(
        "--call-seconds",
        type=int,
        default=DEFAULT_CALL_SECONDS,
        help="the longest a call may last, from its first byte (%(default)s)",
    )
    parser.add_argument("--issuer", default=DEFAULT_ISSUER, help="token iss (%(default)s)")
    parser.add_argument("--audience", default=DEFAULT_AUDIENCE, help="token aud (%(default)s)")
    parser.add_argument("--out", type=Path, help="write here instead of stdout")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        config = render(
            jwks=args.jwks,
            jwks_endpoint=args.jwks_endpoint,
            listen=args.listen,
            admin=args.admin,
            auth=args.auth or DEFAULT_AUTH,
            resource=args.resource or DEFAULT_RESOURCE,
            cors_origins=args.cors_origins or DEFAULT_CORS_ORIGINS,
            auth_rate_per_minute=args.auth_rate_per_minute,
            anonymous_rate_per_minute=args.anonymous_rate_per_minute,
            call_seconds=args.call_seconds,
            issuer=args.issuer,
            audience=args.audience,
        )
    except RenderError as error:
        print(f"render_envoy_config: {error}", file=sys.stderr)
        return 2
    if args.out is None:
        sys.stdout.write(config)
    else:
        args.out.write_text(config, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
