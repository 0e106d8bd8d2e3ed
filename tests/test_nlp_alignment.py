"""Counting spans off token boundaries: the chunk-by-chunk check agrees with tokenizing the whole text."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.nlp import tokens
from annotator.nlp.tokens import bounds_of, misaligned, token_bounds, token_offsets, tokenize

# Pieces that exercise prefixes, suffixes, infixes, special cases (and those split by affixes), emoticons,
# URLs, numbers, emoji and scripts other than Latin; glued with and without whitespace between them.
PIECES = ["the", "U.S.", "e.g.", "e.g", "a.m.", "(a.m.)", "don't", "can't", "'s", "Mr.", "N.Y.", ":)", ":-)", "(:",
          "<3", "12,000", "34%", "$5", "5km", "1990s", "well-known", "Izium,", "(Velmora)", "\"quoted\"", "...", "--",
          "https://example.com/a?b=c", "user@example.org", "😀", "👍🏽", "🇺🇦", "Київ", "ім'я", "مرحبا", "ب.",
          "م", "EE.", "UU.", "в", "н.в.", ".", ",", "(", ")", "'", "\"", "-", "/", "é", "e\u0301", "#tag", "@me"]
GLUE = [" ", " ", " ", "", "", "  ", "\n", "\n\n", "\t", "\xa0", "\u2028", "\u3000", " \n "]


def reference(text: str, lang: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """What the count means: edges on the boundaries of the whole text's non-space tokens."""
    bounds = token_bounds(text, lang)
    return [(s, e) for s, e in spans if not bounds.is_aligned(s, e)]


def token_loop_bounds(text: str, lang: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    doc = tokenize(text, lang)
    kept = [t for t in doc if not t.is_space]
    return tuple(t.idx for t in kept), tuple(t.idx + len(t.text) for t in kept)


def random_text(rng: random.Random, words: int) -> str:
    return "".join(rng.choice(PIECES) + rng.choice(GLUE) for _ in range(words))


def random_spans(rng: random.Random, text: str, count: int) -> list[tuple[int, int]]:
    spans = []
    for _ in range(count):
        start = rng.randrange(len(text))
        spans.append((start, rng.randint(start + 1, min(len(text), start + 40))))
    return spans


@pytest.mark.parametrize("lang", ["en", "de", "fr", "uk", "ru", "es", "ar", "xx", "zh"])
def test_misaligned_agrees_with_the_whole_text_tokenized(lang: str) -> None:
    rng = random.Random(lang)
    for _ in range(100):
        text = random_text(rng, rng.randint(1, 40))
        spans = random_spans(rng, text, 30)
        assert misaligned(text, lang, spans) == reference(text, lang, spans), (text, spans)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(PIECES + GLUE), min_size=1, max_size=30), st.data())
def test_misaligned_agrees_on_any_mix(parts: list[str], data: st.DataObject) -> None:
    text = "".join(parts)
    if not text:
        return
    starts = data.draw(st.lists(st.integers(0, len(text) - 1), min_size=1, max_size=10))
    spans = [(s, data.draw(st.integers(s + 1, len(text)))) for s in starts]
    for lang in ("en", "ru"):
        assert misaligned(text, lang, spans) == reference(text, lang, spans)


def test_a_chunk_too_long_to_look_at_alone_takes_the_whole_text() -> None:
    blob = "x" * (tokens.MAX_CHUNK + 50) + "," + "y" * 10
    text = f"A blob: {blob} ends."
    comma = text.index(",")
    spans = [(8, comma), (8, comma + 1), (comma + 1, comma + 11), (comma - 3, comma)]
    assert misaligned(text, "en", spans) == reference(text, "en", spans)


def test_token_offsets_and_bounds_match_the_tokens_themselves() -> None:
    rng = random.Random(7)
    for _ in range(50):
        text = random_text(rng, rng.randint(0, 60))
        starts, ends = token_loop_bounds(text, "en")
        bounds = bounds_of(tokenize(text, "en"))
        assert (bounds.starts, bounds.ends) == (starts, ends)
        assert token_offsets("en")(text) == list(zip(starts, ends, strict=True))


def test_a_span_dense_import_counts_off_boundary_spans_without_tokenizing_whole_texts(
        ws, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from annotator.services.importing import import_paths

    rng = random.Random(3)
    lines = []
    expected = 0
    for _ in range(20):
        text = random_text(rng, 200)
        spans = random_spans(rng, text, 48)
        expected += len(reference(text, "en", spans))
        # A label each, so that random spans cannot break the same-label overlap rule.
        lines.append(json.dumps({"text": text, "spans": [{"start": s, "end": e, "label": f"L{i}"}
                                                         for i, (s, e) in enumerate(spans)]}))
    source = tmp_path / "dense.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    whole_texts = []
    real = tokens.tokenize
    monkeypatch.setattr(tokens, "tokenize", lambda text, lang: whole_texts.append(len(text)) or real(text, lang))
    summary = import_paths(ws, [source], project="p", annotator="a")
    assert summary.total("documents_added") == 20
    assert expected > 0
    assert summary.total("spans_misaligned") == expected
    assert whole_texts == []


@pytest.mark.parametrize("lang", ["en", "uk", "es", "zh"])
def test_token_ranges_of_the_spacy_export_match_char_span(lang: str) -> None:
    from annotator.nlp.docbin import _token_ranges

    rng = random.Random(f"ranges-{lang}")
    for _ in range(100):
        text = random_text(rng, rng.randint(1, 40))
        spans = random_spans(rng, text, 30)
        doc = tokenize(text, lang)
        expected = []
        for s, e in spans:
            found = doc.char_span(s, e, alignment_mode="strict")
            ok = found is not None and found.text == found.text.strip()
            expected.append((found.start, found.end) if ok else None)
        assert _token_ranges(doc, spans) == expected, (text, spans)
