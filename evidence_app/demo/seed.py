"""The machinery of the demo's history: a plan of dated actions per ward, played in time order through the app's
own service functions, each inside `clock.frozen_at` its moment, so that every timestamp (uploads, links,
reviews, measurements, self-scores, the audit trail) is the moment the story gives it and every check runs.

The stories (history.py) are written in the calendar of the shipped catalogs (2024); `Cycle` moves every day of
them by the same whole number of weeks as the rolled catalogs, so that a report "sent five days after its
deadline" stays so on whatever day the demo runs, and weekdays stay weekdays."""

from __future__ import annotations

import functools
import hashlib
import os
import re
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from flask import current_app
from sqlalchemy import event, select

from checklists.model import Catalog, ItemSpec

from .. import clock
from ..auth.models import User
from ..catalog.measurements import add_measurement, set_self_score
from ..catalog.models import ChecklistItem, Criterion, Index
from ..evidence.models import Document, Evidence
from ..evidence.operations import DocumentFields, update_document, upload_document
from ..extensions import db
from ..files import upload_tmp_dir
from ..review.operations import decide
from .files import DemoSigning, Letter, jpeg_bytes, pdf_bytes

SOURCE_YEAR = 2024  # the calendar the stories and the shipped catalogs are written in


@dataclass(frozen=True)
class Cycle:
    """The demo's cycle: `shift` moves a day of the shipped catalogs' calendar into it."""

    today: date
    shift: timedelta
    year: int

    def day(self, day: int, month: int, year: int = SOURCE_YEAR) -> date:
        return date(year, month, day) + self.shift

    def at(self, day: date, hour: int = 9, minute: int = 0) -> datetime:
        """A moment of a day already in the cycle, in the unit's time zone."""
        return datetime.combine(day, time(hour, minute), tzinfo=clock.zone())

    @property
    def start(self) -> date:
        """The first day the reports cover (15/12 of the year before, as Nghị định 09/2019 cuts periods)."""
        return self.day(15, 12, SOURCE_YEAR - 1)


# ------------------------------------------------------------------------------------------------ documents
# The kind of document an item names, read from its title: (title prefix, type printed on it, symbol of its number,
# how many numbers of that kind a ward issues per day on average).
KINDS = [
    ("Kế hoạch", "KẾ HOẠCH", "KH-UBND", 0.3),
    ("Báo cáo", "BÁO CÁO", "BC-UBND", 0.8),
    ("Quyết định", "QUYẾT ĐỊNH", "QĐ-UBND", 0.7),
    ("Biên bản", "BIÊN BẢN", "BB-UBND", 0.15),
    ("Hồ sơ đề nghị", "TỜ TRÌNH", "TTr-UBND", 0.2),
    ("Thông báo", "THÔNG BÁO", "TB-UBND", 0.3),
    ("Quy chế", "QUYẾT ĐỊNH", "QĐ-UBND", 0.7),
    ("Dự toán", "QUYẾT ĐỊNH", "QĐ-UBND", 0.7),
    ("Phương án", "PHƯƠNG ÁN", "PA-UBND", 0.05),
    ("Văn bản", "", "UBND-VP", 1.6),
]
LETTER = ("", "UBND", 1.6)  # anything else: an official letter (công văn) of the ward, with its table attached
PERIOD_CUTS = [("Quý I", (14, 3)), ("6 tháng", (14, 6)), ("9 tháng", (14, 9)), ("Năm", (14, 12)), ("năm", (14, 12))]


def kind_of(title: str) -> tuple[str, str, float]:
    for prefix, label, symbol, rate in KINDS:
        if title.startswith(prefix):
            return label, symbol, rate
    return LETTER


def stable(text: str) -> float:
    """A number in [0, 1) that depends on `text` only: the demo's choices are the same on every run."""
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16) / 0x1_0000_0000


