"""Why a criterion lost points, read from the appraiser's note with the vocabulary of causes (causes.yaml: each
cause's code, Vietnamese label, the sources' wording and the checklist items it proposes), and the items
proposed for next year. No Flask, no database."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import yaml

from ..model import LOSS_CAUSE_TYPES
from ..tables import fold

TEMPLATES_FILE = Path(__file__).parent / "causes.yaml"
SCOPES = ("criterion", "index")
_NUMBER = r"\d+(?:[., ]\d+)?"


@dataclass(frozen=True)
class Cause:
    type: str
    text: str


@dataclass(frozen=True)
class Phrase:
    """A wording of a cause as a source writes it; matched without accents or case."""

    text: str
    source: str | None
    pattern: re.Pattern[str]
    weight: int  # how specific: the letters and digits it names


@dataclass(frozen=True)
class ItemTemplate:
    key: str
    title: str
    checks: str
    lead_days: int
    report: bool


@dataclass(frozen=True)
class CauseSpec:
    code: str
    label: str
    scope: str  # "criterion" or "index" (a cause of the whole index, such as the self-score deviation)
    phrases: tuple[Phrase, ...]
    items: tuple[ItemTemplate, ...]


@dataclass(frozen=True)
class Period:
    code: str  # q1, h1, m9, year
    label: str
    phrases: tuple[Phrase, ...]


@dataclass(frozen=True)
class Templates:
    """The vocabulary of causes (causes.yaml)."""

    causes: dict[str, CauseSpec]
    default: str
    no_note: str
    periods: dict[str, Period]

    @property
    def labels(self) -> dict[str, str]:
        return {code: spec.label for code, spec in self.causes.items()}

    @property
    def items(self) -> dict[str, tuple[ItemTemplate, ...]]:
        return {code: spec.items for code, spec in self.causes.items()}

    def index_scoped(self, cause_type: str) -> bool:
        return self.causes[cause_type].scope == "index"


def compile_phrase(text: str, source: str | None = None) -> Phrase:
    """'báo cáo … quá hạn' → a pattern over folded text: whole words, any words at '…', a number at '#'. Its
    weight (how specific it is) counts the letters and digits it names, and one per number."""
    pieces, weight = [], 0
    for piece in str(text).split("…"):
        tokens = []
        for i, part in enumerate(piece.split("#")):
            if i:
                tokens.append(_NUMBER)
                weight += 1
            if folded := fold(part):
                tokens.append(re.escape(folded))
                weight += len(re.sub(r"[^0-9a-z]", "", folded))
        if tokens:
            pieces.append(r"\s?".join(tokens))
    if not pieces:
        raise ValueError(f"the phrase {text!r} names no word")
    pattern = r"(?<![0-9a-z])" + r"\b.*?\b".join(pieces) + r"(?![0-9a-z])"
    return Phrase(str(text), source, re.compile(pattern), weight)


def _phrases(raw: Iterable[object], place: str) -> tuple[Phrase, ...]:
    phrases = []
    for entry in raw:
        if isinstance(entry, dict):
            phrases.append(compile_phrase(entry["text"], entry.get("source")))
        elif isinstance(entry, str):
            phrases.append(compile_phrase(entry))
        else:
            raise ValueError(f"{place}: a phrase is a text or {{text, source}}, not {entry!r}")
    return tuple(phrases)


@lru_cache(maxsize=4)
def load_templates(path: Path = TEMPLATES_FILE) -> Templates:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    causes = {}
    for code, spec in data["causes"].items():
        scope = spec.get("scope", "criterion")
        if scope not in SCOPES:
            raise ValueError(f"{path}: cause {code}: scope {scope!r} is not one of {', '.join(SCOPES)}")
        causes[code] = CauseSpec(
            code,
            spec["label"],
            scope,
            _phrases(spec.get("phrases") or (), f"{path}: cause {code}"),
            tuple(
                ItemTemplate(i["key"], i["title"], i["checks"], int(i["lead_days"]), bool(i.get("report")))
                for i in spec["items"]
            ),
        )
    unknown = (set(causes) | {data["default_cause"], data["no_note_cause"]}) - set(LOSS_CAUSE_TYPES)
    missing = set(LOSS_CAUSE_TYPES) - set(causes)
    if unknown or missing:
        raise ValueError(f"{path}: unknown cause types {sorted(unknown)}, cause types not described {sorted(missing)}")
    periods = {
        code: Period(code, spec["label"], _phrases(spec["phrases"], f"{path}: period {code}"))
        for code, spec in data["report_periods"].items()
    }
    return Templates(causes, data["default_cause"], data["no_note_cause"], periods)


def _best(folded: str, candidates: Iterable[tuple[str, tuple[Phrase, ...]]]) -> tuple[str, Phrase] | None:
    """The candidate whose most specific phrase is found in the text (the first listed on a tie)."""
    best: tuple[str, Phrase] | None = None
    for code, phrases in candidates:
        for phrase in phrases:
            if (best is None or phrase.weight > best[1].weight) and phrase.pattern.search(folded):
                best = (code, phrase)
    return best


_SPLIT = re.compile(r"\s*(?:;|\n|\r)\s*|\s+(?=\(\d+\)\s)")


def note_parts(note: str | None) -> list[str]:
    """The separate reasons in a note: cut at ';', new lines and before '(1)', '(2)' …, numbering removed."""
    parts = []
    for part in _SPLIT.split(note or ""):
        part = re.sub(r"^\(?\d+\)\s*", "", part.strip()).strip(" .-–:")
        if part:
            parts.append(part)
    return parts


def matched_phrase(text: str, templates: Templates | None = None) -> tuple[str, Phrase] | None:
    """The cause a text names and the phrase that named it (None when no phrase is found)."""
    templates = templates or load_templates()
    return _best(fold(text), ((code, spec.phrases) for code, spec in templates.causes.items()))


def classify(text: str, templates: Templates | None = None) -> str:
    templates = templates or load_templates()
    found = matched_phrase(text, templates)
    return found[0] if found else templates.default


def read_causes(note: str | None, templates: Templates | None = None) -> list[Cause]:
    """Each part of the note with the cause its phrases name, in the note's order; two parts of the same cause
    stay separate (a Q1 report and a 9-month report are two reports)."""
    templates = templates or load_templates()
    return [Cause(classify(part, templates), part) for part in note_parts(note)]


def report_periods(text: str | None, templates: Templates | None = None) -> list[str]:
    """The periods of periodic reports a text names (q1, h1, m9, year), in its order: "Báo cáo Quý 1 và 9 tháng
    quá hạn" names two. A phrase inside a more specific one does not count, nor "năm 2024" (a calendar year)
    beside another period ("9 tháng năm 2024" is the 9-month report)."""
    templates = templates or load_templates()
    folded = fold(text)
    found: list[tuple[int, int, int, str]] = []  # start, end, weight, period
    for period in templates.periods.values():
        for phrase in period.phrases:
            found += [(m.start(), m.end(), phrase.weight, period.code) for m in phrase.pattern.finditer(folded)]
    kept: list[tuple[int, int, int, str]] = []
    for match in sorted(found, key=lambda f: (-f[2], f[0])):
        if not any(match[0] < k[1] and k[0] < match[1] for k in kept):
            kept.append(match)
    periods = [k for k in sorted(kept) if not (k[3] == "year" and re.match(r" ?\d{4}", folded[k[1] :]))]
    if not periods:  # only calendar years: "Báo cáo năm 2024 không nộp" is the annual report
        periods = sorted(kept)
    return list(dict.fromkeys(k[3] for k in periods))


def report_period(text: str | None, templates: Templates | None = None) -> str | None:
    """The period of a periodic report a text names (the first, if it names several), or None."""
    periods = report_periods(text, templates)
    return periods[0] if periods else None


def deviates(self_score: Decimal | None, appraised: Decimal | None, threshold_percent: Decimal | int) -> bool:
    """A self-score above the appraised score by more than the threshold (a percentage of the appraised)."""
    if self_score is None or appraised is None:
        return False
    return self_score - appraised > appraised * threshold_percent / 100


def _vn(value: Decimal | int) -> str:
    value = Decimal(str(value))
    text = format(value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize(), "f")
    return text.replace(".", ",")


def index_deviation(
    self_total: Decimal | None,
    appraised_total: Decimal | None,
    threshold_percent: Decimal | int,
    source: str | None = None,
) -> Cause | None:
    """The self-score deviation, a cause of the whole index: its total self-score above its total appraised
    score by more than the index's threshold (never one criterion's)."""
    if not deviates(self_total, appraised_total, threshold_percent):
        return None
    assert self_total is not None and appraised_total is not None
    text = (
        f"Tổng điểm tự chấm {_vn(self_total)} cao hơn tổng điểm thẩm định {_vn(appraised_total)} "
        f"quá {_vn(threshold_percent)}%"
    )
    return Cause("self_score_deviation", f"{text} (nguồn: {source})" if source else text)


@dataclass(frozen=True)
class ReportItem:
    """A periodic report of the new year's rubric: where the report rule of a period is read from."""

    title: str
    period: str  # as the rubric writes it: "9 tháng năm 2025"
    deadline: date
    distance: int = 0  # 0: the criterion's own item; 1: its area's; 2: the index's


