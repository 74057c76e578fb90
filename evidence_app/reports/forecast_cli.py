"""`minhchung forecast backtest`: the forecast replayed week by week over a cycle, against the official results."""

from __future__ import annotations

import json
from datetime import date

import click
from flask.cli import AppGroup

from checklists.scoring import format_decimal

from ..auth.lookups import unit_or_fail
from .backtest import BacktestError, backtest

forecast_cli = AppGroup("forecast", help="The forecast of the completeness report: how good it was.")


def _fmt(value, places: int = 2) -> str:
    if value is None:
        return "—"
    return format_decimal(round(value, places)) if places <= 2 else f"{value:.{places}f}".replace(".", ",")


def _day(iso: str) -> str:
    return date.fromisoformat(iso).strftime("%d/%m/%Y")


def _signed(value) -> str:
    return "—" if value is None else ("+" if value > 0 else "") + _fmt(value)


def print_table(result: dict) -> None:
    index, official = result["index"], result["official"]
    click.echo(
        f"Kiểm định dự báo {index['code']} {index['year']} — {result['unit']['name']} ({result['unit']['code']}); "
        f"điểm tối đa {_fmt(index['max'])}, ngày đánh giá {_day(index['assessment_date'])}"
    )
    if official is None:
        click.echo("Chưa nhập kết quả chính thức của năm này (`minhchung results import`): chỉ có dự báo.")
    else:
        click.echo(
            f"Kết quả chính thức: {_fmt(official['final_total'])} (tổng điểm chốt các tiêu chí"
            f"{', nguồn ' + official['source'] if official['source'] else ''})"
        )
    click.echo(
        "(Tuần: số tuần trước ngày đánh giá; Chắc chắn, Dự báo, Có thể đạt: điểm chắc chắn, dự kiến và tối đa có thể "
        "đạt của báo cáo ngày đó; Sai số = Dự báo − Chính thức; Brier: p của tiêu chí so với kết quả chính thức)"
    )
    header = (
        f"{'Tuần':>5}  {'Ngày':<10}  {'Chắc chắn':>9}  {'Dự báo':>9}  {'Có thể đạt':>10}  {'Chính thức':>10}  "
        f"{'Sai số':>8}  {'Sai số %':>8}  {'Brier (n)':>12}"
    )
    click.echo(header)
    click.echo("-" * len(header))
    for row in result["weeks"]:
        brier = "—" if row["brier"] is None else f"{_fmt(row['brier'], 3)} ({row['brier_criteria']})"
        percent = "—" if row["error_percent"] is None else _signed(row["error_percent"]) + "%"
        click.echo(
            f"{-row['weeks_before']:>5}  {_day(row['day']):<10}  {_fmt(row['secured']):>9}  {_fmt(row['expected']):>9}  "
            f"{_fmt(row['best']):>10}  {_fmt(row['official']):>10}  {_signed(row['error']):>8}  {percent:>8}  {brier:>12}"
        )
    if result["criteria"]:
        click.echo("\nBrier theo tiêu chí (trung bình các tuần có điểm còn giành được), cao nhất trước:")
        for c in sorted(result["criteria"], key=lambda c: (-c["brier"], c["code"])):
            click.echo(
                f"  {c['code']:<10} {_fmt(c['brier'], 3):>6}  ({c['weeks']} tuần; chính thức {_fmt(c['official'])})  "
                f"{c['title'] or ''}"
            )


@forecast_cli.command("backtest")
@click.option("--unit", "unit_code", required=True, help="The unit (ward).")
@click.option("--index", "index_code", required=True, help="The index code (CCHC, QN-DTI).")
@click.option("--year", required=True, type=int, help="The index's year (e.g. 2024).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for machines.")
def backtest_command(unit_code: str, index_code: str, year: int, as_json: bool) -> None:
    """Replay the forecast every week of the cycle (the report as of each day) and compare it with the official
    results, when imported: error of the expected total, Brier score of the criteria's p."""
    try:
        result = backtest(unit_or_fail(unit_code), index_code, year)
    except BacktestError as exc:
        click.echo(f"Error: {exc}", err=True)
        raise SystemExit(2) from None
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print_table(result)
