"""Column mixins that mark a mapped class as tenant data.

Many-to-one relations load when first read: a list joins the ones it shows into its
own query (RecordInterface.eager), and a row's tenant is usually in the session
already, loaded with the user (no query at all).

Every tenant-owned row carries its own `tenant_id` (DESIGN.md): filters, indexes and
row-level security policies stay uniform, and the schema is ready to be distributed
by `tenant_id`.
"""
from sqlalchemy import Column, ForeignKey, ForeignKeyConstraint, Index, Integer
from sqlalchemy.orm import declared_attr, relationship


class Versioned:
    """A record that counts its saves. An edit started from an older version is refused
    instead of silently overwriting a change made meanwhile (optimistic locking: every
    UPDATE names the version it read, and a row saved meanwhile no longer matches)."""

    @declared_attr
    def version(cls):
        return Column(Integer, nullable=False, server_default="1")

    __mapper_args__ = {"version_id_col": version}


class TenantOwned(Versioned):
    """A row that belongs to one tenant (a region or a district); every such row is
    editable, so every one is versioned."""

    # The columns that place a row: its tenant, and its library where it has one.
    __tenant_keys__ = ("tenant_id", None)

    @declared_attr
    def tenant_id(cls):
        return Column(Integer, ForeignKey("tenant.id", name=f"fk_{cls.__tablename__}_tenant"), nullable=False)

    @declared_attr
    def tenant(cls):
        # Read-only for rows of a library: their tenant follows the library.
        return relationship("Tenant", viewonly=issubclass(cls, LibraryOwned))


class LibraryOwned(TenantOwned):
    """A row of one library. (tenant_id, library_id) references the library, so
    the database itself keeps a row in its library's tenant."""

    __tenant_keys__ = ("tenant_id", "library_id")
    __table_extra__: tuple = ()

    @declared_attr
    def library_id(cls):
        return Column(Integer, nullable=False)

    @declared_attr
    def library(cls):
        return relationship("Library", foreign_keys=[cls.tenant_id, cls.library_id])

    @declared_attr.directive
    def __table_args__(cls):
        name = cls.__tablename__
        return (
            ForeignKeyConstraint(
                ["tenant_id", "library_id"], ["library.tenant_id", "library.id"],
                name=f"fk_{name}_library",
            ),
            Index(f"ix_{name}_tenant_library", "tenant_id", "library_id"),
            *cls.__table_extra__,
        )
