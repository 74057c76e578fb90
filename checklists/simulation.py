"""A simulator of wards for backtesting the forecast: rubrics, departments, and units that behave in known ways
over a year, as timelines of events. Pure Python (no Flask, no database), deterministic for a seed.

- `generate_rubric(rng)` builds an index: areas, criteria of every rule type (binary, tiered, count_thresholds
  counted by items or measured, ratio, percentage_tiers, deduction over periodic reports, not_applicable),
  departments, checklist items with due dates spread over the year, periodic reports (Q1, 6 months, 9 months,
  year) with sending deadlines, an assessment date in December.
- `simulate_unit(rubric, profile, rng)` gives a unit a behaviour per department and turns it into events: uploads
  (a report's upload carries its sending date, sometimes after the deadline), reviewer decisions (approve / send
  back), resubmissions, measurements of measured criteria (entered a few days after they are measured) and
  self-scores. Profiles (`PROFILES`):
    diligent              every department uploads each item 0–4 weeks before its due date, sends reports on time
                          (97%), measured values trend to or above their target; a prompt reviewer.
    late_starter          nothing before a start day (June–August); then items still ahead are done like a diligent
                          unit, the backlog of overdue items at ~2 per week per department; reports whose
                          deadline passed before the start are sent late (lost) or never.
    last_minute           nothing until the last 3–8 weeks, then every item in a burst; reports sent around their
                          deadline (half of them a few days late); a slow, swamped reviewer; values short of target.
    idle                  no event at all (no upload, approval, measurement or self-score).
    one_department_stuck  diligent, except one department (one that owns items) that never does anything.
    mixed                 each department draws its own behaviour (diligent, late_starter, last_minute or idle).
  Every department's parameters carry random noise (start day, lead time, completion rate); the reviewer's delay
  and send-back rate depend on the profile.
- `status_on(unit, day)` gives the forecast's inputs as they stood at the end of `day`, as the query layer
  (`evidence_app/reports/queries.py`) builds them from the database: an item's `approved_on` is its first
  approval by then; `waiting` / `sent_back` describe its current (latest uploaded) version unless approved;
  `uploaded` once a version was uploaded; a report's `sent_date` is that of its first approved version, else of
  its latest upload; a department's `approvals` are the approval days of its items up to `day`, `waiting` the
  versions no reviewer had decided on, `sent_back` the pending items whose current version was sent back;
  measurements measured and entered by `day`; the latest self-score entered by `day`.
- `forecast_on(unit, day)` runs `checklists.scoring.forecast_index` on them; the official score of a unit is
  what is secured on the assessment date (`final_forecast`).

`Unit.with_events`, `Unit.frozen_after` and `Unit.without` build the variants the property checks compare.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any

from .scoring import CriterionStatus, DepartmentActivity, IndexForecast, ItemStatus, Measurement, forecast_index

PROFILES = ("diligent", "late_starter", "last_minute", "idle", "one_department_stuck", "mixed")
BASE_BEHAVIOURS = ("diligent", "late_starter", "last_minute", "idle")
SIMULATED_RULE_TYPES = (
    "binary",
    "tiered",
    "count_thresholds",
    "ratio",
    "percentage_tiers",
    "deduction",
    "not_applicable",
)

DEPARTMENTS = (
    ("vp-tk", "Văn phòng – Thống kê"),
    ("tp", "Tư pháp"),
    ("vh-tt", "Văn hoá – Thông tin"),
    ("tc-kt", "Tài chính – Kế toán"),
    ("mot-cua", "Bộ phận tiếp nhận và trả kết quả"),
    ("ca", "Công an phường"),
    ("yt", "Trạm Y tế"),
    ("dc-xd", "Địa chính – Xây dựng"),
)
AREA_NAMES = (
    "Chỉ đạo, điều hành",
    "Cải cách thể chế",
    "Cải cách thủ tục hành chính",
    "Cải cách tổ chức bộ máy",
    "Cải cách chế độ công vụ",
    "Cải cách tài chính công",
    "Chính quyền số",
    "Hạ tầng số",
    "An toàn thông tin",
    "Kinh tế số",
    "Xã hội số",
)
REPORT_PERIODS = (("Quý I", 3), ("6 tháng", 6), ("9 tháng", 9))


# ----------------------------------------------------------------------------------------------- the rubric
@dataclass(frozen=True)
class SimItem:
    code: str
    title: str
    owner: str
    due: date
    report_deadline: date | None = None


@dataclass(frozen=True)
class SimCriterion:
    code: str
    title: str
    area_code: str
    area_name: str
    max_points: Decimal
    rule_type: str
    rule_params: dict[str, Any]
    last_year: Decimal | None
    department: str | None
    items: tuple[SimItem, ...]
    measure: str | None = None  # "percent" | "count" | "tier": what its measurements hold; None: not measured

    @property
    def target(self) -> Decimal | None:
        """The value at which a measured criterion scores its best (percent, count or tier number)."""
        if self.measure == "percent":
            if self.rule_type == "ratio":
                return Decimal(str(self.rule_params["target_percent"]))
            return Decimal(str(self.rule_params["tiers"][0]["min_percent"]))
        if self.measure == "count":
            return Decimal(str(self.rule_params["thresholds"][0]["min"]))
        if self.measure == "tier":
            return Decimal(1)
        return None


@dataclass(frozen=True)
class Rubric:
    code: str
    name: str
    year: int
    start: date
    assessment_date: date
    deviation_threshold_percent: Decimal
    deviation_penalty_points: Decimal
    departments: tuple[tuple[str, str], ...]
    criteria: tuple[SimCriterion, ...]

    @property
    def max_points(self) -> Decimal:
        return sum((c.max_points for c in self.criteria if c.rule_type != "not_applicable"), Decimal(0))

    def items(self) -> Iterator[SimItem]:
        for c in self.criteria:
            yield from c.items

    @property
    def first_due(self) -> date:
        return min(i.due for i in self.items())

    def department_name(self, code: str | None) -> str | None:
        return None if code is None else dict(self.departments)[code]


def _split(rng: random.Random, total: Decimal, parts: int, step: Decimal) -> list[Decimal]:
    """`parts` positive multiples of `step` adding up to `total` (a multiple of step), in random proportions."""
    units = int(total / step)
    weights = [rng.uniform(0.5, 1.5) for _ in range(parts)]
    counts = [max(1, int(units * w / sum(weights))) for w in weights]
    while sum(counts) > units:
        counts[counts.index(max(counts))] -= 1
    counts[rng.randrange(parts)] += units - sum(counts)
    return [step * n for n in counts]


def _day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))


def generate_rubric(rng: random.Random, *, year: int = 2024, kind: str | None = None) -> Rubric:
    """An index like CCHC (100 points, steps of 0.25) or QN-DTI (1000 points, whole points); every rule type
    appears at least once."""
    kind = kind or rng.choice(("CCHC", "QN-DTI"))
    total, area_step, step = (
        (Decimal(100), Decimal("0.5"), Decimal("0.25")) if kind == "CCHC" else (Decimal(1000), Decimal(5), Decimal(1))
    )
    assessment = date(year, 12, rng.randint(10, 20))
    start = date(year, 1, 1)
    departments = tuple(sorted(rng.sample(DEPARTMENTS, rng.randint(5, 7))))
    dept_codes = [d for d, _ in departments]
    report_deadlines = [date(year, month, 14) + timedelta(days=rng.randint(3, 8)) for _, month in REPORT_PERIODS]
    annual_deadline = assessment - timedelta(days=rng.randint(6, 12))

    n_areas = rng.randint(6, 8)
    area_max = _split(rng, total, n_areas, area_step)
    per_area = [rng.randint(3, 5) for _ in range(n_areas)]
    n_criteria = sum(per_area)
    kinds = list(SIMULATED_RULE_TYPES) + rng.choices(
        SIMULATED_RULE_TYPES, weights=(36, 7, 12, 12, 9, 10, 4), k=n_criteria - len(SIMULATED_RULE_TYPES)
    )
    rng.shuffle(kinds)

    criteria: list[SimCriterion] = []
    position = 0
    for a in range(n_areas):
        area_code, area_name = str(a + 1), AREA_NAMES[a]
        maxima = _split(rng, area_max[a], per_area[a], step)
        for k, maximum in enumerate(maxima):
            rule_type = kinds[position]
            position += 1
            code = f"{area_code}.{k + 1}"
            department = rng.choice(dept_codes)
            criteria.append(
                _criterion(
                    rng,
                    kind,
                    code,
                    area_code,
                    area_name,
                    maximum,
                    rule_type,
                    department,
                    dept_codes,
                    start,
                    assessment,
                    report_deadlines,
                    annual_deadline,
                    step,
                )
            )
    return Rubric(
        kind,
        f"Bộ chỉ số {kind} (mô phỏng)",
        year,
        start,
        assessment,
        Decimal(5),
        Decimal(1),
        departments,
        tuple(criteria),
    )


def _criterion(
    rng: random.Random,
    index_code: str,
    code: str,
    area_code: str,
    area_name: str,
    maximum: Decimal,
    rule_type: str,
    department: str,
    dept_codes: list[str],
    start: date,
    assessment: date,
    report_deadlines: list[date],
    annual_deadline: date,
    step: Decimal,
) -> SimCriterion:
    letters = "abcdefgh"
    early, late = date(start.year, 2, 10), assessment - timedelta(days=14)

    def item(
        k: int, title: str, due: date | None = None, deadline: date | None = None, owner: str | None = None
    ) -> SimItem:
        owner = owner or (department if rng.random() < 0.8 else rng.choice(dept_codes))
        return SimItem(
            f"{index_code}-{code}-{letters[k]}", title, owner, due or deadline or _day(rng, early, late), deadline
        )

    params: dict[str, Any] = {}
    measure = None
    items: tuple[SimItem, ...]
    title = f"Tiêu chí {code}"
    if rule_type == "binary":
        if rng.random() < 0.15:
            items = (item(0, f"Báo cáo năm {start.year} về tiêu chí {code}", deadline=annual_deadline),)
        else:
            items = tuple(item(k, f"Tài liệu {code} số {k + 1}") for k in range(rng.randint(1, 3)))
    elif rule_type == "tiered":
        params = {
            "tiers": [
                {"label": "Trưởng", "fraction": "1"},
                {"label": "Phó", "fraction": "0.5"},
                {"label": "Không", "fraction": "0"},
            ]
        }
        measure, items = "tier", (item(0, f"Quyết định phân công ({code})"),)
    elif rule_type == "count_thresholds":
        params = {
            "thresholds": [
                {"min": 4, "points": str(maximum)},
                {"min": 3, "points": str((maximum * Decimal("0.75") / step).to_integral_value(ROUND_DOWN) * step)},
                {"min": 2, "points": str((maximum * Decimal("0.5") / step).to_integral_value(ROUND_DOWN) * step)},
            ]
        }
        if rng.random() < 0.5:  # counted by its items: one set of minutes per quarter
            items = tuple(
                item(
                    q,
                    f"Biên bản họp quý {q + 1} ({code})",
                    due=min(late, date(start.year, 3 * q + 3, 28) + timedelta(days=rng.randint(0, 10))),
                )
                for q in range(4)
            )
        else:  # counted by measurements: meetings held, the plan as evidence
            measure, items = "count", (item(0, f"Kế hoạch tổ chức ({code})"),)
    elif rule_type == "ratio":
        params = {"target_percent": str(rng.choice((15, 50, 80, 95, 100)))}
        measure, items = "percent", (item(0, f"Số liệu thống kê kèm nguồn ({code})"),)
    elif rule_type == "percentage_tiers":
        params = {
            "tiers": [
                {"min_percent": "100", "fraction": "1"},
                {"min_percent": "95", "fraction": "0.75"},
                {"min_percent": "90", "fraction": "0.5"},
            ]
        }
        measure, items = "percent", (item(0, f"Báo cáo tỷ lệ ({code})"),)
    elif rule_type == "deduction":
        deadlines = [(f"Báo cáo {name}", d) for (name, _), d in zip(REPORT_PERIODS, report_deadlines)]
        deadlines.append(("Báo cáo năm", annual_deadline))
        chosen = sorted(rng.sample(deadlines, rng.randint(2, 4)), key=lambda t: t[1])
        params = {
            "per_violation": str(max(step, (maximum / len(chosen) / step).to_integral_value(ROUND_DOWN) * step)),
            "max_deduction": str(maximum),
        }
        items = tuple(
            item(k, f"{name} {start.year} ({code})", deadline=d, owner=department) for k, (name, d) in enumerate(chosen)
        )
        title = f"Báo cáo định kỳ {code}"
    else:  # not_applicable
        return SimCriterion(
            code, f"Tiêu chí không áp dụng {code}", area_code, area_name, maximum, rule_type, {}, None, department, ()
        )
    last_year = (maximum * Decimal(str(rng.uniform(0.4, 1))) / step).to_integral_value(ROUND_DOWN) * step
    return SimCriterion(
        code, title, area_code, area_name, maximum, rule_type, params, last_year, department, items, measure
    )


# ---------------------------------------------------------------------------------------------- the events
@dataclass(frozen=True)
class Upload:
    day: date
    item: str
    version: int
    sent_date: date | None = None


@dataclass(frozen=True)
class Decision:
    day: date
    item: str
    version: int
    approved: bool


@dataclass(frozen=True)
class MeasurementEntry:
    day: date  # entered
    criterion: str
    measured_on: date
    numerator: Decimal
    denominator: Decimal | None


@dataclass(frozen=True)
class SelfScoreEntry:
    day: date
    criterion: str
    score: Decimal


Event = Upload | Decision | MeasurementEntry | SelfScoreEntry
WORK_EVENTS = (Upload, Decision)


@dataclass(frozen=True)
class Behaviour:
    """How one department works."""

    name: str
    start: date | None  # None: never does anything
    lead: tuple[int, int]  # days before the due date an item is uploaded
    completion: float  # share of its items it ever uploads
    backlog_per_week: float  # overdue items caught up per week after a late start
    crunch_from: date | None  # last minute: everything uploaded between this day and the assessment
    report_on_time: float
    quality: tuple[float, float]  # final measured value / target


@dataclass(frozen=True)
class Reviewer:
    delay: tuple[int, int]
    send_back: float
    resubmit: float
    resubmit_delay: tuple[int, int]


@dataclass(frozen=True)
class Unit:
    code: str
    profile: str
    rubric: Rubric
    events: tuple[Event, ...]
    behaviours: dict[str, Behaviour] = field(default_factory=dict, compare=False)  # by department code

    def with_events(self, extra: Iterable[Event]) -> Unit:
        return replace(self, events=self.events + tuple(extra))

    def frozen_after(self, day: date) -> Unit:
        """The same unit if nothing at all happened after `day`."""
        return replace(self, events=tuple(e for e in self.events if e.day <= day))

    def without(self, dropped: Iterable[Event]) -> Unit:
        left_out = set(dropped)
        return replace(self, events=tuple(e for e in self.events if e not in left_out))

    @property
    def approvals(self) -> int:
        return sum(
            1 for e in self.events if isinstance(e, Decision) and e.approved and e.day <= self.rubric.assessment_date
        )


def _noisy(rng: random.Random, name: str, rubric: Rubric) -> Behaviour:
    a = rubric.assessment_date
    if name == "idle":
        return Behaviour(name, None, (0, 0), 0.0, 0.0, None, 0.0, (0.0, 0.0))
    if name == "diligent":
        return Behaviour(
            name,
            rubric.start + timedelta(days=rng.randint(0, 20)),
            (0, rng.randint(14, 30)),
            min(1.0, rng.uniform(0.93, 1.02)),
            3.0,
            None,
            rng.uniform(0.93, 1.0),
            (0.97, 1.15),
        )
    if name == "late_starter":
        start = date(rubric.year, 6, 1) + timedelta(days=rng.randint(0, 75))
        return Behaviour(
            name,
            start,
            (0, rng.randint(7, 21)),
            rng.uniform(0.82, 0.97),
            rng.uniform(1.2, 2.5),
            None,
            rng.uniform(0.8, 0.95),
            (0.9, 1.08),
        )
    if name == "last_minute":
        crunch = a - timedelta(days=rng.randint(21, 56))
        return Behaviour(
            name, crunch, (0, 0), rng.uniform(0.7, 0.92), 0.0, crunch, rng.uniform(0.35, 0.65), (0.85, 1.03)
        )
    raise ValueError(f"unknown behaviour {name!r}")


def _reviewer(rng: random.Random, profile: str) -> Reviewer:
    if profile == "last_minute":
        return Reviewer((2, rng.randint(10, 21)), rng.uniform(0.15, 0.3), 0.75, (3, 12))
    if profile == "late_starter":
        return Reviewer((1, rng.randint(6, 12)), rng.uniform(0.12, 0.25), 0.85, (3, 14))
    return Reviewer((0, rng.randint(4, 8)), rng.uniform(0.05, 0.15), 0.95, (2, 10))


def behaviours_for(rng: random.Random, rubric: Rubric, profile: str) -> dict[str, Behaviour]:
    codes = [d for d, _ in rubric.departments]
    if profile in BASE_BEHAVIOURS:
        return {d: _noisy(rng, profile, rubric) for d in codes}
    if profile == "one_department_stuck":
        owners = sorted({i.owner for i in rubric.items()})
        stuck = rng.choice(owners)
        return {d: _noisy(rng, "idle" if d == stuck else "diligent", rubric) for d in codes}
    if profile == "mixed":
        return {d: _noisy(rng, rng.choices(BASE_BEHAVIOURS, weights=(4, 3, 3, 1))[0], rubric) for d in codes}
    raise ValueError(f"unknown profile {profile!r}; known: {', '.join(PROFILES)}")


def _clip(day: date, low: date) -> date:
    return max(day, low)


def _item_events(
    rng: random.Random, item: SimItem, b: Behaviour, reviewer: Reviewer, backlog_day: date | None, assessment: date
) -> list[Event]:
    if b.start is None or rng.random() > b.completion:
        return []
    deadline = item.report_deadline
    if deadline is not None:
        if b.crunch_from is not None and deadline < b.crunch_from:
            # a last-minute department still sends reports when the higher body asks, around the deadline
            sent = deadline + timedelta(
                days=rng.randint(-6, -1) if rng.random() < b.report_on_time else rng.randint(1, 8)
            )
        elif rng.random() < b.report_on_time:
            sent = deadline - timedelta(days=rng.randint(b.lead[0], max(b.lead[0], min(b.lead[1], 10))))
        else:
            sent = deadline + timedelta(days=rng.randint(1, 10))
        if b.crunch_from is None and sent < b.start:  # not started yet: the report goes out when it does, if ever
            if rng.random() < 0.5:
                return []
            sent = b.start + timedelta(days=rng.randint(0, 14))
        first = sent + timedelta(days=rng.randint(0, 4))
    else:
        sent = None
        if b.crunch_from is not None:
            first = b.crunch_from + timedelta(days=rng.randint(0, max(0, (assessment - b.crunch_from).days - 2)))
        elif backlog_day is not None:
            first = backlog_day
        else:
            first = _clip(item.due - timedelta(days=rng.randint(*b.lead)), b.start)
    events: list[Event] = []
    upload_day, version = first, 1
    while True:
        events.append(Upload(upload_day, item.code, version, sent))
        decided = upload_day + timedelta(days=rng.randint(*reviewer.delay))
        approved = rng.random() >= reviewer.send_back / version
        events.append(Decision(decided, item.code, version, approved))
        if approved or version >= 3 or rng.random() >= reviewer.resubmit:
            return events
        upload_day = decided + timedelta(days=rng.randint(*reviewer.resubmit_delay))
        version += 1


def _measurement_events(rng: random.Random, c: SimCriterion, b: Behaviour, assessment: date) -> list[Event]:
    target = c.target  # None exactly when the criterion is not measured
    if target is None or b.start is None:
        return []
    first = b.crunch_from or b.start
    last = assessment - timedelta(days=rng.randint(3, 10))
    if first >= last:
        return []
    events: list[Event] = []

    def enter(measured_on: date, numerator: Decimal, denominator: Decimal | None = None) -> None:
        events.append(
            MeasurementEntry(
                measured_on + timedelta(days=rng.randint(0, 6)), c.code, measured_on, numerator, denominator
            )
        )

    quality = rng.uniform(*b.quality)
    year_start = date(assessment.year, 1, 1)
    if c.measure == "percent":
        target_percent = float(target)
        v0 = min(100.0, target_percent * rng.uniform(0.55, 0.95))
        v1 = min(100.0, target_percent * quality)
        denominator = Decimal(rng.randint(300, 5000))
        step = rng.randint(25, 40) if b.crunch_from is None else rng.randint(7, 14)
        day = first + timedelta(days=rng.randint(0, 10))
        while day <= last:
            share = (day - year_start).days / (assessment - year_start).days
            value = v0 + (v1 - v0) * share + rng.gauss(0, 0.015 * target_percent)
            value = min(100.0, max(0.0, value))
            enter(day, Decimal(round(value * float(denominator) / 100)), denominator)
            day += timedelta(days=step)
    elif c.measure == "count":
        top = int(target)
        held = top if quality >= 0.97 else max(0, top - rng.randint(1, 2))
        days = sorted(_day(rng, first, last) for _ in range(held))
        for n, day in enumerate(days, start=1):
            enter(day, Decimal(n))
    else:  # tier: 1 = head (the best), 2 = deputy
        deputy = min(last, first + timedelta(days=rng.randint(0, 20)))
        enter(deputy, Decimal(2))
        if quality >= 0.97 or rng.random() < 0.5:
            enter(_day(rng, min(last, deputy + timedelta(days=14)), last), Decimal(1))
    return events


def simulate_unit(rubric: Rubric, profile: str, rng: random.Random, code: str | None = None) -> Unit:
    behaviours = behaviours_for(rng, rubric, profile)
    reviewer = _reviewer(rng, profile)
    a = rubric.assessment_date
    events: list[Event] = []
    # a late starter's overdue items: caught up in due order at its backlog pace
    backlog: dict[str, date] = {}
    for dept, b in behaviours.items():
        if b.start is None or b.crunch_from is not None:
            continue
        overdue = sorted(
            (
                i
                for i in rubric.items()
                if i.owner == dept and i.report_deadline is None and i.due - timedelta(days=b.lead[0]) < b.start
            ),
            key=lambda i: (i.due, i.code),
        )
        for n, item in enumerate(overdue):
            backlog[item.code] = b.start + timedelta(days=int(7 * n / b.backlog_per_week) + rng.randint(0, 3))
    for c in rubric.criteria:
        for item in c.items:
            events += _item_events(rng, item, behaviours[item.owner], reviewer, backlog.get(item.code), a)
        owner = behaviours[c.department] if c.department else None
        if owner is not None:
            events += _measurement_events(rng, c, owner, a)
    # self-scores, two or three weeks before the assessment, by the departments that worked at all
    for c in rubric.criteria:
        scorer = behaviours.get(c.department) if c.department is not None else None
        if c.rule_type == "not_applicable" or scorer is None or scorer.start is None:
            continue
        overclaim = scorer.name == "last_minute" or rng.random() < 0.1
        score = (
            c.max_points if overclaim else (c.max_points * Decimal(str(rng.uniform(0.7, 1)))).quantize(Decimal("0.01"))
        )
        events.append(SelfScoreEntry(a - timedelta(days=rng.randint(14, 21)), c.code, score))
    events.sort(key=lambda e: (e.day, type(e).__name__, getattr(e, "item", getattr(e, "criterion", ""))))
    return Unit(code or f"{profile}", profile, rubric, tuple(events), behaviours)


@dataclass(frozen=True)
class Cohort:
    """Units on the same rubric (one per profile), so that they can be ranked against each other."""

    rubric: Rubric
    units: tuple[Unit, ...]


def simulate_population(n_units: int, seed: int, *, profiles: tuple[str, ...] = PROFILES) -> list[Cohort]:
    """`n_units` units in cohorts of one unit per profile, each cohort on a rubric of its own."""
    cohorts: list[Cohort] = []
    made = 0
    k = 0
    while made < n_units:
        rng = random.Random(f"minhchung-sim-{seed}-{k}")
        rubric = generate_rubric(rng)
        members = profiles[: n_units - made]
        units = tuple(
            simulate_unit(rubric, p, random.Random(f"minhchung-sim-{seed}-{k}-{p}"), f"u{k:03d}-{p}") for p in members
        )
        cohorts.append(Cohort(rubric, units))
        made += len(units)
        k += 1
    return cohorts


# ------------------------------------------------------------------------------------ the inputs on a day
_History = tuple[
    dict[str, list[Upload]], dict[tuple[str, int], Decision], dict[str, list[MeasurementEntry]], list[SelfScoreEntry]
]


def _history(unit: Unit) -> _History:
    """The unit's events by item and criterion (computed once per unit)."""
    cached: _History | None = unit.__dict__.get("_history")
    if cached is not None:
        return cached
    uploads: dict[str, list[Upload]] = {}
    decisions: dict[tuple[str, int], Decision] = {}
    measurements: dict[str, list[MeasurementEntry]] = {}
    self_scores: list[SelfScoreEntry] = []
    for e in unit.events:
        if isinstance(e, Upload):
            uploads.setdefault(e.item, []).append(e)
        elif isinstance(e, Decision):
            decisions[e.item, e.version] = e
        elif isinstance(e, MeasurementEntry):
            measurements.setdefault(e.criterion, []).append(e)
        else:
            self_scores.append(e)
    for versions in uploads.values():
        versions.sort(key=lambda u: (u.day, u.version))
    for entries in measurements.values():
        entries.sort(key=lambda m: m.measured_on)  # stable: entries of one day in the order entered
    self_scores.sort(key=lambda e: e.day)
    history = unit.__dict__["_history"] = (uploads, decisions, measurements, self_scores)  # a cache, not state
    return history


