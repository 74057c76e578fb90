"""How good is the forecast? A backtest on simulated wards (checklists/simulation.py), no database.

    python benchmarks/forecast_accuracy.py [--units 120] [--seed 1] [--examples 2] [--thorough]

It simulates `--units` units in cohorts of one unit per behaviour profile (diligent, late_starter, last_minute,
idle, one_department_stuck, mixed), each cohort on a rubric of its own (every rule type; CCHC-like 100 points
or QN-DTI-like 1000 points), and runs `checklists.scoring.forecast_index` on each unit's inputs as they stood
every week back from the assessment date to the first due date. The truth of a unit is what is secured on the
assessment date (only what was approved and measured by then). It prints:

  (a) the share of units whose expected total is within 5% of the index's maximum of the final score, at 8, 4
      and 2 weeks before the assessment, overall and per profile (goal: ≥ 80% at 4 weeks);
  (b) the mean absolute error (and the mean signed error, the bias) per week before, in % of the maximum;
  (c) the Brier score of each criterion's p = (expected − secured) / (best − secured) against its outcome (the
      fraction of best − secured won by the end, clipped to [0, 1]; criteria with nothing winnable are
      skipped), per week before, beside the Brier score of the climatology (p = the mean outcome that week);
  (d) ranking: on the same rubric and day, an idle unit must never have a higher expected total than the
      diligent one (violations / comparisons);
  (e) properties, checked on every simulated history (violations / checks):
      1. monotone in work: one more piece of work on a checkpoint day (an upload of a missing item, an approval
         of a waiting one — or a missing one uploaded and approved —, a report sent on time, a measurement
         closer to the target) never lowers a criterion's, an area's or the index's secured, expected or best
         that day (one kind of work drawn among those that apply at each checkpoint; all of them with
         --thorough, about twice as long);
      2. time without work never helps: with the unit's events frozen after a day D (three random checkpoints per
         unit), no criterion's, area's or index's expected is higher on any later checkpoint than on D;
      3. dominance: the unit against a copy without some of its work (random uploads with their decisions,
         random approvals) at every checkpoint: the copy is never forecast higher (secured, expected, best);
      4. an item missing (never uploaded) and past its due date (not a lost report) never leaves its criterion
         `on_track`.
  then one PASS/FAIL line per goal. The exit code is 0 whatever the result (a benchmark, not a test).
Standard library and the project's `checklists` package only.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from checklists.simulation import (  # noqa: E402
    PROFILES,
    Decision,
    MeasurementEntry,
    Unit,
    Upload,
    checkpoints,
    criterion_outcome,
    criterion_p,
    final_forecast,
    forecast_on,
    simulate_population,
    status_on,
)

GOAL_SHARE = 0.80
GOAL_WEEKS = 4
TOLERANCE = Decimal("0.05")
REPORTED_WEEKS = (8, 4, 2)
FIELDS = ("secured", "expected", "best")


@dataclass
class Check:
    checks: int = 0
    violations: int = 0
    totals_fell: int = 0
    examples: list = field(default_factory=list)

    def record(self, failures: list[str], totals: bool, where: str, keep: int) -> None:
        self.checks += 1
        if failures:
            self.violations += 1
            self.totals_fell += totals
            if len(self.examples) < keep:
                self.examples.append(f"{where}: {'; '.join(failures[:3])}{' …' if len(failures) > 3 else ''}")

    def record_many(self, checks: int, failures: list[str], where: str, keep: int) -> None:
        """`checks` checks at once, each failure a violation of its own."""
        self.checks += checks
        self.violations += len(failures)
        if failures and len(self.examples) < keep:
            self.examples.append(f"{where}: {failures[0]}")


@dataclass
class Stats:
    errors: dict = field(default_factory=lambda: defaultdict(list))  # weeks → [(profile, error / max)]
    brier: dict = field(default_factory=lambda: defaultdict(list))  # weeks → [(p, outcome)]
    ranking: Check = field(default_factory=Check)
    monotone: dict = field(default_factory=lambda: defaultdict(Check))  # kind of work → Check
    frozen: Check = field(default_factory=Check)
    dominance: Check = field(default_factory=Check)
    overdue: Check = field(default_factory=Check)


def _rows(forecast):
    """Every row of a forecast with a stable key: criteria, areas, the index."""
    yield from ((f"criterion {c.code}", c) for c in forecast.criteria)
    yield from ((f"area {a.code}", a) for a in forecast.areas)
    yield "index", forecast.totals


def _fell(low, high, fields=FIELDS, text="{key} {name} {low} → {high}") -> tuple[list[str], bool]:
    """Where `high` is below `low` (rows matched by key), and whether the index total is among them."""
    lows = dict(_rows(low))
    failures, totals = [], False
    for key, row in _rows(high):
        before = lows[key]
        for name in fields:
            if getattr(row, name) < getattr(before, name):
                failures.append(text.format(key=key, name=name, low=getattr(before, name), high=getattr(row, name)))
                totals |= key == "index"
    return failures, totals


def _rose(before, after) -> tuple[list[str], bool]:
    """Where expected is higher in `after` than in `before` (rows matched by key)."""
    befores = dict(_rows(before))
    failures, totals = [], False
    for key, row in _rows(after):
        if row.expected > befores[key].expected:
            failures.append(f"{key} expected {befores[key].expected} → {row.expected}")
            totals |= key == "index"
    return failures, totals


# --------------------------------------------------------------------------------------- one more piece of work
def _versions(unit: Unit, item: str, day: date) -> list[Upload]:
    return [e for e in unit.events if isinstance(e, Upload) and e.item == item and e.day <= day]


def work_variants(unit: Unit, status, day: date, rng: random.Random) -> list[tuple[str, list]]:
    """(kind, extra events on `day`): one of each kind of work that applies to the unit's state that day."""
    criteria, _ = status
    items = [(c, i) for c in criteria for i in c.items]
    pending = [(c, i) for c, i in items if i.approved_on is None]
    missing = [(c, i) for c, i in pending if not i.uploaded and (i.report_deadline is None or i.report_deadline >= day)]
    variants: list[tuple[str, list]] = []
    documents = [(c, i) for c, i in missing if i.report_deadline is None]
    if documents:
        c, i = rng.choice(documents)
        variants.append(("upload", [Upload(day, i.code, 1)]))
    waiting = [(c, i) for c, i in pending if i.waiting]
    if waiting:
        c, i = rng.choice(waiting)
        version = max(u.version for u in _versions(unit, i.code, day))
        variants.append(("approval", [Decision(day, i.code, version, True)]))
    elif missing:
        c, i = rng.choice(missing)
        variants.append(
            ("approval", [Upload(day, i.code, 1, day if i.report_deadline else None), Decision(day, i.code, 1, True)])
        )
    reports = [(c, i) for c, i in missing if i.report_deadline is not None]
    if reports:
        c, i = rng.choice(reports)
        variants.append(("report on time", [Upload(day, i.code, 1, day)]))
    measured = []
    specs = {c.code: c for c in unit.rubric.criteria}
    for c in criteria:
        spec = specs[c.code]
        usable = [m for m in c.measurements if m.denominator is None or m.denominator != 0]
        if spec.measure is None or not usable:
            continue
        latest, target = usable[-1], spec.target
        if spec.measure == "percent":
            if latest.percent is not None and latest.percent < target:
                percent = (latest.percent + target) / 2
                numerator = (percent * latest.denominator / 100).to_integral_value()
                if numerator * 100 / latest.denominator > latest.percent:
                    measured.append(MeasurementEntry(day, c.code, day, numerator, latest.denominator))
        elif spec.measure == "count":
            if latest.numerator < target:
                measured.append(MeasurementEntry(day, c.code, day, latest.numerator + 1, None))
        elif latest.numerator > target:  # tier: 1 is the best
            measured.append(MeasurementEntry(day, c.code, day, latest.numerator - 1, None))
    if measured:
        variants.append(("measurement closer to target", [rng.choice(measured)]))
    return variants


