"""Seeded synthetic news-like data for the benchmarks: texts with spans on word boundaries."""

from __future__ import annotations

import json
import random
from pathlib import Path

WORDS = ["the", "governor", "said", "that", "more", "than", "people", "have", "left", "city", "region", "since", "March", "according", "to", "ministry", "officials", "report", "figures", "show", "drones", "missiles", "were", "launched", "at", "towns", "overnight", "while", "power", "grid", "operator", "repairs", "could", "take", "days", "spokesman", "told", "reporters", "in", "statement", "on", "Tuesday"]
PLACES = ["Velmora", "Hrebenka", "Dorvan", "Ostrava Bay", "Lindgrad", "Westbury", "Saltmere"]
PEOPLE = ["Irena Dobrić", "Olena Marchuk", "Daniel Reuter", "Amina Haddad", "Pavlo Sydor"]


def article(rng: random.Random, size: int) -> tuple[str, list[tuple[int, int, str]]]:
    """About `size` characters of text and three spans (SOURCE, LOCATION, FIGURE) plus nothing else."""
    parts: list[str] = []
    length = 0
    while length < size:
        sentence = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 20))).capitalize() + "."
        parts.append(sentence)
        length += len(sentence) + 1
        if rng.random() < 0.2:
            parts.append("\n\n")
    text = " ".join(parts)
    spans = []
    for label, phrase in (("SOURCE", rng.choice(PEOPLE)), ("LOCATION", rng.choice(PLACES)),
                          ("FIGURE", f"{rng.randint(2, 99)},{rng.randint(100, 999)} people")):
        start = len(text) + 1
        text = f"{text} {phrase} {rng.choice(WORDS)}."
        spans.append((start, start + len(phrase), label))
    return text, spans


def corpus(n: int, size: int, seed: int = 0) -> list[tuple[str, list[tuple[int, int, str]]]]:
    rng = random.Random(seed)
    return [article(rng, size) for _ in range(n)]


def write_jsonl(docs: list[tuple[str, list[tuple[int, int, str]]]], path: Path) -> Path:
    with path.open("w", encoding="utf-8") as f:
        for n, (text, spans) in enumerate(docs):
            f.write(json.dumps({"text": text, "meta": {"n": n},
                                "spans": [{"start": s, "end": e, "label": lb} for s, e, lb in spans]},
                               ensure_ascii=False) + "\n")
    return path


def news_page(paragraphs: int) -> str:
    """A news page of `paragraphs` paragraphs inside site furniture: menu, comments, copyright footer."""
    body = "".join(
        f"<p>Paragraph {n}: more than {n * 7:,} residents have left the river port of Velmora since Monday, "
        f"the regional emergency service said.</p>\n" for n in range(paragraphs))
    return ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Evacuation continues | Example"
            " News</title><meta property=\"og:title\" content=\"Evacuation continues\"></head><body>"
            "<header><nav><a href=\"/\">Home</a> | <a href=\"/about\">About us</a></nav></header>"
            f"<main><article><h1>Evacuation continues</h1>{body}</article></main>"
            "<aside class=\"comments\"><h3>Leave a Comment</h3><form><textarea></textarea></form></aside>"
            "<footer><p>It is strictly forbidden to use the information published by Example News.</p></footer>"
            "</body></html>")


def dense_article(rng: random.Random, claims: int = 16, cut: float = 0.02) -> tuple[str, list[tuple[int, int, str]]]:
    """A news-length text (~4 KB) with `claims` CLAIMs, each holding a FIGURE and a LOCATION: 3 spans a claim.

    Spans end where news text puts them, before a comma or a full stop, so that the whitespace shortcut of
    the import cannot vouch for them and the tokenizer must; a share `cut` of FIGUREs is cut inside a word.
    """
    text = ""
    spans: list[tuple[int, int, str]] = []

    def filler(low: int, high: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high))).capitalize() + ". "

    text = rng.choice(PLACES) + " " + filler(4, 8) + "\n\n"  # a headline
    for _ in range(claims):
        text += filler(6, 24)
        if rng.random() < 0.25:
            text += "\n\n"
        figure = f"{rng.randint(2, 99)},{rng.randint(100, 999)} {rng.choice(['people', 'homes', 'tonnes'])}"
        place = rng.choice(PLACES)
        head = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 6)))
        tail = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 5)))
        claim_start = len(text)
        text += f"{head.capitalize()} more than "
        figure_start = len(text)
        text += figure
        figure_end = len(text)
        text += f" {tail} in "
        place_start = len(text)
        text += place
        place_end = len(text)
        claim_end = len(text)
        text += rng.choice([", ", ". ", ", officials said. "])
        if rng.random() < cut:  # a span cut inside a word, as other tools sometimes leave them
            figure_end -= 2
        spans += [(claim_start, claim_end, "CLAIM"), (figure_start, figure_end, "FIGURE"),
                  (place_start, place_end, "LOCATION")]
    return text.rstrip() + "\n", spans


def dense_corpus(n: int, seed: int = 0, cut: float = 0.02) -> list[tuple[str, list[tuple[int, int, str]]]]:
    rng = random.Random(seed)
    return [dense_article(rng, cut=cut) for _ in range(n)]


def agreement_corpus(n: int, annotators: list[str], size: int = 500,
                     seed: int = 0) -> list[tuple[str, dict[str, list[tuple[int, int, str]]]]]:
    """`n` texts of about `size` characters, each with every annotator's spans: the same SOURCE, LOCATION and
    FIGURE (and a CLAIM over the sentence that holds them) with the disagreements people make: a span missed
    (10 %), its end moved by a word (15 %), an extra LOCATION on a word no one else tagged (10 %)."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        text, spans = article(rng, size)
        spans = [*spans, (spans[0][0], len(text) - 1, "CLAIM")]  # the closing sentence: source, place, figure
        by_annotator: dict[str, list[tuple[int, int, str]]] = {}
        for name in annotators:
            theirs = []
            for start, end, label in spans:
                roll = rng.random()
                if roll < 0.10:
                    continue
                if roll < 0.25:
                    after = text.find(" ", end + 1)
                    end = after if after > end else end
                theirs.append((start, end, label))
            if rng.random() < 0.10:
                word = rng.randrange(0, spans[0][0] - 20)
                start = text.rfind(" ", 0, word) + 1
                stop = text.find(" ", start)
                if stop > start:
                    theirs.append((start, stop, "LOCATION"))
            by_annotator[name] = theirs
        out.append((text, by_annotator))
    return out
