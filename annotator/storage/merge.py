"""Reading what a merge takes from another annotator database, and writing it in bulk into this one."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from annotator.domain.layers import OwnerKind
from annotator.storage.models import AnnotatorRow, DocumentRow, DocumentStatusRow, LabelRow, SpanRow
from annotator.storage.repository import Repository
from annotator.storage.span_writes import STATUS

CHUNK = 500  # ids per IN list: under any driver's bound-parameter limit


@dataclass(frozen=True)
class SourceDocument:
    id: int
    text: str
    title: str
    source: str
    meta: dict[str, Any]
    content_hash: str


@dataclass(frozen=True)
class SourceSpan:
    document_id: int
    annotator: str
    label: str
    start: int
    end: int
    origin: str
    attrs: dict[str, Any] | None


@dataclass(frozen=True)
class SourceStatus:
    document_id: int
    annotator: str
    status: str
    seconds: float


def documents(repo: Repository, project_id: int) -> list[SourceDocument]:
    rows = repo.s.execute(
        select(DocumentRow.id, DocumentRow.text, DocumentRow.title, DocumentRow.source, DocumentRow.meta,
               DocumentRow.content_hash)
        .where(DocumentRow.project_id == project_id).order_by(DocumentRow.position))
    return [SourceDocument(r[0], r[1], r[2], r[3], dict(r[4] or {}), r[5]) for r in rows]


def people_spans(repo: Repository, project_id: int) -> list[SourceSpan]:
    """The spans of people (not gold, not models) in the project's documents."""
    rows = repo.s.execute(
        select(SpanRow.document_id, AnnotatorRow.name, LabelRow.name, SpanRow.start, SpanRow.end, SpanRow.origin,
               SpanRow.attrs)
        .join(AnnotatorRow, AnnotatorRow.id == SpanRow.annotator_id)
        .join(LabelRow, LabelRow.id == SpanRow.label_id)
        .where(LabelRow.project_id == project_id, AnnotatorRow.kind == OwnerKind.ANNOTATOR.value)
        .order_by(SpanRow.id))
    return [SourceSpan(r[0], r[1], r[2], r[3], r[4], r[5], r[6]) for r in rows]


def people_statuses(repo: Repository, project_id: int) -> list[SourceStatus]:
    rows = repo.s.execute(
        select(DocumentStatusRow.document_id, AnnotatorRow.name, DocumentStatusRow.status, DocumentStatusRow.seconds)
        .join(AnnotatorRow, AnnotatorRow.id == DocumentStatusRow.annotator_id)
        .join(DocumentRow, DocumentRow.id == DocumentStatusRow.document_id)
        .where(DocumentRow.project_id == project_id, AnnotatorRow.kind == OwnerKind.ANNOTATOR.value))
    return [SourceStatus(r[0], r[1], r[2], float(r[3] or 0.0)) for r in rows]


def ids_by_hash(repo: Repository, project_id: int, hashes: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for i in range(0, len(hashes), CHUNK):
        for digest, id_ in repo.s.execute(select(DocumentRow.content_hash, DocumentRow.id).where(
                DocumentRow.project_id == project_id, DocumentRow.content_hash.in_(hashes[i:i + CHUNK]))):
            found[digest] = id_
    return found


def existing_spans(repo: Repository, document_ids: Sequence[int],
                   annotator_ids: Sequence[int]) -> list[tuple[int, int, int, int, int]]:
    """(document, annotator, label id, start, end) of the annotators' spans in those documents."""
    out: list[tuple[int, int, int, int, int]] = []
    for i in range(0, len(document_ids), CHUNK):
        out.extend((r[0], r[1], r[2], r[3], r[4]) for r in repo.s.execute(
            select(SpanRow.document_id, SpanRow.annotator_id, SpanRow.label_id, SpanRow.start, SpanRow.end)
            .where(SpanRow.document_id.in_(document_ids[i:i + CHUNK]), SpanRow.annotator_id.in_(annotator_ids))))
    return out


def existing_statuses(repo: Repository, document_ids: Sequence[int],
                      annotator_ids: Sequence[int]) -> dict[tuple[int, int], tuple[str, float]]:
    out: dict[tuple[int, int], tuple[str, float]] = {}
    for i in range(0, len(document_ids), CHUNK):
        for doc, who, status, seconds in repo.s.execute(
            select(DocumentStatusRow.document_id, DocumentStatusRow.annotator_id, DocumentStatusRow.status,
                   DocumentStatusRow.seconds)
            .where(DocumentStatusRow.document_id.in_(document_ids[i:i + CHUNK]),
                   DocumentStatusRow.annotator_id.in_(annotator_ids))):
            out[(doc, who)] = (status, float(seconds or 0.0))
    return out


def insert_statuses(repo: Repository, rows: list[dict[str, Any]]) -> None:
    if rows:
        now = datetime.now(UTC)
        repo.s.execute(STATUS.insert(), [{**row, "updated_at": now} for row in rows])


def update_status(repo: Repository, document_id: int, annotator_id: int, status: str, seconds: float) -> None:
    repo.s.execute(update(STATUS).where(STATUS.c.document_id == document_id, STATUS.c.annotator_id == annotator_id)
                   .values(status=status, seconds=seconds, updated_at=datetime.now(UTC)))


def copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of `source` (its -wal included) through SQLite's backup API, the source opened read-only.

    Raises sqlite3.Error when `source` is not a SQLite file."""
    conn = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # a file that is not SQLite fails here
        dest = sqlite3.connect(target)
        try:
            with dest:
                conn.backup(dest)
        finally:
            dest.close()
    finally:
        conn.close()