def describe(event) -> str:
    if isinstance(event, Upload):
        sent = f", sent {event.sent_date}" if event.sent_date else ""
        return f"upload {event.item} v{event.version}{sent}"
    if isinstance(event, Decision):
        return f"{'approve' if event.approved else 'send back'} {event.item} v{event.version}"
    if isinstance(event, MeasurementEntry):
        of = f"/{event.denominator}" if event.denominator is not None else ""
        return f"measure {event.criterion}: {event.numerator}{of}"
    return repr(event)


def without_some_work(unit: Unit, rng: random.Random) -> Unit:
    """A copy of the unit whose events are a subset of its: some uploads dropped with their decisions, some
    approvals dropped (the version stays waiting). Send-backs are never dropped alone (waiting › sent back)."""
    uploads = [e for e in unit.events if isinstance(e, Upload)]
    dropped_uploads = {(e.item, e.version) for e in uploads if rng.random() < 0.25}
    dropped = [e for e in unit.events if isinstance(e, (Upload, Decision)) and (e.item, e.version) in dropped_uploads]
    dropped += [
        e
        for e in unit.events
        if isinstance(e, Decision) and e.approved and (e.item, e.version) not in dropped_uploads and rng.random() < 0.15
    ]
    return unit.without(dropped)


def overdue_missing_on_track(status, forecast, day: date, assessment: date) -> tuple[int, list[str]]:
    """(criteria with an item missing and past its due date, those of them `on_track`)."""
    if day > assessment:
        return 0, []
    criteria, _ = status
    candidates, bad = 0, []
    for c, row in zip(criteria, forecast.criteria):
        overdue = [
            i
            for i in c.items
            if i.approved_on is None
            and not i.uploaded
            and i.due < day
            and (i.report_deadline is None or i.report_deadline >= day)
        ]
        candidates += bool(overdue)
        if overdue and row.risk == "on_track":
            bad.append(f"criterion {c.code} on_track, {overdue[0].code} missing, due {overdue[0].due}")
    return candidates, bad


