"""The annual statistical reports through the REST API: /api/v1/stat_report/ (the record,
its figures as a JSON object, and the workflow's steps) and /api/v1/stat_summary/<id>
(a district's or a region's figures summed over the approved reports; a district's own
summary of the year, and its steps: POST .../<id>/submit, /return, /approve, /reopen).

A report's `values` are indicator code -> number, null meaning "unknown" (stored as the
string "unknown", as the entry screen stores it); its `notes` code -> text; `form` is the
edition's code, chosen from the library's country and year when the report is made. The
figures change only while the report is a draft or returned, and the totals the form
computes are computed as the entry screen computes them. The status changes only through
the steps (POST .../<id>/submit, /return, /approve, /reopen), whose rules are
app/statistics/workflow.py's alone.
"""
from __future__ import annotations

import copy
import math
from decimal import Decimal

from flask import g, request
from flask_appbuilder.api import BaseApi, expose, protect, safe
from flask_appbuilder.security.decorators import permission_name
from flask_babel import gettext as _, lazy_gettext as _l
from marshmallow import ValidationError, fields
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import NotFound

from app.extensions import db
from app.statistics import workflow
from app.statistics.entry import LARGEST, NOTE_LENGTH
from app.tenancy.session import NotPermitted, assert_writable
from app.validation import MAX_INT
from app.versions import Stale

from .base import IF_MATCH, Converter, OneOf, RecordApi, Refused, etag

COMMENT_LENGTH = 2000


class Figure(fields.Float):
    """One figure: a JSON number, or null for "unknown"."""

    def __init__(self):
        super().__init__(allow_none=True)


class Figures(fields.Dict):
    """Indicator code -> number or null ("unknown"), stored as the JSON column keeps it."""

    def __init__(self, **kwargs):
        super().__init__(keys=fields.String(), values=Figure(), **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return {}
        return {code: None if v == workflow.UNKNOWN else v for code, v in value.items()}

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, dict):
            raise ValidationError(_("Send a JSON object."))
        out, errors = {}, {}
        for code, figure in value.items():
            if figure is None:
                out[code] = workflow.UNKNOWN
            elif isinstance(figure, bool) or not isinstance(figure, (int, float)) \
                    or (isinstance(figure, float) and not math.isfinite(figure)):
                errors[code] = [_("Enter a number.")]
            elif abs(Decimal(str(figure))) >= LARGEST:
                errors[code] = [_("This number is too large.")]
            else:
                out[code] = workflow.stored(Decimal(str(figure)))
        if errors:
            raise ValidationError(errors)
        return out


class Notes(fields.Dict):
    """Indicator code -> its note (null or empty: none)."""

    def __init__(self, **kwargs):
        super().__init__(keys=fields.String(), values=fields.String(allow_none=True), **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return dict(value or {})

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, dict):
            raise ValidationError(_("Send a JSON object."))
        out, errors = {}, {}
        for code, note in value.items():
            if note is not None and not isinstance(note, str):
                errors[code] = [_("Enter a text.")]
                continue
            note = (note or "").strip()
            if len(note) > NOTE_LENGTH or "\x00" in note:
                errors[code] = [_("Enter a note of at most %(max)d characters, without control characters.",
                                  max=NOTE_LENGTH)]
            elif note:
                out[code] = note
        if errors:
            raise ValidationError(errors)
        return out


class ReportConverter(Converter):
    """The JSON columns as the objects they are, and the edition under the name people
    know it by (`form`)."""

    def _column2field(self, datamodel, column, nested=True, parent_schema_name=None):
        if datamodel.obj.__tablename__ == "stat_report":
            if column.name == "values":
                return Figures(required=False)
            if column.name == "notes":
                return Notes(required=False)
            if column.name == "edition":
                from app.statistics.forms import editions

                return fields.String(data_key="form", required=False, allow_none=True,
                                     validate=OneOf(sorted(e.code for e in editions())))
        return super()._column2field(datamodel, column, nested, parent_schema_name)


