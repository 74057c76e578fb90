"""Errors, for people and for programs: a clear page for the first (never a stack trace), and for the API
JSON with a stable code and the message in Vietnamese and in English,
`{"error": {"code": "not_found", "message": "…", "message_en": "…", "fields": {…}}}`. The handlers of the
whole app are registered here: expired forms, the database, the file store or the disk failing, and bugs."""

from __future__ import annotations

import contextlib
from urllib.parse import urlsplit

from flask import current_app, g, jsonify, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from storage import StorageError

from .extensions import db
from .files import UploadDiskFull

API_PREFIX = "/api/"

HTTP_ERRORS = {  # status → (code, message) for the errors raised by Flask itself or by abort()
    400: ("bad_request", _l("The request is not valid.")),
    401: ("unauthenticated", _l("Sign in, or send a valid API token: Authorization: Bearer <token>.")),
    403: ("forbidden", _l("Your role does not allow this.")),
    404: ("not_found", _l("This page does not exist, or it is not yours to see.")),
    405: ("method_not_allowed", _l("This method is not allowed here.")),
    409: ("conflict", _l("Someone else changed this first; nothing was overwritten.")),
    415: ("unsupported_media_type", _l("Send the body as JSON (Content-Type: application/json).")),
    422: ("invalid", _l("Some fields are not valid.")),
    500: ("server_error", _l("Something went wrong on the server; the administrator can see what in the logs.")),
}


SESSION_ENDED = _l("Your session has ended — sign in again")


def session_ended(back: str, status: int = 400, *, kept=None):
    """A form sent after the session ended, or with a stale CSRF token (which a new sign-in also makes stale):
    signing in again leads back to `back`, a path on this site. The pages' scripts get JSON with the same
    message and the sign-in address; `kept` says, for a person, what of their input comes back."""
    login = url_for("auth.login", next=back)
    if request.accept_mimetypes.best == "application/json":
        return jsonify(error={"code": "session_expired", "message": str(SESSION_ENDED), "login": login}), status
    message = _("Nothing was saved by this request. Sign in again to go back to the page you were on.")
    return render_template(
        "error.html",
        title=SESSION_ENDED,
        message=f"{message} {kept}" if kept else message,
        links=[(login, _("Sign in again"))],
    ), status


def too_large_page(back: str | None = None):
    """An upload over the request limit (nothing of it was read): what to do, and the way back to the form."""
    message = _(
        "The upload is larger than the %(limit)s MB limit. Compress the file (for example scan at a "
        "lower resolution) or split it into smaller files, and upload again.",
        limit=current_app.config["MAX_UPLOAD_MB"],
    )
    links = [(back, _("Back to the form"))] if back else None
    return render_template("error.html", title=_("File too large"), message=message, links=links), 413


def same_site_referrer() -> str:
    """The page a form was sent from, as a path on this site (or the start page)."""
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path.startswith("/") and not referrer.path.startswith("//"):
        return referrer.path + (f"?{referrer.query}" if referrer.query else "")
    return url_for("home")


class Refused(Exception):
    """Something the app will not do, and why; whatever the request had begun is rolled back.

    Every refusal of the app is one of these (an upload refused, a decision not allowed, a figure that is not a
    number, an import that does not fit, …), so that one handler answers them all: JSON for the API, a page for
    people (routes that redisplay a form catch their own refusals first).

    code     stable and machine-readable (`own_upload`, `file_type`, …): for the API, logs and tests
    message  lazy translatable text for the user: what is wrong and what to do
    field    the input at fault, when there is one: the API then answers `invalid` with `fields`
    status   the HTTP status of the answer
    extra    more members of the API's error object (e.g. `current` on a conflict)
    """

    code = "invalid"
    status = 422

    def __init__(
        self, message, *, code: str | None = None, field: str | None = None, status: int | None = None, **extra
    ):
        self.message, self.field, self.extra = message, field, extra
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        super().__init__(f"{field}: {message}" if field else str(message))

    @property
    def english(self) -> str:
        """The message in English, for the command line."""
        return both_languages(self.message)[1]

    def response(self):
        """The API's answer."""
        if self.field:
            return error_response(
                self.status, "invalid", HTTP_ERRORS[422][1], {self.field: [self.message]}, **self.extra
            )
        return error_response(self.status, self.code, self.message, **self.extra)


class ProblemsRefused(Refused):
    """A file that cannot be applied as a whole; `problems` says why, one line each (naming the file and the row)."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


class ApiError(Refused):
    """A refusal raised by the API's own checks (a missing token, a body that is not JSON, fields not valid)."""

    def __init__(self, status: int, code: str, message, fields: dict | None = None, **extra):
        super().__init__(message, code=code, status=status, **extra)
        self.fields = fields

    def response(self):
        return error_response(self.status, self.code, self.message, self.fields, **self.extra)


def both_languages(message) -> tuple[str, str]:
    """A lazy message rendered in Vietnamese and in English (a plain string is the same in both)."""
    with force_locale("vi"):
        vi = str(message)
    with force_locale("en"):
        en = str(message)
    return vi, en


