"""Files attached to records: what is accepted, where it is kept, when it goes.

- Accepted by content, never by name: PDF; DOCX, XLSX, PPTX (Office Open XML, without
  macros); ODT, ODS (OpenDocument, without macros); JPEG; PNG. A password-protected
  document is refused (nobody could open it, and nothing could check it). At most
  ATTACHMENT_MAX_BYTES (config.py).
- Kept under ATTACHMENT_DIR (the instance folder, out of git) as <tenant id>/<random
  name>: the uploaded name is only shown and offered on download, never a path.
- Written before the record is saved, removed again when the save fails; the file a
  record replaced or left (deleted) is removed once the change is committed. So a
  failed save leaves no orphan, and a committed record never points at a missing file.
"""
from __future__ import annotations

import io
import logging
import re
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from flask import abort, current_app, send_file
from flask_babel import gettext as _
from sqlalchemy import CheckConstraint, Column, Integer, String, event
from sqlalchemy.orm import Session, declared_attr

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FileType:
    code: str
    label: str  # as people name the format, the same in every language
    mimetype: str
    extensions: tuple[str, ...]  # the first is given to a name that has none of them


TYPES = {t.code: t for t in (
    FileType("pdf", "PDF", "application/pdf", (".pdf",)),
    FileType("docx", "DOCX", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",)),
    FileType("xlsx", "XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",)),
    FileType("pptx", "PPTX", "application/vnd.openxmlformats-officedocument.presentationml.presentation", (".pptx",)),
    FileType("odt", "ODT", "application/vnd.oasis.opendocument.text", (".odt",)),
    FileType("ods", "ODS", "application/vnd.oasis.opendocument.spreadsheet", (".ods",)),
    FileType("jpeg", "JPEG", "image/jpeg", (".jpg", ".jpeg")),
    FileType("png", "PNG", "image/png", (".png",)),
)}
# The main part of an Office Open XML package -> its type; anything else is not accepted.
OOXML_MAIN = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": "pptx",
}
ODF_MIMETYPES = {"application/vnd.oasis.opendocument.text": "odt",
                 "application/vnd.oasis.opendocument.spreadsheet": "ods"}
# What makes an Office package carry macros: the VBA project, or a main part declared
# macro-enabled (docm, xlsm, pptm), or Excel 4 macro sheets.
OOXML_MACROS = re.compile(r"macroEnabled|vbaProject|macrosheet|ms-office\.activeX", re.IGNORECASE)
ODF_MACROS = re.compile(r"^(Basic|Scripts)/", re.IGNORECASE)
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a Compound File: encrypted Office documents, old .doc/.xls
ENCRYPTED_OLE = "EncryptedPackage".encode("utf-16-le")
SMALL_PART = 1024 * 1024  # the most of a package's manifest read to tell its type (no zip bombs)
KEY = re.compile(r"\d{1,10}/[A-Za-z0-9_-]{20,64}")  # a stored file's key: <tenant id>/<random>


class Refused(ValueError):
    """A file that is not accepted; str() says why, in the user's language."""


def accepted_formats() -> str:
    return _("Attach a PDF, a DOCX, XLSX or PPTX document, an ODT or ODS document, "
             "or a JPEG or PNG image.")


def size_text(size: int) -> str:
    """1,5 МБ / 1,5 MB: a size as people read it."""
    from app.i18n import format_number

    if size < 1024 * 1024:
        return _("%(size)s KB", size=format_number(max(1, round(size / 1024))))
    return _("%(size)s MB", size=format_number(round(size / 1024 / 1024, 1)))


def max_bytes() -> int:
    return int(current_app.config["ATTACHMENT_MAX_BYTES"])


def too_large() -> str:
    return _("The file is too large: at most %(limit)s may be attached.", limit=size_text(max_bytes()))


# -- telling a file's type by its content ----------------------------------------------


