"""The resource database: tenant-scoped resources, starting with songs."""

from sqlalchemy import Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from chorus_core.sqltypes import service_metadata
from chorus_resource.scoped import TenantScoped


class Base(DeclarativeBase):
    metadata = service_metadata()


class Song(TenantScoped, Base):
    __tablename__ = "songs"

    name: Mapped[str] = mapped_column(String(200))
    artist: Mapped[str] = mapped_column(String(200))
    year: Mapped[int | None] = mapped_column(Integer, nullable=True)
