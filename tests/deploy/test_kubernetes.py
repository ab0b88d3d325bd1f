"""deploy/k8s/: every overlay rendered by the real Kustomize (`kubectl
kustomize`, kubectl from PyPI), every rendered object validated against the
Kubernetes OpenAPI schemas (kubernetes-validate, offline, strict: unknown
fields fail), then checked for what the deployment promises."""

from functools import cache
from typing import Any

import kubernetes_validate
import pytest
import yaml

from tests.support.deploy_tools import ROOT, kustomize

OVERLAYS = ("dev", "prod")
# The oldest Kubernetes we claim (native gRPC probes GA in 1.27, the preStop
# sleep action from 1.30 on) and the newest schemas the validator ships.
KUBERNETES_VERSIONS = ("1.30.0", "1.37.0")
SERVERS = {"chorus-auth": 50051, "chorus-resource": 50052}
GRPC_SERVICES = {
    "chorus-auth": "chorus.auth.v1.AuthService",
    "chorus-resource": "chorus.resource.v1.SongService",
}
# Made by the operator before the first apply (deploy/README.md says how).
MADE_BY_THE_OPERATOR = {
    ("Secret", "chorus-auth-signing-keys"),
    ("Secret", "chorus-auth-database"),
    ("Secret", "chorus-resource-database"),
    ("ConfigMap", "chorus-jwks"),
}

Object = dict[str, Any]


@cache
def rendered(overlay: str) -> tuple[Object, ...]:
    return tuple(
        doc for doc in yaml.safe_load_all(kustomize(ROOT / "deploy/k8s/overlays" / overlay)) if doc
    )


def of_kind(overlay: str, kind: str) -> dict[str, Object]:
    return {o["metadata"]["name"]: o for o in rendered(overlay) if o["kind"] == kind}


def pod_specs(overlay: str) -> dict[str, Object]:
    """Pod specs of every Deployment and Job, by workload name."""
    workloads = {**of_kind(overlay, "Deployment"), **of_kind(overlay, "Job")}
    return {name: w["spec"]["template"]["spec"] for name, w in workloads.items()}


def pod_labels(overlay: str) -> dict[str, dict[str, str]]:
    workloads = {**of_kind(overlay, "Deployment"), **of_kind(overlay, "Job")}
    return {name: w["spec"]["template"]["metadata"]["labels"] for name, w in workloads.items()}


def selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return all(labels.get(k) == v for k, v in selector.items())


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_object_validates_against_the_kubernetes_schemas(overlay: str, version: str) -> None:
    objects = rendered(overlay)
    assert len(objects) > 15
    for obj in objects:
        kubernetes_validate.validate(obj, version, strict=True)


