"""The one-page executive summary: the report cut down to what the chairman reads and signs. The lists are capped
so that it stays on one A4 page however many criteria are at risk; what is left out is counted ("và N tiêu chí
khác") and is in the full report."""

from __future__ import annotations

from datetime import date

SUMMARY_CRITERIA = 10  # criteria at risk on the page, shared between the indices
SUMMARY_DEPARTMENTS = 5


def criteria_at_risk(index: dict) -> list[dict]:
    """An index's criteria with points still at risk, critical ones first, then by priority: the report's order."""
    ranked = sorted(
        (c for c in index["criteria"] if not c["remainder"] and c["at_risk"] > 0), key=lambda c: -c["priority"]
    )
    return [c for c in ranked if c["risk"] == "critical"] + [c for c in ranked if c["risk"] != "critical"]


def last_year(index: dict) -> float | None:
    """Last year's score: the published total when the catalog has it, else the sum of the criteria's."""
    published = index["last_year_published"]
    return published if published is not None else index["totals"]["last_year"]


def official_day(value: str) -> str:
    """A day as a Vietnamese official document writes it (Nghị định 30/2020/NĐ-CP): "ngày 05 tháng 02 năm 2024",
    "ngày 15 tháng 6 năm 2024" (a leading zero for days under 10 and for months under 3)."""
    day = date.fromisoformat(value)
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def executive_summary(report: dict, criteria: int = SUMMARY_CRITERIA, departments: int = SUMMARY_DEPARTMENTS) -> dict:
    indices, top, left_out = [], [], 0
    per_index = max(1, criteria // max(1, len(report["indices"])))
    late: dict[str, dict] = {}
    for index in report["indices"]:
        totals, before = index["totals"], last_year(index)
        indices.append(
            {
                "code": index["code"],
                "name": index["name"],
                "year": index["year"],
                "assessment_date": index["assessment_date"],
                "closed": index["closed"],
                "max": totals["max"],
                "last_year": before,
                "expected": totals["expected"],
                "change": None if before is None else round(totals["expected"] - before, 2),
                "secured": totals["secured"],
                "at_risk": totals["at_risk"],
            }
        )
        ranked = criteria_at_risk(index)
        top += [{**c, "index": index["code"]} for c in ranked[:per_index]]
        left_out += len(ranked[per_index:])
        for d in index["departments"]:
            if d["on_time"] or not d["remaining"]:
                continue
            merged = late.setdefault(d["code"], {"name": d["name"], "remaining": 0, "waiting": 0, "sent_back": 0})
            for key in ("remaining", "waiting", "sent_back"):
                merged[key] += d[key]
    late_list = sorted(late.values(), key=lambda d: (-d["remaining"], d["name"]))
    return {
        "unit": report["unit"],
        "as_of": report["as_of"],
        "indices": indices,
        "criteria": top,
        "more_criteria": left_out,
        "departments": late_list[:departments],
        "more_departments": len(late_list[departments:]),
    }
