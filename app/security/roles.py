"""The roles and what each may do with each record type: the one table FAB permissions,
menus, buttons, field rules and the isolation tests are generated from. Each record
type's row of it is declared with the type (app/records).

Where a role may act is the tenancy scope (app.tenancy): the node a user is attached
to, so a Director attached to a region is the regional director.
"""
import functools

from flask_babel import lazy_gettext as _l

ADMIN = "Admin"
PUBLIC = "Public"  # the visitor who is not signed in (AUTH_ROLE_PUBLIC)
DIRECTOR = "Director"
METHODOLOGIST = "Methodologist"
BRANCH = "Branch staff"
VIEWER = "Viewer"

# What each role may do with each record type (r = read, a = add, e = edit, d = delete),
# which fields it may change where it may change only some, and which records freeze for
# it once a field is set: declared with each record type (app/records), read here.


def records() -> dict:
    """Record type -> (its view's class name, its API's class name or None): the API that
    serves only its import, where it has no other (the accounts')."""
    from app.imports.kinds import import_api
    from app.records import record_types

    out = {}
    for name, t in record_types().items():
        api = t.api or import_api(t)
        out[name] = (t.view.__name__, api.__name__ if api is not None else None)
    return out


def _by_role(rule: str) -> dict[str, dict]:
    """role -> {record type: its value of `rule`}, from each declaration's role -> value."""
    from app.records import record_types

    out = {}
    for name, t in record_types().items():
        for role, value in getattr(t, rule).items():
            out.setdefault(role, {})[name] = value
    return out


@functools.cache
def grants() -> dict[str, dict[str, str]]:
    """role -> {record type: actions}"""
    return _by_role("grants")


@functools.cache
def fields_rules() -> dict[str, dict[str, tuple]]:
    """role -> {record type: the only fields it may change}"""
    return _by_role("fields")


@functools.cache
def frozen_rules() -> dict[str, dict[str, str]]:
    """role -> {record type: the field that, once set, freezes the record}"""
    return _by_role("frozen")


ROLES = (ADMIN, DIRECTOR, METHODOLOGIST, BRANCH, VIEWER)
# Role names are stored in English; people read them in their language.
LABELS = {ADMIN: _l("Administrator"), DIRECTOR: _l("Director"),
          METHODOLOGIST: _l("Methodologist"), BRANCH: _l("Branch staff"), VIEWER: _l("Viewer")}

VIEW_PERMISSIONS = {"r": ("can_list", "can_show"), "a": ("can_add", "can_import"), "e": ("can_edit",),
                    "d": ("can_delete",)}
API_PERMISSIONS = {"r": ("can_get", "can_info"), "a": ("can_post", "can_import"), "e": ("can_put",),
                   "d": ("can_delete",)}
# Every signed-in user: their own profile, password and language.
COMMON = [
    ("UserInfoEditView", "can_this_form_get"), ("UserInfoEditView", "can_this_form_post"),
    ("ResetMyPasswordView", "can_this_form_get"), ("ResetMyPasswordView", "can_this_form_post"),
    ("UserDBModelView", "can_userinfo"), ("UserDBModelView", "resetmypassword"),
    ("UserDBModelView", "userinfoedit"),
    ("OpenApi", "can_get"), ("SwaggerView", "can_show"),
    # The dashboard and passport of their scope: counts only, so Viewers too (app/reports).
    ("Dashboard", "can_show"), ("Dashboard", "menu_access"),
]


def may(role: str, record: str, action: str) -> bool:
    """May `role` do `action` (r, a, e, d) on `record`?"""
    return role == ADMIN or action in grants().get(role, {}).get(record, "")


def field_rules(roles: list[str]) -> tuple[dict, dict]:
    """(fields, frozen) for a user with these roles, record type -> rule; the widest
    role wins: a record any of the roles may edit freely is not restricted."""
    fields, frozen = {}, {}
    some, freezing = fields_rules(), frozen_rules()
    for record in records():
        editors = [r for r in roles if may(r, record, "e") or may(r, record, "a")]
        if editors and all(record in some.get(r, {}) for r in editors):
            fields[record] = frozenset(f for r in editors for f in some[r][record])
        if editors and all(record in freezing.get(r, {}) for r in editors):
            frozen[record] = freezing[editors[0]][record]
    return fields, frozen


def fab_roles() -> dict[str, list[tuple[str, str]]]:
    """FAB_ROLES: each role's (view, permission) pairs, generated from GRANTS."""
    # Admin is built in too: its checks run in memory, not as a query per menu item. So is
    # Public, the visitor who is not signed in: it may open nothing but the login page.
    roles = {ADMIN: [(".*", ".*")], PUBLIC: []}
    from app.imports.kinds import import_api
    from app.records import record_types

    declared = record_types()
    for role, granted in grants().items():
        pairs = list(COMMON)
        for record, actions in granted.items():
            t = declared[record]
            for action in actions:
                # Importing comes with adding, where the type can be imported (app/imports).
                permitted = [p for p in VIEW_PERMISSIONS[action] if p != "can_import" or t.natural_key]
                pairs += [(t.view.__name__, p) for p in permitted]
                pairs += [(t.api.__name__, p) for p in API_PERMISSIONS[action] if t.api and (
                    p != "can_import" or t.natural_key)]
                if t.api is None and import_api(t) is not None and "can_import" in API_PERMISSIONS[action]:
                    pairs.append((import_api(t).__name__, "can_import"))  # an API that serves the import alone
            pairs.append((t.menu, "menu_access"))
            if "r" in actions:  # its reports read it
                pairs += [pair for report in t.reports
                          for pair in ((report.__name__, "can_show"), (report.menu, "menu_access"))]
            if (t.category, "menu_access") not in pairs:
                pairs.append((t.category, "menu_access"))
        roles[role] = pairs
    return roles