# What this module's docstrings say, in the request's language (the YAML of a docstring
# cannot call gettext; app.api.document does the same for FAB's and its own).
SAID = {
    "Submit the report": _l("Submit the report"),
    "Return the report for correction": _l("Return the report for correction"),
    "Approve the report": _l("Approve the report"),
    "Reopen an approved report": _l("Reopen an approved report"),
    "The report, as GET answers it": _l("The report, as GET answers it"),
    "A draft or returned report goes to its district. Refused (409) while its figures have an error or a "
    "change that wants a note has none: `problems` names each indicator.":
        _l("A draft or returned report goes to its district. Refused (409) while its figures have an error or "
           "a change that wants a note has none: `problems` names each indicator."),
    "A submitted report goes back to its library; `comment` says what to correct (required).":
        _l("A submitted report goes back to its library; `comment` says what to correct (required)."),
    "A submitted report is approved: its figures count in the summaries.":
        _l("A submitted report is approved: its figures count in the summaries."),
    "An approved report goes back to its library as returned; `reason` says why (required).":
        _l("An approved report goes back to its library as returned; `reason` says why (required)."),
    "What to correct": _l("What to correct"),
    "Reason for reopening": _l("Reason for reopening"),
    "A comment for the report's history": _l("A comment for the report's history"),
    "The figures of a year summed over approved reports": _l("The figures of a year summed over approved reports"),
    "For a district or a region (the record's id is the tenant's): the figures of each form edition summed "
    "over the approved reports of its libraries and of its districts' libraries, how many reports do not "
    "know each figure, and how far the libraries' reports have gone. Without `year`, the year before this one.":
        _l("For a district or a region (the record's id is the tenant's): the figures of each form edition "
           "summed over the approved reports of its libraries and of its districts' libraries, how many reports "
           "do not know each figure, and how far the libraries' reports have gone. Without `year`, the year "
           "before this one."),
    "The reporting year, such as 2025": _l("The reporting year, such as 2025"),
    "The summary": _l("The summary"),
    "Indicator code -> number; null: the library does not know it": _l(
        "Indicator code -> number; null: the library does not know it"),
    "Indicator code -> its note": _l("Indicator code -> its note"),
    "The form edition's code; when a report is made, chosen from the library's country and year if not sent": _l(
        "The form edition's code; when a report is made, chosen from the library's country and year if not sent"),
}


def _say(node) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("summary", "description") and isinstance(value, str) and value in SAID:
                node[key] = str(SAID[value])
            else:
                _say(value)
    elif isinstance(node, list):
        for value in node:
            _say(value)


FIELD_DESCRIPTIONS = {
    "values": "Indicator code -> number; null: the library does not know it",
    "notes": "Indicator code -> its note",
    "edition": "The form edition's code; when a report is made, chosen from the library's country and year if not sent",
}
STEP_FIELD = {"submit": "comment", "approve": "comment", "return": "comment", "reopen": "reason"}


def _step_doc(name: str, summary: str, description: str, field: str, field_text: str, required: bool) -> str:
    """The docstring (OpenAPI YAML) of a step's operation."""
    needed = f"\n                  required: [{field}]" if required else ""
    return f"""{summary}
        ---
        post:
          operationId: stat_report_{name}
          summary: {summary}
          description: >-
            {description}
          requestBody:
            required: {'true' if required else 'false'}
            content:
              application/json:
                schema:
                  type: object
                  additionalProperties: false{needed}
                  properties:
                    {field}:
                      type: string
                      nullable: true
                      maxLength: {COMMENT_LENGTH}
                      description: {field_text}
          responses:
            200:
              description: The report, as GET answers it
              content:
                application/json:
                  schema:
                    type: object
                    required: [id, result]
                    properties:
                      id: {{type: integer}}
                      result: {{$ref: '#/components/schemas/{{{{self.__class__.__name__}}}}.get'}}
            409:
              description: Refused
        """


