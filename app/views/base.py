"""The base of every record screen: labels, validation and the tenancy that each
record's view inherits, so that a view is a few declarative lines."""
import re
from urllib.parse import urlencode, urlsplit

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import ModelView, action, expose, has_access
from flask_appbuilder.widgets import SearchWidget, ShowWidget
from flask_babel import get_locale, lazy_gettext as _l
from sqlalchemy import Boolean, Enum, String, inspect

from app.dependents import dependents_message
from app.i18n import format_number, format_yes_no, formatters
from app.search import QUICK_SEARCH_LENGTH, QuickSearch
from app.reports.export import Exportable
from app.imports.views import IMPORT_ROUTES, Importable, without_imports
from app.extensions import db
from app.tenancy.session import NotPermitted, assert_writable, current_scope
from .fields import locale_fields
from .relations import choices_response, with_ajax_relations
from app.validation import RecordInterface, is_id, problems
from app.versions import VersionField, form_is_current

FILTER_ARG = re.compile(r"_flt_(\d+)_(\w+)")

LABELS = {
    "name": _l("Name"), "kind": _l("Kind"), "tenant": _l("Organisation"),
    "parent": _l("Region"), "code": _l("Code"), "default_locale": _l("Default language"),
    "library": _l("Library"), "settlement": _l("Settlement"), "address": _l("Address"),
    "phone": _l("Phone"), "email": _l("E-mail"), "website": _l("Website or social page"),
    "working_hours": _l("Working hours"), "founded_year": _l("Founded (year)"),
    "status": _l("Status"), "closed_on": _l("Closed on"), "full_name": _l("Full name"),
    "position": _l("Position"), "education": _l("Education"), "hired_on": _l("Hired on"),
    "birth_year": _l("Birth year"), "employment_rate": _l("Employment rate"),
    "active": _l("Active"), "audience": _l("Audience"), "members": _l("Members"),
    "schedule": _l("Schedule"), "partner": _l("Partner organisation"),
    "description": _l("Description"), "location": _l("Location"), "served": _l("Who is served"),
    "readers_served": _l("Readers served"), "active_since": _l("Active since"),
    "title": _l("Title"), "level": _l("Level"), "year": _l("Year"), "starts_on": _l("Starts on"),
    "ends_on": _l("Ends on"), "nominations": _l("Nominations"), "contest": _l("Contest"),
    "nomination": _l("Nomination"), "submitted_on": _l("Submitted on"), "result": _l("Result"),
    "time_zone": _l("Time zone"), "public_pages": _l("Public pages"),
    "public_address": _l("Address of the public pages"),
    "public_frame_origins": _l("Sites that may show the public pages"),
}


def _not_editable(model) -> set[str]:
    """Form fields of `model` the current user's role may not set."""
    permitted = current_scope(db.session).editable(model)
    if permitted is None:
        return set()
    # The version an edit starts from is no field of the record: it stays as the form sent it.
    return {c for c in inspect(model).attrs.keys() if c not in permitted and c != "version"}


def _keep_what_the_role_may_not_change(form, model):
    """Fields a role may not change are not shown; they keep their stored values."""
    hidden = _not_editable(model) & set(form._fields)
    if hidden:
        pk = request.view_args.get("pk")
        item = db.session.get(model, int(pk)) if pk and str(pk).isdigit() else None
        for name in hidden:
            form[name].data = getattr(item, name) if item is not None else None


def with_rules(form_class, model):
    """A form class that also checks the record rules of app.validation."""

    def validate(form, extra_validators=None):
        _keep_what_the_role_may_not_change(form, model)
        valid = form_class.validate(form, extra_validators)
        values = {name: field.data for name, field in form._fields.items()}
        for name, message in problems(model, values, request.view_args.get("pk")).items():
            if name in form._fields and not form[name].errors:
                form[name].errors = [*form[name].errors, message]
                valid = False
        current = form_is_current(form, model)  # an edit begun before someone else's save
        return valid and current

    # Every screen's dates, decimals, checkboxes and choices (app/views/fields.py).
    return type(form_class.__name__, (form_class,), {"validate": validate, **locale_fields(form_class, model)})


class KnownActionsOnly:
    """An unknown action answers 404, like a missing record, instead of a 500."""

    @expose("/action/<string:name>/<pk>", methods=["GET", "POST"])
    def action(self, name, pk):
        if name not in self.actions:
            abort(404)
        return super().action(name, pk)

    @expose("/action_post", methods=["POST"])
    def action_post(self):
        if request.form.get("action") not in self.actions:
            abort(404)
        return super().action_post()