def file_type(stream) -> FileType:
    """The type of the file in `stream` (seekable), or Refused saying why not."""
    stream.seek(0)
    head = stream.read(8)
    stream.seek(0)
    if head.startswith(b"%PDF-"):
        return TYPES["pdf"]
    if head.startswith(b"\xff\xd8\xff"):
        return TYPES["jpeg"]
    if head == b"\x89PNG\r\n\x1a\n":
        return TYPES["png"]
    if head.startswith(b"PK\x03\x04"):
        return _package_type(stream)
    if head == OLE:
        if ENCRYPTED_OLE in stream.read(max_bytes() + 1):  # Office's encrypted package
            raise Refused(_("The document is protected by a password: attach it without the password."))
        raise Refused(_("Documents in the old Office formats (DOC, XLS, PPT) are not accepted: save it "
                        "as DOCX, XLSX or PPTX.") + " " + accepted_formats())
    raise Refused(_("This type of file is not accepted.") + " " + accepted_formats())


def _package_type(stream) -> FileType:
    """An Office Open XML or OpenDocument file (both zip packages), told by their manifests."""
    try:
        package = zipfile.ZipFile(stream)
        entries = package.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise Refused(_("The file is damaged or not of an accepted type.") + " " + accepted_formats()) from None
    if any(entry.flag_bits & 0x1 for entry in entries):
        raise Refused(_("The document is protected by a password: attach it without the password."))
    names = {entry.filename: entry for entry in entries}
    if "[Content_Types].xml" in names:
        types = _read_small(package, names["[Content_Types].xml"])
        if OOXML_MACROS.search(types) or any(OOXML_MACROS.search(name) for name in names):
            raise Refused(_("Documents with macros (such as DOCM or XLSM) are not accepted: save it "
                            "without macros, as DOCX, XLSX or PPTX."))
        for element in _parse(types).iter():
            if element.tag.endswith("Override") and element.get("ContentType") in OOXML_MAIN:
                return TYPES[OOXML_MAIN[element.get("ContentType")]]
    elif "mimetype" in names:
        kind = _read_small(package, names["mimetype"]).strip()
        manifest = names.get("META-INF/manifest.xml")
        if manifest is not None and "encryption-data" in _read_small(package, manifest):
            raise Refused(_("The document is protected by a password: attach it without the password."))
        if any(ODF_MACROS.match(name) for name in names):
            raise Refused(_("Documents with macros are not accepted: save it without macros."))
        if kind in ODF_MIMETYPES:
            return TYPES[ODF_MIMETYPES[kind]]
    raise Refused(_("This type of file is not accepted.") + " " + accepted_formats())


def _read_small(package, entry) -> str:
    if entry.file_size > SMALL_PART:
        raise Refused(_("The file is damaged or not of an accepted type.") + " " + accepted_formats())
    try:
        return package.read(entry).decode("utf-8", "replace")
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError):
        raise Refused(_("The file is damaged or not of an accepted type.") + " " + accepted_formats()) from None


def _parse(text: str):
    try:
        return ElementTree.fromstring(text)
    except ElementTree.ParseError:
        raise Refused(_("The file is damaged or not of an accepted type.") + " " + accepted_formats()) from None


# -- an accepted upload -------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    """A file that passed the checks, not stored yet."""

    name: str  # as it will be offered on download
    type: FileType
    size: int
    content: object  # a seekable binary stream


def checked(storage) -> Upload | None:
    """The upload in a werkzeug FileStorage (None when no file was chosen), or Refused."""
    if storage is None or not getattr(storage, "filename", None):
        return None
    stream = storage.stream
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    if size > max_bytes():
        raise Refused(too_large())
    if size == 0:
        raise Refused(_("The file is empty."))
    kind = file_type(stream)
    return Upload(shown_name(storage.filename, kind), kind, size, stream)


def shown_name(name: str, kind: FileType) -> str:
    """The uploaded name without any folder or control character, ending as its type does."""
    name = unicodedata.normalize("NFC", re.split(r"[\\/]", name or "")[-1])
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip().strip(".") or _("file")
    stem, dot, extension = name.rpartition(".")
    if not dot or f".{extension.lower()}" not in kind.extensions:
        stem, extension = name, kind.extensions[0][1:]
    return f"{stem[:200]}.{extension.lower()}"


# -- the columns of a record with a file --------------------------------------------------


class WithAttachment:
    """A record that may hold one file: its name as uploaded, its type (told by its
    content), its size, and where it is kept (`file_key`, never shown)."""

    file_name = Column(String(255))
    file_type = Column(String(10))
    file_size = Column(Integer)

    @declared_attr
    def file_key(cls):
        return Column(String(80))

    @property
    def attachment(self) -> "Attached | None":
        if not self.file_key:
            return None
        return Attached(self.id, self.file_name, TYPES.get(self.file_type), self.file_size or 0)


