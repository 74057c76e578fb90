"""`minhchung catalog import` and `catalog export`: importing a rubric starts or updates a cycle (the diff against
last year's, the history carried, documents relinked), so these commands live with the cycle; they are
registered in the `catalog` group (evidence_app/cli.py)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask_babel import gettext as _
from sqlalchemy import select

from checklists import CatalogError
from checklists.loader import Problem

from ..auth.lookups import unit_or_fail, user_or_fail
from ..catalog.models import Index
from ..catalog.operations import ImportRefused
from ..dates import DAY
from ..extensions import db
from .carry import SHEET_SUFFIXES, RubricImport, import_rubric, load_rubric, rolled_data, to_xlsx, to_yaml


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--unit", "unit_code", required=True, help="The code of the unit (ward) the catalog is for.")
@click.option("--index", "index_code", help="Spreadsheets only: the index code (CCHC, QN-DTI).")
@click.option("--year", type=int, help="Spreadsheets only: the year of the rubric.")
@click.option("--name", help="Spreadsheets only: the index's name (default: last year's).")
@click.option(
    "--assessment-date", type=DAY, help="Spreadsheets only: DD/MM/YYYY (default: last year's date, in this year)."
)
@click.option("--dry-run", is_flag=True, help="Show what would change, write nothing.")
@click.option("--relink-as", "relink_user", help="Relink the documents still valid from last year, as this user.")
def import_command(
    file: Path,
    unit_code: str,
    index_code: str | None,
    year: int | None,
    name: str | None,
    assessment_date: date | None,
    dry_run: bool,
    relink_user: str | None,
) -> None:
    """Import (or update) the catalog in FILE (YAML, or the province's XLSX/CSV) for a unit. Importing the same
    file again changes nothing; next year's rubric becomes a new index, with the diff against last year's."""
    try:
        unit = unit_or_fail(unit_code)
    except click.ClickException as exc:
        _refused(file, ImportRefused([exc.message]))
    if file.suffix.lower() in SHEET_SUFFIXES and (not index_code or not year):
        raise click.UsageError("a spreadsheet needs --index CODE and --year YYYY (the sheet does not say them)")
    try:
        if not file.is_file():
            raise CatalogError(str(file), [Problem("", "the file does not exist")])
        catalog = load_rubric(
            str(file),
            file.read_bytes(),
            unit,
            index_code=index_code,
            year=year,
            name=name,
            assessment_date=assessment_date,
        )
    except CatalogError as exc:
        click.echo(exc.report(), err=True)
        raise SystemExit(1) from None
    try:
        relink_as = user_or_fail(relink_user, unit) if relink_user else None
    except click.ClickException as exc:
        _refused(file, ImportRefused([exc.message]))
    try:
        done = import_rubric(catalog, unit, source=file.name, relink_as=relink_as, dry_run=dry_run)
    except ImportRefused as exc:
        _refused(file, exc)
    for line in import_lines(done, catalog.index.code, catalog.index.year, unit.code, dry_run):
        click.echo(line)


def import_lines(done: RubricImport, code: str, year: int, unit_code: str, dry_run: bool) -> list[str]:
    """What a rubric import did, in the reader's language: the counts, the diff against last year's rubric
    with each criterion that moved and each score carried (converted when its maximum changed)."""
    result, diff, carried = done.result, done.diff, done.carried
    lines = [
        (
            _("%(index)s %(year)s created in unit %(unit)s")
            if result.index_created
            else _("%(index)s %(year)s updated in unit %(unit)s")
        )
        % {"index": code, "year": year, "unit": unit_code}
        + ": "
        + _("created %(created)s; updated %(updated)s; removed %(removed)s")
        % {
            "created": _counts(result.created),
            "updated": _counts(result.updated),
            "removed": _counts(result.removed),
        }
    ]
    if diff is not None and not done.existed:
        lines.append(
            _(
                "Against %(previous)s: %(added)s added, %(removed)s removed, %(moved)s moved, %(repointed)s re-pointed, "
                "%(points)s with other points"
            )
            % {
                "previous": diff.previous,
                "added": len(diff.added),
                "removed": len(diff.removed),
                "moved": len(diff.moved),
                "repointed": len(diff.repointed),
                "points": len(diff.points_changed),
            }
        )
        for label, entries in (
            (_("added"), diff.added),
            (_("removed"), diff.removed),
            (_("moved"), diff.moved),
            (_("re-pointed"), diff.repointed),
            (_("points"), diff.points_changed),
            (_("last year's score"), diff.carried),
        ):
            lines += [f"  {label}: {entry}" for entry in entries]
        if carried is not None and carried.result_set is not None:
            lines.append(
                _(
                    "History carried from the %(year)s results: %(scores)s last-year score(s), %(converted)s of them "
                    "converted to a new maximum; causes of %(causes)s criteria; %(proposals)s checklist item(s) proposed"
                )
                % {
                    "year": done.previous_year,
                    "scores": carried.scores,
                    "converted": carried.converted,
                    "causes": carried.causes,
                    "proposals": carried.proposals,
                }
            )
        else:
            lines.append(
                _(
                    "No official results of %(year)s imported: last year's scores are not carried (minhchung results import)"
                )
                % {"year": done.previous_year}
            )
    if done.offers:
        lines.append(_("Documents still valid, offered for relinking: %(count)s") % {"count": len(done.offers)})
        lines += [f"  {line}" for line in done.offers]
        if done.relinked:
            lines.append(_("Relinked: %(count)s (waiting for review)") % {"count": done.relinked})
        else:
            lines.append("  " + _("(relink them with --relink-as USERNAME)"))
    if dry_run:
        lines.append(_("Dry run: nothing was written."))
    return lines


def _counts(counts: dict[str, int]) -> str:
    names = {"departments": _("departments"), "areas": _("areas"), "criteria": _("criteria"), "items": _("items")}
    return ", ".join(f"{n} {names.get(name, name)}" for name, n in counts.items())


def _refused(file: Path, exc: ImportRefused):
    for problem in exc.problems:
        click.echo(f"{file}: {problem}", err=True)
    click.echo(f"{file}: nothing was imported.", err=True)
    raise SystemExit(1)


@click.command("export")
@click.option("--unit", "unit_code", required=True)
@click.option("--index", "index_code", required=True)
@click.option("--year", required=True, type=int)
@click.option("--format", "fmt", type=click.Choice(["xlsx", "yaml"]), required=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option(
    "--roll-to",
    "roll_to",
    type=int,
    help="Write the rubric as the starting point of this year: dates moved by whole years, item codes of that "
    "year, last year's history left to the import.",
)
def export_command(unit_code: str, index_code: str, year: int, fmt: str, out: Path, roll_to: int | None) -> None:
    """Write an index back as a YAML catalog or as the province's spreadsheet; both import again."""
    unit = unit_or_fail(unit_code)
    index = db.session.execute(
        select(Index).where(Index.unit_id == unit.id, Index.code == index_code, Index.year == year)
    ).scalar_one_or_none()
    if index is None:
        raise click.ClickException(
            _("unit %(unit)s has no index %(index)s %(year)s") % {"unit": unit.code, "index": index_code, "year": year}
        )
    data = None
    if roll_to is not None:
        if roll_to <= year:
            raise click.UsageError(_("--roll-to must be a year after %(year)s") % {"year": year})
        try:
            data = rolled_data(index, roll_to)
        except CatalogError as exc:
            click.echo(exc.report(), err=True)
            raise click.ClickException(
                _(
                    "the stored rubric is incomplete: export it without --roll-to, complete what is listed, import it again"
                )
            ) from None
    out.write_bytes(to_xlsx(index, data) if fmt == "xlsx" else to_yaml(index, data))
    click.echo(
        _("%(index)s %(year)s written to %(out)s")
        % {"index": index.code, "year": roll_to or index.year, "out": str(out)}
    )