class RecordShowWidget(ShowWidget):
    template = "libnet/show_widget.html"  # Edit and Delete where the user may


class RecordSearchWidget(SearchWidget):
    """FAB's search panel, each of its empty fields drawn once per form and language: a
    field's HTML (a choice's translated options, a related field's address) depends on
    nothing else, and drawing them all took a tenth of a list page's time. The filters in
    use are filled in by the page's script, from `active_filters`, as in FAB's."""

    _drawn: dict = {}

    def __call__(self, **kwargs):
        form, columns = self.template_args["form"], self.template_args["include_cols"]
        key = (type(form), str(get_locale()), tuple(columns))
        drawn = self._drawn.get(key)
        if drawn is None:
            search = self.filters.get_search_filters()
            drawn = self._drawn[key] = (
                {col: str(form[col].label.text) for col in columns},
                {col: form[col]() for col in columns},
                {col: [str(f.name) for f in search[col]] for col in columns})
        kwargs["label_columns"], kwargs["form_fields"], kwargs["search_filters"] = drawn
        kwargs["active_filters"] = self.filters.get_filters_values_tojson()
        return super(SearchWidget, self).__call__(**kwargs)


class RecordView(Exportable, Importable, KnownActionsOnly, ModelView):
    """A record screen. Subclasses name `datamodel`'s model and their columns."""

    model = None
    show_widget = RecordShowWidget
    search_widget = RecordSearchWidget
    page_size = 25
    text_checked_per_field = True  # app.validation.problems: a NUL is the field's error (app.requests)
    method_permission_name = {"muldelete": "delete", "choices": "list", "export": "list",
                              "import_page": "import", "import_confirm": "import", "import_template": "import",
                              "import_undo": "import", "import_progress": "import"}

    # Card's table -> the relation through which its card lists these records (RecordType.listed_on).
    listed_through: dict[str, str] = {}

    def __init__(self, **kwargs):
        without_imports(self, IMPORT_ROUTES)
        self.datamodel = RecordInterface(self.model)
        self.datamodel.listed_through = self.listed_through
        if hasattr(self.model, "version"):  # the version an edit starts from, in a hidden field
            self.edit_columns = [*self.edit_columns, "version"]
            self.edit_form_extra_fields = {**(self.edit_form_extra_fields or {}), "version": VersionField()}
        self.label_columns = {**LABELS, **(self.label_columns or {})}
        self.formatters_columns = {**formatters(self.model), **(self.formatters_columns or {})}
        super().__init__(**kwargs)
        self.datamodel.eager = tuple(c for c in self.list_columns if self.datamodel.is_relation_many_to_one(c)
                                     or self.datamodel.is_relation_many_to_many(c))
        choices = f"{type(self).__name__}.choices"  # FAB names the blueprint after the class
        self.add_form = with_rules(with_ajax_relations(self.add_form, self.model, choices, for_form=True), self.model)
        self.edit_form = with_rules(with_ajax_relations(self.edit_form, self.model, choices, for_form=True), self.model)
        self.search_form = with_ajax_relations(self.search_form, self.model, choices, for_form=False)

    @expose("/choices/<column>")
    @has_access
    def choices(self, column):
        """One page of rows a relation field may offer (select2 asks as the user types)."""
        return choices_response(self.model, column)

    show_template = "libnet/record_show.html"  # the record's card
    # Documents printed from a record (a meeting's protocol): (this view's endpoint taking the
    # record's id, its label, its icon), each a button on the card for whoever reads it.
    printouts: tuple[tuple[str, str, str], ...] = ()

    def printed(self, pk, render):
        """A printed document of the record `pk`, made by `render(view, record)`: a record
        the user cannot read is as missing as an unknown one (404)."""
        item = self.datamodel.get(pk)
        if item is None:
            abort(404)
        return render(self, item)

    def crumbs_for(self, pk) -> list[tuple[str, str | None]]:
        """(label, address) from the region down to this record, for its card's breadcrumbs:
        the organisations and library it belongs to (as the session rule lets them be read)."""
        item = self.datamodel.get(pk)
        if item is None:
            return []
        library = item if type(item).__tablename__ == "library" else getattr(item, "library", None)
        tenant = item if type(item).__tablename__ == "tenant" else \
            (library.tenant if library is not None else getattr(item, "tenant", None))
        chain = []
        node = tenant.parent if tenant is not None and tenant is item else tenant
        while node is not None and len(chain) < 5:
            chain.insert(0, (str(node), url_for("TenantView.show", pk=node.id)))
            node = node.parent
        if library is not None and library is not item:
            chain.append((str(library), url_for("LibraryView.show", pk=library.id)))
        return [*chain, (str(item), None)]

    # -- what the user may do with each row: its buttons and checkbox ----------------

    def row_rights(self, item) -> frozenset[str]:
        """What the user may do with `item` besides reading it: "edit", "delete" and the
        names of the actions these allow. From what is loaded with the row (its tenant
        keys, the role's field rules, a field that froze it), so a list costs no query
        per row. FAB's permissions narrow it further; the write guard still decides."""
        scope = current_scope(self.datamodel.session)
        keys = (getattr(item, key) if key else None for key in self.model.__tenant_keys__)
        if not scope.can_write(self.model, *keys):
            return frozenset()
        frozen = scope.frozen.get(self.model.__tablename__)
        if frozen and getattr(item, frozen) is not None:  # judged: no change, no delete
            return frozenset()
        permitted = scope.editable(self.model)
        rights = {"delete"}
        if permitted is None or set(permitted) & set(self.edit_columns):
            rights.add("edit")  # a role that may set none of the form's fields may not edit
        return frozenset(rights | {name for name in self.actions
                                   if self.method_permission_name.get(name, name) in rights})

    # -- the list's quick search, its active filters, its totals ---------------------

    totals_columns: tuple[str, ...] = ()  # counts worth a total under the list (members...)

    @property
    def quick_search_columns(self) -> list[str]:
        """What the quick search box looks in: the list's own text columns."""
        columns = self.model.__table__.columns
        return [c for c in self.list_columns if c in columns and isinstance(columns[c].type, String)
                and not isinstance(columns[c].type, Enum)]  # a choice is a code, not what people read

    def quick_search_hint(self) -> str:
        return ", ".join(str(self.label_columns.get(c, c)).lower() for c in self.quick_search_columns)

    def create_blueprint(self, appbuilder, *args, **kwargs):
        blueprint = super().create_blueprint(appbuilder, *args, **kwargs)
        blueprint.before_request(self._take_quick_search)  # lists and exports alike
        return blueprint

    def _take_quick_search(self):
        text = (request.args.get("q") or "").strip()[:QUICK_SEARCH_LENGTH]
        if text and self.quick_search_columns:
            g.quick_search = QuickSearch(self.model, text, tuple(self.quick_search_columns))

    def active_filters(self) -> list[dict]:
        """The list's filters as the user reads them ("Название содержит «чит»"), each
        with the address of the list without it."""
        chips, search = [], self._filters.get_search_filters()
        for key, value in request.args.items(multi=True):
            match = FILTER_ARG.fullmatch(key)
            if not match or match[2] not in search or int(match[1]) >= len(search[match[2]]):
                continue
            column, kind = match[2], search[match[2]][int(match[1])]
            shown = value
            related = self.datamodel.get_related_model(column) if self.datamodel.is_relation(column) else None
            if related is not None and is_id(value):
                record = db.session.get(related, int(value))  # the session rule applies
                shown = str(record) if record is not None else value
            elif value == "y" and isinstance(getattr(self.model.__table__.columns.get(column), "type", None), Boolean):
                shown = format_yes_no(True)
            args = [(k, v) for k, v in request.args.items(multi=True)
                    if (k, v) != (key, value) and not k.startswith("page_")]
            chips.append({"label": str(self.label_columns.get(column, column)), "operation": str(kind.name),
                          "value": shown, "remove": f"{request.path}?{urlencode(args)}" if args else request.path})
        return chips

    def totals(self, joined_filters) -> dict:
        """Column -> its sum over every row the list holds (all pages, its filters), written
        as the list writes its numbers (hours 6, not 6.0; 1 234,5 in Russian)."""
        if not self.totals_columns:
            return {}
        sums = self.datamodel.sums(joined_filters, self.totals_columns)
        return {column: format_number(sums.get(column) or 0) for column in self.totals_columns}

    def _get_view_widget(self, **kwargs):
        # FAB draws a record's related lists (its card) with this: row buttons, but no
        # checkboxes nor bulk actions, which would mix rows of several lists on one page.
        return self._get_list_widget(related=True, **kwargs).get("list")

    def _get_list_widget(self, filters, actions=None, order_column="", order_direction="",
                         page=None, page_size=None, widgets=None, related=False, **kwargs):
        """FAB's, with each row's rights beside its values, and only the actions some row
        of the page allows (none: no checkboxes, no actions menu); the totals below."""
        widgets = widgets or {}
        page_size = page_size or self.page_size
        if not order_column and self.base_order:
            order_column, order_direction = self.base_order
        joined_filters = filters.get_joined_filters(self._base_filters)
        count, lst = self.datamodel.query(joined_filters, order_column, order_direction,
                                          page=page, page_size=page_size)
        rights = [self.row_rights(item) for item in lst]
        allowed = frozenset() if related else frozenset().union(*rights)
        shown = {k: a for k, a in (actions or self.actions).items() if k in allowed}
        widgets["list"] = self.list_widget(
            label_columns=self.label_columns, include_columns=self.list_columns,
            value_columns=self._written(self.datamodel.get_values(lst, self.list_columns)),
            order_columns=self.order_columns, formatters_columns={},
            page=page, page_size=page_size, count=count,
            pks=[self._serialize_pk_if_composite(pk) for pk in self.datamodel.get_keys(lst)],
            actions=shown, rights=rights, checkable=[not shown.keys().isdisjoint(r) for r in rights],
            filters=filters, modelview_name=self.__class__.__name__,
            totals=self.totals(joined_filters), **kwargs)
        return widgets

    def _written(self, rows: list[dict]) -> list[dict]:
        """The rows' values as the list writes them (dates, choices, numbers): formatted
        here, not by a call per cell from the template, which costs Jinja more than the
        formatting itself."""
        formatters = self.formatters_columns
        return [{c: formatters[c](v) if c in formatters else v for c, v in row.items()} for row in rows]

    def _get_show_widget(self, pk, item, widgets=None, actions=None, show_fieldsets=None):
        widgets = super()._get_show_widget(pk, item, widgets, actions, show_fieldsets)
        rights = self.row_rights(item)
        show = widgets["show"].template_args
        show.update(rights=rights, actions={k: a for k, a in show["actions"].items() if k in rights},
                    printouts=self.printouts)
        return widgets

    # A record added from a card is placed there (FAB hides the card's own field and fills it);
    # a to-many field starts with the card's record chosen and stays open to more: a seminar
    # added from one staff member's card is attended by others too.

    def _fill_form_exclude_cols(self, exclude_cols, form):
        super()._fill_form_exclude_cols([c for c in exclude_cols if not self.datamodel.is_relation_many_to_many(c)],
                                        form)

    def _get_add_widget(self, form, exclude_cols=None, widgets=None):
        many = [c for c in exclude_cols or [] if self.datamodel.is_relation_many_to_many(c)]
        if request.method == "GET":
            for column in many:
                chosen = self.datamodel.get_related_obj(column, self._filters.get_filter_value(column))
                if column in form and chosen is not None:  # a foreign id finds nothing (the session rule)
                    form[column].data = [chosen]
        exclude = [*(c for c in exclude_cols or [] if c not in many), *_not_editable(self.model)]
        return super()._get_add_widget(form, exclude_cols=exclude, widgets=widgets)

    def _get_edit_widget(self, form, exclude_cols=None, widgets=None):
        exclude = [*(exclude_cols or []), *_not_editable(self.model), "version"]  # hidden_tag() has it
        return super()._get_edit_widget(form, exclude_cols=exclude, widgets=widgets)

    def _edit(self, pk):
        # A row the user may only read opens read-only: its page, with the reason.
        item = self.datamodel.get(pk, self._base_filters)
        try:
            if item is not None:
                assert_writable(self.datamodel.session, item)
        except NotPermitted as refusal:
            flash(str(refusal), "warning")
            return None  # FAB then redirects back
        return super()._edit(pk)

    def pre_update(self, item):
        assert_writable(self.datamodel.session, item)

    def pre_delete(self, item):
        # FAB records the page in its history only after a delete it made: a refused one
        # must be recorded too, or the redirect after it goes one page too far back.
        self.update_redirect()
        assert_writable(self.datamodel.session, item)
        message = dependents_message(self.datamodel.session, item)
        if message:
            raise ValueError(message)

    def post_delete(self, item):
        g.setdefault("deleted_pages", set()).add(url_for(f"{type(self).__name__}.show", pk=item.id))

    def get_redirect(self):
        # Deleted from its own page: back to the list, not to the page of a missing record.
        url = super().get_redirect()
        if urlsplit(url).path in g.get("deleted_pages", ()):
            return url_for(f"{type(self).__name__}.list")
        return url

    @action("muldelete", _l("Delete"), _l("Delete the selected records?"), "fa-trash", single=False)
    def muldelete(self, items):
        items = items if isinstance(items, list) else [items]
        if not items or None in items:  # a foreign id is as unknown as a missing one
            abort(404)
        for item in items:
            self._delete(item.id)  # each one refused, with its reason, when others depend on it
        return redirect(self.get_redirect())
