"""The page where a person creates and revokes their own API tokens."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ..extensions import db
from ..forms import ActionForm
from .forms import TokenForm
from .models import ApiToken
from .operations import create_token, revoke_token, tokens_of

bp = Blueprint("tokens", __name__, url_prefix="/account/tokens")


@bp.route("/", methods=["GET", "POST"])
@login_required
def tokens():
    form = TokenForm()
    secret = None
    if form.validate_on_submit():
        _token, secret = create_token(current_user, form.name.data, actor=current_user)
    status = 422 if form.errors else (201 if secret else 200)
    page = render_template(
        "api/tokens.html", form=form, secret=secret, tokens=tokens_of(current_user), action_form=ActionForm()
    )
    return page, status, {"Cache-Control": "no-store"}  # a new token is on this page, once


@bp.post("/<int:token_id>/revoke")
@login_required
def revoke(token_id: int):
    token = db.session.execute(
        select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == current_user.id)
    ).scalar_one_or_none()
    if token is None:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    revoke_token(token, actor=current_user)
    flash(_("Token “%(name)s” revoked: it no longer works.", name=token.name), "success")
    return redirect(url_for("tokens.tokens"), 303)
