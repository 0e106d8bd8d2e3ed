"""The document list's queue selection on both backends: assigned documents only, in queue order, filters kept."""

from __future__ import annotations

import json
from pathlib import Path

from annotator.domain.documents import Status
from annotator.services.annotation import Annotations
from annotator.services.importing import import_paths
from annotator.services.team import assign
from annotator.services.workspace import ensure_project, open_workspace


def test_queue_pages_follow_the_queue_and_keep_the_filters(database: str, tmp_path: Path) -> None:
    source = tmp_path / "docs.jsonl"
    source.write_text("".join(json.dumps({"text": f"Report {i}: the {'harbour' if i % 2 else 'mayor'} said so."})
                              + "\n" for i in range(6)), encoding="utf-8")
    ws = open_workspace(database)
    try:
        assert import_paths(ws, [source], project="default", annotator="loader").errors == []
        assign(ws, "default", ["ana", "ben"], per_document=1, seed=2)
        project = ensure_project(ws).id
        ana = Annotations(ws, project, "ana")
        everything = [item.id for item in ana.list_documents()]
        queue = [item.id for item in ana.list_documents(queue=True)]
        assert ana.has_queue() and len(queue) == 3 and set(queue) < set(everything)
        assert ana.count_documents(queue=True) == 3
        assert [item.id for item in ana.list_documents(queue=True, offset=1, limit=1)] == queue[1:2]

        ana.set_status(queue[0], Status.DONE)
        assert [item.id for item in ana.list_documents(queue=True, status=Status.TODO)] == queue[1:]
        harbour = [item.id for item in ana.list_documents(queue=True, text="HARBOUR")]
        assert harbour == [d for d in queue if everything.index(d) % 2]
        assert ana.count_documents(queue=True, text="harbour") == len(harbour)
        assert ana.team_progress() == {"ana": {"assigned": 3, "done": 1}, "ben": {"assigned": 3, "done": 0}}
        assert not Annotations(ws, project, "cy").has_queue()
    finally:
        ws.close()
