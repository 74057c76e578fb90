"""`minhchung units merge|split|rename|set|history`: reorganising units (added to the `units` group of auth/cli.py
in commands.py). Output and refusals in Vietnamese (the English of a refusal follows in brackets)."""

from __future__ import annotations

import json
from datetime import date

import click
from sqlalchemy import select

from .. import clock
from ..auth.models import Unit
from ..dates import DAY, show_day
from ..errors import both_languages
from ..extensions import db
from .models import BaselineMethod, ChangeKind
from .operations import Outcome, UnitsRefused, merge_units, rename_unit, set_unit_facts, split_unit
from .queries import changes_of_units

METHOD_HELP = "Last year's baseline of the new unit: mean, weighted (by population) or own (the new unit's own)."
SOURCES = {  # where a part's last-year score came from (units/queries.py `last_year_scores`)
    "official": "kết quả chính thức",
    "baseline": "lần sắp xếp trước",
    "catalog": "bộ chỉ số",
    "none": "chưa có",
}
METHOD_NAMES = {"mean": "trung bình cộng", "weighted": "bình quân theo dân số", "own": "điểm riêng của đơn vị mới"}


def _refusal(refused: UnitsRefused) -> click.ClickException:
    vi, en = both_languages(refused.message)
    where = f"--{refused.field}: " if refused.field else ""
    return click.ClickException(f"{where}{vi} ({en}) Không có gì được ghi.")


def _num(value) -> str:
    return "—" if value is None else f"{value:.2f}".replace(".", ",")


def _print(outcome: Outcome, dry_run: bool, as_json: bool) -> None:
    if as_json:
        data = {
            **{k: v for k, v in outcome.__dict__.items() if k not in ("effective_on", "baselines")},
            "effective_on": outcome.effective_on.isoformat(),
            "baselines": [
                {"index": c, "year": y, "score": None if s is None else str(s), "parts": p}
                for c, y, s, p in outcome.baselines
            ],
            "dry_run": dry_run,
        }
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
        return
    head = "Chạy thử (không ghi gì): " if dry_run else ""
    day = show_day(outcome.effective_on)
    if outcome.kind == ChangeKind.rename.value:
        click.echo(f"{head}đơn vị {outcome.unit}: “{outcome.old_name}” → “{outcome.unit_name}” từ ngày {day}")
        return
    verb = "hợp nhất" if outcome.kind == ChangeKind.merge.value else "tách"
    state = "đơn vị mới" if outcome.created else "đơn vị có sẵn"
    click.echo(
        f"{head}{verb} {', '.join(outcome.parts)} → {outcome.unit} “{outcome.unit_name}” ({state}), từ ngày {day}"
    )
    for source, code, target, created in outcome.departments:
        click.echo(f"  bộ phận {source}/{code} → {target}/{code}{' (tạo mới)' if created else ' (gộp)'}")
    click.echo(f"  người dùng chuyển sang: {', '.join(outcome.users) or '—'}")
    click.echo(
        f"  tài liệu chuyển sang: {outcome.documents}; giữ nguyên {outcome.links} liên kết minh chứng, "
        f"{outcome.reviews} lượt duyệt và toàn bộ nhật ký"
    )
    for code, year, score, parts in outcome.baselines:
        detail = "; ".join(
            f"{p['unit']} {_num(None if p['score'] is None else float(p['score']))} ({SOURCES.get(p['source'], p['source'])})"
            for p in parts
        )
        click.echo(
            f"  điểm năm trước {code} {year}: {_num(score)} — {METHOD_NAMES.get(outcome.method or '', '')}: {detail}"
        )


baseline_option = click.option(
    "--baseline",
    "method",
    type=click.Choice([m.value for m in BaselineMethod]),
    default="mean",
    show_default=True,
    help=METHOD_HELP,
)
dry_run_option = click.option("--dry-run", is_flag=True, help="Show what would change, write nothing.")
json_option = click.option("--json", "as_json", is_flag=True)


