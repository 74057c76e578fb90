"""Full-text search of a unit's documents: their number, summary, file name, issuer and the text read from the file,
without accents ("ke hoach cai cach" finds "Kế hoạch cải cách", "d" finds "đ").

One rule folds text, for the index and for the query alike: `fold` (docs/decisions/0011-search-folded-in-python.md).
The folded words of each document are kept in `document_search` (one row per document, derived data that
`minhchung reading reindex` rebuilds at any time); each database indexes them with its own engine: PostgreSQL a
tsvector column under a GIN index, SQLite an FTS5 table kept in step by triggers. FTS5 cannot fold "đ", so neither
engine is asked to fold anything: both index words folded already. Which unit a document belongs to, and whether it was deleted, is read from
`documents` at query time: a unit's merge or a deletion never leaves the index saying otherwise."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import (
    ForeignKey,
    Text,
    bindparam,
    column,
    delete,
    event,
    func,
    literal,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, mapped_column

from ...extensions import db
from ...sqltypes import UTCDateTime, utcnow
from ..models import Document, Evidence
from .models import DocumentReading, ReadingStatus

MAX_QUERY_LENGTH = 200  # characters of a query; a longer one is refused (pages and API)
MAX_TERMS = 16  # words of a query that count; the rest are ignored
TSVECTOR_BUDGET = 900_000  # bytes: PostgreSQL refuses a tsvector over 1 MB; the words of a longer text stop here
SNIPPET_BEFORE, SNIPPET_AFTER = 80, 160  # characters of the text around the first match


# ---- the one folding rule

_MARKS = re.compile(r"[\u0300-\u036f]")  # what NFD splits off: the five tones, the breve, circumflex and horn
_WORD = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    """Lower case, accents dropped, "đ" as "d" (Unicode does not decompose it): how both the index and the query
    see text. Whole-string operations only, so that a long text folds at C speed."""
    return _MARKS.sub("", unicodedata.normalize("NFD", text)).replace("đ", "d").replace("Đ", "d").lower()


def _variants() -> dict[str, str]:
    """For each letter, every character that folds to it (for marking matches in the original text)."""
    found: dict[str, str] = {}
    for block in (range(0x41, 0x5B), range(0x61, 0x7B), range(0xC0, 0x250), range(0x1E00, 0x1F00)):
        for code in block:
            char = chr(code)
            folded = fold(char)
            if len(folded) == 1 and folded.isalpha():
                found[folded] = found.get(folded, "") + char
    return found


_VARIANTS = _variants()


def words(text: str) -> list[str]:
    """The folded words of `text` (letters and digits; punctuation separates): "25/BC-UBND" is 25, bc, ubnd."""
    return _WORD.findall(fold(text))


def _within_budget(found: list[str]) -> list[str]:
    """The words of a text, cut where PostgreSQL's tsvector would outgrow its limit (each distinct word costs its
    length, made even, and 6 bytes; each occurrence 2 bytes, up to 256 of them). A text that long is rare: a huge
    table of figures; its first part stays searchable."""
    seen: dict[str, int] = {}
    size = 0
    for n, word in enumerate(found):
        count = seen.get(word, 0)
        if count == 0:
            length = len(word.encode())
            size += length + length % 2 + 6
        if count < 256:
            size += 2
        seen[word] = count + 1
        if size > TSVECTOR_BUDGET:
            return found[:n]
    return found


# ---- the index


class DocumentSearch(db.Model):
    """The folded words of one document, as the search reads them. Derived data: never audited, rebuilt by
    `minhchung reading reindex`."""

    __tablename__ = "document_search"
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    meta: Mapped[str] = mapped_column(Text)  # number, summary, file name and issuer
    body: Mapped[str] = mapped_column(Text)  # the text read from the file (document_readings.text)
    # PostgreSQL: meta (weight A) and body (weight D) as a tsvector, under a GIN index. SQLite: NULL (FTS5 indexes
    # meta and body in document_search_fts instead).
    vector: Mapped[str | None] = mapped_column(Text().with_variant(TSVECTOR(), "postgresql"))
    indexed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# What each database's own engine adds beside `document_search` (migration 0021 makes the same).
ENGINE_DDL = {
    "postgresql": [
        "CREATE INDEX ix_document_search_vector ON document_search USING gin (vector) WITH (fastupdate = off)"
    ],
    "sqlite": [
        "CREATE VIRTUAL TABLE document_search_fts USING fts5(meta, body, content='document_search', "
        "content_rowid='document_id', tokenize='unicode61')",
        """CREATE TRIGGER document_search_fts_insert AFTER INSERT ON document_search BEGIN
             INSERT INTO document_search_fts (rowid, meta, body) VALUES (new.document_id, new.meta, new.body);
           END""",
        """CREATE TRIGGER document_search_fts_delete AFTER DELETE ON document_search BEGIN
             INSERT INTO document_search_fts (document_search_fts, rowid, meta, body)
             VALUES ('delete', old.document_id, old.meta, old.body);
           END""",
        """CREATE TRIGGER document_search_fts_update AFTER UPDATE ON document_search BEGIN
             INSERT INTO document_search_fts (document_search_fts, rowid, meta, body)
             VALUES ('delete', old.document_id, old.meta, old.body);
             INSERT INTO document_search_fts (rowid, meta, body) VALUES (new.document_id, new.meta, new.body);
           END""",
    ],
}


@event.listens_for(DocumentSearch.__table__, "after_create")
def _engine_structures(target, connection, **kw):
    """The full-text engine's part, when the table is created from the models (tests, `db.create_all`)."""
    for statement in ENGINE_DDL.get(connection.dialect.name, []):
        connection.execute(text(statement))