def _step_body(field: str, versioned: bool = False) -> tuple[str | None, int | None]:
    """A step's request: (its comment, the version it starts from: the body's `version`,
    else If-Match's). Refused (400: unreadable; 422: field -> messages)
    where it is neither nothing nor a JSON object of the step's field (and, `versioned`,
    `version`)."""
    body = {}
    if request.get_data():
        body = request.get_json(silent=True) if request.is_json else None
        if not isinstance(body, dict):
            raise Refused(400, _("Send a JSON object, or no body."))
    known = {field, "version"} if versioned else {field}
    errors = {key: [_("Unknown field.")] for key in body if key not in known}
    comment = body.get(field)
    if comment is not None and not isinstance(comment, str):
        errors[field] = [_("Enter a text.")]
    elif comment is not None and (len(comment) > COMMENT_LENGTH or "\x00" in comment):
        errors[field] = [_("Enter at most %(max)d characters.", max=COMMENT_LENGTH)]
    sent = body.get("version") if versioned else None
    if sent is not None and (isinstance(sent, bool) or not isinstance(sent, int) or not 0 < sent <= MAX_INT):
        errors["version"] = [_("Enter a whole number.")]
    if errors:
        raise Refused(422, errors)
    version = sent
    header = request.headers.get("If-Match", "").strip()
    if header and header != "*":
        found = IF_MATCH.fullmatch(header)
        if not found:
            raise Refused(400, _("If-Match holds the record's ETag, such as \"3\"."))
        version = int(found.group(1)) if version is None else version
    return comment, version


def _refused(api, refusal: workflow.Refused):
    """A step the workflow refuses: 409, with what stops it (an indicator, a library)."""
    return api.response(409, message=str(refusal), problems=[
        {"code": p.code, "message": p.message if p.blocks else _("%(warning)s (no note yet)", warning=p.message)}
        for p in refusal.problems])


