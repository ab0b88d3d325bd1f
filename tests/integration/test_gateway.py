"""The Envoy gateway (gateway/), run for real in front of the suite.

Browsers speak gRPC-Web through it, gRPC clients (grpcurl, the Python client)
speak plain gRPC (h2c) on the same port. It checks access tokens at the edge,
answers CORS, rate-limits SignUp/Login per client address and logs every call
as a JSON line without any header.
"""

import asyncio
import base64
import json
import sys
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import grpc
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from chorus.auth.v1 import auth_service_pb2 as auth_pb
from chorus.auth.v1 import auth_service_pb2_grpc as auth_grpc
from chorus.resource.v1 import operation_service_pb2 as operation_pb
from chorus.resource.v1 import song_service_pb2 as song_pb
from chorus.resource.v1 import song_service_pb2_grpc as song_grpc
from chorus_client import ChorusClient
from scripts.render_envoy_config import DEFAULT_CORS_ORIGINS, RenderError, main, render
from tests.support.accounts import PASSWORD, unique_email
from tests.support.calls import rpc_error
from tests.support.forged_tokens import TokenForge
from tests.support.gateway import (
    GRPC_WEB_REQUEST_HEADERS,
    Gateway,
    GrpcWebReply,
    preflight,
    render_for_suite,
    run_envoy,
    running_gateway,
)
from tests.support.in_process import InProcessSuite

ORIGIN = "http://localhost:5173"
OTHER_ORIGIN = "https://evil.example"
LIST_SONGS = "/chorus.resource.v1.SongService/ListSongs"
SIGN_UP = "/chorus.auth.v1.AuthService/SignUp"
LOGIN = "/chorus.auth.v1.AuthService/Login"
RATE_LIMITED = "too many sign-up or login attempts, try again in a minute"
EXPOSED_HEADERS = ("grpc-status", "grpc-message", "grpc-status-details-bin")
ACCESS_LOG_FIELDS = {
    "time",
    "client",
    "protocol",
    "method",
    "path",
    "status",
    "grpc_status",
    "flags",
    "details",
    "upstream",
    "upstream_host",
    "duration_ms",
    "bytes_in",
    "bytes_out",
}
COMMAND_TIMEOUT = 30.0


@pytest.fixture(scope="module")
async def gateway(
    suite: InProcessSuite, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Gateway]:
    """One gateway for the module, its SignUp/Login limit high enough never to be met."""
    async with running_gateway(suite, tmp_path_factory.mktemp("gateway")) as running:
        yield running


@pytest.fixture
async def edge_client(gateway: Gateway) -> AsyncIterator[ChorusClient]:
    """The Python client, both services reached through the gateway."""
    async with ChorusClient(gateway.target, gateway.target) as chorus:
        yield chorus


def header_list(value: str) -> set[str]:
    return {item.strip().lower() for item in value.split(",") if item.strip()}


def claims_of(token: str) -> dict[str, Any]:
    """The (unverified) claims of a JWT."""
    payload = token.split(".")[1]
    claims: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    )
    return claims


def assert_cors_for(reply_headers: dict[str, str], origin: str) -> None:
    assert reply_headers.get("access-control-allow-origin") == origin, reply_headers
    exposed = header_list(reply_headers.get("access-control-expose-headers", ""))
    assert set(EXPOSED_HEADERS) <= exposed, reply_headers


async def list_songs_web(gateway: Gateway, token: str | None) -> GrpcWebReply:
    headers = {"origin": ORIGIN}
    if token is not None:
        headers["authorization"] = f"Bearer {token}"
    return await gateway.grpc_web(
        LIST_SONGS, song_pb.ListSongsRequest().SerializeToString(), headers
    )


async def run(*command: str | Path, cwd: Path | None = None) -> tuple[int, str, str]:
    """A command run to completion without blocking the event loop."""
    process = await asyncio.create_subprocess_exec(
        *map(str, command),
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), COMMAND_TIMEOUT)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    assert process.returncode is not None
    return process.returncode, stdout.decode(), stderr.decode()


# --- the config ------------------------------------------------------------------


async def test_envoy_accepts_the_rendered_config(suite: InProcessSuite, tmp_path: Path) -> None:
    config = render_for_suite(suite, tmp_path)
    code, output = await run_envoy("--mode", "validate", "-c", str(config))
    assert code == 0, output
    assert f"configuration '{config}' OK" in output