@click.command("merge")
@click.option(
    "--into", "into_code", required=True, help="The merged unit: a new code (with --name) or an existing unit."
)
@click.option("--from", "from_codes", multiple=True, required=True, help="A unit merged into it (repeat).")
@click.option("--name", help="The new unit's name, e.g. 'UBND phường Hạ Long'.")
@click.option("--date", "effective_on", type=DAY, help="The day the merge takes effect (default: today).")
@baseline_option
@dry_run_option
@json_option
def merge_command(
    into_code: str,
    from_codes: tuple[str, ...],
    name: str | None,
    effective_on: date | None,
    method: str,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Merge units into one (two-level local government): documents, links, reviews and history are kept."""
    try:
        outcome = merge_units(
            into_code, from_codes, effective_on=effective_on or clock.today(), method=method, name=name, dry_run=dry_run
        )
    except UnitsRefused as refused:
        raise _refusal(refused) from None
    _print(outcome, dry_run, as_json)


@click.command("split")
@click.option("--from", "from_code", required=True, help="The unit a new one is carved out of (it goes on).")
@click.option("--into", "new_code", required=True, help="The new unit's code.")
@click.option("--name", required=True, help="The new unit's name.")
@click.option("--department", "departments", multiple=True, help="A department made in the new unit (repeat).")
@click.option("--user", "usernames", multiple=True, help="A user who moves to the new unit (repeat).")
@click.option(
    "--document", "document_ids", multiple=True, type=int, help="A document (its id) re-homed to the new unit (repeat)."
)
@click.option("--date", "effective_on", type=DAY, help="The day the split takes effect (default: today).")
@baseline_option
@dry_run_option
@json_option
def split_command(
    from_code: str,
    new_code: str,
    name: str,
    departments: tuple[str, ...],
    usernames: tuple[str, ...],
    document_ids: tuple[int, ...],
    effective_on: date | None,
    method: str,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Carve a new unit out of one: the chosen departments, users and documents go to it."""
    try:
        outcome = split_unit(
            from_code,
            new_code,
            name=name,
            effective_on=effective_on or clock.today(),
            departments=departments,
            usernames=usernames,
            document_ids=document_ids,
            method=method,
            dry_run=dry_run,
        )
    except UnitsRefused as refused:
        raise _refusal(refused) from None
    _print(outcome, dry_run, as_json)


@click.command("rename")
@click.option("--code", required=True)
@click.option("--name", required=True, help="The new name.")
@click.option("--date", "effective_on", type=DAY, help="The day the new name takes effect (default: today).")
@click.option("--dry-run", is_flag=True, help="Show what would change, write nothing.")
def rename_command(code: str, name: str, effective_on: date | None, dry_run: bool) -> None:
    """Rename a unit from a day (earlier days keep the old name in the league table)."""
    try:
        outcome = rename_unit(code, name, effective_on=effective_on or clock.today(), dry_run=dry_run)
    except UnitsRefused as refused:
        raise _refusal(refused) from None
    _print(outcome, dry_run, False)


@click.command("set")
@click.option("--code", required=True)
@click.option("--population", type=int, help="The unit's population (for a population-weighted baseline).")
@click.option("--province", "province_code", help="The province's unit (its officers may reorganise this unit).")
@click.option(
    "--other-name",
    "other_names",
    multiple=True,
    help="Another name its documents carry as issuer, e.g. 'UBND P. Giếng Đáy' (repeatable; '' clears them).",
)
def set_command(code: str, population: int | None, province_code: str | None, other_names: tuple[str, ...]) -> None:
    """Set a unit's population, province or other names."""
    try:
        changes = set_unit_facts(
            code, population=population, province_code=province_code, other_names=list(other_names) or None
        )
    except UnitsRefused as refused:
        raise _refusal(refused) from None
    click.echo(f"đơn vị {code}: " + (", ".join(f"{k} = {v[1]}" for k, v in changes.items()) or "không có gì thay đổi"))


@click.command("history")
@click.option("--code", help="One unit (default: every reorganisation).")
def history_command(code: str | None) -> None:
    """List the reorganisations (merges, splits, renames) with their days."""
    units = db.session.execute(select(Unit).where(Unit.code == code) if code else select(Unit)).scalars().all()
    if code and not units:
        raise click.ClickException(f"--code: không có đơn vị mã “{code}”.")
    for change in changes_of_units([u.id for u in units]):
        parts = ", ".join(link.predecessor.code for link in change.links)
        what = {"merge": f"hợp nhất {parts}", "split": f"tách từ {parts}", "rename": f"đổi tên từ “{change.old_name}”"}
        click.echo(f"{show_day(change.effective_on)}  {change.unit.code:<20} {what[change.kind]}")


COMMANDS = (merge_command, split_command, rename_command, set_command, history_command)