@dataclass
class _Activity:
    approvals: list[date] = field(default_factory=list)
    uploads: list[date] = field(default_factory=list)
    waiting: int = 0
    sent_back: int = 0


def status_on(unit: Unit, day: date) -> tuple[list[CriterionStatus], list[DepartmentActivity]]:
    """The forecast's inputs as they stood at the end of `day` (see the module docstring)."""
    rubric = unit.rubric
    all_uploads, all_decisions, all_measurements, all_self_scores = _history(unit)
    self_scores = {e.criterion: e.score for e in all_self_scores if e.day <= day}
    names = dict(rubric.departments)
    activity: dict[str, _Activity] = {}
    criteria = []
    for c in rubric.criteria:
        items = []
        for item in c.items:
            versions = [u for u in all_uploads.get(item.code, ()) if u.day <= day]
            decided = []
            for u in versions:
                d = all_decisions.get((item.code, u.version))
                decided.append((u, d if d is not None and d.day <= day else None))
            approvals = sorted((d.day, u.version, u) for u, d in decided if d is not None and d.approved)
            approved_on = approvals[0][0] if approvals else None
            current = decided[-1] if decided else None
            pending = approved_on is None
            waiting = pending and current is not None and current[1] is None
            sent_back = pending and current is not None and current[1] is not None and not current[1].approved
            sent_date = None
            if item.report_deadline is not None and versions:
                sent_date = approvals[0][2].sent_date if approvals else versions[-1].sent_date
            items.append(
                ItemStatus(
                    item.code,
                    item.title,
                    item.owner,
                    names[item.owner],
                    item.due,
                    Decimal(1),
                    item.report_deadline,
                    approved_on,
                    sent_date,
                    waiting,
                    sent_back,
                    bool(versions),
                )
            )
            a = activity.setdefault(item.owner, _Activity())
            a.uploads.extend(u.day for u in versions)
            if approved_on is not None:
                a.approvals.append(approved_on)
            a.waiting += sum(1 for _, d in decided if d is None)
            a.sent_back += sent_back
        points = tuple(
            Measurement(m.measured_on, m.numerator, m.denominator, "mô phỏng")
            for m in all_measurements.get(c.code, ())
            if m.day <= day and m.measured_on <= day
        )
        criteria.append(
            CriterionStatus(
                code=c.code,
                title=c.title,
                area_code=c.area_code,
                area_name=c.area_name,
                max_points=c.max_points,
                rule_type=c.rule_type,
                rule_params=c.rule_params,
                last_year=c.last_year,
                points_estimated=False,
                department=c.department,
                department_name=rubric.department_name(c.department),
                items=tuple(items),
                measurements=points,
                self_score=self_scores.get(c.code),
            )
        )
    departments = [
        DepartmentActivity(
            code, names[code], tuple(sorted(a.approvals)), a.waiting, a.sent_back, tuple(sorted(a.uploads))
        )
        for code, a in sorted(activity.items())
    ]
    return criteria, departments


