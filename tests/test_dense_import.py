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
    """JSON Lines of news-like texts, each with a CLAIM that holds a FIGURE and a LOCATION; the CLAIM ends before a
    comma (on a token boundary only the tokenizer can vouch for), every seventh FIGURE is cut inside a word."""
    lines = []
    for n in range(documents):
        text = f"Officials said {n + 2},{n % 900 + 100} tonnes of grain left Velmora, the ministry said on Tuesday."
        claim = (0, text.index(", the ministry"))
        figure = (15, 15 + len(f"{n + 2},{n % 900 + 100} tonnes") - (2 if n % 7 == 0 else 0))
        place = (text.index("Velmora"), text.index("Velmora") + len("Velmora"))
        lines.append(json.dumps({"text": text, "meta": {"n": n}, "spans": [
            {"start": claim[0], "end": claim[1], "label": "CLAIM"},
            {"start": figure[0], "end": figure[1], "label": "FIGURE"},
            {"start": place[0], "end": place[1], "label": "LOCATION"}]}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_dense_records_store_every_span_with_its_figure_reading_and_count_the_misaligned(database: str,
                                                                                      tmp_path: Path) -> None:
    from annotator.domain.figures import parse_figure
    from annotator.nlp.tokens import token_bounds

    source = _dense_file(tmp_path / "dense.jsonl", 40)
    lines = source.read_text(encoding="utf-8").splitlines()
    text = "About 3 million people left Velmora, and 12,000 tonnes went wes t, the ministry said."
    odd = [  # the careful paths: a FIGURE read the general way, spans cut inside words, a repeat, the file's attrs
        {"start": 0, "end": 22, "label": "FIGURE"}, {"start": 28, "end": 33, "label": "LOCATION"},  # "Velmo"
        {"start": 41, "end": 54, "label": "FIGURE", "attrs": {"value": 12000, "unit": "t"}},  # "12,000 tonnes"
        {"start": 41, "end": 62, "label": "CLAIM"}, {"start": 41, "end": 62, "label": "CLAIM"},
        {"start": 64, "end": 66, "label": "LOCATION"}]  # "t,"
    lines.append(json.dumps({"text": text, "spans": odd}))
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    expected = []
    misaligned = 0
    for line in lines:
        task = json.loads(line)
        bounds = token_bounds(task["text"], "en")
        keys = {(sp["start"], sp["end"], sp["label"]) for sp in task["spans"]}
        misaligned += sum(not bounds.is_aligned(start, end) for start, end, _ in keys)
        for start, end, label in keys:
            given = next((sp.get("attrs") for sp in task["spans"] if (sp["start"], sp["end"]) == (start, end)), None)
            attrs = given if given else (parse_figure(task["text"][start:end]).as_attrs() if label == "FIGURE" else None)
            expected.append((task["text"][start:end], label, attrs))
    ws = open_workspace(database)
    summary = import_paths(ws, [source], project="p", annotator="a")
    ws.close()
    assert summary.total("documents_added") == 41
    assert summary.total("duplicate_spans") == 1
    assert misaligned > 0 and summary.total("spans_misaligned") == misaligned
    stored = rows(database, 'SELECT substr(d.text, s.start + 1, s."end" - s.start), l.name, s.attrs FROM span s '
                            "JOIN document d ON d.id = s.document_id JOIN label l ON l.id = s.label_id")
    as_read = [(words, label, json.loads(attrs) if isinstance(attrs, str) else attrs) for words, label, attrs in stored]
    assert sorted(as_read, key=repr) == sorted(expected, key=repr)
    assert ("About 3 million people", "FIGURE", parse_figure("About 3 million people").as_attrs()) in as_read


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
    with ws.bulk_unit() as repo:  # what the import's unit runs with
        assert repo.s.connection().exec_driver_sql("PRAGMA foreign_keys").scalar() == 0
    with ws.unit() as repo:
        assert repo.s.connection().exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
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
