"""The owners of layers: people, gold and models (rows of the annotator table, ADR 0008)."""

from __future__ import annotations

from typing import Literal, overload

from sqlalchemy import select
from sqlalchemy.orm import Session

from annotator.domain.layers import Owner, OwnerKind
from annotator.storage import span_writes
from annotator.storage.models import AnnotatorRow
from annotator.storage.repositories.common import insert_if_absent


class OwnerRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    @overload
    def annotator_id(self, name: str, *, create: Literal[True] = ...) -> int: ...
    @overload
    def annotator_id(self, name: str, *, create: bool) -> int | None: ...

    def annotator_id(self, name: str, *, create: bool = True) -> int | None:
        """The row of the person called `name` (made when absent, unless `create` is False)."""
        return self.owner_id(Owner.person(name), create=create)

    @overload
    def owner_id(self, owner: Owner, *, create: Literal[True] = ...) -> int: ...
    @overload
    def owner_id(self, owner: Owner, *, create: bool) -> int | None: ...

    def owner_id(self, owner: Owner, *, create: bool = True) -> int | None:
        """The row that owns a layer: a person, gold or a model, found by kind and name."""
        where = (AnnotatorRow.kind == owner.kind.value, AnnotatorRow.name == owner.name)
        found = self.s.scalar(select(AnnotatorRow.id).where(*where))
        if found is None and create:
            # Another process may be adding the same owner right now (two imports on a fresh database).
            insert_if_absent(self.s, span_writes.table_of(AnnotatorRow), {"name": owner.name, "kind": owner.kind.value},
                             ["kind", "name"])
            found = self.s.scalar(select(AnnotatorRow.id).where(*where))
        return found

    def people(self) -> list[str]:
        """The people (not gold, not models), by name."""
        return list(self.s.scalars(select(AnnotatorRow.name).where(AnnotatorRow.kind == OwnerKind.ANNOTATOR.value)
                                   .order_by(AnnotatorRow.name)))

    def all(self) -> list[Owner]:
        """Every layer owner in the database: people, gold and models."""
        rows = self.s.execute(select(AnnotatorRow.kind, AnnotatorRow.name).order_by(AnnotatorRow.kind,
                                                                                    AnnotatorRow.name))
        return [Owner(OwnerKind(kind), name) for kind, name in rows]
