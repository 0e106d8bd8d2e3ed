"""Agreement between annotators on the documents they both annotated: span F1, Cohen's kappa, Krippendorff's alpha.

- **Span F1** (exact and token-overlap match) for each pair, with the first of the pair as the reference:
  `annotator.domain.matching`. F1 is the same whichever of the two is the reference.
- **Token labels.** Spans of different labels may nest (a CLAIM holding a FIGURE), so a token has no single
  label. Each label is therefore its own binary question: for every token of a document, did the annotator put
  it inside a span of that label (a span that shares a character with it) or not? Cohen's kappa and
  Krippendorff's alpha per label are computed on those yes/no decisions; the overall figures pool the
  decisions of all labels (one item per token and label).
- **Cohen's kappa** (Cohen 1960): (p_o - p_e) / (1 - p_e), each annotator's own label frequencies giving the
  chance agreement p_e. For each pair.
- **Krippendorff's alpha**, nominal, with missing values (Krippendorff, "Computing Krippendorff's
  Alpha-Reliability", 2011, section C): 1 - (n - 1) * sum_{c != k} o_ck / sum_{c != k} n_c n_k over the
  coincidence matrix o. For each pair, and for all annotators at once, where a document someone did not
  annotate is a missing value rather than a "no".
A figure is None where it is undefined: no token in common, or no variation at all (every token "no" for
both, so chance agreement is already perfect).
- **Unitizing alpha** (u-alpha, Krippendorff 1995/2004, see annotator.domain.unitizing) for each pair, per label:
  agreement on where the spans begin and end, with partial credit for overlap, on the continuum of the tokens
  of the documents both annotated, one after the other.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from annotator.domain.matching import Counts, Scores, TokenIndex, as_key, compare
from annotator.domain.unitizing import Disagreement, Range, unitizing

Profile = frozenset[tuple[Hashable, int]]  # one unit: how many coders gave each value


def cohen_kappa(table: Mapping[tuple[Hashable, Hashable], float]) -> float | None:
    """Cohen's kappa from a confusion table {(value of A, value of B): count}; None when undefined."""
    n = sum(table.values())
    if not n:
        return None
    observed = sum(count for (a, b), count in table.items() if a == b) / n
    of_a: dict[Hashable, float] = {}
    of_b: dict[Hashable, float] = {}
    for (a, b), count in table.items():
        of_a[a] = of_a.get(a, 0) + count
        of_b[b] = of_b.get(b, 0) + count
    expected = sum(of_a[value] * of_b.get(value, 0) for value in of_a) / (n * n)
    if expected >= 1:
        return None
    return (observed - expected) / (1 - expected)


def profile(values: Iterable[Hashable | None]) -> Profile:
    """A unit's values (None: missing) as the count of each value."""
    return frozenset(Counter(v for v in values if v is not None).items())


def nominal_alpha(units: Iterable[Iterable[Hashable | None]]) -> float | None:
    """Krippendorff's alpha for nominal data: one row per unit, one value per coder, None where it is missing."""
    return alpha_from_profiles(Counter(profile(unit) for unit in units))


def alpha_from_profiles(profiles: Mapping[Profile, float]) -> float | None:
    """Nominal alpha from units grouped by their profile ({profile: number of such units}).

    Units with the same value counts contribute the same to the coincidence matrix, so a million tokens that
    everyone left out cost one entry. A unit with fewer than two values is not pairable and is left out.
    """
    n = 0.0
    totals: dict[Hashable, float] = {}
    disagreement = 0.0  # sum over c != k of o_ck
    for counts, units in profiles.items():
        m = sum(count for _, count in counts)
        if m < 2 or not units:
            continue
        n += m * units
        for value, count in counts:
            totals[value] = totals.get(value, 0) + count * units
        disagreement += units * (m * m - sum(count * count for _, count in counts)) / (m - 1)
    expected = n * n - sum(t * t for t in totals.values())  # sum over c != k of n_c n_k
    if n < 2 or expected <= 0:
        return None
    return 1 - (n - 1) * disagreement / expected


@dataclass(frozen=True, slots=True)
class TokenTable:
    """Tokens of one label for a pair: inside a span of both, of the first only, of the second only, of neither."""

    both: int = 0
    first: int = 0
    second: int = 0
    neither: int = 0

    def __add__(self, other: TokenTable) -> TokenTable:
        return TokenTable(self.both + other.both, self.first + other.first, self.second + other.second,
                          self.neither + other.neither)

    @property
    def kappa(self) -> float | None:
        return cohen_kappa({(1, 1): self.both, (1, 0): self.first, (0, 1): self.second, (0, 0): self.neither})

    @property
    def alpha(self) -> float | None:
        return alpha_from_profiles({frozenset({(1, 2)}): self.both, frozenset({(0, 2)}): self.neither,
                                    frozenset({(1, 1), (0, 1)}): self.first + self.second})


@dataclass(frozen=True, slots=True)
class PairAgreement:
    first: str
    second: str
    documents: int
    scores: Scores
    tokens: Mapping[str, TokenTable]
    unitizing: Mapping[str, Disagreement] = field(default_factory=dict)

    @property
    def pooled(self) -> TokenTable:
        return sum(self.tokens.values(), TokenTable())

    # Each figure of one label, or of all labels together when `label` is None.
    def exact(self, label: str | None = None) -> Counts:
        return self.scores.exact.overall if label is None else self.scores.exact.get(label)

    def overlap(self, label: str | None = None) -> Counts:
        return self.scores.overlap.overall if label is None else self.scores.overlap.get(label)

    def table(self, label: str | None = None) -> TokenTable:
        return self.pooled if label is None else self.tokens.get(label, TokenTable())

    def u_alpha(self, label: str | None = None) -> float | None:
        """Unitizing alpha of `label`, or of all labels (their disagreements summed, as DKPro averages them)."""
        if label is not None:
            return self.unitizing.get(label, Disagreement()).alpha
        return sum(self.unitizing.values(), Disagreement()).alpha


