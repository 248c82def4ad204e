"""The file of a record through the REST API (app.attachments), at /<resource>/<pk>/file:
GET downloads it, PUT (multipart/form-data, a part named `file`) attaches one in place of
any, DELETE removes it. The record's version is checked as for any edit of it."""
from flask import request
from flask_appbuilder.api import expose, protect, safe
from flask_appbuilder.security.decorators import permission_name
from flask_babel import gettext as _

from app import attachments
from app.attachments import Refused, checked, detach
from app.tenancy.session import assert_writable
from app.versions import Stale


class AttachmentApi:
    """Mixed into a RecordApi (before it) whose model is app.attachments.WithAttachment."""

    takes_files = True  # app.requests: a multipart body may be as large as a file

    @expose("/<int:pk>/file", methods=["GET"])
    @protect()
    @safe
    @permission_name("get")
    def file(self, pk):
        """The record's file
        ---
        get:
          summary: Download the record's file
          description: >-
            The file as it was attached, with its name in Content-Disposition and the type its
            content showed. 404 when the record has no file.
          parameters:
          - in: path
            name: pk
            schema:
              type: integer
          responses:
            200:
              description: The file
              content:
                application/octet-stream:
                  schema:
                    type: string
                    format: binary
            404:
              $ref: '#/components/responses/404'
        """
        item = self.datamodel.get(pk, self._base_filters)
        if item is None or item.attachment is None:
            return self.response_404()
        return attachments.download(item)

    @expose("/<int:pk>/file", methods=["PUT"])
    @protect()
    @safe
    @permission_name("put")
    def replace_file(self, pk):
        """Attach a file
        ---
        put:
          summary: Attach a file to the record, in place of any it has
          description: >-
            Send the file as multipart/form-data in a part named `file`, and the version this
            change starts from in a part named `version` or in If-Match. Accepted: PDF, DOCX,
            XLSX, PPTX, ODT, ODS (without macros or a password), JPEG, PNG, told by their
            content; at most ATTACHMENT_MAX_BYTES. A refused file answers 422 and changes nothing.
          parameters:
          - in: path
            name: pk
            schema:
              type: integer
          requestBody:
            required: true
            content:
              multipart/form-data:
                schema:
                  type: object
                  required: [file]
                  properties:
                    file:
                      type: string
                      format: binary
                    version:
                      type: integer
          responses:
            200:
              description: Item changed
              content:
                application/json:
                  schema:
                    type: object
            400:
              $ref: '#/components/responses/400'
            404:
              $ref: '#/components/responses/404'
            409:
              $ref: '#/components/responses/409'
            422:
              $ref: '#/components/responses/422'
        """
        return self._change_file(pk, upload=True)

    @expose("/<int:pk>/file", methods=["DELETE"])
    @protect()
    @safe
    @permission_name("put")
    def remove_file(self, pk):
        """Remove the file
        ---
        delete:
          summary: Remove the record's file
          description: >-
            The record stays, without its file. With an If-Match header, only at that version.
            404 when the record has no file.
          parameters:
          - in: path
            name: pk
            schema:
              type: integer
          responses:
            200:
              description: Item changed
              content:
                application/json:
                  schema:
                    type: object
            404:
              $ref: '#/components/responses/404'
            409:
              $ref: '#/components/responses/409'
        """
        return self._change_file(pk, upload=False)

    def _change_file(self, pk, upload: bool):
        item = self.datamodel.get(pk, self._base_filters)  # first: a foreign record is a missing one
        if item is None or (not upload and item.attachment is None):
            return self.response_404()
        try:
            return self._answer(self._apply_file, pk, item, upload)
        except Stale as stale:
            return self._stale(pk, stale)

    def _apply_file(self, pk, item, upload: bool):
        assert_writable(self.datamodel.session, item)  # a record one may only read: 403
        sent = request.form.get("version") if upload else None
        body = {"version": int(sent) if sent and sent.isascii() and sent.isdigit() else sent}
        version, refusal = self._sent_version(body if sent is not None else {}, item)
        if refusal is not None:
            return refusal
        if upload and version is None:
            return self.response(428, message=_(
                "Say which version of the record you edited: send its `version`, or its ETag in "
                "If-Match. Nothing was saved."))
        if version is not None and version != item.version:
            raise Stale()
        if upload:
            if request.mimetype != "multipart/form-data" or "file" not in request.files:
                return self.response_400(message=_("Send the file as multipart/form-data, in a part named file."))
            try:
                found = checked(request.files["file"])
            except Refused as refusal:
                return self.response_422(message={"file": [str(refusal)]})
            if found is None:
                return self.response_400(message=_("Send the file as multipart/form-data, in a part named file."))
            attachments.attach(self.datamodel.session, item, found)
        else:
            detach(item)
        self.datamodel.edit(item)
        return self._record(200, item)
