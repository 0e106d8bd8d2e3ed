"""A project's labels, in their order."""

from __future__ import annotations

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from annotator.domain.labels import Label, LabelSet, validate_kind
from annotator.storage import span_writes
from annotator.storage.models import LabelRow
from annotator.storage.repositories.common import insert_if_absent


class LabelRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def of_project(self, project_id: int) -> LabelSet:
        rows = self.s.scalars(select(LabelRow).where(LabelRow.project_id == project_id).order_by(LabelRow.position))
        return LabelSet(tuple(Label(r.name, r.colour, r.key, r.alt_key, r.description, validate_kind(r.kind))
                              for r in rows))

    def ids(self, project_id: int) -> dict[str, int]:
        rows = self.s.execute(select(LabelRow.name, LabelRow.id).where(LabelRow.project_id == project_id))
        return {name: id_ for name, id_ in rows}

    def add(self, project_id: int, label: Label) -> int:
        """The id of the project's label `label.name`, added now unless a concurrent writer just added it."""
        position = self.s.scalar(select(func.count()).where(LabelRow.project_id == project_id)) or 0
        insert_if_absent(self.s, span_writes.table_of(LabelRow), {
            "project_id": project_id, "name": label.name, "colour": label.colour, "key": label.key,
            "alt_key": label.alt_key, "description": label.description, "position": position,
            "kind": label.kind.value,
        }, ["project_id", "name"])
        found = self.s.scalar(select(LabelRow.id).where(LabelRow.project_id == project_id, LabelRow.name == label.name))
        assert found is not None
        return found

    def update(self, project_id: int, old_name: str, label: Label) -> None:
        self.s.execute(
            update(LabelRow)
            .where(LabelRow.project_id == project_id, LabelRow.name == old_name)
            .values(name=label.name, colour=label.colour, key=label.key, alt_key=label.alt_key,
                    description=label.description, kind=label.kind.value)
        )

    def delete(self, project_id: int, name: str) -> None:
        self.s.execute(delete(LabelRow).where(LabelRow.project_id == project_id, LabelRow.name == name))
