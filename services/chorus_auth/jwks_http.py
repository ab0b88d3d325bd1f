"""The auth service's public keys over plain HTTP, for Envoy's `remote_jwks`.

    GET /.well-known/jwks.json  ->  200, the same JWKS as AuthService.GetJwks

Envoy fetches it again every few seconds, so a key the auth service starts
publishing is accepted at the edge without restarting Envoy. One tiny
HTTP/1.1 responder on the event loop (one request per connection); its port
is bound with SO_REUSEPORT, so every worker process (CHORUS_WORKERS) serves it.
"""

import asyncio
import json
from collections.abc import Mapping, Sequence

PATH = "/.well-known/jwks.json"
READ_SECONDS = 5.0
MAX_HEAD_BYTES = 8192


def _reply(status: str, body: bytes, content_type: str) -> bytes:
    head = (
        f"HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\n"
        f"content-length: {len(body)}\r\ncache-control: max-age=5\r\nconnection: close\r\n\r\n"
    )
    return head.encode() + body


async def serve_jwks(listen: str, keys: Sequence[Mapping[str, str]]) -> None:
    """Serve the JWKS of `keys` on `listen` (host:port) until cancelled."""
    found = _reply("200 OK", json.dumps({"keys": list(keys)}).encode(), "application/json")
    missing = _reply("404 Not Found", b"not found\n", "text/plain")

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            async with asyncio.timeout(READ_SECONDS):
                head = await reader.readuntil(b"\r\n\r\n")
            method, path, *_ = head[:MAX_HEAD_BYTES].decode("latin-1").split(" ", 2)
            reply = found if method in ("GET", "HEAD") and path == PATH else missing
            if method == "HEAD":
                reply = reply.partition(b"\r\n\r\n")[0] + b"\r\n\r\n"
            writer.write(reply)
            await writer.drain()
        except (TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            pass  # a client that sends no request (or garbage) gets nothing
        except OSError:
            pass  # the client went away
        finally:
            writer.close()

    host, _, port = listen.rpartition(":")
    server = await asyncio.start_server(
        answer, host, int(port), reuse_port=True, limit=MAX_HEAD_BYTES
    )
    async with server:
        await server.serve_forever()
