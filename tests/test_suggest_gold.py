"""The gold articles that measure the suggestion rules (bench/suggest_quality.py): the tuned set
resources/samples/frames.jsonl, the development sets resources/samples/dev.jsonl and resources/samples/dev2.jsonl
(the first held-out set, tuned on by mistake on 2 December 2026 in commit 7b830fa) and the held-out set
resources/samples/heldout.jsonl (written after that, blind to the rules) load, and their spans are well formed:
inside the text, the text they name, on the tokens of English, one label's spans never overlapping, and the dev and
held-out articles new, news-like and of the length the issue asks for; and the rules' precision and recall on each
set do not fall below what was measured."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from typing import Any

import pytest

from annotator.nlp.tokens import misaligned
from annotator.services.workspace import default_labels

SAMPLES = Path(__file__).resolve().parents[1] / "resources" / "samples"


def rows(name: str) -> list[dict[str, Any]]:
    lines = (SAMPLES / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


GOLD_FILES = ("frames.jsonl", "dev.jsonl", "dev2.jsonl", "heldout.jsonl")


@pytest.mark.parametrize("name", GOLD_FILES)
def test_gold_spans_are_well_formed(name: str) -> None:
    labels = set(default_labels().names())
    for row in rows(name):
        text, spans = row["text"], row["spans"]
        assert text.startswith(row["title"] + "\n")
        for span in spans:
            assert 0 <= span["start"] < span["end"] <= len(text)
            assert text[span["start"]:span["end"]] == span["text"] == span["text"].strip()
            assert span["label"] in labels
        assert misaligned(text, "en", [(s["start"], s["end"]) for s in spans]) == []
        by_label: dict[str, list[tuple[int, int]]] = {}
        for span in spans:
            by_label.setdefault(span["label"], []).append((span["start"], span["end"]))
        for label, ranges in by_label.items():
            ranges.sort()
            assert all(a[1] <= b[0] for a, b in itertools.pairwise(ranges)), (row["title"], label)
        for relation in row["relations"]:
            head, child = spans[relation["head"]], spans[relation["child"]]
            assert head["label"] == "CLAIM" and relation["type"] in ("said_by", "where", "figure")
            assert child["label"] == {"said_by": "SOURCE", "where": "LOCATION", "figure": "FIGURE"}[relation["type"]]


@pytest.mark.parametrize(("name", "count"), [("dev.jsonl", 6), ("dev2.jsonl", 5), ("heldout.jsonl", 5)])
def test_the_dev_and_held_out_articles_are_new_news_articles_of_250_to_450_words(name: str, count: int) -> None:
    new = rows(name)
    others = {r["text"] for other in GOLD_FILES if other != name
              for r in rows(other)}
    assert len(new) >= count
    assert not {r["text"] for r in new} & others
    for row in new:
        text = row["text"]
        assert 250 <= len(text.split()) <= 450, row["title"]
        assert re.search(r"according to", text, re.IGNORECASE) and '"' in text
        assert {s["label"] for s in row["spans"]} == {"SOURCE", "LOCATION", "FIGURE", "CLAIM"}
        claims = [s for s in row["spans"] if s["label"] == "CLAIM"]
        nested = [s for s in row["spans"] if s["label"] in ("FIGURE", "LOCATION")
                  and any(c["start"] <= s["start"] and s["end"] <= c["end"] for c in claims)]
        assert nested, row["title"]  # claims hold their figures and places


# The rules' exact (precision, recall) per label, measured on 2 December 2026 by bench/suggest_quality.py when the
# rules were tuned on frames.jsonl (before: CLAIM .773/.586, FIGURE .862/.862, LOCATION .733/.647, SOURCE .611/.579
# there; CLAIM .810/.531, FIGURE .705/.705, LOCATION .912/.939, SOURCE .611/.550 on the first held-out set, now
# dev2.jsonl: commit 7b830fa tuned the figure and attribution rules on phrases only it has, so it is a development set).
# The dev set (written before the second round of tuning; the rules before it scored CLAIM .667/.784, FIGURE
# .899/.861, LOCATION .854/.648, SOURCE .765/.848 on its final text) after that round. Its bodies and speakers were
# made fictional afterwards (no invented figure in a real ministry's mouth): the rules before that round and those
# after it score exactly as they did on the text before (bench/suggest_quality.py, 2 December 2026). So were dev2's
# (the health ministry, weather service, railway company and prime minister's office of a country whose towns and
# rivers are now invented; an invented province, town, school and car parts maker in Poland): the rules before any
# tuning, between the rounds and after them propose the same spans on its new text as on its old one.
# The development floors were raised by branch rules3 (general rules tuned on frames, dev and dev2 only; measured
# 2 December 2026: frames CLAIM .967/1.0 SOURCE 1.0/.947; dev CLAIM .864/.946 FIGURE .972/.972 LOCATION 1.0/.981
# SOURCE .978/.978; dev2 CLAIM .922/.922 FIGURE .983/.951 LOCATION 1.0/1.0 SOURCE .976/1.0).
# heldout.jsonl (written and committed before any rule ran on it; no rule changed since) measured on 2 December 2026:
# CLAIM .839/.867, FIGURE .899/.849, LOCATION .895/.708, SOURCE .821/.842; keys per gold span 2.15 (dev2 1.74).
# Measured once more, after branch rules3's last rule change (commit c82b96d, tuned on frames, dev and dev2 only):
# CLAIM .879/.850, FIGURE .913/.863, LOCATION 1.0/.708, SOURCE .821/.842; keys per gold span 2.17. F rose for every
# label but CLAIM's recall fell from .867 to .850 (one claim): the lead kept the round, and that one floor was set
# below the new figure (.84) on purpose, with the reason in the closing note of 2 December 2026; the others rose.
FLOORS = {
    "frames.jsonl": {"CLAIM": (0.96, 1.0), "FIGURE": (0.93, 0.96), "LOCATION": (1.0, 0.94), "SOURCE": (1.0, 0.94)},
    "dev.jsonl": {"CLAIM": (0.86, 0.94), "FIGURE": (0.97, 0.97), "LOCATION": (1.0, 0.98), "SOURCE": (0.97, 0.97)},
    "dev2.jsonl": {"CLAIM": (0.92, 0.92), "FIGURE": (0.98, 0.95), "LOCATION": (1.0, 1.0), "SOURCE": (0.97, 1.0)},
    "heldout.jsonl": {"CLAIM": (0.87, 0.84), "FIGURE": (0.91, 0.86), "LOCATION": (1.0, 0.70), "SOURCE": (0.82, 0.84)},
}


@pytest.mark.parametrize("name", list(FLOORS))
def test_the_rules_precision_and_recall_do_not_fall(name: str) -> None:
    from annotator.domain.matching import Scores, compare
    from annotator.domain.spans import Span
    from annotator.nlp.suggest import Request, suggest

    labels = default_labels()
    scores = Scores()
    for row in rows(name):
        gold = [Span(s["start"], s["end"], s["label"]) for s in row["spans"]]
        scores += compare(gold, suggest("rules", Request("en", row["text"], labels)))
    for label, (precision, recall) in FLOORS[name].items():
        counts = scores.exact.get(label)
        assert counts.precision is not None and counts.recall is not None
        assert counts.precision >= precision and counts.recall >= recall, (label, counts)
