"""Minh Chứng: the Flask application."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from flask import Flask, redirect, url_for
from flask_babel import gettext
from flask_login import current_user

from checklists.rules import describe_rule
from config import Config, config_from_env

from .extensions import csrf, db, migrate

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def _share_compiled_templates(app: Flask) -> None:
    """Compiled templates kept in the data directory (keyed by each template's source, written atomically): a
    gunicorn worker's first view of a page would otherwise spend ~0.2 s compiling its templates, once per worker
    and page, and again after every restart."""
    from jinja2 import FileSystemBytecodeCache

    directory = Path(app.config["DATA_DIR"]) / "cache" / "templates"
    directory.mkdir(parents=True, exist_ok=True, mode=0o750)
    app.jinja_env.bytecode_cache = FileSystemBytecodeCache(str(directory))


def create_app(config: Config | None = None) -> Flask:
    """The application factory: `config` defaults to what the environment says (see config.py)."""
    config = config if config is not None else config_from_env()
    config.prepare()
    app = Flask(__name__)
    app.config.from_object(config)
    from .inputs import init_app as init_inputs

    init_inputs(app)
    if app.config.get("PROXY_COUNT"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_COUNT"], x_proto=app.config["PROXY_COUNT"])

    from . import models  # noqa: F401  (every table registered before the extensions look at the metadata)
    from .errors import init_app as init_errors
    from .files import init_app as init_files
    from .headers import init_app as init_headers
    from .i18n import format_points
    from .i18n import init_app as init_i18n
    from .logs import init_app as init_logs

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    init_i18n(app)
    app.jinja_env.globals["describe_rule"] = partial(describe_rule, translate=gettext, number=format_points)
    _share_compiled_templates(app)
    init_headers(app)
    init_errors(app)
    init_files(app)
    init_logs(app)
    from .evidence.filecheck import set_max_image_pixels

    set_max_image_pixels(app.config["MAX_IMAGE_PIXELS"])  # ours and Pillow's, for the whole process

    from .auth import init_app as init_auth
    from .auth.routes import bp as auth_bp
    from .catalog.routes import bp as catalog_bp
    from .commands import register_commands
    from .evidence.routes import bp as evidence_bp

    init_auth(app)
    app.register_blueprint(auth_bp)
    app.register_blueprint(catalog_bp)
    app.register_blueprint(evidence_bp)
    register_commands(app)

    from .admin.routes import bp as admin_bp
    from .evidence.reasons import REASONS
    from .reports.routes import bp as reports_bp
    from .review.routes import bp as review_bp

    app.register_blueprint(review_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(reports_bp)

    from .api import init_app as init_api

    init_api(app)
    from .cycle.routes import bp as cycle_bp
    from .health import init_app as init_health
    from .health import require_schema_at_head
    from .permissions import home_endpoint

    app.register_blueprint(cycle_bp)
    from .units.routes import bp as units_bp

    app.register_blueprint(units_bp)
    init_health(app)
    if app.config["CHECK_SCHEMA_AT_START"] and app.config.get("ANNOUNCE_START", True):
        with app.app_context():
            require_schema_at_head()  # a server on an outdated schema would answer 500 on every new table

    @app.context_processor
    def shared_context():
        return {"reasons": REASONS}

    @app.get("/")
    def home():
        if current_user.is_authenticated:
            return redirect(url_for(home_endpoint(current_user)))
        return redirect(url_for("auth.login"))

    return app
