"""The report page, its downloads, the submission pack and the province's league table."""

from __future__ import annotations

import os
from datetime import date

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from storage import StorageError

from ..auth.queries import unit_with_code
from ..catalog.queries import index_in_unit
from ..dates import as_of_day
from ..evidence.operations import UploadRefused
from ..files import upload_tmp_dir
from ..forms import ActionForm
from ..permissions import allowed_or_403, can_review, sees_the_province, sees_unit_report
from .build import build_report, league_table
from .dossier import CONTENT_TYPES as DOSSIER_TYPES
from .dossier import FORMATS as DOSSIER_FORMATS
from .dossier import build_dossier
from .dossier_renderers import lines, render_dossier
from .exports import CONTENT_TYPES, CSV_DIALECTS, FORMATS, RISK_LABELS, audit_head_line, render
from .league import league_to_xlsx
from .operations import sign_off_dossier
from .pack import build_pack, cycle_indices, signed_dossiers
from .summary import criteria_at_risk, executive_summary, official_day

bp = Blueprint("reports", __name__, url_prefix="/reports")
bp.add_app_template_filter(official_day, "official_day")  # the letterhead's date, in the HTML export too
bp.add_app_template_global(criteria_at_risk, "criteria_at_risk")  # one order for the page and the summary


def _as_of_or_400() -> date:
    raw = request.args.get("as_of") or request.form.get("as_of")
    as_of = as_of_day(raw)
    if as_of is None:
        abort(
            400, description=_("“%(value)s” is not a date: write it as dd/mm/yyyy, for example 15/12/2024.", value=raw)
        )
    return as_of


def _report(as_of: date) -> dict:
    return build_report(current_user.unit, as_of)


@bp.get("/")
@login_required
def report_page():
    as_of = _as_of_or_400()
    return render_template(
        "reports/index.html",
        report=_report(as_of),
        as_of=as_of,
        risk_labels=RISK_LABELS,
        formats=FORMATS,
        action_form=ActionForm(),
    )


@bp.get("/summary")
@login_required
def summary():
    """The one-page executive summary (A4 portrait); `?print=1` opens the browser's print dialog once loaded."""
    as_of = _as_of_or_400()
    report = _report(as_of)
    return render_template(
        "reports/summary.html",
        report=report,
        summary=executive_summary(report),
        as_of=as_of,
        audit_head=audit_head_line(report),
        autoprint=request.args.get("print") == "1",
    )


@bp.get("/download")
@login_required
def download():
    return _download(current_user.unit)


def _download(unit):
    fmt = request.args.get("format", "")
    if fmt not in FORMATS:
        abort(
            400,
            description=_(
                "Unknown format “%(format)s”: choose one of %(formats)s.", format=fmt, formats=", ".join(FORMATS)
            ),
        )
    dialect = request.args.get("dialect", "vi")
    if dialect not in CSV_DIALECTS:
        abort(
            400,
            description=_(
                "Unknown CSV dialect “%(dialect)s”: choose one of %(dialects)s.",
                dialect=dialect,
                dialects=", ".join(CSV_DIALECTS),
            ),
        )
    as_of = _as_of_or_400()
    body = render(build_report(unit, as_of), fmt, dialect)
    return _attachment(body, CONTENT_TYPES[fmt], f"bao-cao-{unit.code}-{as_of.isoformat()}.{fmt}")


@bp.post("/pack")
@login_required
def pack():
    allowed_or_403(can_review(current_user))
    if not ActionForm().validate_on_submit():
        abort(400)
    as_of = _as_of_or_400()
    report = _report(as_of)
    unit = current_user.unit
    name = f"ho-so-minh-chung-{unit.code}-{as_of.isoformat()}.zip"
    archive = build_pack(unit, report, cycle_indices(unit, as_of), upload_tmp_dir())
    response = send_file(archive, mimetype="application/zip", conditional=False)
    response.content_length = os.fstat(archive.fileno()).st_size  # a browser shows the download's progress
    response.headers.update(
        {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "private, no-store"}
    )
    return response


@bp.get("/province")
@login_required
def province():
    allowed_or_403(sees_the_province(current_user))
    as_of = _as_of_or_400()
    tables = league_table(as_of)
    return render_template("reports/province.html", tables=tables, as_of=as_of)


