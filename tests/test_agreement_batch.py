"""The vectorised counting of AgreementCounter (annotator.domain.agreement_batch) against the plain per-document
definitions: span F1 counts from matching.compare, token tables counted token by token, on random documents with
nested, repeated, touching and token-less spans, in batches of several documents."""

from __future__ import annotations

import random

from annotator.domain.agreement import AgreementCounter, AnnotatedDocument, TokenTable
from annotator.domain.matching import Scores, TokenIndex, compare

LABELS = ["A", "B", "C"]


def _document(rng: random.Random, people: list[str]) -> AnnotatedDocument:
    tokens, position = [], 0
    for _ in range(rng.randint(0, 25)):
        position += rng.randint(0, 2)  # sometimes no space between tokens
        size = rng.randint(1, 4)
        tokens.append((position, position + size))
        position += size
    length = position + 3
    spans = {}
    for name in people:
        if rng.random() < 0.8:
            chosen = [(s, min(length, s + rng.randint(1, 9)), rng.choice([*LABELS, "X"]))
                      for s in (rng.randrange(length) for _ in range(rng.randint(0, 7)))]
            spans[name] = chosen + chosen[: rng.randint(0, 2)]  # exact repeats count once
    return AnnotatedDocument(tokens, spans)


def test_batched_counts_match_the_per_document_definitions() -> None:
    rng = random.Random(7)
    people = ["ana", "ben", "cy"]
    documents = [_document(rng, people) for _ in range(300)]
    counter = AgreementCounter(people, LABELS)
    counter.BATCH = 37  # several batches, and a last one that is not full
    for document in documents:
        counter.add(document)
    result = counter.result()
    for pair in result.pairs:
        expected = Scores()
        tables = {label: TokenTable() for label in LABELS}
        shared = 0
        for document in documents:
            if pair.first not in document.spans or pair.second not in document.spans:
                continue
            shared += 1
            first = [s for s in document.spans[pair.first] if s[2] in LABELS]
            second = [s for s in document.spans[pair.second] if s[2] in LABELS]
            expected += compare(first, second, TokenIndex(document.tokens))
            for label in LABELS:
                inside = [{i for i, (ts, te) in enumerate(document.tokens)
                           for s, e, lb in spans if lb == label and s < te and ts < e} for spans in (first, second)]
                tables[label] += TokenTable(len(inside[0] & inside[1]), len(inside[0] - inside[1]),
                                            len(inside[1] - inside[0]), len(document.tokens) - len(inside[0] | inside[1]))
        assert pair.documents == shared
        for label in LABELS:
            assert pair.exact(label) == expected.exact.get(label), (pair.first, pair.second, label)
            assert pair.overlap(label) == expected.overlap.get(label), (pair.first, pair.second, label)
            assert pair.table(label) == tables[label], (pair.first, pair.second, label)
    assert result.documents == sum(1 for d in documents if len(d.spans) >= 2)
