from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from . import sessions, throttle
from .accounts import AccountRefused, change_own_password, record_failed_sign_in, record_sign_in, record_sign_out
from .forms import LoginForm, LogoutForm, PasswordChangeForm
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


# What a user who must change their password may still reach (the rest redirects to the change).
OPEN_BEFORE_PASSWORD_CHANGE = {"auth.change_password", "auth.logout", "auth.login", "static"}


@bp.before_app_request
def password_change_first():
    """A password an administrator chose is changed by its user before anything else (users.must_change_password)."""
    if request.endpoint is None or request.endpoint in OPEN_BEFORE_PASSWORD_CHANGE:
        return None
    if current_user.is_authenticated and current_user.must_change_password:
        return redirect(url_for("auth.change_password"), 303)
    return None


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:  # signed in still (a form had only gone stale): straight back
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        username = form.username.data.strip()
        address = sessions.client_address()
        hold = throttle.hold(username, address)
        if hold is not None:
            return _held(form, hold)
        user = user_named(username)
        if sign_in_check(user, form.password.data):
            sessions.fresh_session()  # nothing carried over from before signing in
            login_user(user)
            sessions.begin(user)
            record_sign_in(user, address)
            return redirect(_safe_next(request.args.get("next")))
        record_failed_sign_in(username, address, user)
        flash(_("Wrong username or password."), "error")
    return render_template("auth/login.html", form=form), 200 if request.method == "GET" or form.errors else 401


def _held(form: LoginForm, hold: throttle.Hold):
    minutes = hold.minutes
    if hold.scope == "account":
        message = _(
            "Too many failed sign-ins on this account. Try again in %(minutes)s minute(s), or ask an administrator "
            "of your unit to unlock it (Users › your name › Unlock sign-in).",
            minutes=minutes,
        )
    else:
        message = _(
            "Too many failed sign-ins with different usernames from this network. Try again in %(minutes)s minute(s).",
            minutes=minutes,
        )
    flash(message, "error")
    response = make_response(render_template("auth/login.html", form=form), 429)
    response.headers["Retry-After"] = str(hold.seconds)
    return response


@bp.post("/logout")
@login_required
def logout():
    form = LogoutForm()
    if form.validate_on_submit():
        record_sign_out(current_user)
        logout_user()
        sessions.fresh_session()
        flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            change_own_password(
                current_user, form.current_password.data, form.new_password.data, sessions.client_address()
            )
        except AccountRefused as refused:
            getattr(form, refused.field).errors.append(refused.message)
        else:
            sessions.keep_this_session(current_user)
            flash(_("Your password has been changed. Your other sessions are signed out."), "success")
            return redirect(url_for("home"), 303)
    page = render_template("auth/password.html", form=form, forced=current_user.must_change_password)
    return page, 422 if form.errors else 200, {"Cache-Control": "no-store"}