@dataclass
class WardInfo:
    code: str
    name: str  # "UBND phường Giếng Đáy"
    place: str  # "Giếng Đáy"
    signer: str  # who signs for the ward's People's Committee (a fictitious name)
    parent: str = "UBND THÀNH PHỐ HẠ LONG"
    numbers: dict[str, set[int]] = field(default_factory=dict)

    @property
    def issuer(self) -> str:
        return self.name

    def issuer_of(self, owner: str) -> tuple[str, str, str | None]:
        """(parent body, issuing body, number symbol or None for the ward's own) of a department's documents:
        the ward's police and health station issue their own."""
        if owner == "cong-an":
            return "CÔNG AN THÀNH PHỐ HẠ LONG", f"Công an phường {self.place}", "CAP"
        if owner == "tram-y-te":
            return "TRUNG TÂM Y TẾ THÀNH PHỐ HẠ LONG", f"Trạm Y tế phường {self.place}", "TYT"
        return self.parent, self.name, None

    def number(self, symbol: str, issued: date, rate: float) -> str:
        """A document number that grows through the year like a real register (45/BC-UBND), never twice."""
        taken = self.numbers.setdefault(symbol, set())
        n = 1 + int(issued.timetuple().tm_yday * rate)
        while n in taken:
            n += 1
        taken.add(n)
        return f"{n}/{symbol}"


def _title_case(text: str) -> str:
    return text[:1].upper() + text[1:]


def _summary(title: str, prefix_label: str) -> str:
    for prefix, label, _, _ in KINDS:
        if label == prefix_label and title.startswith(prefix) and label:
            rest = title[len(prefix) :].strip()
            return _title_case(rest) if rest else title
    return title


def _short(title: str, limit: int = 80) -> str:
    """A title cut at a word for a file name, without an unclosed parenthesis."""
    if len(title) > limit:
        title = title[:limit].rsplit(" ", 1)[0]
    if title.count("(") > title.count(")"):
        title = title[: title.rindex("(")]
    return title.rstrip(" ,;–-")


def _filename(number: str | None, title: str, suffix: str = "", extension: str = ".pdf") -> str:
    clean = re.sub(r"[/\\:*?\"<>|]", "-", _short(title))
    head = f"{number.replace('/', '-')} " if number else ""
    return f"{head}{clean}{suffix}{extension}"


@dataclass
class Doc:
    """One file to upload and what the uploader types with it."""

    filename: str
    content: bytes
    fields: DocumentFields