async def test_envoy_validate_rejects_a_broken_config(
    suite: InProcessSuite, tmp_path: Path
) -> None:
    """The check above can fail: the same config with one bad value is refused."""
    config = render_for_suite(suite, tmp_path)
    text = config.read_text()
    assert "codec_type: AUTO" in text
    config.write_text(text.replace("codec_type: AUTO", "codec_type: HTTP9"))
    code, output = await run_envoy("--mode", "validate", "-c", str(config))
    assert code != 0, output


def test_renderer_defaults_and_placeholders(tmp_path: Path) -> None:
    config = render(jwks=tmp_path / "jwks.json")
    assert "${" not in config
    for origin in DEFAULT_CORS_ORIGINS:
        assert json.dumps(origin) in config
    assert '"127.0.0.1", port_value: 8080' in config
    assert '"127.0.0.1", port_value: 9901' in config
    assert '"127.0.0.1", port_value: 50051' in config
    assert '"127.0.0.1", port_value: 50052' in config
    assert f'local_jwks: {{"filename": {json.dumps(str(tmp_path / "jwks.json"))}}}' in config
    assert "max_tokens: 10\n" in config
    assert "max_tokens: 300\n" in config, "calls without a token, per client address"
    assert 'max_stream_duration: "10s"' in config


def test_renderer_reads_keys_from_the_auth_service_over_http() -> None:
    config = render(jwks_endpoint="127.0.0.1:50061")
    assert '"uri": "http://127.0.0.1:50061/.well-known/jwks.json", "cluster": "jwks"' in config
    assert '"name": "jwks"' in config
    assert "local_jwks: {" not in config


def test_renderer_cli_writes_the_config(tmp_path: Path) -> None:
    out = tmp_path / "envoy.yaml"
    args = ["--jwks", str(tmp_path / "jwks.json"), "--out", str(out)]
    args += ["--cors-origin", "https://app.example.com", "--auth-rate-per-minute", "7"]
    assert main([*args, "--listen", "0.0.0.0:8443"]) == 0
    config = out.read_text()
    assert '{"exact": "https://app.example.com"}' in config
    assert "http://localhost:5173" not in config, "--cors-origin replaces the defaults"
    assert "max_tokens: 7\n" in config
    assert '"0.0.0.0", port_value: 8443' in config


@pytest.mark.parametrize(
    "bad",
    [
        {"cors_origins": ["*"]},
        {"cors_origins": ["http://app.example.com/path"]},
        {"cors_origins": ["http://app.example.com\n  evil: yes"]},
        {"cors_origins": []},
        {"listen": "8080"},
        {"auth": "auth.local:http"},
        {"resource": "host:70000"},
        {"auth_rate_per_minute": 0},
        {"anonymous_rate_per_minute": 0},
        {"call_seconds": 0},
        {"jwks_endpoint": "127.0.0.1:50061"},
    ],
)
def test_renderer_refuses_bad_values(bad: dict[str, Any], tmp_path: Path) -> None:
    with pytest.raises(RenderError):
        render(jwks=tmp_path / "jwks.json", **bad)


# --- plain gRPC through the gateway ------------------------------------------------


async def test_grpc_clients_use_the_gateway(edge_client: ChorusClient) -> None:
    email = unique_email("edge")
    jane = await edge_client.sign_up(email, PASSWORD)
    await jane.songs.create("Aberdeen", "Cage the Elephant", year=2011)
    await jane.songs.create("Trouble", "Cage the Elephant")
    assert sorted([song.name async for song in jane.songs.all()]) == ["Aberdeen", "Trouble"]

    again = await edge_client.login(email, PASSWORD)
    assert again.user.id == jane.user.id
    me = await again.who_am_i()
    assert me.user.email == email


async def test_grpc_call_without_token_is_refused_at_the_edge(gateway: Gateway) -> None:
    async with grpc.aio.insecure_channel(gateway.target) as channel:
        stub = song_grpc.SongServiceStub(channel)
        error = await rpc_error(stub.ListSongs(song_pb.ListSongsRequest(), timeout=10))
    assert error.code() == grpc.StatusCode.UNAUTHENTICATED
    assert error.details() == "Jwt is missing", "Envoy's words, not the service's"


