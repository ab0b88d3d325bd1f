"""deploy/k8s run as far as a machine without a cluster allows: `podman play kube`.

The dev overlay is rendered with Kustomize, and the parts podman can run are
played: the auth and resource Deployments (the images built here, one replica
each) and the two migration Jobs (as Pods: podman has no Jobs), with their
security contexts, the generated ConfigMap, the Secrets mounted as files (as
podman secrets holding Kubernetes Secret objects) and the JWKS ConfigMap.
PostgreSQL is a container on the same podman network, made by the compose
init script. The services then pass the probes their manifests name (the
kubelet's gRPC health checks, made here from outside: podman 4.3 runs no gRPC
probes) and answer grpcurl.

What needs a cluster is not shown here: Services and DNS by Service name (so
the gateway Deployment is left out), NetworkPolicies, the HPA, PDBs, Pod
Security admission, rolling updates (deploy/README.md says so).
"""

import asyncio
import json
import shutil
import subprocess
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from deploy.compose.init_secrets import init_secrets
from deploy.podman import images
from tests.support.accounts import PASSWORD, unique_email
from tests.support.deploy_tools import ROOT, kustomize, tool
from tests.support.podman_stack import TAG, build_images, machine_lock, require_podman, run

pytestmark = pytest.mark.timeout(900)

OVERLAY = ROOT / "deploy" / "k8s" / "overlays" / "dev"
INIT_SCRIPT = ROOT / "deploy" / "compose" / "postgres" / "init-chorus-databases.sh"
DATABASE_HOST = "postgres-rw.postgres.svc.cluster.local"
PLAYED = {"chorus-auth", "chorus-resource"}
MIGRATIONS = {"chorus-auth-migrate", "chorus-resource-migrate"}
READY_TIMEOUT = 180.0
PASSWORDS = ("postgres-password", "auth-db-password", "resource-owner-db-password")


@dataclass
class Pods:
    prefix: str
    folder: Path
    manifests: list[dict[str, Any]]
    """The objects played (after the changes below)."""

    def container(self, pod: str, container: str) -> str:
        return f"{pod}-{container}"

    def deployment(self, name: str) -> dict[str, Any]:
        return next(
            m for m in self.manifests if m["kind"] == "Deployment" and m["metadata"]["name"] == name
        )


def playable(rendered: str, secrets: dict[str, Path], jwks: str) -> list[dict[str, Any]]:
    """The rendered overlay cut to what podman plays: see the module's docstring."""
    played: list[dict[str, Any]] = []
    for manifest in yaml.safe_load_all(rendered):
        kind, name = manifest["kind"], manifest["metadata"]["name"]
        if kind == "ConfigMap" and name.startswith("chorus-database-"):
            manifest["data"] = {
                key: value.replace(DATABASE_HOST, "postgres")
                for key, value in manifest["data"].items()
            }
            played.append(manifest)
        elif kind == "Deployment" and name in PLAYED:
            manifest["spec"]["replicas"] = 1
            played.append(_local(manifest, manifest["spec"]["template"]["spec"], secrets))
        elif kind == "Job" and name in MIGRATIONS:
            template = manifest["spec"]["template"]
            labels = template["metadata"].get("labels", {})
            pod = {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": name, "labels": labels},
                "spec": template["spec"],
            }
            played.append(_local(pod, pod["spec"], secrets))
    played.append(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "chorus-jwks"},
            "data": {"jwks.json": jwks},
        }
    )
    return played


def _local(
    manifest: dict[str, Any], pod_spec: dict[str, Any], secrets: dict[str, Path]
) -> dict[str, Any]:
    """The images built here; each Secret volume a read-only folder of its files.

    podman 4.3 can mount a Secret (a podman secret holding a Kubernetes Secret
    object), but writes each value base64-encoded into the file: the services
    would read that as the password. So the files are given as a hostPath
    folder holding exactly what the kubelet would write (the items' paths)."""
    for container in pod_spec["containers"]:
        image = container["image"].split(":")[0]
        container["image"] = f"localhost/{image}:{TAG}"
    for volume in pod_spec.get("volumes", []):
        secret = volume.pop("secret", None)
        if secret is not None:
            folder = secrets[secret["secretName"]]
            volume["hostPath"] = {"path": str(folder), "type": "Directory"}
    return manifest


