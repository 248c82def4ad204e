"""The base of every record screen: labels, validation and the tenancy that each
record's view inherits, so that a view is a few declarative lines."""
from flask import abort, flash, redirect, request
from flask_appbuilder import ModelView, action, expose
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.fields import EnumField
from flask_babel import lazy_gettext as _l
from wtforms.fields.core import UnboundField
from wtforms.validators import ValidationError

from app.dependents import dependents_message
from app.i18n import formatters
from app.extensions import db
from app.tenancy.session import NotPermitted, assert_writable, current_scope
from app.tenancy.filters import WritableInScope
from app.validation import problems

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
}


class ChoiceField(EnumField):
    """FAB's EnumField, with a wrong choice reported on the field instead of a 500."""

    def pre_validate(self, form):
        try:
            super().pre_validate(form)
        except ValidationError:
            raise
        except ValueError as error:
            raise ValidationError(str(error)) from None


def _not_editable(model) -> set[str]:
    """Form fields of `model` the current user's role may not set."""
    permitted = current_scope(db.session).editable(model)
    return set() if permitted is None else {c for c in LABELS if c not in permitted}


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
        return valid

    fields = {name: UnboundField(ChoiceField, *f.args, **f.kwargs)
              for name, f in vars(form_class).items()
              if isinstance(f, UnboundField) and f.field_class is EnumField}
    return type(form_class.__name__, (form_class,), {"validate": validate, **fields})


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


class RecordView(KnownActionsOnly, ModelView):
    """A record screen. Subclasses name `datamodel`'s model and their columns."""

    model = None
    page_size = 25
    method_permission_name = {"muldelete": "delete"}

    def __init__(self, **kwargs):
        self.datamodel = SQLAInterface(self.model)
        self.label_columns = {**LABELS, **(self.label_columns or {})}
        self.formatters_columns = {**formatters(self.model), **(self.formatters_columns or {})}
        # A record is placed only in a tenant or library the user may write to.
        placement = {rel: [["id", WritableInScope, None]] for rel in ("tenant", "library", "parent")
                     if rel in self.datamodel.list_properties}
        self.add_form_query_rel_fields = {**placement, **(self.add_form_query_rel_fields or {})}
        self.edit_form_query_rel_fields = {**placement, **(self.edit_form_query_rel_fields or {})}
        super().__init__(**kwargs)
        self.add_form = with_rules(self.add_form, self.model)
        self.edit_form = with_rules(self.edit_form, self.model)

    def _get_add_widget(self, form, exclude_cols=None, widgets=None):
        exclude = [*(exclude_cols or []), *_not_editable(self.model)]
        return super()._get_add_widget(form, exclude_cols=exclude, widgets=widgets)

    def _get_edit_widget(self, form, exclude_cols=None, widgets=None):
        exclude = [*(exclude_cols or []), *_not_editable(self.model)]
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
        assert_writable(self.datamodel.session, item)
        message = dependents_message(self.datamodel.session, item)
        if message:
            raise ValueError(message)

    @action("muldelete", _l("Delete"), _l("Delete the selected records?"), "fa-trash", single=False)
    def muldelete(self, items):
        items = items if isinstance(items, list) else [items]
        if not items or None in items:  # a foreign id is as unknown as a missing one
            abort(404)
        for item in items:
            self._delete(item.id)  # each one refused, with its reason, when others depend on it
        return redirect(self.get_redirect())
