"""Render the Envoy configs that docker compose and Kubernetes use, from gateway/.

    .venv/bin/python -m deploy.render_gateway_configs          # write them all
    .venv/bin/python -m deploy.render_gateway_configs --check  # exit 1 if one is stale

Each is gateway/envoy.template.yaml rendered by scripts/render_envoy_config.py
with the host names of its deployment, and is committed so that compose and
Kustomize need no Python. Change the template (or a row below), then run this:
tests/deploy/test_gateway_configs.py fails while a committed file differs from
a fresh render, and validates each with `envoy --mode validate`.
"""

import argparse
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from scripts.render_envoy_config import render

ROOT = Path(__file__).resolve().parents[1]

# The JWKS file is mounted at this path in both deployments (a compose config,
# a Kubernetes ConfigMap); the admin interface stays on loopback (it can stop Envoy).
_COMMON: Mapping[str, Any] = {
    "listen": "0.0.0.0:8080",
    "admin": "127.0.0.1:9901",
    "jwks": "/etc/envoy/jwks/jwks.json",
}

CONFIGS: Mapping[str, Mapping[str, Any]] = {
    # docker compose: service names on the compose network; the web app on :5173.
    "deploy/compose/envoy.yaml": {
        **_COMMON,
        "auth": "auth:50051",
        "resource": "resource:50052",
        "cors_origins": ("http://localhost:5173", "http://127.0.0.1:5173"),
    },
    # Kubernetes: headless Services, so DNS gives Envoy every ready pod.
    "deploy/k8s/overlays/dev/envoy.yaml": {
        **_COMMON,
        "auth": "chorus-auth:50051",
        "resource": "chorus-resource:50052",
        "cors_origins": ("http://localhost:5173", "http://127.0.0.1:5173"),
    },
    "deploy/k8s/overlays/prod/envoy.yaml": {
        **_COMMON,
        "auth": "chorus-auth:50051",
        "resource": "chorus-resource:50052",
        "cors_origins": ("https://chorus.example.com",),
    },
}


def rendered(path: str) -> str:
    """What the file at `path` (relative to the repository) must hold."""
    return render(**CONFIGS[path])


def stale(paths: Sequence[str] = tuple(CONFIGS)) -> list[str]:
    """The committed files that differ from a fresh render (or are missing)."""
    return [
        path
        for path in paths
        if not (ROOT / path).exists() or (ROOT / path).read_text(encoding="utf-8") != rendered(path)
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only report stale files")
    args = parser.parse_args(argv)
    if args.check:
        for path in stale():
            print(f"stale: {path} (run python -m deploy.render_gateway_configs)", file=sys.stderr)
        return 1 if stale() else 0
    for path in CONFIGS:
        (ROOT / path).parent.mkdir(parents=True, exist_ok=True)
        (ROOT / path).write_text(rendered(path), encoding="utf-8")
        print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
