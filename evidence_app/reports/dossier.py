"""The self-assessment dossier (hồ sơ tự đánh giá) of an index as of a day, in the province's layout: a title block
(quốc hiệu, tiêu ngữ, the unit, the index and its year), a table (STT, tiêu chí / tiêu chí thành phần, điểm tối đa,
điểm tự chấm, giải trình, and the tài liệu kiểm chứng of each criterion: số, ký hiệu; ngày; trích yếu; trang; the
file in the submission pack), the totals and the signature block.

`build_dossier` reads the database once into a neutral table model (`Dossier`); `dossier_renderers.py` writes it as
XLSX, DOCX or PDF. Everything is read as it stood at the end of the day: the self-scores and giải trình from their
history, the documents approved by then with their details then, under the path the pack of that day gives them."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..auth.models import Unit
from ..catalog.models import Area, Criterion, Index
from ..extensions import db
from .pack import NoCycle, cycle_indices, pack_entries
from .queries import end_of_day, self_assessments
from .summary import official_day

FORMATS = ("xlsx", "docx", "pdf")
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
QUOC_HIEU = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
TIEU_NGU = "Độc lập - Tự do - Hạnh phúc"
# The table's columns, in Vietnamese whatever the screen's language: it is the province's form.
HEADERS = ("STT", "Tiêu chí / tiêu chí thành phần", "Điểm tối đa", "Điểm tự chấm", "Giải trình")
DOCUMENT_HEADERS = ("Số, ký hiệu", "Ngày", "Trích yếu", "Trang", "Tệp trong hồ sơ minh chứng")
DOCUMENTS_HEADER = "Tài liệu kiểm chứng"
NOT_APPLICABLE = "Không áp dụng"
TOTAL = "Tổng cộng"
SIGNATURE_LEFT = ("NGƯỜI LẬP BIỂU", "(Ký, ghi rõ họ tên)")
SIGNATURE_RIGHT = ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "(Ký, ghi rõ họ tên, đóng dấu)")
ROMAN = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"))
ROMAN += ((9, "IX"), (5, "V"), (4, "IV"), (1, "I"))


class DossierRefused(LookupError):
    """No such index in the unit (for that year); the message says which."""


@dataclass(frozen=True)
class DossierDocument:
    """One supporting document of a criterion, as the dossier cites it."""

    number: str | None  # số, ký hiệu
    issue_date: date | None
    summary: str | None  # trích yếu
    page_ref: str | None  # trang
    path: str  # the file in the submission pack of the same day


@dataclass(frozen=True)
class DossierRow:
    kind: str  # "area" or "criterion"
    stt: str  # I, II… for areas; the criterion's code (1.1, 1.1.2…) for criteria
    title: str
    max_points: Decimal
    self_score: Decimal | None
    explanation: str | None = None
    applicable: bool = True
    documents: tuple[DossierDocument, ...] = ()


@dataclass(frozen=True)
class Dossier:
    unit_name: str
    index_code: str
    index_name: str
    year: int
    as_of: date
    rows: list[DossierRow] = field(default_factory=list)
    total_max: Decimal = Decimal(0)
    total_self_score: Decimal = Decimal(0)

    @property
    def title(self) -> str:
        return f"BẢNG TỰ ĐÁNH GIÁ, CHẤM ĐIỂM {self.index_name.upper()} NĂM {self.year}"

    @property
    def place_and_date(self) -> str:
        """ "Giếng Đáy, ngày 05 tháng 02 năm 2025" (Nghị định 30/2020/NĐ-CP): the unit's place name, the day."""
        return f"{place_name(self.unit_name)}, {official_day(self.as_of.isoformat())}"

    @property
    def subtitle(self) -> str:
        return f"Số liệu tính đến hết ngày {self.as_of:%d/%m/%Y}"

    @property
    def file_stem(self) -> str:
        return f"ho-so-tu-danh-gia-{self.index_code}-{self.year}-{self.as_of.isoformat()}"


