"""`minhchung results …`: import the province's table of scores, and list or re-run the proposals."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import gettext as _
from sqlalchemy import select

from checklists.causes import load_templates

from ..auth.lookups import unit_or_fail
from ..catalog.models import Index
from ..extensions import db
from .models import ResultSet
from .operations import MATCH_LABELS, ResultsRefused, import_results, merge_proposals, propose_from_results
from .queries import proposals_of

results_cli = AppGroup(
    "results", help="Official results: import them, and the checklist items proposed from the points lost."
)


def _fmt(value) -> str:
    return "—" if value is None else str(value).replace(".", ",")


def match_text(row: dict) -> str:
    """How a row was matched to its criterion, in words, with the confidence (0–1)."""
    label = MATCH_LABELS.get(row.get("match") or "")
    return f"{label} {format(row['confidence'], 'g').replace('.', ',')}" if label else ""


def change_label(code: str) -> str:
    """What a change of last year's score is about: a criterion's code, "area 1" or "total", in words."""
    if code == "total":
        return _("the index's total")
    if code.startswith("area "):
        return _("area %(code)s", code=code.removeprefix("area "))
    return code


def print_plan(plan, dry_run: bool) -> None:
    row_word, max_word, lost_word = _("row"), _("max"), _("lost")
    labels = load_templates().labels
    click.echo(
        _(
            "Results %(year)s matched against %(index)s: %(n)s criteria, read from sheet %(sheet)s",
            year=plan.year,
            index=plan.index,
            n=len(plan.rows),
            sheet=plan.sheet,
        )
    )
    for skipped in plan.skipped_sheets:
        click.echo(_("Skipped %(why)s", why=skipped))
    for row in plan.rows:
        mark = {"new": "+", "changed": "~", "unchanged": " "}[row["change"]]
        before = ""
        if row["before"]:
            before = "  " + _(
                "(was tự chấm %(own)s, thẩm định %(appraised)s, chốt %(final)s)",
                own=_fmt(row["before"]["self"]),
                appraised=_fmt(row["before"]["appraised"]),
                final=_fmt(row["before"]["final"]),
            )
        named = ", ".join(str(labels.get(c, c)) for c in row["causes"])
        causes = "  " + _("causes: %(causes)s", causes=named) if row["causes"] else ""
        flag = "  " + _("SELF-SCORE ABOVE APPRAISED") if row["deviates"] else ""
        click.echo(
            f" {mark} {row_word} {row['row']:>3}  {row['code']:<8} {max_word} {_fmt(row['max']):>6}  "
            f"tự chấm {_fmt(row['self']):>6}  thẩm định {_fmt(row['appraised']):>6}  chốt {_fmt(row['final']):>6}  "
            f"{lost_word} {_fmt(row['lost'])}  [{match_text(row)}]{flag}{causes}{before}"
        )
    for warning in plan.sum_warnings:
        click.echo(_("Warning: %(problem)s", problem=warning))
    for change in plan.max_changes:
        click.echo(
            _(
                "Maximum of %(code)s: %(before)s (estimated) → %(after)s (the table's)",
                code=change["code"],
                before=_fmt(change["before"]),
                after=_fmt(change["after"]),
            )
        )
    if plan.rubric:
        print_rubric(plan.index, plan.rubric)
    if plan.missing:
        click.echo(_("Not in the file (kept as they were): %(codes)s", codes=", ".join(plan.missing)))
    t = plan.totals
    click.echo(
        _(
            "Total: chốt %(final)s / %(max)s (lost %(lost)s); tự chấm %(own)s, thẩm định %(appraised)s; "
            "deviation penalty %(penalty)s (threshold %(threshold)s%%)",
            final=_fmt(t["final"]),
            max=_fmt(t["max"]),
            lost=_fmt(t["lost"]),
            own=_fmt(t["self"]),
            appraised=_fmt(t["appraised"]),
            penalty=_fmt(t["deviation_penalty"]),
            threshold=_fmt(t["threshold_percent"]),
        )
    )
    for change in plan.last_year_changes:
        click.echo(
            _(
                "Last year's score of %(index)s %(code)s: %(before)s → %(after)s",
                index=plan.proposals_target,
                code=change_label(change["code"]),
                before=_fmt(change["before"]),
                after=_fmt(change["after"]),
            )
        )
    if plan.proposals_target:
        click.echo(
            _("Proposed checklist items for %(index)s: %(n)s new", index=plan.proposals_target, n=plan.proposals)
        )
    else:
        click.echo(
            _(
                "No index for %(year)s yet: checklist items will be proposed when next year's rubric is imported.",
                year=plan.year + 1,
            )
        )
    click.echo(_("Dry run: nothing was written.") if dry_run else _("Imported."))


def print_rubric(index: str, rubric: dict) -> None:
    """The estimated rubric replaced by the table's criteria."""
    row_word, max_word = _("row"), _("max")
    click.echo(_("The estimated rubric of %(index)s is replaced by the table's criteria:", index=index))
    for c in rubric["removed"]:
        click.echo(f"  - {c['code']} {c['title']} ({max_word} {_fmt(c['max'])})")
    for c in rubric["created"]:
        click.echo(f"  + {c['code']} {c['title']} ({max_word} {_fmt(c['max'])}, {row_word} {c['row']})")
    for c in rubric["renamed"]:
        code = c["after"] if c["before"] == c["after"] else f"{c['before']} → {c['after']}"
        click.echo(f"  ~ {code} {c['title']}")
    for a in rubric["areas"]:
        click.echo(
            _(
                "  area %(code)s: maximum %(before)s → %(after)s",
                code=a["code"],
                before=_fmt(a["before"]),
                after=_fmt(a["after"]),
            )
        )
    for m in rubric["moved_items"]:
        click.echo(
            _(
                "  item %(item)s (with its documents) moves from «%(old)s» to %(new)s (title similarity %(s)s)",
                item=m["item"],
                old=m["from"],
                new=m["to"],
                s=_fmt(m["similarity"]),
            )
        )
    if rubric["added_items"]:
        click.echo(
            _(
                "  a checklist item to fill is added to each new criterion without one: %(codes)s",
                codes=", ".join(rubric["added_items"]),
            )
        )


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
        click.echo(_("%(file)s: nothing was imported.", file=file.name), err=True)
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