def make_document(
    ward: WardInfo,
    cycle: Cycle,
    item: ItemSpec,
    *,
    issued: date,
    sent: date | None = None,
    signed: bool = True,
    photographed: bool = False,
    pages: int = 1,
    photo_at: datetime | None = None,
    version: int = 1,
    number: str | None = None,
) -> Doc:
    """The document an item asks for, as the ward would have it: a PDF laid out like an administrative document
    (unsigned: a scan of the paper copy; photographed: a phone's picture of it), or a photo when the item asks
    for one."""
    if photo_at is not None or item.title.startswith("Ảnh"):
        taken = photo_at or cycle.at(issued, 9, 30)
        caption = item.title.removeprefix("Ảnh ").strip()
        content = jpeg_bytes(f"{ward.place}: {caption}", taken.replace(tzinfo=None), seed=int(stable(item.code) * 1000))
        filename = f"Ảnh {_short(caption, 70)} {taken:%d.%m.%Y}{'' if version == 1 else f' ({version})'}.jpg"
        return Doc(
            filename, content, DocumentFields(issuer=ward.issuer_of(item.owner)[1], summary=_title_case(caption))
        )
    label, symbol, rate = kind_of(item.title)
    parent, issuer, own_symbol = ward.issuer_of(item.owner)
    if own_symbol is not None:
        kind_part = symbol.split("-")[0]
        symbol = own_symbol if kind_part == "UBND" else f"{kind_part}-{own_symbol}"
    number = number or ward.number(symbol, issued, rate)
    summary = _summary(item.title, label)
    period_start = period_end = None
    if item.report is not None:
        cut = next((dm for key, dm in PERIOD_CUTS if key in item.report.period), (14, 12))
        period_start = cycle.start
        period_end = date(SOURCE_YEAR, cut[1], cut[0]) + cycle.shift
    body = [
        f"Căn cứ Kế hoạch cải cách hành chính, chuyển đổi số năm {cycle.year} của {ward.name}; "
        f"thực hiện yêu cầu của UBND Thành phố Hạ Long, {ward.name} {'báo cáo' if label == 'BÁO CÁO' else 'ban hành'} "
        f"{summary[:1].lower() + summary[1:]} như sau:",
        "I. Nội dung: " + item.checks,
        "II. Tổ chức thực hiện: các bộ phận chuyên môn, cán bộ, công chức phường căn cứ nhiệm vụ được giao "
        "triển khai thực hiện nghiêm túc, báo cáo kết quả về Văn phòng – Thống kê.",
    ]
    letter = Letter(
        parent=parent.upper(),
        issuer=issuer.upper(),
        number=number,
        place=ward.place,
        issued=issued,
        kind=label,
        summary=summary,
        body=body,
        signer=ward.signer,
        pages=pages,
        signed_digitally=signed,
        note="Bản chụp bằng điện thoại" if photographed else "",
    )
    content = pdf_bytes(letter)
    if signed and not photographed:  # a phone's picture of the paper copy carries no digital signature
        # signed at 7:30 on its day, when the office opens: before any upload of it, which the history makes later
        content = demo_signing(cycle.today).sign(content, ward.signer, issuer, cycle.at(issued, 7, 30))
    suffix = " (bản scan)" if not signed else " (ảnh chụp)" if photographed else ""
    fields = DocumentFields(
        number=number,
        issue_date=issued,
        issuer=issuer,
        summary=summary,
        period_start=period_start,
        period_end=period_end,
        sent_date=sent,
        page_ref="Trang 1" if pages == 1 else f"Trang 1–{pages}",
    )
    return Doc(_filename(number, item.title, suffix), content, fields)


@functools.cache
def _signing(folder: Path, today: date) -> DemoSigning:
    return DemoSigning(folder, today)


def demo_signing(today: date) -> DemoSigning:
    """The demo's PKI, kept in its data directory (`demo-pki/`): made by the first run, the same for the next."""
    return _signing(Path(current_app.config["DATA_DIR"]) / "demo-pki", today)


# ---------------------------------------------------------------------------------------------------- events
@dataclass
class Context:
    """What one ward's events refer to, by name: users, checklist items, criteria, uploaded documents."""

    unit_id: int
    users: dict[str, int]
    items: dict[str, int]
    criteria: dict[tuple[str, str], int]
    docs: dict[str, int] = field(default_factory=dict)
    uploads: int = 0
    decisions: int = 0
    entries: int = 0

    def user(self, username: str) -> User:
        return db.session.get(User, self.users[username])


@dataclass
class Event:
    moment: datetime
    order: int
    ward: str
    run: Callable[[Context], None]