async def test_auth_calls_need_no_token_at_the_edge(gateway: Gateway) -> None:
    async with grpc.aio.insecure_channel(gateway.target) as channel:
        stub = auth_grpc.AuthServiceStub(channel)
        jwks = await stub.GetJwks(auth_pb.GetJwksRequest(), timeout=10)
        error = await rpc_error(stub.WhoAmI(auth_pb.WhoAmIRequest(), timeout=10))
    assert jwks.ListFields(), "GetJwks answered through the gateway"
    assert error.code() == grpc.StatusCode.UNAUTHENTICATED
    assert error.details() != "Jwt is missing", "WhoAmI is refused by the auth service itself"


async def test_unknown_services_are_unimplemented_at_the_edge(gateway: Gateway) -> None:
    async with grpc.aio.insecure_channel(gateway.target) as channel:
        call = channel.unary_unary(
            "/chorus.nothing.v1.NothingService/Nothing",
            request_serializer=lambda message: message,
            response_deserializer=lambda message: message,
        )
        error = await rpc_error(call(b"", timeout=10))
    assert error.code() == grpc.StatusCode.UNIMPLEMENTED


# --- gRPC-Web ----------------------------------------------------------------------


async def test_grpc_web_lists_the_callers_songs(
    gateway: Gateway, edge_client: ChorusClient
) -> None:
    jane = await edge_client.sign_up(unique_email("web"), PASSWORD)
    song = await jane.songs.create("Aberdeen", "Cage the Elephant", year=2011)

    reply = await list_songs_web(gateway, jane.tokens.access_token)

    assert reply.http.status == 200, reply
    assert reply.http.headers["content-type"] == "application/grpc-web+proto"
    assert reply.grpc_status == 0, reply
    assert reply.trailers.get("grpc-status") == "0", "the status comes in the trailer frame"
    assert len(reply.messages) == 1
    listed = song_pb.ListSongsResponse.FromString(reply.messages[0])
    assert list(listed.songs) == [song]
    assert_cors_for(reply.http.headers, ORIGIN)


async def test_an_import_document_over_the_limit_is_resource_exhausted_through_the_gateway(
    gateway: Gateway, edge_client: ChorusClient
) -> None:
    """As the web app sends a file: gRPC-Web, larger than Envoy's buffer too (2 MiB)."""
    jane = await edge_client.sign_up(unique_email("web"), PASSWORD)
    document = b"name,artist\n" + b"x" * (3 << 20) + b",y\n"
    request = song_pb.ImportSongsRequest(document=document, format=operation_pb.IMPORT_FORMAT_CSV)

    reply = await gateway.grpc_web(
        "/chorus.resource.v1.SongService/ImportSongs",
        request.SerializeToString(),
        {"origin": ORIGIN, "authorization": f"Bearer {jane.tokens.access_token}"},
    )

    assert reply.grpc_status == grpc.StatusCode.RESOURCE_EXHAUSTED.value[0], reply
    assert "larger than max" in reply.http.headers["grpc-message"]
    assert_cors_for(reply.http.headers, ORIGIN)
    assert await jane.operations.list() == []


async def test_grpc_web_without_token_is_refused_at_the_edge_with_cors(
    gateway: Gateway,
) -> None:
    reply = await list_songs_web(gateway, None)

    assert reply.http.status == 401, "jwt_authn answers 401; a service would answer 200"
    assert reply.grpc_status == 16
    assert reply.grpc_message == "Jwt is missing"
    assert reply.messages == []
    assert_cors_for(reply.http.headers, ORIGIN)


@pytest.mark.parametrize("token", ["", "garbage", "a.b.c"])
async def test_grpc_web_with_malformed_token_is_refused_at_the_edge(
    gateway: Gateway, token: str
) -> None:
    reply = await list_songs_web(gateway, token)
    assert reply.http.status == 401
    assert reply.grpc_status == 16
    assert_cors_for(reply.http.headers, ORIGIN)


async def test_token_signed_by_an_unknown_key_is_refused_at_the_edge(
    suite: InProcessSuite, gateway: Gateway, edge_client: ChorusClient
) -> None:
    jane = await edge_client.sign_up(unique_email("forged"), PASSWORD)
    claims = claims_of(jane.tokens.access_token)
    forge = TokenForge.for_suite(suite, claims["sub"], claims["tid"])
    stranger = ec.generate_private_key(ec.SECP256R1())

    genuine = await list_songs_web(gateway, forge.token())
    same_kid = await list_songs_web(gateway, replace(forge, key=stranger).token())
    other_kid = await list_songs_web(
        gateway, replace(forge, key=stranger, kid="not-a-chorus-key").token()
    )

    assert genuine.http.status == 200, "the forge makes tokens the edge accepts"
    assert genuine.grpc_status == 0, genuine
    for refused in (same_kid, other_kid):
        assert refused.http.status == 401, refused
        assert refused.grpc_status == 16
        assert refused.messages == []


