"""Relations between spans: a CLAIM linked to who said it, where, and its figures.

The vocabulary is data, like the label set: a project keeps a list of relation types (the relation_type
table: project, name, head_label, child_label, position), and a relation (the relation table: head span,
child span, type, annotator) names one of them. A new project's types come from resources/labels.json
("relations": said_by, where, figure) beside its labels. Nothing here stores anything.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from annotator.domain.labels import name_problem
from annotator.domain.spans import Span
from annotator.errors import RelationError


@dataclass(frozen=True, slots=True)
class RelationType:
    """A kind of link from a span of `head_label` to a span of `child_label` (a row of relation_type)."""

    name: str
    head_label: str
    child_label: str

    def __post_init__(self) -> None:
        for what, value in (("relation type name", self.name), ("head label", self.head_label),
                            ("child label", self.child_label)):
            problem = name_problem(value)
            if problem:
                raise RelationError(f"{what} {value!r} {problem}",
                                    hint="a relation type names itself and two labels of the project")

    def fits(self, head: Span, child: Span) -> bool:
        return head.label == self.head_label and child.label == self.child_label


class Relation(NamedTuple):
    """A link from `head` to `child`, both spans of one document and one layer; `id` once stored."""

    head: Span
    child: Span
    type: str
    id: int | None = None

    def key(self) -> tuple[tuple[int, int, str], tuple[int, int, str], str]:
        return (self.head.key(), self.child.key(), self.type)


def relation_type(name: str, types: Iterable[RelationType]) -> RelationType:
    found = next((t for t in types if t.name == name), None)
    if found is None:
        raise RelationError(f"relation type {name!r} is not in the project's schema",
                            hint="use one of its relation types, or add this one first")
    return found


def validate_relation(relation: Relation, types: Iterable[RelationType]) -> None:
    """Raise RelationError unless `relation` joins two distinct spans of one layer as its type says."""
    kind = relation_type(relation.type, types)
    head, child = relation.head, relation.child
    if head.key() == child.key():
        raise RelationError(f"a {kind.name} relation links {head.label} [{head.start}:{head.end}] to itself",
                            hint="link a span to another span")
    if not kind.fits(head, child):
        raise RelationError(
            f"a {kind.name} relation goes from {kind.head_label} to {kind.child_label}, not from "
            f"{head.label} [{head.start}:{head.end}] to {child.label} [{child.start}:{child.end}]",
            hint="pick the relation type that the two labels imply")
    if head.annotator is not None and child.annotator is not None and head.annotator != child.annotator:
        raise RelationError(
            f"a {kind.name} relation joins spans of two layers ({head.annotator!r} and {child.annotator!r})",
            hint="a relation belongs to one layer: link spans of the same annotator")


def relation_types_from_json(text: str) -> tuple[RelationType, ...]:
    """The relation types of a label-set file (`"relations": [{"name", "head_label", "child_label"}]`), in order."""
    data = json.loads(text)
    return tuple(RelationType(item["name"], item["head_label"], item["child_label"])
                 for item in data.get("relations", []))
