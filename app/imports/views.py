"""The import screens of every record list (a mixin of app.views.base.RecordView):

/<view>/import/            the page: the template to fill, the upload, the latest imports
/<view>/import/ (POST)     the preview of an uploaded file: nothing is written
/<view>/import/confirm     the import of the file previewed
/<view>/import/template    the spreadsheet to fill, in the user's language
/<view>/import/undo/<batch>  an import taken back
/<view>/import/progress?key=  how far the upload's or confirmation's run has got (JSON)

All with the permission "can_import" of the view, which the role table gives with "add".
The previewed file waits under instance/imports/ for its confirmation, named by a token
kept in the user's own session: nobody else can import it."""
from __future__ import annotations

import secrets
import time
from pathlib import Path

from flask import abort, current_app, flash, jsonify, redirect, request, session, url_for
from flask_appbuilder import expose, has_access
from flask_babel import gettext as _

from app.i18n import format_moment, format_number

from .files import too_large

KEEP_SECONDS = 24 * 3600  # a preview not confirmed within a day is forgotten
UPLOADS = "imports"


IMPORT_ROUTES = {"import_page", "import_confirm", "import_template", "import_undo", "import_progress"}


def imported_type(cls):
    """The record type whose screen or API (or import API) `cls` is, if it is imported."""
    from app.records import record_types

    from .kinds import import_api, importable

    found = next((t for t in record_types().values() if cls in (t.view, t.api, import_api(t))), None)
    return found if found is not None and importable(found) else None


def without_imports(view, routes: set[str]) -> None:
    """A type without a natural key is not imported: its screen or API serves no import
    routes (and FAB makes no permission for them)."""
    if imported_type(type(view)) is None:
        view.exclude_route_methods = set(view.exclude_route_methods) | routes