@dataclass(frozen=True)
class ProposedItem:
    causes: tuple[Cause, ...]
    template: ItemTemplate
    title: str
    checks: str
    due: date | None
    report_period: str | None = None  # a periodic report: its period, as the new rubric writes it
    report_found: bool = field(default=False)  # the report's title and deadline come from the new rubric

    @property
    def cause(self) -> Cause:
        return self.causes[0]


def same_report(
    period: str | None, reports: Sequence[ReportItem], templates: Templates | None = None
) -> ReportItem | None:
    """The new rubric's report of a period: the criterion's own first, then its area's, then the index's; the
    earliest deadline among equals. With no period, the criterion's own report when it has only one."""
    templates = templates or load_templates()
    if period is None:
        own = [r for r in reports if r.distance == 0]
        return own[0] if len(own) == 1 else None
    fitting = [r for r in reports if report_period(r.period, templates) == period]
    return min(fitting, key=lambda r: (r.distance, r.deadline)) if fitting else None


def period_name(period: str | None, year: int, templates: Templates | None = None) -> str:
    """A period as a report's title says it, when the rubric has no report of that period: "9 tháng năm 2025"."""
    templates = templates or load_templates()
    if period == "year":
        return f"năm {year}"
    return f"{templates.periods[period].label if period else 'định kỳ'} năm {year}"


