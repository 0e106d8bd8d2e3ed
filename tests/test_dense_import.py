"""The span-dense import's fast paths: the same rows, counts and refusals as the careful ones, on both databases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from db_fixtures import rows

from annotator.services import importing
from annotator.services.importing import import_paths
from annotator.services.workspace import open_workspace


def _dense_file(path: Path, documents: int) -> Path:
    """JSON Lines of news-like texts, each with CLAIMs that hold a FIGURE and a LOCATION."""
    lines = []
    for n in range(documents):
        text = f"Officials said {n + 2},{n % 900 + 100} tonnes of grain left Velmora on Tuesday, the ministry said."
        claim = (0, text.index(" on Tuesday"))
        figure = (15, 15 + len(f"{n + 2},{n % 900 + 100} tonnes"))
        place = (text.index("Velmora"), text.index("Velmora") + len("Velmora"))
        lines.append(json.dumps({"text": text, "meta": {"n": n}, "spans": [
            {"start": claim[0], "end": claim[1], "label": "CLAIM"},
            {"start": figure[0], "end": figure[1], "label": "FIGURE"},
            {"start": place[0], "end": place[1], "label": "LOCATION"}]}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_an_import_gives_the_connection_its_foreign_key_checks_back(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path / "fk.db")
    source = _dense_file(tmp_path / "dense.jsonl", 30)
    bad = tmp_path / "bad.jsonl"
    bad.write_text(source.read_text(encoding="utf-8") + '{"text": "x", "spans": [{"start": 0, "end": 9, "label": "A"}]}\n',
                   encoding="utf-8")
    summary = import_paths(ws, [source, bad], project="p", annotator="a")
    assert summary.total("documents_added") == 30
    assert len(summary.errors) == 1  # the second file rolled back whole
    with ws.unit() as repo:
        assert repo.s.connection().exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert repo.s.connection().exec_driver_sql("PRAGMA foreign_key_check").all() == []
    ws.close()


def test_a_project_deleted_before_its_file_is_written_gets_nothing(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    ws = open_workspace(tmp_path / "gone.db")
    source = _dense_file(tmp_path / "dense.jsonl", 5)
    real = importing.ensure_project

    def made_then_deleted(ws_, name, lang):  # type: ignore[no-untyped-def]
        project = real(ws_, name, lang)
        with ws_.unit() as repo:
            repo.s.connection().exec_driver_sql("DELETE FROM project WHERE id = ?", (project.id,))
        return project

    monkeypatch.setattr(importing, "ensure_project", made_then_deleted)
    summary = import_paths(ws, [source], project="p", annotator="a")
    assert "[A060]" in summary.errors[0] and "deleted while the import ran" in summary.errors[0]
    assert rows(str(tmp_path / "gone.db"), "SELECT count(*) FROM document") == [(0,)]
    ws.close()


def test_the_collector_rests_while_a_file_is_read_and_is_back_after(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import gc

    ws = open_workspace(tmp_path / "gc.db")
    source = _dense_file(tmp_path / "dense.jsonl", 3)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "x", "spans": [{"start": 0, "end": 9, "label": "A"}]}\n', encoding="utf-8")
    seen = []
    real = importing._checked
    monkeypatch.setattr(importing, "_checked", lambda *args: seen.append(gc.isenabled()) or real(*args))
    assert gc.isenabled()
    summary = import_paths(ws, [source, bad], project="p", annotator="a")
    assert summary.total("documents_added") == 3 and len(summary.errors) == 1
    assert seen == [False] * 3  # the bad file stops in its reader, before any check
    assert gc.isenabled()
    ws.close()
