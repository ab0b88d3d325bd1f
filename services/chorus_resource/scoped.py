"""Columns every tenant-scoped resource has, and the indexes that serve them."""

from datetime import datetime
from typing import Any

from sqlalchemy import Column, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column
from sqlalchemy.types import TypeDecorator

from chorus_core.sqltypes import UTCDateTime


class TenantScoped:
    """Mixin of a tenant-owned resource: id, tenant, creator, times, request id.

    `TenantStore` sets all of these; resource code only sets its own fields.
    """

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(36))
    created_by: Mapped[str] = mapped_column(String(36))
    """User id of the creator (songs belong to the tenant, not to a person)."""
    create_time: Mapped[datetime] = mapped_column(UTCDateTime())
    update_time: Mapped[datetime] = mapped_column(UTCDateTime())
    request_id: Mapped[str | None] = mapped_column(String, nullable=True)
    """Idempotency key of the create call, unique per tenant."""

    @declared_attr.directive
    @classmethod
    def __table_args__(cls) -> tuple[object, ...]:
        table = cls.__tablename__  # type: ignore[attr-defined]
        return (
            # Every query filters on tenant_id; listing pages by (create_time, id).
            Index(f"ix_{table}_tenant_page", "tenant_id", "create_time", "id"),
            UniqueConstraint("tenant_id", "request_id", name=f"uq_{table}_tenant_request"),
        )


def python_kind(column: Column[Any]) -> type:
    """The Python type of a column's values (through type decorators such as UTCDateTime)."""
    column_type = column.type
    if isinstance(column_type, TypeDecorator):
        column_type = column_type.impl_instance
    kind: type = column_type.python_type
    return kind