# ------------------------------------------------------------------------------------------------------ the run
def run_unit(unit: Unit, stats: Stats, rng: random.Random, keep: int, thorough: bool) -> dict[int, object]:
    rubric = unit.rubric
    final = final_forecast(unit)
    final_total, maximum = final.totals.secured, final.totals.max
    final_by_code = {c.code: c.secured for c in final.criteria}
    subset = without_some_work(unit, rng)
    series = {}
    for weeks, day in checkpoints(rubric):
        status = status_on(unit, day)
        forecast = forecast_on(unit, day, status)
        series[weeks] = forecast
        stats.errors[weeks].append((unit.profile, (forecast.totals.expected - final_total) / maximum))
        for c in forecast.criteria:
            p = criterion_p(c.secured, c.expected, c.best)
            if p is not None:
                stats.brier[weeks].append((p, criterion_outcome(c.secured, c.best, final_by_code[c.code])))
        where = f"{unit.code} on {day}"
        # 4. missing and overdue → never on_track
        candidates, bad = overdue_missing_on_track(status, forecast, day, rubric.assessment_date)
        stats.overdue.record_many(candidates, bad, where, keep)
        # 1. one more piece of work
        variants = work_variants(unit, status, day, rng)
        for kind, extra in variants if thorough or not variants else [rng.choice(variants)]:
            after = forecast_on(unit.with_events(extra), day)
            failures, totals = _fell(forecast, after)
            stats.monotone[kind].record(failures, totals, f"{where}, {describe(extra[-1])}", keep)
        # 3. dominance: the copy with less work is never forecast higher
        failures, totals = _fell(
            forecast_on(subset, day), forecast, text="{key} {name} {low} with less work, {high} with all of it"
        )
        stats.dominance.record(failures, totals, where, keep)
    # 2. time without work never helps
    days = checkpoints(rubric)
    for weeks, day in rng.sample(days[:-1], min(3, len(days) - 1)):
        frozen = unit.frozen_after(day)
        for _later_weeks, later in days:
            if later <= day:
                continue
            failures, totals = _rose(series[weeks], forecast_on(frozen, later))
            stats.frozen.record(failures, totals, f"{unit.code} frozen after {day}, on {later}", keep)
    return series