class StatReportApi(RecordApi):
    """/api/v1/stat_report/: the reports the caller may read; the steps of the workflow."""

    resource_name = "stat_report"
    model2schemaconverter = ReportConverter
    add_columns = ["library", "year", "edition", "values", "notes"]
    edit_columns = ["values", "notes"]  # the status: only through the steps
    list_columns = show_columns = ["id", "library.id", "library.name", "year", "edition", "status",
                                   "values", "notes"]
    search_columns = ["library", "year", "status"]
    order_columns = ["year", "status"]
    label_columns = {"values": _l("Figures"), "notes": _l("Notes")}  # not fields of the screen's forms

    def __init__(self):
        # Here, not above: app/records/stat_report.py imports this module to declare its API.
        from app.records.stat_report import StatReport

        type(self).model = StatReport
        super().__init__()

    # -- the document ----------------------------------------------------------------

    def add_apispec_components(self, api_spec):
        super().add_apispec_components(api_spec)
        for name, schema in api_spec.components.schemas.items():
            if name.startswith(self.__class__.__name__):
                for column, text in FIELD_DESCRIPTIONS.items():
                    found = schema.get("properties", {}).get("form" if column == "edition" else column)
                    if found is not None:
                        found["description"] = str(SAID[text])

    def operation_helper(self, path=None, operations=None, methods=None, func=None, **kwargs):
        super().operation_helper(path, operations, methods, func, **kwargs)
        _say(operations)

    # -- making and changing a report --------------------------------------------------

    def pre_add(self, item):
        from app.records.stat_report import StatReportStatus
        from app.statistics.prefill import suggestions

        found = None
        if item.library is not None and isinstance(item.year, int):
            found = workflow.edition_for_library(item.library, item.year)
        if found is None:
            super().pre_add(item)  # a year out of range is said first
            raise Refused(422, {"year": [_("There is no statistical form for this year in the library's country.")]})
        if item.edition is not None and item.edition != found.code:
            raise Refused(422, {"form": [_("This library's report of %(year)d is filled in the form %(form)s.",
                                           year=item.year, form=found.code)]})
        item.edition, item.status = found.code, StatReportStatus.draft
        body = request.get_json(silent=True) or {}
        if "values" not in body:  # as the screen starts one: with what the registry knows
            offered = suggestions(db.session, found, item.library.id, item.year)
            item.values = {code: s.value for code, s in offered.items()}
        item.values, item.notes = self._figures(found, item.values or {}, item.notes or {})
        super().pre_add(item)
        workflow.started(item, g.user)

    def _edit(self, item, body):
        if not workflow.editable(item):
            return self.response(409, message=_(
                "The report's status is “%(status)s”: its figures cannot be changed now.", status=item.status))
        return super()._edit(item, body)

    def pre_update(self, item):
        super().pre_update(item)
        item.values, item.notes = self._figures(workflow.edition_of(item), item.values or {}, item.notes or {})

    @staticmethod
    def _figures(edition, values: dict, notes: dict) -> tuple[dict, dict]:
        """The figures as the entry screen keeps them (the totals the form computes from
        known parts computed); refused, naming each, where one is not of the form or not
        a value its indicator takes."""
        errors = {}
        for where, given in (("values", values), ("notes", notes)):
            for code in given:
                if code not in edition.indicators:
                    errors[f"{where}.{code}"] = [_("The form %(form)s has no indicator “%(code)s”.",
                                                   form=edition.code, code=code)]
        for code, value in values.items():
            indicator = edition.indicators.get(code)
            if indicator is None or value == workflow.UNKNOWN:
                continue
            if indicator.type == "flag" and value not in (0, 1):
                errors[f"values.{code}"] = [_("Enter 1 for yes or 0 for no.")]
            elif indicator.whole and not isinstance(value, int):
                errors[f"values.{code}"] = [_("Enter a whole number.")]
        if errors:
            raise Refused(422, errors)
        return workflow.with_totals(edition, values), notes

    # -- the steps ---------------------------------------------------------------------

    def _step(self, pk, name):
        item = self.datamodel.get(pk, self._base_filters)
        if item is None:
            return self.response_404()
        try:
            comment, version = _step_body(STEP_FIELD[name])
        except Refused as bad:
            return self.response(bad.status, message=bad.messages)
        if version is not None and version != item.version:
            return self._record(409, item, message=str(Stale()))
        try:
            assert_writable(db.session, item)
            workflow.take(item, name, g.user, comment)
            db.session.commit()
        except NotPermitted as refusal:
            db.session.rollback()
            return self.response(refusal.status, message=str(refusal))
        except workflow.Refused as refusal:
            db.session.rollback()
            return _refused(self, refusal)
        except StaleDataError:
            db.session.rollback()
            return self._stale(pk, Stale())
        return self._record(200, item)

    @expose("/<int:pk>/submit", methods=["POST"])
    @protect()
    @safe
    @permission_name("get")  # as the screen's steps: whoever reads the report; the workflow decides
    def submit(self, pk):
        return self._step(pk, "submit")

    @expose("/<int:pk>/return", methods=["POST"])
    @protect()
    @safe
    @permission_name("get")
    def return_report(self, pk):
        return self._step(pk, "return")

    @expose("/<int:pk>/approve", methods=["POST"])
    @protect()
    @safe
    @permission_name("get")
    def approve(self, pk):
        return self._step(pk, "approve")

    @expose("/<int:pk>/reopen", methods=["POST"])
    @protect()
    @safe
    @permission_name("get")
    def reopen(self, pk):
        return self._step(pk, "reopen")

    submit.__doc__ = _step_doc(
        "submit", "Submit the report",
        "A draft or returned report goes to its district. Refused (409) while its figures have an error or a "
        "change that wants a note has none: `problems` names each indicator.",
        "comment", "A comment for the report's history", False)
    return_report.__doc__ = _step_doc(
        "return", "Return the report for correction",
        "A submitted report goes back to its library; `comment` says what to correct (required).",
        "comment", "What to correct", True)
    approve.__doc__ = _step_doc(
        "approve", "Approve the report", "A submitted report is approved: its figures count in the summaries.",
        "comment", "A comment for the report's history", False)
    reopen.__doc__ = _step_doc(
        "reopen", "Reopen an approved report",
        "An approved report goes back to its library as returned; `reason` says why (required).",
        "reason", "Reason for reopening", True)


