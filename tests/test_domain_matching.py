"""Span matching: exact and token-overlap, one-to-one, with precision, recall and F1 per label and overall."""

from __future__ import annotations

import itertools
import random

from annotator.domain.matching import Counts, Scores, TokenIndex, compare, max_matching
from annotator.domain.spans import Span

# "Olena Marchuk said 12,000 residents left Velmora ."  -- the tokens as a tokenizer would give them
TEXT = "Olena Marchuk said 12,000 residents left Velmora ."
TOKENS = [(0, 5), (6, 13), (14, 18), (19, 25), (26, 35), (36, 40), (41, 48), (49, 50)]


def test_a_worked_example_counted_by_hand() -> None:
    reference = [(0, 13, "SOURCE"), (19, 35, "FIGURE"), (41, 48, "LOCATION")]
    predicted = [(6, 13, "SOURCE"), (19, 35, "FIGURE"), (36, 48, "LOCATION"), (14, 18, "LOCATION")]
    scores = compare(reference, predicted, TOKENS)
    # Exact: only FIGURE is the same span. 1 matched; 3 predicted unmatched; 2 reference unmatched.
    assert scores.exact.overall == Counts(tp=1, fp=3, fn=2)
    assert scores.exact.get("SOURCE") == Counts(0, 1, 1)
    assert scores.exact.overall.precision == 1 / 4 and scores.exact.overall.recall == 1 / 3
    assert scores.exact.overall.f1 == 2 * 1 / (2 * 1 + 3 + 2)  # 2/7, the harmonic mean of 1/4 and 1/3
    # Overlap: "Marchuk" lies in "Olena Marchuk", "left Velmora" holds "Velmora"; "said" overlaps nothing.
    assert scores.overlap.get("SOURCE") == Counts(1, 0, 0)
    assert scores.overlap.get("LOCATION") == Counts(1, 1, 0)
    assert scores.overlap.overall == Counts(3, 1, 0)
    assert scores.overlap.overall.as_dict() == {"tp": 3, "fp": 1, "fn": 0, "precision": 0.75, "recall": 1.0,
                                                "f1": 6 / 7}


def test_a_label_is_matched_only_with_its_own_label() -> None:
    scores = compare([(0, 13, "SOURCE")], [(0, 13, "LOCATION")], TOKENS)
    assert scores.exact.get("SOURCE") == scores.overlap.get("SOURCE") == Counts(0, 0, 1)
    assert scores.exact.get("LOCATION") == scores.overlap.get("LOCATION") == Counts(0, 1, 0)


def test_one_to_one_a_long_span_is_matched_once() -> None:
    # One CLAIM against two shorter ones inside it: one pair matches, the other short one is left over.
    scores = compare([(0, 35, "CLAIM")], [(0, 13, "CLAIM"), (19, 35, "CLAIM")], TOKENS)
    assert scores.overlap.get("CLAIM") == Counts(1, 1, 0)
    scores = compare([(0, 13, "CLAIM"), (19, 35, "CLAIM")], [(0, 35, "CLAIM")], TOKENS)
    assert scores.overlap.get("CLAIM") == Counts(1, 0, 1)


def test_the_matching_is_maximum_not_greedy() -> None:
    # The first reference span could take either predicted span; taken greedily (the one that starts first,
    # [2, 12)), the second reference span would go unmatched. The maximum matching pairs both.
    reference = [(0, 10), (10, 20)]
    predicted = [(2, 12), (5, 8)]
    assert max_matching(reference, predicted, None) == 2
    assert compare([(*r, "X") for r in reference], [(*p, "X") for p in predicted]).overlap.get("X") == Counts(2, 0, 0)


def test_token_overlap_is_sharing_a_token_and_character_overlap_without_tokens() -> None:
    # "12," and "000" are two pieces of the token "12,000": no character in common, one token in common.
    reference, predicted = [(19, 22, "FIGURE")], [(22, 25, "FIGURE")]
    assert compare(reference, predicted).overlap.get("FIGURE") == Counts(0, 1, 1)
    assert compare(reference, predicted, TOKENS).overlap.get("FIGURE") == Counts(1, 0, 0)
    # Neighbours that touch ("Olena" and "Marchuk") share no token and no character.
    assert compare([(0, 5, "S")], [(6, 13, "S")], TOKENS).overlap.get("S") == Counts(0, 1, 1)
    assert compare([(0, 5, "S")], [(5, 13, "S")]).overlap.get("S") == Counts(0, 1, 1)
    # A span on the space between two tokens covers no token: it matches nothing by overlap, only itself exactly.
    assert compare([(5, 6, "S")], [(0, 13, "S")], TOKENS).overlap.get("S") == Counts(0, 1, 1)
    assert compare([(5, 6, "S")], [(5, 6, "S")], TOKENS).overlap.get("S") == Counts(1, 0, 0)


def test_spans_as_stored_and_repeats_counted_once() -> None:
    reference = [Span(0, 13, "SOURCE", 1, "ana"), Span(0, 13, "SOURCE", 2, "ana")]
    predicted = [Span(0, 13, "SOURCE", 9, "ben")]
    assert compare(reference, predicted, TokenIndex(TOKENS)).exact.get("SOURCE") == Counts(1, 0, 0)


def test_undefined_figures_are_none_not_zero() -> None:
    assert compare([], []).exact.overall == Counts()
    assert Counts().precision is None and Counts().recall is None and Counts().f1 is None
    missed = compare([(0, 5, "S")], []).exact.overall
    assert missed.precision is None and missed.recall == 0 and missed.f1 == 0


def test_scores_add_up_per_label() -> None:
    one = compare([(0, 5, "S")], [(0, 5, "S")])
    two = compare([(0, 5, "S"), (9, 12, "L")], [(1, 5, "S")])
    total = one + two
    assert isinstance(total, Scores)
    assert total.exact.get("S") == Counts(1, 1, 1) and total.exact.get("L") == Counts(0, 0, 1)
    assert total.overlap.get("S") == Counts(2, 0, 0)


def test_token_index_covered_tokens() -> None:
    index = TokenIndex(TOKENS)
    assert index.covered(0, 13) == (0, 2)
    assert index.covered(3, 7) == (0, 2)  # part of "Olena" and part of "Marchuk"
    assert index.covered(5, 6) == (1, 1)  # the space between them: no token
    assert index.covered(49, 50) == (7, 8)


def _brute_force(reference: list[tuple[int, int]], predicted: list[tuple[int, int]]) -> int:
    """The largest set of disjoint overlapping pairs, by trying every assignment."""
    best = 0
    for size in range(min(len(reference), len(predicted)), 0, -1):
        for refs in itertools.combinations(range(len(reference)), size):
            for preds in itertools.permutations(range(len(predicted)), size):
                if all(reference[r][0] < predicted[p][1] and predicted[p][0] < reference[r][1]
                       for r, p in zip(refs, preds, strict=True)):
                    return size
    return best


def test_maximum_matching_against_brute_force() -> None:
    rng = random.Random(7)
    for _ in range(300):
        def spans(n: int) -> list[tuple[int, int]]:
            out = set()
            for _ in range(n):
                start = rng.randrange(0, 30)
                out.add((start, start + rng.randrange(1, 8)))
            return sorted(out)

        reference, predicted = spans(rng.randrange(0, 6)), spans(rng.randrange(0, 6))
        assert max_matching(reference, predicted, None) == _brute_force(reference, predicted), (reference, predicted)
