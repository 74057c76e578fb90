"""Headers every response carries, and the friendly answer to an expired form."""
from __future__ import annotations

from flask import render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError

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