SUMMARY_SUBMIT = ("The district's director or methodologist sends its summary of the year to the region; its "
                  "figures are kept as they are now. Refused (409) until every active library of the district has "
                  "an approved report of the year: `problems` names each library (`code`: library.<id>).")
SUMMARY_RETURN = ("A director or methodologist of the region returns a submitted summary to its district; "
                  "`comment` says what to correct (required).")
SUMMARY_APPROVE = ("A director or methodologist of the region approves a submitted summary: its kept figures "
                   "count in the region's.")
SUMMARY_REOPEN = ("A director or methodologist of the region sends an approved summary back to its district as "
                  "returned; `reason` says why (required).")


def _summary_step_doc(name: str, summary: str, description: str, field: str, field_text: str,
                      required: bool) -> str:
    """The docstring (OpenAPI YAML) of a step of a district's summary."""
    needed = f"\n                  required: [{field}]" if required else ""
    return f"""{summary}
        ---
        post:
          operationId: stat_summary_{name}
          summary: {summary}
          description: >-
            {description}
          parameters:
          - in: query
            name: year
            required: false
            description: The reporting year, such as 2025
            schema: {{type: integer, minimum: 1990, maximum: 2100}}
          requestBody:
            required: {'true' if required else 'false'}
            content:
              application/json:
                schema:
                  type: object
                  additionalProperties: false{needed}
                  properties:
                    {field}:
                      type: string
                      nullable: true
                      maxLength: {COMMENT_LENGTH}
                      description: {field_text}
                    version:
                      type: integer
                      nullable: true
                      minimum: 1
                      maximum: 2147483647
                      description: The version of the summary this step starts from, as GET answers it
          responses:
            200:
              description: The summary, as GET answers it
              content:
                application/json:
                  schema: {{$ref: '#/components/schemas/StatSummary'}}
            409:
              description: Refused
            422:
              description: Refused
        """


