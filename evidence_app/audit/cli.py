"""`minhchung audit verify` and `audit anchor`: walk the keyed hash chain, where any altered, removed or
re-chained event is a break, and compare it with an anchor (a head written down earlier) to catch a cut."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import AppGroup

from .trail import chain_head, check_chain, read_anchor

audit_cli = AppGroup("audit", help="The audit trail.")


def _head_line(head: dict) -> str:
    if head["last_id"] is None:
        return "head: no events"
    return f"head: {head['events']} events, last event {head['last_id']}, hash {head['last_hash']}"


def _anchor_from(path: Path) -> dict:
    try:
        return read_anchor(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, ValueError) as exc:
        raise click.BadParameter(f"{path}: {exc}", param_hint="--anchor") from None


@audit_cli.command("verify")
@click.option(
    "--anchor",
    "anchor_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A JSON anchor (from `audit anchor`, `audit verify --json`, a report or a pack's manifest.json): "
    "the chain must still hold that head.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result (with the head, an anchor) as JSON.")
def verify_command(anchor_path: Path | None, as_json: bool) -> None:
    """Check that no audit event was altered, removed or re-chained; list every break (the first 20)."""
    anchor = _anchor_from(anchor_path) if anchor_path else None
    result = check_chain(anchor=anchor)
    if as_json:
        click.echo(json.dumps(result.as_json(), indent=2))
    else:
        unkeyed = f" ({result.unkeyed} with the unkeyed SHA-256 of before migration 0012)" if result.unkeyed else ""
        if result.break_count:
            first = result.breaks[0][0]
            click.echo(
                f"audit trail BROKEN at event {first}: {result.break_count} break(s) in {result.events} events, "
                f"{result.intact_before_first_break} intact before the first",
                err=True,
            )
            for event_id, reason in result.breaks:
                click.echo(f"  event {event_id}: {reason}", err=True)
            if result.break_count > len(result.breaks):
                click.echo(f"  … and {result.break_count - len(result.breaks)} more", err=True)
        else:
            click.echo(f"audit trail intact: {result.events} events{unkeyed}")
        if anchor is not None:
            if result.anchor_problem:
                click.echo(f"audit trail BROKEN against the anchor: {result.anchor_problem}", err=True)
            else:
                click.echo(f"anchor held: event {anchor['last_id']} still closes the first {anchor['events']} events")
        click.echo(_head_line(result.head))
    if not result.intact:
        raise SystemExit(1)


@audit_cli.command("anchor")
def anchor_command() -> None:
    """Print the chain's head as a JSON anchor: keep it outside the database (mail it, print it) and check the
    chain against it later with `audit verify --anchor FILE`."""
    click.echo(json.dumps(chain_head(), indent=2))
