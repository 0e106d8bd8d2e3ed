"""The claim frames' measured quality does not fall: the FIGURE parser's accuracy on the phrasings in
tests/data/figures/ and the link proposals' precision and recall on resources/samples/frames.jsonl, computed
by bench/frames.py (which prints them) and held at or above the figures measured when they were written."""

from __future__ import annotations

import pytest
from bench_modules import bench_module

frames = bench_module("frames")

# Measured on 2 December 2026: every phrasing read right; one `where` link missed (a claim whose place is
# named in the sentence before it).
FIGURE_FLOORS = {"written first": {"value": 1.0, "unit": 1.0, "qualifier": 1.0},
                 "held out": {"value": 1.0, "unit": 1.0, "qualifier": 1.0}}
LINK_FLOORS = {"said_by": (1.0, 1.0), "where": (1.0, 0.91), "figure": (1.0, 1.0)}  # (precision, recall)


@pytest.mark.parametrize("name", list(frames.FIGURE_SETS))
def test_figure_parser_accuracy(name: str) -> None:
    score = frames.figure_score(frames.FIGURE_SETS[name])
    print(score.line(name))
    assert score.phrasings >= (60 if name == "written first" else 20)
    for field, floor in FIGURE_FLOORS[name].items():
        assert score.accuracy(field) >= floor, "\n".join(score.misses)


def test_link_proposals_precision_and_recall() -> None:
    gold = frames.gold_frames()
    assert len(gold) >= 4 and any(f.heldout for f in gold)
    for frame in gold:  # the gold file's offsets hold the texts they were written for
        assert all(s.start < s.end <= len(frame.text) for s in frame.spans)
    scores, misses = frames.link_scores(gold)
    for kind, (precision, recall) in LINK_FLOORS.items():
        score = scores[kind]
        print(f"{kind}: proposed {score.proposed} gold {score.gold} precision {score.precision:.3f} "
              f"recall {score.recall:.3f}")
        assert score.gold >= 9
        assert score.precision >= precision and score.recall >= recall, "\n".join(misses)
