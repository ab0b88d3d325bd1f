"""deploy/compose/: checked without a Docker engine.

The file is validated against the Compose Specification's JSON schema (the copy
vendored in check-jsonschema) and by the Compose CLI itself (`docker-compose
config`, which parses, interpolates and validates without an engine); then
the resolved model is checked for what we promise: secrets as files only,
health-gated start order, restart policies, named volumes, hardening.
"""

import json
import os
import shlex
import stat
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from chorus_auth.signing_keys import load_signing_keys
from deploy.compose.init_secrets import JWKS_FILE, KEYS_DIR, PASSWORDS, init_secrets
from tests.support.deploy_tools import COMPOSE_SERVICES, ROOT, outputs, run_tool, tool

COMPOSE_DIR = ROOT / "deploy" / "compose"
COMPOSE_FILE = COMPOSE_DIR / "compose.yaml"
ONE_SHOT = {"auth-migrate", "resource-migrate"}
CHORUS_IMAGES = {"auth", "resource", "auth-migrate", "resource-migrate", "web"}
SECRET_WORDS = ("PASSWORD", "SECRET", "TOKEN", "PRIVATE", "CREDENTIAL")


def resolved_model(env: dict[str, str], *files: Path) -> dict[str, Any]:
    """The project as the Compose CLI resolves it with `env` (defaults interpolated)."""
    compose = tool("docker-compose")
    args = [str(compose)]
    for file in files or (COMPOSE_FILE,):
        args += ["-f", str(file)]
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("CHORUS_")}
    result = subprocess.run(
        [*args, "config", "--format", "json"],
        env=inherited | env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, outputs(result)
    resolved: dict[str, Any] = json.loads(result.stdout)
    return resolved


@pytest.fixture(scope="module")
def model() -> dict[str, Any]:
    return resolved_model({})


def services(model: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = model["services"]
    return found


def test_compose_file_matches_the_compose_specification_schema() -> None:
    result = run_tool("check-jsonschema", "--builtin-schema", "vendor.compose-spec", COMPOSE_FILE)
    assert result.returncode == 0, outputs(result)


def test_schema_check_can_fail(tmp_path: Path) -> None:
    broken = yaml.safe_load(COMPOSE_FILE.read_text())
    broken["services"]["auth"]["restart"] = ["always"]
    path = tmp_path / "compose.yaml"
    path.write_text(yaml.safe_dump(broken))
    result = run_tool("check-jsonschema", "--builtin-schema", "vendor.compose-spec", path)
    assert result.returncode != 0, outputs(result)


def test_compose_cli_accepts_the_file() -> None:
    result = run_tool("docker-compose", "-f", COMPOSE_FILE, "config", "--quiet")
    assert result.returncode == 0, outputs(result)


def test_compose_cli_refuses_a_dependency_on_a_missing_service(tmp_path: Path) -> None:
    broken = yaml.safe_load(COMPOSE_FILE.read_text())
    broken["services"]["auth"]["depends_on"]["nowhere"] = {"condition": "service_healthy"}
    path = tmp_path / "compose.yaml"
    path.write_text(yaml.safe_dump(broken))
    result = run_tool(
        "docker-compose", "-f", path, "--project-directory", COMPOSE_DIR, "config", "--quiet"
    )
    assert result.returncode != 0, outputs(result)
    assert "nowhere" in result.stderr


def test_every_part_is_there(model: dict[str, Any]) -> None:
    assert set(services(model)) == COMPOSE_SERVICES
    assert services(model)["gateway"]["image"].startswith("envoyproxy/envoy:v")
    assert services(model)["postgres"]["image"].startswith("postgres:")
    assert services(model)["pgadmin"]["image"].startswith("dpage/pgadmin4:")


def test_secrets_are_files_never_environment_values(model: dict[str, Any]) -> None:
    for name, service in services(model).items():
        for variable, value in (service.get("environment") or {}).items():
            secretive = any(word in variable for word in SECRET_WORDS)
            assert not secretive or variable.endswith("_FILE"), f"{name}: {variable}"
            if variable.endswith("_FILE"):
                assert str(value).startswith("/run/secrets/"), f"{name}: {variable}={value}"
                mounted = {s["target"] for s in service.get("secrets", [])}
                assert value in mounted, f"{name}: {value} is not a secret it gets"
            if str(value).startswith("postgresql://"):
                assert urlsplit(str(value)).password is None, f"{name}: password in {variable}"
    for name, secret in model["secrets"].items():
        assert set(secret) <= {"name", "file"}, f"secret {name} must come from a file"
        assert Path(secret["file"]).parent == COMPOSE_DIR / "secrets"


def test_each_service_gets_only_its_own_secrets(model: dict[str, Any]) -> None:
    def secrets_of(name: str) -> set[str]:
        return {s["source"] for s in services(model)[name].get("secrets", [])}

    assert secrets_of("auth") == {"auth-db-password", "signing-keys"}
    assert secrets_of("resource") == {"resource-db-password"}
    assert secrets_of("resource-migrate") == {"resource-owner-db-password"}
    assert secrets_of("gateway") == set()
    assert secrets_of("web") == set()


def test_start_order_waits_for_health_and_migrations(model: dict[str, Any]) -> None:
    expected = {
        "pgadmin": {"postgres": "service_healthy"},
        "auth-migrate": {"postgres": "service_healthy"},
        "resource-migrate": {"postgres": "service_healthy"},
        "auth": {
            "postgres": "service_healthy",
            "auth-migrate": "service_completed_successfully",
        },
        "resource": {
            "postgres": "service_healthy",
            "resource-migrate": "service_completed_successfully",
            "auth": "service_healthy",
        },
        "gateway": {"auth": "service_healthy", "resource": "service_healthy"},
        "web": {"gateway": "service_healthy"},
    }
    for name, service in services(model).items():
        conditions = {dep: d["condition"] for dep, d in service.get("depends_on", {}).items()}
        assert conditions == expected.get(name, {}), name
        for dependency, condition in conditions.items():
            if condition == "service_healthy":
                check = services(model)[dependency].get("healthcheck", {})
                assert check.get("test"), dependency
                assert not check.get("disable"), dependency


def test_restart_policies_and_health_checks(model: dict[str, Any]) -> None:
    for name, service in services(model).items():
        if name in ONE_SHOT:
            assert service["restart"] == "no", name
            assert service["healthcheck"]["disable"] is True, name
        else:
            assert service["restart"] == "unless-stopped", name
            assert service["healthcheck"]["test"][0] in ("CMD", "CMD-SHELL"), name


def test_services_health_checks_speak_grpc_health(model: dict[str, Any]) -> None:
    for name, listen, grpc_service in (
        ("auth", "CHORUS_AUTH_LISTEN", "chorus.auth.v1.AuthService"),
        ("resource", "CHORUS_RESOURCE_LISTEN", "chorus.resource.v1.SongService"),
    ):
        test = services(model)[name]["healthcheck"]["test"]
        if test[0] == "CMD-SHELL":  # one string, run by /bin/sh (see compose.yaml)
            test = ["CMD", *shlex.split(test[1])]
        assert test[:3] == ["CMD", "python", "/opt/chorus/bin/grpc_health_probe.py"], test
        assert test[test.index("--listen-env") + 1] == listen
        assert test[test.index("--service") + 1] == grpc_service
        assert listen in services(model)[name]["environment"]


def test_data_lives_in_named_volumes(model: dict[str, Any]) -> None:
    assert set(model["volumes"]) == {"postgres-data", "pgadmin-data"}
    for name, service in services(model).items():
        for volume in service.get("volumes", []):
            if volume["type"] == "bind":
                assert volume.get("read_only") is True, f"{name}: writable bind mount {volume}"
            else:
                assert volume["type"] == "volume", f"{name}: {volume}"
                assert volume["source"] in model["volumes"], f"{name}: {volume}"


def test_chorus_containers_are_hardened(model: dict[str, Any]) -> None:
    for name in CHORUS_IMAGES:
        service = services(model)[name]
        assert service["read_only"] is True, name
        assert service["cap_drop"] == ["ALL"], name
        assert "no-new-privileges:true" in service["security_opt"], name
    for name in ("auth", "resource", "auth-migrate", "resource-migrate"):
        build = services(model)[name]["build"]
        assert Path(build["context"]) == ROOT
        assert build["dockerfile"] == "deploy/docker/python.Dockerfile"
        assert build["target"] == name.removesuffix("-migrate")


def test_networks_keep_the_database_and_services_private(model: dict[str, Any]) -> None:
    assert model["networks"]["database"]["internal"] is True
    assert model["networks"]["services"]["internal"] is True

    def on(network: str) -> set[str]:
        return {n for n, s in services(model).items() if network in s.get("networks", {})}

    assert on("database") == COMPOSE_SERVICES - {"gateway", "web"}
    assert on("services") == {"auth", "resource", "gateway"}
    published = {n for n, s in services(model).items() if s.get("ports")}
    assert published == {"gateway", "web", "pgadmin"}
    for name in published:
        for port in services(model)[name]["ports"]:
            assert port["host_ip"] == "127.0.0.1", f"{name} is published beyond loopback"


def test_gateway_gets_the_rendered_config_and_the_jwks(model: dict[str, Any]) -> None:
    """Read-only bind mounts: podman-compose ignores `configs:`, both engines mount files."""
    gateway = services(model)["gateway"]
    mounts = {Path(v["source"]): v["target"] for v in gateway["volumes"] if v["type"] == "bind"}
    assert mounts == {
        COMPOSE_DIR / "envoy.yaml": "/etc/envoy/envoy.yaml",
        COMPOSE_DIR / "secrets" / JWKS_FILE: "/etc/envoy/jwks/jwks.json",
    }
    assert all(v.get("read_only") for v in gateway["volumes"])
    assert "/etc/envoy/envoy.yaml" in gateway["command"]


def test_pgadmin_gets_the_server_list(model: dict[str, Any]) -> None:
    pgadmin = services(model)["pgadmin"]
    mounts = {Path(v["source"]): v["target"] for v in pgadmin["volumes"] if v["type"] == "bind"}
    assert mounts == {COMPOSE_DIR / "pgadmin" / "servers.json": "/pgadmin4/servers.json"}


def test_base_images_can_be_swapped_for_local_ones(tmp_path: Path) -> None:
    """What deploy/podman/images.py sets to run the stack from bases built without a registry."""
    env = {
        "CHORUS_POSTGRES_IMAGE": "localhost/pg:1",
        "CHORUS_PGADMIN_IMAGE": "localhost/pgadmin:1",
        "CHORUS_ENVOY_IMAGE": "localhost/envoy:1",
        "CHORUS_PYTHON_IMAGE": "localhost/python:1",
        "CHORUS_NODE_IMAGE": "localhost/node:1",
        "CHORUS_NGINX_IMAGE": "localhost/nginx:1",
    }
    swapped = resolved_model(env)
    assert services(swapped)["postgres"]["image"] == "localhost/pg:1"
    assert services(swapped)["pgadmin"]["image"] == "localhost/pgadmin:1"
    assert services(swapped)["gateway"]["image"] == "localhost/envoy:1"
    for name in ("auth", "resource", "auth-migrate", "resource-migrate"):
        assert services(swapped)[name]["build"]["args"]["PYTHON_IMAGE"] == "localhost/python:1"
    web_args = services(swapped)["web"]["build"]["args"]
    assert web_args["NODE_IMAGE"] == "localhost/node:1"
    assert web_args["NGINX_IMAGE"] == "localhost/nginx:1"


def test_scale_out_runs_two_resource_replicas() -> None:
    scaled = resolved_model({}, COMPOSE_FILE, COMPOSE_DIR / "scale-out.yaml")
    assert services(scaled)["resource"]["deploy"]["replicas"] == 2
    assert "container_name" not in services(scaled)["resource"]


# --- init_secrets.py ------------------------------------------------------------


def test_init_secrets_writes_every_secret_compose_names(
    model: dict[str, Any], tmp_path: Path
) -> None:
    folder = tmp_path / "secrets"
    init_secrets(folder)
    names = {Path(secret["file"]).name for secret in model["secrets"].values()}
    gateway_files = {Path(v["source"]) for v in services(model)["gateway"]["volumes"]}
    names |= {path.name for path in gateway_files if path.parent.name == "secrets"}
    assert names == {*PASSWORDS, KEYS_DIR, JWKS_FILE}
    assert all((folder / name).exists() for name in names)
    passwords = {(folder / name).read_text() for name in PASSWORDS}
    assert len(passwords) == len(PASSWORDS), "every password is its own"
    assert all(len(p.strip()) >= 32 for p in passwords)
    keys = load_signing_keys(folder / KEYS_DIR)
    jwks = json.loads((folder / JWKS_FILE).read_text())
    assert jwks == {"keys": keys.jwks()}
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700, "only the owner enters the folder"
    for name in PASSWORDS:
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o644, "containers read them"


def test_init_secrets_keeps_what_exists(tmp_path: Path) -> None:
    folder = tmp_path / "secrets"
    init_secrets(folder)
    before = {name: (folder / name).read_text() for name in PASSWORDS}
    key_files = sorted(p.name for p in (folder / KEYS_DIR).iterdir())
    created = init_secrets(folder)
    assert created == [folder / JWKS_FILE], "only the JWKS is written again"
    assert {name: (folder / name).read_text() for name in PASSWORDS} == before
    assert sorted(p.name for p in (folder / KEYS_DIR).iterdir()) == key_files
