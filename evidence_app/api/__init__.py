"""The JSON API under /api/v1: personal tokens or the browser session, the same service functions as the pages."""

from __future__ import annotations


def init_app(app) -> None:
    from ..auth.accounts import ON_PASSWORD_RESET
    from .cli import tokens_cli
    from .operations import revoke_tokens_on_password_reset
    from .pages import bp as tokens_bp
    from .routes import bp as api_bp

    app.register_blueprint(api_bp)
    app.register_blueprint(tokens_bp)
    app.cli.add_command(tokens_cli)
    app.extensions.setdefault(ON_PASSWORD_RESET, []).append(revoke_tokens_on_password_reset)