class Importable:
    """Adds the import screens to a record screen whose type has a natural key."""

    def _record_type(self):
        found = imported_type(type(self))
        if found is None:
            abort(404)
        return found

    def import_allowed(self) -> bool:
        """Does the list show an Import button? For a type with a natural key, to whoever may add."""
        return imported_type(type(self)) is not None and \
            self.appbuilder.sm.has_access("can_import", self.class_permission_name)

    def _defaults(self) -> dict:
        return import_defaults(self._record_type())

    @expose("/import/", methods=["GET", "POST"])
    @has_access
    def import_page(self):
        from .run import ImportFailed, batches, run

        record_type = self._record_type()
        outcome, token = None, None
        if request.method == "POST":
            upload = request.files.get("file")
            if upload is None or not upload.filename:
                flash(_("Choose the file to import."), "warning")
                return redirect(url_for(".import_page"))
            data = upload.read(current_app.config["IMPORT_MAX_BYTES"] + 1)
            progress = _progress()
            try:
                outcome = run(record_type, upload.filename, data, dry_run=True, defaults=self._defaults(),
                              progress=progress)
            except ImportFailed:
                outcome = None
                flash(_("The database refused the file's records: nothing was imported."), "danger")
            finally:
                if progress is not None:
                    progress.close()
            if outcome is not None and not outcome.file_error and (outcome.created or outcome.updated):
                token = _keep(record_type.name, upload.filename, data)
        return self.render_template(
            "imports/import.html", record_type=record_type, title=_("Import: %(records)s", records=self.list_title),
            outcome=outcome, token=token, batches=batches(record_type), moment=format_moment,
            file_name=request.files.get("file").filename if outcome is not None else None,
            list_url=url_for(".list"), limit=current_app.config["IMPORT_MAX_BYTES"] // (1024 * 1024),
            limit_bytes=current_app.config["IMPORT_MAX_BYTES"],
            too_large=too_large(current_app.config["IMPORT_MAX_BYTES"]))

    @expose("/import/confirm", methods=["POST"])
    @has_access
    def import_confirm(self):
        from .run import ImportFailed, run

        record_type = self._record_type()
        kept = _kept(request.form.get("token", ""), record_type.name)
        if kept is None:
            flash(_("The file previewed is no longer at hand: upload it again."), "warning")
            return redirect(url_for(".import_page"))
        name, data = kept
        progress = _progress()
        try:
            outcome = run(record_type, name, data, dry_run=False, valid_only=request.form.get("valid_only") == "1",
                          defaults=self._defaults(), progress=progress)
        except ImportFailed:
            flash(_("The database refused the file's records: nothing was imported."), "danger")
            return redirect(url_for(".import_page"))
        finally:
            if progress is not None:
                progress.close()
        if outcome.written:
            _forget(request.form.get("token", ""))
            flash(_("Imported from %(file)s: %(created)d added, %(updated)d changed, %(unchanged)d unchanged, "
                    "%(refused)d refused.", file=name, created=outcome.created, updated=outcome.updated,
                    unchanged=outcome.unchanged, refused=outcome.refused), "success")
            if outcome.passwords:  # shown in this answer only: never in a redirect, a cookie or a log
                page = self.render_template(
                    "imports/passwords.html", record_type=record_type, passwords=outcome.passwords,
                    title=_("Import: %(records)s", records=self.list_title), list_url=url_for(".list"))
                response = current_app.make_response(page)
                response.headers["Cache-Control"] = "no-store"
                return response
            return redirect(url_for(".list"))
        flash(_("Nothing was imported: the file has refused rows. Fix them, or import the valid rows only."),
              "warning")
        return redirect(url_for(".import_page"))

    @expose("/import/template")
    @has_access
    def import_template(self):
        from app.reports.files import XLSX

        from .template import template

        record_type = self._record_type()
        body = template(record_type)
        name = f"{record_type.name}-template.xlsx"
        response = current_app.response_class(body, mimetype=XLSX)
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    @expose("/import/progress")
    @has_access
    def import_progress(self):
        """How far the user's run named `key` has got: {stage, done, total, text}; 404 when
        it is not running (done, never started, or another user's)."""
        from .progress import CHECKING, SAVING, reported

        self._record_type()
        found = reported(request.args.get("key"), _user_id())
        if found is None:
            abort(404)
        if found["stage"] == CHECKING and found["total"]:
            text = _("Checked %(done)s of %(total)s rows", done=format_number(found["done"]),
                     total=format_number(found["total"]))
        elif found["stage"] == SAVING:
            text = _("Saving the records…")
        else:
            text = _("Reading the file…")
        response = jsonify({**found, "text": text})
        response.headers["Cache-Control"] = "no-store"
        return response

    @expose("/import/undo/<batch>", methods=["POST"])
    @has_access
    def import_undo(self, batch):
        from .run import NotUndone, undo

        self._record_type()
        if not (batch.isascii() and batch.isalnum() and len(batch) == 32):
            abort(404)
        try:
            summary = undo(batch)
        except LookupError:
            abort(404)
        except NotUndone as refusal:
            flash(refusal.message, "warning")
            return redirect(url_for(".import_page"))
        flash(_("The import of %(file)s is undone.", file=summary.get("file", "")), "success")
        return redirect(url_for(".import_page"))


def import_defaults(record_type) -> dict:
    """Columns a file of the user's may leave out: their district, their library."""
    from .kinds import describe

    return describe(record_type).defaults()


def _folder() -> Path:
    folder = Path(current_app.instance_path) / UPLOADS
    folder.mkdir(parents=True, exist_ok=True)
    now = time.time()
    for old in [*folder.glob("*.bin"), *folder.glob("*.progress")]:  # a run that died leaves its file
        if now - old.stat().st_mtime > KEEP_SECONDS:
            old.unlink(missing_ok=True)
    return folder


def _user_id():
    from flask_login import current_user

    return getattr(current_user, "id", None)


def _progress():
    """The progress of this request's run, when the page named one (app/imports/progress.py)."""
    from .progress import started

    return started(request.form.get("progress"), _user_id())


def _keep(kind: str, name: str, data: bytes) -> str:
    token = secrets.token_urlsafe(24)
    (_folder() / f"{token}.bin").write_bytes(data)
    kept = {t: v for t, v in session.get("imports", {}).items()
            if (_folder() / f"{t}.bin").exists()}
    kept[token] = {"type": kind, "name": name[:255]}
    session["imports"] = dict(list(kept.items())[-5:])
    return token


def _kept(token: str, kind: str) -> tuple[str, bytes] | None:
    meta = session.get("imports", {}).get(token)
    path = _folder() / f"{token}.bin"
    if meta is None or meta.get("type") != kind or not path.exists():
        return None
    return meta["name"], path.read_bytes()


def _forget(token: str) -> None:
    kept = dict(session.get("imports", {}))
    kept.pop(token, None)
    session["imports"] = kept
    (_folder() / f"{token}.bin").unlink(missing_ok=True)
