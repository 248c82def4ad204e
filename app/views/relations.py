"""Relation fields that search the server instead of listing every row.

A network can hold tens of thousands of libraries: a form or a filter that lists them
all would be megabytes of HTML. These fields render only the chosen row; the browser
asks `/<view>/choices/<column>?q=...` for the rest, twenty at a time (select2), in the
user's scope like every other query.
"""
from inspect import getmembers

from flask import request, url_for
from flask_babel import gettext
from flask_appbuilder.fields import QuerySelectField, QuerySelectMultipleField
from markupsafe import Markup, escape
from sqlalchemy import String, cast, inspect, select
from wtforms.fields.core import UnboundField
from wtforms.validators import ValidationError

from app.extensions import db
from app.search import contains
from app.tenancy.session import current_scope
from app.validation import is_id

PAGE = 20
# Where a record lives (a programme's class lives in its programme): the user must be able to write there.
PLACEMENT = ("tenant", "library", "parent", "programme")


def related_model(model, column):
    return inspect(model).relationships[column].mapper.class_


def choices_query(model, column: str, *, for_form: bool, text: str = ""):
    """The rows a relation field may offer: visible ones (the session rule), and for a
    record's own place, only those the user may write to."""
    target = related_model(model, column)
    label = getattr(target, getattr(target, "__search_column__", "name"))
    query = select(target).order_by(label, target.id)
    if text:  # whatever the case, ё as е; a number (a summary's year) as its digits
        query = query.where(contains(label if isinstance(label.type, String) else cast(label, String), text))
    if for_form and column in PLACEMENT:
        clause = current_scope(db.session).write_clause(target)
        if clause is not None:
            query = query.where(clause)
    return query


def choices_page(model, column: str, *, for_form: bool, text: str, page: int) -> dict:
    rows = db.session.scalars(choices_query(model, column, for_form=for_form, text=text)
                              .offset((page - 1) * PAGE).limit(PAGE + 1)).all()
    return {"results": [{"id": row.id, "text": str(row)} for row in rows[:PAGE]],
            "more": len(rows) > PAGE}


class AjaxSelectWidget:
    def __call__(self, field, **kwargs):
        classes = f"libnet-ajax form-control {kwargs.pop('class', '')}".strip()
        many = isinstance(field, AjaxSelectMultipleField)
        chosen = (field.data or []) if many else [row for row in (field.data,) if row is not None]
        # An empty option is select2's placeholder (a label keeps it valid HTML); a multiple select has none.
        options = [] if many else ['<option value="" label="—"></option>']
        options += [f'<option value="{row.id}" selected>{escape(str(row))}</option>' for row in chosen]
        return Markup(
            f'<select id="{field.id}" name="{field.name}" class="{classes}"{" multiple" if many else ""} '
            f'data-source="{escape(field.source())}" style="width: 100%">{"".join(options)}</select>')


class _Searching:
    """A relation field whose choices the browser asks the server for (`source`)."""

    widget = AjaxSelectWidget()

    def __init__(self, *args, model=None, column=None, endpoint=None, for_form=True, **kwargs):
        kwargs.pop("widget", None)
        super().__init__(*args, **kwargs)
        self.model, self.column, self.endpoint, self.for_form = model, column, endpoint, for_form

    def source(self) -> str:
        return url_for(self.endpoint, column=self.column, form=int(self.for_form))


class AjaxSelectField(_Searching, QuerySelectField):
    """A many-to-one field that looks up only the posted id, in scope."""

    def _get_data(self):
        if self._formdata is not None:
            pk = self._formdata
            target = related_model(self.model, self.column)
            found = None
            if is_id(pk):  # "²" is a digit to Python, not to int()
                query = choices_query(self.model, self.column, for_form=self.for_form)
                found = db.session.scalar(query.where(target.id == int(pk)))
            self._set_data(found)
        return self._data

    data = property(_get_data, QuerySelectField._set_data)

    def pre_validate(self, form):
        # An id that is unknown, foreign or not the user's to place a record in: one answer.
        if self.data is None and self.raw_data and self.raw_data[0] not in ("", "__None"):
            raise ValidationError(self.gettext("Not a valid choice"))


class AjaxSelectMultipleField(_Searching, QuerySelectMultipleField):
    """A many-to-many field that looks up only the posted ids, in scope."""

    def _get_data(self):
        if self._formdata is not None:
            posted = [pk for pk in self._formdata if pk not in ("", "__None")]
            found = []
            if posted and all(is_id(pk) for pk in posted):
                target = related_model(self.model, self.column)
                query = choices_query(self.model, self.column, for_form=self.for_form)
                found = list(db.session.scalars(query.where(target.id.in_({int(pk) for pk in posted}))))
            # One unknown, foreign or odd id refuses the whole choice: nothing is silently dropped.
            self._invalid_formdata = len(found) != len(set(posted))
            self._set_data(found)
        return self._data

    data = property(_get_data, QuerySelectMultipleField._set_data)

    def pre_validate(self, form):
        self._get_data()
        if self._invalid_formdata:
            raise ValidationError(self.gettext("Not a valid choice"))


def with_ajax_relations(form_class, model, endpoint: str, *, for_form: bool):
    """`form_class` with every relation field searching the server: each to-one field, and
    each to-many field over tenant data (an account's four roles stay a list of boxes)."""
    from app.tenancy.session import is_tenant_data

    fields = {}
    for name, field in getmembers(form_class, lambda f: isinstance(f, UnboundField)):
        many = field.field_class is QuerySelectMultipleField
        if field.field_class is QuerySelectField or many and is_tenant_data(related_model(model, name)):
            ajax = AjaxSelectField if field.field_class is QuerySelectField else AjaxSelectMultipleField
            fields[name] = UnboundField(ajax, *field.args, **{
                **field.kwargs, "model": model, "column": name, "endpoint": endpoint,
                "for_form": for_form})
    return type(form_class.__name__, (form_class,), fields) if fields else form_class


def choices_response(model, column):
    """The JSON of one page of choices, for select2."""
    if column not in inspect(model).relationships:
        return {"results": [], "more": False}, 404
    page = request.args.get("page", "1")
    if not (page.isascii() and page.isdigit() and len(page) < 6 and 0 < int(page) < 10_000):
        return {"message": gettext("This page number is not valid.")}, 400
    return choices_page(model, column, for_form=request.args.get("form") == "1",
                        text=request.args.get("q", "")[:100], page=int(page))
