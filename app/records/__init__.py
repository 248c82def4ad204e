"""Every record type, declared once.

A record type is one module in this package: its model, its screen, its API and a
`RecordType` that says how it is named, where it sits in the menu and who may do what
with it. The menu, the REST registration, the role table (app.security.roles), the
audit trail's names, the counts people read and the row-level security helper
(app.tenancy.rls) all read these declarations; the modules are found, not listed.
`network.py` declares the types the service started with, whose classes live in
app/models.py, app/views and app/api. docs/tenancy.md says how to add one.
"""
from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import Callable

from flask_babel import lazy_gettext as _l

# The menu's categories, in the order they are shown: FAB's name -> the label people read.
CATEGORIES = {"Network": _l("Network"), "Work": _l("Work")}


@dataclass(frozen=True)
class RecordType:
    name: str  # its table, its REST resource and its key in the role table
    view: type  # the screen (app.views.base.RecordView)
    api: type | None  # the REST API (app.api.base.RecordApi), if it has one
    menu: str  # FAB's name of its menu item (the permission "menu_access" on it)
    menu_label: str  # the menu item as people read it
    label: str  # one record, as the audit trail names it
    icon: str
    grants: dict[str, str]  # role -> what it may do: r(ead), a(dd), e(dit), d(elete)
    count: Callable[[int], str] | None = None  # "3 клуба": ngettext of its plural forms
    fields: dict[str, tuple[str, ...]] = field(default_factory=dict)  # role -> the only fields it may change
    frozen: dict[str, str] = field(default_factory=dict)  # role -> a field that, once set, freezes the record
    labels: dict[str, str] = field(default_factory=dict)  # its own field labels, beside app.views.base.LABELS
    # Adds its demo records (app.demo): called with the demo's tenants by code and its
    # libraries by (tenant code, name); adds only what is missing.
    demo: Callable[[dict, dict], None] | None = None
    # The record types whose card lists these records; "staff.attendees": through that
    # relation, where the records have more than one to the card's type.
    listed_on: tuple[str, ...] = ()
    # Report screens over these records (flask_appbuilder BaseViews naming their `menu`,
    # `menu_label` and `icon`, serving `report`, with the permission can_show): in the menu
    # beside the records, for whoever may read them.
    reports: tuple[type, ...] = ()
    # The fields that tell one record from another in a spreadsheet (app/imports): a row
    # with the same values updates that record. None: the type is not imported.
    natural_key: tuple[str, ...] = ()
    # How its rows are imported where they are no plain records (accounts): a subclass of
    # app.imports.kinds.Records. None: as records, by the natural key.
    importer: type | None = None
    category: str = "Network"
    order: int = 100  # its place in its menu category

    @property
    def model(self):
        return getattr(self.view, "model", None)

    @property
    def table(self) -> str:
        return self.model.__tablename__ if self.model is not None else self.name


_DECLARED: dict[str, RecordType] = {}
_ORDERED: dict[str, RecordType] = {}  # what record_types() answers, once all are loaded
_LOADED = False


def declare(record_type: RecordType) -> RecordType:
    """Add a record type (called once, by its module)."""
    if record_type.name in _DECLARED and _DECLARED[record_type.name] != record_type:
        raise ValueError(f"record type {record_type.name!r} is declared twice")
    # Its screen's labels, which its API and its audit trail read too: beside the shared
    # ones, not into them (an activity's "result" is not a contest entry's).
    view = record_type.view
    view.label_columns = {**record_type.labels, **(view.__dict__.get("label_columns") or {})}
    _DECLARED[record_type.name] = record_type
    _ORDERED.clear()
    return record_type


def record_types() -> dict[str, RecordType]:
    """name -> RecordType, in menu order; the package's modules are imported on first use
    (not at import: they import the views, which need this package's names first)."""
    global _LOADED
    if not _LOADED:
        _LOADED = True
        for module in pkgutil.iter_modules(__path__):
            importlib.import_module(f"{__name__}.{module.name}")
    if not _ORDERED:
        ordered = sorted(_DECLARED.values(), key=lambda t: (list(CATEGORIES).index(t.category), t.order))
        _ORDERED.update((t.name, t) for t in ordered)
    return _ORDERED
