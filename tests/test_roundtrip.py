"""Export then import keeps every text and span, byte for byte, through the real services."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from data_fixtures import tricky_records
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.services.exporting import export
from annotator.services.importing import import_paths
from annotator.services.workspace import get_project, open_workspace

PIECES = ["Velmora", "17,000", "people", "said", "🇺🇦", "👍🏽", "e\u0301", "Київ", "دمشق", "\u00a0", "\t", "\r\n",
          "\r", "\n", " ", ".", ",", "«", "»", "\u2028"]


@st.composite
def documents(draw: st.DrawFn) -> tuple[str, list[tuple[int, int, str]]]:
    words = draw(st.lists(st.sampled_from(PIECES), min_size=1, max_size=30))
    text = "x" + "".join(words)  # a document never starts empty
    spans: list[tuple[int, int, str]] = []
    for label in ("SOURCE", "FIGURE", "CLAIM"):
        cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=4, unique=True)))
        for a, b in zip(cuts[::2], cuts[1::2], strict=False):  # disjoint per label
            if a < b:
                spans.append((a, b, label))
    return text, spans


def snapshot(db: str, project: str) -> list[tuple[str, list[tuple[int, int, str]]]]:
    ws = open_workspace(db)
    with ws.unit() as repo:
        project_id = get_project(ws, project).id
        ids = repo.documents.ids(project_id)
        texts = {d[0]: d[1] for d in repo.documents.batch(ids)}
        spans = repo.spans.of_documents(ids, None)
    ws.close()
    return sorted((texts[i], sorted((s.start, s.end, s.label) for s in spans[i])) for i in ids)


def _outside_crlf(text: str, start: int, end: int) -> tuple[int, int]:
    return start - (text[start - 1 : start + 1] == "\r\n"), end + (text[end - 1 : end + 1] == "\r\n")


@pytest.fixture
def two_databases(new_database: Callable[[str], str]) -> tuple[str, str]:
    """Made once for all the examples of a test, each of which uses a project of its own in them."""
    return new_database("a"), new_database("b")


@pytest.mark.parametrize("fmt", ["prodigy", "doccano", "labelstudio", "brat"])
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(docs=st.lists(documents(), min_size=1, max_size=5, unique_by=lambda d: d[0]))
def test_export_then_import_keeps_every_span(tmp_path_factory: pytest.TempPathFactory,
                                             two_databases: tuple[str, str], fmt: str,
                                             docs: list[tuple[str, list[tuple[int, int, str]]]]) -> None:
    tmp = tmp_path_factory.mktemp(fmt)
    source = tmp / "in.jsonl"
    source.write_text("".join(json.dumps({"text": t, "spans": [{"start": s, "end": e, "label": lb}
                                                                for s, e, lb in spans]}) + "\n"
                              for t, spans in docs), encoding="utf-8")
    (a, b), project = two_databases, tmp.name
    first = open_workspace(a)
    summary = import_paths(first, [source], project=project, annotator="ana")
    assert summary.errors == []
    out = tmp / ("export" if fmt == "brat" else f"export.{fmt}.json")
    exported = export(first, fmt=fmt, out=out, project=project)
    first.close()
    second = open_workspace(b)
    summary = import_paths(second, [out], project=project, annotator="ana", fmt=fmt)
    assert summary.errors == []
    second.close()
    expected = snapshot(a, project)
    if fmt == "brat":  # brat counts a CRLF as one character: an edge between its CR and LF takes it whole
        widened = [(t, sorted(_outside_crlf(t, s, e) + (lb,) for s, e, lb in spans)) for t, spans in expected]
        assert exported.moved == sum(_outside_crlf(t, s, e) != (s, e) for t, spans in expected for s, e, _ in spans)
        expected = widened
    assert snapshot(b, project) == expected
    assert sorted(t for t, _ in snapshot(b, project)) == sorted(t for t, _ in docs)


def test_spacy_export_imports_back_as_the_same_spans(tmp_path: Path, new_database: Callable[[str], str]) -> None:
    text = "Governor Olena Marchuk said that 17 drones hit Hrebenka 🇺🇦 overnight.\r\nLeave a Comment"
    spans = [(0, 22, "SOURCE"), (33, 42, "FIGURE"), (47, 55, "LOCATION"), (33, 68, "CLAIM")]
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"text": text, "spans": [{"start": s, "end": e, "label": lb}
                                                          for s, e, lb in spans]}) + "\n"
                      + json.dumps({"text": "Second article.", "spans": []}) + "\n", encoding="utf-8")
    a, b = new_database("a"), new_database("b")
    ws = open_workspace(a)
    import_paths(ws, [source], project="p", annotator="ana")
    export(ws, fmt="spacy", out=tmp_path / "corpus", project="p", split=0.5)
    ws.close()
    back = open_workspace(b)
    summary = import_paths(back, [tmp_path / "corpus" / "train.spacy", tmp_path / "corpus" / "dev.spacy"],
                           project="p", annotator="ana")
    back.close()
    assert summary.errors == []
    assert snapshot(b, "p") == snapshot(a, "p")


def test_a_large_spacy_export_is_sharded_and_still_reads_back(tmp_path: Path, new_database: Callable[[str], str],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from annotator.nlp import docbin

    monkeypatch.setattr(docbin, "SHARD_DOCS", 3)  # so that 10 documents make several shards
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps({"text": f"Report {i} from Velmora.", "spans": [
        {"start": len(f"Report {i} from "), "end": len(f"Report {i} from Velmora"), "label": "LOCATION"}]}) + "\n"
        for i in range(10)), encoding="utf-8")
    a, b = new_database("a"), new_database("b")
    ws = open_workspace(a)
    import_paths(ws, [source], project="p", annotator="ana")
    export(ws, fmt="spacy", out=tmp_path / "corpus", project="p", split=0.8)
    ws.close()
    train = tmp_path / "corpus" / "train.spacy"
    assert train.is_dir() and len(list(train.glob("*.spacy"))) == 3  # 8 documents in shards of 3
    assert (tmp_path / "corpus" / "dev.spacy").is_file()  # 2 documents: one file
    assert not [p for p in (tmp_path / "corpus").iterdir() if p.name.startswith(".")]  # no staging left
    back = open_workspace(b)
    summary = import_paths(back, [train, tmp_path / "corpus" / "dev.spacy"], project="p", annotator="ana")
    back.close()
    assert summary.total("documents_added") == 10 and summary.total("spans_added") == 10
    assert snapshot(b, "p") == snapshot(a, "p")


def test_the_tricky_texts_keep_every_character_and_span_through_the_database(tmp_path: Path, database: str) -> None:
    """tricky_records' texts (flags, CR alone, NEL, form feed, U+2028, right-to-left), stored and read back."""
    from annotator import formats

    records = tricky_records()
    formats.write(iter(records), tmp_path / "in.jsonl", "prodigy")
    ws = open_workspace(database)
    assert import_paths(ws, [tmp_path / "in.jsonl"], project="p", annotator="ana").errors == []
    export(ws, fmt="prodigy", out=tmp_path / "out.jsonl", project="p")
    ws.close()

    def key(record):  # type: ignore[no-untyped-def]
        return record.text, sorted((s.start, s.end, s.label) for s in record.spans)

    assert [key(r) for r in formats.read(tmp_path / "out.jsonl", "prodigy")] == [key(r) for r in records]
