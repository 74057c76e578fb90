"""Errors of the API: JSON with a stable code and the message in Vietnamese and in English,
`{"error": {"code": "not_found", "message": "…", "message_en": "…", "fields": {…}}}`."""
from __future__ import annotations

from flask import current_app, jsonify, request
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

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


class ApiError(Exception):
    """`extra` goes into the error object as it is (e.g. `current` on a conflict)."""

    def __init__(self, status: int, code: str, message, fields: dict | None = None, **extra):
        self.status, self.code, self.message, self.fields, self.extra = status, code, message, fields, extra
        super().__init__(f"{status} {code}")

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
        body["fields"] = {name: [dict(zip(("message", "message_en"), both_languages(m))) for m in messages]
                          for name, messages in fields.items()}
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
        message = _l("The upload is larger than the %(limit)s MB limit. Compress the file (for example scan at a "
                     "lower resolution) or split it into smaller files, and upload again.",
                     limit=current_app.config["MAX_UPLOAD_MB"])
    response, status = error_response(status, code, message)
    if status == 405 and getattr(error, "valid_methods", None):
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response, status
