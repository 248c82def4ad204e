"""User accounts from a spreadsheet: a Director's staff list becomes accounts of her
subtree, with the rules of her account screen (app/security/users.py).

A row is matched to an account by its user name, whatever its case (sign-in ignores it).
A name that an account outside the Director's subtree holds is "taken", as the account
screen says it: nothing more about that account. Roles go up to Director; branch staff
are attached to a library of the subtree, the others to its region or district.

Passwords are never imported (a column of them is refused): every account the import
creates gets a random initial password, shown once, after the import is written, on
the page (or in the answer) that confirms it, and kept nowhere in clear: not in the
database, the audit trail (which hides every password), a log or the session.
"""
from __future__ import annotations

import datetime
import secrets

from flask import current_app
from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from app.api.imports import AccountImportApi
from app.choices import Choice
from app.extensions import db
from app.models import Library, Tenant
from app.security.models import Account, account_key
from app.security.passwords import password_problem
from app.security.roles import ADMIN, LABELS
from app.security.users import ASSIGNABLE, node_problems, taken
from app.tenancy.session import current_scope

from .fields import Bad, Field, LOCALES, normal
from .kinds import Records, headings_of

# The roles a Director gives, as the template lists them and a cell names them (a label in
# any language, or the stored name).
GivenRole = Choice("GivenRole", [(name, LABELS[name]) for name in ASSIGNABLE])
# A Director never gives these: a row naming one is refused with its own reason.
ABOVE = (ADMIN,)
PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/l/I


def initial_password(username: str) -> str:
    """Fourteen characters in three groups (read aloud or typed from a printout), within the policy."""
    while True:
        groups = ["".join(secrets.choice(PASSWORD_ALPHABET) for _n in range(4)) for _g in range(3)]
        password = "-".join(groups)
        if password_problem(password, username) is None:
            return password


