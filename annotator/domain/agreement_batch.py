"""Many documents' spans at once as numpy arrays of token units: what AgreementCounter counts, in one pass.

A batch lays its documents end to end: a document's tokens get global indices (their place among all the
batch's tokens), so that which tokens a span touches, who covers each token and each pair's unitizing
continuum are each one vectorised step over the whole batch instead of a loop over documents.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from annotator.domain.matching import matching_size

Ints = np.ndarray  # a one-dimensional int64 array


@dataclass(frozen=True, slots=True)
class DocumentBatch:
    """Documents with their tokens and spans, annotators and labels as indices into the counter's.

    `token_starts[d]`, `token_ends[d]`: document d's tokens, sorted; `present[d, a]`: annotator a annotated
    document d; the span rows: `document`, `annotator`, `label` (the label's index, -1: a label not counted),
    `start`, `end` in characters.
    """

    token_starts: Sequence[Ints]
    token_ends: Sequence[Ints]
    present: np.ndarray
    document: Ints
    annotator: Ints
    label: Ints
    start: Ints
    end: Ints


@dataclass(frozen=True, slots=True)
class Units:
    """A batch's distinct spans (one row per document, annotator, label, start and end), with the tokens each
    touches: `first`, `last` within its document, `g_first`, `g_last` among the batch's tokens."""

    document: Ints
    annotator: Ints
    label: Ints
    start: Ints
    end: Ints
    first: Ints
    last: Ints
    g_first: Ints
    g_last: Ints

    def where(self, mask: np.ndarray) -> Units:
        return Units(*(getattr(self, name)[mask] for name in Units.__slots__))


def token_counts(batch: DocumentBatch) -> Ints:
    return np.array([len(s) for s in batch.token_starts], dtype=np.int64)


def span_units(batch: DocumentBatch, tokens: Ints) -> Units:
    """The batch's spans of counted labels by annotators present, each once, and the tokens they touch."""
    rows = np.column_stack((batch.document, batch.annotator, batch.label, batch.start, batch.end)).astype(np.int64)
    if len(rows):
        rows = rows[(rows[:, 2] >= 0) & batch.present[rows[:, 0], rows[:, 1]]]
    rows = np.unique(rows.reshape(-1, 5), axis=0)  # exact repeats within one side count once
    document, end = rows[:, 0], rows[:, 4]
    # Each document's characters are moved past the previous one's, so one search finds every span's tokens.
    extent = np.array([int(e[-1]) if len(e) else 0 for e in batch.token_ends], dtype=np.int64)
    if len(rows):
        np.maximum.at(extent, document, end)
    char_offset = np.concatenate(([0], np.cumsum(extent + 1)[:-1]))
    token_offset = np.concatenate(([0], np.cumsum(tokens)[:-1]))
    starts = np.concatenate([np.asarray(s, dtype=np.int64) + o for s, o in zip(batch.token_starts, char_offset,
                                                                               strict=True)] or [np.zeros(0, np.int64)])
    ends = np.concatenate([np.asarray(e, dtype=np.int64) + o for e, o in zip(batch.token_ends, char_offset,
                                                                             strict=True)] or [np.zeros(0, np.int64)])
    g_first = np.searchsorted(ends, rows[:, 3] + char_offset[document], side="right")  # first token ending after
    g_last = np.maximum(g_first, np.searchsorted(starts, end + char_offset[document], side="left"))
    first = g_first - token_offset[document]
    last = g_last - token_offset[document]
    return Units(document, rows[:, 1], rows[:, 2], rows[:, 3], end, first, last, g_first, g_last)


def exact_counts(ref: Units, pred: Units, labels: int) -> np.ndarray:
    """[label] -> (tp, fp, fn) of exact matches: the same document, label, start and end."""
    keys = np.concatenate([np.column_stack((u.document, u.label, u.start, u.end)) for u in (ref, pred)])
    order = np.lexsort(keys.T[::-1])
    keys = keys[order]
    same = np.flatnonzero(np.all(keys[1:] == keys[:-1], axis=1))  # each side holds a key once: one in each
    tp = np.bincount(keys[same, 1], minlength=labels)
    return _counts(tp, ref, pred, labels)


def overlap_counts(ref: Units, pred: Units, labels: int, documents: int) -> np.ndarray:
    """[label] -> (tp, fp, fn) under a maximum one-to-one matching of spans that are equal or share a token."""
    group_ref = ref.document * labels + ref.label  # sorted: the rows are sorted by document, then label
    group_pred = pred.document * labels + pred.label
    size = documents * labels
    n_ref = np.bincount(group_ref, minlength=size)
    n_pred = np.bincount(group_pred, minlength=size)
    tp = np.zeros(labels, dtype=np.int64)
    # One span on each side, the common case: matched when equal, or when both touch tokens and share one.
    single = np.flatnonzero((n_ref == 1) & (n_pred == 1))
    r = np.searchsorted(group_ref, single)
    p = np.searchsorted(group_pred, single)
    equal = (ref.start[r] == pred.start[p]) & (ref.end[r] == pred.end[p])
    share = ((ref.first[r] < ref.last[r]) & (pred.first[p] < pred.last[p]) & (ref.first[r] < pred.last[p])
             & (pred.first[p] < ref.last[r]))
    tp += np.bincount(ref.label[r][equal | share], minlength=labels)
    # Several on a side: the matching itself, on the units already found.
    for group in np.flatnonzero((n_ref > 0) & (n_pred > 0) & ~((n_ref == 1) & (n_pred == 1))):
        r0 = int(np.searchsorted(group_ref, group))
        p0 = int(np.searchsorted(group_pred, group))
        rs = slice(r0, r0 + int(n_ref[group]))
        ps = slice(p0, p0 + int(n_pred[group]))
        tp[group % labels] += matching_size(
            list(zip(ref.start[rs].tolist(), ref.end[rs].tolist(), strict=True)),
            list(zip(pred.start[ps].tolist(), pred.end[ps].tolist(), strict=True)),
            list(zip(ref.first[rs].tolist(), ref.last[rs].tolist(), strict=True)),
            list(zip(pred.first[ps].tolist(), pred.last[ps].tolist(), strict=True)))
    return _counts(tp, ref, pred, labels)


def _counts(tp: Ints, ref: Units, pred: Units, labels: int) -> np.ndarray:
    return np.column_stack((tp, np.bincount(pred.label, minlength=labels) - tp,
                            np.bincount(ref.label, minlength=labels) - tp))


def coverage(spans: Units, annotators: int, labels: int, total: int) -> np.ndarray:
    """[annotator, label, token] -> whether the annotator put the token inside a span of that label."""
    out = np.zeros((annotators, labels, total), dtype=bool)
    touching = spans.g_last > spans.g_first
    for a in range(annotators):
        for label in range(labels):
            mine = touching & (spans.annotator == a) & (spans.label == label)
            step = (np.bincount(spans.g_first[mine], minlength=total + 1)
                    - np.bincount(spans.g_last[mine], minlength=total + 1))
            out[a, label] = np.cumsum(step)[:total] > 0
    return out
