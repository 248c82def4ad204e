"""Scope: the tenants a user sees and the rows a user may change.

A user is attached to one node: a region, a district or a library. They see that
node's subtree; the contests of the tenants above them are readable too (a district
enters its region's contests). Branch staff change only rows of their own library.
A visitor of a tenant's public pages reads that tenant's subtree, no staff, and changes
nothing (`visitor_scope`).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import ARRAY, Integer, any_, bindparam, false, or_, select


def concerned_links(cls) -> tuple[tuple[str, str], ...]:
    """(link table, its column of the concerned tenant) for each link through which a row of
    `cls` of a tenant above is read by the tenants it concerns (`__readable_where_concerned__`):
    an activity by the districts whose libraries it was for, and by those whose staff attended."""
    return tuple(getattr(cls, "__readable_where_concerned__", None) or ())


@dataclass(frozen=True)
class Scope:
    visible: frozenset[int] | None  # tenant ids of the subtree; None = every tenant
    ancestors: frozenset[int] = frozenset()  # tenants above the node: their contests are readable
    node_id: int | None = None  # the tenant the user is attached to
    library_id: int | None = None  # branch staff: their own library
    # Record types the user's role may change only in part (table -> fields), and
    # those it may no longer change once a field is set (table -> column).
    fields: dict = field(default_factory=dict, hash=False)
    frozen: dict = field(default_factory=dict, hash=False)
    # A visitor of the public pages: every write is refused, and records private to a
    # library (staff) are read by no one in this scope, whatever their tenant.
    read_only: bool = False

    def editable(self, cls) -> frozenset[str] | None:
        """The fields of `cls` the user may set, or None for all of them."""
        return self.fields.get(cls.__tablename__)

    @property
    def unrestricted(self) -> bool:
        return self.visible is None

    def readable(self, cls) -> frozenset[int] | None:
        """Tenant ids whose rows of `cls` are readable (None = all)."""
        if self.visible is None:
            return None
        if self.read_only and getattr(cls, "__private_to_library__", False):
            return frozenset()
        if getattr(cls, "__readable_from_ancestors__", False):
            return self.visible | self.ancestors
        return self.visible

    def read_clause(self, cls, *, as_array: bool = False):
        """The SQL condition a row of `cls` must meet to be seen in this scope. With
        `as_array` (PostgreSQL), the tenant ids are one array parameter, not one each:
        a region's thirty-one ids cost a statement less to build and to plan."""
        ids = self.readable(cls)
        if ids is None:
            return None
        if not ids:
            return false()
        column = getattr(cls, cls.__tenant_keys__[0])

        def among(col, tenant_ids):
            return col == any_(bindparam(None, sorted(tenant_ids), type_=ARRAY(Integer))) if as_array \
                else col.in_(sorted(tenant_ids))

        clause = among(column, ids)
        if self.library_id and getattr(cls, "__private_to_library__", False):
            clause = clause & (cls.library_id == self.library_id)
        links = concerned_links(cls)
        if links and self.ancestors and self.visible:
            # A row of a tenant above, about a library (or staff) of the user's own subtree.
            seen = []
            for table, concerned in links:
                link = cls.metadata.tables[table].alias(f"{table}_seen")  # apart from a join of the query's own
                seen.append(select(1).where(
                    link.c.record_id == cls.id, link.c.tenant_id == column,
                    among(link.c[concerned], self.visible)).correlate_except(link).exists())
            clause = clause | (among(column, self.ancestors) & or_(*seen))
        return clause

    def write_clause(self, cls):
        """The SQL condition for rows of `cls` a user may write, or place a row in."""
        if self.visible is None:
            return None
        if self.read_only:
            return false()
        tenant_key, library_key = cls.__tenant_keys__
        clause = getattr(cls, tenant_key).in_(sorted(self.visible))
        if self.library_id is not None:
            if library_key is None:
                return false()
            clause = clause & (getattr(cls, library_key) == self.library_id)
        return clause

    def can_write(self, cls, tenant_id: int | None, library_id: int | None) -> bool:
        """May a row of `cls` with these keys be written in this scope?"""
        if self.visible is None:
            return True
        if self.read_only:
            return False
        if self.library_id is not None and library_id != self.library_id:
            return False
        if cls.__tenant_keys__[0] == "id":  # the tenant table: a user edits their own node
            return tenant_id == self.node_id
        return tenant_id in self.visible


EVERYTHING = Scope(visible=None)
NOTHING = Scope(visible=frozenset())


def scope_for(session, user) -> Scope:
    """The scope of `user` (None or anonymous: nothing). Admins see everything.

    The user's node, its parent and its children come loaded with the user, in the same
    query (SecurityManager.get_user_by_id); read otherwise, they load here.
    """
    from app.security.roles import field_rules

    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOTHING
    if any(role.name == "Admin" for role in user.roles):
        return EVERYTHING
    library_id = getattr(user, "library_id", None)
    node = user.library.tenant if library_id is not None else user.tenant
    if node is None:
        return NOTHING
    fields, frozen = field_rules([role.name for role in user.roles])
    ancestors, parent = set(), node.parent
    while parent is not None and parent.id not in ancestors:
        ancestors.add(parent.id)
        parent = parent.parent
    if library_id is not None:  # branch staff see their district, write their library
        return Scope(frozenset({node.id}), frozenset(ancestors), node.id, library_id, fields, frozen)
    tree = {node.id, *(child.id for child in node.children)}
    return Scope(frozenset(tree), frozenset(ancestors), node.id, None, fields, frozen)


def visitor_scope(session, code: str) -> Scope | None:
    """The scope of a visitor of the public pages of the tenant with this code: the tenant
    and, for a region, those of its districts that publish theirs too, read-only. None when
    no tenant of that code publishes its pages: an unknown code and pages switched off are
    one answer.

    Reads the tenant table with everything in view (app.tenancy.session.as_visitor), by
    columns only: no row loaded here stays in the session for the visitor's reads."""
    from sqlalchemy import select

    from app.models import Tenant

    found = session.scalar(select(Tenant.id).where(Tenant.code == code, Tenant.public_pages.is_(True)))
    if found is None:
        return None
    districts = session.scalars(select(Tenant.id).where(Tenant.parent_id == found,
                                                        Tenant.public_pages.is_(True)))
    return Scope(frozenset({found, *districts}), node_id=found, read_only=True)
