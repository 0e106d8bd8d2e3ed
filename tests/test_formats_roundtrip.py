"""Export then import gives back the same texts and spans, for every writable format."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from data_fixtures import span_at, tricky_records
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator import formats
from annotator.domain.records import DocumentRecord, SpanRecord


def _roundtrip(records: list[DocumentRecord], fmt: str, out: Path) -> list[DocumentRecord]:
    written = formats.write(iter(records), out, fmt)
    assert written == len(records)
    return list(formats.read(out, fmt))


@pytest.mark.parametrize(("fmt", "name"), [("prodigy", "out.jsonl"), ("doccano", "out.jsonl"),
                                           ("labelstudio", "out.json"), ("brat", "out")])
def test_exact_roundtrip_keeps_text_and_spans(tmp_path: Path, fmt: str, name: str) -> None:
    records = tricky_records()
    back = _roundtrip(records, fmt, tmp_path / name)
    assert [(r.text, r.spans) for r in back] == [(r.text, r.spans) for r in records]


@pytest.mark.parametrize(("fmt", "name"), [("prodigy", "out.jsonl"), ("doccano", "out.jsonl"),
                                           ("labelstudio", "out.json"), ("brat", "out")])
def test_auto_detection_reads_our_own_exports(tmp_path: Path, fmt: str, name: str) -> None:
    out = tmp_path / name
    formats.write(tricky_records(), out, fmt)
    assert formats.detect_format(out) == fmt


def test_exported_bytes_keep_crlf_and_emoji(tmp_path: Path) -> None:
    records = tricky_records()
    formats.write(records, tmp_path / "brat", "brat")
    assert (tmp_path / "brat" / "000001.txt").read_bytes() == records[0].text.encode("utf-8")
    ann = (tmp_path / "brat" / "000001.ann").read_text(encoding="utf-8")
    # The T line text has its line breaks flattened to spaces (brat convention); offsets count as brat
    # does, a CRLF as one character.
    claim = records[0].spans[2]
    crlfs_before = records[0].text.count("\r\n", 0, claim.start)
    assert f"T3\tCLAIM {claim.start - crlfs_before} {claim.end - crlfs_before - 1}\twrote on\n" in ann
    formats.write(records, tmp_path / "p.jsonl", "prodigy")
    assert "🇺🇦" in (tmp_path / "p.jsonl").read_text(encoding="utf-8")


def test_prodigy_roundtrip_keeps_meta_annotator_and_title(tmp_path: Path) -> None:
    record = DocumentRecord("Izium", (SpanRecord(0, 5, "LOCATION"),), {"section": "news", "answer": "accept"},
                            title="Izium report", annotator="anna")
    (back,) = _roundtrip([record], "prodigy", tmp_path / "p.jsonl")
    assert back.annotator == "anna"
    assert back.title == "Izium report"
    assert back.meta == {"section": "news", "answer": "accept", "title": "Izium report", "_annotator_id": "anna"}
    (again,) = _roundtrip([back], "prodigy", tmp_path / "q.jsonl")
    assert again.meta == back.meta


def test_doccano_roundtrip_keeps_meta(tmp_path: Path) -> None:
    record = DocumentRecord("EU rejects", (SpanRecord(0, 2, "ORG"),), {"wikiPageID": 1, "text": "clash"})
    (back,) = _roundtrip([record], "doccano", tmp_path / "d.jsonl")
    assert back.meta == {"wikiPageID": 1, "text": "clash"}


def test_conll_roundtrip_of_token_text(tmp_path: Path) -> None:
    # CoNLL keeps tokens, not whitespace: texts whose words are single-spaced and sentences one per line.
    texts = ["Більше 17 000 людей 🇺🇦 залишили Луганщину .\nІзюм 👍🏽", "قال مسؤول في دمشق", "cafe\u0301 a\u00a0b e"]
    records = [
        DocumentRecord(texts[0], (span_at(texts[0], "17 000 людей", "FIGURE"), span_at(texts[0], "🇺🇦", "LOCATION"),
                                  span_at(texts[0], "Ізюм", "LOCATION"))),
        DocumentRecord(texts[1], (span_at(texts[1], "دمشق", "LOCATION"),)),
        DocumentRecord(texts[2], (span_at(texts[2], "cafe\u0301", "FIGURE"), span_at(texts[2], "a\u00a0b e", "CLAIM"))),
    ]
    back = _roundtrip(records, "conll", tmp_path / "out.conll")
    assert [(r.text, r.spans) for r in back] == [(r.text, r.spans) for r in records]


# --- property: random texts and spans survive export and import -------------------------------------------

SPECIAL = ["🇺🇦", "👍🏽", "\r\n", "\r", "\n", "\t", "\u00a0", "e\u0301", "Київ", "دمشق", "\u2028", " ", "\"", "\\"]
_texts = st.lists(st.one_of(st.sampled_from(SPECIAL), st.text(min_size=1, max_size=6)), min_size=1, max_size=12).map(
    "".join
).filter(lambda t: t.strip())


@st.composite
def records_strategy(draw: st.DrawFn) -> DocumentRecord:
    text = draw(_texts)
    spans: list[SpanRecord] = []
    for _ in range(draw(st.integers(0, 6))):
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start + 1, len(text)))
        label = draw(st.sampled_from(["SOURCE", "LOCATION", "FIGURE", "CLAIM"]))
        if not any(s.label == label and s.start < end and start < s.end for s in spans):
            spans.append(SpanRecord(start, end, label))
    return DocumentRecord(text, tuple(spans))


def _outside_crlf(text: str, span: SpanRecord) -> SpanRecord:
    """The span with an edge between a CR and its LF widened to the whole line break (brat cannot point there)."""
    start = span.start - (text[span.start - 1 : span.start + 1] == "\r\n")
    end = span.end + (text[span.end - 1 : span.end + 1] == "\r\n")
    return SpanRecord(start, end, span.label)


@pytest.mark.parametrize("fmt", ["prodigy", "doccano", "labelstudio", "brat"])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(records=st.lists(records_strategy(), min_size=1, max_size=4))
def test_property_export_then_import_is_identity(fmt: str, records: list[DocumentRecord]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / ("out" if fmt == "brat" else "out.json")
        moved: list = []
        written = formats.write(iter(records), out, fmt, **({"moved": moved} if fmt == "brat" else {}))
        assert written == len(records)
        back = list(formats.read(out, fmt))
    expected = [(r.text, r.spans) for r in records]
    if fmt == "brat":
        expected = [(r.text, tuple(_outside_crlf(r.text, s) for s in r.spans)) for r in records]
        assert len(moved) == sum(_outside_crlf(r.text, s) != s for r in records for s in r.spans)
    assert [(r.text, r.spans) for r in back] == expected
