"""The container images, checked without a Docker engine: hadolint on the
Dockerfiles, what their .dockerignore files let into the build context (with
Docker's own matching rules, over this checkout as it is, local state and
all), the shape of the final stages, and the gRPC health probe they run."""

import asyncio
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.deploy_tools import ROOT, outputs, run_tool
from tests.support.in_process import InProcessSuite

DOCKER = ROOT / "deploy" / "docker"
PYTHON_DOCKERFILE = DOCKER / "python.Dockerfile"
WEB_DOCKERFILE = DOCKER / "web.Dockerfile"
PROBE = DOCKER / "grpc_health_probe.py"
NEVER_IN_A_CONTEXT = (
    ".git/",
    ".venv/",
    "var/",
    "node_modules/",
    "web/dist/",
    "deploy/compose/secrets/",
)


@pytest.mark.parametrize("dockerfile", [PYTHON_DOCKERFILE, WEB_DOCKERFILE], ids=lambda p: p.name)
def test_hadolint_finds_nothing(dockerfile: Path) -> None:
    result = run_tool("hadolint", "--no-color", dockerfile)
    assert result.returncode == 0, outputs(result)


def test_hadolint_can_fail(tmp_path: Path) -> None:
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN apt-get install -y curl\n")
    result = run_tool("hadolint", "--no-color", bad)
    assert result.returncode != 0
    assert "DL3007" in result.stdout, result.stdout  # no :latest


# --- .dockerignore: Docker's rules (last matching pattern wins; a pattern that
# matches a parent folder matches everything in it; `!` lets a path back in) ---


def ignore_rules(dockerfile: Path) -> list[tuple[re.Pattern[str], bool]]:
    """(regex, is_exception) of `<Dockerfile>.dockerignore`, which BuildKit reads."""
    rules = []
    for raw in Path(f"{dockerfile}.dockerignore").read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        exception = line.startswith("!")
        pattern = os.path.normpath(line.removeprefix("!").strip()).lstrip("/")
        rules.append((re.compile(_regex(pattern)), exception))
    return rules


def _regex(pattern: str) -> str:
    """Go's filepath.Match plus `**`, as Docker's patternmatcher uses them."""
    assert "[" not in pattern, "character classes are not handled here"
    assert "\\" not in pattern, "escapes are not handled here"
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return out


def ignored(path: str, rules: list[tuple[re.Pattern[str], bool]]) -> bool:
    parts = path.split("/")
    prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    result = False
    for regex, exception in rules:
        if any(regex.fullmatch(prefix) for prefix in prefixes):
            result = not exception
    return result


def context_files(dockerfile: Path) -> Iterator[str]:
    """Every file of this checkout that the build context would hold."""
    rules = ignore_rules(dockerfile)
    exceptions = [regex.pattern for regex, exception in rules if exception]
    for folder, dirs, files in os.walk(ROOT):
        relative = Path(folder).relative_to(ROOT).as_posix()
        prefix = "" if relative == "." else f"{relative}/"
        # Like Docker: skip an ignored folder unless an exception may reach inside it.
        dirs[:] = [
            d
            for d in dirs
            if not ignored(prefix + d, rules)
            or any(p.startswith(re.escape(prefix + d)) for p in exceptions)
        ]
        for name in files:
            if not ignored(prefix + name, rules):
                yield prefix + name


def copy_sources(dockerfile: Path) -> list[str]:
    """The build-context paths of the COPY instructions (not --from)."""
    sources = []
    for line in dockerfile.read_text().splitlines():
        if line.startswith("COPY ") and "--from=" not in line:
            sources += line.split()[1:-1]
    return sources


@pytest.mark.parametrize("dockerfile", [PYTHON_DOCKERFILE, WEB_DOCKERFILE], ids=lambda p: p.name)
def test_build_context_holds_no_local_state_secrets_or_build_output(dockerfile: Path) -> None:
    files = list(context_files(dockerfile))
    assert files, "an empty context"
    leaked = [f for f in files if any(f.startswith(p) or f"/{p}" in f for p in NEVER_IN_A_CONTEXT)]
    assert leaked == []
    assert [f for f in files if f.endswith((".pem", ".key", ".db"))] == []
    assert [f for f in files if "__pycache__" in f] == []


@pytest.mark.parametrize("dockerfile", [PYTHON_DOCKERFILE, WEB_DOCKERFILE], ids=lambda p: p.name)
def test_build_context_holds_what_the_dockerfile_copies(dockerfile: Path) -> None:
    files = set(context_files(dockerfile))
    for path in copy_sources(dockerfile):
        source = path.rstrip("/")
        assert source in files or any(f.startswith(f"{source}/") for f in files), source


def test_python_context_is_only_the_services_and_their_migrations() -> None:
    allowed = ("services/", "gen/python/")
    singles = {"pyproject.toml", "README.md", "deploy/docker/grpc_health_probe.py"}
    files = set(context_files(PYTHON_DOCKERFILE))
    assert {f for f in files if not f.startswith(allowed)} == singles
    assert "services/chorus_resource/migrations/env.py" in files
    assert "services/chorus_core/migrations.py" in files