def _attachment(body: bytes, content_type: str, name: str) -> Response:
    return Response(
        body,
        content_type=content_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "private, no-store"},
    )


@bp.get("/province.xlsx")
@login_required
def province_download():
    allowed_or_403(sees_the_province(current_user))
    as_of = _as_of_or_400()
    body = league_to_xlsx(league_table(as_of), as_of)
    return _attachment(body, CONTENT_TYPES["xlsx"], f"bang-xep-hang-{as_of.isoformat()}.xlsx")


def _unit_seen_or_404(code: str):
    """A unit's report, reached from the league table: the province's officers see every unit; anyone else
    only their own (another unit answers 404, as everywhere)."""
    unit = unit_with_code(code)
    if unit is None or not sees_unit_report(current_user, unit):
        abort(404)
    return unit


@bp.get("/units/<unit_code>/")
@login_required
def unit_report(unit_code: str):
    unit = _unit_seen_or_404(unit_code)
    as_of = _as_of_or_400()
    return render_template(
        "reports/index.html",
        report=build_report(unit, as_of),
        as_of=as_of,
        risk_labels=RISK_LABELS,
        formats=FORMATS,
        action_form=ActionForm(),
        other_unit=unit if unit.id != current_user.unit_id else None,
    )


@bp.get("/units/<unit_code>/download")
@login_required
def unit_download(unit_code: str):
    return _download(_unit_seen_or_404(unit_code))


def _dossier_page(index, as_of: date, refusal: str | None = None, status: int = 200):
    dossier = build_dossier(current_user.unit, index, as_of)
    return render_template(
        "reports/selfassessment.html",
        index=index,
        dossier=dossier,
        lines=list(lines(dossier)),
        as_of=as_of,
        formats=DOSSIER_FORMATS,
        signed=signed_dossiers([index]),
        may_sign=can_review(current_user),
        refusal=refusal,
        action_form=ActionForm(),
    ), status


@bp.get("/selfassessment/<int:index_id>")
@login_required
def selfassessment(index_id: int):
    """The self-assessment dossier of an index as of a day: the table, its downloads, the signed dossier."""
    return _dossier_page(index_in_unit(index_id), _as_of_or_400())


@bp.get("/selfassessment/<int:index_id>/download")
@login_required
def selfassessment_download(index_id: int):
    index = index_in_unit(index_id)
    fmt = request.args.get("format", "")
    if fmt not in DOSSIER_FORMATS:
        abort(
            400,
            description=_(
                "Unknown format “%(format)s”: choose one of %(formats)s.",
                format=fmt,
                formats=", ".join(DOSSIER_FORMATS),
            ),
        )
    dossier = build_dossier(current_user.unit, index, _as_of_or_400())
    return _attachment(render_dossier(dossier, fmt), DOSSIER_TYPES[fmt], f"{dossier.file_stem}.{fmt}")


@bp.post("/selfassessment/<int:index_id>/signed")
@login_required
def selfassessment_signed(index_id: int):
    """A leader uploads the dossier they signed: kept as a document of the unit, linked to the index."""
    index = index_in_unit(index_id)
    allowed_or_403(can_review(current_user))
    if not ActionForm().validate_on_submit():
        abort(400)
    as_of = _as_of_or_400()
    upload_file = request.files.get("file")
    if upload_file is None or not upload_file.filename:
        return _dossier_page(index, as_of, _("Choose the signed file (PDF or scan) to upload."), 422)
    try:
        sign_off_dossier(
            index,
            current_user,
            upload_file.stream.name,
            upload_file.filename,
            as_of=as_of,
            sha256=upload_file.stream.sha256,
        )
    except UploadRefused as refused:  # nothing was recorded
        return _dossier_page(index, as_of, str(refused.message), 422)
    except StorageError as exc:
        current_app.logger.error("signed dossier %r not stored: %s", upload_file.filename, exc)
        message = _("The file store cannot be reached, so this file was not saved. Try again in a few minutes.")
        return _dossier_page(index, as_of, message, 503)
    flash(_("The signed dossier is kept with the unit's evidence."), "success")
    return redirect(url_for("reports.selfassessment", index_id=index.id, as_of=as_of.isoformat()), 303)
