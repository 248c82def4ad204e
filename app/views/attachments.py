"""The screen of a record that may hold a file (app.attachments): the file in its form,
a link to it on its card and list, and its download."""
from flask import url_for
from flask_appbuilder import expose, has_access
from flask_babel import gettext, lazy_gettext as _l
from flask_wtf.file import FileField
from markupsafe import Markup
from wtforms.validators import ValidationError
from wtforms.widgets import html_params

from app import attachments
from app.attachments import Refused, checked, detach

from .base import RecordView
from .fields import CheckboxField


class AttachmentWidget:
    """The file chooser, with the file the record holds now above it. Its button and the
    chosen name are the page's (the browser's own chooser speaks the browser's language);
    the browser is told the limit (app/static/js/file_input.js)."""

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        current = field.object_data
        note = ""
        if current is not None and hasattr(current, "description"):
            note = Markup('<p class="form-control-static">{0}: {1} ({2})</p>').format(
                gettext("Attached now"), current.name, current.description())
        kwargs["class"] = f"sr-only {kwargs.get('class', '')}".strip()
        attributes = html_params(type="file", name=field.name, data_max_bytes=attachments.max_bytes(),
                                 data_too_large=attachments.too_large(),
                                 accept=",".join(ext for t in attachments.TYPES.values() for ext in t.extensions),
                                 **kwargs)
        none = gettext("No file chosen")
        return note + Markup(
            '<div class="libnet-file"><input {0}>'
            '<label for="{1}" class="btn btn-default btn-sm"><i class="fa fa-paperclip" aria-hidden="true"></i> {2}</label>'
            ' <span class="libnet-file-chosen text-muted" data-none="{3}" aria-live="polite">{3}</span></div>'
        ).format(Markup(attributes), kwargs["id"], gettext("Choose a file"), none)


class AttachmentField(FileField):
    """A file checked by its content on validation; saved by the view (never by populate_obj,
    which runs before the write guard)."""

    widget = AttachmentWidget()
    upload = None

    def pre_validate(self, form):
        try:
            self.upload = checked(self.data)
        except Refused as refusal:
            raise ValidationError(str(refusal)) from None

    def populate_obj(self, obj, name):
        obj._upload = self.upload


class RemoveField(CheckboxField):
    def populate_obj(self, obj, name):
        obj._remove_file = bool(self.data)


def attachment_link(view_name: str):
    def formatter(attached) -> str:
        if attached is None:
            return ""
        return Markup('<a href="{0}" download>{1}</a> <span class="text-muted">({2})</span>').format(
            url_for(f"{view_name}.file", pk=attached.record_id), attached.name, attached.description())

    return formatter


def external_link(address) -> str:
    """A web address the record names, opened apart from the service."""
    if not address:
        return ""
    return Markup('<a href="{0}" target="_blank" rel="noopener noreferrer nofollow">{0}</a>').format(address)


class AttachmentView:
    """Mixed into a RecordView (before it) whose model is app.attachments.WithAttachment:
    its columns name "attachment" where the file goes; a "link" column is shown as a link."""

    takes_files = True  # app.requests: its forms' bodies may be as large as a file
    method_permission_name = {**RecordView.method_permission_name, "file": "show"}  # read with the record

    def __init__(self, **kwargs):
        field = dict(label=_l("File"), description=_l("At most %(limit)s: PDF, DOCX, XLSX, PPTX, ODT, ODS, "
                                                         "JPEG or PNG.", limit=_Limit()))
        self.add_form_extra_fields = {**(self.add_form_extra_fields or {}), "attachment": AttachmentField(**field)}
        self.edit_form_extra_fields = {**(self.edit_form_extra_fields or {}), "attachment": AttachmentField(**field),
                                       "remove_file": RemoveField(_l("Remove the attached file"))}
        columns = list(self.edit_columns)
        if "attachment" in columns and "remove_file" not in columns:
            columns.insert(columns.index("attachment") + 1, "remove_file")
        self.edit_columns = columns
        self.formatters_columns = {"attachment": attachment_link(type(self).__name__), "link": external_link,
                                   **(self.formatters_columns or {})}
        self.label_columns = {"attachment": _l("File"), "remove_file": _l("Remove the attached file"),
                              **(self.label_columns or {})}
        super().__init__(**kwargs)

    @expose("/file/<int:pk>")
    @has_access
    def file(self, pk):
        """The record's file, as the session rule lets the record be read: a foreign or
        missing record, or one without a file, is the same 404."""
        return attachments.download(self.datamodel.get(pk))

    def pre_add(self, item):
        super().pre_add(item)
        self._store(item)

    def pre_update(self, item):
        super().pre_update(item)  # the write guard first: nothing is written for a refused edit
        self._store(item)

    def _store(self, item):
        upload = item.__dict__.pop("_upload", None)
        if upload is not None:
            attachments.attach(self.datamodel.session, item, upload)
        elif item.__dict__.pop("_remove_file", False):
            detach(item)


class _Limit:
    """The size limit, read when the description is shown (the app's config, the user's language)."""

    def __str__(self):
        return attachments.size_text(attachments.max_bytes())
