"""Calls on any resource of the resource service, one client shape for all of them.

`jane.songs`, `jane.playlists` and every resource added later are the same
`ResourceClient`, built from the contract's service descriptors (every
service in `chorus.resource.v1` with Create/Get/List/Update/Delete).
"""

from __future__ import annotations

import asyncio
import functools
import importlib
import pkgutil
import re
import uuid
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import field_mask_pb2, message_factory
from google.protobuf.descriptor import MethodDescriptor, ServiceDescriptor

import chorus.resource.v1 as resource_package
from chorus.resource.v1 import operation_service_pb2 as operation_pb
from chorus.resource.v1 import operation_service_pb2_grpc as operation_grpc
from chorus_client.operations import OperationsClient
from chorus_client.resuming import RESUMES, before_resuming
from chorus_client.tokens import SessionTokens

_OUTPUT_ONLY = frozenset({"id", "create_time", "update_time", "created_by"})
MAX_ITEMS = 100_000
"""`all()` stops with an error past this many items (a paging bug must not loop forever)."""


@functools.cache
def resource_services() -> dict[str, ServiceDescriptor]:
    """Each resource service by the client attribute it gets: {"songs": SongService, …}."""
    services: dict[str, ServiceDescriptor] = {}
    for module_info in pkgutil.iter_modules(resource_package.__path__):
        if not module_info.name.endswith("_pb2"):
            continue
        module = importlib.import_module(f"{resource_package.__name__}.{module_info.name}")
        for service in module.DESCRIPTOR.services_by_name.values():
            plural = next(
                (n.removeprefix("List") for n in service.methods_by_name if n.startswith("List")),
                None,
            )
            if plural and any(n.startswith("Create") for n in service.methods_by_name):
                services[re.sub(r"(?<!^)(?=[A-Z])", "_", plural).lower()] = service
    return services