class Plan(ABC):
    """The dated actions of one ward. Every method only records; `play` runs them all in time order."""

    def __init__(self, ward: WardInfo, cycle: Cycle, catalogs: list[Catalog], counter: list[int]):
        self.ward, self.cycle = ward, cycle
        self.specs = {item.code: item for catalog in catalogs for item in catalog.items()}
        self.owners = {item.code: item.owner for item in self.specs.values()}
        self.events: list[Event] = []
        self._counter = counter

    def _add(self, moment: datetime, run: Callable[[Context], None]) -> None:
        if moment.date() >= self.cycle.today:
            raise ValueError(
                f"the demo's history reaches {moment:%d/%m/%Y}, not before today {self.cycle.today:%d/%m/%Y}"
            )
        self._counter[0] += 1
        self.events.append(Event(moment, self._counter[0], self.ward.code, run))

    def upload(self, key: str, moment: datetime, by: str, items: list[str], doc: Doc) -> None:
        def run(ctx: Context) -> None:
            folder = upload_tmp_dir()
            with tempfile.NamedTemporaryFile(dir=folder, prefix="demo-", delete=False) as f:
                f.write(doc.content)
            try:
                result = upload_document(
                    f.name,
                    doc.filename,
                    user=ctx.user(by),
                    items=[db.session.get(ChecklistItem, ctx.items[code]) for code in items],
                    fields=DocumentFields(**vars(doc.fields)),
                    sha256=hashlib.sha256(doc.content).hexdigest(),
                )
            finally:
                os.unlink(f.name)
            if result.deduplicated:
                raise RuntimeError(f"demo: {doc.filename} was stored already")
            ctx.docs[key] = result.document.id
            ctx.uploads += 1

        self._add(moment, run)

    def decide(
        self,
        key: str,
        code: str,
        moment: datetime,
        by: str,
        decision: str = "approved",
        reason: str | None = None,
        comment: str | None = None,
    ) -> None:
        def run(ctx: Context) -> None:
            evidence = db.session.execute(
                select(Evidence).where(Evidence.document_id == ctx.docs[key], Evidence.item_id == ctx.items[code])
            ).scalar_one()
            decide(
                evidence, ctx.user(by), decision, expected_version=evidence.version, reason_code=reason, comment=comment
            )
            ctx.decisions += 1

        self._add(moment, run)

    def edit(self, key: str, moment: datetime, by: str, **changes) -> None:
        def run(ctx: Context) -> None:
            document = db.session.get(Document, ctx.docs[key])
            fields = DocumentFields(**{name: getattr(document, name) for name in vars(DocumentFields())})
            for name, value in changes.items():
                setattr(fields, name, value)
            update_document(document, fields, ctx.user(by))

        self._add(moment, run)

    def measure(
        self,
        index: str,
        criterion: str,
        moment: datetime,
        by: str,
        numerator,
        denominator=None,
        *,
        measured_on: date | None = None,
        source: str,
    ) -> None:
        def run(ctx: Context) -> None:
            add_measurement(
                db.session.get(Criterion, ctx.criteria[index, criterion]),
                ctx.user(by),
                numerator=Decimal(str(numerator)),
                denominator=None if denominator is None else Decimal(str(denominator)),
                measured_on=measured_on or moment.date(),
                source=source,
            )
            ctx.entries += 1

        self._add(moment, run)

    def self_score(self, index: str, criterion: str, moment: datetime, by: str, score, note: str | None = None) -> None:
        def run(ctx: Context) -> None:
            set_self_score(
                db.session.get(Criterion, ctx.criteria[index, criterion]), ctx.user(by), Decimal(str(score)), note=note
            )
            ctx.entries += 1

        self._add(moment, run)

    # ------------------------------------------------------------------ stories: an item's document and its review
    def document(
        self, code: str, *, issued: date | None = None, sent: date | None = None, before: date | None = None, **kwargs
    ) -> Doc:
        """`code`'s document, issued on `issued` or, by default, a few days before the item's due date (and
        before `before`, the day it is uploaded)."""
        item = self.specs[code]
        if issued is None:
            due = item.due or self.cycle.today
            issued = due - timedelta(days=3 + int(stable(self.ward.code + code) * 12))
            if before is not None:
                issued = min(issued, before - timedelta(days=1 + int(stable(code + self.ward.code) * 4)))
            issued = max(issued, self.cycle.start + timedelta(days=20))
        return make_document(self.ward, self.cycle, item, issued=_workday(issued), sent=sent, **kwargs)

    def story(
        self,
        code: str,
        uploaded: datetime,
        *,
        by: str | None = None,
        reviewer: str,
        outcome: str = "approved",
        lag: int = 1,
        reason: str | None = None,
        comment: str | None = None,
        redo: int = 2,
        issued: date | None = None,
        sent: date | None = None,
        also: tuple[str, ...] = (),
        **kwargs,
    ) -> None:
        """`code`'s document uploaded at `uploaded` (and linked to the items in `also`), then, `lag` working days
        later: approved (`outcome` "approved"), left waiting ("waiting"), sent back with `reason` ("sent_back"),
        or sent back and resubmitted `redo` working days later ("resubmitted", left waiting; "resubmitted_approved",
        approved `lag` days after)."""
        by = by or self.uploader(code)
        codes = [code, *also]
        if issued is None and sent is not None:
            issued = sent
        first = self.document(
            code,
            issued=issued,
            sent=sent,
            before=uploaded.date(),
            signed=reason != "unsigned",
            photographed=reason == "illegible",
            **kwargs,
        )
        key = f"{code}@{uploaded.isoformat()}"
        self.upload(key, uploaded, by, codes, first)
        if outcome == "waiting":
            return
        decided = self._later(uploaded, lag)
        if outcome == "approved":
            for c in codes:
                self.decide(key, c, decided, reviewer)
            return
        for c in codes:
            self.decide(key, c, decided, reviewer, "changes_requested", reason=reason, comment=comment)
        if outcome == "sent_back":
            return
        again = self._later(decided, redo, hour=10)
        if reason in ("unsigned", "illegible", "incomplete"):  # the same document, signed, legible or complete
            second = self.document(
                code,
                issued=first.fields.issue_date or issued,
                sent=sent,
                version=2,
                number=first.fields.number,
                pages=2 if reason == "incomplete" else 1,
                photo_at=again if code_is_photo(self.specs[code]) else None,
            )
            if reason == "incomplete":
                second.filename = second.filename.replace(".pdf", " (bổ sung).pdf")
        else:  # another document: the right one
            second = self.document(code, issued=again.date() - timedelta(days=1), sent=sent, version=2)
        key2 = f"{code}@{again.isoformat()}"
        self.upload(key2, again, by, codes, second)
        if outcome == "resubmitted_approved":
            for c in codes:
                self.decide(key2, c, self._later(again, lag), reviewer)

    @abstractmethod
    def uploader(self, code: str) -> str:
        """The username who uploads the document of item `code`."""

    def _later(self, moment: datetime, days: int, hour: int | None = None) -> datetime:
        day = moment.date()
        for _ in range(days):
            day += timedelta(days=1)
            while day.weekday() >= 5:
                day += timedelta(days=1)
        hour = hour if hour is not None else 8 + int(stable(f"{moment.isoformat()}{days}") * 8)
        return self.cycle.at(day, hour, int(stable(moment.isoformat()) * 59))


