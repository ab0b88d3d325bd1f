"""Resuming a server stream that ended for a reason a new call fixes (watches, operations).

A stream ends UNAUTHENTICATED when its access token expires, and UNAVAILABLE
when its server stops (the gateway sends the next call to another replica):
the client calls again, with a fresh token, after a short wait, and gives up
after `len(RESUMES)` attempts in a row that bring no message.
"""

import asyncio

import grpc

from chorus_client.tokens import Metadata, SessionTokens

RESUMES = (0.0, 0.5, 1.0, 2.0, 5.0)
"""Waits between attempts to resume a lost stream; it gives up after the last."""
RESUMED_CODES = (grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.UNAVAILABLE)


async def before_resuming(
    error: grpc.aio.AioRpcError,
    failures: int,
    tokens: SessionTokens,
    metadata: Metadata,
) -> None:
    """Wait before calling again after `error` ended a stream (the `failures`-th time in a
    row with no message), with the token refreshed if the server refused the one sent in
    `metadata`; raise `error` if a new call would not help or attempts are spent."""
    if error.code() not in RESUMED_CODES or failures >= len(RESUMES):
        raise error
    if error.code() == grpc.StatusCode.UNAUTHENTICATED and metadata == (
        ("authorization", f"Bearer {tokens.access_token}"),
    ):
        await tokens.refresh()  # nobody refreshed the refused token meanwhile
    await asyncio.sleep(RESUMES[failures])