def propose(
    causes: list[Cause],
    *,
    criterion_title: str,
    year: int,
    assessment_date: date | None,
    index_name: str = "",
    reports: Sequence[ReportItem] = (),
    templates: Templates | None = None,
) -> list[ProposedItem]:
    """The checklist items the causes call for, each once: two causes asking for the same document (same
    template, same title) make one item naming both. A late periodic report proposes that same report for the
    new year, with the title and deadline the new rubric (`reports`) gives its period; when the rubric has no
    report of that period, no deadline is guessed. A cause without text — a criterion that lost points with no
    note — proposes the templates of its type all the same."""
    templates = templates or load_templates()
    merged: dict[tuple[str, str, str], _Draft] = {}
    for cause in causes:
        named: list[str | None] = list(report_periods(cause.text, templates)) or [None]
        for template in templates.items[cause.type]:
            for period in named if template.report else [None]:
                values = {"criterion": criterion_title, "year": year, "index": index_name, "report": "", "period": ""}
                due = assessment_date - timedelta(days=template.lead_days) if assessment_date else None
                period_text, found = None, False
                if template.report:
                    report = same_report(period, reports, templates)
                    if report is not None:
                        values["report"], period_text, due, found = report.title, report.period, report.deadline, True
                    else:
                        period_text = period_name(period, year, templates)
                        values["report"] = f"Báo cáo {period_text}: {criterion_title}"
                        due = None
                    values["period"] = period_text
                title = template.title.format(**values)[:500]
                draft = merged.setdefault(
                    (cause.type, template.key, fold(title)), _Draft(template, title, due, period_text, found)
                )
                draft.causes.append(cause)
    proposed = []
    for draft in merged.values():
        texts = "; ".join(dict.fromkeys(c.text for c in draft.causes if c.text)) or "—"
        values = {
            "criterion": criterion_title,
            "year": year,
            "index": index_name,
            "cause": texts,
            "period": draft.period or "",
        }
        checks = draft.template.checks.format(**values)
        if draft.template.report and not draft.found:
            checks += (
                f". Hạn gửi: danh mục năm {year} chưa có báo cáo kỳ này; "
                "nhập hạn theo văn bản yêu cầu báo cáo của cấp trên"
            )
        proposed.append(
            ProposedItem(tuple(draft.causes), draft.template, draft.title, checks, draft.due, draft.period, draft.found)
        )
    return proposed


@dataclass
class _Draft:
    template: ItemTemplate
    title: str
    due: date | None
    period: str | None
    found: bool
    causes: list[Cause] = field(default_factory=list)
