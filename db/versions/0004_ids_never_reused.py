"""ids never reused (SQLite AUTOINCREMENT) and one document per position in a project

An undo step or an open window holds ids of spans, documents, labels, annotators and projects: without
AUTOINCREMENT SQLite hands a deleted row's id (the largest) to the next insert, and the undo would act on
another person's row. PostgreSQL sequences never go back, so only SQLite's tables are rebuilt (batch mode
copies their rows). Concurrent imports gave documents the same position: those are renumbered in reading
order (position, then id) before the unique constraint is added.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# Parents first; the caller turns SQLite's foreign keys off while the tables are swapped.
REBUILT = ("project", "annotator", "label", "document", "span")


def _renumber_duplicate_positions() -> None:
    bind = op.get_bind()
    clash = bind.exec_driver_sql(
        "SELECT 1 FROM document GROUP BY project_id, position HAVING count(*) > 1 LIMIT 1").first()
    if clash is None:
        return
    bind.exec_driver_sql(
        "UPDATE document SET position = r.n FROM (SELECT id, ROW_NUMBER() OVER "
        "(PARTITION BY project_id ORDER BY position, id) - 1 AS n FROM document) AS r "
        "WHERE r.id = document.id AND document.position <> r.n")


def upgrade() -> None:
    _renumber_duplicate_positions()
    sqlite = op.get_bind().dialect.name == "sqlite"
    for name in REBUILT if sqlite else ("document",):
        options = {"recreate": "always", "table_kwargs": {"sqlite_autoincrement": True}} if sqlite else {}
        with op.batch_alter_table(name, **options) as batch_op:
            if name == "document":
                batch_op.drop_index("ix_document_project_position")
                batch_op.create_unique_constraint("uq_document_project_position", ["project_id", "position"])


def downgrade() -> None:
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_constraint("uq_document_project_position", type_="unique")
        batch_op.create_index("ix_document_project_position", ["project_id", "position"], unique=False)
