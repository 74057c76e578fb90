"""Load and validate a catalog file (see FORMAT.md). Every problem is reported at once, each naming the file,
the place in it (`areas[2].criteria[5].max_points`), what is wrong and what is expected."""

from __future__ import annotations

import re
from collections.abc import Set
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeGuard

import yaml

from .model import (
    LOSS_CAUSE_TYPES,
    AreaSpec,
    Catalog,
    CriterionSpec,
    DepartmentSpec,
    IndexSpec,
    ItemSpec,
    LastYear,
    LossCause,
    ReportSpec,
    RuleSpec,
)
from .numbers import as_decimal
from .rules import RULE_TYPES
from .tables import DAY_FORMATS

FORMAT_VERSION = 1
PUBLISHED_TOTAL_TOLERANCE = Decimal("0.5")  # published totals are rounded (the DTI pillars add to 695.9, published 696)
INDEX_CODE = re.compile(r"^[A-Z][A-Z0-9-]{0,31}$")
DEPARTMENT_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
AREA_CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.]{0,15}$")
CRITERION_CODE = re.compile(r"^[0-9]+(\.[0-9]+){0,3}$")


@dataclass(frozen=True)
class Problem:
    place: str
    message: str

    def __str__(self) -> str:
        return f"{self.place}: {self.message}" if self.place else self.message


