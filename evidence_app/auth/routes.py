from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from . import throttle
from .accounts import record_failed_sign_in, record_sign_in
from .forms import LoginForm, LogoutForm
from .passwords import sign_in_check
from .queries import user_named

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only a path on this site: `next=https://evil.example` must not redirect away."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("home")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home"))
    form = LoginForm()
    if form.validate_on_submit():
        username = form.username.data.strip()
        address = request.remote_addr or "unknown"
        wait = throttle.retry_after(username, address)
        if wait is not None:
            minutes = max(1, round(wait / 60))
            flash(
                _(
                    "Too many failed sign-ins. Try again in %(minutes)s minute(s), or ask the administrator to reset "
                    "your password.",
                    minutes=minutes,
                ),
                "error",
            )
            response = make_response(render_template("auth/login.html", form=form), 429)
            response.headers["Retry-After"] = str(wait)
            return response
        user = user_named(username)
        if sign_in_check(user, form.password.data):
            lang = session.get("lang")
            session.clear()  # a fresh session at sign-in: nothing carried over from before
            if lang:
                session["lang"] = lang
            login_user(user)
            record_sign_in(user)
            return redirect(_safe_next(request.args.get("next")))
        record_failed_sign_in(username, address, user)
        flash(_("Wrong username or password."), "error")
    return render_template("auth/login.html", form=form), 200 if request.method == "GET" or form.errors else 401


@bp.post("/logout")
@login_required
def logout():
    form = LogoutForm()
    if form.validate_on_submit():
        logout_user()
        session.clear()
        flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))