@dataclass(frozen=True, slots=True)
class Agreement:
    """Every pair's figures, and alpha over all annotators (`documents`: those annotated by two or more)."""

    annotators: tuple[str, ...]
    labels: tuple[str, ...]
    pairs: tuple[PairAgreement, ...]
    documents: int
    profiles: Mapping[str, Mapping[Profile, int]] = field(default_factory=dict)

    def alpha(self, label: str | None = None) -> float | None:
        """Alpha over all annotators for `label`, or over every label's decisions pooled."""
        if label is not None:
            return alpha_from_profiles(self.profiles.get(label, {}))
        pooled: Counter[Profile] = Counter()
        for counts in self.profiles.values():
            pooled.update(counts)
        return alpha_from_profiles(pooled)


@dataclass(frozen=True, slots=True)
class AnnotatedDocument:
    """A document's tokens and the spans of each annotator who annotated it (an empty list: annotated, no span)."""

    tokens: Sequence[tuple[int, int]]
    spans: Mapping[str, Sequence[Sequence[Any]]]


class AgreementCounter:
    """Takes documents one at a time (so that a large project streams) and gives the Agreement of them all."""

    def __init__(self, annotators: Sequence[str], labels: Sequence[str]) -> None:
        self.annotators = tuple(sorted(set(annotators)))
        self.labels = tuple(labels)
        self._pairs = list(itertools.combinations(self.annotators, 2))
        self._documents = 0
        self._pair_documents: Counter[tuple[str, str]] = Counter()
        self._scores = {pair: Scores() for pair in self._pairs}
        self._tables = {pair: {label: TokenTable() for label in self.labels} for pair in self._pairs}
        self._profiles: dict[str, Counter[Profile]] = {label: Counter() for label in self.labels}
        # Unitizing: each pair's documents laid end to end, and each side's units of each label on that line.
        self._lengths: Counter[tuple[str, str]] = Counter()
        self._units: dict[tuple[str, str], dict[str, tuple[list[Range], list[Range]]]] = {pair: {label: ([], []) for label in self.labels} for pair in self._pairs}

    def add(self, document: AnnotatedDocument) -> None:
        present = [a for a in self.annotators if a in document.spans]
        if len(present) < 2:
            return
        self._documents += 1
        index = TokenIndex(document.tokens)
        wanted = set(self.labels)
        spans = {a: [k for k in map(as_key, document.spans[a]) if k[2] in wanted] for a in present}
        pairs = list(itertools.combinations(present, 2))
        for pair in pairs:
            self._pair_documents[pair] += 1
            self._scores[pair] += compare(spans[pair[0]], spans[pair[1]], index)
        for label in self.labels:
            ranges = {a: [index.covered(s, e) for s, e, lab in spans[a] if lab == label] for a in present}
            for pair in pairs:
                offset = self._lengths[pair]
                for side, name in zip(self._units[pair][label], pair, strict=True):
                    side.extend((offset + s, offset + e) for s, e in ranges[name] if e > s)
            coverage = _coverage(ranges)
            covered = sum(coverage.values())
            m = len(present)
            profiles = self._profiles[label]
            profiles[frozenset({(0, m)})] += len(index) - covered
            for who, tokens in coverage.items():
                k = len(who)
                profiles[frozenset({(1, k), (0, m - k)} if k < m else {(1, m)})] += tokens
            for first, second in pairs:
                both = sum(t for who, t in coverage.items() if first in who and second in who)
                only_first = sum(t for who, t in coverage.items() if first in who and second not in who)
                only_second = sum(t for who, t in coverage.items() if second in who and first not in who)
                table = TokenTable(both, only_first, only_second, len(index) - both - only_first - only_second)
                self._tables[first, second][label] += table
        for pair in pairs:
            self._lengths[pair] += len(index)

    def result(self) -> Agreement:
        pairs = tuple(PairAgreement(a, b, self._pair_documents[a, b], self._scores[a, b], self._tables[a, b],
                                    {label: unitizing(self._lengths[a, b], sides)
                                     for label, sides in self._units[a, b].items()})
                      for a, b in self._pairs)
        return Agreement(self.annotators, self.labels, pairs, self._documents,
                         {label: dict(counts) for label, counts in self._profiles.items()})


def _coverage(ranges: Mapping[str, Sequence[tuple[int, int]]]) -> Counter[frozenset[str]]:
    """How many tokens each set of annotators covers together: {frozenset of who: tokens}, by one sweep."""
    events: list[tuple[int, int, str]] = []
    for who, spans in ranges.items():
        for start, end in _merged(spans):
            events.append((start, 1, who))
            events.append((end, -1, who))
    events.sort(key=lambda event: event[0])
    out: Counter[frozenset[str]] = Counter()
    active: set[str] = set()
    last = 0
    for position, step, who in events:
        if active and position > last:
            out[frozenset(active)] += position - last
        last = position
        if step > 0:
            active.add(who)
        else:
            active.discard(who)
    return out


def _merged(ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Non-empty ranges joined where they touch or overlap: one annotator's tokens of a label, each counted once."""
    out: list[list[int]] = []
    for start, end in sorted(r for r in ranges if r[1] > r[0]):
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return [(s, e) for s, e in out]
