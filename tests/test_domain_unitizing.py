"""Krippendorff's unitizing alpha against examples worked by hand and the published example of Krippendorff (1995)."""

from __future__ import annotations

import pytest

from annotator.domain.agreement import AgreementCounter, AnnotatedDocument
from annotator.domain.unitizing import Disagreement, unitizing


def test_a_long_unit_against_three_short_ones_by_hand() -> None:
    # Continuum 0..10, two coders: the first marks [1, 9), the second [2, 3), [4, 5) and [6, 7) (DKPro Agreement's
    # UnitizingAgreementTest uses the same study and expects D_o 0.9100, D_e 0.5351, alpha -0.7003).
    # D_o: the long unit overlaps each short one: (1-2)^2 + (9-3)^2 = 37, (1-4)^2 + (9-5)^2 = 25,
    #   (1-6)^2 + (9-7)^2 = 29; no unit lies inside the other coder's gap. Both orders: 2 * 91 over
    #   m (m - 1) L^2 = 2 * 1 * 100: D_o = 182 / 200.
    # D_e: N = 4 units (lengths 8, 1, 1, 1); the gaps of both coders: 1, 1 and 2, 1, 1, 3.
    #   length 8: (N-1)(2*512 - 3*64 + 8)/3 = 840, no gap of 8 or more; length 1: (N-1)*0 + 1 * (sum of all gaps
    #   (g - 1 + 1) = 9) = 9, three times. (2 / L) * 867 over m L (m L - 1) - sum l (l - 1) = 20 * 19 - 56 = 324.
    result = unitizing(10, [[(1, 9)], [(2, 3), (4, 5), (6, 7)]])
    assert result.observed == pytest.approx(182 / 200)
    assert result.expected == pytest.approx(2 / 10 * 867 / 324)
    assert result.alpha == pytest.approx(1 - (182 / 200) / (2 / 10 * 867 / 324))
    assert round(result.alpha, 4) == -0.7003  # type: ignore[arg-type]


def _krippendorff_1995(stretch: float) -> dict[str, Disagreement]:
    """Krippendorff (1995), "On the reliability of unitizing contiguous data", p. 57: four pairs of coders, one
    category each, on a continuum of 24 (as DKPro Agreement's Krippendorff1995Test transcribes it: begin,
    length), stretched by `stretch` as that test does to approach the paper's continuous figures."""
    def unit(begin: int, length: int) -> tuple[int, int]:
        return int(begin * stretch), int(begin * stretch) + int(length * stretch)

    data = {
        "A": [[unit(2, 8), unit(14, 6)], [unit(4, 4), unit(15, 2)]],
        "B": [[unit(0, 18)], [unit(0, 2), unit(2, 1), unit(3, 1), unit(4, 1), unit(5, 1), unit(6, 3), unit(9, 1)]],
        "C": [[unit(2, 6), unit(10, 2), unit(14, 4), unit(20, 2)],
              [unit(0, 2), unit(4, 4), unit(10, 4), unit(16, 2), unit(20, 2)]],
        "D": [[unit(0, 2), unit(2, 8), unit(10, 4), unit(14, 6), unit(20, 4)],
              [unit(0, 4), unit(4, 4), unit(8, 7), unit(15, 2), unit(17, 7)]],
    }
    return {category: unitizing(int(24 * stretch), coders) for category, coders in data.items()}


def test_krippendorff_1995_observed_disagreement() -> None:
    result = _krippendorff_1995(1)
    # A by hand: [2, 10) against [4, 8): 2^2 + 2^2 = 8; [14, 20) against [15, 17): 1 + 9 = 10; both orders,
    # over 2 * 24^2: 36 / 1152. C: three shifted pairs of 4 each, one equal pair, and the second coder's [0, 2)
    # inside the first's gap: 4; 2 * 16 / 1152.
    assert result["A"].observed == pytest.approx(36 / 1152)
    assert result["C"].observed == pytest.approx(32 / 1152)
    assert result["B"].observed == pytest.approx(2.26736, abs=1e-5)
    assert result["D"].observed == pytest.approx(0.38715, abs=1e-5)
    assert _krippendorff_1995(0.5)["C"].expected == pytest.approx(0.05494, abs=1e-5)  # DKPro's exact figure


def test_krippendorff_1995_alphas_as_published() -> None:
    # The paper's u-alphas (continuous data; a continuum of 1,200,000 comes close): A .553, B -.926, C .679,
    # D .066. DKPro checks its own implementation within 0.02 of them; so does this one.
    result = _krippendorff_1995(50_000)
    for category, published in {"A": 0.553, "B": -0.926, "C": 0.679, "D": 0.066}.items():
        assert result[category].alpha == pytest.approx(published, abs=0.02), category


def test_edge_cases() -> None:
    # One unit among three coders: D_o = 2 * (1 + 1) / (3 * 2 * 20^2) = 4 / 2400; D_e = (2 / 20) * 1^2 *
    # (19 + 20 + 20) / (60 * 59) = 5.9 / 3540: the same, so alpha is 0 (DKPro's testSingleAnnotationUnit).
    single = unitizing(20, [[(0, 1)], [], []])
    assert single.observed == pytest.approx(4 / 2400) and single.expected == pytest.approx(5.9 / 3540)
    assert single.alpha == pytest.approx(0)
    assert unitizing(20, [[(2, 5), (9, 12)], [(2, 5), (9, 12)]]).alpha == 1.0
    assert unitizing(20, [[], []]).alpha is None  # no unit: undefined
    assert unitizing(0, [[], []]).alpha is None and unitizing(20, [[(0, 2)]]).alpha is None
    # Overlapping units of one coder are joined; touching ones stay two.
    assert unitizing(20, [[(2, 6), (4, 9)], [(2, 9)]]).alpha == 1.0
    assert unitizing(20, [[(2, 5), (5, 9)], [(2, 9)]]).alpha < 1  # type: ignore[operator]


def test_a_boundary_shift_earns_partial_credit_a_miss_does_not() -> None:
    shifted = unitizing(30, [[(3, 8), (15, 20)], [(4, 8), (15, 20)]]).alpha
    missed = unitizing(30, [[(3, 8), (15, 20)], [(15, 20)]]).alpha
    assert missed < shifted < 1  # type: ignore[operator]


def test_per_pair_on_documents_laid_end_to_end() -> None:
    # Two documents of 10 one-character tokens: ana's units [1, 9) of the first and nothing of the second; ben's
    # [2, 3), [4, 5), [6, 7): the study above with 10 more tokens of gap (continuum 20).
    tokens = [(2 * i, 2 * i + 1) for i in range(10)]
    counter = AgreementCounter(["ana", "ben"], ["L"])
    counter.add(AnnotatedDocument(tokens, {"ana": [(2, 17, "L")], "ben": [(4, 5, "L"), (8, 9, "L"), (12, 13, "L")]}))
    counter.add(AnnotatedDocument(tokens, {"ana": [], "ben": []}))
    (pair,) = counter.result().pairs
    assert pair.unitizing["L"] == unitizing(20, [[(1, 9)], [(2, 3), (4, 5), (6, 7)]])
    assert pair.u_alpha("L") == pair.u_alpha() == pair.unitizing["L"].alpha
