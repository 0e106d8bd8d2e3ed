"""Cohen's kappa, Krippendorff's alpha and the agreement of annotators, against worked examples."""

from __future__ import annotations

import random

import pytest

from annotator.domain.agreement import (
    AgreementCounter,
    AnnotatedDocument,
    TokenTable,
    cohen_kappa,
    nominal_alpha,
)
from annotator.domain.matching import Counts

N = None  # a missing value


def test_krippendorffs_own_example_with_missing_values() -> None:
    # Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability. University of Pennsylvania,
    # Annenberg School for Communication, Departmental Papers 43, section C ("Nominal data, any number of
    # observers, missing data"): 4 observers, 12 units, values 1-5, "*" (here None) where a value is missing.
    # The paper gives n = 40 pairable values and nominal alpha = 0.743.
    observers = {
        "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
        "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
        "C": [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
        "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
    }
    units = list(zip(*observers.values(), strict=True))
    assert round(nominal_alpha(units), 3) == 0.743  # type: ignore[arg-type]
    # Unit 12 has one value only: it is not pairable, and leaving it out changes nothing.
    assert nominal_alpha(units[:11]) == nominal_alpha(units)


def test_krippendorffs_two_observer_binary_example() -> None:
    # The same paper, section A ("Binary or dichotomous data, two observers, no missing data"): 10 units,
    # alpha = 0.095. By hand: n = 20 values, 14 zeros and 6 ones; the 4 units where they differ put 4 into
    # o_01 (and 4 into o_10): alpha = 1 - (n - 1) * o_01 / (n_0 * n_1) = 1 - 19 * 4 / (14 * 6) = 0.0952.
    first = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    second = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]
    alpha = nominal_alpha(zip(first, second, strict=True))
    assert alpha == pytest.approx(1 - 19 * 4 / (14 * 6))
    assert round(alpha, 3) == 0.095  # type: ignore[arg-type]


def test_cohens_kappa_worked_example() -> None:
    # 50 items, yes/yes 20, yes/no 5, no/yes 10, no/no 15: p_o = 35/50 = 0.7; A says yes 25/50, B 30/50,
    # so p_e = 0.5 * 0.6 + 0.5 * 0.4 = 0.5 and kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4.
    table = {("yes", "yes"): 20, ("yes", "no"): 5, ("no", "yes"): 10, ("no", "no"): 15}
    assert cohen_kappa(table) == pytest.approx(0.4)


def test_kappa_against_scikit_learn() -> None:
    metrics = pytest.importorskip("sklearn.metrics")  # installed with seqeval (tests only)
    rng = random.Random(3)
    for _ in range(50):
        first = [rng.choice("OSLF") for _ in range(rng.randrange(5, 60))]
        second = [v if rng.random() < 0.6 else rng.choice("OSLF") for v in first]
        table: dict[tuple[str, str], int] = {}
        for pair in zip(first, second, strict=True):
            table[pair] = table.get(pair, 0) + 1
        expected = metrics.cohen_kappa_score(first, second)
        if len(set(first) | set(second)) > 1:
            assert cohen_kappa(table) == pytest.approx(expected)


def test_perfect_agreement_no_variation_and_nothing_to_compare() -> None:
    assert cohen_kappa({(1, 1): 3, (0, 0): 7}) == 1.0
    assert nominal_alpha([(1, 1), (0, 0), (0, 0), (1, 1, N)]) == 1.0
    # No variation: every value the same, so chance agreement is already perfect: undefined, not 1 or 0.
    assert cohen_kappa({(0, 0): 10}) is None
    assert nominal_alpha([(0, 0)] * 10) is None
    # Nothing pairable: no items, or each unit with one value only.
    assert cohen_kappa({}) is None
    assert nominal_alpha([]) is None
    assert nominal_alpha([(1, N), (N, 0), (N, N)]) is None


def test_systematic_disagreement_is_below_zero() -> None:
    assert cohen_kappa({(1, 0): 5, (0, 1): 5}) == -1.0
    assert nominal_alpha([(1, 0)] * 5 + [(0, 1)] * 5) < 0  # type: ignore[operator]


def test_the_token_table_gives_the_same_figures_as_the_token_by_token_data() -> None:
    table = TokenTable(both=2, first=1, second=3, neither=9)
    pairs = [(1, 1)] * 2 + [(1, 0)] * 1 + [(0, 1)] * 3 + [(0, 0)] * 9
    assert table.kappa == pytest.approx(cohen_kappa({(1, 1): 2, (1, 0): 1, (0, 1): 3, (0, 0): 9}))
    assert table.alpha == pytest.approx(nominal_alpha(pairs))


# Ten one-character tokens at 0, 2, 4, ... : token i is [2i, 2i + 1).
TOKENS = [(2 * i, 2 * i + 1) for i in range(10)]