class ResourceClient:
    """Create, get, list, update and delete one kind of resource in the active tenant."""

    def __init__(
        self,
        channel: grpc.aio.Channel,
        service: ServiceDescriptor,
        tokens: SessionTokens,
        timeout: float,
    ) -> None:
        self._tokens = tokens
        self._timeout = timeout
        methods = service.methods_by_name
        self._singular = next(n for n in methods if n.startswith("Create")).removeprefix("Create")
        self._plural = next(n for n in methods if n.startswith("List")).removeprefix("List")
        self._calls = {
            verb: _callable(channel, service, methods[f"{verb}{noun}"])
            for verb, noun in (
                ("Create", self._singular),
                ("Get", self._singular),
                ("List", self._plural),
                ("Update", self._singular),
                ("Delete", self._singular),
            )
        }
        create = methods[f"Create{self._singular}"].input_type
        resource_field, resource_message = next(
            (f, f.message_type) for f in create.fields if f.message_type is not None
        )
        self._field = resource_field.name
        self.message_type: type[Any] = message_factory.GetMessageClass(resource_message)
        list_output = methods[f"List{self._plural}"].output_type
        self._list_field = next(f.name for f in list_output.fields if f.is_repeated)
        self._inputs = [
            f.name for f in self.message_type.DESCRIPTOR.fields if f.name not in _OUTPUT_ONLY
        ]
        watch = methods.get(f"Watch{self._plural}")
        self._watch = None if watch is None else _callable(channel, service, watch, stream=True)
        importing = methods.get(f"Import{self._plural}")
        self._import = None if importing is None else _callable(channel, service, importing)
        self._operations = OperationsClient(
            operation_grpc.OperationServiceStub(channel), tokens, timeout
        )

    def message(self, *values: Any, **fields: Any) -> Any:
        """A resource message: positional values fill the client-set fields in contract order."""
        if len(values) > len(self._inputs):
            raise TypeError(f"{self._singular} has {len(self._inputs)} fields: {self._inputs}")
        given = {**dict(zip(self._inputs, values, strict=False)), **fields}
        return self.message_type(**{k: v for k, v in given.items() if v is not None})

    async def create(self, *values: Any, request_id: str = "", **fields: Any) -> Any:
        """Add one: `songs.create("Aberdeen", "Cage the Elephant", year=2011)` or a message."""
        if len(values) == 1 and isinstance(values[0], self.message_type):
            item = values[0]
        else:
            item = self.message(*values, **fields)
        response = await self._call("Create", **{self._field: item}, request_id=request_id)
        return getattr(response, self._field)

    async def get(self, item_id: str) -> Any:
        return getattr(await self._call("Get", id=item_id), self._field)

    async def query(
        self, page_size: int = 0, page_token: str = "", *, filter: str = "", order_by: str = ""
    ) -> Any:
        """The whole List response: items, next_page_token and total_size."""
        return await self._call(
            "List", page_size=page_size, page_token=page_token, filter=filter, order_by=order_by
        )

    async def page(
        self, page_size: int = 0, page_token: str = "", *, filter: str = "", order_by: str = ""
    ) -> tuple[list[Any], str]:
        """One page of items and the token of the next ("" after the last)."""
        response = await self.query(page_size, page_token, filter=filter, order_by=order_by)
        return list(getattr(response, self._list_field)), response.next_page_token

    async def all(
        self,
        page_size: int = 0,
        *,
        filter: str = "",
        order_by: str = "",
        max_items: int = MAX_ITEMS,
    ) -> AsyncIterator[Any]:
        """Every item, fetched page by page; fails past `max_items` instead of looping."""
        token, seen = "", 0
        while True:
            items, token = await self.page(page_size, token, filter=filter, order_by=order_by)
            for item in items:
                seen += 1
                if seen > max_items:
                    raise RuntimeError(f"more than {max_items} {self._plural}: is paging looping?")
                yield item
            if not token:
                return

    async def update(self, item: Any, fields: list[str] | None = None) -> Any:
        """Change the named fields of `item` (all that are set if `fields` is None)."""
        mask = field_mask_pb2.FieldMask(paths=fields)
        return getattr(
            await self._call("Update", **{self._field: item}, update_mask=mask), self._field
        )

    async def delete(self, item_id: str) -> None:
        await self._call("Delete", id=item_id)

    async def watch(self, cursor: str = "") -> AsyncGenerator[Any, None]:
        """Every change in the active tenant, live: events with `type`, the item and `cursor`.

        Replays the changes after `cursor` first (none without one), then one
        CHANGE_TYPE_CAUGHT_UP event, then each change as it commits. When the
        stream ends because the access token expired (UNAUTHENTICATED) or the
        server went away (UNAVAILABLE), it resumes by itself with a fresh
        token and the last cursor, so nothing is missed or repeated
        (`chorus_client.resuming`).
        """
        if self._watch is None:
            raise TypeError(f"the {self._plural} contract has no Watch{self._plural} method")
        call, request_type = self._watch
        failures = 0
        while True:
            metadata = await self._tokens.metadata()
            stream = call(request_type(cursor=cursor), metadata=metadata)
            try:
                async for event in stream:
                    failures = 0
                    cursor = event.cursor
                    yield event
                return
            except grpc.aio.AioRpcError as error:
                await before_resuming(error, failures, self._tokens, metadata)
                failures += 1
            finally:
                stream.cancel()

    async def import_file(
        self,
        path: str | Path,
        on_progress: Callable[[operation_pb.Operation], object] | None = None,
    ) -> operation_pb.Operation:
        """Import a .csv or .json file as a long-running operation; the finished operation.

        `on_progress` gets the operation at each change (rows_done of
        rows_total, row_errors). The import goes on on the server if this
        call is abandoned: find it again with `jane.operations.list()`.
        Starting it is retried while the server is UNAVAILABLE, with one
        request_id: the file is imported once, whatever the retries.
        """
        if self._import is None:
            raise TypeError(f"the {self._plural} contract has no Import{self._plural} method")
        path = Path(path)
        formats = {".csv": operation_pb.IMPORT_FORMAT_CSV, ".json": operation_pb.IMPORT_FORMAT_JSON}
        if path.suffix.lower() not in formats:
            raise ValueError(f"{path.name}: import .csv or .json files")
        call, request_type = self._import
        request = request_type(
            document=path.read_bytes(),
            format=formats[path.suffix.lower()],
            request_id=str(uuid.uuid4()),  # so a retry never imports the file twice
        )
        failures = 0
        while True:
            try:
                started: operation_pb.Operation = (
                    await self._tokens.call(call, request, self._timeout)
                ).operation
                break
            except grpc.aio.AioRpcError as error:  # the server went away: again, same request_id
                if error.code() != grpc.StatusCode.UNAVAILABLE or failures >= len(RESUMES):
                    raise
                await asyncio.sleep(RESUMES[failures])
                failures += 1
        latest = started
        async for latest in self._operations.watch(started.name):
            if on_progress is not None:
                on_progress(latest)
        return latest

    async def _call(self, verb: str, **request: Any) -> Any:
        call, request_type = self._calls[verb]
        return await self._tokens.call(call, request_type(**request), self._timeout)


def _callable(
    channel: grpc.aio.Channel,
    service: ServiceDescriptor,
    method: MethodDescriptor,
    *,
    stream: bool = False,
) -> tuple[Any, type[Any]]:
    request = message_factory.GetMessageClass(method.input_type)
    response = message_factory.GetMessageClass(method.output_type)
    call = (channel.unary_stream if stream else channel.unary_unary)(
        f"/{service.full_name}/{method.name}",
        request_serializer=request.SerializeToString,
        response_deserializer=response.FromString,
    )
    return call, request
