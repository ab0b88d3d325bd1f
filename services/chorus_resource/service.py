"""The gRPC service of any declared resource: Create, Get, List, Update, Delete, and Watch.

Handlers are built from the contract's descriptors, so a resource needs no
servicer class of its own. Requests reach them already checked against the
contract's field rules (`ValidationInterceptor`); what the rules cannot say
(update masks, filters, sort orders, page tokens, references) is checked here.
"""

from collections.abc import Awaitable, Callable
from typing import Any

import grpc
from google.protobuf import message_factory
from google.protobuf.descriptor import Descriptor, MethodDescriptor

from chorus_core import keyset
from chorus_core.contract_rules import rule_violations
from chorus_core.errors import Violations
from chorus_core.server import ServiceRegistration
from chorus_resource.filtering import parse_filter
from chorus_resource.import_runner import Imports
from chorus_resource.messages import MessageCodec, masked_fields
from chorus_resource.operation_service import ResourceImport
from chorus_resource.ordering import parse_order_by
from chorus_resource.resource import Resource
from chorus_resource.store import ListQuery
from chorus_resource.tenant_database import TenantDatabase
from chorus_resource.watch import ResourceWatch
from chorus_resource.watchers import Watchers

Context = grpc.aio.ServicerContext[Any, Any]
Behavior = Callable[[Any, Context], Awaitable[Any]]


class ResourceService:
    def __init__(
        self, resource: Resource, db: TenantDatabase, watchers: Watchers, imports: Imports
    ) -> None:
        self.resource = resource
        self._db = db
        self._watch = ResourceWatch(resource, db, watchers) if resource.watchable else None
        self._import = ResourceImport(resource, db, imports) if resource.importable else None
        self._codec = MessageCodec(resource)
        self._field = resource.field_name
        self._responses = {
            verb: message_factory.GetMessageClass(resource.method(verb).output_type)
            for verb in ("Create", "Get", "List", "Update", "Delete")
        }

    async def create(self, request: Any, context: Context) -> Any:
        async with self._db.creating(self._codec) as store:
            item = await store.create(getattr(request, self._field), request.request_id)
        return self._responses["Create"](**{self._field: item})

    async def get(self, request: Any, context: Context) -> Any:
        async with self._db.read(self._codec) as store:
            item = await store.get(request.id)
        return self._responses["Get"](**{self._field: item})

    async def list(self, request: Any, context: Context) -> Any:
        resource = self.resource
        query = ListQuery(
            size=keyset.page_size(request.page_size),
            filter=parse_filter(request.filter, resource.table, resource.filterable),
            order=parse_order_by(request.order_by, resource.sortable),
            page_token=request.page_token,
        )
        async with self._db.read(self._codec) as store:
            page = await store.find(query)
        return self._responses["List"](
            **{resource.list_field_name: page.items},
            next_page_token=page.next_page_token,
            total_size=page.total_size,
        )

    async def update(self, request: Any, context: Context) -> Any:
        changes = getattr(request, self._field)
        violations = Violations()
        if not changes.id:
            violations.add(
                f"{self._field}.id", f"is required: the id of the {self._field} to change"
            )
        fields = masked_fields(self.resource, changes, request.update_mask, violations)
        # The contract's rules, on the id and on the fields this update changes.
        prefix = f"{self._field}."
        checked = {"id", *fields}
        for violation in rule_violations(changes, prefix):
            if _top_field(violation.field.removeprefix(prefix)) in checked:
                violations.add(violation.field, violation.description)
        violations.raise_if_any()
        async with self._db.updating(self._codec) as store:
            item = await store.update(changes.id, changes, fields)
        return self._responses["Update"](**{self._field: item})

    async def delete(self, request: Any, context: Context) -> Any:
        async with self._db.write(self._codec) as store:
            await store.delete(request.id)
        return self._responses["Delete"]()

    def registration(self) -> ServiceRegistration:
        name = self.resource.service.full_name
        handlers = {
            self.resource.method(verb).name: _handler(self.resource.method(verb), behavior)
            for verb, behavior in (
                ("Create", self.create),
                ("Get", self.get),
                ("List", self.list),
                ("Update", self.update),
                ("Delete", self.delete),
            )
        }
        if self._import is not None:
            method = self.resource.method("Import")
            handlers[method.name] = _handler(method, self._import.start)
        if self._watch is not None:
            watch = self.resource.method("Watch")
            handlers[watch.name] = grpc.unary_stream_rpc_method_handler(
                self._watch.stream,  # aio: an async generator function
                request_deserializer=_message_class(watch.input_type).FromString,
                response_serializer=_message_class(watch.output_type).SerializeToString,
            )

        def add_to_server(_service: object, server: grpc.aio.Server) -> None:
            server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(name, handlers),))
            server.add_registered_method_handlers(name, handlers)

        return ServiceRegistration(name, self, add_to_server)


def _top_field(path: str) -> str:
    """`song_ids` of `song_ids[3]`, `name` of `name`."""
    return path.split(".", 1)[0].split("[", 1)[0]


def _handler(method: MethodDescriptor, behavior: Behavior) -> "grpc.RpcMethodHandler[Any, Any]":
    request = _message_class(method.input_type)
    response = _message_class(method.output_type)
    return grpc.unary_unary_rpc_method_handler(
        behavior,
        request_deserializer=request.FromString,
        response_serializer=response.SerializeToString,
    )


def _message_class(descriptor: Descriptor) -> Any:
    return message_factory.GetMessageClass(descriptor)