def test_the_validator_can_fail() -> None:
    deployment = dict(of_kind("dev", "Deployment")["chorus-auth"])
    broken = {**deployment, "spec": {**deployment["spec"], "replicaz": 2}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSIONS[0], strict=True)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_part_is_there(overlay: str) -> None:
    kinds = {(o["kind"], o["metadata"]["name"]) for o in rendered(overlay)}
    for expected in (
        ("Deployment", "chorus-auth"),
        ("Deployment", "chorus-resource"),
        ("Deployment", "chorus-gateway"),
        ("Job", "chorus-auth-migrate"),
        ("Job", "chorus-resource-migrate"),
        ("Service", "chorus-auth"),
        ("Service", "chorus-resource"),
        ("Service", "chorus-gateway"),
        ("HorizontalPodAutoscaler", "chorus-resource"),
        ("PodDisruptionBudget", "chorus-auth"),
        ("PodDisruptionBudget", "chorus-resource"),
        ("PodDisruptionBudget", "chorus-gateway"),
        ("NetworkPolicy", "chorus-default-deny"),
    ):
        assert expected in kinds
    namespaces = {
        o["metadata"].get("namespace") for o in rendered(overlay) if o["kind"] != "Namespace"
    }
    (namespace,) = namespaces
    labels = of_kind(overlay, "Namespace")[namespace]["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_container_is_locked_down_and_sized(overlay: str) -> None:
    for name, spec in pod_specs(overlay).items():
        pod = spec["securityContext"]
        assert pod["runAsNonRoot"] is True, name
        assert pod["runAsUser"] > 0, name
        assert pod["seccompProfile"] == {"type": "RuntimeDefault"}, name
        assert spec["automountServiceAccountToken"] is False, name
        for container in spec["containers"]:
            security = container["securityContext"]
            assert security["allowPrivilegeEscalation"] is False, name
            assert security["readOnlyRootFilesystem"] is True, name
            assert security["capabilities"] == {"drop": ["ALL"]}, name
            for kind in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(container["resources"][kind]), name


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_services_use_native_grpc_probes(overlay: str) -> None:
    specs = pod_specs(overlay)
    for name, port in SERVERS.items():
        (container,) = specs[name]["containers"]
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            assert container[probe]["grpc"]["port"] == port, (name, probe)
        assert container["readinessProbe"]["grpc"]["service"] == GRPC_SERVICES[name]
        assert container["lifecycle"]["preStop"]["sleep"]["seconds"] > 0
        grace = next(e for e in container["env"] if e["name"] == "CHORUS_SHUTDOWN_GRACE_SECONDS")
        total = container["lifecycle"]["preStop"]["sleep"]["seconds"] + int(grace["value"])
        assert specs[name]["terminationGracePeriodSeconds"] > total


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_envoy_sees_every_replica_through_headless_services(overlay: str) -> None:
    services = of_kind(overlay, "Service")
    labels = pod_labels(overlay)
    for name, port in SERVERS.items():
        service = services[name]
        assert service["spec"]["clusterIP"] == "None", name
        assert service["spec"]["ports"][0]["port"] == port
        matched = [w for w, pod in labels.items() if selects(service["spec"]["selector"], pod)]
        assert matched == [name], "the Service selects the servers, not the migration Jobs"
    gateway = services["chorus-gateway"]
    assert [w for w, pod in labels.items() if selects(gateway["spec"]["selector"], pod)] == [
        "chorus-gateway"
    ]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_gateway_config_map_holds_the_rendered_envoy_config(overlay: str) -> None:
    config_maps = of_kind(overlay, "ConfigMap")
    (gateway,) = [c for n, c in config_maps.items() if n.startswith("chorus-gateway-")]
    committed = (ROOT / f"deploy/k8s/overlays/{overlay}/envoy.yaml").read_text()
    assert gateway["data"]["envoy.yaml"] == committed
    spec = pod_specs(overlay)["chorus-gateway"]
    volumes = {v["name"]: v for v in spec["volumes"]}
    assert volumes["config"]["configMap"]["name"] == gateway["metadata"]["name"]
    (envoy,) = spec["containers"]
    assert envoy["image"].startswith("envoyproxy/envoy:distroless-v")
    assert "/etc/envoy/config/envoy.yaml" in envoy["args"]
    mounts = {m["name"]: m["mountPath"] for m in envoy["volumeMounts"]}
    assert mounts["jwks"] == "/etc/envoy/jwks", "where envoy.yaml reads jwks.json"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_autoscaler_and_disruption_budgets_match_their_pods(overlay: str) -> None:
    hpa = of_kind(overlay, "HorizontalPodAutoscaler")["chorus-resource"]
    assert hpa["spec"]["scaleTargetRef"]["name"] in of_kind(overlay, "Deployment")
    assert hpa["spec"]["minReplicas"] >= 2
    assert "replicas" not in of_kind(overlay, "Deployment")["chorus-resource"]["spec"]
    labels = pod_labels(overlay)
    for name, budget in of_kind(overlay, "PodDisruptionBudget").items():
        selector = budget["spec"]["selector"]["matchLabels"]
        assert [w for w, pod in labels.items() if selects(selector, pod)] == [name]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_secrets_are_mounted_as_files(overlay: str) -> None:
    for name, spec in pod_specs(overlay).items():
        for container in spec["containers"]:
            for variable in container.get("env", []):
                assert "secretKeyRef" not in variable.get("valueFrom", {}), (name, variable)
                if "PASSWORD" in variable["name"]:
                    assert variable["name"].endswith("_FILE"), (name, variable)
    auth = pod_specs(overlay)["chorus-auth"]
    volumes = {v["name"]: v for v in auth["volumes"]}
    assert volumes["signing-keys"]["secret"]["secretName"] == "chorus-auth-signing-keys"
    env = {e["name"]: e.get("value") for e in auth["containers"][0]["env"]}
    mounts = {m["name"]: m["mountPath"] for m in auth["containers"][0]["volumeMounts"]}
    assert env["CHORUS_AUTH_KEYS_DIR"] == mounts["signing-keys"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_reference_is_rendered_or_made_by_the_operator(overlay: str) -> None:
    present = {(o["kind"], o["metadata"]["name"]) for o in rendered(overlay)}
    referenced = set()
    for spec in pod_specs(overlay).values():
        for volume in spec.get("volumes", []):
            if "secret" in volume:
                referenced.add(("Secret", volume["secret"]["secretName"]))
            if "configMap" in volume:
                referenced.add(("ConfigMap", volume["configMap"]["name"]))
        for container in spec["containers"]:
            for variable in container.get("env", []):
                if ref := variable.get("valueFrom", {}).get("configMapKeyRef"):
                    referenced.add(("ConfigMap", ref["name"]))
    assert referenced - present == MADE_BY_THE_OPERATOR
    readme = (ROOT / "deploy/README.md").read_text()
    for _, name in MADE_BY_THE_OPERATOR:
        assert name in readme, f"deploy/README.md must say how to make {name}"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_network_policies_let_only_the_gateway_reach_the_services(overlay: str) -> None:
    policies = of_kind(overlay, "NetworkPolicy")
    labels = pod_labels(overlay)
    deny = policies["chorus-default-deny"]["spec"]
    assert deny["podSelector"] == {}
    assert set(deny["policyTypes"]) == {"Ingress", "Egress"}
    for name, port in SERVERS.items():
        ingress = policies[name]["spec"]["ingress"]
        sources = [peer["podSelector"]["matchLabels"] for rule in ingress for peer in rule["from"]]
        assert sources == [{"app.kubernetes.io/name": "chorus-gateway"}]
        assert [p["port"] for rule in ingress for p in rule["ports"]] == [port]
    # Every other policy that allows ingress is the gateway's own.
    open_to_ingress = {n for n, p in policies.items() if p["spec"].get("ingress")}
    assert open_to_ingress == {"chorus-gateway", *SERVERS}
    database = policies["chorus-database"]["spec"]
    clients = sorted(
        w for w, pod in labels.items() if selects(database["podSelector"]["matchLabels"], pod)
    )
    assert clients == sorted([*SERVERS, "chorus-auth-migrate", "chorus-resource-migrate"])
    assert [p["port"] for rule in database["egress"] for p in rule["ports"]] == [5432]
    assert "192.0.2.1/32" not in str(database), "the overlay says where PostgreSQL is"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_database_settings_name_the_documented_roles(overlay: str) -> None:
    (settings,) = [
        c for n, c in of_kind(overlay, "ConfigMap").items() if n.startswith("chorus-database-")
    ]
    data = settings["data"]
    assert data["CHORUS_AUTH_DATABASE_URL"].startswith("postgresql://chorus_auth@")
    assert data["CHORUS_RESOURCE_DATABASE_URL"].startswith("postgresql://chorus_resource@")
    assert data["CHORUS_RESOURCE_MIGRATION_DATABASE_URL"].startswith(
        "postgresql://chorus_resource_owner@"
    )
    assert data["CHORUS_RESOURCE_APP_ROLE"] == "chorus_resource_app"
    assert not any(":" in url.split("@")[0].removeprefix("postgresql://") for url in data.values())


def test_overlays_differ_where_they_should() -> None:
    dev, prod = (of_kind(o, "Deployment")["chorus-auth"] for o in OVERLAYS)
    assert dev["metadata"]["namespace"] == "chorus-dev"
    assert prod["metadata"]["namespace"] == "chorus"
    assert dev["spec"]["template"]["spec"]["containers"][0]["image"] == "chorus-auth:dev"
    assert prod["spec"]["template"]["spec"]["containers"][0]["image"].startswith("registry.")
    assert of_kind("prod", "Service")["chorus-gateway"]["spec"]["type"] == "LoadBalancer"
    assert "type" not in of_kind("dev", "Service")["chorus-gateway"]["spec"]
