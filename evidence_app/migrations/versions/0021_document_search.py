"""document_search: the folded words of each document, indexed by the database's full-text engine

Issue 18: search a unit's documents by number, summary, file name, issuer and the text read from them, without
accents (evidence/reading/search.py; docs/decisions/0011-search-folded-in-python.md). PostgreSQL indexes a tsvector
column with GIN; SQLite an FTS5 table over the same rows, kept in step by triggers. The documents already stored
are indexed here (with the folding of search.fold, copied: a migration never changes with the code); `minhchung
reading reindex` rebuilds the index at any time.

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-30 02:40:00

"""
import re
import unicodedata
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

import evidence_app.sqltypes


# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

POSTGRESQL = ["CREATE INDEX ix_document_search_vector ON document_search USING gin (vector) WITH (fastupdate = off)"]
SQLITE = [
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
]


def upgrade():
    op.create_table(
        'document_search',
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('meta', sa.Text(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('vector', sa.Text().with_variant(postgresql.TSVECTOR(), 'postgresql'), nullable=True),
        sa.Column('indexed_at', evidence_app.sqltypes.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('document_id'),
    )
    bind = op.get_bind()
    for statement in POSTGRESQL if bind.dialect.name == 'postgresql' else SQLITE:
        op.execute(statement)
    _index_the_documents(bind)


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('DROP TABLE document_search_fts')  # its triggers go with document_search
    op.drop_table('document_search')


# ---- the documents already stored, folded as search.fold folds (copied here as it was at 0021)


def _words(text):
    folded = re.sub(r'[\u0300-\u036f]', '', unicodedata.normalize('NFD', text)).replace('đ', 'd').replace('Đ', 'd').lower()
    return re.findall(r'[^\W_]+', folded)


def _within_budget(found, budget=900_000):
    seen, size = {}, 0
    for n, word in enumerate(found):
        count = seen.get(word, 0)
        length = len(word.encode())
        size += (length + length % 2 + 6 if count == 0 else 0) + (2 if count < 256 else 0)
        seen[word] = count + 1
        if size > budget:
            return found[:n]
    return found


def _index_the_documents(bind, batch=200):
    ids = bind.execute(sa.text("SELECT id FROM documents WHERE deleted_at IS NULL ORDER BY id")).scalars().all()
    read = sa.text(
        "SELECT d.id, d.number, d.summary, d.filename, d.issuer, r.text FROM documents d "
        "LEFT JOIN document_readings r ON r.document_id = d.id AND r.status = 'done' WHERE d.id IN :ids"
    ).bindparams(sa.bindparam('ids', expanding=True))
    meta, body = sa.bindparam('meta', type_=sa.Text()), sa.bindparam('body', type_=sa.Text())
    values = {
        'document_id': sa.bindparam('id'),
        'meta': meta,
        'body': body,
        'indexed_at': sa.bindparam('now', type_=evidence_app.sqltypes.UTCDateTime()),
    }
    if bind.dialect.name == 'postgresql':
        simple = sa.literal_column("'simple'::regconfig")
        values['vector'] = sa.func.setweight(sa.func.to_tsvector(simple, meta), sa.literal_column("'A'")).op('||')(
            sa.func.setweight(sa.func.to_tsvector(simple, body), sa.literal_column("'D'"))
        )
    table = sa.table('document_search', *(sa.column(name) for name in values))
    insert = sa.insert(table).values(**values)
    now = datetime.now(timezone.utc)
    for start in range(0, len(ids), batch):
        for document_id, number, summary, filename, issuer, text in bind.execute(read, {'ids': ids[start:start + batch]}):
            found = ' '.join(_words(' '.join(f for f in (number, summary, filename, issuer) if f)))
            words = ' '.join(_within_budget(_words(text or '')))
            bind.execute(insert, {'id': document_id, 'meta': found, 'body': words, 'now': now})