def secret_folders(folder: Path, secrets: Path) -> dict[str, Path]:
    """The manifests' Secrets, as the kubelet would write them (README, "What the manifests
    expect"), made from the files init_secrets.py wrote."""
    contents = {
        "chorus-auth-signing-keys": {p.name: p for p in (secrets / "signing-keys").iterdir()},
        "chorus-auth-database": {"password": secrets / "auth-db-password"},
        "chorus-resource-database": {
            "password": secrets / "resource-db-password",
            "owner-password": secrets / "resource-owner-db-password",
        },
    }
    folders = {}
    for name, files in contents.items():
        target = folder / name
        target.mkdir(parents=True)
        for key, source in files.items():
            shutil.copyfile(source, target / key)
            (target / key).chmod(0o444)
        folders[name] = target
    return folders


def grpcurl(address: str, method: str, body: dict[str, Any] | None = None, *headers: str) -> str:
    args = [str(tool("grpcurl")), "-plaintext", "-max-time", "5"]
    for header in headers:
        args += ["-H", header]
    if body is not None:
        args += ["-d", json.dumps(body)]
    result = subprocess.run(
        [*args, address, method], capture_output=True, text=True, timeout=30, check=False
    )
    assert result.returncode == 0, f"grpcurl {address} {method}: {result.stdout}{result.stderr}"
    return result.stdout


def address_of(container: str) -> str:
    return run(
        "podman",
        "inspect",
        "--format={{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}",
        container,
    ).split()[0]


@pytest.fixture(scope="module")
async def pods(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Pods]:
    require_podman()
    async with machine_lock():
        await asyncio.to_thread(build_images)
        async for played in _played(tmp_path_factory):
            yield played


async def _played(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Pods]:
    folder = tmp_path_factory.mktemp("kube")
    secrets = folder / "secrets"
    init_secrets(secrets)
    prefix = f"chorus-kube-{uuid.uuid4().hex[:8]}"
    jwks = (secrets / "jwks.json").read_text()
    folders = secret_folders(folder / "kube-secrets", secrets)
    manifests = playable(kustomize(OVERLAY), folders, jwks)
    manifest_file = folder / "played.yaml"
    manifest_file.write_text(yaml.safe_dump_all(manifests))
    database = f"{prefix}-postgres"
    try:
        run("podman", "network", "create", prefix)
        mounts = [f"--volume={INIT_SCRIPT}:/docker-entrypoint-initdb.d/10-chorus.sh:ro"]
        for name in (*PASSWORDS, "resource-db-password"):
            mounts.append(f"--volume={secrets / name}:/run/secrets/{name}:ro")
        run(
            "podman",
            "run",
            "--detach",
            f"--name={database}",
            f"--network={prefix}",
            "--network-alias=postgres",
            "--env=POSTGRES_PASSWORD_FILE=/run/secrets/postgres-password",
            *mounts,
            images.POSTGRES,
        )
        await _wait_for_database(database)
        run("podman", "play", "kube", f"--network={prefix}", str(manifest_file))
        yield Pods(prefix, folder, manifests)
    finally:
        run("podman", "play", "kube", "--down", str(manifest_file), check=False)
        run("podman", "rm", "--force", "--volumes", "--time=2", database, check=False)
        run("podman", "network", "rm", "--force", prefix, check=False)
        run("podman", "volume", "rm", "--force", "chorus-jwks", check=False)  # the ConfigMap's


