"""The window's suggestion sources for an open project (annotator.services.live_suggestions), without a window:
occurrences follow each tag and untag without reading every string again, short strings and floods of hits are
capped with a message, a newer trained model replaces the loaded one, a failing source is named while the others
run, and a run for a document the person left stops. On SQLite and PostgreSQL where the database is involved."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from data_fixtures import ruler_model

from annotator.domain.layers import Owner
from annotator.nlp.suggest.occurrences import MAX_HITS, OccurrenceIndex
from annotator.services.annotation import Annotations
from annotator.services.importing import import_paths
from annotator.services.live_suggestions import LiveSources
from annotator.services.workspace import Workspace, ensure_project, open_workspace

FIRST = "Floods reached Velmora on Monday. Ostrava Bay was spared."
SECOND = "Boats left Velmora and Ostrava Bay at dawn; Velmora waited."


def _project(ws: Workspace, tmp_path: Path, texts: list[str]) -> tuple[int, list[int]]:
    for i, body in enumerate(texts):
        (tmp_path / f"{i}.txt").write_text(body, encoding="utf-8")
    import_paths(ws, [str(tmp_path / f"{i}.txt") for i in range(len(texts))], project="news", annotator="ana")
    project_id = ensure_project(ws, "news").id
    return project_id, [d.id for d in Annotations(ws, project_id, "ana").list_documents()]


def _layer(ws: Workspace, name: str, document_id: int, text: str) -> list[tuple[str, str]]:
    with ws.unit() as repo:
        owner = repo.owners.owner_id(Owner.model(name), create=False)
        spans = repo.spans.of_document(document_id, owner) if owner is not None else []
    return sorted((text[s.start:s.end], s.label) for s in spans)


def _at(text: str, phrase: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(phrase, start + 1)
    return start, start + len(phrase)


def test_occurrences_follow_each_tag_and_untag_and_read_everything_again_only_when_told(database: str,
                                                                                        tmp_path: Path) -> None:
    ws = open_workspace(database)
    try:
        project_id, (first, second) = _project(ws, tmp_path, [FIRST, SECOND])
        ana = Annotations(ws, project_id, "ana")
        velmora, changes = ana.add_span(first, "LOCATION", *_at(FIRST, "Velmora"))
        live = LiveSources(ws, "news")
        assert live.run(second, ["occurrences"]).ran == ["occurrences"]
        assert _layer(ws, "occurrences", second, SECOND) == [("Velmora", "LOCATION")] * 2

        _, changes = ana.add_span(first, "LOCATION", *_at(FIRST, "Ostrava Bay"))
        live.tagged_changed(changes.spans_added, changes.spans_removed)
        live.run(second, ["occurrences"])
        assert _layer(ws, "occurrences", second, SECOND) == [("Ostrava Bay", "LOCATION")] + [("Velmora", "LOCATION")] * 2
        assert velmora.id is not None
        *_, changes = ana.remove_span(velmora.id)
        live.tagged_changed(changes.spans_added, changes.spans_removed)
        live.run(second, ["occurrences"])
        assert _layer(ws, "occurrences", second, SECOND) == [("Ostrava Bay", "LOCATION")]

        # Another person's tag is not followed span by span: it joins when everything is read again.
        Annotations(ws, project_id, "ben").add_span(second, "SOURCE", *_at(SECOND, "Boats"))
        live.run(second, ["occurrences"])
        assert ("Boats", "SOURCE") not in _layer(ws, "occurrences", second, SECOND)
        live.tagged_changed()  # an import, say: read it all
        (tmp_path / "third.txt").write_text("Boats again.", encoding="utf-8")
        import_paths(ws, [str(tmp_path / "third.txt")], project="news", annotator="ana")
        third = [d.id for d in ana.list_documents()][-1]
        live.run(third, ["occurrences"])
        assert _layer(ws, "occurrences", third, "Boats again.") == [("Boats", "SOURCE")]
    finally:
        ws.close()


def test_short_strings_are_not_looked_for_and_a_flood_of_hits_is_capped_with_a_message(ws: Workspace,
                                                                                       tmp_path: Path) -> None:
    flood = " ".join(["Velmora a -"] * (MAX_HITS + 40)) + "."
    project_id, (tagged, flooded) = _project(ws, tmp_path, ["In Velmora a - storm.", flood])
    ana = Annotations(ws, project_id, "ana")
    for label, start, end in (("LOCATION", 3, 10), ("SOURCE", 11, 12), ("FIGURE", 13, 14)):  # Velmora, a, -
        ana.add_span(tagged, label, start, end)
    live = LiveSources(ws, "news")
    done = live.run(flooded, ["occurrences"])
    found = _layer(ws, "occurrences", flooded, flood)
    assert found == [("Velmora", "LOCATION")] * MAX_HITS  # "a" and "-" would be everywhere: never proposed
    assert done.notes == [f"[A226] occurrences: {MAX_HITS + 40:,} places in this document repeat strings tagged in "
                          f"the project; the first {MAX_HITS:,} are shown (accept or reject them, or switch "
                          "occurrences off in the Suggest menu)"]
    index = OccurrenceIndex("en")
    index.update({"Velmora": {"LOCATION": 1}, "x": {"LOCATION": 9}, "...": {"FIGURE": 2}})
    assert len(index) == 1


def test_the_trained_model_is_loaded_once_and_again_when_a_newer_one_is_recorded(ws: Workspace,
                                                                                 tmp_path: Path) -> None:
    from annotator.nlp.suggest import pipeline
    from annotator.services.trained_models import models_folder, record_latest

    _, (first, _second) = _project(ws, tmp_path, [FIRST, SECOND])
    live = LiveSources(ws, "news")
    assert live.run(first, ["trained"]).ran == []  # no model yet: nothing to run, nothing failed
    older = ruler_model(models_folder("news") / "older", "Velmora")
    record_latest("news", older)
    assert live.run(first, ["trained"]).ran == ["trained"]
    assert _layer(ws, "trained", first, FIRST) == [("Velmora", "LOCATION")]
    assert str(older.resolve()) in pipeline._LOADED
    assert live.run(first, ["trained"]).ran == []  # this model filled it already this session

    newer = ruler_model(models_folder("news") / "newer", "Ostrava Bay")
    record_latest("news", newer)
    assert live.run(first, ["trained"]).ran == ["trained"]
    assert _layer(ws, "trained", first, FIRST) == [("Ostrava Bay", "LOCATION")]
    assert str(older.resolve()) not in pipeline._LOADED  # the old model's memory is let go
    live.close()
    assert str(newer.resolve()) not in pipeline._LOADED


def test_a_failing_source_is_named_and_the_others_run_and_a_left_document_stops_the_run(
        ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from annotator.nlp import suggest

    def crashing(_request: Any) -> list[Any]:
        raise RuntimeError("boom\nand a long trace")

    monkeypatch.setitem(suggest._REGISTRY, "crashing", crashing)  # a source whose own code fails unforeseen
    _, (first, second) = _project(ws, tmp_path, [FIRST, SECOND])
    live = LiveSources(ws, "news")
    done = live.run(first, ["xx_no_such_pipeline", "crashing", "rules"])
    assert done.ran == ["rules"] and _layer(ws, "rules", first, FIRST)
    assert list(done.failed) == ["xx_no_such_pipeline", "crashing"]
    assert done.failed["xx_no_such_pipeline"].startswith("[A131] suggestion source 'xx_no_such_pipeline'")
    assert done.failed["crashing"] == ("[A225] suggestion source 'crashing' failed: RuntimeError: boom (switch it on "
                                       "again in the Suggest menu once it is mended)")

    asked: list[Any] = []
    left = live.run(second, ["rules", "occurrences"], still_wanted=lambda: asked.append(1) or len(asked) < 2)
    assert left.ran == ["rules"] and _layer(ws, "occurrences", second, SECOND) == []
