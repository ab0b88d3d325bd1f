"""The declaration of a resource: everything the generic layer needs to serve it.

A resource is its contract (a `…Service` with Create/Get/List/Update/Delete
of one message, field rules as `buf.validate` annotations) plus this
declaration: the table that stores it and which fields clients may change,
sort and filter on. Names of messages and fields come from the contract:

    SONGS = Resource(
        Song,
        song_pb.DESCRIPTOR.services_by_name["SongService"],
        mutable=("name", "artist", "year"),
        sortable=("name", "artist", "year", "create_time", "update_time"),
        filterable=("name", "artist", "year", "create_time", "update_time"),
    )

Every sortable field gets an index that starts with the tenant (added to the
model's table here, so Alembic's autogenerate writes it).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from google.protobuf.descriptor import (
    Descriptor,
    MethodDescriptor,
    ServiceDescriptor,
)
from sqlalchemy import Column, ColumnElement, ForeignKey, Index, Integer, String, Table

from chorus_resource import sql_message
from chorus_resource.scoped import TenantScoped

OUTPUT_ONLY = frozenset({"id", "create_time", "update_time", "created_by"})
"""Fields every resource message has and only the server sets."""


@dataclass(frozen=True)
class References:
    """A repeated field of ids naming items of another resource in the same tenant, in order.

    The generic layer keeps them in a child table it declares itself,
    `<singular>_<field>` (e.g. `playlist_song_ids`: playlist_id, position,
    tenant_id, song_id). Ids are checked in the caller's tenant when written;
    the child table's foreign keys remove the rows of a deleted target in the
    same transaction as the delete (ON DELETE CASCADE).
    """

    target: type[Any]
    """The model of the referenced resource (e.g. Song)."""

    def child_table(self, owner: Table, owner_name: str, field: str) -> Table:
        """The child table of `owner`'s `field` (declared once, in the owner's metadata)."""
        name = f"{owner_name}_{field}"
        if name in owner.metadata.tables:
            return owner.metadata.tables[name]
        target = _table_of(self.target)
        return Table(
            name,
            owner.metadata,
            Column(
                self.owner_column(owner_name),
                String(36),
                ForeignKey(owner.c.id, ondelete="CASCADE"),
                primary_key=True,
            ),
            Column("position", Integer, primary_key=True),
            Column("tenant_id", String(36), nullable=False),
            Column(
                self.target_column,
                String(36),
                ForeignKey(target.c.id, ondelete="CASCADE"),
                nullable=False,
                index=True,
            ),
        )

    @staticmethod
    def owner_column(owner_name: str) -> str:
        return f"{owner_name}_id"

    @property
    def target_column(self) -> str:
        return f"{self.target.__name__.lower()}_id"


@dataclass(frozen=True)
class Resource:
    model: type[TenantScoped]
    service: ServiceDescriptor
    mutable: tuple[str, ...]
    sortable: tuple[str, ...] = ("create_time", "update_time")
    filterable: tuple[str, ...] = ("create_time", "update_time")
    references: Mapping[str, References] = field(default_factory=dict)

    def __post_init__(self) -> None:
        fields = self.message.fields_by_name
        for group, names in (
            ("mutable", self.mutable),
            ("sortable", self.sortable),
            ("filterable", self.filterable),
        ):
            for name in names:
                if name not in fields:
                    raise ValueError(
                        f"{self.singular}: {group} field {name!r} is not in the message"
                    )
                if name not in self.references and name not in self.table.c:
                    raise ValueError(f"{self.singular}: {group} field {name!r} has no column")
        for name, refs in self.references.items():
            if not fields[name].is_repeated:
                raise ValueError(f"{self.singular}: reference field {name!r} must be repeated")
            refs.child_table(self.table, self.singular.lower(), name)
        leading = {tuple(c.name for c in index.columns)[:2] for index in self.table.indexes}
        for name in self.sortable:
            if name not in self.references and ("tenant_id", name) not in leading:
                table = self.table
                Index(
                    f"ix_{table.name}_tenant_{name}", table.c.tenant_id, table.c[name], table.c.id
                )

    @cached_property
    def table(self) -> Table:
        return _table_of(self.model)

    @cached_property
    def singular(self) -> str:
        """The message name, as in CreateSong: "Song"."""
        creates = [name for name in self.service.methods_by_name if name.startswith("Create")]
        if len(creates) != 1:
            raise ValueError(f"{self.service.full_name} needs exactly one Create… method")
        return creates[0].removeprefix("Create")

    @cached_property
    def message(self) -> Descriptor:
        """The resource message: the field of CreateXRequest of type X."""
        request = self.method("Create").input_type
        for candidate in request.fields:
            if candidate.message_type is not None and candidate.message_type.name == self.singular:
                return candidate.message_type
        raise ValueError(f"{request.full_name} has no field of type {self.singular}")

    @cached_property
    def plural(self) -> str:
        """As in ListSongs: "Songs" (the List method whose response holds the messages)."""
        for name, method in self.service.methods_by_name.items():
            if name.startswith("List") and self._field_of_type(method.output_type, repeated=True):
                return name.removeprefix("List")
        raise ValueError(f"{self.service.full_name} has no List… method of {self.singular}")

    @cached_property
    def field_name(self) -> str:
        """The resource field of requests and responses: "song"."""
        return self._field_of_type(self.method("Create").input_type, repeated=False)

    @cached_property
    def list_field_name(self) -> str:
        """The repeated field of the List response: "songs"."""
        return self._field_of_type(self.method("List").output_type, repeated=True)

    @cached_property
    def columns(self) -> tuple[Column[Any], ...]:
        """Columns of the fields the message carries, references aside."""
        return tuple(
            self.table.c[f.name]
            for f in self.message.fields
            if f.name not in self.references and f.name in self.table.c
        )

    @cached_property
    def encoded_in_sql(self) -> ColumnElement[bytes] | None:
        """PostgreSQL's serialization of an item from its table's columns (`sql_message`), or
        None if the message has a field type it cannot write."""
        return sql_message.encoded(self.message, self.table)

    def child_table(self, field: str) -> Table:
        """The table holding a reference field's ids (see `References`)."""
        return self.references[field].child_table(self.table, self.singular.lower(), field)

    @property
    def importable(self) -> bool:
        """Whether the contract has an Import… method (ImportSongs): long-running imports."""
        return f"Import{self.plural}" in self.service.methods_by_name

    @property
    def watchable(self) -> bool:
        """Whether the contract has a Watch… method (WatchSongs): a change feed."""
        return f"Watch{self.plural}" in self.service.methods_by_name

    def method(self, verb: str) -> MethodDescriptor:
        """The method of a standard verb: method("Get") is GetSong, method("List") ListSongs,
        method("Watch") WatchSongs."""
        name = f"{verb}{self.plural if verb in ('List', 'Watch', 'Import') else self.singular}"
        method = self.service.methods_by_name.get(name)
        if method is None:
            raise ValueError(f"{self.service.full_name} has no method {name}")
        return method

    def _field_of_type(self, message: Descriptor, *, repeated: bool) -> str:
        for candidate in message.fields:
            is_repeated = candidate.is_repeated
            if candidate.message_type is self.message and is_repeated == repeated:
                return candidate.name
        return ""


def _table_of(model: type[Any] | Table) -> Table:
    table = model if isinstance(model, Table) else getattr(model, "__table__", None)
    if not isinstance(table, Table):
        raise TypeError(f"{model!r} is not a table or a mapped class")
    return table
