"""Headers every response carries, and the error pages: an expired form, and the database, the file store or
the disk failing (a clear page, never a stack trace; JSON for the pages' scripts)."""
from __future__ import annotations

import contextlib

from flask import g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError

from storage import StorageError

from .extensions import db
from .files import UploadDiskFull

from .api.errors import error_response, http_error, is_api_request

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def init_app(app) -> None:
    @app.after_request
    def set_security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response

    @app.errorhandler(400)
    @app.errorhandler(403)
    @app.errorhandler(404)
    @app.errorhandler(422)
    def error_page(error):
        if is_api_request():
            return http_error(error)
        titles = {400: _("The request cannot be handled"), 403: _("Not allowed"), 404: _("Not found"),
                  422: _("The request cannot be handled")}
        default = {403: _("Your role does not allow this."), 404: _("This page does not exist, or it is not yours to see.")}
        message = error.description if error.code in (400, 422) else default.get(error.code, error.description)
        return render_template("error.html", title=titles[error.code], message=message), error.code

    @app.errorhandler(413)
    def too_large(error):
        if is_api_request():
            return http_error(error)
        limit = app.config["MAX_UPLOAD_MB"]
        message = _("The upload is larger than the %(limit)s MB limit. Compress the file (for example scan at a "
                    "lower resolution) or split it into smaller files, and upload again.", limit=limit)
        return render_template("error.html", title=_("File too large"), message=message), 413

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        if is_api_request():
            return error_response(400, "csrf_failed", _l("A signed-in browser must send the page's CSRF token in the "
                                                          "X-CSRFToken header; scripts use an API token instead."))
        message = _("The form had expired or was not sent from this site. Go back, reload the page and try again.")
        return render_template("error.html", title=_("Form expired"), message=message), 400

    def unavailable(code: str, status: int, title, message):
        if is_api_request():
            return error_response(status, code, message)
        if request.accept_mimetypes.best == "application/json":  # the pages' own scripts
            return jsonify(error={"code": code, "message": str(message)}), status
        return render_template("unavailable.html", title=title, message=message), status

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_unavailable(error):
        app.logger.error("database error: %s", error)
        with contextlib.suppress(Exception):
            db.session.rollback()
        if "_login_user" not in g:  # the user could not be loaded: rendering must not try again (Flask-Login's
            g._login_user = app.login_manager.anonymous_user()  # context processor would, and fail once more)
        return unavailable("database_unavailable", 503, _l("The database cannot be reached"),
                           _l("Nothing was saved by this request. Wait a minute and try again; if it goes on, tell the "
                             "IT office."))

    @app.errorhandler(StorageError)
    def storage_unavailable(error):
        app.logger.error("file store error: %s", error)
        return unavailable("storage_unavailable", 503, _l("The file store cannot be reached"),
                           _l("The file could not be read or saved now. Wait a few minutes and try again; if it goes "
                             "on, tell the IT office."))

    @app.errorhandler(UploadDiskFull)
    def disk_full(error):
        return unavailable("disk_full", 507, _l("The server's disk is full"),
                           _l("The upload was not saved. Tell the IT office that the server's disk is full, and upload "
                             "again once they have made room."))

    @app.errorhandler(500)
    def internal_error(error):
        if is_api_request():
            return http_error(error)
        return unavailable("internal_error", 500, _l("Something went wrong"),
                           _l("The request failed and nothing was saved by it. Try again; if it goes on, tell the IT "
                             "office the time it happened."))

