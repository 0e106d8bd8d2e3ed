"""Assignments: who has which document in their queue, the next one to do, the open hand-out.

The open hand-out gives a document nobody has yet to the first annotator who asks. On PostgreSQL it locks
the document row with SELECT ... FOR UPDATE SKIP LOCKED (a second annotator asking at the same moment skips
it and takes the next) and then adds the assignment in a new statement, whose fresh snapshot sees a claim
committed between the first statement's snapshot and its lock. On SQLite the one INSERT ... SELECT takes the
database's write lock before it reads, so two writers cannot interleave.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, exists, func, insert, literal, select

from annotator.domain.documents import Status
from annotator.storage.models import AnnotatorRow, AssignmentRow, DocumentRow, DocumentStatusRow
from annotator.storage.repository import Repository
from annotator.storage.span_writes import table_of

ASSIGNMENT = table_of(AssignmentRow)
UNDONE = (Status.TODO.value, Status.IN_PROGRESS.value)


def project_assignments(repo: Repository, project_id: int) -> list[tuple[int, str]]:
    """(document id, annotator name) of every assignment in the project."""
    rows = repo.s.execute(
        select(AssignmentRow.document_id, AnnotatorRow.name)
        .join(AnnotatorRow, AnnotatorRow.id == AssignmentRow.annotator_id)
        .join(DocumentRow, DocumentRow.id == AssignmentRow.document_id)
        .where(DocumentRow.project_id == project_id)
    )
    return [(doc, name) for doc, name in rows]


def last_positions(repo: Repository, annotator_ids: Sequence[int]) -> dict[int, int]:
    rows = repo.s.execute(select(AssignmentRow.annotator_id, func.max(AssignmentRow.position))
                          .where(AssignmentRow.annotator_id.in_(list(annotator_ids)))
                          .group_by(AssignmentRow.annotator_id))
    return {who: last for who, last in rows}


def add_assignments(repo: Repository, rows: list[dict[str, Any]]) -> None:
    if rows:
        now = datetime.now(UTC)
        repo.s.execute(insert(ASSIGNMENT), [{**row, "created_at": now} for row in rows])


def _status() -> Any:
    return func.coalesce(DocumentStatusRow.status, Status.TODO.value)


def has_queue(repo: Repository, project_id: int, annotator_id: int) -> bool:
    return repo.s.scalar(
        select(literal(1)).select_from(AssignmentRow)
        .join(DocumentRow, DocumentRow.id == AssignmentRow.document_id)
        .where(AssignmentRow.annotator_id == annotator_id, DocumentRow.project_id == project_id).limit(1)
    ) is not None


def next_assigned(repo: Repository, project_id: int, annotator_id: int, after_document: int | None) -> int | None:
    """The annotator's next document to do in queue order after `after_document` (else the first one left)."""
    base = (
        select(AssignmentRow.document_id)
        .join(DocumentRow, DocumentRow.id == AssignmentRow.document_id)
        .outerjoin(DocumentStatusRow, and_(DocumentStatusRow.document_id == AssignmentRow.document_id,
                                           DocumentStatusRow.annotator_id == annotator_id))
        .where(AssignmentRow.annotator_id == annotator_id, DocumentRow.project_id == project_id,
               _status().in_(UNDONE))
        .order_by(AssignmentRow.position, AssignmentRow.document_id)
        .limit(1)
    )
    if after_document is not None:
        here = repo.s.scalar(select(AssignmentRow.position).where(AssignmentRow.annotator_id == annotator_id,
                                                                  AssignmentRow.document_id == after_document))
        if here is not None:
            after = repo.s.scalar(base.where(AssignmentRow.position > here))
            if after is not None:
                return after
    return repo.s.scalar(base)


def team_mode(repo: Repository, project_id: int) -> bool:
    """Whether anyone in the project has a queue (then a document nobody has is open to be taken)."""
    return repo.s.scalar(
        select(literal(1)).select_from(AssignmentRow)
        .join(DocumentRow, DocumentRow.id == AssignmentRow.document_id)
        .where(DocumentRow.project_id == project_id).limit(1)
    ) is not None


def _unclaimed(project_id: int) -> Any:
    taken = exists().where(ASSIGNMENT.c.document_id == DocumentRow.id)
    return and_(DocumentRow.project_id == project_id, ~taken)


def claim_open(repo: Repository, project_id: int, annotator_id: int) -> int | None:
    """Give the annotator the first document nobody has (added to the end of their queue); None: none left."""
    position = (select(func.coalesce(func.max(ASSIGNMENT.c.position), -1) + 1)
                .where(ASSIGNMENT.c.annotator_id == annotator_id).scalar_subquery())
    now = literal(datetime.now(UTC), ASSIGNMENT.c.created_at.type)
    columns = [ASSIGNMENT.c.document_id, ASSIGNMENT.c.annotator_id, ASSIGNMENT.c.position, ASSIGNMENT.c.created_at]
    conn = repo.s.connection()
    if conn.dialect.name != "postgresql":
        source = (select(DocumentRow.id, literal(annotator_id), position, now).where(_unclaimed(project_id))
                  .order_by(DocumentRow.position).limit(1))
        return conn.execute(insert(ASSIGNMENT).from_select(columns, source).returning(ASSIGNMENT.c.document_id)
                            ).scalar()
    while True:
        locked = conn.execute(
            select(DocumentRow.id).where(_unclaimed(project_id)).order_by(DocumentRow.position).limit(1)
            .with_for_update(skip_locked=True, of=DocumentRow)
        ).scalar()
        if locked is None:
            return None
        # A new statement, a new snapshot: a claim of this row committed after the SELECT's snapshot shows now.
        source = select(literal(locked), literal(annotator_id), position, now).where(
            ~exists().where(ASSIGNMENT.c.document_id == locked))
        claimed = conn.execute(insert(ASSIGNMENT).from_select(columns, source).returning(ASSIGNMENT.c.document_id)
                               ).scalar()
        if claimed is not None:
            return int(claimed)


def queue_progress(repo: Repository, project_id: int) -> dict[str, tuple[int, int]]:
    """Per annotator with a queue: (documents assigned, of them done or skipped)."""
    finished = func.sum(func.coalesce(
        select(literal(1)).where(DocumentStatusRow.document_id == AssignmentRow.document_id,
                                 DocumentStatusRow.annotator_id == AssignmentRow.annotator_id,
                                 DocumentStatusRow.status.in_([Status.DONE.value, Status.SKIPPED.value]))
        .scalar_subquery(), 0))
    rows = repo.s.execute(
        select(AnnotatorRow.name, func.count(), finished)
        .select_from(AssignmentRow)
        .join(AnnotatorRow, AnnotatorRow.id == AssignmentRow.annotator_id)
        .join(DocumentRow, DocumentRow.id == AssignmentRow.document_id)
        .where(DocumentRow.project_id == project_id)
        .group_by(AnnotatorRow.name).order_by(AnnotatorRow.name)
    )
    return {name: (int(n), int(done or 0)) for name, n, done in rows}
