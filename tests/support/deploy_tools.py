"""The offline checkers the deploy tests run, all installed from PyPI into .venv
by `make setup` (pyproject.toml's dev extras): kubectl (Kustomize), hadolint,
docker-compose (the Compose CLI; it parses and validates without an engine),
check-jsonschema (the Compose Specification schema, vendored) and Envoy."""

import subprocess
import sys
from pathlib import Path

from tests.support.required import require

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
TOOL_TIMEOUT = 120.0
COMPOSE_SERVICES = frozenset(
    {
        "postgres",
        "pgadmin",
        "auth-migrate",
        "resource-migrate",
        "auth",
        "resource",
        "gateway",
        "web",
    }
)
"""Every service of deploy/compose/compose.yaml: the file's test and the running stack's."""


def tool(name: str) -> Path:
    """`.venv/bin/<name>`; fails in CI, skips elsewhere, when it is not installed."""
    path = BIN / name
    require(path.exists(), f"{name} is not installed: run `make setup` (pyproject.toml dev extras)")
    return path


def run_tool(
    name: str, *args: str | Path, cwd: Path = ROOT, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """`<name> <args>` run to completion; its exit code and output, never raising on failure."""
    return subprocess.run(
        [str(tool(name)), *map(str, args)],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=TOOL_TIMEOUT,
        check=False,
    )


def kustomize(overlay: Path) -> str:
    """`kubectl kustomize <overlay>`: the rendered manifests (YAML stream)."""
    result = run_tool("kubectl", "kustomize", overlay)
    assert result.returncode == 0, result.stderr
    return result.stdout


def outputs(result: subprocess.CompletedProcess[str]) -> str:
    return f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
