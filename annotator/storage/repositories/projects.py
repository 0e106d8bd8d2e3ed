"""Projects: found by name or id, made once (whoever makes it first), locked while positions are allocated."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from annotator.domain.documents import Project
from annotator.domain.labels import Label
from annotator.storage import span_writes
from annotator.storage.models import ProjectRow
from annotator.storage.repositories.common import insert_if_absent
from annotator.storage.repositories.labels import LabelRepository


def _project(row: ProjectRow) -> Project:
    return Project(row.id, row.name, row.lang)


class ProjectRepository:
    def __init__(self, session: Session, labels: LabelRepository) -> None:
        self.s = session
        self._labels = labels

    def lock(self, project_id: int) -> None:
        """Hold the project against other writers until the transaction ends: positions are allocated under it.

        PostgreSQL: a row lock (two imports into one project take turns; other projects go on). SQLite: the
        write lock taken now, so the transaction reads nothing stale (a second import waits, then goes on, or
        after the busy timeout gets the "locked" message).
        """
        self.s.execute(update(ProjectRow).where(ProjectRow.id == project_id).values(lang=ProjectRow.lang))

    def by_name(self, name: str) -> Project | None:
        row = self.s.scalar(select(ProjectRow).where(ProjectRow.name == name))
        return _project(row) if row else None

    def by_id(self, project_id: int) -> Project | None:
        row = self.s.get(ProjectRow, project_id)
        return _project(row) if row else None

    def all(self) -> list[Project]:
        return [_project(r) for r in self.s.scalars(select(ProjectRow).order_by(ProjectRow.id))]

    def create(self, name: str, lang: str, labels: Iterable[Label]) -> Project:
        """The project `name`, made with `labels` unless another process made it first (then as they made it)."""
        made = insert_if_absent(self.s, span_writes.table_of(ProjectRow),
                                {"name": name, "lang": lang, "created_at": datetime.now(UTC)}, ["name"])
        row = self.s.scalar(select(ProjectRow).where(ProjectRow.name == name))
        assert row is not None
        if made:
            for label in labels:
                self._labels.add(row.id, label)
        return _project(row)
