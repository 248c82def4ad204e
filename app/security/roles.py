"""What each role may do with each record type: the one table FAB permissions,
menus, buttons and the isolation tests are generated from.

Where a role may act is the tenancy scope (app.tenancy): the node a user is attached
to, so a Director attached to a region is the regional director.
"""

from flask_babel import lazy_gettext as _l

ADMIN = "Admin"
PUBLIC = "Public"  # the visitor who is not signed in (AUTH_ROLE_PUBLIC)
DIRECTOR = "Director"
METHODOLOGIST = "Methodologist"
BRANCH = "Branch staff"
VIEWER = "Viewer"

# Record type -> the view and API classes that serve it (app/views, app/api).
RECORDS = {
    "tenant": ("TenantView", "TenantApi"),
    "library": ("LibraryView", "LibraryApi"),
    "staff": ("StaffView", "StaffApi"),
    "club": ("ClubView", "ClubApi"),
    "outreach": ("OutreachView", "OutreachApi"),
    "contest": ("ContestView", "ContestApi"),
    "contest_entry": ("ContestEntryView", "ContestEntryApi"),
    "user": ("AccountView", None),  # a Director's accounts; FAB's own screens are Admin's
    "audit": ("AuditView", None),  # the audit trail: read-only for everyone
}

# r = read, a = add, e = edit, d = delete.
GRANTS = {
    DIRECTOR: {"tenant": "re", "library": "raed", "staff": "raed", "club": "raed",
               "outreach": "raed", "contest": "raed", "contest_entry": "raed", "user": "raed",
               "audit": "r"},
    METHODOLOGIST: {"tenant": "r", "library": "re", "staff": "r", "club": "raed",
                    "outreach": "raed", "contest": "raed", "contest_entry": "raed"},
    BRANCH: {"tenant": "r", "library": "re", "staff": "r", "club": "raed",
             "outreach": "raed", "contest": "r", "contest_entry": "raed"},
    VIEWER: {"tenant": "r", "library": "r", "club": "r", "outreach": "r",
             "contest": "r", "contest_entry": "r"},
}
ROLES = (ADMIN, DIRECTOR, METHODOLOGIST, BRANCH, VIEWER)
# Role names are stored in English; people read them in their language.
LABELS = {ADMIN: _l("Administrator"), DIRECTOR: _l("Director"),
          METHODOLOGIST: _l("Methodologist"), BRANCH: _l("Branch staff"), VIEWER: _l("Viewer")}

# Where a role may change only some fields of a record: the fields it may change.
LIBRARY_CONTACTS = ("address", "phone", "email", "website", "working_hours")
FIELDS = {
    DIRECTOR: {"tenant": ("name", "code", "default_locale", "time_zone")},
    METHODOLOGIST: {"library": (*LIBRARY_CONTACTS, "name", "settlement", "founded_year")},
    BRANCH: {"library": LIBRARY_CONTACTS,
             "contest_entry": ("contest", "library", "nomination", "title", "submitted_on")},
}
# Records a role may no longer change once a field is set: an entry, once judged.
FROZEN = {BRANCH: {"contest_entry": "result"}}

VIEW_PERMISSIONS = {"r": ("can_list", "can_show"), "a": ("can_add",), "e": ("can_edit",),
                    "d": ("can_delete",)}
API_PERMISSIONS = {"r": ("can_get", "can_info"), "a": ("can_post",), "e": ("can_put",),
                   "d": ("can_delete",)}
MENU_ITEMS = {"tenant": "Tenants", "library": "Libraries", "staff": "Staff", "club": "Clubs",
              "outreach": "Outreach", "contest": "Contests", "contest_entry": "Contest entries",
              "user": "Accounts", "audit": "Audit trail"}

# Every signed-in user: their own profile, password and language.
COMMON = [
    ("UserInfoEditView", "can_this_form_get"), ("UserInfoEditView", "can_this_form_post"),
    ("ResetMyPasswordView", "can_this_form_get"), ("ResetMyPasswordView", "can_this_form_post"),
    ("UserDBModelView", "can_userinfo"), ("UserDBModelView", "resetmypassword"),
    ("UserDBModelView", "userinfoedit"), ("Network", "menu_access"),
    ("OpenApi", "can_get"), ("SwaggerView", "can_show"),
    # The dashboard and passport of their scope: counts only, so Viewers too (app/reports).
    ("Dashboard", "can_show"), ("Dashboard", "menu_access"),
]


def may(role: str, record: str, action: str) -> bool:
    """May `role` do `action` (r, a, e, d) on `record`?"""
    return role == ADMIN or action in GRANTS.get(role, {}).get(record, "")


def field_rules(roles: list[str]) -> tuple[dict, dict]:
    """(fields, frozen) for a user with these roles, record type -> rule; the widest
    role wins: a record any of the roles may edit freely is not restricted."""
    fields, frozen = {}, {}
    for record in RECORDS:
        editors = [r for r in roles if may(r, record, "e") or may(r, record, "a")]
        if editors and all(record in FIELDS.get(r, {}) for r in editors):
            fields[record] = frozenset(f for r in editors for f in FIELDS[r][record])
        if editors and all(record in FROZEN.get(r, {}) for r in editors):
            frozen[record] = FROZEN[editors[0]][record]
    return fields, frozen


def fab_roles() -> dict[str, list[tuple[str, str]]]:
    """FAB_ROLES: each role's (view, permission) pairs, generated from GRANTS."""
    # Admin is built in too: its checks run in memory, not as a query per menu item. So is
    # Public, the visitor who is not signed in: it may open nothing but the login page.
    roles = {ADMIN: [(".*", ".*")], PUBLIC: []}
    for role, grants in GRANTS.items():
        pairs = list(COMMON)
        for record, actions in grants.items():
            view, api = RECORDS[record]
            for action in actions:
                pairs += [(view, p) for p in VIEW_PERMISSIONS[action]]
                pairs += [(api, p) for p in API_PERMISSIONS[action] if api]
            pairs.append((MENU_ITEMS[record], "menu_access"))
        roles[role] = pairs
    return roles
