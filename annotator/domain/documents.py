"""Documents, their status per annotator, and the record of what a change touched."""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class Status(enum.StrEnum):
    TODO = "todo"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class Document:
    id: int
    project_id: int
    text: str
    title: str = ""
    source: str = ""
    meta: Mapping[str, Any] = field(default_factory=dict)
    lang: str = "en"

    @property
    def display_title(self) -> str:
        if self.title:
            return self.title
        first = self.text.strip().split("\n", 1)[0]
        return first[:80] if first else f"document {self.id}"


@dataclass(frozen=True, slots=True)
class DocumentListItem:
    """A line of the document list: no text, so that 100,000 of them stay cheap."""

    id: int
    title: str
    status: Status
    span_count: int
    position: int


@dataclass(frozen=True, slots=True)
class Project:
    id: int
    name: str
    lang: str


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True, slots=True)
class Changes:
    """What a mutating service call changed, so each view refreshes only what it shows."""

    documents: frozenset[int] = frozenset()
    spans_added: tuple[int, ...] = ()
    spans_removed: tuple[int, ...] = ()
    labels: bool = False
    statuses: frozenset[int] = frozenset()
    documents_added: int = 0