def described_by_the_models(name: str | None, type_: str, parent_names: dict) -> bool:
    """Alembic's `include_name`: False for what the full-text engines add beside `document_search` (the FTS5 table
    and its shadow tables, the GIN index), which the models do not describe and a comparison must not report."""
    if type_ == "table":
        return not (name or "").startswith("document_search_fts")
    return not (type_ == "index" and name == "ix_document_search_vector")


_SIMPLE = literal_column("'simple'::regconfig")
_FTS = table("document_search_fts", column("rowid"))
_FTS_MATCH = literal_column("document_search_fts")  # FTS5: the table's name is the column that MATCH searches


def _vector(meta, body):
    return func.setweight(func.to_tsvector(_SIMPLE, meta), literal_column("'A'")).op("||")(
        func.setweight(func.to_tsvector(_SIMPLE, body), literal_column("'D'"))
    )


def index_document(document_id: int) -> None:
    """Write the document's entry in the index from what it says now and the text read from it (if read), in the
    caller's transaction: the caller commits. A deleted document's entry is removed."""
    db.session.flush()
    document = db.session.get(Document, document_id)
    if document is None or document.deleted_at is not None:
        db.session.execute(delete(DocumentSearch).where(DocumentSearch.document_id == document_id))
        return
    read = db.session.execute(
        select(DocumentReading.text).where(
            DocumentReading.document_id == document_id, DocumentReading.status == ReadingStatus.done.value
        )
    ).scalar_one_or_none()
    _write(document_id, _meta(document.number, document.summary, document.filename, document.issuer), read)


def _meta(*fields: str | None) -> str:
    return " ".join(words(" ".join(f for f in fields if f)))


def _write(document_id: int, meta: str, read: str | None) -> None:
    body = " ".join(_within_budget(words(read or "")))
    values = {"document_id": document_id, "meta": meta, "body": body, "indexed_at": utcnow()}
    if db.engine.dialect.name == "postgresql":
        statement = pg_insert(DocumentSearch).values(
            **values, vector=_vector(bindparam("m", meta, type_=Text), bindparam("b", body, type_=Text))
        )
        changed = ("meta", "body", "indexed_at", "vector")
    else:
        statement = sqlite_insert(DocumentSearch).values(**values)
        changed = ("meta", "body", "indexed_at")
    statement = statement.on_conflict_do_update(
        index_elements=[DocumentSearch.document_id], set_={name: statement.excluded[name] for name in changed}
    )
    db.session.execute(statement)


def reindex(batch: int = 200) -> int:
    """Rebuild the whole index from the documents and their readings, committing every `batch` documents, and
    return how many were indexed. Entries are rewritten in place, then those of deleted documents dropped: a search
    meanwhile, or after an interruption, finds every document by what it said before or says now."""
    kept = select(Document.id).where(Document.deleted_at.is_(None))
    ids = list(db.session.execute(kept.order_by(Document.id)).scalars())
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        readings = dict(
            db.session.execute(
                select(DocumentReading.document_id, DocumentReading.text).where(
                    DocumentReading.document_id.in_(chunk), DocumentReading.status == ReadingStatus.done.value
                )
            ).all()
        )
        rows = db.session.execute(
            select(Document.id, Document.number, Document.summary, Document.filename, Document.issuer).where(
                Document.id.in_(chunk)
            )
        ).all()
        for document_id, *fields in rows:
            _write(document_id, _meta(*fields), readings.get(document_id))
        db.session.commit()
    db.session.execute(delete(DocumentSearch).where(DocumentSearch.document_id.not_in(kept)))
    db.session.commit()
    return len(ids)