class CatalogError(Exception):
    """A catalog that cannot be used; `problems` lists every problem found."""

    def __init__(self, source: str, problems: list[Problem]):
        self.source = source
        self.problems = problems
        super().__init__(self.report())

    def report(self) -> str:
        lines = [f"{self.source}: {len(self.problems)} problem(s)"]
        lines += [f"{self.source}: {problem}" for problem in self.problems]
        return "\n".join(lines)


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that refuses a key written twice in one mapping (PyYAML would keep the last silently)."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: dict[Any, bool] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                "while reading a mapping", node.start_mark, f"found the key {key!r} twice", key_node.start_mark
            )
        seen[key] = True
    return yaml.SafeLoader.construct_mapping(loader, node, deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_catalog(path: str | Path) -> Catalog:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CatalogError(str(path), [Problem("", "the file does not exist")]) from None
    except UnicodeDecodeError as exc:
        raise CatalogError(
            str(path), [Problem("", f"the file is not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8")]
        ) from None
    return parse_catalog(text, source=str(path))


def parse_catalog(text: str, *, source: str = "<catalog>") -> Catalog:
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        context = getattr(exc, "context", None)
        message = f"not valid YAML: {problem}" + (f" ({context})" if context else "") + "; fix the syntax there"
        raise CatalogError(source, [Problem(where, message)]) from None
    validator = _Validator()
    catalog = validator.catalog(data)
    if validator.problems or catalog is None:  # the validator names a problem whenever it gives no catalog
        raise CatalogError(source, validator.problems)
    return catalog


class _Validator:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, place: str, message: str) -> None:
        self.problems.append(Problem(place, message))

    # --- field readers: each records a problem and returns None when the value is unusable
    def text(
        self,
        data: dict[str, Any],
        key: str,
        place: str,
        *,
        required: bool = True,
        pattern: re.Pattern[str] | None = None,
        what: str = "a text",
    ) -> str | None:
        value = data.get(key)
        where = f"{place}.{key}" if place else key
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.add(where, f"is missing: expected {what}")
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool) and pattern is not None:
            value = str(value)  # an unquoted code such as 1 or 1.2
        if not isinstance(value, str):
            self.add(where, f"is {value!r}: expected {what}")
            return None
        value = value.strip()
        if pattern is not None and not pattern.match(value):
            self.add(where, f"is {value!r}: expected {what}")
            return None
        return value

    def number(
        self,
        data: dict[str, Any],
        key: str,
        place: str,
        *,
        required: bool = True,
        positive: bool = False,
        minimum: int | None = None,
    ) -> Decimal | None:
        where = f"{place}.{key}" if place else key
        if data.get(key) is None:
            if required:
                self.add(where, "is missing: expected a number")
            return None
        value = as_decimal(data[key])
        if value is None:
            self.add(where, f"is {data[key]!r}: expected a number such as 17 or 15.84")
            return None
        if positive and value <= 0:
            self.add(where, f"is {value}: expected a number above 0")
            return None
        if minimum is not None and value < minimum:
            self.add(where, f"is {value}: expected a number ≥ {minimum}")
            return None
        return value

    def day(self, data: dict[str, Any], key: str, place: str, *, required: bool = True) -> date | None:
        where = f"{place}.{key}" if place else key
        value = data.get(key)
        if value is None:
            if required:
                self.add(where, "is missing: expected a date such as 2024-12-15")
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            for fmt in DAY_FORMATS:
                try:
                    return datetime.strptime(value.strip(), fmt).date()
                except ValueError:
                    pass
        self.add(where, f"is {value!r}: expected a date such as 2024-12-15 (or 15/12/2024)")
        return None

    def is_mapping(self, data: object, place: str) -> TypeGuard[dict[str, Any]]:
        if not isinstance(data, dict):
            self.add(place, f"is {type(data).__name__ if data is not None else 'empty'}: expected a mapping of fields")
            return False
        return True

    def sequence(self, data: dict[str, Any], key: str, place: str, *, required: bool = True) -> list[Any]:
        where = f"{place}.{key}" if place else key
        value = data.get(key)
        if value is None:
            if required:
                self.add(where, "is missing: expected a list")
            return []
        if not isinstance(value, list):
            self.add(where, f"is {type(value).__name__}: expected a list")
            return []
        return value

    def unknown_keys(self, data: dict[str, Any], allowed: Set[str], place: str) -> None:
        for key in data:
            if key not in allowed:
                where = f"{place}.{key}" if place else str(key)
                self.add(where, f"is not a known field; expected one of: {', '.join(sorted(allowed))}")

    # --- the document
    def catalog(self, data: object) -> Catalog | None:
        if not self.is_mapping(data, ""):
            return None
        self.unknown_keys(data, {"format", "departments", "index", "areas"}, "")
        fmt = data.get("format")
        if fmt != FORMAT_VERSION:
            self.add("format", f"is {fmt!r}: expected {FORMAT_VERSION} (the version of FORMAT.md this file follows)")
        departments = self.departments(data)
        index = self.index(data.get("index"))
        known = {d.code for d in departments}
        areas = []
        raw_areas = self.sequence(data, "areas", "")
        if not raw_areas and "areas" in data:
            self.add("areas", "is empty: expected at least one area")
        for i, raw in enumerate(raw_areas):
            area = self.area(raw, f"areas[{i}]", index, known)
            if area is not None:
                areas.append(area)
        self.check_uniqueness(areas, raw_areas, index)
        if index is not None and len(areas) == len(raw_areas) and areas:
            self.check_totals(index, areas)
        if self.problems or index is None:
            return None
        return Catalog(index=index, departments=tuple(departments), areas=tuple(areas))

    def departments(self, data: dict[str, Any]) -> list[DepartmentSpec]:
        result = []
        seen = set()
        for i, raw in enumerate(self.sequence(data, "departments", "")):
            place = f"departments[{i}]"
            if not self.is_mapping(raw, place):
                continue
            self.unknown_keys(raw, {"code", "name"}, place)
            code = self.text(
                raw,
                "code",
                place,
                pattern=DEPARTMENT_CODE,
                what="a code of lower-case letters, digits and '-' (e.g. vp-tk)",
            )
            name = self.text(raw, "name", place)
            if code in seen:
                self.add(f"{place}.code", f"{code!r} is declared twice; declare each department once")
            elif code and name:
                seen.add(code)
                result.append(DepartmentSpec(code, name))
        return result

    def index(self, raw: object) -> IndexSpec | None:
        if not self.is_mapping(raw, "index"):
            return None
        place = "index"
        self.unknown_keys(
            raw, {"code", "name", "year", "max_points", "assessment_date", "deviation", "last_year", "source"}, place
        )
        code = self.text(
            raw, "code", place, pattern=INDEX_CODE, what="a code of capital letters, digits and '-' (e.g. CCHC, QN-DTI)"
        )
        name = self.text(raw, "name", place)
        year = raw.get("year")
        if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
            self.add("index.year", f"is {year!r}: expected a year such as 2024")
            year = None
        max_points = self.number(raw, "max_points", place, positive=True)
        assessment_date = self.day(raw, "assessment_date", place)
        threshold: Decimal | None = Decimal(0)
        penalty: Decimal | None = Decimal(0)
        deviation_source = None
        deviation = raw.get("deviation")
        if deviation is not None and self.is_mapping(deviation, "index.deviation"):
            self.unknown_keys(deviation, {"threshold_percent", "penalty_points", "source"}, "index.deviation")
            threshold = self.number(deviation, "threshold_percent", "index.deviation", minimum=0)
            penalty = self.number(deviation, "penalty_points", "index.deviation", minimum=0)
            deviation_source = self.text(deviation, "source", "index.deviation", required=False)
            if penalty and deviation_source is None:
                self.add(
                    "index.deviation.source",
                    "is missing: a self-score deviation penalty needs the document that sets it (number and "
                    'article, e.g. "Quyết định 123/QĐ-UBND, Điều 5, khoản 2"); without one, remove the '
                    "`deviation` block (no penalty is applied)",
                )
        last_year = None
        if raw.get("last_year") is not None and self.is_mapping(raw["last_year"], "index.last_year"):
            ly = raw["last_year"]
            self.unknown_keys(ly, {"year", "score", "note"}, "index.last_year")
            ly_year = ly.get("year")
            if not isinstance(ly_year, int) or isinstance(ly_year, bool):
                self.add("index.last_year.year", f"is {ly_year!r}: expected a year such as 2023")
            score = self.number(ly, "score", "index.last_year", minimum=0)
            note = self.text(ly, "note", "index.last_year", required=False)
            if score is not None and max_points is not None and score > max_points:
                self.add("index.last_year.score", f"is {score}, above the index's max_points {max_points}")
            if isinstance(ly_year, int) and score is not None:
                last_year = LastYear(ly_year, score, note)
        source = self.text(raw, "source", place, required=False)
        if (
            code is None
            or name is None
            or year is None
            or max_points is None
            or assessment_date is None
            or threshold is None
            or penalty is None
        ):
            return None
        return IndexSpec(
            code, name, year, max_points, assessment_date, threshold, penalty, last_year, source, deviation_source
        )

    def area(self, raw: object, place: str, index: IndexSpec | None, departments: set[str]) -> AreaSpec | None:
        if not self.is_mapping(raw, place):
            return None
        self.unknown_keys(raw, {"code", "name", "max_points", "last_year_score", "loss_causes", "criteria"}, place)
        code = self.text(raw, "code", place, pattern=AREA_CODE, what='a short code such as "1"')
        name = self.text(raw, "name", place)
        max_points = self.number(raw, "max_points", place, positive=True)
        last_year = self.number(raw, "last_year_score", place, required=False, minimum=0)
        if last_year is not None and max_points is not None and last_year > max_points:
            self.add(f"{place}.last_year_score", f"is {last_year}, above the area's max_points {max_points}")
        causes = []
        for j, cause in enumerate(self.sequence(raw, "loss_causes", place, required=False)):
            if isinstance(cause, str) and cause.strip():
                causes.append(cause.strip())
            else:
                self.add(f"{place}.loss_causes[{j}]", f"is {cause!r}: expected a text")
        criteria = []
        raw_criteria = self.sequence(raw, "criteria", place)
        if not raw_criteria and isinstance(raw.get("criteria"), list):
            self.add(f"{place}.criteria", "is empty: expected at least one criterion")
        for j, raw_criterion in enumerate(raw_criteria):
            criterion = self.criterion(raw_criterion, f"{place}.criteria[{j}]", index, departments)
            if criterion is not None:
                criteria.append(criterion)
        if code is None or name is None or max_points is None or len(criteria) != len(raw_criteria):
            return None
        area = AreaSpec(code, name, max_points, last_year, tuple(causes), tuple(criteria))
        self.check_area_totals(area, place)
        return area

    def criterion(
        self, raw: object, place: str, index: IndexSpec | None, departments: set[str]
    ) -> CriterionSpec | None:
        if not self.is_mapping(raw, place):
            return None
        self.unknown_keys(
            raw,
            {
                "code",
                "title",
                "max_points",
                "points_estimated",
                "last_year_score",
                "department",
                "rule",
                "loss_causes",
                "items",
                "last_year_note",
            },
            place,
        )
        code = self.text(
            raw,
            "code",
            place,
            pattern=CRITERION_CODE,
            what="a code of numbers and dots, at most four levels (e.g. 1.2 or 4.22.11); quote it in YAML",
        )
        title = self.text(raw, "title", place)
        max_points = self.number(raw, "max_points", place, positive=True)
        estimated = raw.get("points_estimated", False)
        if not isinstance(estimated, bool):
            self.add(f"{place}.points_estimated", f"is {estimated!r}: expected true or false")
            estimated = False
        last_year = self.number(raw, "last_year_score", place, required=False, minimum=0)
        if last_year is not None and max_points is not None and last_year > max_points:
            self.add(f"{place}.last_year_score", f"is {last_year}, above the criterion's max_points {max_points}")
        last_year_note = self.text(raw, "last_year_note", place, required=False)
        department = self.text(raw, "department", place, required=False)
        if department is not None and department not in departments:
            self.add(
                f"{place}.department",
                f"{department!r} is not a declared department; declare it under `departments` or use one of: {', '.join(sorted(departments)) or '(none declared)'}",
            )
        rule = self.rule(raw.get("rule"), f"{place}.rule", max_points)
        causes = []
        for k, cause in enumerate(self.sequence(raw, "loss_causes", place, required=False)):
            cplace = f"{place}.loss_causes[{k}]"
            if not self.is_mapping(cause, cplace):
                continue
            self.unknown_keys(cause, {"type", "text"}, cplace)
            ctype = cause.get("type")
            if ctype not in LOSS_CAUSE_TYPES:
                self.add(f"{cplace}.type", f"is {ctype!r}: expected one of {', '.join(LOSS_CAUSE_TYPES)}")
            text = self.text(cause, "text", cplace)
            if ctype in LOSS_CAUSE_TYPES and text:
                causes.append(LossCause(ctype, text))
        items = []
        raw_items = self.sequence(raw, "items", place, required=False)
        for k, raw_item in enumerate(raw_items):
            item = self.item(raw_item, f"{place}.items[{k}]", index, code, departments)
            if item is not None:
                items.append(item)
        if rule is not None and not RULE_TYPES[rule.type].uses_weights:
            weighted = [k for k, item in enumerate(items) if item.weight != 1]
            for k in weighted:
                self.add(
                    f"{place}.items[{k}].weight",
                    f"is {items[k].weight}, but the rule {rule.type!r} does not divide the points among documents "
                    "(every document is needed, or each counts once): remove the weight, or score the criterion "
                    "by `type: shares`, where each document earns weight ÷ total weight of the maximum",
                )
        if rule is not None and rule.type == "not_applicable":
            if last_year is not None:
                self.add(
                    f"{place}.last_year_score",
                    "is given for a not_applicable criterion: remove it (such a criterion is not scored)",
                )
        elif rule is not None and rule.type == "remainder" and last_year is None:
            self.add(
                f"{place}.last_year_score", "is missing: a remainder block is forecast from last year's score; give it"
            )
        elif not raw_items:
            self.add(
                f"{place}.items",
                "is missing or empty: every scored criterion needs at least one checklist item (the document that proves it)",
            )
        if code is None or title is None or max_points is None or rule is None or len(items) != len(raw_items):
            return None
        return CriterionSpec(
            code, title, max_points, rule, department, last_year, estimated, tuple(causes), tuple(items), last_year_note
        )

    def rule(self, raw: object, place: str, max_points: Decimal | None) -> RuleSpec | None:
        if not self.is_mapping(raw, place):
            return None
        rule_type = raw.get("type")
        if rule_type not in RULE_TYPES:
            self.add(f"{place}.type", f"is {rule_type!r}: expected one of {', '.join(RULE_TYPES)}")
            return None
        rule_class = RULE_TYPES[rule_type]
        params = {k: v for k, v in raw.items() if k != "type"}
        self.unknown_keys(params, rule_class.parameters, place)
        problems = rule_class.check(params, max_points if max_points is not None else Decimal("Infinity"))
        for sub, message in problems:
            self.add(f"{place}.{sub}", message)
        if problems:
            return None
        return RuleSpec(rule_type, rule_class.normalise(params))

    def item(
        self, raw: object, place: str, index: IndexSpec | None, criterion_code: str | None, departments: set[str]
    ) -> ItemSpec | None:
        if not self.is_mapping(raw, place):
            return None
        self.unknown_keys(
            raw,
            {"code", "title", "checks", "owner", "due", "weight", "report", "requires_signature", "min_pages"},
            place,
        )
        code = self.text(raw, "code", place, what="a code such as CCHC-1.1-a")
        if code is not None and index is not None and not code.startswith(f"{index.code}-"):
            self.add(
                f"{place}.code",
                f"is {code!r}: item codes start with the index code, e.g. {index.code}-{criterion_code or '1.1'}-a",
            )
        if code is not None and not re.match(r"^[A-Za-z0-9.\-_]{1,64}$", code):
            self.add(f"{place}.code", f"is {code!r}: use letters, digits, '.', '-' and '_' only (at most 64)")
        title = self.text(raw, "title", place)
        checks = self.text(raw, "checks", place, what="a text saying what the appraiser checks")
        owner = self.text(raw, "owner", place, what="a department code")
        if owner is not None and owner not in departments:
            self.add(
                f"{place}.owner",
                f"{owner!r} is not a declared department; declare it under `departments` or use one of: {', '.join(sorted(departments)) or '(none declared)'}",
            )
            owner = None
        weight = self.number(raw, "weight", place, required=False, positive=True)
        requires_signature = raw.get("requires_signature", False)
        if not isinstance(requires_signature, bool):
            self.add(f"{place}.requires_signature", f"is {requires_signature!r}: write true or false")
            requires_signature = False
        min_pages = raw.get("min_pages")
        if min_pages is not None and (isinstance(min_pages, bool) or not isinstance(min_pages, int) or min_pages < 1):
            self.add(f"{place}.min_pages", f"is {min_pages!r}: write a whole number of pages, 1 or more")
            min_pages = None
        report = None
        if raw.get("report") is not None and self.is_mapping(raw["report"], f"{place}.report"):
            report = self.report(raw["report"], f"{place}.report")
        due = self.day(raw, "due", place, required=report is None and raw.get("report") is None)
        if due is None and report is not None:
            due = report.deadline
        if (
            code is None
            or title is None
            or checks is None
            or owner is None
            or (raw.get("report") is not None and report is None)
        ):
            return None
        return ItemSpec(
            code,
            title,
            checks,
            owner,
            due,
            weight if weight is not None else Decimal(1),
            report,
            requires_signature=requires_signature,
            min_pages=min_pages,
        )

    def report(self, raw: dict[str, Any], place: str) -> ReportSpec | None:
        """A periodic report: its period, the data cut-off, the sending deadline and their source."""
        self.unknown_keys(raw, {"period", "cutoff", "deadline", "source"}, place)
        period = self.text(raw, "period", place)
        cutoff = self.day(raw, "cutoff", place, required=False)
        deadline = self.day(raw, "deadline", place)
        source = self.text(
            raw,
            "source",
            place,
            what="the document that sets the cut-off and the deadline: its number and article (e.g. "
            '"Nghị định 09/2019/NĐ-CP, Điều 12"), and what is not confirmed',
        )
        if cutoff is not None and deadline is not None and cutoff > deadline:
            self.add(
                f"{place}.cutoff",
                f"is {cutoff.isoformat()}, after the deadline {deadline.isoformat()}: figures are cut off before "
                "the report is sent",
            )
            return None
        if period and deadline and source:
            return ReportSpec(period, deadline, cutoff, source)
        return None

    # --- whole-document checks
    def check_area_totals(self, area: AreaSpec, place: str) -> None:
        total = sum((c.max_points for c in area.criteria), Decimal(0))
        if total != area.max_points:
            listed = " + ".join(f"{c.code}: {c.max_points}" for c in area.criteria)
            self.add(
                f"{place}.max_points",
                f"area {area.code} has max_points {area.max_points} but its criteria add up to {total} ({listed}); make them equal",
            )
        if area.last_year_score is not None:
            scored = [c for c in area.criteria if c.applicable]
            missing = [c.code for c in scored if c.last_year_score is None]
            scores = [c.last_year_score for c in scored if c.last_year_score is not None]
            if missing:
                self.add(
                    f"{place}.last_year_score",
                    f"area {area.code} has a last_year_score but criteria {', '.join(missing)} have none; give each scored criterion its last_year_score",
                )
            else:
                total = sum(scores, Decimal(0))
                if total != area.last_year_score:
                    self.add(
                        f"{place}.last_year_score",
                        f"area {area.code} has last_year_score {area.last_year_score} but its criteria add up to {total}; make them equal",
                    )

    def check_totals(self, index: IndexSpec, areas: list[AreaSpec]) -> None:
        total = sum((a.max_points for a in areas), Decimal(0))
        if total != index.max_points:
            listed = " + ".join(f"{a.code}: {a.max_points}" for a in areas)
            self.add(
                "index.max_points", f"is {index.max_points} but the areas add up to {total} ({listed}); make them equal"
            )
        if index.last_year is not None:
            missing = [a.code for a in areas if a.last_year_score is None]
            area_scores = [a.last_year_score for a in areas if a.last_year_score is not None]
            if missing:
                self.add("index.last_year.score", f"is given but areas {', '.join(missing)} have no last_year_score")
            else:
                total = sum(area_scores, Decimal(0))
                if abs(total - index.last_year.score) > PUBLISHED_TOTAL_TOLERANCE:
                    self.add(
                        "index.last_year.score",
                        f"is {index.last_year.score} but the areas' last_year_score add up to {total}; they may differ by rounding only (at most {PUBLISHED_TOTAL_TOLERANCE})",
                    )

    def check_uniqueness(self, areas: list[AreaSpec], raw_areas: list[Any], index: IndexSpec | None) -> None:
        seen_areas: dict[str, str] = {}
        seen_criteria: dict[str, str] = {}
        seen_items: dict[str, str] = {}
        for i, raw in enumerate(raw_areas):
            if not isinstance(raw, dict):
                continue
            code = str(raw.get("code", "")).strip()
            if code and code in seen_areas:
                self.add(
                    f"areas[{i}].code",
                    f"{code!r} is used twice (also at {seen_areas[code]}); area codes are unique within an index",
                )
            seen_areas.setdefault(code, f"areas[{i}]")
            for j, crit in enumerate(raw.get("criteria") or [] if isinstance(raw.get("criteria"), list) else []):
                if not isinstance(crit, dict):
                    continue
                ccode = str(crit.get("code", "")).strip()
                if ccode and ccode in seen_criteria:
                    self.add(
                        f"areas[{i}].criteria[{j}].code",
                        f"{ccode!r} is used twice (also at {seen_criteria[ccode]}); criterion codes are unique within an index",
                    )
                seen_criteria.setdefault(ccode, f"areas[{i}].criteria[{j}]")
                for k, item in enumerate(crit.get("items") or [] if isinstance(crit.get("items"), list) else []):
                    if not isinstance(item, dict):
                        continue
                    icode = str(item.get("code", "")).strip()
                    if icode and icode in seen_items:
                        self.add(
                            f"areas[{i}].criteria[{j}].items[{k}].code",
                            f"{icode!r} is used twice (also at {seen_items[icode]}); checklist item codes are unique",
                        )
                    seen_items.setdefault(icode, f"areas[{i}].criteria[{j}].items[{k}]")