def place_name(unit_name: str) -> str:
    """The place a document is dated from: the unit's name without "UBND"/"Ủy ban nhân dân" and its kind
    ("phường Giếng Đáy" → "Giếng Đáy")."""
    name = re.sub(r"^\s*(UBND|Ủy ban nhân dân|Uỷ ban nhân dân)\s+", "", unit_name, flags=re.IGNORECASE)
    name = re.sub(r"^(phường|xã|thị trấn|đặc khu)\s+", "", name, flags=re.IGNORECASE)
    return name.strip() or unit_name


def roman(number: int) -> str:
    out = []
    for value, letters in ROMAN:
        while number >= value:
            out.append(letters)
            number -= value
    return "".join(out)


def index_for_dossier(unit: Unit, code: str, as_of: date, year: int | None = None) -> Index:
    """The unit's index with this code: of `year`, or of the cycle under way on `as_of` (else the latest)."""
    try:
        indices = cycle_indices(unit, as_of, year)
    except NoCycle:
        indices = []
    found = next((i for i in indices if i.code == code), None)
    if found is None:
        wanted = f"{code} {year}" if year is not None else code
        raise DossierRefused(f"{unit.code} has no index {wanted}")
    return found


def build_dossier(unit: Unit, index: Index, as_of: date) -> Dossier:
    """The dossier of `index` as it stood at the end of `as_of`."""
    areas = (
        db.session.execute(
            select(Area)
            .where(Area.index_id == index.id)
            .order_by(Area.position, Area.id)
            .options(selectinload(Area.criteria))
        )
        .scalars()
        .all()
    )
    standing = self_assessments([index.id], end_of_day(as_of))
    documents: dict[int, list[DossierDocument]] = defaultdict(list)
    cited: set[tuple[int, int]] = set()
    for entry in pack_entries([index], as_of):
        if (entry.criterion_id, entry.document.id) in cited:
            continue  # one document proving two items of a criterion is cited once (the pack holds it twice)
        cited.add((entry.criterion_id, entry.document.id))
        documents[entry.criterion_id].append(
            DossierDocument(
                entry.fields.number, entry.fields.issue_date, entry.fields.summary, entry.fields.page_ref, entry.path
            )
        )
    rows: list[DossierRow] = []
    total = Decimal(0)
    for n, area in enumerate(areas, start=1):
        criteria_rows = []
        for criterion in sorted(area.criteria, key=lambda c: (c.position, c.id)):
            assessed = standing.get(criterion.id)
            criteria_rows.append(_criterion_row(criterion, assessed, documents.get(criterion.id, ())))
        scored = [r.self_score for r in criteria_rows if r.self_score is not None]
        area_score = sum(scored, Decimal(0)) if scored else None
        total += area_score or 0
        rows.append(DossierRow("area", roman(n), area.name, area.max_points, area_score))
        rows.extend(criteria_rows)
    return Dossier(
        unit_name=unit.name,
        index_code=index.code,
        index_name=index.name,
        year=index.year,
        as_of=as_of,
        rows=rows,
        total_max=index.max_points,
        total_self_score=total,
    )


def _criterion_row(criterion: Criterion, assessed, documents) -> DossierRow:
    return DossierRow(
        "criterion",
        criterion.code,
        criterion.title,
        criterion.max_points,
        None if assessed is None else assessed.score,
        None if assessed is None else assessed.explanation,
        applicable=criterion.applicable,
        documents=tuple(documents),
    )


def points(value: Decimal | None) -> str:
    """Points as a Vietnamese document writes them: 86,34; 4; 0,5 (empty when there is none)."""
    if value is None:
        return ""
    text = f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}".rstrip("0")
    return text.replace(".", ",")


def day(value: date | None) -> str:
    return "" if value is None else value.strftime("%d/%m/%Y")
