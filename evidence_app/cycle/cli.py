"""`minhchung results …`: import the province's table of scores, and list or re-run the proposals."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from ..auth.lookups import unit_or_fail
from ..catalog.models import Index
from ..extensions import db
from .models import ResultSet
from .operations import ResultsRefused, import_results, merge_proposals, propose_from_results
from .queries import proposals_of

results_cli = AppGroup(
    "results", help="Official results: import them, and the checklist items proposed from the points lost."
)


def _fmt(value) -> str:
    return "—" if value is None else str(value).replace(".", ",")


def print_plan(plan, dry_run: bool) -> None:
    click.echo(f"Results {plan.year} matched against {plan.index}: {len(plan.rows)} criteria")
    for row in plan.rows:
        mark = {"new": "+", "changed": "~", "unchanged": " "}[row["change"]]
        before = ""
        if row["before"]:
            before = f"  (was tự chấm {_fmt(row['before']['self'])}, thẩm định {_fmt(row['before']['appraised'])}, chốt {_fmt(row['before']['final'])})"
        causes = f"  causes: {', '.join(row['causes'])}" if row["causes"] else ""
        flag = "  SELF-SCORE ABOVE APPRAISED" if row["deviates"] else ""
        click.echo(
            f" {mark} row {row['row']:>3}  {row['code']:<8} max {_fmt(row['max']):>6}  tự chấm {_fmt(row['self']):>6}  "
            f"thẩm định {_fmt(row['appraised']):>6}  chốt {_fmt(row['final']):>6}  lost {_fmt(row['lost'])}{flag}{causes}{before}"
        )
    if plan.missing:
        click.echo(f"Not in the file (kept as they were): {', '.join(plan.missing)}")
    t = plan.totals
    click.echo(
        f"Total: chốt {_fmt(t['final'])} / {_fmt(t['max'])} (lost {_fmt(t['lost'])}); tự chấm {_fmt(t['self'])}, "
        f"thẩm định {_fmt(t['appraised'])}; deviation penalty {_fmt(t['deviation_penalty'])} (threshold {_fmt(t['threshold_percent'])}%)"
    )
    for change in plan.last_year_changes:
        click.echo(
            f"Last year's score of {plan.proposals_target} {change['code']}: {_fmt(change['before'])} → {_fmt(change['after'])}"
        )
    if plan.proposals_target:
        click.echo(f"Proposed checklist items for {plan.proposals_target}: {plan.proposals} new")
    else:
        click.echo(
            f"No index for {plan.year + 1} yet: checklist items will be proposed when next year's rubric is imported."
        )
    click.echo("Dry run: nothing was written." if dry_run else "Imported.")


@results_cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--unit", "unit_code", required=True, help="The unit (ward) the results are for.")
@click.option("--index", "index_code", required=True, help="The index code (CCHC, QN-DTI).")
@click.option("--year", required=True, type=int, help="The year assessed (e.g. 2023).")
@click.option("--dry-run", is_flag=True, help="Show every change, write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the changes as JSON.")
def import_command(file: Path, unit_code: str, index_code: str, year: int, dry_run: bool, as_json: bool) -> None:
    """Import the province's table of scores (XLSX or CSV) for one index and year."""
    unit = unit_or_fail(unit_code)
    try:
        plan = import_results(unit, index_code, year, file, dry_run=dry_run)
    except ResultsRefused as exc:
        for problem in exc.problems:
            click.echo(problem, err=True)
        click.echo(f"{file.name}: nothing was imported.", err=True)
        raise SystemExit(1)
    if as_json:
        click.echo(json.dumps({**plan.to_dict(), "dry_run": dry_run}, ensure_ascii=False, indent=2))
    else:
        print_plan(plan, dry_run)


@results_cli.command("propose")
@click.option("--unit", "unit_code", required=True)
@click.option("--index", "index_code", required=True)
@click.option("--year", required=True, type=int, help="The year of the results.")
def propose_command(unit_code: str, index_code: str, year: int) -> None:
    """Propose checklist items again from imported results (nothing is proposed twice)."""
    unit = unit_or_fail(unit_code)
    result_set = db.session.execute(
        select(ResultSet)
        .join(Index, ResultSet.index_id == Index.id)
        .where(ResultSet.unit_id == unit.id, Index.code == index_code, ResultSet.year == year)
    ).scalar_one_or_none()
    if result_set is None:
        raise click.ClickException(
            f"no results of {index_code} {year} in unit {unit.code}; import them with `minhchung results import`"
        )
    made = propose_from_results(result_set)
    click.echo(f"{len(made)} new proposal(s)")


@results_cli.command("proposals")
@click.option("--unit", "unit_code", required=True)
@click.option("--json", "as_json", is_flag=True)
def proposals_command(unit_code: str, as_json: bool) -> None:
    """Every proposal of a unit, each document asked for once: the criteria it serves, cause, state, owner,
    due date."""
    unit = unit_or_fail(unit_code)
    indices = db.session.execute(
        select(Index).where(Index.unit_id == unit.id).order_by(Index.code, Index.year)
    ).scalars()
    payload = []
    for index in indices:
        for group in merge_proposals(proposals_of(index)):
            p = group.lead
            payload.append(
                {
                    "id": p.id,
                    "index": index.code,
                    "year": index.year,
                    "criterion": p.criterion.code,
                    "criteria": [c.code for c in group.criteria],
                    "index_wide": group.index_wide,
                    "cause": p.cause_type,
                    "cause_text": "; ".join(group.causes),
                    "title": p.title,
                    "state": p.state,
                    "owner": p.owner_department.code if p.owner_department else None,
                    "due": p.due_date.isoformat() if p.due_date else None,
                    "item": p.item.code if p.item else None,
                    "items": [q.item.code for q in group.proposals if q.item],
                }
            )
    if as_json:
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    for p in payload:
        served = "index" if p["index_wide"] else ",".join(p["criteria"])
        click.echo(
            f"{p['index']} {p['year']} {served:<8} {p['state']:<9} {p['cause']:<20} {p['owner'] or '—':<10} {p['due'] or '—':<10} {p['title']}"
        )
