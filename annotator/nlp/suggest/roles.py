"""The roles a suggestion source proposes and the project labels that fill them.

A source never names a project label itself: it proposes roles (SOURCE, LOCATION, FIGURE: entities; and
STATEMENT, the reported clause that the default label set calls CLAIM), and the project's label set decides
which label takes each role: an entity role by name and kind, the statement role by kind alone, or a mapping
the user edits.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from annotator.domain.labels import LabelKind, LabelSet
from annotator.domain.spans import Span
from annotator.errors import LabelMappingError

SOURCE, LOCATION, FIGURE, STATEMENT = "SOURCE", "LOCATION", "FIGURE", "STATEMENT"
ROLE_KINDS: dict[str, LabelKind] = {
    SOURCE: LabelKind.ENTITY,
    LOCATION: LabelKind.ENTITY,
    FIGURE: LabelKind.ENTITY,
    STATEMENT: LabelKind.STATEMENT,
}


def role_labels(labels: LabelSet, mapping: Mapping[str, str] | None = None) -> dict[str, str]:
    """Role -> the project label that takes it; roles no label takes are left out.

    A mapping names the label for a role outright. Otherwise an entity role goes to the entity label of its
    name, and the statement role to the project's statement label, whatever it is called (with several
    statement labels, the mapping says which).
    """
    mapping = mapping or {}
    out: dict[str, str] = {}
    for role, kind in ROLE_KINDS.items():
        if role in mapping:
            target = mapping[role]
            if target not in labels:
                raise LabelMappingError(f"the mapping gives {role} to {target!r}, which is not a label of the project",
                                        hint=f"map it to one of {', '.join(labels.names()) or 'the project labels'}")
            out[role] = target
            continue
        if kind is LabelKind.STATEMENT:
            statements = [label.name for label in labels if label.is_statement]
            if len(statements) == 1:
                out[role] = statements[0]
            continue
        label = labels.get(role)
        if label is not None and label.kind is kind:
            out[role] = role
    return out


def relabel(spans: Iterable[Span], labels: Mapping[str, str]) -> list[Span]:
    """The spans whose label (a role or a source's own label) `labels` maps, under the mapped name."""
    return [Span(s.start, s.end, labels[s.label]) for s in spans if s.label in labels]


def resolve_target(target: str, labels: LabelSet, roles: Mapping[str, str]) -> str | None:
    """A mapping target as a project label: the label itself, or the label that takes the role it names."""
    if target in labels:
        return target
    return roles.get(target)