async def test_token_for_another_audience_is_refused_at_the_edge(
    suite: InProcessSuite, gateway: Gateway, edge_client: ChorusClient
) -> None:
    jane = await edge_client.sign_up(unique_email("audience"), PASSWORD)
    claims = claims_of(jane.tokens.access_token)
    forge = TokenForge.for_suite(suite, claims["sub"], claims["tid"])

    wrong_audience = await list_songs_web(gateway, forge.token(claims=forge.claims(aud="other")))
    wrong_issuer = await list_songs_web(gateway, forge.token(claims=forge.claims(iss="other")))

    assert (wrong_audience.http.status, wrong_audience.grpc_status) == (401, 16)
    assert (wrong_issuer.http.status, wrong_issuer.grpc_status) == (401, 16)


# --- CORS preflights ---------------------------------------------------------------


@pytest.mark.parametrize("origin", DEFAULT_CORS_ORIGINS)
@pytest.mark.parametrize("path", [LIST_SONGS, SIGN_UP])
async def test_preflight_from_the_web_app_is_answered(
    gateway: Gateway, origin: str, path: str
) -> None:
    reply = await preflight(gateway.target, origin, path)

    assert reply.status == 200, reply
    assert reply.headers.get("access-control-allow-origin") == origin
    assert "POST" in {m.upper() for m in header_list(reply.headers["access-control-allow-methods"])}
    allowed = header_list(reply.headers["access-control-allow-headers"])
    assert set(GRPC_WEB_REQUEST_HEADERS) <= allowed
    assert int(reply.headers["access-control-max-age"]) > 0


@pytest.mark.parametrize("origin", [OTHER_ORIGIN, "http://localhost:5174", None])
async def test_preflight_from_another_origin_is_refused(
    gateway: Gateway, origin: str | None
) -> None:
    reply = await preflight(gateway.target, origin, LIST_SONGS)
    assert reply.status == 403
    assert not any(name.startswith("access-control-") for name in reply.headers), reply.headers


async def test_calls_from_another_origin_get_no_cors_headers(
    gateway: Gateway, edge_client: ChorusClient
) -> None:
    jane = await edge_client.sign_up(unique_email("origin"), PASSWORD)
    reply = await gateway.grpc_web(
        LIST_SONGS,
        b"",
        {"origin": OTHER_ORIGIN, "authorization": f"Bearer {jane.tokens.access_token}"},
    )
    assert reply.grpc_status == 0, "the call itself is the browser's business"
    assert "access-control-allow-origin" not in reply.http.headers


# --- rate limit ----------------------------------------------------------------------


async def test_sign_up_and_login_are_rate_limited_per_client(
    suite: InProcessSuite, tmp_path: Path
) -> None:
    async with (
        running_gateway(suite, tmp_path, auth_rate_per_minute=3) as gateway,
        ChorusClient(gateway.target, gateway.target) as chorus,
    ):
        email = unique_email("limited")
        await chorus.sign_up(email, PASSWORD)
        await chorus.login(email, PASSWORD)
        wrong = await rpc_error(chorus.login(email, "wrong password"))
        assert wrong.code() == grpc.StatusCode.UNAUTHENTICATED, "3 attempts a minute pass"

        for attempt in (
            chorus.sign_up(unique_email("more"), PASSWORD),
            chorus.login(email, PASSWORD),
        ):
            error = await rpc_error(attempt)
            assert error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
            assert error.details() == RATE_LIMITED

        web = await gateway.grpc_web(
            LOGIN,
            auth_pb.LoginRequest(email=email, password=PASSWORD).SerializeToString(),
            {"origin": ORIGIN},
        )
        assert web.http.status == 200, "gRPC-Web clients read a non-200 as their own code"
        assert (web.grpc_status, web.grpc_message) == (8, RATE_LIMITED)
        assert_cors_for(web.http.headers, ORIGIN)

        # Other calls are not limited, and another client address has its own bucket.
        jwks = await chorus.auth.GetJwks(auth_pb.GetJwksRequest(), timeout=10)
        assert jwks.ListFields()
        elsewhere = await gateway.grpc_web(
            LOGIN,
            auth_pb.LoginRequest(email=email, password=PASSWORD).SerializeToString(),
            {"origin": ORIGIN},
            source_host="127.0.0.2",
        )
        assert elsewhere.grpc_status == 0, elsewhere
        assert auth_pb.LoginResponse.FromString(elsewhere.messages[0]).user.email == email

        await gateway.wait_for_access_log(SIGN_UP, count=2)
        entries = await gateway.wait_for_access_log(LOGIN, count=5)
        limited = [e for e in entries if e["flags"] == "RL"]
        assert len(limited) == 3
        assert all(e["grpc_status"] == 8 and e["upstream_host"] is None for e in limited)


