"""The label set of a project: list, add, rename, recolour, rekey, rekind, describe."""

from __future__ import annotations

from dataclasses import replace

from annotator.domain.labels import (
    Label,
    LabelKind,
    LabelSet,
    next_colour,
    validate_colour,
    validate_key,
    validate_kind,
    validate_name,
)
from annotator.errors import LabelError, LabelInUseError
from annotator.services.workspace import Workspace, get_project


def list_labels(ws: Workspace, project: str) -> LabelSet:
    project_obj = get_project(ws, project)
    with ws.unit() as repo:
        return repo.labels.of_project(project_obj.id)


def add_label(ws: Workspace, project: str, name: str, *, colour: str = "", key: str = "", description: str = "",
              kind: str = LabelKind.ENTITY) -> Label:
    project_obj = get_project(ws, project)
    name = validate_name(name)
    kind = validate_kind(kind)
    with ws.unit() as repo:
        labels = repo.labels.of_project(project_obj.id)
        if name in labels:
            raise LabelError(f"the project already has a label {name!r}")
        key = validate_key(key)
        labels.check_key_free(key)
        label = Label(name, validate_colour(colour) if colour else next_colour(lb.colour for lb in labels), key,
                      description=description, kind=kind)
        repo.labels.add(project_obj.id, label)
    return label


def update_label(ws: Workspace, project: str, name: str, *, new_name: str | None = None, colour: str | None = None,
                 key: str | None = None, alt_key: str | None = None, description: str | None = None,
                 kind: str | None = None) -> Label:
    """Change one label; a key or name already taken is refused with a message."""
    project_obj = get_project(ws, project)
    with ws.unit() as repo:
        labels = repo.labels.of_project(project_obj.id)
        label = labels.get(name)
        if label is None:
            raise LabelError(f"there is no label {name!r}", hint=f"labels: {', '.join(labels.names())}")
        changes: dict[str, str] = {}
        if new_name is not None and new_name != name:
            new_name = validate_name(new_name)
            if new_name in labels:
                raise LabelError(f"the project already has a label {new_name!r}")
            changes["name"] = new_name
        if colour is not None:
            changes["colour"] = validate_colour(colour)
        for field_name, value in (("key", key), ("alt_key", alt_key)):
            if value is not None:
                value = validate_key(value)
                labels.check_key_free(value, ignore=name)
                changes[field_name] = value
        if description is not None:
            changes["description"] = description
        # The kind is passed on its own: it is the one field that is not a plain string.
        updated = replace(label, **changes, kind=label.kind if kind is None else validate_kind(kind))
        repo.labels.update(project_obj.id, name, updated)
    return updated


def delete_label(ws: Workspace, project: str, name: str, *, with_spans: bool = False) -> int:
    """Delete a label; returns how many spans went with it.

    A label that spans use is refused (LabelInUseError, with the count) unless `with_spans`.
    """
    project_obj = get_project(ws, project)
    with ws.unit() as repo:
        if name not in repo.labels.of_project(project_obj.id):
            raise LabelError(f"there is no label {name!r}")
        spans = repo.spans.count_labelled(project_obj.id, name)
        if spans and not with_spans:
            raise LabelInUseError(
                f"{spans:,} span(s) use the label {name!r}; nothing was deleted", spans=spans,
                hint="to delete the label and its spans of every annotator, add --with-spans",
            )
        repo.labels.delete(project_obj.id, name)
    return spans
