"""The Envoy configs compose and Kubernetes use: fresh renders of gateway/,
accepted by `envoy --mode validate`, pointing at the deployments' own names."""

import json
from pathlib import Path

import pytest
import yaml

from chorus_auth.signing_keys import generate_signing_key
from deploy.render_gateway_configs import CONFIGS, ROOT, main, rendered, stale
from scripts.render_envoy_config import RenderError, render
from scripts.render_envoy_config import main as render_main
from tests.support.deploy_tools import outputs, run_tool
from tests.support.gateway import write_jwks

JWKS_IN_CONTAINERS = "/etc/envoy/jwks/jwks.json"


def endpoints(config: dict[str, object], cluster: str) -> list[str]:
    """host:port of every endpoint of `cluster` in a parsed Envoy config."""
    clusters = config["static_resources"]["clusters"]  # type: ignore[index]
    found = next(c for c in clusters if c["name"] == cluster)
    return [
        f"{e['endpoint']['address']['socket_address']['address']}:"
        f"{e['endpoint']['address']['socket_address']['port_value']}"
        for group in found["load_assignment"]["endpoints"]
        for e in group["lb_endpoints"]
    ]


@pytest.mark.parametrize("path", sorted(CONFIGS))
def test_committed_config_is_a_fresh_render(path: str) -> None:
    assert (ROOT / path).read_text(encoding="utf-8") == rendered(path), (
        f"{path} is stale: run `python -m deploy.render_gateway_configs`"
    )


def test_check_mode_passes_now() -> None:
    assert stale() == []
    assert main(["--check"]) == 0


@pytest.mark.parametrize("path", sorted(CONFIGS))
def test_envoy_validates_the_config(path: str, tmp_path: Path) -> None:
    """`envoy --mode validate` checks every field, and that the JWKS file exists:
    the one line naming the containers' JWKS path points at a real JWKS here."""
    text = (ROOT / path).read_text(encoding="utf-8")
    assert text.count(json.dumps(JWKS_IN_CONTAINERS)) == 1
    jwks = write_jwks(_keys(tmp_path), tmp_path / "jwks.json")
    config = tmp_path / "envoy.yaml"
    config.write_text(text.replace(json.dumps(JWKS_IN_CONTAINERS), json.dumps(str(jwks))))
    result = run_tool("envoy", "--mode", "validate", "-c", config)
    assert result.returncode == 0, outputs(result)
    assert f"configuration '{config}' OK" in result.stdout + result.stderr


def test_envoy_validate_can_fail(tmp_path: Path) -> None:
    jwks = write_jwks(_keys(tmp_path), tmp_path / "jwks.json")
    text = (ROOT / "deploy/compose/envoy.yaml").read_text(encoding="utf-8")
    config = tmp_path / "envoy.yaml"
    config.write_text(
        text.replace(json.dumps(JWKS_IN_CONTAINERS), json.dumps(str(jwks))).replace(
            "lb_policy: ROUND_ROBIN", "lb_policy: ROUND_ABOUT", 1
        )
    )
    result = run_tool("envoy", "--mode", "validate", "-c", config)
    assert result.returncode != 0, outputs(result)


def test_compose_config_points_at_the_compose_services() -> None:
    config = yaml.safe_load((ROOT / "deploy/compose/envoy.yaml").read_text())
    compose = yaml.safe_load((ROOT / "deploy/compose/compose.yaml").read_text())
    assert endpoints(config, "auth") == ["auth:50051"]
    assert endpoints(config, "resource") == ["resource:50052"]
    assert {"auth", "resource"} <= set(compose["services"])
    assert config["admin"]["address"]["socket_address"]["address"] == "127.0.0.1"


@pytest.mark.parametrize("overlay", ["dev", "prod"])
def test_kubernetes_config_points_at_the_headless_services(overlay: str) -> None:
    config = yaml.safe_load((ROOT / f"deploy/k8s/overlays/{overlay}/envoy.yaml").read_text())
    services = {
        doc["metadata"]["name"]: doc
        for name in ("auth", "resource")
        for doc in yaml.safe_load_all((ROOT / f"deploy/k8s/base/{name}.yaml").read_text())
        if doc["kind"] == "Service"
    }
    for cluster, service, port in (
        ("auth", "chorus-auth", 50051),
        ("resource", "chorus-resource", 50052),
    ):
        assert endpoints(config, cluster) == [f"{service}:{port}"]
        assert services[service]["spec"]["clusterIP"] == "None", "headless: one address per pod"
        assert services[service]["spec"]["ports"][0]["port"] == port
        clusters = config["static_resources"]["clusters"]
        assert next(c for c in clusters if c["name"] == cluster)["type"] == "STRICT_DNS"


# --- the renderer: several replicas per service -----------------------------------


def test_renderer_lists_every_replica(tmp_path: Path) -> None:
    config = yaml.safe_load(
        render(
            jwks=tmp_path / "jwks.json",
            auth=["127.0.0.1:7001", "127.0.0.1:7002"],
            resource=["127.0.0.1:7003", "resource-2:7004", "127.0.0.1:7003"],
        )
    )
    assert endpoints(config, "auth") == ["127.0.0.1:7001", "127.0.0.1:7002"]
    assert endpoints(config, "resource") == ["127.0.0.1:7003", "resource-2:7004"]


def test_renderer_cli_takes_resource_more_than_once(tmp_path: Path) -> None:
    out = tmp_path / "envoy.yaml"
    args = ["--jwks", str(tmp_path / "jwks.json"), "--out", str(out)]
    assert render_main([*args, "--resource", "127.0.0.1:7003", "--resource", "127.0.0.1:7004"]) == 0
    config = yaml.safe_load(out.read_text())
    assert endpoints(config, "resource") == ["127.0.0.1:7003", "127.0.0.1:7004"]
    assert endpoints(config, "auth") == ["127.0.0.1:50051"], "the default stays"


@pytest.mark.parametrize("bad", [[], ["127.0.0.1:1", "no-port"], ["[x\n y]:1"]])
def test_renderer_refuses_bad_replica_lists(bad: list[str], tmp_path: Path) -> None:
    with pytest.raises(RenderError):
        render(jwks=tmp_path / "jwks.json", resource=bad)


def _keys(folder: Path) -> Path:
    keys = folder / "keys"
    generate_signing_key(keys)
    return keys
