"""change journal: what each transaction did to a person's spans, links and suggestion decisions (ADR 0015)

Database triggers write it, in the transaction of the change itself: the application sends no statement more
per key press (ADR 0006). A row says what one statement did to one row (a span inserted, deleted, relabelled
or moved; a relation added or removed; a suggestion decision written), and `txn` groups the rows of one
transaction, so that a compound command (accepting a suggestion, removing a span with its links) comes back as
one undo step. PostgreSQL gives the transaction's id (txid_current()); SQLite has none: the trigger calls
`random()`, which annotator's own connections override with a number drawn once per transaction
(annotator.storage.engine), so that another program's writes still work (each row then its own group). Only people's layers are journalled, and never a bulk import (origin `import`): suggestion layers,
gold and imports are not undo steps. The window rebuilds a document's undo stack from it after a restart and
prunes what lies beyond its bound.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TABLES = ("span", "relation", "suggestion_decision")
_PERSON = "(SELECT kind FROM annotator WHERE id = {owner}) = 'annotator'"

# (trigger, table, event, condition, values): the row each change writes. Columns, in this order:
COLUMNS = ('txn, document_id, owner_id, what, row_id, label_id, start, "end", old_label_id, old_start, old_end, '
           'origin, attrs, head_id, child_id, rel_type, decision, old_decision, source_id, old_source_id')
_REL_DOC = "COALESCE((SELECT document_id FROM span WHERE id = {r}.head_id), " \
           "(SELECT document_id FROM span WHERE id = {r}.child_id))"
TRIGGERS = (
    ("journal_span_insert", "span", "INSERT", "NEW.origin <> 'import' AND " + _PERSON.format(owner="NEW.annotator_id"),
     "NEW.document_id, NEW.annotator_id, 'span+', NEW.id, NEW.label_id, NEW.start, NEW.\"end\", NULL, NULL, NULL, "
     "NEW.origin, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL"),
    ("journal_span_delete", "span", "DELETE", "OLD.origin <> 'import' AND " + _PERSON.format(owner="OLD.annotator_id"),
     "OLD.document_id, OLD.annotator_id, 'span-', OLD.id, OLD.label_id, OLD.start, OLD.\"end\", NULL, NULL, NULL, "
     "OLD.origin, OLD.attrs, NULL, NULL, NULL, NULL, NULL, NULL, NULL"),
    ("journal_span_update", "span", 'UPDATE OF label_id, start, "end"',
     "(NEW.label_id <> OLD.label_id OR NEW.start <> OLD.start OR NEW.\"end\" <> OLD.\"end\") AND "
     + _PERSON.format(owner="NEW.annotator_id"),
     "NEW.document_id, NEW.annotator_id, 'span~', NEW.id, NEW.label_id, NEW.start, NEW.\"end\", OLD.label_id, "
     "OLD.start, OLD.\"end\", NEW.origin, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL"),
    ("journal_relation_insert", "relation", "INSERT", _PERSON.format(owner="NEW.annotator_id"),
     _REL_DOC.format(r="NEW") + ", NEW.annotator_id, 'rel+', NEW.id, NULL, NULL, NULL, NULL, NULL, NULL, NEW.origin, "
     "NULL, NEW.head_id, NEW.child_id, NEW.type, NULL, NULL, NULL, NULL"),
    ("journal_relation_delete", "relation", "DELETE", _PERSON.format(owner="OLD.annotator_id"),
     _REL_DOC.format(r="OLD") + ", OLD.annotator_id, 'rel-', OLD.id, NULL, NULL, NULL, NULL, NULL, NULL, OLD.origin, "
     "NULL, OLD.head_id, OLD.child_id, OLD.type, NULL, NULL, NULL, NULL"),
    ("journal_decision_insert", "suggestion_decision", "INSERT", "1 = 1",
     "NEW.document_id, NEW.decided_by, 'dec', NEW.id, NEW.label_id, NEW.start, NEW.\"end\", NULL, NULL, NULL, NULL, "
     "NULL, NULL, NULL, NULL, NEW.decision, NULL, NEW.source_id, NULL"),
    ("journal_decision_update", "suggestion_decision", "UPDATE", "1 = 1",
     "NEW.document_id, NEW.decided_by, 'dec', NEW.id, NEW.label_id, NEW.start, NEW.\"end\", NULL, NULL, NULL, NULL, "
     "NULL, NULL, NULL, NULL, NEW.decision, OLD.decision, NEW.source_id, OLD.source_id"),
    ("journal_decision_delete", "suggestion_decision", "DELETE", "1 = 1",
     "OLD.document_id, OLD.decided_by, 'dec', OLD.id, OLD.label_id, OLD.start, OLD.\"end\", NULL, NULL, NULL, NULL, "
     "NULL, NULL, NULL, NULL, NULL, OLD.decision, NULL, OLD.source_id"),
)


def _json() -> sa.types.TypeEngine:
    from sqlalchemy.dialects.postgresql import JSONB
    return sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "change_journal",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("txn", sa.BigInteger(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("what", sa.String(length=8), nullable=False),
        sa.Column("row_id", sa.Integer(), nullable=False),
        sa.Column("label_id", sa.Integer(), nullable=True),
        sa.Column("start", sa.Integer(), nullable=True),
        sa.Column("end", sa.Integer(), nullable=True),
        sa.Column("old_label_id", sa.Integer(), nullable=True),
        sa.Column("old_start", sa.Integer(), nullable=True),
        sa.Column("old_end", sa.Integer(), nullable=True),
        sa.Column("origin", sa.String(length=64), nullable=True),
        sa.Column("attrs", _json(), nullable=True),
        sa.Column("head_id", sa.Integer(), nullable=True),
        sa.Column("child_id", sa.Integer(), nullable=True),
        sa.Column("rel_type", sa.String(length=64), nullable=True),
        sa.Column("decision", sa.String(length=16), nullable=True),
        sa.Column("old_decision", sa.String(length=16), nullable=True),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("old_source_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_change_journal"),
        sqlite_autoincrement=True,
    )
    # No foreign keys: a row outlives what it names (that is what it is for), and a cascade must not remove it
    # while the trigger of the same cascade writes it. Rows are read and pruned per document and owner.
    op.create_index("ix_change_journal_document_id", "change_journal", ["document_id", "owner_id", "id"])
    op.create_index("ix_change_journal_txn", "change_journal", ["txn"])
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_triggers()
    else:
        for name, table, event, condition, values in TRIGGERS:
            op.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW WHEN {condition} BEGIN "
                       f"INSERT INTO change_journal ({COLUMNS}) VALUES (random(), {values}); END")


def _postgresql_triggers() -> None:
    # SECURITY DEFINER: an annotator's role (ADR 0009) writes its own spans and needs no grant on the journal.
    for name, table, event, condition, values in TRIGGERS:
        op.execute(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER "
                   f"SET search_path = public AS $$ BEGIN "
                   f"IF {condition} THEN INSERT INTO change_journal ({COLUMNS}) "
                   f"VALUES (txid_current(), {values}); END IF; RETURN NULL; END $$")
        op.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()")


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for name, table, *_rest in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if postgresql else ""))
        if postgresql:
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    op.drop_table("change_journal")
