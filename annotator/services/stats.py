"""Counts for a project: documents by status per annotator, spans by label and annotator."""

from __future__ import annotations

from typing import Any

from annotator.services.team import queue_progress
from annotator.services.workspace import Workspace, get_project


def project_stats(ws: Workspace, project: str) -> dict[str, Any]:
    project_obj = get_project(ws, project)
    with ws.unit() as repo:
        total = repo.document_count(project_obj.id)
        span_rows = repo.span_stats(project_obj.id)
        annotators = repo.annotators()
        status = {}
        for name in annotators:
            who_id = repo.annotator_id(name, create=False)
            assert who_id is not None
            counts = repo.status_counts(project_obj.id, who_id)
            status[name] = {s.value: n for s, n in counts.items()}
    by_label: dict[str, int] = {}
    by_annotator: dict[str, dict[str, int]] = {}
    for label, who, n in span_rows:
        by_label[label] = by_label.get(label, 0) + n
        by_annotator.setdefault(who, {})[label] = n
    return {
        "project": project_obj.name,
        "language": project_obj.lang,
        "documents": total,
        "status_by_annotator": status,
        "spans_by_label": by_label,
        "spans_by_annotator": by_annotator,
        "spans": sum(by_label.values()),
        "queues": queue_progress(ws, project_obj.id),  # team mode: each annotator's assigned and done
    }
