"""Claim frames, measured: the FIGURE parser's accuracy (value, unit, qualifier) on the figure phrasings in
tests/data/figures/, and the link proposals' precision and recall per relation type on the gold frames in
resources/samples/frames.jsonl.  `python bench/frames.py [--misses]`.

Both data sets were written for this project. phrasings.jsonl was written before the parser and
tests/data/figures/heldout.jsonl after it; the articles marked "heldout" in frames.jsonl were written after the link
rules. Neither held-out set was used to change the parser or a link rule. (The suggestion rules' held-out articles
are another file, resources/samples/heldout.jsonl, measured by bench/suggest_quality.py: its first version was tuned
on by mistake on 2 December 2026 in commit 7b830fa and became resources/samples/dev2.jsonl.)
tests/test_frames_quality.py keeps these figures from falling.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from annotator.domain.figures import Figure, parse_figure  # noqa: E402
from annotator.domain.links import Score, propose_links, score_links  # noqa: E402
from annotator.domain.relations import Relation, RelationType, relation_types_from_json  # noqa: E402
from annotator.domain.spans import Span  # noqa: E402
from annotator.resources import resource  # noqa: E402

FIGURE_SETS = {"written first": ROOT / "tests/data/figures/phrasings.jsonl",
               "held out": ROOT / "tests/data/figures/heldout.jsonl"}
FRAMES = ROOT / "resources/samples/frames.jsonl"
FIELDS = ("value", "unit", "qualifier")


def default_relation_types() -> tuple[RelationType, ...]:
    """The relation types a new project gets (resources/labels.json)."""
    return relation_types_from_json(resource("labels.json").read_text(encoding="utf-8"))


@dataclass
class FigureScore:
    phrasings: int
    correct: dict[str, int]
    misses: list[str]

    def accuracy(self, field: str) -> float:
        return self.correct[field] / self.phrasings

    def line(self, name: str) -> str:
        shown = "  ".join(f"{field} {self.accuracy(field):.3f}" for field in FIELDS)
        return f"figures  {name:<14} {self.phrasings:>3} phrasings  {shown}"


def _close(a: float | None, b: float | None) -> bool:
    return (a is None) == (b is None) and (a is None or b is None or math.isclose(a, b, rel_tol=1e-6))


def figure_score(path: Path) -> FigureScore:
    """Value counts as right when value, range, factor and reference all match; unit and qualifier exactly."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    correct = dict.fromkeys(FIELDS, 0)
    misses = []
    for row in rows:
        got: Figure = parse_figure(row["figure"])
        want = row["expected"]
        right = {
            "value": all(_close(getattr(got, f), want[f]) for f in ("value", "low", "high", "factor"))
            and got.reference == want["reference"],
            "unit": got.unit == want["unit"],
            "qualifier": (None if got.qualifier is None else str(got.qualifier)) == want["qualifier"],
        }
        for field, ok in right.items():
            correct[field] += ok
        if not all(right.values()):
            misses.append(f"{row['figure']!r}: got {got.as_attrs()}, want {want}")
    return FigureScore(len(rows), correct, misses)


@dataclass
class GoldFrame:
    text: str
    spans: list[Span]
    relations: list[Relation]
    heldout: bool


def gold_frames(path: Path = FRAMES) -> list[GoldFrame]:
    frames = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        spans = [Span(s["start"], s["end"], s["label"]) for s in row["spans"]]
        relations = [Relation(spans[r["head"]], spans[r["child"]], r["type"]) for r in row["relations"]]
        frames.append(GoldFrame(row["text"], spans, relations, bool(row.get("heldout"))))
    return frames


def link_scores(frames: list[GoldFrame], lang: str = "en") -> tuple[dict[str, Score], list[str]]:
    from annotator.nlp.sentences import sentence_bounds

    types = default_relation_types()
    proposed: list[Relation] = []
    gold: list[Relation] = []
    misses = []
    for frame in frames:
        found = propose_links(frame.text, frame.spans, sentence_bounds(frame.text, lang), types)
        found_keys, gold_keys = {r.key() for r in found}, {r.key() for r in frame.relations}
        for relation, kind in [(r, "extra") for r in found if r.key() not in gold_keys] + \
                              [(r, "missed") for r in frame.relations if r.key() not in found_keys]:
            head, child = relation.head, relation.child
            misses.append(f"{kind} {relation.type}: {frame.text[head.start:head.end][:60]!r} -> "
                          f"{frame.text[child.start:child.end]!r}")
        proposed += found
        gold += frame.relations
    return score_links(proposed, gold), misses


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--misses", action="store_true", help="list what was read or linked wrongly")
    args = parser.parse_args()
    for name, path in FIGURE_SETS.items():
        figures = figure_score(path)
        print(figures.line(name))
        for miss in figures.misses if args.misses else []:
            print(f"  {miss}")
    frames = gold_frames()
    for name, chosen in (("all", frames), ("held out", [f for f in frames if f.heldout])):
        scores, misses = link_scores(chosen)
        for kind, score in scores.items():
            print(f"links    {name:<9} {kind:<8} proposed {score.proposed:>3}  gold {score.gold:>3}  "
                  f"precision {score.precision:.3f}  recall {score.recall:.3f}")
        for miss in misses if args.misses and name == "all" else []:
            print(f"  {miss}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
