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

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

Range = tuple[int, int]
Ranges = Any  # a sequence of (start, end) pairs, or an (n, 2) integer array of them


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


def unitizing(length: int, coders: Sequence[Ranges]) -> Disagreement:
    """D_o and D_e of one category on a continuum [0, length) given each coder's [start, end) units of it."""
    m = len(coders)
    length = int(length)
    if m < 2 or length <= 0:
        return Disagreement()
    units = [_joined(np.asarray(c, dtype=np.int64).reshape(-1, 2)) for c in coders]
    pairs = sum(_pair_disagreement(a, b) for a, b in itertools.combinations(units, 2))
    observed = 2 * pairs / (m * (m - 1) * length * length)
    everything = np.concatenate(units)
    sizes = everything[:, 1] - everything[:, 0]
    gaps = np.sort(np.concatenate([_gaps(coder, length) for coder in units]))
    tail = np.append(np.cumsum(gaps[::-1])[::-1], 0)  # tail[i]: the sum of gaps[i:]
    n = len(everything)
    unit = sizes.astype(np.float64)
    first = np.searchsorted(gaps, sizes, side="left")  # the gaps at least as long as each unit
    total = float(np.sum((n - 1) * (2 * unit**3 - 3 * unit**2 + unit) / 3)
                  + np.sum(unit * unit * (tail[first] - (unit - 1) * (len(gaps) - first))))
    denominator = m * length * (m * length - 1) - int(np.sum(sizes * (sizes - 1)))
    return Disagreement(observed, 2 * total / length / denominator)


def _pair_disagreement(first: np.ndarray, second: np.ndarray) -> int:
    """The sum of delta^2 over the intersecting segments of two coders, each unordered pair of segments once."""
    # Each coder's units are sorted and apart, so the units of `second` that overlap one of `first` are a run:
    # from the first that ends after its start to the last that starts before its end.
    lo = np.searchsorted(second[:, 1], first[:, 0], side="right")
    hi = np.searchsorted(second[:, 0], first[:, 1], side="left")
    hits = np.maximum(hi - lo, 0)
    i = np.repeat(np.arange(len(first)), hits)
    k = np.repeat(lo, hits) + np.arange(int(hits.sum())) - np.repeat(np.cumsum(hits) - hits, hits)
    total = int(np.sum((first[i, 0] - second[k, 0]) ** 2 + (first[i, 1] - second[k, 1]) ** 2))
    # A unit that overlaps none of the other coder's lies inside one of their gaps.
    touched = np.zeros(len(second), dtype=bool)
    touched[k] = True
    alone_first = first[hits == 0]
    alone_second = second[~touched]
    total += int(np.sum((alone_first[:, 1] - alone_first[:, 0]) ** 2))
    total += int(np.sum((alone_second[:, 1] - alone_second[:, 0]) ** 2))
    return total


def _joined(ranges: np.ndarray) -> np.ndarray:
    """Overlapping ranges joined (touching ones stay apart), sorted; empty ones dropped."""
    ranges = ranges[ranges[:, 1] > ranges[:, 0]]
    if not len(ranges):
        return ranges
    ranges = ranges[np.lexsort((ranges[:, 1], ranges[:, 0]))]
    reach = np.maximum.accumulate(ranges[:, 1])  # the furthest end so far: the end of the open run
    opens = np.flatnonzero(np.concatenate(([True], ranges[1:, 0] >= reach[:-1])))
    return np.column_stack((ranges[opens, 0], np.maximum.reduceat(ranges[:, 1], opens)))


def _gaps(units: np.ndarray, length: int) -> np.ndarray:
    ends = np.concatenate(([0], units[:, 1]))
    starts = np.concatenate((units[:, 0], [length]))
    gaps = starts - ends
    return gaps[gaps > 0]
