"""Krippendorff's unitizing alpha (u-alpha): agreement on where units begin and end, with credit for overlap.

The formulas are Krippendorff's: "On the reliability of unitizing contiguous data", Sociological Methodology 25
(1995), 47-76, and "Measuring the reliability of qualitative text analysis data", Quality & Quantity 38 (2004),
787-800 (also in Content Analysis, 2nd ed., 2004, section 12.4), as DKPro Agreement implements them
(KrippendorffAlphaUnitizingAgreement, which INCEpTION uses). For one category c on a continuum of length L
coded by m coders, each coder's continuum is cut into units of c and the gaps between them:

    D_o = sum over ordered pairs of coders (i, j), and over the segments g of i and h of j that intersect,
          of delta^2(g, h), divided by m (m - 1) L^2, where
          delta^2 = (b_g - b_h)^2 + (e_g - e_h)^2   for two units (b begin, e end),
                    l_g^2                           for a unit g lying inside a gap h (and the mirror case),
                    0                               otherwise;
    D_e = (2 / L) * sum over all units u of c (lengths l, N of them in all)
          [ (N - 1) (2 l^3 - 3 l^2 + l) / 3  +  l^2 * sum over all gaps k with l_k >= l of (l_k - l + 1) ]
          / [ m L (m L - 1) - sum over all units of l (l - 1) ];
    u-alpha = 1 - D_o / D_e, and over several categories 1 - sum D_o / sum D_e (DKPro averages both).

Units of one coder and category must not overlap: overlapping ones are joined first. Touching ones stay two
units, as they are two units for the coder.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

Range = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Disagreement:
    """Observed and expected disagreement of one category (or the sums over several)."""

    observed: float = 0.0
    expected: float = 0.0

    def __add__(self, other: Disagreement) -> Disagreement:
        return Disagreement(self.observed + other.observed, self.expected + other.expected)

    @property
    def alpha(self) -> float | None:
        """None when undefined: no unit at all, so nothing could have been expected to differ."""
        return 1 - self.observed / self.expected if self.expected > 0 else None


def unitizing(length: int, coders: Sequence[Sequence[Range]]) -> Disagreement:
    """D_o and D_e of one category on a continuum [0, length) given each coder's [start, end) units of it."""
    m = len(coders)
    if m < 2 or length <= 0:
        return Disagreement()
    units = [_joined(c) for c in coders]
    pairs = sum(_pair_disagreement(a, b) for a, b in itertools.combinations(units, 2))
    observed = 2 * pairs / (m * (m - 1) * length * length)
    everything = [u for coder in units for u in coder]
    gaps = sorted(g for coder in units for g in _gaps(coder, length))
    tail = list(itertools.accumulate(reversed(gaps)))[::-1]  # tail[i]: the sum of gaps[i:]
    n = len(everything)
    total = 0.0
    for start, end in everything:
        unit = end - start
        total += (n - 1) * (2 * unit**3 - 3 * unit**2 + unit) / 3
        first = bisect.bisect_left(gaps, unit)  # the gaps at least as long as the unit
        if first < len(gaps):
            total += unit * unit * (tail[first] - (unit - 1) * (len(gaps) - first))
    denominator = m * length * (m * length - 1) - sum((e - s) * (e - s - 1) for s, e in everything)
    return Disagreement(observed, 2 * total / length / denominator)


def _pair_disagreement(first: list[Range], second: list[Range]) -> int:
    """The sum of delta^2 over the intersecting segments of two coders, each unordered pair of segments once."""
    total = 0
    touched_first = [False] * len(first)
    touched_second = [False] * len(second)
    j = 0
    for i, (b1, e1) in enumerate(first):
        while j < len(second) and second[j][1] <= b1:
            j += 1
        k = j
        while k < len(second) and second[k][0] < e1:  # the units of `second` that overlap this one
            b2, e2 = second[k]
            total += (b1 - b2) ** 2 + (e1 - e2) ** 2
            touched_first[i] = touched_second[k] = True
            k += 1
    # A unit that overlaps none of the other coder's lies inside one of their gaps.
    total += sum((e - s) ** 2 for (s, e), hit in zip(first, touched_first, strict=True) if not hit)
    total += sum((e - s) ** 2 for (s, e), hit in zip(second, touched_second, strict=True) if not hit)
    return total


def _joined(ranges: Sequence[Range]) -> list[Range]:
    out: list[list[int]] = []
    for start, end in sorted(r for r in ranges if r[1] > r[0]):
        if out and start < out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return [(s, e) for s, e in out]


def _gaps(units: list[Range], length: int) -> list[int]:
    out = []
    position = 0
    for start, end in units:
        if start > position:
            out.append(start - position)
        position = end
    if length > position:
        out.append(length - position)
    return out
