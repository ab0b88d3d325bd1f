"""The resource database's tables: the declarative base every resource model uses."""

from sqlalchemy.orm import DeclarativeBase

from chorus_core.sqltypes import service_metadata


class Base(DeclarativeBase):
    metadata = service_metadata()
