"""The window's suggestion sources for an open project (annotator.services.live_suggestions), without a window:
occurrences follow each tag and untag without reading every string again, short strings and floods of hits are
capped with a message, a newer trained model replaces the loaded one, a failing source is named while the others
run, and a run for a document the person left stops. A run waits at its pause points while the window's foreground
gate is held (a real thread, as the window's worker is) and one whose document was left ends at the next with nothing
more written (ADR 0016). On SQLite and PostgreSQL where the database is involved."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from data_fixtures import ruler_model

from annotator.domain.layers import Owner
from annotator.domain.spans import Span
from annotator.gui.gate import ForegroundGate
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

    # The person leaves once the rules' layer is stored: occurrences do not run.
    left = live.run(second, ["rules", "occurrences"], still_wanted=lambda: not _layer(ws, "rules", second, SECOND))
    assert left.ran == ["rules"] and left.left and _layer(ws, "occurrences", second, SECOND) == []


BLOCKS = 8
# One line per block of the fake source below; the rules find a SOURCE on each.
ARTICLE = "".join(f"Part {n}: Floods reached Velmora on Monday, the service said.\n" for n in range(BLOCKS))


class Blocks:
    """A fake source that works in blocks as the rules do (one line each, Request.pause before each), counting them;
    `during` is called in the block it names (1-based)."""

    def __init__(self, during: dict[int, Any] | None = None) -> None:
        self.done = 0
        self.during = during or {}

    def __call__(self, request: Any) -> list[Span]:
        out = []
        offset = 0
        for line in request.text.splitlines(keepends=True):
            request.pause()
            self.done += 1
            self.during.get(self.done, lambda: None)()
            out.append(Span(offset, offset + 4, "LOCATION"))  # "Part"
            offset += len(line)
        return out


@pytest.fixture
def blocks(monkeypatch: pytest.MonkeyPatch) -> Blocks:
    from annotator.nlp import suggest

    source = Blocks()
    monkeypatch.setitem(suggest._REGISTRY, "blocks", source)
    return source


def test_a_run_waits_at_a_pause_point_while_the_gate_is_held_and_goes_on_when_it_is_released(
        ws: Workspace, tmp_path: Path, blocks: Blocks) -> None:
    _, (doc,) = _project(ws, tmp_path, [ARTICLE])
    live = LiveSources(ws, "news")
    gate = ForegroundGate(longest_hold=3600.0)  # released by the test, never by the clock
    released_at_block = 3
    arrived = threading.Event()
    holds: list[int] = []

    def pause() -> None:
        if blocks.done == released_at_block and not holds:  # a document starts opening during block 3
            holds.append(gate.hold())
            arrived.set()
        gate.wait()

    done: list[Any] = []
    worker = threading.Thread(target=lambda: done.append(live.run(doc, ["blocks"], pause=pause)))
    worker.start()
    arrived.wait()
    worker.join(0.5)  # it would have finished by now (8 short blocks) had it not waited
    assert worker.is_alive() and gate.held
    assert blocks.done == released_at_block and _layer(ws, "blocks", doc, ARTICLE) == []

    gate.release(holds[0])  # the article was painted
    worker.join()
    assert done[0].ran == ["blocks"] and not done[0].left
    assert blocks.done == BLOCKS and _layer(ws, "blocks", doc, ARTICLE) == [("Part", "LOCATION")] * BLOCKS


def test_a_hold_ends_by_itself_and_the_release_of_an_earlier_hold_does_not_end_a_later_one() -> None:
    gate = ForegroundGate(longest_hold=0.05)
    gate.hold()
    gate.wait()  # a release that never comes (a bug, a window never painted) delays the worker, never stops it
    assert not gate.held

    gate = ForegroundGate(longest_hold=3600.0)
    first = gate.hold()
    second = gate.hold()  # the next document opens before the first was painted
    gate.release(first)  # the first open's fallback timer
    assert gate.held
    gate.release(second)
    assert not gate.held
    gate.wait()


def test_a_run_on_a_left_document_stops_at_the_next_pause_and_a_cut_layer_is_not_written(
        database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from annotator.nlp import suggest

    ws = open_workspace(database)
    try:
        _, (short, long) = _project(ws, tmp_path, [FIRST, ARTICLE])
        live = LiveSources(ws, "news")
        here = [True]

        def leave() -> None:
            here[0] = False

        # The person leaves during block 3: the source stops before block 4, nothing of it is written, and the
        # sources after it do not run.
        cut = Blocks({3: leave})
        monkeypatch.setitem(suggest._REGISTRY, "blocks", cut)
        done = live.run(long, ["blocks", "occurrences"], still_wanted=lambda: here[0])
        assert done.left and done.ran == [] and cut.done == 3
        assert _layer(ws, "blocks", long, ARTICLE) == []

        # Left during the last block: the source returned whole, yet its layer is not written (the cut comes
        # before the layer's transaction); the layer written before it stays whole.
        here[0] = True
        last = Blocks({BLOCKS: leave})
        monkeypatch.setitem(suggest._REGISTRY, "blocks", last)
        live = LiveSources(ws, "news")  # it keeps a source it ran once: a new one takes the new fake
        done = live.run(long, ["rules", "blocks"], still_wanted=lambda: here[0])
        assert done.left and done.ran == ["rules"] and last.done == BLOCKS
        assert _layer(ws, "blocks", long, ARTICLE) == []
        assert _layer(ws, "rules", long, ARTICLE).count(("the service", "SOURCE")) == BLOCKS

        # A run never left goes through, on another document and on the one left before.
        here[0] = True
        whole = Blocks()
        monkeypatch.setitem(suggest._REGISTRY, "blocks", whole)
        live = LiveSources(ws, "news")
        assert live.run(short, ["blocks"], still_wanted=lambda: here[0]).ran == ["blocks"]
        assert live.run(long, ["blocks"], still_wanted=lambda: here[0]).ran == ["blocks"]
        assert whole.done == 1 + BLOCKS and len(_layer(ws, "blocks", long, ARTICLE)) == BLOCKS
    finally:
        ws.close()
