"""drop span indexes no query uses: every span lookup goes through (document_id, annotator_id)

Each index costs about 5% of a bulk import; deleting a label or an annotator (rare) scans instead.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("span", schema=None) as batch_op:
        batch_op.drop_index("ix_span_annotator_id")
        batch_op.drop_index("ix_span_label_id")


def downgrade() -> None:
    with op.batch_alter_table("span", schema=None) as batch_op:
        batch_op.create_index("ix_span_label_id", ["label_id"], unique=False)
        batch_op.create_index("ix_span_annotator_id", ["annotator_id"], unique=False)
