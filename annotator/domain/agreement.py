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

import numpy as np

from annotator.domain.agreement_batch import (
    DocumentBatch,
    coverage,
    exact_counts,
    overlap_counts,
    span_units,
    token_counts,
)
from annotator.domain.matching import Counts, Scores, Tally, as_key
from annotator.domain.unitizing import Disagreement, unitizing

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
    """Takes documents (one at a time, or many as a DocumentBatch, so that a large project streams) and gives the
    Agreement of them all. The counting is done over numpy arrays (annotator.domain.agreement_batch), a batch at
    a time: `add` collects documents and counts them once BATCH of them are waiting."""

    BATCH = 2000

    def __init__(self, annotators: Sequence[str], labels: Sequence[str]) -> None:
        self.annotators = tuple(sorted(set(annotators)))
        self.labels = tuple(labels)
        self._pairs = list(itertools.combinations(range(len(self.annotators)), 2))
        self._documents = 0
        self._pair_documents: Counter[tuple[int, int]] = Counter()
        size = len(self.labels)
        self._exact = {pair: np.zeros((size, 3), dtype=np.int64) for pair in self._pairs}
        self._overlap = {pair: np.zeros((size, 3), dtype=np.int64) for pair in self._pairs}
        self._tables = {pair: np.zeros((size, 4), dtype=np.int64) for pair in self._pairs}
        self._profiles: dict[str, Counter[Profile]] = {label: Counter() for label in self.labels}
        # Unitizing: each pair's documents laid end to end, and each side's units of each label on that line.
        self._lengths: Counter[tuple[int, int]] = Counter()
        self._units: dict[tuple[int, int], list[list[list[np.ndarray]]]] = {
            pair: [[[], []] for _ in self.labels] for pair in self._pairs}
        self._waiting: list[AnnotatedDocument] = []

    def add(self, document: AnnotatedDocument) -> None:
        self._waiting.append(document)
        if len(self._waiting) >= self.BATCH:
            self._flush()

    def _flush(self) -> None:
        waiting, self._waiting = self._waiting, []
        if not waiting:
            return
        who = {name: i for i, name in enumerate(self.annotators)}
        which = {label: i for i, label in enumerate(self.labels)}
        present = np.zeros((len(waiting), len(self.annotators)), dtype=bool)
        rows: list[tuple[int, int, int, int, int]] = []
        starts, ends = [], []
        for d, document in enumerate(waiting):
            tokens = np.array(sorted(document.tokens), dtype=np.int64).reshape(-1, 2)
            starts.append(tokens[:, 0])
            ends.append(tokens[:, 1])
            for name, spans in document.spans.items():
                if name in who:
                    present[d, who[name]] = True
                    rows.extend((d, who[name], which.get(label, -1), start, end)
                                for start, end, label in map(as_key, spans))
        table = np.array(rows, dtype=np.int64).reshape(-1, 5)
        self.add_batch(DocumentBatch(starts, ends, present, *table.T))

    def add_batch(self, batch: DocumentBatch) -> None:
        """Count many documents at once (see DocumentBatch); documents with fewer than two annotators are left out."""
        self._flush()
        tokens = token_counts(batch)
        m = batch.present.sum(axis=1)
        shared = m >= 2
        self._documents += int(shared.sum())
        spans = span_units(batch, tokens)
        labels, total = len(self.labels), int(tokens.sum())
        covered = coverage(spans, len(self.annotators), labels, total)
        token_shared = np.repeat(shared, tokens)
        token_m = np.repeat(m, tokens)[token_shared]
        for label_index, label in enumerate(self.labels):
            k = covered[:, label_index, token_shared].sum(axis=0)
            width = len(self.annotators) + 1
            profiles = self._profiles[label]
            for code in np.flatnonzero(counts := np.bincount(token_m * width + k)).tolist():
                mm, kk = divmod(code, width)  # a token of a document that mm annotated, kk of them put in a span
                key = frozenset({(0, mm)}) if kk == 0 else frozenset({(1, kk), (0, mm - kk)} if kk < mm else {(1, mm)})
                profiles[key] += int(counts[code])
        for pair in self._pairs:
            a, b = pair
            both = batch.present[:, a] & batch.present[:, b]
            if not both.any():
                continue
            self._pair_documents[pair] += int(both.sum())
            in_pair = both[spans.document]
            first, second = spans.where(in_pair & (spans.annotator == a)), spans.where(in_pair & (spans.annotator == b))
            self._exact[pair] += exact_counts(first, second, labels)
            self._overlap[pair] += overlap_counts(first, second, labels, len(tokens))
            mask = np.repeat(both, tokens)
            of_a, of_b = covered[a][:, mask], covered[b][:, mask]
            together = (of_a & of_b).sum(axis=1)
            only_a = (of_a & ~of_b).sum(axis=1)
            only_b = (of_b & ~of_a).sum(axis=1)
            self._tables[pair] += np.column_stack((together, only_a, only_b,
                                                   int(mask.sum()) - together - only_a - only_b))
            offset = np.concatenate(([0], np.cumsum(np.where(both, tokens, 0))[:-1])) + self._lengths[pair]
            for side, part in enumerate((first, second)):
                touching = part.last > part.first
                for label_index in range(labels):
                    chosen = touching & (part.label == label_index)
                    shift = offset[part.document[chosen]]
                    self._units[pair][label_index][side].append(
                        np.column_stack((part.first[chosen] + shift, part.last[chosen] + shift)))
            self._lengths[pair] += int(tokens[both].sum())

    def result(self) -> Agreement:
        self._flush()
        pairs = tuple(PairAgreement(self.annotators[a], self.annotators[b], self._pair_documents[a, b],
                                    Scores(self._tally(self._exact[a, b]), self._tally(self._overlap[a, b])),
                                    {label: TokenTable(*map(int, row))
                                     for label, row in zip(self.labels, self._tables[a, b], strict=True)},
                                    {label: unitizing(self._lengths[a, b], [_stacked(side) for side in sides])
                                     for label, sides in zip(self.labels, self._units[a, b], strict=True)})
                      for a, b in self._pairs)
        return Agreement(self.annotators, self.labels, pairs, self._documents,
                         {label: dict(counts) for label, counts in self._profiles.items()})

    def _tally(self, counts: np.ndarray) -> Tally:
        """Counts per label that met a span, as compare() gives them."""
        return Tally({label: Counts(*map(int, row)) for label, row in zip(self.labels, counts, strict=True)
                      if row.any()})


def _stacked(parts: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(parts) if parts else np.zeros((0, 2), dtype=np.int64)
