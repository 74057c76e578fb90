"""The rubric as the province sends it: a spreadsheet (XLSX or CSV) with the columns Mã · Tiêu chí / Chỉ tiêu ·
Nhóm · Điểm tối đa · Cách tính điểm · Tài liệu kiểm chứng · Phụ trách · Hạn xử lý, found by their headers in any
order. Codes give the tree: `4` is an area, `4.22` a criterion, `4.22.11` a criterion under the group `4.22`.
The sheet becomes the same data as a YAML catalog and goes through the same validation; every problem names the
row and the column. Writing it back (`rubric_rows`) gives a sheet this module reads again. No Flask, no database."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from .loader import CatalogError, Problem, _Validator
from .model import Catalog
from .rules import RULE_TYPES, Params
from .tables import Column, TableError, code_text, day, find_table, fold, number, read_cells

RUBRIC_COLUMNS = [
    Column("code", "Mã", ("ma", "ma tieu chi", "ma so", "ma chi tieu")),
    Column("title", "Tiêu chí / Chỉ tiêu", ("tieu chi", "chi tieu", "ten tieu chi", "tieu chi / chi tieu")),
    Column("group", "Nhóm", ("nhom", "linh vuc", "truc", "nhom tieu chi")),
    Column("max", "Điểm tối đa", ("diem toi da", "toi da", "diem chuan", "thang diem")),
    Column("rule", "Cách tính điểm", ("cach tinh diem", "cach cham diem", "cach cham", "phuong phap tinh diem")),
    Column("documents", "Tài liệu kiểm chứng", ("tai lieu kiem chung", "tai lieu minh chung", "minh chung")),
    Column("owner", "Phụ trách", ("phu trach", "bo phan phu trach", "don vi phu trach", "bo phan")),
    Column("due", "Hạn xử lý", ("han xu ly", "thoi han", "han hoan thanh", "han")),
    Column("last_year", "Điểm năm trước", ("diem nam truoc",)),
    Column("last_year_note", "Ghi chú điểm năm trước", ("ghi chu diem nam truoc",)),
]
FIELD_COLUMNS = {
    "code": "code",
    "title": "title",
    "name": "title",
    "max_points": "max",
    "rule": "rule",
    "department": "owner",
    "owner": "owner",
    "due": "due",
    "items": "documents",
    "last_year_score": "last_year",
    "last_year_note": "last_year_note",
    "checks": "rule",
}
DEFAULT_CHECKS = "Đúng nội dung tiêu chí; có số hiệu, ngày ban hành, chữ ký và dấu hoặc ký số; trong kỳ đánh giá"

# The second sheet: one row per document of the checklist, with what the first sheet's one cell per criterion
# cannot hold (each item's own due date, weight and owner; a periodic report's period, cut-off, sending deadline
# and their source). When a workbook has it, the items come from it; without it (a CSV, the province's own
# sheet) they come from the column "Tài liệu kiểm chứng" of the first sheet.
ITEMS_SHEET = "Tài liệu kiểm chứng"
ITEM_COLUMNS = [
    Column("criterion", "Mã tiêu chí", ("ma tieu chi",)),
    Column("code", "Mã tài liệu", ("ma tai lieu",)),
    Column("title", "Tài liệu kiểm chứng", ("tai lieu kiem chung", "ten tai lieu")),
    Column("checks", "Yêu cầu khi thẩm định", ("yeu cau khi tham dinh", "yeu cau")),
    Column("owner", "Phụ trách", ("phu trach", "bo phan phu trach", "bo phan")),
    Column("due", "Hạn", ("han", "han xu ly")),
    Column("weight", "Trọng số", ("trong so",)),
    Column("period", "Kỳ báo cáo", ("ky bao cao",)),
    Column("cutoff", "Ngày chốt số liệu", ("ngay chot so lieu", "chot so lieu")),
    Column("deadline", "Hạn gửi báo cáo", ("han gui bao cao", "han gui")),
    Column("source", "Căn cứ (số văn bản, điều/khoản)", ("can cu (so van ban, dieu/khoan)", "can cu", "nguon")),
    Column("requires_signature", "Yêu cầu ký số", ("yeu cau ky so", "ky so")),
    Column("min_pages", "Số trang tối thiểu", ("so trang toi thieu",)),
]
YES = {"x", "có", "co", "yes", "true", "1"}  # "Yêu cầu ký số" ticked
NO = {"", "không", "khong", "no", "false", "0"}
# The third sheet: what the index says beside its criteria (the self-score deviation penalty and its source).
INDEX_SHEET = "Chỉ số"
INDEX_FIELDS = {
    "threshold_percent": "Ngưỡng chênh lệch điểm tự chấm (%)",
    "penalty_points": "Điểm trừ khi vượt ngưỡng",
    "deviation_source": "Căn cứ điểm trừ (số văn bản, điều/khoản)",
}


@dataclass(frozen=True)
class IndexInfo:
    """What the sheet does not say: given on the command line (or taken from last year's index)."""

    code: str
    name: str
    year: int
    assessment_date: date
    # No penalty unless a document names one (FORMAT.md): a penalty without its source is refused.
    threshold_percent: Decimal = Decimal(0)
    penalty_points: Decimal = Decimal(0)
    deviation_source: str | None = None


# ---- "Cách tính điểm": each rule type writes its text and reads it back (anything else is binary, kept as the checks)
def rule_text(rule_type: str, params: Params) -> str:
    if rule_type not in RULE_TYPES:
        raise ValueError(rule_type)
    return RULE_TYPES[rule_type].sheet_text(params)


def parse_rule(text: str | None) -> Params:
    """The rule a "Cách tính điểm" text describes, as a catalog `rule:` mapping."""
    if not text:
        return {"type": "binary"}
    folded = fold(re.sub(r"(\d),(\d)", r"\1.\2", text))  # 0,5 stays a number once folded
    for rule_class in RULE_TYPES.values():
        rule = rule_class.read_sheet_text(text, folded)
        if rule is not None:
            return rule
    return {"type": "binary"}


def _department_code(name: str, known: dict[str, str]) -> str:
    folded = fold(name)
    if folded in known:
        return known[folded]
    if re.fullmatch(r"[a-z0-9][a-z0-9-]{0,39}", name.strip()):
        return name.strip()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")[:40] or "bo-phan"


def load_rubric_sheet(
    path: str | Path, info: IndexInfo, *, data: bytes | None = None, departments: dict[str, str] | None = None
) -> Catalog:
    """`departments`: the unit's departments, folded name → code, so that "Văn phòng – Thống kê" is `vp-tk`."""
    source = Path(path).name
    try:
        table = find_table(
            read_cells(path, data), RUBRIC_COLUMNS, source=source, required=[("code",), ("title",), ("max",)]
        )
    except TableError as exc:
        raise CatalogError(source, [Problem("", p) for p in exc.problems]) from None
    known = {fold(name): code for name, code in (departments or {}).items()}
    problems: list[Problem] = []
    raw = data if data is not None else (Path(path).read_bytes() if Path(path).exists() else b"")
    sheet_items = _sheet_items(raw, source, info, known, problems)
    info = _sheet_index(raw, source, info, problems)
    rows = []
    for row in table.rows:
        code = code_text(row.values.get("code"))
        if code is None:
            if row.values.get("code") is not None:
                problems.append(
                    Problem(
                        f"row {row.number}, column {table.columns['code']!r}",
                        f"{row.values['code']!r} is not a code such as 1, 1.2 or 4.22.11",
                    )
                )
            continue  # a row without a code: a heading or a note
        rows.append((row, code))
    codes = [code for _r, code in rows]
    seen: dict[str, int] = {}
    for row, code in rows:
        if code in seen:
            problems.append(
                Problem(
                    f"row {row.number}, column {table.columns['code']!r}",
                    f"{code!r} is used twice (also on row {seen[code]}); codes are unique",
                )
            )
        seen.setdefault(code, row.number)
    groups = {c for c in codes if any(other.startswith(c + ".") for other in codes)}

    departments_used: dict[str, str] = {}
    areas: dict[str, dict[str, Any]] = {}
    places: dict[str, int] = {}
    for row, code in rows:
        v = row.values
        area_code = code.split(".")[0]
        values = {}
        for key in ("max", "last_year"):
            try:
                values[key] = number(v.get(key))
            except ValueError:
                problems.append(
                    Problem(f"row {row.number}, column {table.columns[key]!r}", f"{v[key]!r} is not a number")
                )
                values[key] = None
        if "." not in code:
            area = areas.setdefault(area_code, {"code": area_code, "criteria": []})
            area.update({"name": v.get("title") or v.get("group"), "max_points": values["max"]})
            if values["last_year"] is not None:
                area["last_year_score"] = values["last_year"]
            area["_row"] = row.number
            continue
        if code in groups:
            continue  # a group of criteria (4.22 above 4.22.11): its points are its criteria's
        area = areas.setdefault(area_code, {"code": area_code, "name": v.get("group"), "criteria": []})
        if area_code not in codes and area.get("max_points") is None:
            area["_row"] = area.get("_row", row.number)
        owner = str(v["owner"]).strip() if v.get("owner") else None
        if owner:
            departments_used.setdefault(_department_code(owner, known), owner)
        rule_cell = v.get("rule")
        rule = parse_rule(rule_cell if isinstance(rule_cell, str) else None)  # a number there says nothing
        try:
            due = day(v.get("due"))
        except ValueError:
            problems.append(
                Problem(
                    f"row {row.number}, column {table.columns['due']!r}",
                    f"{v['due']!r} is not a date such as 15/12/{info.year}",
                )
            )
            due = None
        criterion: dict[str, Any] = {"code": code, "title": v.get("title"), "max_points": values["max"], "rule": rule}
        if values["last_year"] is not None:
            criterion["last_year_score"] = values["last_year"]
        if v.get("last_year_note"):
            criterion["last_year_note"] = str(v["last_year_note"])
        if owner:
            criterion["department"] = _department_code(owner, known)
        if rule["type"] != "not_applicable" and sheet_items is not None:
            criterion["items"] = sheet_items.pop(code, [])
            for item in criterion["items"]:
                item["owner"] = item.get("owner") or criterion.get("department")
                if item["owner"]:
                    departments_used.setdefault(item["owner"], item.pop("_owner_name", None) or item["owner"])
                item.setdefault("checks", DEFAULT_CHECKS)
                if "due" not in item and "report" not in item:
                    item["due"] = due or info.assessment_date
        elif rule["type"] != "not_applicable":
            documents = [
                d.strip(" -•\t") for d in re.split(r"[\n;]+", str(v.get("documents") or "")) if d.strip(" -•\t")
            ]
            checks = (
                f"Cách tính điểm: {v['rule']}"
                if v.get("rule") and not fold(v["rule"]).startswith("co du diem")
                else DEFAULT_CHECKS
            )
            owner_code = criterion.get("department")
            criterion["items"] = [
                {
                    "code": f"{info.code}-{info.year}-{code}-{_letter(k)}",
                    "title": title,
                    "checks": checks,
                    "owner": owner_code,
                    "due": due or info.assessment_date,
                }
                for k, title in enumerate(documents or [f"Tài liệu kiểm chứng: {v.get('title') or code}"])
            ]
        area["criteria"].append(criterion)
        criterion["_row"] = row.number

    if sheet_items:
        for code, items in sheet_items.items():
            problems.append(
                Problem(
                    f"sheet {ITEMS_SHEET!r}, row {items[0]['_row']}",
                    f"criterion {code!r} is not on the first sheet: add it there, or correct the column "
                    f"'{ITEM_COLUMNS[0].header}'",
                )
            )
    item_places: dict[str, int] = {}
    data_areas = []
    for i, area in enumerate(areas.values()):
        if area.get("max_points") is None:
            area["max_points"] = sum((c["max_points"] or 0 for c in area["criteria"]), Decimal(0))
        if area.get("name") is None:
            problems.append(
                Problem(
                    f"row {area['_row']}",
                    f"criteria {area['code']}.… have no area: add a row with the code "
                    f"{area['code']} and the area's name, or fill the column 'Nhóm'",
                )
            )
        places[f"areas[{i}]"] = area.pop("_row")
        if (
            "last_year_score" not in area
            and area["criteria"]
            and all("last_year_score" in c for c in area["criteria"] if c["rule"]["type"] != "not_applicable")
        ):
            area["last_year_score"] = sum(
                (c["last_year_score"] for c in area["criteria"] if "last_year_score" in c), Decimal(0)
            )
        for j, criterion in enumerate(area["criteria"]):
            places[f"areas[{i}].criteria[{j}]"] = criterion.pop("_row")
            for k, item in enumerate(criterion.get("items", [])):
                if "_row" in item:
                    item_places[f"areas[{i}].criteria[{j}].items[{k}]"] = item.pop("_row")
        data_areas.append(area)
    catalog_data = {
        "format": 1,
        "departments": [{"code": code, "name": name} for code, name in departments_used.items()],
        "index": {
            "code": info.code,
            "name": info.name,
            "year": info.year,
            "max_points": sum((a["max_points"] or 0 for a in data_areas), Decimal(0)),
            "assessment_date": info.assessment_date,
            "deviation": {
                "threshold_percent": info.threshold_percent,
                "penalty_points": info.penalty_points,
                **({"source": info.deviation_source} if info.deviation_source else {}),
            },
        },
        "areas": data_areas,
    }
    if problems:
        raise CatalogError(source, problems)
    validator = _Validator()
    catalog = validator.catalog(plain_numbers(catalog_data))
    if validator.problems or catalog is None:  # the validator names a problem whenever it gives no catalog
        raise CatalogError(
            source, [_on_item_row(p, item_places) or _on_row(p, places, table.columns) for p in validator.problems]
        )
    return catalog


def _named_sheet(raw: bytes, name: str) -> list[list[Any]] | None:
    """The cells of the sheet called `name` in an XLSX workbook; None for a CSV or a workbook without it."""
    if raw[:4] != b"PK\x03\x04":
        return None
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception:  # the first sheet's reading has reported it
        return None
    try:
        wanted = fold(name)
        sheet = next((ws for ws in book.worksheets if fold(ws.title) == wanted), None)
        return None if sheet is None else [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def _sheet_items(
    raw: bytes, source: str, info: IndexInfo, known: dict[str, str], problems: list[Problem]
) -> dict[str, list[dict[str, Any]]] | None:
    """The items of the sheet "Tài liệu kiểm chứng" by criterion code (None when the workbook has no such sheet)."""
    cells = _named_sheet(raw, ITEMS_SHEET)
    if cells is None:
        return None
    try:
        table = find_table(cells, ITEM_COLUMNS, source=source, required=[("criterion",), ("title",)])
    except TableError as exc:
        problems.extend(Problem(f"sheet {ITEMS_SHEET!r}", p) for p in exc.problems)
        return {}
    items: dict[str, list[dict[str, Any]]] = {}
    for row in table.rows:
        v = row.values

        def where(key: str, number_: int = row.number) -> str:
            return f"sheet {ITEMS_SHEET!r}, row {number_}, column {table.columns.get(key, key)!r}"

        code = code_text(v.get("criterion"))
        if code is None:
            problems.append(Problem(where("criterion"), f"{v.get('criterion')!r} is not a code such as 1.1"))
            continue
        item: dict[str, Any] = {"_row": row.number, "title": v.get("title")}
        if v.get("code"):
            item["code"] = str(v["code"]).strip()
        if v.get("checks"):
            item["checks"] = v["checks"]
        if v.get("owner"):
            name = str(v["owner"]).strip()
            item["owner"], item["_owner_name"] = _department_code(name, known), name
        days = {}
        for key in ("due", "cutoff", "deadline"):
            try:
                days[key] = day(v.get(key))
            except ValueError:
                problems.append(Problem(where(key), f"{v[key]!r} is not a date such as 14/12/{info.year}"))
                days[key] = None
        if days["due"] is not None:
            item["due"] = days["due"]
        try:
            weight = number(v.get("weight"))
        except ValueError:
            problems.append(Problem(where("weight"), f"{v['weight']!r} is not a number"))
            weight = None
        if weight is not None:
            item["weight"] = weight
        signed = str(v.get("requires_signature") or "").strip().lower()
        if signed in YES:
            item["requires_signature"] = True
        elif signed not in NO:
            problems.append(
                Problem(where("requires_signature"), f"{v['requires_signature']!r}: write x (yes) or leave empty")
            )
        try:
            pages = number(v.get("min_pages"))
            bad_pages = pages is not None and (pages != int(pages) or pages < 1)
        except ValueError:
            pages, bad_pages = None, True
        if bad_pages:
            problems.append(Problem(where("min_pages"), f"{v['min_pages']!r} is not a whole number of pages"))
        elif pages is not None:
            item["min_pages"] = int(pages)
        if v.get("period") or days["deadline"] or v.get("source"):
            report: dict[str, Any] = {
                "period": v.get("period"),
                "deadline": days["deadline"],
                "source": v.get("source"),
            }
            if days["cutoff"] is not None:
                report["cutoff"] = days["cutoff"]
            item["report"] = report
        items.setdefault(code, []).append(item)
    for code, listed in items.items():
        for k, item in enumerate(listed):
            item.setdefault("code", f"{info.code}-{info.year}-{code}-{_letter(k)}")
    return items


def _sheet_index(raw: bytes, source: str, info: IndexInfo, problems: list[Problem]) -> IndexInfo:
    """The deviation penalty of the sheet "Chỉ số" (two columns: field, value), over what `info` says."""
    cells = _named_sheet(raw, INDEX_SHEET)
    if cells is None:
        return info
    labels = {fold(label): key for key, label in INDEX_FIELDS.items()}
    values: dict[str, Any] = {}
    for number_, row in enumerate(cells, start=1):
        if len(row) < 2 or fold(row[0]) not in labels:
            continue
        key = labels[fold(row[0])]
        if key == "deviation_source":
            values[key] = str(row[1]).strip() if row[1] not in (None, "") else None
            continue
        try:
            values[key] = number(row[1]) if row[1] not in (None, "") else Decimal(0)
        except ValueError:
            problems.append(Problem(f"sheet {INDEX_SHEET!r}, row {number_}, column 'B'", f"{row[1]!r} is not a number"))
    return replace(info, **values) if values else info


def plain_numbers(value: object) -> object:
    """Decimals as the numbers the YAML loader would hand to the validator (rule parameters are stored so)."""
    if isinstance(value, dict):
        return {k: plain_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain_numbers(v) for v in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _letter(k: int) -> str:
    return "abcdefghijklmnopqrstuvwxyz"[k] if k < 26 else f"z{k}"


def _on_item_row(problem: Problem, places: dict[str, int]) -> Problem | None:
    """`areas[0].criteria[2].items[1].report.source` → the row of the sheet "Tài liệu kiểm chứng"."""
    match = re.match(r"^(areas\[\d+\]\.criteria\[\d+\]\.items\[\d+\])(?:\.(?:report\.)?(\w+))?", problem.place)
    if not match or match.group(1) not in places:
        return None
    where = f"sheet {ITEMS_SHEET!r}, row {places[match.group(1)]}"
    header = next((c.header for c in ITEM_COLUMNS if c.key == match.group(2)), None)
    return Problem(f"{where}, column {header!r}" if header else where, problem.message)


def _on_row(problem: Problem, places: dict[str, int], headers: dict[str, str]) -> Problem:
    """`areas[0].criteria[2].max_points` → `row 7, column 'Điểm tối đa'`."""
    match = re.match(r"^(areas\[\d+\](?:\.criteria\[\d+\])?)(?:\.(\w+))?", problem.place)
    if not match or match.group(1) not in places:
        return problem
    where = f"row {places[match.group(1)]}"
    column = FIELD_COLUMNS.get(match.group(2) or "")
    if column and column in headers:
        where += f", column {headers[column]!r}"
    elif column:
        where += f", column {next(c.header for c in RUBRIC_COLUMNS if c.key == column)!r}"
    return Problem(where, problem.message)


def rubric_rows(catalog_data: dict[str, Any]) -> list[list[object]]:
    """A catalog (as the YAML mapping) as the province's sheet: the header, then each area and its criteria."""
    header: list[object] = [c.header for c in RUBRIC_COLUMNS]
    names = {d["code"]: d["name"] for d in catalog_data.get("departments", [])}
    rows = [header]
    for area in catalog_data["areas"]:
        rows.append(
            [
                area["code"],
                area["name"],
                None,
                area["max_points"],
                None,
                None,
                None,
                None,
                area.get("last_year_score"),
                None,
            ]
        )
        for c in area["criteria"]:
            rule = c["rule"]
            items = c.get("items", [])
            dues = [i.get("due") or (i.get("report") or {}).get("deadline") for i in items]
            due = min((d for d in dues if d), default=None)
            rows.append(
                [
                    c["code"],
                    c["title"],
                    area["name"],
                    c["max_points"],
                    rule_text(rule["type"], {k: v for k, v in rule.items() if k != "type"}),
                    "\n".join(i["title"] for i in items) or None,
                    names.get(c.get("department")) or c.get("department"),
                    due.strftime("%d/%m/%Y") if isinstance(due, date) else due,
                    c.get("last_year_score"),
                    c.get("last_year_note"),
                ]
            )
    return rows


def _day_text(value: object) -> object:
    return value.strftime("%d/%m/%Y") if isinstance(value, date) else value


def item_rows(catalog_data: dict[str, Any]) -> list[list[object]]:
    """The sheet "Tài liệu kiểm chứng": one row per checklist item, with its dates and, for a periodic report,
    its period, cut-off, sending deadline and their source; `load_rubric_sheet` reads it back."""
    names = {d["code"]: d["name"] for d in catalog_data.get("departments", [])}
    rows: list[list[object]] = [[c.header for c in ITEM_COLUMNS]]
    for area in catalog_data["areas"]:
        for c in area["criteria"]:
            for i in c.get("items", []):
                report = i.get("report") or {}
                rows.append(
                    [
                        c["code"],
                        i["code"],
                        i["title"],
                        i.get("checks"),
                        names.get(i.get("owner")) or i.get("owner"),
                        _day_text(i.get("due")),
                        i.get("weight", 1),
                        report.get("period"),
                        _day_text(report.get("cutoff")),
                        _day_text(report.get("deadline")),
                        report.get("source"),
                        "x" if i.get("requires_signature") else None,
                        i.get("min_pages"),
                    ]
                )
    return rows


def index_rows(catalog_data: dict[str, Any]) -> list[list[object]]:
    """The sheet "Chỉ số": the self-score deviation penalty and its source (empty: no penalty)."""
    deviation = catalog_data["index"].get("deviation") or {}
    return [
        ["Thông tin", "Giá trị"],
        [INDEX_FIELDS["threshold_percent"], deviation.get("threshold_percent", 0)],
        [INDEX_FIELDS["penalty_points"], deviation.get("penalty_points", 0)],
        [INDEX_FIELDS["deviation_source"], deviation.get("source")],
    ]


def default_assessment_date(year: int) -> date:
    return date(year, 12, 15)


def next_year_date(day_: date, year: int) -> date:
    try:
        return day_.replace(year=year)
    except ValueError:  # 29 February
        return day_.replace(year=year, day=28)