def attachment_constraints(table: str) -> tuple:
    """The checks a table with a file takes: its file's four columns set together."""
    return (CheckConstraint("(file_key IS NULL) = (file_name IS NULL) AND (file_key IS NULL) = (file_type IS NULL)"
                            " AND (file_key IS NULL) = (file_size IS NULL)", name=f"ck_{table}_file"),)


@dataclass(frozen=True)
class Attached:
    """A record's stored file, as its screens show it."""

    record_id: int
    name: str
    type: FileType | None
    size: int

    def __str__(self):
        return self.name

    def description(self) -> str:
        kind = self.type.label if self.type else ""
        return f"{kind}, {size_text(self.size)}" if kind else size_text(self.size)


def root() -> Path:
    return Path(current_app.config["ATTACHMENT_DIR"])


def path_of(key: str | None) -> Path | None:
    """Where the file of `key` is kept; None for a key that is not one of ours."""
    if not key or not KEY.fullmatch(key):
        return None
    return root() / key


def attach(session: Session, item, upload: Upload) -> None:
    """Store `upload` as `item`'s file, in place of any it had. The file is written now;
    it is removed again unless the record's save is committed, and the one it replaces
    goes once it is (the mapper events below)."""
    tenant = item.tenant_id if item.tenant_id is not None else item.tenant.id  # a new record: set by relation
    key = f"{int(tenant)}/{secrets.token_urlsafe(24)}"
    target = root() / key
    target.parent.mkdir(parents=True, exist_ok=True)
    _pending(session, "written").append(target)  # before the write: a failed one is cleaned too
    upload.content.seek(0)
    with open(target, "xb") as out:
        while chunk := upload.content.read(1024 * 1024):
            out.write(chunk)
    item.file_key, item.file_name, item.file_type, item.file_size = key, upload.name, upload.type.code, upload.size


def detach(item) -> None:
    """`item` holds no file any more (its file goes once this is committed)."""
    item.file_key = item.file_name = item.file_type = item.file_size = None


def _pending(session: Session, kind: str) -> list:
    return session.info.setdefault(f"attachments_{kind}", [])


def _remove(paths) -> None:
    for path in paths:
        try:
            path.unlink(missing_ok=True)
        except OSError:  # the record no longer names it: a leftover, not a loss
            log.warning("could not remove the attachment %s", path)


def _forget(session: Session, old_key) -> None:
    path = path_of(old_key)
    if path is not None:
        _pending(session, "released").append(path)


def register(model) -> None:
    """Remove a file when its record no longer names it: replaced, removed or deleted."""

    @event.listens_for(model, "after_update")
    def _replaced(mapper, connection, target):
        from sqlalchemy import inspect

        history = inspect(target).attrs.file_key.history
        for old in history.deleted or ():
            if old and old != target.file_key:
                _forget(Session.object_session(target), old)

    @event.listens_for(model, "after_delete")
    def _deleted(mapper, connection, target):
        _forget(Session.object_session(target), target.file_key)


@event.listens_for(Session, "after_commit")
def _committed(session):
    _remove(session.info.pop("attachments_released", []))
    session.info.pop("attachments_written", None)  # the saved record names these now


@event.listens_for(Session, "after_transaction_end")
def _ended(session, transaction):
    if transaction.parent is None:  # the outermost: anything written and not committed goes
        _remove(session.info.pop("attachments_written", []))
        session.info.pop("attachments_released", None)  # still named by the record as stored


def download(item):
    """The response that sends `item`'s file: 404 when it has none (as for a missing
    record), with the name it was uploaded by and the type its content showed."""
    attached = item.attachment if item is not None else None
    path = path_of(item.file_key) if attached is not None else None
    kind = attached.type if attached is not None else None
    if path is None or kind is None:
        abort(404)
    if not path.is_file():
        log.error("the file of %s %s is missing: %s", type(item).__tablename__, item.id, path)
        abort(404)
    response = send_file(path, mimetype=kind.mimetype, as_attachment=True, download_name=attached.name,
                         conditional=True, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-cache"
    return response