async def _wait_for_database(container: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 90
    while True:
        result = await asyncio.to_thread(
            run, "podman", "exec", container, "pg_isready", "--host=127.0.0.1", check=False
        )
        if "accepting connections" in result:
            return
        assert loop.time() < deadline, run("podman", "logs", container, check=False)
        await asyncio.sleep(1)


async def wait_for_exit(container: str, within: float = READY_TIMEOUT) -> int:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        out = await asyncio.to_thread(
            run, "podman", "inspect", "--format={{.State.Status}} {{.State.ExitCode}}", container
        )
        status, code = out.split()
        if status in ("exited", "stopped"):
            return int(code)
        assert loop.time() < deadline, run("podman", "logs", container, check=False)
        await asyncio.sleep(1)


def pod_of(deployment: str) -> str:
    """The pod podman makes for the first replica of a Deployment."""
    return f"{deployment}-pod-0"


async def wait_ready(pods: Pods, deployment: str, within: float = READY_TIMEOUT) -> str:
    """Once the container passes its manifest's readiness probe: its address.

    The probe is the kubelet's gRPC one (`grpc.health.v1.Health/Check` for the
    service the manifest names, on its port), made here from outside."""
    [container_spec] = pods.deployment(deployment)["spec"]["template"]["spec"]["containers"]
    probe = container_spec["readinessProbe"]["grpc"]
    container = pods.container(pod_of(deployment), container_spec["name"])
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        address = f"{address_of(container)}:{probe['port']}"
        try:
            reply = await asyncio.to_thread(
                grpcurl, address, "grpc.health.v1.Health/Check", {"service": probe["service"]}
            )
        except AssertionError:
            reply = ""
        if '"SERVING"' in reply:
            return address
        assert loop.time() < deadline, run("podman", "logs", container, check=False)
        await asyncio.sleep(2)


async def test_the_migration_jobs_complete(pods: Pods) -> None:
    for job in sorted(MIGRATIONS):
        played = next(m for m in pods.manifests if m["metadata"]["name"] == job)
        [spec] = played["spec"]["containers"]
        container = pods.container(job, spec["name"])
        assert await wait_for_exit(container) == 0, run("podman", "logs", container)


async def test_the_services_pass_their_probes_and_answer_grpcurl(pods: Pods) -> None:
    auth = await wait_ready(pods, "chorus-auth")
    resource = await wait_ready(pods, "chorus-resource")
    assert "chorus.auth.v1.AuthService" in grpcurl(auth, "list")
    signed_up = json.loads(
        grpcurl(
            auth,
            "chorus.auth.v1.AuthService/SignUp",
            {"email": unique_email("kube"), "password": PASSWORD},
        )
    )
    token = signed_up["session"]["accessToken"]
    created = json.loads(
        grpcurl(
            resource,
            "chorus.resource.v1.SongService/CreateSong",
            {"song": {"name": "Played", "artist": "Kube"}},
            f"authorization: Bearer {token}",
        )
    )
    listed = json.loads(
        grpcurl(
            resource,
            "chorus.resource.v1.SongService/ListSongs",
            {},
            f"authorization: Bearer {token}",
        )
    )
    assert [song["id"] for song in listed["songs"]] == [created["song"]["id"]]


@pytest.mark.parametrize("deployment", sorted(PLAYED))
async def test_the_pods_run_as_the_manifests_say(pods: Pods, deployment: str) -> None:
    await wait_ready(pods, deployment)
    spec = pods.deployment(deployment)["spec"]["template"]["spec"]
    [container_spec] = spec["containers"]
    container = pods.container(pod_of(deployment), container_spec["name"])
    uid = run("podman", "exec", container, "id", "-u").strip()
    assert uid == str(spec["securityContext"]["runAsUser"]) != "0"
    write = run("podman", "exec", container, "touch", "/opt/chorus/written", check=False)
    assert "Read-only file system" in write
    run("podman", "exec", container, "touch", "/tmp/probe-written")  # noqa: S108 (the emptyDir)
    for mount in container_spec["volumeMounts"]:
        listing = run("podman", "exec", container, "ls", mount["mountPath"])
        if mount["mountPath"].startswith("/etc/chorus/"):
            assert listing.split(), f"{mount['mountPath']} is empty"
    password = run("podman", "exec", container, "cat", "/etc/chorus/database/password").strip()
    assert password, "the database password Secret is mounted as a file"
