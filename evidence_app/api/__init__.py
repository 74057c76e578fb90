"""The JSON API under /api/v1: personal tokens or the browser session, the same service functions as the pages."""
from __future__ import annotations


def init_app(app) -> None:
    from werkzeug.exceptions import HTTPException

    from .cli import tokens_cli
    from .errors import ApiError, http_error, is_api_request
    from .pages import bp as tokens_bp
    from .routes import bp as api_bp

    app.register_blueprint(api_bp)
    app.register_blueprint(tokens_bp)
    app.cli.add_command(tokens_cli)
    app.register_error_handler(ApiError, lambda error: error.response())

    # The page handlers (security.py) answer 400/403/404/413/422/500 with HTML, and send API requests to JSON.
    @app.errorhandler(401)
    @app.errorhandler(405)
    @app.errorhandler(415)
    def api_http_error(error: HTTPException):
        return http_error(error) if is_api_request() else error