# --- grpcurl -------------------------------------------------------------------------


async def test_grpcurl_through_the_gateway_with_reflection_only(gateway: Gateway) -> None:
    """Issue 14, failure 7: `grpcurl -plaintext localhost:8080 list` showed the auth
    service only. Now list and describe show every service, with the proto comments,
    and calls need no .proto files at hand."""
    grpcurl_bin = Path(sys.executable).parent / "grpcurl"

    async def grpcurl(*args: str) -> tuple[int, str, str]:
        return await run(grpcurl_bin, "-plaintext", *args)

    code, out, err = await grpcurl(gateway.target, "list")
    assert code == 0, err
    assert {"chorus.auth.v1.AuthService", "chorus.resource.v1.SongService"} <= set(out.split())
    code, out, err = await grpcurl(gateway.target, "describe", "chorus.resource.v1.SongService")
    assert code == 0, err
    assert "rpc CreateSong" in out
    assert "//" in out, "describe shows the comments of protos/"

    email = unique_email("grpcurl")
    credentials = json.dumps({"email": email, "password": PASSWORD})
    code, out, err = await grpcurl(
        "-d", credentials, gateway.target, "chorus.auth.v1.AuthService/SignUp"
    )
    assert code == 0, err
    assert json.loads(out)["user"]["email"] == email
    code, out, err = await grpcurl(
        "-d", credentials, gateway.target, "chorus.auth.v1.AuthService/Login"
    )
    assert code == 0, err
    token = json.loads(out)["session"]["accessToken"]
    bearer = f"authorization: Bearer {token}"
    song = json.dumps({"song": {"name": "Aberdeen", "artist": "Cage the Elephant"}})
    code, out, err = await grpcurl(
        "-H", bearer, "-d", song, gateway.target, "chorus.resource.v1.SongService/CreateSong"
    )
    assert code == 0, err
    created = json.loads(out)["song"]
    code, out, err = await grpcurl(
        "-H", bearer, gateway.target, "chorus.resource.v1.SongService/ListSongs"
    )
    assert code == 0, err
    assert created in json.loads(out)["songs"]

    code, out, err = await grpcurl(gateway.target, "chorus.resource.v1.SongService/ListSongs")
    assert code != 0
    assert "Unauthenticated" in out + err


# --- access log ----------------------------------------------------------------------


async def test_access_log_has_paths_but_no_tokens_or_headers(
    gateway: Gateway, edge_client: ChorusClient
) -> None:
    start = await gateway.mark_access_log()
    jane = await edge_client.sign_up(unique_email("logged"), PASSWORD)
    await jane.songs.create("Logged", "Band")
    token = jane.tokens.access_token
    grpc_calls = [song async for song in jane.songs.all()]
    web = await list_songs_web(gateway, token)
    assert grpc_calls
    assert web.grpc_status == 0

    entries = await gateway.wait_for_access_log(LIST_SONGS, count=2, since=start)

    text = gateway.access_log_file.read_text()
    assert token not in text
    assert token.split(".")[2] not in text, "not even the signature"
    assert jane.tokens.refresh_token not in text
    assert "bearer" not in text.lower()
    assert "chorus-tests" not in text, "no x-user-agent (nor any other request header)"
    for entry in entries:
        assert set(entry) == ACCESS_LOG_FIELDS, entry
    listed = [e for e in entries if e["path"] == LIST_SONGS]
    assert sorted(e["protocol"] for e in listed) == ["HTTP/1.1", "HTTP/2"], "gRPC and gRPC-Web"
    assert all(e["status"] == 200 for e in listed)
    assert all(e["grpc_status"] == 0 for e in listed)
    assert all(e["upstream"] == "resource" for e in listed)
    paths = {e["path"] for e in entries}
    assert {SIGN_UP, "/chorus.resource.v1.SongService/CreateSong", LIST_SONGS} <= paths
