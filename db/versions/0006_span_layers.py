"""span layers: an owner kind, offsets checked, span attributes, relations, suggestion decisions, assignments

ADR 0008. The owner of a span (the `annotator` row) is a person, the project's gold or a suggestion model:
`annotator.kind`, unique with the name (a person may be called "rules"). A span's offsets are checked by
the database too (0 <= start < end); every writer refused other spans already, so a row that breaks the
check could not be shown, exported or edited: such rows are removed before the check is added. Spans get
`attrs` (a FIGURE's normalised value) and a longer `origin` (the model whose suggestion was accepted).
New tables: relation types per project, relations between spans of one layer, a person's decisions on
suggestions, and the documents handed to each annotator.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _options() -> dict:
    """SQLite cannot alter constraints in place: its tables are copied, keeping AUTOINCREMENT (0004)."""
    if op.get_bind().dialect.name == "sqlite":
        return {"recreate": "always", "table_kwargs": {"sqlite_autoincrement": True}}
    return {}


def _json() -> sa.types.TypeEngine:
    from sqlalchemy.dialects.postgresql import JSONB
    return sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("annotator", **_options()) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=16), nullable=False, server_default="annotator"))
        batch_op.drop_constraint("uq_annotator_name", type_="unique")
        batch_op.create_unique_constraint("uq_annotator_kind_name", ["kind", "name"])
        batch_op.create_check_constraint("ck_annotator_kind", "kind IN ('annotator', 'gold', 'model')")

    op.execute('DELETE FROM span WHERE start < 0 OR start >= "end"')
    with op.batch_alter_table("span", **_options()) as batch_op:
        batch_op.alter_column("origin", existing_type=sa.String(length=16), type_=sa.String(length=64),
                              existing_nullable=False, existing_server_default="manual")
        batch_op.add_column(sa.Column("attrs", _json(), nullable=True))
        batch_op.create_check_constraint("ck_span_offsets", 'start >= 0 AND start < "end"')

    op.create_table(
        "relation_type",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("head_label", sa.String(length=64), nullable=False),
        sa.Column("child_label", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], name="fk_relation_type_project_id_project",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_relation_type"),
        sa.UniqueConstraint("project_id", "name", "head_label", "child_label", name="uq_relation_type_project_name"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_relation_type_project_id", "relation_type", ["project_id"])
    op.create_table(
        "relation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("head_id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("annotator_id", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=64), server_default="manual", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["head_id"], ["span.id"], name="fk_relation_head_id_span", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["child_id"], ["span.id"], name="fk_relation_child_id_span", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["annotator_id"], ["annotator.id"], name="fk_relation_annotator_id_annotator",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_relation"),
        sa.UniqueConstraint("head_id", "child_id", "type", name="uq_relation_head_id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_relation_child_id", "relation", ["child_id"])
    op.create_index("ix_relation_annotator_id", "relation", ["annotator_id"])
    op.create_table(
        "suggestion_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("label_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"], name="fk_suggestion_decision_document_id_document",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["decided_by"], ["annotator.id"], name="fk_suggestion_decision_decided_by_annotator",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["source_id"], ["annotator.id"], name="fk_suggestion_decision_source_id_annotator",
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["label_id"], ["label.id"], name="fk_suggestion_decision_label_id_label",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_suggestion_decision"),
        sa.UniqueConstraint("document_id", "decided_by", "label_id", "start", "end",
                            name="uq_suggestion_decision_document_id"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "assignment",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("annotator_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"], name="fk_assignment_document_id_document",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["annotator_id"], ["annotator.id"], name="fk_assignment_annotator_id_annotator",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("document_id", "annotator_id", name="pk_assignment"),
    )
    op.create_index("ix_assignment_annotator_id", "assignment", ["annotator_id"])


def downgrade() -> None:
    op.drop_table("assignment")
    op.drop_table("suggestion_decision")
    op.drop_table("relation")
    op.drop_table("relation_type")
    with op.batch_alter_table("span", **_options()) as batch_op:
        batch_op.drop_constraint("ck_span_offsets", type_="check")
        batch_op.drop_column("attrs")
        batch_op.alter_column("origin", existing_type=sa.String(length=64), type_=sa.String(length=16),
                              existing_nullable=False, existing_server_default="manual")
    with op.batch_alter_table("annotator", **_options()) as batch_op:
        batch_op.drop_constraint("ck_annotator_kind", type_="check")
        batch_op.drop_constraint("uq_annotator_kind_name", type_="unique")
        batch_op.drop_column("kind")
        batch_op.create_unique_constraint("uq_annotator_name", ["name"])
