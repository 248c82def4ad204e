"""The import of a record type's spreadsheet through the REST API (app/imports), a mixin
of app.api.base.RecordApi: its permission is "can_import", which the role table gives
with "add"."""
from flask import current_app, request
from flask_appbuilder.api import BaseApi, expose, protect, safe
from flask_appbuilder.security.decorators import permission_name
from flask_babel import gettext as _

IMPORT_ANSWER = {"type": "object", "required": ["created", "updated", "unchanged", "refused", "errors", "batch"],
                 "properties": {
                     "created": {"type": "integer"}, "updated": {"type": "integer"},
                     "unchanged": {"type": "integer"}, "refused": {"type": "integer"},
                     "errors": {"type": "array", "items": {
                         "type": "object", "required": ["row", "column", "message"],
                         "properties": {"row": {"type": "integer"}, "column": {"type": "string"},
                                        "message": {"type": "string"}}}},
                     "batch": {"type": "string", "nullable": True},
                     # The accounts' import only, once written: user name -> initial password.
                     "passwords": {"type": "object", "additionalProperties": {"type": "string"}}}}


class ImportingApi:
    """POST /api/v1/<resource>/import and GET .../import/template (app/imports): a mixin
    of RecordApi, for the record types with a natural key."""

    def _record_type(self):
        from app.imports.views import imported_type

        return imported_type(type(self))

    @expose("/import", methods=["POST"])
    @protect()
    @permission_name("import")
    @safe
    def import_file(self):
        """Import a spreadsheet of these records
        ---
        post:
          description: >-
            The file (XLSX, or CSV with ; or , in UTF-8 or Windows-1251) as the multipart field
            `file`. Rows are matched to records by their natural key and added or changed in one
            transaction. With `dry_run=true` (the default) nothing is written: the answer is the
            preview. With `dry_run=false` the rows are written unless one is refused
            (`valid_only=true` writes the valid ones). `batch` names what was written, for its undoing.
          parameters:
          - in: query
            name: dry_run
            schema: {type: boolean, default: true}
          - in: query
            name: valid_only
            schema: {type: boolean, default: false}
          requestBody:
            required: true
            content:
              multipart/form-data:
                schema:
                  type: object
                  required: [file]
                  properties:
                    file: {type: string, format: binary}
          responses:
            200:
              description: What the file adds, changes and leaves, and each refused cell
              content:
                application/json:
                  schema: {$ref: '#/components/schemas/ImportOutcome'}
            400:
              description: Bad request
            422:
              description: The whole file refused, or its records refused by the database
        """
        from app.imports.run import ImportFailed, run
        from app.imports.views import import_defaults

        record_type = self._record_type()
        if record_type is None:
            return self.response_404()
        flags = {}
        for name, default in (("dry_run", True), ("valid_only", False)):
            text = request.args.get(name, "").strip().lower()
            if text not in ("", "true", "false", "1", "0"):
                return self.response_400(message=_("%(name)s is true or false.", name=name))
            flags[name] = default if text == "" else text in ("true", "1")
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            return self.response_400(message=_("Send the spreadsheet as the multipart field `file`."))
        data = upload.read(current_app.config["IMPORT_MAX_BYTES"] + 1)
        try:
            outcome = run(record_type, upload.filename, data, dry_run=flags["dry_run"],
                          valid_only=flags["valid_only"], defaults=import_defaults(record_type))
        except ImportFailed:
            return self.response_422(message=_("The database refused the file's records: nothing was imported."))
        if outcome.file_error:
            return self.response(422, message=outcome.file_error)
        return self.response(200, **outcome.as_json())

    @expose("/import/template", methods=["GET"])
    @protect()
    @permission_name("import")
    @safe
    def import_template(self):
        """The spreadsheet to fill, in the caller's language
        ---
        get:
          responses:
            200:
              description: An XLSX workbook
              content:
                application/vnd.openxmlformats-officedocument.spreadsheetml.sheet:
                  schema: {type: string, format: binary}
        """
        from app.imports.template import template
        from app.reports.files import XLSX

        record_type = self._record_type()
        if record_type is None:
            return self.response_404()
        response = current_app.response_class(template(record_type), mimetype=XLSX)
        response.headers["Content-Disposition"] = f'attachment; filename="{record_type.name}-template.xlsx"'
        return response


class AccountImportApi(ImportingApi, BaseApi):
    """POST /api/v1/account/import and GET .../import/template: the accounts of the
    caller's subtree from a spreadsheet (app/imports/accounts.py). The accounts' own API
    (/api/v1/security/users/) is Admin's; this one serves the import alone, to whoever
    may add accounts on the account screen. Written, the answer adds `passwords`: the
    user name and initial password of each account created, given this once."""

    resource_name = "account"
    allow_browser_login = True
    openapi_spec_tag = "Accounts"

    def add_apispec_components(self, api_spec):
        super().add_apispec_components(api_spec)
        if "ImportOutcome" not in api_spec.components.schemas:
            api_spec.components.schema("ImportOutcome", IMPORT_ANSWER)
