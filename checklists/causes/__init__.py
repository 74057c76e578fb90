"""Why a criterion lost points, read from the appraiser's note by rules over Vietnamese phrases, and the
checklist items each cause proposes (the cause templates, kept as data in causes.yaml). No Flask, no database."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import yaml

from ..model import LOSS_CAUSE_TYPES
from ..tables import fold

TEMPLATES_FILE = Path(__file__).parent / "causes.yaml"


@dataclass(frozen=True)
class Cause:
    type: str
    text: str


@dataclass(frozen=True)
class ItemTemplate:
    key: str
    title: str
    checks: str
    lead_days: int
    report: bool


@dataclass(frozen=True)
class Templates:
    rules: tuple[tuple[str, tuple[re.Pattern[str], ...]], ...]
    default: str
    no_note: str
    labels: dict[str, str]
    items: dict[str, tuple[ItemTemplate, ...]]  # by cause type


@lru_cache(maxsize=4)
def load_templates(path: Path = TEMPLATES_FILE) -> Templates:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    rules = tuple((rule["cause"], tuple(re.compile(p) for p in rule["phrases"])) for rule in data["rules"])
    causes = data["causes"]
    unknown = ({c for c, _p in rules} | set(causes) | {data["default_cause"], data["no_note_cause"]}) - set(
        LOSS_CAUSE_TYPES
    )
    missing = set(LOSS_CAUSE_TYPES) - set(causes)
    if unknown or missing:
        raise ValueError(f"{path}: unknown cause types {sorted(unknown)}, causes without templates {sorted(missing)}")
    items = {
        cause: tuple(
            ItemTemplate(i["key"], i["title"], i["checks"], int(i["lead_days"]), bool(i.get("report")))
            for i in spec["items"]
        )
        for cause, spec in causes.items()
    }
    return Templates(
        rules, data["default_cause"], data["no_note_cause"], {c: s["label"] for c, s in causes.items()}, items
    )


_SPLIT = re.compile(r"\s*(?:;|\n|\r)\s*|\s+(?=\(\d+\)\s)")


def note_parts(note: str | None) -> list[str]:
    """The separate reasons in a note: cut at ';', new lines and before '(1)', '(2)' …, numbering removed."""
    parts = []
    for part in _SPLIT.split(note or ""):
        part = re.sub(r"^\(?\d+\)\s*", "", part.strip()).strip(" .-–:")
        if part:
            parts.append(part)
    return parts


def classify(text: str, templates: Templates | None = None) -> str:
    templates = templates or load_templates()
    folded = fold(text)
    for cause, patterns in templates.rules:
        if any(p.search(folded) for p in patterns):
            return cause
    return templates.default


def read_causes(note: str | None, templates: Templates | None = None) -> list[Cause]:
    """Each part of the note with the cause its phrases name, in the note's order; two parts of the same cause
    stay separate (a Q1 report and a 9-month report are two reports)."""
    templates = templates or load_templates()
    return [Cause(classify(part, templates), part) for part in note_parts(note)]


def deviates(self_score: Decimal | None, appraised: Decimal | None, threshold_percent: Decimal | int) -> bool:
    """A self-score above the appraised score by more than the threshold (a percentage of the appraised)."""
    if self_score is None or appraised is None:
        return False
    return self_score - appraised > appraised * threshold_percent / 100


@dataclass(frozen=True)
class ProposedItem:
    cause: Cause
    template: ItemTemplate
    title: str
    checks: str
    due: date | None


def propose(
    causes: list[Cause],
    *,
    criterion_title: str,
    year: int,
    assessment_date: date | None,
    templates: Templates | None = None,
) -> list[ProposedItem]:
    """The checklist items the causes call for (a cause without text — a criterion that lost points with no
    note — proposes the templates of its type all the same)."""
    templates = templates or load_templates()
    proposed: list[ProposedItem] = []
    for cause in causes:
        for template in templates.items[cause.type]:
            values = {"criterion": criterion_title, "year": year, "cause": cause.text or "—"}
            due = assessment_date - timedelta(days=template.lead_days) if assessment_date else None
            proposed.append(
                ProposedItem(
                    cause, template, template.title.format(**values)[:500], template.checks.format(**values), due
                )
            )
    return proposed