SUMMARY = {
    "type": "object", "required": ["tenant", "year", "libraries", "statuses", "late", "editions"],
    "properties": {
        "tenant": {"type": "integer"}, "year": {"type": "integer"},
        "libraries": {"type": "integer", "description": "Its active libraries"},
        "statuses": {"type": "object", "additionalProperties": {"type": "integer"},
                     "description": "Status -> how many of its libraries' reports are in it; none: not started"},
        "late": {"type": "integer", "description": "Reports not handed in after their date"},
        "editions": {"type": "array", "items": {
            "type": "object", "required": ["form", "reports", "values", "unknown"],
            "properties": {
                "form": {"type": "string"},
                "reports": {"type": "integer", "description": "The approved reports summed"},
                "values": {"type": "object", "additionalProperties": {"type": "number"},
                           "description": "Indicator code -> the sum of what the reports know of it"},
                "unknown": {"type": "object", "additionalProperties": {"type": "integer"},
                            "description": "Indicator code -> how many of the reports do not know it"},
            }}},
    },
}
EDITION = SUMMARY["properties"]["editions"]["items"]
SUMMARY["properties"]["district_summary"] = {
    "type": "object", "description": "A district's only: its own summary of the year, on its way to the region",
    "required": ["id", "status", "version", "editions", "history", "steps", "not_approved"],
    "properties": {
        "id": {"type": "integer", "nullable": True, "description": "None yet: not started"},
        "status": {"type": "string", "enum": [workflow.DRAFT, workflow.SUBMITTED, workflow.RETURNED,
                                              workflow.APPROVED]},
        "version": {"type": "integer", "nullable": True,
                    "description": "Send it back as `version` with a step: a step taken meanwhile refuses it (409)"},
        "editions": {"type": "array", "items": EDITION,
                     "description": "The figures as the district submitted them, kept so for the region"},
        "history": {"type": "array", "items": {
            "type": "object", "required": ["at", "user", "from", "to", "comment"],
            "properties": {
                "at": {"type": "string", "format": "date-time"},
                "user": {"type": "object", "nullable": True, "required": ["id", "name"],
                         "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}},
                "from": {"type": "string", "nullable": True},
                "to": {"type": "string"},
                "comment": {"type": "string", "nullable": True}}}},
        "steps": {"type": "array", "items": {"type": "string", "enum": list(workflow.SUMMARY_STEPS)},
                  "description": "The steps the caller may take with it now"},
        "not_approved": {"type": "array", "description": "Its active libraries without an approved report of the year",
                         "items": {"type": "object", "required": ["id", "name"],
                                   "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}}},
    },
}
SAID.update({
    "A district's only: its own summary of the year, on its way to the region":
        _l("A district's only: its own summary of the year, on its way to the region"),
    "None yet: not started": _l("None yet: not started"),
    "Send it back as `version` with a step: a step taken meanwhile refuses it (409)":
        _l("Send it back as `version` with a step: a step taken meanwhile refuses it (409)"),
    "The figures as the district submitted them, kept so for the region":
        _l("The figures as the district submitted them, kept so for the region"),
    "The steps the caller may take with it now": _l("The steps the caller may take with it now"),
    "Its active libraries without an approved report of the year":
        _l("Its active libraries without an approved report of the year"),
    "Submit the district's summary": _l("Submit the district's summary"),
    "Return the district's summary for correction": _l("Return the district's summary for correction"),
    "Approve the district's summary": _l("Approve the district's summary"),
    "Reopen the district's approved summary": _l("Reopen the district's approved summary"),
    "The summary, as GET answers it": _l("The summary, as GET answers it"),
    "A comment for the summary's history": _l("A comment for the summary's history"),
    "The version of the summary this step starts from, as GET answers it":
        _l("The version of the summary this step starts from, as GET answers it"),
    SUMMARY_SUBMIT: _l("The district's director or methodologist sends its summary of the year to the region; "
                       "its figures are kept as they are now. Refused (409) until every active library of the "
                       "district has an approved report of the year: `problems` names each library (`code`: "
                       "library.<id>)."),
    SUMMARY_RETURN: _l("A director or methodologist of the region returns a submitted summary to its district; "
                       "`comment` says what to correct (required)."),
    SUMMARY_APPROVE: _l("A director or methodologist of the region approves a submitted summary: its kept "
                        "figures count in the region's."),
    SUMMARY_REOPEN: _l("A director or methodologist of the region sends an approved summary back to its "
                       "district as returned; `reason` says why (required)."),
})
SAID.update({
    "Its active libraries": _l("Its active libraries"),
    "Status -> how many of its libraries' reports are in it; none: not started":
        _l("Status -> how many of its libraries' reports are in it; none: not started"),
    "Reports not handed in after their date": _l("Reports not handed in after their date"),
    "The approved reports summed": _l("The approved reports summed"),
    "Indicator code -> the sum of what the reports know of it": _l(
        "Indicator code -> the sum of what the reports know of it"),
    "Indicator code -> how many of the reports do not know it": _l(
        "Indicator code -> how many of the reports do not know it"),
})


class StatSummaryApi(BaseApi):
    """/api/v1/stat_summary/<tenant id>?year=: what the summary screen sums
    (app/reports/stat_summary.py), for whoever reads the reports through the API; a
    district's own summary and its steps, taken as on its page (take_step there)."""

    resource_name = "stat_summary"
    # The summary screen's permission (app/reports/stat_summary.py), which the role table
    # gives with reading the reports: one permission for the page and the API.
    class_permission_name = "StatSummaryView"
    allow_browser_login = True
    openapi_spec_tag = "StatReportApi"

    def add_apispec_components(self, api_spec):
        super().add_apispec_components(api_spec)
        if "StatSummary" not in api_spec.components.schemas:
            schema = copy.deepcopy(SUMMARY)
            _say(schema)
            api_spec.components.schema("StatSummary", schema)

    def operation_helper(self, path=None, operations=None, methods=None, func=None, **kwargs):
        super().operation_helper(path, operations, methods, func, **kwargs)
        _say(operations)

    @expose("/<int:pk>", methods=["GET"])
    @protect()
    @safe
    @permission_name("show")
    def summary(self, pk):
        """The figures of a year summed over approved reports
        ---
        get:
          operationId: stat_summary_get
          summary: The figures of a year summed over approved reports
          description: >-
            For a district or a region (the record's id is the tenant's): the figures of each form
            edition summed over the approved reports of its libraries and of its districts'
            libraries, how many reports do not know each figure, and how far the libraries'
            reports have gone. Without `year`, the year before this one.
          parameters:
          - in: query
            name: year
            required: false
            description: The reporting year, such as 2025
            schema: {type: integer, minimum: 1990, maximum: 2100}
          responses:
            200:
              description: The summary
              content:
                application/json:
                  schema: {$ref: '#/components/schemas/StatSummary'}
        """
        from app.reports.method_work import _node

        try:
            node = _node(pk)  # outside the caller's scope: as missing as an unknown one
        except NotFound:
            return self.response_404()
        year = self._year()
        if not isinstance(year, int):
            return year  # the 400 that says why
        return self._summary(node, year, 200)

    def _year(self):
        """The year asked for (`year`, by default the last one), or the 400 that refuses the query."""
        from app.errors import BadInput
        from app.reports.stat_summary import _year

        unknown = sorted(set(request.args) - {"year", "_l_"})
        if unknown:
            return self.response(400, message=_("Check the query parameters."),
                                 errors={name[:100]: [_("This list has no such parameter.")] for name in unknown})
        try:
            return _year()
        except BadInput as bad:
            return self.response(400, message=bad.message, errors={"year": [bad.message]})

    def _summary(self, node, year: int, status: int, **extra):
        """The GET's answer (a district's with its own summary, whose version is the ETag);
        `extra` beside it, or, given `result`, the answer under it (a stale step's 409)."""
        from app.reports.stat_summary import summary

        found = summary(node, year)
        answer = dict(tenant=node.id, year=year, libraries=found["libraries"], statuses=dict(found["counts"]),
                      late=found["late"], editions=[_edition(table) for table in found["tables"]])
        own = found.get("district_summary") if node.kind.name == "district" else None
        if node.kind.name == "district":
            answer["district_summary"] = _district_summary(node, year, own, found["not_approved"])
        response = self.response(status, **({**extra, "result": answer} if "message" in extra else answer))
        if own is not None and own.version is not None:
            response.headers["ETag"] = etag(own)
        return response

    # -- the district's summary: its steps (app/statistics/workflow.py's SUMMARY_STEPS) ---

    def _step(self, pk, name):
        from app.reports.method_work import _node
        from app.reports.stat_summary import take_step

        try:
            node = _node(pk)  # outside the caller's scope: as missing as an unknown one
        except NotFound:
            return self.response_404()
        if node.kind.name != "district":  # only a district has a summary to take steps with
            return self.response_404()
        year = self._year()
        if not isinstance(year, int):
            return year  # the 400 that says why
        try:
            comment, version = _step_body(STEP_FIELD[name], versioned=True)
        except Refused as bad:
            return self.response(bad.status, message=bad.messages)
        try:
            take_step(node, year, name, g.user, comment, version)
        except NotPermitted as refusal:
            return self.response(refusal.status, message=str(refusal))
        except workflow.Refused as refusal:
            return _refused(self, refusal)
        except StaleDataError:
            return self._summary(node, year, 409, message=str(Stale()))  # `result`: as stored now
        return self._summary(node, year, 200)

    @expose("/<int:pk>/submit", methods=["POST"])
    @protect()
    @safe
    @permission_name("show")  # as the page's steps: whoever reads the summary; the workflow decides
    def summary_submit(self, pk):
        return self._step(pk, "submit")

    @expose("/<int:pk>/return", methods=["POST"])
    @protect()
    @safe
    @permission_name("show")
    def summary_return(self, pk):
        return self._step(pk, "return")

    @expose("/<int:pk>/approve", methods=["POST"])
    @protect()
    @safe
    @permission_name("show")
    def summary_approve(self, pk):
        return self._step(pk, "approve")

    @expose("/<int:pk>/reopen", methods=["POST"])
    @protect()
    @safe
    @permission_name("show")
    def summary_reopen(self, pk):
        return self._step(pk, "reopen")

    summary_submit.__doc__ = _summary_step_doc(
        "submit", "Submit the district's summary", SUMMARY_SUBMIT,
        "comment", "A comment for the summary's history", False)
    summary_return.__doc__ = _summary_step_doc(
        "return", "Return the district's summary for correction", SUMMARY_RETURN, "comment", "What to correct", True)
    summary_approve.__doc__ = _summary_step_doc(
        "approve", "Approve the district's summary", SUMMARY_APPROVE,
        "comment", "A comment for the summary's history", False)
    summary_reopen.__doc__ = _summary_step_doc(
        "reopen", "Reopen the district's approved summary", SUMMARY_REOPEN, "reason", "Reason for reopening", True)


def _edition(table) -> dict:
    """One edition's summed figures, as the summary page's table has them."""
    lines = [line for section in table["sections"] for line in section["lines"]]
    return {"form": table["edition"].code, "reports": table["reports"],
            "values": {line["indicator"].code: workflow.stored(line["value"])
                       for line in lines if line["value"] is not None},
            "unknown": {line["indicator"].code: line["missing"] for line in lines if line["missing"]}}


def _district_summary(node, year: int, own, not_approved) -> dict:
    """The district's own summary of the year: status, version, figures as kept on
    submission, history; the steps the caller may take with it now; the libraries whose
    report it still waits for."""
    from app.records.stat_report import _user_name
    from app.reports.stat_summary import _unsaved

    kept = (own.values or {}) if own is not None else {}
    return {
        "id": own.id if own is not None else None,
        "status": workflow.status_of(own) if own is not None else workflow.DRAFT,
        "version": own.version if own is not None else None,
        "editions": [{"form": code, "reports": int(part.get("reports") or 0), "values": dict(part.get("values") or {}),
                      "unknown": dict(part.get("missing") or {})} for code, part in sorted(kept.items())],
        "history": [{"at": s.at.replace(microsecond=0).isoformat() + "Z",
                     "user": {"id": s.user_id, "name": _user_name(s.user_id)} if s.user_id is not None else None,
                     "from": getattr(s.from_status, "name", s.from_status),
                     "to": getattr(s.to_status, "name", s.to_status), "comment": s.comment}
                    for s in (own.steps if own is not None else ())],
        "steps": [step.name for step in workflow.available(own if own is not None else _unsaved(node, year),
                                                            workflow.role_names(g.user), g.user)],
        "not_approved": [{"id": lib.id, "name": lib.name} for lib in not_approved],
    }
