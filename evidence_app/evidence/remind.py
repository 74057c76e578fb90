"""`minhchung remind`: each user's digest of overdue, due-soon and sent-back items, by e-mail when SMTP is
configured (printed otherwise)."""

from __future__ import annotations

import smtplib
from datetime import date
from email.message import EmailMessage

import click
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from .. import clock
from ..auth.models import User
from ..dates import DAY
from ..extensions import db
from ..i18n import format_day
from .work import my_work, reminders


def digest_for(user: User, today: date) -> tuple[int, str] | None:
    """(how many items, the text), or None when nothing needs the user's attention."""
    found = reminders(my_work(user, today), today)
    if not found:
        return None
    lines = [_("Hello %(name)s,", name=user.display_name), ""]
    due = _("due")
    for title, group in (
        (_("Overdue"), found.overdue),
        (_("Due within 7 days"), found.due_soon),
        (_("Sent back: a new document is needed"), found.sent_back),
    ):
        if group:
            lines.append(f"{title}:")
            lines += [f"  - {w.item.code} {w.item.title} ({due} {format_day(w.item.due_date)})" for w in group]
            lines.append("")
    lines.append(_("Minh Chứng"))
    count = len({w.item.id for w in found.overdue + found.due_soon + found.sent_back})
    return count, "\n".join(lines)


@click.command("remind")
@click.option("--unit", "unit_code", help="Only this unit.")
@click.option("--today", type=DAY, help="The day to count from, DD/MM/YYYY (default: today).")
def remind_command(unit_code: str | None, today: date | None) -> None:
    """Send each user a digest of their overdue, due-soon and sent-back items."""
    day = today or clock.today()
    statement = select(User).where(User.active).order_by(User.username)
    if unit_code:
        from ..auth.models import Unit

        statement = statement.join(Unit).where(Unit.code == unit_code)
    config = current_app.config
    sent = printed = 0
    with force_locale(config["BABEL_DEFAULT_LOCALE"]):
        for user in db.session.execute(statement).scalars():
            digest = digest_for(user, day)
            if digest is None:
                continue
            count, body = digest
            subject = _("Minh Chứng: %(num)d item(s) need your attention", num=count)
            if config.get("SMTP_HOST") and user.email:
                message = EmailMessage()
                message["From"], message["To"], message["Subject"] = config["MAIL_FROM"], user.email, subject
                message.set_content(body)
                with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=30) as smtp:
                    if config.get("SMTP_STARTTLS"):
                        smtp.starttls()
                    if config.get("SMTP_USER"):
                        smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"] or "")
                    smtp.send_message(message)
                sent += 1
            else:
                click.echo(f"=== {user.username} <{user.email or '-'}>: {subject}\n{body}\n")
                printed += 1
    click.echo(f"{sent} digest(s) e-mailed, {printed} printed", err=True)