def code_is_photo(item: ItemSpec) -> bool:
    return item.title.startswith("Ảnh")


def _workday(day: date) -> date:
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def context_for(unit_id: int, users: dict[str, int]) -> Context:
    items = dict(
        db.session.execute(select(ChecklistItem.code, ChecklistItem.id).where(ChecklistItem.unit_id == unit_id)).all()
    )
    criteria = {
        (index, code): cid
        for index, code, cid in db.session.execute(
            select(Index.code, Criterion.code, Criterion.id)
            .join(Criterion, Criterion.index_id == Index.id)
            .where(Index.unit_id == unit_id)
        ).all()
    }
    return Context(unit_id, users, items, criteria)


def play(events: list[Event], contexts: dict[str, Context]) -> None:
    """Run every event at its moment, all wards together in time order (the audit trail is one chain)."""
    for e in sorted(events, key=lambda e: (e.moment, e.order)):
        with clock.frozen_at(e.moment):
            e.run(contexts[e.ward])
        db.session.expunge_all()  # keep the session small: each commit would expire everything it holds


@contextmanager
def quick_commits():
    """While the demo writes its history into a new database, commits need not wait for the disk: SQLite's
    synchronous OFF and rollback journal in memory (a crash meanwhile leaves a demo to set up again in an empty
    folder; a server database is left as it is). The connections are closed afterwards, so the served app gets
    the usual settings."""
    engine = db.engine
    if engine.dialect.name != "sqlite":
        yield
        return

    def on_checkout(dbapi_connection, record, proxy):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA synchronous = OFF")
        cursor.execute("PRAGMA journal_mode = MEMORY")
        cursor.close()

    db.session.close()
    engine.dispose()
    event.listen(engine, "checkout", on_checkout)
    try:
        yield
    finally:
        event.remove(engine, "checkout", on_checkout)
        db.session.close()
        engine.dispose()