def forecast_on(
    unit: Unit, day: date, status: tuple[list[CriterionStatus], list[DepartmentActivity]] | None = None
) -> IndexForecast:
    criteria, departments = status if status is not None else status_on(unit, day)
    rubric = unit.rubric
    return forecast_index(
        criteria,
        departments,
        today=day,
        assessment_date=rubric.assessment_date,
        deviation_threshold_percent=rubric.deviation_threshold_percent,
        deviation_penalty_points=rubric.deviation_penalty_points,
    )


def final_forecast(unit: Unit) -> IndexForecast:
    """The official score: what is secured on the assessment date (only what was approved and measured by then)."""
    return forecast_on(unit, unit.rubric.assessment_date)


def checkpoints(rubric: Rubric) -> list[tuple[int, date]]:
    """(weeks before the assessment, day): every week back from the assessment date to the first due date."""
    days = []
    k = 0
    while rubric.assessment_date - timedelta(weeks=k) >= rubric.first_due:
        days.append((k, rubric.assessment_date - timedelta(weeks=k)))
        k += 1
    return sorted(days, key=lambda t: t[1])


def criterion_p(secured: Decimal, expected: Decimal, best: Decimal) -> float | None:
    """The probability the forecast gives to winning a criterion's winnable points; None when nothing is winnable."""
    if best <= secured:
        return None
    return float((expected - secured) / (best - secured))


def criterion_outcome(secured: Decimal, best: Decimal, final: Decimal) -> float | None:
    """The fraction of the winnable points (best − secured that week) won by the end, clipped to [0, 1]."""
    if best <= secured:
        return None
    return min(1.0, max(0.0, float((final - secured) / (best - secured))))