def run(units: int, seed: int, keep: int, thorough: bool = False) -> tuple[Stats, list]:
    stats = Stats()
    cohorts = simulate_population(units, seed)
    rng = random.Random(f"forecast-accuracy-{seed}")
    for cohort in cohorts:
        series = {u.profile: run_unit(u, stats, rng, keep, thorough) for u in cohort.units}
        if "idle" in series and "diligent" in series:
            for weeks, idle in series["idle"].items():
                diligent = series["diligent"][weeks]
                bad = (
                    []
                    if idle.totals.expected <= diligent.totals.expected
                    else [f"idle expected {idle.totals.expected} > diligent {diligent.totals.expected}"]
                )
                stats.ranking.record(
                    bad, bool(bad), f"{cohort.rubric.code} cohort of {cohort.units[0].code}, {weeks} weeks before", keep
                )
    return stats, cohorts


# ------------------------------------------------------------------------------------------------- the print
def _pct(x: float) -> str:
    return f"{100 * x:5.1f}%"


def _share(errors) -> float:
    return sum(abs(e) <= TOLERANCE for e in errors) / len(errors) if errors else float("nan")


def _brier(pairs) -> tuple[float, float]:
    if not pairs:
        return float("nan"), float("nan")
    base = statistics.fmean(o for _, o in pairs)
    return (statistics.fmean((p - o) ** 2 for p, o in pairs), statistics.fmean((base - o) ** 2 for _, o in pairs))


