"""`minhchung report`, `minhchung pack` and `minhchung league`."""

from __future__ import annotations

from pathlib import Path

import click

from ..auth.lookups import unit_or_fail
from ..dates import as_of_day
from .build import build_report, league_table
from .exports import CSV_DIALECTS, FORMATS, render
from .pack import iter_pack


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


@click.command("pack")
@click.option("--unit", "unit_code", help="The unit (needed when the deployment has several).")
@click.option("--as-of", help="The day of the report inside the pack (default: today).")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="The ZIP file to write.")
def pack_command(unit_code, as_of, out):
    """The submission pack: approved documents per criterion, a manifest with hashes and approvals, the report."""
    day = _as_of(as_of)
    unit = unit_or_fail(unit_code)
    report = build_report(unit, day)
    partial = out.with_name(out.name + ".part")
    with open(partial, "wb") as f:
        for chunk in iter_pack(unit, report):
            f.write(chunk)
    partial.replace(out)
    click.echo(f"{out}: submission pack of {unit.code} ({out.stat().st_size} bytes)", err=True)


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
