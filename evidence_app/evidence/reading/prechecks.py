"""Pre-checks: what a reviewer would otherwise check by eye, done on what was read from the document. Each names
the send-back reason it anticipates (evidence/reasons.py). A pre-check never decides: it informs the uploader right
after the upload and the reviewer beside the document, and the report counts a document awaiting review with a
failed pre-check as at risk (reports), until a reviewer has decided."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

from ...auth.models import Unit
from ...catalog.models import ChecklistItem
from ..models import Document
from .models import DocumentReading, ReadingStatus

# Below this mean OCR confidence (0–100) a scan or photo is taken as unreadable: Tesseract's words at 60 are
# mostly right on a clean scan, at 40 mostly wrong (benchmarks/document_reading.py).
LEGIBLE_CONFIDENCE = 50.0

# The assessed period of year N runs from 15 December of N-1 to 14 December of N (docs: domain, the annual report's
# period); a report may be dated up to its sending deadline.
PERIOD_START = (12, 15)
PERIOD_END = (12, 14)


@dataclass(frozen=True)
class Precheck:
    code: str  # unsigned, altered, out_of_period, wrong_unit, illegible, few_pages
    reason: str  # the send-back reason it anticipates (evidence/reasons.py)
    message: str  # what was found, for people


def fold(text: str) -> str:
    """Lower case without accents, "đ" as "d", single spaces: how names are compared."""
    text = text.replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
    return re.sub(r"\s+", " ", re.sub(r"[^\w]+", " ", text.lower())).strip()


UNIT_KINDS = ("phuong", "xa", "thi tran", "p", "x", "tt")  # folded, with the abbreviations documents use
KIND_AND_PLACE = re.compile(r"(?:^| )(?:phuong|xa|thi tran) (.+)$")


def unit_names(unit: Unit) -> list[str]:
    """The folded names a document of the unit may carry as issuer: its name and other names (one per line), and
    its place after each kind of unit ("phường Giếng Đáy", "P. Giếng Đáy", "xã …")."""
    folded = [fold(name) for name in [unit.name, *(unit.other_names or "").splitlines()] if name.strip()]
    places = [m.group(1) for name in folded if (m := KIND_AND_PLACE.search(name))]
    kinds = [f"{kind} {place}" for place in places for kind in UNIT_KINDS]
    return [name for name in dict.fromkeys(folded + kinds) if name]


def is_unit_issuer(issuer: str, unit: Unit) -> bool:
    """True when the issuer names the unit or one of its bodies ("UBND phường Giếng Đáy", "Đảng ủy phường …")."""
    said = f" {fold(issuer)} "
    return any(f" {name} " in said for name in unit_names(unit))


def assessed_window(year: int, item: ChecklistItem) -> tuple[date, date]:
    start = date(year - 1, *PERIOD_START)
    end = date(year, *PERIOD_END)
    if item.report_deadline is not None and item.report_deadline > end:
        end = item.report_deadline
    return start, end


def document_date(document: Document, reading: DocumentReading) -> date | None:
    """The date the document itself carries (read), else the one typed with the upload."""
    read = (reading.proposals or {}).get("issue_date")
    if read:
        try:
            return date.fromisoformat(read)
        except ValueError:
            pass
    return document.issue_date


def prechecks(
    document: Document, reading: DocumentReading | None, item: ChecklistItem, unit: Unit, year: int
) -> list[Precheck]:
    """The failed pre-checks of `document` offered for `item` (empty until the reading is done)."""
    if reading is None or reading.status != ReadingStatus.done.value:
        return []
    found: list[Precheck] = []
    signatures = reading.signatures or []
    if item.requires_signature and not signatures:
        found.append(Precheck("unsigned", "unsigned", str(_l("Not digitally signed, and this item requires it."))))
    for signature in signatures:
        if not signature.get("intact", False) or signature.get("modified_after", False):
            who = signature.get("signer") or "?"
            found.append(
                Precheck("altered", "unsigned", str(_l("Signed by %(who)s, but changed after signing.", who=who)))
            )
            break
    day = document_date(document, reading)
    if day is not None:
        start, end = assessed_window(year, item)
        if not start <= day <= end:
            found.append(
                Precheck(
                    "out_of_period",
                    "out_of_period",
                    str(
                        _l(
                            "Dated %(day)s, outside the assessed period %(start)s – %(end)s.",
                            day=f"{day:%d/%m/%Y}",
                            start=f"{start:%d/%m/%Y}",
                            end=f"{end:%d/%m/%Y}",
                        )
                    ),
                )
            )
    issuer = (reading.proposals or {}).get("issuer") or document.issuer
    if issuer and not is_unit_issuer(issuer, unit):
        found.append(
            Precheck(
                "wrong_unit",
                "wrong_unit",
                str(_l("Issued by “%(issuer)s”, not by %(unit)s.", issuer=issuer, unit=unit.name)),
            )
        )
    if reading.method == "ocr" and reading.confidence is not None and reading.confidence < LEGIBLE_CONFIDENCE:
        found.append(
            Precheck(
                "illegible",
                "illegible",
                str(_l("Hard to read: the text was recognised with %(c)d%% confidence.", c=round(reading.confidence))),
            )
        )
    pages = reading.pages or document.page_count
    if item.min_pages and pages is not None and pages < item.min_pages:
        found.append(
            Precheck(
                "few_pages",
                "incomplete",
                str(_l("%(n)d page(s), fewer than the %(min)d this item expects.", n=pages, min=item.min_pages)),
            )
        )
    return found


def signature_summary(reading: DocumentReading | None) -> list[str]:
    """One line per signature, as the reviewer reads it: "Đã ký số bởi …, nguyên vẹn"."""
    if reading is None or reading.status != ReadingStatus.done.value:
        return []
    lines = []
    for s in reading.signatures or []:
        who = s.get("signer") or "?"
        if s.get("organisation"):
            who = f"{who} ({s['organisation']})"
        state = _l("intact") if s.get("intact") and not s.get("modified_after") else _l("changed after signing")
        chain = {
            "trusted": _l("certificate chain verified"),
            "untrusted": _l("certificate chain not trusted"),
        }.get(s.get("chain") or "", _l("certificate chain could not be verified"))
        lines.append(str(_l("Digitally signed by %(who)s, %(state)s; %(chain)s", who=who, state=state, chain=chain)))
    return lines