# ---- the query


@dataclass
class Query:
    """What was typed, as the index sees it: phrases (a quoted one, or a single word) that must all be found, and
    whether the last word is still being typed (it then matches the start of a word)."""

    phrases: list[list[str]]
    prefix: bool  # the query ends inside an unquoted word: "ke hoach cai ca" finds "cách"

    @property
    def all_words(self) -> list[str]:
        return [word for phrase in self.phrases for word in phrase]

    @property
    def ranks_phrase(self) -> bool:
        """Whether ranking by "the words as one phrase" means anything (more than one word)."""
        return len(self.all_words) > 1


_QUOTES = str.maketrans("“”„«»", '"""""')  # a phone's keyboard types “…”


def parse_query(typed: str) -> Query | None:
    """Quoted parts are phrases; other words are found anywhere in the document, in any order. None when nothing
    searchable was typed."""
    phrases: list[list[str]] = []
    budget = MAX_TERMS
    typed = typed.translate(_QUOTES)
    parts = typed.split('"')
    for n, part in enumerate(parts):
        quoted = n % 2 == 1
        found = words(part)[:budget]
        budget -= len(found)
        if quoted and found:
            phrases.append(found)
        else:
            phrases.extend([word] for word in found)
    if not phrases:
        return None
    stripped = typed.rstrip()
    prefix = bool(stripped) and stripped[-1].isalnum() and len(parts) % 2 == 1 and stripped == typed
    return Query(phrases, prefix)


def _pg_terms(phrase: list[str], prefix: bool) -> str:
    last = len(phrase) - 1
    return " <-> ".join(f"'{word}'" + (":*" if prefix and n == last else "") for n, word in enumerate(phrase))


def _fts_phrase(phrase: list[str], prefix: bool) -> str:
    return '"' + " ".join(phrase) + '"' + ("*" if prefix else "")


def _match_expressions(query: Query) -> tuple[str, str]:
    """The query in the database's own syntax: all phrases, and all words as one phrase. Words are letters and
    digits only (`words`), so nothing typed can reach the syntax itself."""
    last = len(query.phrases) - 1
    if db.engine.dialect.name == "postgresql":
        every = " & ".join(
            f"({_pg_terms(phrase, query.prefix and n == last)})" for n, phrase in enumerate(query.phrases)
        )
        return every, _pg_terms(query.all_words, query.prefix)
    every = " AND ".join(_fts_phrase(phrase, query.prefix and n == last) for n, phrase in enumerate(query.phrases))
    return every, _fts_phrase(query.all_words, query.prefix)


@dataclass
class Found:
    """A document found, with the text read from it around the first match (`snippet`: pieces of text, the
    matched words marked True), empty when the words were found only in its number, summary, name or issuer."""

    document: Document
    snippet: list[tuple[str, bool]] = field(default_factory=list)
    phrase: bool = False  # the words were found together, in the order typed

    @property
    def snippet_text(self) -> str | None:
        return "".join(piece for piece, _marked in self.snippet) or None


def search(unit_id: int, typed: str, *, limit: int = 20, exclude_item: int | None = None) -> list[Found]:
    """The unit's documents (never another unit's, never deleted ones) that contain every word or quoted phrase of
    `typed`, those containing the words as one phrase first, then by relevance (words in the number, summary, file
    name or issuer weigh more than in the text), then the newest. `exclude_item`: leave out the documents already
    offered for that checklist item."""
    query = parse_query(typed)
    if query is None:
        return []
    every, phrase = _match_expressions(query)
    if db.engine.dialect.name == "postgresql":
        statement, together, rank = _postgresql(query, every, phrase)
    else:
        statement, together, rank = _sqlite(query, every, phrase)
    statement = (
        statement.where(Document.unit_id == unit_id, Document.deleted_at.is_(None))
        .order_by(together.desc(), rank, Document.uploaded_at.desc(), Document.id.desc())
        .limit(limit)
    )
    if exclude_item is not None:
        statement = statement.where(
            ~select(Evidence.id).where(Evidence.document_id == Document.id, Evidence.item_id == exclude_item).exists()
        )
    rows = db.session.execute(statement).all()
    texts = _read_texts([row.Document.id for row in rows])
    return [Found(row.Document, snippet(texts.get(row.Document.id) or "", query), bool(row.together)) for row in rows]