class Accounts(Records):
    """The accounts of the user's subtree, as the Director's account screen keeps them."""

    model = Account
    api = AccountImportApi  # the accounts' own API is Admin's
    COLUMNS = ("username", "first_name", "last_name", "email", "roles", "tenant", "library", "active")
    LABELS = {"roles": _l("Role")}  # one a row

    def __init__(self, record_type, *, dry_run: bool = True):
        super().__init__(record_type, dry_run=dry_run)
        self.scope = current_scope(db.session)
        self.emails: dict[str, str] = {}  # e-mail key -> user name, in the file so far
        self.passwords: dict[str, str] = {}  # user name -> initial password, of the accounts created

    def columns(self) -> list[Field]:
        return [
            Field("username", "text", True), Field("first_name", "text", True),
            Field("last_name", "text", True), Field("email", "text", True),
            Field("roles", "choice", True, choices=GivenRole),
            Field("tenant", "one", False, target=Tenant), Field("library", "one", False, target=Library),
            Field("active", "bool", False),
        ]

    def label(self, f: Field) -> str:
        return str(self.LABELS.get(f.name) or self.view.label_columns.get(f.name, f.name))

    def description(self, f: Field) -> str:
        return {
            "username": _("Unique whatever its case; the user signs in with it."),
            "roles": _("Up to Director; branch staff work in a library."),
            "tenant": _("The region or district the user works for; left out for branch staff."),
            "library": _("Branch staff only: the library they work in."),
            "active": _("A disabled account cannot sign in."),
        }.get(f.name, "")

    def refused_headings(self) -> dict[str, str]:
        why = _("Passwords are not imported: every new account gets an initial password, shown once "
                "after the import. This column is left out.")
        return dict.fromkeys(headings_of(["Password", "Confirm password", "password", "conf_password"]), why)

    def defaults(self) -> dict:
        node = self.scope.node_id
        return {"tenant": db.session.get(Tenant, node)} if node is not None else {}

    def convert(self, f: Field, value, *, within: dict | None = None):
        if f.name == "roles":
            if value is not None and normal(value) in _above():
                raise Bad(_("This role is above Director: a Director does not give it. Choose one of: "
                            "%(choices)s.", choices="; ".join(str(m) for m in GivenRole)))
            member = super().convert(f, value)
            return [current_app.appbuilder.sm.find_role(member.name)] if member is not None else []
        return super().convert(f, value)

    def cell_problems(self, values: dict) -> dict[str, str]:
        from app.validation import problems

        return problems(Account, values)

    def existing(self):
        return self

    def key(self, values: dict) -> tuple:
        return (account_key(values.get("username")),)

    # -- matching: the accounts the user manages, by user name -------------------------

    def find(self, values: dict):
        found = db.session.scalar(select(Account).where(Account.username_key == account_key(values["username"])))
        if found is None:
            return None
        if self._manages(found):
            return found
        # Another subtree's account, or one above Director: said as the account screen says it.
        raise Bad(taken(values["username"])["username"], field="username")

    def _manages(self, account) -> bool:
        if any(role.name not in ASSIGNABLE for role in account.roles):
            return False
        return self.scope.unrestricted or account.tenant_id in self.scope.visible

    def add(self, item) -> None:
        """(The file's rows are matched against the database: a new account is flushed in time.)"""

    def differs(self, item, name: str, value) -> bool:
        if name == "roles":
            return sorted(r.id for r in item.roles) != sorted(r.id for r in value)
        if name in ("tenant", "library"):
            return getattr(item, f"{name}_id") != getattr(value, "id", None)
        return getattr(item, name) != value

    def changes(self, item, values: dict, existing) -> dict:
        values = self._placed(values)
        if values.get("library") is None and "tenant" not in self.given:
            values.pop("tenant", None)  # the user's own node is a new account's default, no move
        # The user name is the key: its case stays as the account has it.
        return {k: v for k, v in values.items() if k != "username" and self.differs(item, k, v)}

    @staticmethod
    def _placed(values: dict) -> dict:
        values = dict(values)
        if values.get("active") is None:
            values.pop("active", None)  # an empty cell keeps the account as it is
        if values.get("library") is not None:  # branch staff work for their library's district
            values["tenant"] = values["library"].tenant
        return values

    def new(self, values: dict):
        values = self._placed(values)
        return Account(active=values.pop("active", True), **values)

    def refusals(self, session, item, values: dict) -> dict[str, str]:
        from app.validation import problems

        found = problems(Account, {k: getattr(item, k, None) for k in self.COLUMNS}, item.id)
        found.update(node_problems(item.roles, item.tenant, item.library))
        for name in ("tenant", "library"):
            place = getattr(item, name)
            tenant_id = place.id if name == "tenant" else getattr(place, "tenant_id", None)
            if place is not None and not self.scope.unrestricted and tenant_id not in self.scope.visible:
                found.setdefault(name, _("Accounts are attached only to your organisation, the "
                                         "organisations below it and their libraries."))
        found.update({k: v for k, v in taken(email=item.email, pk=item.id).items() if k == "email"})
        key = account_key(item.email)
        if "email" not in found and key in self.emails and self.emails[key] != item.username:
            found["email"] = _("The same e-mail address as the account %(name)s in this file.",
                               name=self.emails[key])
        if not found and key is not None:
            self.emails[key] = item.username
        return found

    def created(self, item) -> None:
        if self.dry_run:
            return  # a preview hashes nothing: a password is made only for an account that will be saved
        password = initial_password(item.username)
        config = current_app.config
        item.password = generate_password_hash(
            password, method=config.get("FAB_PASSWORD_HASH_METHOD", "scrypt"),
            salt_length=config.get("FAB_PASSWORD_HASH_SALT_LENGTH", 16))
        self.passwords[item.username] = password

    def shown_once(self) -> dict | None:
        return dict(self.passwords)

    # -- the template ---------------------------------------------------------------

    def options(self, f: Field) -> list[str] | None:
        """Places from the user's subtree: those the account screen offers."""
        if f.name not in ("tenant", "library"):
            return None
        from app.views.relations import choices_query

        from .template import MAX_LISTED

        rows = db.session.scalars(choices_query(Account, f.name, for_form=True).limit(MAX_LISTED + 1)).all()
        return list(dict.fromkeys(str(row) for row in rows)) if len(rows) <= MAX_LISTED else []

    def guide(self) -> list[str]:
        return [_("Passwords are not imported: every new account gets an initial password, shown once "
                  "after the import. Hand each one to its user in person.")]

    # -- undoing ----------------------------------------------------------------------

    def untouched(self, item, entry, summary) -> bool:
        """An account signed in with since the import (or given another password) stays."""
        if entry.action.name == "insert":
            return item.last_login is None and not item.session_epoch
        if item.last_login is None:
            return True
        # FAB writes the login's moment in the server's local time; the trail, in UTC.
        at = summary.at.replace(tzinfo=datetime.UTC).astimezone().replace(tzinfo=None)
        return item.last_login < at


def _above() -> set[str]:
    """A role above Director, as a cell may name it: in any language, or as stored."""
    from app.i18n import speaking

    names = set()
    for name in ABOVE:
        names.add(normal(name))
        for locale in LOCALES:
            with speaking(locale):
                names.add(normal(str(LABELS[name])))
    return names