def error_response(status: int, code: str, message, fields: dict | None = None, **extra):
    vi, en = both_languages(message)
    body = {"code": code, "message": vi, "message_en": en, **extra}
    if fields:
        body["fields"] = {
            name: [dict(zip(("message", "message_en"), both_languages(m))) for m in messages]
            for name, messages in fields.items()
        }
    response = jsonify(error=body)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="minhchung"'
    return response, status


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


def http_error(error):
    """The JSON answer to an HTTPException raised while serving the API."""
    status = getattr(error, "code", None) or 500
    code, message = HTTP_ERRORS.get(status, HTTP_ERRORS[500 if status >= 500 else 400])
    if status == 413:
        code = "too_large"
        message = _l(
            "The upload is larger than the %(limit)s MB limit. Compress the file (for example scan at a "
            "lower resolution) or split it into smaller files, and upload again.",
            limit=current_app.config["MAX_UPLOAD_MB"],
        )
    response, status = error_response(status, code, message)
    if status == 405 and getattr(error, "valid_methods", None):
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response, status


def init_app(app) -> None:
    @app.errorhandler(Refused)
    def refused(error: Refused):
        with contextlib.suppress(Exception):
            db.session.rollback()  # nothing the refused request began is kept
        if is_api_request():
            return error.response()
        titles = {403: _("Not allowed"), 404: _("Not found"), 409: _("Someone else was first")}
        title = titles.get(error.status, _("The request cannot be handled"))
        return render_template("error.html", title=title, message=error.message), error.status

    @app.errorhandler(401)
    @app.errorhandler(405)
    @app.errorhandler(415)
    def api_http_error(error: HTTPException):
        return http_error(error) if is_api_request() else error

    @app.errorhandler(400)
    @app.errorhandler(403)
    @app.errorhandler(404)
    @app.errorhandler(422)
    def error_page(error):
        if is_api_request():
            return http_error(error)
        titles = {
            400: _("The request cannot be handled"),
            403: _("Not allowed"),
            404: _("Not found"),
            422: _("The request cannot be handled"),
        }
        default = {
            403: _("Your role does not allow this."),
            404: _("This page does not exist, or it is not yours to see."),
        }
        message = error.description if error.code in (400, 422) else default.get(error.code, error.description)
        return render_template("error.html", title=titles[error.code], message=message), error.code

    @app.errorhandler(413)
    def too_large(error):
        if is_api_request():
            return http_error(error)
        return too_large_page()

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        if is_api_request():
            return error_response(
                400,
                "csrf_failed",
                _l(
                    "A signed-in browser must send the page's CSRF token in the "
                    "X-CSRFToken header; scripts use an API token instead."
                ),
            )
        if app.config.get("SESSION_COOKIE_SECURE") and not request.is_secure:
            # Production's cookies are sent over HTTPS only: over plain HTTP no form can ever pass, however often
            # the user signs in again. Say so, instead of "the session ended".
            message = _(
                "This server must be used over HTTPS: its address starts with https://. Open "
                "%(url)s, or ask the administrator to set up TLS (docs/production.md).",
                url=request.url.replace("http://", "https://", 1),
            )
            return render_template("error.html", title=_("HTTPS is required"), message=message), 400
        return session_ended(same_site_referrer())

    def unavailable(code: str, status: int, title, message):
        if is_api_request():
            return error_response(status, code, message)
        if request.accept_mimetypes.best == "application/json":  # the pages' own scripts
            return jsonify(error={"code": code, "message": str(message)}), status
        return render_template("unavailable.html", title=title, message=message), status

    @app.errorhandler(OperationalError)  # also a connect or statement timeout (config.engine_options)
    @app.errorhandler(InterfaceError)
    @app.errorhandler(PoolTimeout)  # every connection of the pool busy for MINHCHUNG_DB_CONNECT_TIMEOUT seconds
    def database_unavailable(error):
        app.logger.error("database error: %s", error)
        with contextlib.suppress(Exception):
            db.session.rollback()
        if "_login_user" not in g:  # the user could not be loaded: rendering must not try again (Flask-Login's
            g._login_user = app.login_manager.anonymous_user()  # context processor would, and fail once more)
        return unavailable(
            "database_unavailable",
            503,
            _l("The database cannot be reached"),
            _l("Nothing was saved by this request. Wait a minute and try again; if it goes on, tell the IT office."),
        )

    @app.errorhandler(StorageError)
    def storage_unavailable(error):
        app.logger.error("file store error: %s", error)
        return unavailable(
            "storage_unavailable",
            503,
            _l("The file store cannot be reached"),
            _l(
                "The file could not be read or saved now. Wait a few minutes and try again; if it goes "
                "on, tell the IT office."
            ),
        )

    @app.errorhandler(UploadDiskFull)
    def disk_full(error):
        return unavailable(
            "disk_full",
            507,
            _l("The server's disk is full"),
            _l(
                "The upload was not saved. Tell the IT office that the server's disk is full, and upload "
                "again once they have made room."
            ),
        )

    @app.errorhandler(500)
    def internal_error(error):
        if is_api_request():
            return http_error(error)
        return unavailable(
            "internal_error",
            500,
            _l("Something went wrong"),
            _l(
                "The request failed and nothing was saved by it. Try again; if it goes on, tell the IT "
                "office the time it happened."
            ),
        )
