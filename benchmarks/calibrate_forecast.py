"""Calibrate the table of states in checklists/forecast.yaml against simulated wards (run on demand).

Simulates a population with one seed (default 2: not the seed the accuracy benchmark reports on, so that the
benchmark measures the table on wards it was not fitted to), takes every unit's forecast inputs at 2–8 weeks
before its assessment, and searches the table by coordinate descent for the lowest mean absolute error of the
index's expected score against its final score, keeping the states' order (the loader refuses any table that
inverts it). Prints the best table as YAML to paste into forecast.yaml, with its error before and after.

    python benchmarks/calibrate_forecast.py [--units 120] [--seed 2] [--rounds 3]
"""

from __future__ import annotations

import argparse
import copy
import sys
import time
from decimal import Decimal
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from checklists.likelihood import PARAMETERS_FILE, ParameterError, parse_parameters
from checklists.scoring import forecast_index
from checklists.simulation import checkpoints, final_forecast, simulate_population, status_on

WEEKS = (2, 4, 6, 8)
STEPS = (Decimal("0.1"), Decimal("0.05"), Decimal("0.02"))


def cases(units: int, seed: int) -> list[tuple]:
    """(weeks before, inputs, day, rubric, final, max) for every unit and checkpoint of WEEKS."""
    result = []
    for cohort in simulate_population(units, seed):
        for unit in cohort.units:
            final = final_forecast(unit).totals
            for weeks, day in checkpoints(unit.rubric):
                if weeks in WEEKS:
                    result.append((weeks, status_on(unit, day), day, unit.rubric, final.secured, final.max))
    return result


def evaluate(raw: dict, data: list[tuple]) -> tuple[float, dict[int, float]]:
    """Mean absolute error (% of the maximum) over every case, and the share within 5% per week."""
    params = parse_parameters(raw)
    errors, within = [], {w: [] for w in WEEKS}
    for weeks, (criteria, departments), day, rubric, final, maximum in data:
        expected = forecast_index(
            criteria,
            departments,
            today=day,
            assessment_date=rubric.assessment_date,
            deviation_threshold_percent=rubric.deviation_threshold_percent,
            deviation_penalty_points=rubric.deviation_penalty_points,
            params=params,
        ).totals.expected
        error = abs(float((expected - final) / maximum)) * 100
        errors.append(error)
        within[weeks].append(error <= 5)
    return sum(errors) / len(errors), {w: sum(v) / len(v) for w, v in within.items() if v}


def knobs(raw: dict) -> list[tuple[str, ...]]:
    """Every number of the table, (group, state, column, 0 | 1), and the two scales."""
    return [("ample_time_weeks",), ("pace", "full_rate_per_week")] + [
        (group, state, column, i)
        for group in ("states", "measurement")
        for state in raw[group]
        for column in ("no_time", "ample_time")
        for i in (0, 1)
    ]


def constraints(raw: dict) -> list[tuple[tuple, tuple]]:
    """Every (x, y) pair of table values the loader wants x ≤ y for: low ≤ high, no time ≤ ample time, and a
    worse item state never above a better one."""
    pairs = []
    for group in ("states", "measurement"):
        for state in raw[group]:
            for column in ("no_time", "ample_time"):
                pairs.append(((group, state, column, 0), (group, state, column, 1)))
            for i in (0, 1):
                pairs.append(((group, state, "no_time", i), (group, state, "ample_time", i)))
    order = list(raw["states"])  # best first
    for better, worse in zip(order, order[1:]):
        for column in ("no_time", "ample_time"):
            for i in (0, 1):
                pairs.append((("states", worse, column, i), ("states", better, column, i)))
    return pairs


def nudge(raw: dict, knob: tuple, step: Decimal) -> dict | None:
    """The table with one value moved by `step`; the values it would cross move with it (raised or lowered), so
    that the search is not stuck where one value blocks another."""
    changed = copy.deepcopy(raw)
    if knob == ("ample_time_weeks",):
        changed["ample_time_weeks"] = float(Decimal(str(raw["ample_time_weeks"])) + step * 10)
        return changed if changed["ample_time_weeks"] >= 1 else None
    if knob == ("pace", "full_rate_per_week"):
        changed["pace"]["full_rate_per_week"] = float(Decimal(str(raw["pace"]["full_rate_per_week"])) + step * 5)
        return changed if changed["pace"]["full_rate_per_week"] >= 0.25 else None

    def get(k: tuple) -> Decimal:
        group, state, column, i = k
        return Decimal(str(changed[group][state][column][i]))

    def put(k: tuple, value: Decimal) -> None:
        group, state, column, i = k
        changed[group][state][column][i] = float(value)

    value = get(knob) + step
    if not 0 <= value <= 1:
        return None
    put(knob, value)
    pairs = constraints(changed)
    moved = True
    while moved:
        moved = False
        for low, high in pairs:
            if get(low) > get(high):
                if step > 0:
                    put(high, get(low))
                else:
                    put(low, get(high))
                moved = True
    try:
        parse_parameters(changed)
    except ParameterError:
        return None
    return changed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=120)
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    raw = yaml.safe_load(PARAMETERS_FILE.read_text(encoding="utf-8"))
    data = cases(args.units, args.seed)
    best, shares = evaluate(raw, data)
    print(
        f"{len(data)} cases ({args.units} units, seed {args.seed}); today's table: MAE {best:.2f}%, "
        + ", ".join(f"{w} wk {s:.0%}" for w, s in shares.items()),
        flush=True,
    )
    for round_ in range(args.rounds):
        improved = False
        for step in STEPS:
            for knob in knobs(raw):
                for signed in (step, -step):
                    candidate = nudge(raw, knob, signed)
                    if candidate is None:
                        continue
                    error, candidate_shares = evaluate(candidate, data)
                    if error < best - 1e-6:
                        raw, best, shares, improved = candidate, error, candidate_shares, True
        print(
            f"round {round_ + 1}: MAE {best:.2f}%, "
            + ", ".join(f"{w} wk {s:.0%}" for w, s in shares.items())
            + f" ({time.perf_counter() - started:.0f} s)",
            flush=True,
        )
        if not improved:
            break
    print(
        yaml.safe_dump(
            {k: raw[k] for k in ("ample_time_weeks", "pace", "states", "measurement")},
            sort_keys=False,
            allow_unicode=True,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
