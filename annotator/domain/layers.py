"""Layers: the spans of one owner on one document (ADR 0008).

An owner is a person (`annotator`), the project's settled version (`gold`) or a named suggestion source
(`model`: `rules`, `occurrences`, a trained or installed pipeline). The current user edits their own layer
(and gold, when they settle it); every other layer is shown read-only beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class OwnerKind(StrEnum):
    ANNOTATOR = "annotator"
    GOLD = "gold"
    MODEL = "model"


GOLD_NAME = "gold"


@dataclass(frozen=True, slots=True)
class Owner:
    kind: OwnerKind
    name: str

    @classmethod
    def person(cls, name: str) -> Owner:
        return cls(OwnerKind.ANNOTATOR, name)

    @classmethod
    def model(cls, name: str) -> Owner:
        return cls(OwnerKind.MODEL, name)

    @classmethod
    def gold(cls) -> Owner:
        return cls(OwnerKind.GOLD, GOLD_NAME)

    def __str__(self) -> str:
        return self.name if self.kind is OwnerKind.ANNOTATOR else f"{self.kind.value}:{self.name}"


@dataclass(frozen=True, slots=True)
class Layer:
    """Whose spans, and whether the current user may change them."""

    owner: Owner
    editable: bool
