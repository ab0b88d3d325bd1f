"""`bench.layers`: the real resource service minus exactly the interceptors named.

Its rows are only worth reading if a variant is the service as deployed with
those layers, and only those, taken off: checked here on the class level, and
on a served call (the access log's line appears, or does not).
"""

import asyncio
import sys
from pathlib import Path
from typing import Any

import grpc
import pytest

from bench import layers
from bench.suite import ROOT
from chorus.resource.v1 import song_service_pb2 as song_pb
from chorus.resource.v1 import song_service_pb2_grpc as song_grpc
from chorus_client import ChorusClient
from chorus_core.interceptors.auth_interceptor import AuthInterceptor
from chorus_devtools.processes import start_listening
from chorus_devtools.suite import run_command
from tests.support.accounts import PASSWORD, unique_email
from tests.support.processes import START_TIMEOUT, prepare_home, running_service, service_env

GET_SONG = "/chorus.resource.v1.SongService/GetSong"


def handler() -> "grpc.RpcMethodHandler[Any, Any]":
    async def behavior(request: Any, context: Any) -> Any:
        return request

    return grpc.unary_unary_rpc_method_handler(behavior)


def test_only_the_named_interceptors_are_taken_off(monkeypatch: pytest.MonkeyPatch) -> None:
    for kind in layers.LAYERS.values():  # restored after the test
        monkeypatch.setattr(kind, "intercept", kind.intercept)
    given = handler()
    layers.take_off(["logging", "metrics"])
    kept = {name for name, kind in layers.LAYERS.items() if name not in ("logging", "metrics")}
    for name, kind in layers.LAYERS.items():
        instance = kind.__new__(kind)  # intercept reads no state of a taken-off layer
        if name in kept:
            assert kind.intercept is not layers._passed_through, name
        else:
            assert instance.intercept(GET_SONG, given) is given, name
    assert "auth" not in layers.LAYERS, "authentication is never taken off"
    assert AuthInterceptor.intercept is not layers._passed_through


def test_an_unknown_layer_is_refused() -> None:
    result = run_command("bench.layers", "serve", "--without", "logging,auth", env={}, cwd=ROOT)
    assert result.returncode == 2
    assert "unknown layers ['auth']" in result.stderr


async def test_a_variant_serves_calls_without_its_access_log(tmp_path: Path) -> None:
    env = service_env(tmp_path, 1, CHORUS_WORKERS="1")
    await asyncio.to_thread(prepare_home, tmp_path, env)
    async with running_service("chorus_auth", env, tmp_path) as auth:
        variant_env = {**env, "CHORUS_RESOURCE_JWKS": f"grpc://{auth.target}"}
        async with ChorusClient(auth.target, auth.target) as client:
            user = await client.sign_up(unique_email("layers"), PASSWORD)
        logged = {}
        for without in ("-", "logging"):
            log_file = tmp_path / f"variant-{without}.log"
            argv = [sys.executable, "-m", "bench.layers", "serve", "--without", without]
            server = await start_listening(
                "layers", argv, variant_env, cwd=ROOT, log_file=log_file, within=START_TIMEOUT
            )
            try:
                async with grpc.aio.insecure_channel(server.target) as channel:
                    songs = song_grpc.SongServiceStub(channel)
                    token = (("authorization", f"Bearer {user.tokens.access_token}"),)
                    created = await songs.CreateSong(
                        song_pb.CreateSongRequest(song=song_pb.Song(name="Layered", artist="B")),
                        metadata=token,
                    )
                    got = await songs.GetSong(
                        song_pb.GetSongRequest(id=created.song.id), metadata=token
                    )
                    assert got.song.name == "Layered"
                    with pytest.raises(grpc.aio.AioRpcError) as refused:
                        await songs.GetSong(song_pb.GetSongRequest(id=created.song.id))
                    assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED
            finally:
                await server.stop()
            logged[without] = GET_SONG in log_file.read_text()
    assert logged == {"-": True, "logging": False}