def _git(*args) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def report(stats: Stats, cohorts, args, elapsed: float) -> None:
    units = [u for c in cohorts for u in c.units]
    kinds = defaultdict(int)
    for c in cohorts:
        kinds[c.rubric.code] += 1
    code = ("checklists/scoring", "checklists/rules")  # the forecast and its rule types
    dirty = " (with uncommitted changes)" if _git("status", "--porcelain", "--", *code) else ""
    print(
        f"Forecast accuracy on {len(units)} simulated units ({len(cohorts)} rubrics: "
        f"{', '.join(f'{n} {k}' for k, n in sorted(kinds.items()))}), seed {args.seed}"
    )
    print(
        f"commit {_git('rev-parse', '--short', 'HEAD')}; the forecast last changed in "
        f"{_git('log', '-1', '--format=%h', '--', *code)}{dirty}"
    )
    print()
    print("(a) units with |expected − final| ≤ 5% of the maximum")
    header = f"{'profile':<22}" + "".join(f"{f'{w} weeks':>10}" for w in REPORTED_WEEKS)
    print(header)
    for profile in ("all", *PROFILES):
        cells = []
        for w in REPORTED_WEEKS:
            errors = [e for p, e in stats.errors.get(w, []) if profile in ("all", p)]
            cells.append(f"{_pct(_share(errors)):>10}" if errors else f"{'—':>10}")
        print(f"{profile:<22}" + "".join(cells))
    print()
    print("(b) mean absolute error and bias (mean of expected − final), % of the maximum; (c) Brier score of p")
    print(
        f"{'weeks before':>12} {'units':>6} {'≤5%':>7} {'MAE':>7} {'bias':>7} {'Brier':>7} {'climat.':>8} {'criteria':>9}"
    )
    for w in sorted(stats.errors):
        errors = [float(e) for _, e in stats.errors[w]]
        brier, base = _brier(stats.brier.get(w, []))
        print(
            f"{w:>12} {len(errors):>6} {_pct(_share([Decimal(str(e)) for e in errors])):>7} "
            f"{_pct(statistics.fmean(abs(e) for e in errors)):>7} {_pct(statistics.fmean(errors)):>7} "
            f"{brier:>7.3f} {base:>8.3f} {len(stats.brier.get(w, [])):>9}"
        )
    print()
    print("MAE / bias per profile at 8, 4, 2 weeks (% of the maximum)")
    print(f"{'profile':<22}" + "".join(f"{f'{w} weeks':>18}" for w in REPORTED_WEEKS))
    for profile in PROFILES:
        cells = []
        for w in REPORTED_WEEKS:
            errors = [float(e) for p, e in stats.errors.get(w, []) if p == profile]
            cells.append(
                f"{_pct(statistics.fmean(abs(e) for e in errors)) + ' / ' + _pct(statistics.fmean(errors)).strip():>18}"
                if errors
                else f"{'—':>18}"
            )
        print(f"{profile:<22}" + "".join(cells))
    print()
    print("(d) ranking: idle above diligent on the same rubric and day")
    _print_check("idle never above diligent", stats.ranking)
    print("(e) properties (violations / checks)")
    for kind, check in sorted(stats.monotone.items()):
        _print_check(f"1. monotone: {kind}", check)
    _print_check("2. time without work never helps", stats.frozen)
    _print_check("3. dominance (less work never higher)", stats.dominance)
    _print_check("4. missing and overdue never on_track", stats.overdue)
    print(
        "  (checks: 1 and 3 per checkpoint, 2 per frozen day and later checkpoint, 4 per criterion and checkpoint\n"
        "   with an item missing and past its due date; index total: checks where the index's figure moved too)"
    )
    print()
    share4 = _share([e for _, e in stats.errors.get(GOAL_WEEKS, [])])
    monotone = sum(c.violations for c in stats.monotone.values())
    goals = [
        (f"(a) ≥ {GOAL_SHARE:.0%} of units within 5% at {GOAL_WEEKS} weeks", share4 >= GOAL_SHARE, f"{share4:.1%}"),
        (
            "(d) an idle unit never ranks above a diligent one",
            stats.ranking.violations == 0,
            f"{stats.ranking.violations} violations",
        ),
        ("(e1) monotone in work", monotone == 0, f"{monotone} violations"),
        ("(e2) time without work never helps", stats.frozen.violations == 0, f"{stats.frozen.violations} violations"),
        ("(e3) dominance", stats.dominance.violations == 0, f"{stats.dominance.violations} violations"),
        (
            "(e4) missing and overdue never on_track",
            stats.overdue.violations == 0,
            f"{stats.overdue.violations} violations",
        ),
    ]
    for name, ok, figure in goals:
        print(f"GOAL {name}: {'PASS' if ok else 'FAIL'} ({figure})")
    print(f"\n{elapsed:.0f} s")


def _print_check(name: str, check: Check) -> None:
    print(f"  {name:<44} {check.violations:>6} / {check.checks:<7} (index total: {check.totals_fell})")
    for example in check.examples:
        print(f"      e.g. {example}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--units", type=int, default=120, help="simulated units (default 120: 20 cohorts of 6 profiles)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--examples", type=int, default=2, help="examples of violations printed per check")
    parser.add_argument(
        "--thorough",
        action="store_true",
        help="property 1: every kind of work at every checkpoint (default: one kind drawn per checkpoint)",
    )
    args = parser.parse_args(argv)
    if args.units < 1:
        parser.error("--units must be at least 1")
    started = time.perf_counter()
    stats, cohorts = run(args.units, args.seed, args.examples, args.thorough)
    report(stats, cohorts, args, time.perf_counter() - started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