def _postgresql(query: Query, every: str, phrase: str):
    """tsquery: a GIN lookup of every phrase, "together" a second match of the whole phrase, ts_rank (higher first)."""
    together = (
        DocumentSearch.vector.op("@@")(func.to_tsquery(_SIMPLE, phrase)) if query.ranks_phrase else literal(False)
    ).label("together")
    rank = func.ts_rank(DocumentSearch.vector, func.to_tsquery(_SIMPLE, every)).label("rank")
    statement = (
        select(Document, together, rank)
        .join(DocumentSearch, DocumentSearch.document_id == Document.id)
        .where(DocumentSearch.vector.op("@@")(func.to_tsquery(_SIMPLE, every)))
    )
    return statement, together, rank.desc()


def _sqlite(query: Query, every: str, phrase: str):
    """FTS5: MATCH every phrase, "together" the rows that also match the whole phrase, bm25 (lower first)."""
    phrase_rows = select(_FTS.c.rowid).where(_FTS_MATCH.op("MATCH")(phrase)).correlate(None)
    together = (_FTS.c.rowid.in_(phrase_rows) if query.ranks_phrase else literal(False)).label("together")
    rank = func.bm25(_FTS_MATCH, 4.0, 1.0).label("rank")  # meta weighs four times the body
    statement = (
        select(Document, together, rank)
        .select_from(_FTS)
        .join(Document, Document.id == _FTS.c.rowid)
        .where(_FTS_MATCH.op("MATCH")(every))
    )
    return statement, together, rank


def latest(unit_id: int, *, limit: int = 20) -> list[Document]:
    """The unit's newest documents (the list shown before anything is searched)."""
    return list(
        db.session.execute(
            select(Document)
            .where(Document.unit_id == unit_id, Document.deleted_at.is_(None))
            .order_by(Document.uploaded_at.desc(), Document.id.desc())
            .limit(limit)
        ).scalars()
    )


def _read_texts(document_ids: list[int]) -> dict[int, str]:
    if not document_ids:
        return {}
    return dict(
        db.session.execute(
            select(DocumentReading.document_id, DocumentReading.text).where(
                DocumentReading.document_id.in_(document_ids), DocumentReading.status == ReadingStatus.done.value
            )
        ).all()
    )


# ---- what is shown of the text


def _pattern(phrase: list[str], prefix: bool) -> str:
    """A regular expression finding `phrase` (folded words) in the original text, as written there: each letter as
    any character that folds to it."""

    def letters(word: str) -> str:
        return "".join(f"[{re.escape(_VARIANTS[c])}]" if c in _VARIANTS else re.escape(c) for c in word)

    end = "" if prefix else r"(?![^\W_])"
    return r"(?<![^\W_])" + r"[\W_]+".join(letters(word) for word in phrase) + end


def snippet(original: str, query: Query) -> list[tuple[str, bool]]:
    """The text around the first place where the words stand as one phrase (else where the first phrase or word
    of the query stands), cut at word boundaries, with every word of the query marked. Empty when the text does not
    contain them."""
    if not original:
        return []
    shown = unicodedata.normalize("NFC", original)
    first = re.search(_pattern(query.all_words, query.prefix), shown, re.IGNORECASE)
    for n, phrase in enumerate(query.phrases):
        if first is not None:
            break
        first = re.search(_pattern(phrase, query.prefix and n == len(query.phrases) - 1), shown, re.IGNORECASE)
    if first is None:
        return []
    start, end = _widen(shown, first.start() - SNIPPET_BEFORE, first.end() + SNIPPET_AFTER)
    last = query.all_words[-1]
    marked = sorted({*query.all_words}, key=len, reverse=True)  # the longest first: "cach" before "ca"
    marks = re.compile("|".join(_pattern([word], query.prefix and word == last) for word in marked), re.IGNORECASE)
    pieces: list[tuple[str, bool]] = [("…", False)] if start > 0 else []
    at = start
    for match in marks.finditer(shown, start, end):
        if match.start() > at:
            pieces.append((_spaced(shown[at : match.start()]), False))
        pieces.append((shown[match.start() : match.end()], True))
        at = match.end()
    if at < end:
        pieces.append((_spaced(shown[at:end]), False))
    if end < len(shown):
        pieces.append(("…", False))
    return pieces


def _widen(shown: str, start: int, end: int) -> tuple[int, int]:
    """The window moved out to whole words at both ends."""
    start, end = max(start, 0), min(end, len(shown))
    while start > 0 and shown[start - 1].isalnum():
        start -= 1
    while end < len(shown) and shown[end].isalnum():
        end += 1
    return start, end


def _spaced(piece: str) -> str:
    """Line breaks and runs of spaces of the text (a page's layout) shown as one space."""
    return re.sub(r"\s+", " ", piece)
