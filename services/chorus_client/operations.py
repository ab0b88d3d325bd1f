"""Long-running operations of the active tenant (imports): read, list, follow, cancel."""

from __future__ import annotations  # the Async stubs exist in type stubs only

from collections.abc import AsyncGenerator

import grpc

from chorus.resource.v1 import operation_service_pb2 as operation_pb
from chorus.resource.v1 import operation_service_pb2_grpc as operation_grpc
from chorus_client.resuming import before_resuming
from chorus_client.tokens import SessionTokens


class OperationsClient:
    def __init__(
        self, stub: operation_grpc.OperationServiceAsyncStub, tokens: SessionTokens, timeout: float
    ) -> None:
        self._stub = stub
        self._tokens = tokens
        self._timeout = timeout

    async def get(self, name: str) -> operation_pb.Operation:
        request = operation_pb.GetOperationRequest(name=name)
        return (await self._tokens.call(self._stub.GetOperation, request, self._timeout)).operation

    async def list(self, filter: str = "") -> list[operation_pb.Operation]:
        """The tenant's most recent operations (100 at most), newest first.

        `filter` as ListOperations takes it: `done = false` for the unfinished ones.
        """
        return list((await self.page(filter=filter)).operations)

    async def page(
        self, *, filter: str = "", page_size: int = 0, page_token: str = ""
    ) -> operation_pb.ListOperationsResponse:
        """One page of ListOperations (its next_page_token leads to the next)."""
        request = operation_pb.ListOperationsRequest(
            filter=filter, page_size=page_size, page_token=page_token
        )
        return await self._tokens.call(self._stub.ListOperations, request, self._timeout)

    async def cancel(self, name: str) -> operation_pb.Operation:
        request = operation_pb.CancelOperationRequest(name=name)
        response = await self._tokens.call(self._stub.CancelOperation, request, self._timeout)
        return response.operation

    async def watch(self, name: str) -> AsyncGenerator[operation_pb.Operation, None]:
        """The operation now, then at each change, until it is done.

        Resumed by itself when the stream ends because the access token
        expired or the server stopped (`chorus_client.resuming`): an import
        may well outlast a token.
        """
        failures = 0
        while True:
            metadata = await self._tokens.metadata()
            stream = self._stub.WatchOperation(
                operation_pb.WatchOperationRequest(name=name), metadata=metadata
            )
            try:
                async for response in stream:
                    failures = 0
                    yield response.operation
                    if response.operation.done:
                        return
            except grpc.aio.AioRpcError as error:
                await before_resuming(error, failures, self._tokens, metadata)
                failures += 1
            finally:
                stream.cancel()
