"""label.kind: a label marks an entity or a statement

What a label's spans are (drawn as a band, kept out of spaCy's doc.ents) was decided by the name CLAIM;
the kind column says it instead, so that a project may rename CLAIM or add statement labels of its own.
Every existing label becomes an entity, and every label called CLAIM, in every project, a statement:
that is what the program did with them before.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("label", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=16), nullable=False, server_default="entity"))
    op.execute("UPDATE label SET kind = 'statement' WHERE name = 'CLAIM'")


def downgrade() -> None:
    with op.batch_alter_table("label", schema=None) as batch_op:
        batch_op.drop_column("kind")
