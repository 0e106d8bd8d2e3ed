"""SQLAlchemy 2.x typed models. The schema itself is owned by the Alembic migrations in db/."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeEngine

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class JSONDocument(TypeDecorator[Any]):
    """JSON, stored as JSONB on PostgreSQL, as `JSON().with_variant(JSONB(), "postgresql")` would be; but the
    PostgreSQL dialect (~20 ms of imports) is loaded only by a PostgreSQL database, not by the window's start on
    a SQLite file."""

    impl = JSON
    cache_ok = True
    should_evaluate_none = True  # as JSON's: None is stored as JSON null, not left out of an ORM insert

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import JSONB

            return dialect.type_descriptor(JSONB())
        return dialect.type_descriptor(JSON())


JSONType = JSONDocument()


def _now() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


# AUTOINCREMENT: SQLite would otherwise give a deleted row's id to the next insert, and an undo step or a
# window holding that id would act on someone else's row (migration 0004).
NEVER_REUSE = {"sqlite_autoincrement": True}


class ProjectRow(Base):
    __tablename__ = "project"
    __table_args__ = NEVER_REUSE
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    lang: Mapped[str] = mapped_column(String(16), default="en")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class LabelRow(Base):
    __tablename__ = "label"
    __table_args__ = (UniqueConstraint("project_id", "name", name="uq_label_project_name"), NEVER_REUSE)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    colour: Mapped[str] = mapped_column(String(7))
    key: Mapped[str] = mapped_column(String(1), default="")
    alt_key: Mapped[str] = mapped_column(String(1), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(16), default="entity", server_default="entity")  # migration 0005


class DocumentRow(Base):
    __tablename__ = "document"
    __table_args__ = (
        UniqueConstraint("project_id", "content_hash", name="uq_document_project_hash"),
        UniqueConstraint("project_id", "position", name="uq_document_project_position"),
        NEVER_REUSE,
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(500), default="")
    source: Mapped[str] = mapped_column(String(1000), default="")
    text: Mapped[str] = mapped_column(Text)
    meta: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class AnnotatorRow(Base):
    """The owner of a layer of spans: a person (`annotator`), the project's `gold`, or a suggestion `model`."""

    __tablename__ = "annotator"
    __table_args__ = (
        UniqueConstraint("kind", "name", name="uq_annotator_kind_name"),
        CheckConstraint("kind IN ('annotator', 'gold', 'model')", name="kind"),
        NEVER_REUSE,
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16), default="annotator", server_default="annotator")  # 0006


class SpanRow(Base):
    __tablename__ = "span"
    __table_args__ = (
        Index("ix_span_document_annotator", "document_id", "annotator_id"),
        CheckConstraint('start >= 0 AND start < "end"', name="offsets"),  # migration 0006
        NEVER_REUSE,
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"))
    annotator_id: Mapped[int] = mapped_column(ForeignKey("annotator.id", ondelete="CASCADE"))
    label_id: Mapped[int] = mapped_column(ForeignKey("label.id", ondelete="CASCADE"))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    # manual, imported, or the name of the model whose suggestion was accepted ("model:rules"), migration 0006
    origin: Mapped[str] = mapped_column(String(64), default="manual", server_default="manual")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    # What a span says beyond its label, e.g. a FIGURE's normalised value, unit and qualifier (migration 0006)
    attrs: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)


class DocumentStatusRow(Base):
    __tablename__ = "document_status"
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), primary_key=True)
    annotator_id: Mapped[int] = mapped_column(ForeignKey("annotator.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default="todo", index=True)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class RelationTypeRow(Base):
    """A project's relation schema: `said_by` links a CLAIM (head) to a SOURCE (child), and so on."""

    __tablename__ = "relation_type"
    __table_args__ = (
        UniqueConstraint("project_id", "name", "head_label", "child_label", name="uq_relation_type_project_name"),
        NEVER_REUSE,
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    head_label: Mapped[str] = mapped_column(String(64))
    child_label: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer, default=0)


class RelationRow(Base):
    """A link between two spans of one layer; it goes with either span (ON DELETE CASCADE)."""

    __tablename__ = "relation"
    __table_args__ = (UniqueConstraint("head_id", "child_id", "type", name="uq_relation_head_id"), NEVER_REUSE)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    head_id: Mapped[int] = mapped_column(ForeignKey("span.id", ondelete="CASCADE"))
    child_id: Mapped[int] = mapped_column(ForeignKey("span.id", ondelete="CASCADE"), index=True)
    type: Mapped[str] = mapped_column(String(64))
    annotator_id: Mapped[int] = mapped_column(ForeignKey("annotator.id", ondelete="CASCADE"), index=True)
    origin: Mapped[str] = mapped_column(String(64), default="manual", server_default="manual")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class SuggestionDecisionRow(Base):
    """A person's answer to a suggested span: accepted, or rejected (and then never proposed to them again)."""

    __tablename__ = "suggestion_decision"
    __table_args__ = (
        UniqueConstraint("document_id", "decided_by", "label_id", "start", "end",
                         name="uq_suggestion_decision_document_id"),
        NEVER_REUSE,
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"))
    decided_by: Mapped[int] = mapped_column(ForeignKey("annotator.id", ondelete="CASCADE"))
    source_id: Mapped[int | None] = mapped_column(ForeignKey("annotator.id", ondelete="SET NULL"), nullable=True)
    label_id: Mapped[int] = mapped_column(ForeignKey("label.id", ondelete="CASCADE"))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    decision: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class AssignmentRow(Base):
    """A document handed to an annotator (team mode); `position` orders their queue."""

    __tablename__ = "assignment"
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), primary_key=True)
    annotator_id: Mapped[int] = mapped_column(ForeignKey("annotator.id", ondelete="CASCADE"), primary_key=True,
                                              index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class ChangeJournalRow(Base):
    """What one statement did to one row of a person's spans, links or suggestion decisions, written by database
    triggers in the same transaction (migration 0007, ADR 0015); `txn` groups the rows of one transaction."""

    __tablename__ = "change_journal"
    __table_args__ = (
        Index("ix_change_journal_document_id", "document_id", "owner_id", "id"),
        Index("ix_change_journal_txn", "txn"),
        NEVER_REUSE,
    )
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)
    txn: Mapped[int] = mapped_column(BigInteger)
    document_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    owner_id: Mapped[int] = mapped_column(Integer)
    what: Mapped[str] = mapped_column(String(8))
    row_id: Mapped[int] = mapped_column(Integer)
    label_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    start: Mapped[int | None] = mapped_column(Integer, nullable=True)
    end: Mapped[int | None] = mapped_column(Integer, nullable=True)
    old_label_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    old_start: Mapped[int | None] = mapped_column(Integer, nullable=True)
    old_end: Mapped[int | None] = mapped_column(Integer, nullable=True)
    origin: Mapped[str | None] = mapped_column(String(64), nullable=True)
    attrs: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    head_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    child_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rel_type: Mapped[str | None] = mapped_column(String(64), nullable=True)
    decision: Mapped[str | None] = mapped_column(String(16), nullable=True)
    old_decision: Mapped[str | None] = mapped_column(String(16), nullable=True)
    source_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    old_source_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