def test_ignore_rules_follow_docker_semantics() -> None:
    """The matcher above, on the cases that matter here: it can say both."""
    rules = ignore_rules(PYTHON_DOCKERFILE)
    assert ignored("var/keys/es256-1.pem", rules)
    assert ignored(".venv/bin/python", rules)
    assert not ignored("services/chorus_core/server.py", rules)
    assert ignored("services/chorus_core/__pycache__/server.cpython-311.pyc", rules)
    web = ignore_rules(WEB_DOCKERFILE)
    assert not ignored("web/src/main.tsx", web)
    assert ignored("web/node_modules/react/index.js", web)
    assert ignored("web/dist/index.html", web)


# --- the final stages ------------------------------------------------------------


def stages(dockerfile: Path) -> dict[str, list[str]]:
    """Instructions (continuations joined) of each stage, by stage name."""
    text = re.sub(r"\\\n\s*", " ", dockerfile.read_text())
    found: dict[str, list[str]] = {}
    current = ""
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("FROM "):
            current = line.split(" AS ")[-1].strip() if " AS " in line else line
            found[current] = []
        elif line and not line.startswith("#") and current:
            found[current].append(line)
    return found


def test_service_images_are_non_root_health_checked_and_without_build_tools() -> None:
    built = stages(PYTHON_DOCKERFILE)
    assert list(built) == ["build", "runtime", "auth", "resource"]
    runtime = built["runtime"]
    assert "USER 10001:10001" in runtime, "numeric, so runAsNonRoot can check it"
    assert any("PYTHONDONTWRITEBYTECODE=1" in i for i in runtime), "read-only root FS"
    # The migrations come inside the installed packages (package data), nothing beside them.
    assert not any("migrations" in i for i in runtime)
    assert not any(i.startswith(("RUN apt", "RUN pip")) for i in runtime)
    assert any("pip uninstall --yes pip" in i for i in built["build"])
    for target, listen, service in (
        ("auth", "CHORUS_AUTH_LISTEN", "chorus.auth.v1.AuthService"),
        ("resource", "CHORUS_RESOURCE_LISTEN", "chorus.resource.v1.SongService"),
    ):
        health = next(i for i in built[target] if i.startswith("HEALTHCHECK"))
        assert f'"--listen-env", "{listen}"' in health
        assert f'"--service", "{service}"' in health
        assert any(i.startswith(f"ENV {listen}=0.0.0.0:") for i in built[target])


def test_base_images_are_build_arguments_defaulting_to_the_public_ones() -> None:
    """deploy/podman/images.py passes local bases; Docker users get the public images."""
    python = PYTHON_DOCKERFILE.read_text()
    assert "ARG PYTHON_IMAGE=python:3.11-slim-bookworm" in python
    assert python.count("FROM ${PYTHON_IMAGE} AS") == 2
    web = WEB_DOCKERFILE.read_text()
    assert "ARG NODE_IMAGE=node:22-bookworm-slim" in web
    assert "ARG NGINX_IMAGE=nginxinc/nginx-unprivileged:1.29-alpine" in web
    assert "FROM ${NODE_IMAGE} AS build" in web
    assert "FROM ${NGINX_IMAGE} AS web" in web


def test_package_settings_are_build_secrets_never_layers() -> None:
    """A CA bundle or an index URL of the building machine must not stay in an image."""
    for dockerfile, secret, tool in (
        (PYTHON_DOCKERFILE, "pip-conf", "pip install"),
        (WEB_DOCKERFILE, "npmrc", "npm ci"),
    ):
        installs = [i for stage in stages(dockerfile).values() for i in stage if tool in i]
        assert installs, dockerfile
        for instruction in installs:
            assert f"--mount=type=secret,id={secret}" in instruction, instruction
            assert "--mount=type=secret,id=build-ca" in instruction, instruction


def test_web_image_serves_static_files_as_non_root() -> None:
    built = stages(WEB_DOCKERFILE)
    assert list(built) == ["build", "web"]
    assert any(i.startswith("RUN ") and "npm ci --no-audit --no-fund" in i for i in built["build"])
    assert "ARG VITE_GATEWAY_URL=http://localhost:8080" in built["build"]
    assert "USER 101" in built["web"]
    assert any(i.startswith("HEALTHCHECK") for i in built["web"])
    assert "COPY --from=build /web/dist/ /usr/share/nginx/html/" in built["web"]


# --- the gRPC health probe (the images' HEALTHCHECK) ---------------------------


async def probe(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(PROBE),
        *args,
        env={**os.environ, **(env or {})},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode is not None
    return process.returncode, output.decode()


async def test_probe_says_serving(suite: InProcessSuite) -> None:
    port = suite.auth_target.rpartition(":")[2]
    assert await probe("--address", suite.auth_target) == (0, "")
    code, output = await probe(
        "--listen-env",
        "PROBE_TARGET",
        "--service",
        "chorus.auth.v1.AuthService",
        env={"PROBE_TARGET": f"0.0.0.0:{port}"},
    )
    assert (code, output) == (0, "")
    assert (
        await probe(
            "--address", suite.resource_target, "--service", "chorus.resource.v1.SongService"
        )
    )[0] == 0


async def test_probe_fails_for_an_unknown_service_or_a_closed_port(suite: InProcessSuite) -> None:
    code, output = await probe("--address", suite.auth_target, "--service", "no.such.Service")
    assert code == 1
    assert "NOT_FOUND" in output
    code, output = await probe("--address", "127.0.0.1:1", "--timeout", "1")
    assert code == 1
    assert "UNAVAILABLE" in output
    code, output = await probe("--listen-env", "PROBE_TARGET", env={"PROBE_TARGET": "nonsense"})
    assert code == 1
    assert "expected host:port" in output
