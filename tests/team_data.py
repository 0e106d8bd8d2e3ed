"""Two annotators' spans of the same short texts, imported through the command line; for the review, dashboard and
window tests of team work. ben agrees with ana on the first text's SOURCE and LOCATION, cuts her FIGURE short,
agrees on the second text's LOCATION and adds a SOURCE there; only ana read the third."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cli_runners import run, write

DOCS = ["Irena Dobric said 12,000 residents left Dorvan.", "The mayor of Velmora said the bridge will reopen.",
        "Only ana read this one."]
ANA = [
    {"text": DOCS[0], "spans": [{"start": 0, "end": 12, "label": "SOURCE"}, {"start": 18, "end": 34, "label": "FIGURE"},
                                {"start": 40, "end": 46, "label": "LOCATION"}]},
    {"text": DOCS[1], "spans": [{"start": 13, "end": 20, "label": "LOCATION"}]},
    {"text": DOCS[2], "spans": [{"start": 0, "end": 4, "label": "SOURCE"}]},
]
BEN = [
    {"text": DOCS[0], "spans": [{"start": 0, "end": 12, "label": "SOURCE"}, {"start": 18, "end": 24, "label": "FIGURE"},
                                {"start": 40, "end": 46, "label": "LOCATION"}]},
    {"text": DOCS[1], "spans": [{"start": 13, "end": 20, "label": "LOCATION"}, {"start": 0, "end": 9, "label": "SOURCE"}]},
]


def import_spans(capsys: pytest.CaptureFixture[str], database: str, folder: Path, who: str, records: list) -> None:
    """`annotator import` of `records` as a Prodigy file, as `who`."""
    path = write(folder / f"{who}.jsonl", "".join(json.dumps(r) + "\n" for r in records))
    code, _, err = run(capsys, "--db", database, "import", str(path), "--format", "prodigy", "--annotator", who)
    assert code == 0, err


def import_team(capsys: pytest.CaptureFixture[str], database: str, folder: Path) -> None:
    import_spans(capsys, database, folder, "ana", ANA)
    import_spans(capsys, database, folder, "ben", BEN)


def document_ids(ws: Any, project_id: int = 1) -> list[int]:
    """The project's documents in reading order."""
    from annotator.storage.gold_store import GoldStore

    with ws.unit() as repo:
        return GoldStore(repo.s).document_ids(project_id)