def test_a_pair_worked_by_hand() -> None:
    # ana marks tokens 0-2 as L, ben tokens 1-3: 2 tokens both, 1 ana only, 1 ben only, 6 neither.
    # kappa: p_o = 8/10, each says L on 3/10, p_e = 0.3 * 0.3 + 0.7 * 0.7 = 0.58, kappa = 0.22 / 0.42.
    # alpha: n = 20 values, 6 L and 14 not; the 2 split tokens give sum_{c != k} o_ck = 4:
    # 1 - 19 * 4 / (2 * 6 * 14) = 1 - 76 / 168.
    counter = AgreementCounter(["ben", "ana"], ["L", "S"])
    counter.add(AnnotatedDocument(TOKENS, {"ana": [(0, 5, "L")], "ben": [(2, 7, "L")]}))
    result = counter.result()
    (pair,) = result.pairs
    assert (pair.first, pair.second, pair.documents) == ("ana", "ben", 1)
    assert pair.tokens["L"] == TokenTable(2, 1, 1, 6)
    assert pair.tokens["L"].kappa == pytest.approx(0.22 / 0.42)
    assert pair.tokens["L"].alpha == pytest.approx(1 - 76 / 168)
    assert pair.scores.exact.get("L") == Counts(0, 1, 1) and pair.scores.overlap.get("L") == Counts(1, 0, 0)
    # S: no one marked anything: no variation, so undefined; the pooled figures count S's 10 "no" tokens too.
    assert pair.tokens["S"] == TokenTable(0, 0, 0, 10) and pair.tokens["S"].kappa is None
    assert pair.pooled == TokenTable(2, 1, 1, 16)
    assert result.alpha("L") == pytest.approx(pair.tokens["L"].alpha)


def test_nested_spans_each_label_its_own_question() -> None:
    # A CLAIM over tokens 0-4 holding a FIGURE on token 2: both annotators agree on both, so each label's
    # figures are perfect; a single label per token would have had to drop one of them.
    spans = [(0, 9, "CLAIM"), (4, 5, "FIGURE")]
    counter = AgreementCounter(["ana", "ben"], ["CLAIM", "FIGURE"])
    counter.add(AnnotatedDocument(TOKENS, {"ana": spans, "ben": list(spans)}))
    (pair,) = counter.result().pairs
    assert pair.tokens["CLAIM"] == TokenTable(5, 0, 0, 5) and pair.tokens["FIGURE"] == TokenTable(1, 0, 0, 9)
    assert pair.tokens["CLAIM"].kappa == pair.tokens["FIGURE"].kappa == pair.pooled.kappa == 1.0
    assert pair.scores.exact.overall == Counts(2, 0, 0)


def test_all_annotators_with_missing_values_match_the_unit_by_unit_alpha() -> None:
    # cy did not annotate the second document: for alpha over all three her tokens there are missing, not "no".
    rng = random.Random(11)
    docs = []
    for _ in range(6):
        spans = {}
        for who in ("ana", "ben", "cy"):
            spans[who] = [(2 * s, 2 * s + 1 + 2 * rng.randrange(0, 3), "L") for s in rng.sample(range(0, 8), 2)
                          if rng.random() < 0.8]
            spans[who] = [s for i, s in enumerate(spans[who]) if all(s[1] <= o[0] or o[1] <= s[0]
                                                                     for o in spans[who][:i])]
        docs.append(spans)
    del docs[1]["cy"]
    counter = AgreementCounter(["ana", "ben", "cy"], ["L"])
    units = []
    for spans in docs:
        counter.add(AnnotatedDocument(TOKENS, spans))
        for start, end in TOKENS:
            units.append([None if who not in spans else int(any(s < end and start < e for s, e, _ in spans[who]))
                          for who in ("ana", "ben", "cy")])
    result = counter.result()
    assert result.documents == 6
    assert result.alpha("L") is not None and -1 < result.alpha("L") < 1  # type: ignore[operator]
    assert result.alpha("L") == pytest.approx(nominal_alpha(units))
    assert result.alpha() == pytest.approx(nominal_alpha(units))
    assert {(p.first, p.second): p.documents for p in result.pairs} == {("ana", "ben"): 6, ("ana", "cy"): 5,
                                                                        ("ben", "cy"): 5}


def test_a_document_only_one_annotator_did_is_left_out() -> None:
    counter = AgreementCounter(["ana", "ben"], ["L"])
    counter.add(AnnotatedDocument(TOKENS, {"ana": [(0, 1, "L")]}))
    result = counter.result()
    assert result.documents == 0 and result.pairs[0].documents == 0
    assert result.pairs[0].tokens["L"] == TokenTable() and result.alpha() is None


def test_an_annotated_document_without_spans_counts_as_all_no() -> None:
    counter = AgreementCounter(["ana", "ben"], ["L"])
    counter.add(AnnotatedDocument(TOKENS, {"ana": [(0, 3, "L")], "ben": []}))
    (pair,) = counter.result().pairs
    assert pair.tokens["L"] == TokenTable(0, 2, 0, 8)
    assert pair.scores.exact.get("L") == Counts(0, 0, 1)
