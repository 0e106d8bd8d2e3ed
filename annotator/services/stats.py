"""Counts for a project: documents by status per annotator, spans by label and annotator, and its layers."""

from __future__ import annotations

from typing import Any

from annotator.domain.layers import OwnerKind
from annotator.services.export_layers import layer_names, project_layers
from annotator.services.team import queue_progress
from annotator.services.workspace import Workspace, get_project


def project_stats(ws: Workspace, project: str) -> dict[str, Any]:
    """People's spans by label (`spans` counts those); `layers` lists every layer: people, gold, models."""
    project_obj = get_project(ws, project)
    with ws.unit() as repo:
        total = repo.documents.total(project_obj.id)
        span_rows = repo.spans.stats(project_obj.id)
        annotators = repo.owners.people()
        status = {}
        for name in annotators:
            who_id = repo.owners.annotator_id(name, create=False)
            assert who_id is not None
            counts = repo.statuses.counts(project_obj.id, who_id)
            status[name] = {s.value: n for s, n in counts.items()}
        layers = project_layers(repo, project_obj.id)
    by_label: dict[str, int] = {}
    by_annotator: dict[str, dict[str, int]] = {}
    for label, owner, n in span_rows:
        if owner.kind is OwnerKind.ANNOTATOR:
            by_label[label] = by_label.get(label, 0) + n
            by_annotator.setdefault(owner.name, {})[label] = n
    return {
        "project": project_obj.name,
        "language": project_obj.lang,
        "documents": total,
        "status_by_annotator": status,
        "spans_by_label": by_label,
        "spans_by_annotator": by_annotator,
        "spans": sum(by_label.values()),
        "layers": [{"layer": name, "kind": owner.kind.value, "spans": n}
                   for name, (owner, n) in zip(layer_names(list(layers)), layers.items(), strict=True)],
        "queues": queue_progress(ws, project_obj.id),  # team mode: each annotator's assigned and done
    }
