"""`minhchung report`, `minhchung pack` and `minhchung league`."""

from __future__ import annotations

from pathlib import Path

import click

from ..auth.lookups import unit_or_fail
from ..dates import as_of_day
from .build import build_report, league_table
from .dossier import FORMATS as DOSSIER_FORMATS
from .dossier import DossierRefused, build_dossier, index_for_dossier
from .dossier_renderers import render_dossier
from .exports import CSV_DIALECTS, FORMATS, render
from .pack import NoCycle, cycle_indices, iter_pack


def _as_of(value: str | None):
    day = as_of_day(value)
    if day is not None:
        return day
    raise click.BadParameter(
        f"{value!r} is not a date: write it as DD/MM/YYYY or YYYY-MM-DD (e.g. 15/12/2024)", param_hint="--as-of"
    )


@click.command("report")
@click.option("--unit", "unit_code", help="The unit (needed when the deployment has several).")
@click.option("--as-of", help="The day the report is as of, DD/MM/YYYY or YYYY-MM-DD (default: today).")
@click.option("--format", "fmt", default="json", show_default=True, help=f"One of {', '.join(FORMATS)}.")
@click.option(
    "--dialect",
    type=click.Choice(list(CSV_DIALECTS)),
    default="vi",
    show_default=True,
    help="The CSV's: vi (';' and decimal comma, for Excel set to Vietnamese) or international (',' and '.').",
)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file (default: print).")
def report_command(unit_code, as_of, fmt, dialect, out):
    """The completeness report: points secured, expected and at risk per criterion, area and index."""
    if fmt not in FORMATS:
        raise click.BadParameter(f"{fmt!r} is not a format: use one of {', '.join(FORMATS)}", param_hint="--format")
    day = _as_of(as_of)
    unit = unit_or_fail(unit_code)
    body = render(build_report(unit, day), fmt, dialect)
    if out is None:
        click.echo(body.decode("utf-8") if fmt != "xlsx" else "(xlsx is binary: use --out FILE.xlsx)")
    else:
        out.write_bytes(body)
        click.echo(f"{out}: {fmt} report of {unit.code} as of {day.strftime('%d/%m/%Y')}", err=True)


def _cycle(unit, day, year):
    try:
        return cycle_indices(unit, day, year)
    except NoCycle:
        raise click.BadParameter(f"{unit.code} has no index for {year}", param_hint="--year") from None


@click.command("pack")
@click.option("--unit", "unit_code", help="The unit (needed when the deployment has several).")
@click.option("--as-of", help="The day the pack is as of: documents approved by its end (default: today).")
@click.option(
    "--year", type=int, help="The cycle's year (default: the cycle under way on that day, or else the latest)."
)
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="The ZIP file to write.")
def pack_command(unit_code, as_of, year, out):
    """The submission pack of a cycle: the documents approved by the day per index and criterion, the signed
    self-assessment dossier, a manifest (pages, self-scores, giải trình as of the day), the report."""
    day = _as_of(as_of)
    unit = unit_or_fail(unit_code)
    indices = _cycle(unit, day, year)
    report = build_report(unit, day)
    partial = out.with_name(out.name + ".part")
    try:
        with open(partial, "wb") as f:
            for chunk in iter_pack(unit, report, indices):
                f.write(chunk)
    except BaseException:
        partial.unlink(missing_ok=True)  # nothing half-written left behind
        raise
    partial.replace(out)
    cycle = ", ".join(f"{i.code} {i.year}" for i in indices)
    click.echo(f"{out}: submission pack of {unit.code} ({cycle}; {out.stat().st_size} bytes)", err=True)


@click.command("league")
@click.option("--as-of", help="The day, DD/MM/YYYY or YYYY-MM-DD (default: today): the units by its boundaries.")
@click.option("--json", "as_json", is_flag=True, help="Print the tables as JSON.")
def league_command(as_of, as_json):
    """The province's league table: every unit in force on the day (a merged unit from its merge's day)."""
    import json

    day = _as_of(as_of)
    tables = league_table(day)
    if as_json:
        click.echo(json.dumps({"as_of": day.isoformat(), "tables": tables}, ensure_ascii=False, indent=2))
        return
    for table in tables:
        click.echo(f"{table['name']} ({table['year']}) — tính đến ngày {day:%d/%m/%Y}")
        for row in table["rows"]:
            last_year = "—" if row["last_year"] is None else f"{row['last_year']:.2f}".replace(".", ",")
            expected = f"{row['expected']:.2f}".replace(".", ",")
            click.echo(
                f"  {row['rank']:>3}  {row['unit']:<20} {row['unit_name']:<40} {expected:>8}  (năm trước {last_year})"
            )


@click.command("selfassessment")
@click.option("--unit", "unit_code", help="The unit (needed when the deployment has several).")
@click.option("--index", "index_code", required=True, help="The index's code, e.g. CCHC or QN-DTI.")
@click.option("--year", type=int, help="The index's year (default: the cycle under way on that day, or the latest).")
@click.option("--as-of", help="The day the dossier is as of, DD/MM/YYYY or YYYY-MM-DD (default: today).")
@click.option("--format", "fmt", required=True, type=click.Choice(DOSSIER_FORMATS), help="The file's format.")
@click.option("--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="The file to write.")
def selfassessment_command(unit_code, index_code, year, as_of, fmt, output):
    """The self-assessment dossier in the province's layout: per criterion the maximum, the self-score, the giải
    trình and the supporting documents (number, date, summary, page, file in the pack), as of a day."""
    day = _as_of(as_of)
    unit = unit_or_fail(unit_code)
    try:
        index = index_for_dossier(unit, index_code, day, year)
    except DossierRefused as refused:
        raise click.BadParameter(f"{refused}: see `minhchung catalog summary`", param_hint="--index/--year") from None
    body = render_dossier(build_dossier(unit, index, day), fmt)
    partial = output.with_name(output.name + ".part")
    partial.write_bytes(body)
    partial.replace(output)
    click.echo(
        f"{output}: self-assessment dossier of {unit.code}, {index.code} {index.year}, as of {day:%d/%m/%Y}", err=True
    )
