"""The real commands, run as subprocesses configured by env values: they start
healthy, stop cleanly on a signal without dropping calls in flight, log one
line per call and never a secret, reject bad settings with a one-line message,
and manage signing keys."""

import asyncio
import base64
import hashlib
import json
import signal
import uuid
from collections import Counter
from pathlib import Path

import grpc
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from chorus_client import ChorusClient
from chorus_devtools.health import SERVING, health_status
from chorus_devtools.polling import wait_until
from chorus_devtools.ports import free_ports
from chorus_devtools.processes import access_lines, clean_env
from chorus_devtools.suite import run_command
from tests.support import processes
from tests.support.accounts import PASSWORD, unique_email
from tests.support.metrics import sample
from tests.support.processes import prepare_home, running_service
from tests.support.songs import all_songs

AUTH = "chorus.auth.v1.AuthService"
SONGS = "chorus.resource.v1.SongService"
GRACE_SECONDS = 5
HASHING_IN_PROGRESS = "chorus_auth_password_work_in_progress"


def service_env(folder: Path, **overrides: str) -> dict[str, str]:
    return processes.service_env(folder, GRACE_SECONDS, **overrides)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with one signing key and both databases migrated, by the commands."""
    folder = tmp_path_factory.mktemp("services")
    return prepare_home(folder, service_env(folder))


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
async def test_signal_stops_a_healthy_service_cleanly(home: Path, sig: signal.Signals) -> None:
    async with running_service("chorus_auth", service_env(home), home) as auth:
        for name in ("", AUTH):
            assert await health_status(auth.target, name) == SERVING
        loop = asyncio.get_running_loop()
        signalled = loop.time()
        code = await auth.stop(sig)
        elapsed = loop.time() - signalled
    assert code == 0
    assert elapsed < GRACE_SECONDS
    log = auth.log()
    assert "shutting down" in log
    assert "Traceback" not in log


async def test_call_in_flight_at_sigterm_completes(home: Path) -> None:
    """A Login still hashing (argon2id, 256 MiB x 4 passes) when SIGTERM comes succeeds."""
    [metrics_port] = free_ports(1)
    metrics = f"127.0.0.1:{metrics_port}"
    slow = service_env(
        home,
        # However slow the machine, the grace period is not what ends the call.
        CHORUS_SHUTDOWN_GRACE_SECONDS="120",
        CHORUS_AUTH_ARGON2_MEMORY_KIB="262144",
        CHORUS_AUTH_ARGON2_TIME_COST="4",
        CHORUS_AUTH_METRICS_LISTEN=metrics,
    )
    email = unique_email("in-flight")
    async with (
        running_service("chorus_auth", slow, home) as auth,
        ChorusClient(auth.target, auth.target, timeout=30) as client,
    ):
        await client.sign_up(email, PASSWORD)
        login = asyncio.create_task(client.login(email, PASSWORD))

        async def hashing() -> bool:
            return await sample(metrics, HASHING_IN_PROGRESS) >= 1

        await wait_until(hashing, within=10, what="the login to reach password hashing")
        assert not login.done()
        auth.send(signal.SIGTERM)
        user = await login
        code = await auth.exit_code()
    assert user.user.email == email
    assert code == 0
    log = auth.log()
    assert log.index("shutting down") < log.index(f"/{AUTH}/Login OK")


async def test_logs_have_one_access_line_per_call_and_no_secrets(home: Path) -> None:
    async with (
        running_service("chorus_auth", service_env(home), home) as auth,
        running_service(
            "chorus_resource", service_env(home, CHORUS_RESOURCE_JWKS=f"grpc://{auth.target}"), home
        ) as resource,
        ChorusClient(auth.target, resource.target) as client,
    ):
        secrets = await _session_of_calls(client)
        exit_codes = [await resource.stop(), await auth.stop()]
    assert exit_codes == [0, 0]
    auth_log, resource_log = auth.log(), resource.log()
    assert access_lines(auth_log) == Counter(
        {
            (f"/{AUTH}/SignUp", "OK"): 1,
            (f"/{AUTH}/Login", "UNAUTHENTICATED"): 1,
            (f"/{AUTH}/Login", "OK"): 1,
            (f"/{AUTH}/Refresh", "OK"): 1,
            (f"/{AUTH}/GetJwks", "OK"): 1,  # the resource service fetching the keys
        }
    )
    assert access_lines(resource_log) == Counter(
        {
            (f"/{SONGS}/CreateSong", "OK"): 1,
            (f"/{SONGS}/GetSong", "NOT_FOUND"): 1,
            (f"/{SONGS}/ListSongs", "OK"): 1,
        }
    )
    logs = auth_log + resource_log
    assert "PRIVATE KEY" not in logs
    assert "-----BEGIN" not in logs
    for secret in secrets + _key_material(home / "keys"):
        assert secret not in logs


async def _session_of_calls(client: ChorusClient) -> list[str]:
    """Sign up, fail a login, log in, refresh, use songs; the secrets seen on the way."""
    email, wrong_password = unique_email("logs"), "not-the-password-7"
    signed_up = await client.sign_up(email, PASSWORD)
    with pytest.raises(grpc.aio.AioRpcError) as failed:
        await client.login(email, wrong_password)
    assert failed.value.code() == grpc.StatusCode.UNAUTHENTICATED
    user = await client.login(email, PASSWORD)
    secrets = [PASSWORD, wrong_password]
    for session in (signed_up, user):
        secrets += [session.tokens.access_token, session.tokens.refresh_token]
    await user.tokens.refresh()
    secrets += [user.tokens.access_token, user.tokens.refresh_token]
    await user.songs.create("Aberdeen", "Cage the Elephant", year=2011)
    with pytest.raises(grpc.aio.AioRpcError) as missing:
        await user.songs.get(str(uuid.uuid4()))
    assert missing.value.code() == grpc.StatusCode.NOT_FOUND
    assert [song.name for song in await all_songs(user)] == ["Aberdeen"]
    assert len(set(secrets)) == len(secrets)  # refresh really issued new tokens
    return secrets


def _key_material(keys_dir: Path) -> list[str]:
    """The base64 lines of every PEM file in `keys_dir`."""
    lines = [
        line
        for pem in keys_dir.glob("*.pem")
        for line in pem.read_text().splitlines()
        if not line.startswith("-----")
    ]
    assert lines
    return lines


CONFIG_ERRORS = [
    pytest.param(
        "chorus_auth",
        "serve",
        {"CHORUS_AUTH_ACCESS_TOKEN_TTL_SECONDS": "abc"},
        ("CHORUS_AUTH_ACCESS_TOKEN_TTL_SECONDS", "'abc'"),
        id="ttl-not-an-integer",
    ),
    pytest.param(
        "chorus_auth",
        "serve",
        {"CHORUS_AUTH_KEYS_DIR": "no-such-keys"},
        ("no-such-keys", "`python -m chorus_auth keys generate`"),
        id="keys-folder-missing",
    ),
    pytest.param(
        "chorus_auth",
        "serve",
        {"CHORUS_AUTH_DATABASE_URL": "mysql://root:hunter2@db/chorus"},
        ("CHORUS_AUTH_DATABASE_URL", "'mysql'"),
        id="auth-database-mysql",
    ),
    pytest.param(
        "chorus_resource",
        "migrate",
        {"CHORUS_RESOURCE_DATABASE_URL": "mysql://root:hunter2@db/chorus"},
        ("CHORUS_RESOURCE_DATABASE_URL", "'mysql'"),
        id="resource-migrate-mysql",
    ),
]


@pytest.mark.parametrize(("package", "command", "overrides", "expected"), CONFIG_ERRORS)
def test_configuration_error_exits_2_with_a_one_line_message(
    home: Path, package: str, command: str, overrides: dict[str, str], expected: tuple[str, ...]
) -> None:
    result = run_command(package, command, env=service_env(home, **overrides), cwd=home, timeout=10)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "hunter2" not in result.stderr
    [message] = result.stderr.splitlines()
    assert message.startswith(f"{package}: configuration error: ")
    for fragment in expected:
        assert fragment in message


def test_keys_generate_if_missing_adds_no_second_key(tmp_path: Path) -> None:
    keys_dir = tmp_path / "keys"

    def generate(*flags: str) -> list[Path]:
        env = clean_env(CHORUS_AUTH_KEYS_DIR=str(keys_dir))
        result = run_command("chorus_auth", "keys", "generate", *flags, env=env, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        return sorted(keys_dir.glob("*.pem"))

    first = generate("--if-missing")
    assert len(first) == 1
    assert generate("--if-missing") == first
    assert len(generate()) == 2  # without the flag, a key is added
    assert keys_dir.stat().st_mode & 0o777 == 0o700
    assert {key.stat().st_mode & 0o777 for key in keys_dir.iterdir()} == {0o600}


def test_keys_jwks_prints_the_public_key_only(home: Path) -> None:
    result = run_command("chorus_auth", "keys", "jwks", env=service_env(home), cwd=home)
    assert result.returncode == 0, result.stderr
    [pem] = (home / "keys").glob("*.pem")
    private_key = load_pem_private_key(pem.read_bytes(), password=None)
    assert isinstance(private_key, ec.EllipticCurvePrivateKey)
    numbers = private_key.public_key().public_numbers()
    public = {"crv": "P-256", "kty": "EC", "x": _b64(numbers.x), "y": _b64(numbers.y)}
    thumbprint = hashlib.sha256(json.dumps(public, separators=(",", ":")).encode()).digest()
    kid = base64.urlsafe_b64encode(thumbprint).rstrip(b"=").decode()
    assert json.loads(result.stdout) == {
        "keys": [{**public, "alg": "ES256", "use": "sig", "kid": kid}]
    }


def _b64(coordinate: int) -> str:
    """A P-256 coordinate as a JWK member: 32 big-endian bytes, base64url."""
    return base64.urlsafe_b64encode(coordinate.to_bytes(32, "big")).rstrip(b"=").decode()


UNREACHABLE = "postgresql://chorus:hunter2@127.0.0.1:1/chorus"
"""Nothing listens on port 1: a database that is not up (yet)."""


@pytest.mark.parametrize(
    ("package", "command", "setting"),
    [
        ("chorus_auth", "serve", "CHORUS_AUTH_DATABASE_URL"),
        ("chorus_auth", "migrate", "CHORUS_AUTH_DATABASE_URL"),
        ("chorus_resource", "serve", "CHORUS_RESOURCE_DATABASE_URL"),
        ("chorus_resource", "migrate", "CHORUS_RESOURCE_MIGRATION_DATABASE_URL"),
    ],
)
def test_unreachable_database_exits_1_with_a_one_line_message(
    home: Path, package: str, command: str, setting: str
) -> None:
    """Before serving or migrating: so a container restarts it instead of it half-working."""
    overrides = {
        setting: UNREACHABLE,
        "CHORUS_RESOURCE_DATABASE_URL": UNREACHABLE,
        "CHORUS_DATABASE_WAIT_SECONDS": "0",  # test_waiting_for_the_database.py: the wait
    }
    result = run_command(package, command, env=service_env(home, **overrides), cwd=home, timeout=20)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "hunter2" not in result.stderr
    [message] = result.stderr.splitlines()
    assert message.startswith(f"{package}: cannot connect to the database postgresql")
    assert "127.0.0.1:1/chorus" in message
    assert "Connect call failed" in message
