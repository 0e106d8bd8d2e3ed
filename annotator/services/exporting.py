"""Export: a project's documents and spans to spaCy DocBin (train/dev + config) or another tool's format."""

from __future__ import annotations

import dataclasses
import random
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from annotator import formats
from annotator.domain.documents import Status
from annotator.domain.layers import OwnerKind
from annotator.domain.names import printable
from annotator.domain.records import DocumentRecord, SpanRecord
from annotator.domain.spans import Span, snap
from annotator.errors import UsageError, listed
from annotator.formats import output
from annotator.formats._label_names import LabelNames
from annotator.services.export_layers import LayerChoice, choose_layer, person_id
from annotator.services.relations import StoredFrames, lazy_tokens
from annotator.services.workspace import Workspace, get_project, state_dir

EXPORT_LEDGER = "exports.json"
EXPORT_FORMATS = ("spacy", "prodigy", "doccano", "labelstudio", "brat", "conll")
BATCH = 500


@dataclass
class ExportSummary:
    format: str
    out: Path
    documents: int = 0
    spans: int = 0  # the spans the files hold
    train: int = 0
    dev: int = 0
    moved: int = 0
    # (document, start, end, label, why): spaCy: spans in doc.spans but not in doc.ents; CoNLL: spans not
    # written. The list may hold only the first ones; the counts (by why) are of all.
    left_out_of_ents: list[tuple[str, int, int, str, str]] = field(default_factory=list)
    left_out_counts: dict[str, int] = field(default_factory=dict)
    suggester_max: int = 0  # spaCy: the spancat suggester's max_size in config.cfg
    longest_span_tokens: int = 0
    # (document, start, end, label, tokens): the first spaCy spans longer than the suggester proposes
    too_long_for_suggester: list[tuple[str, int, int, str, int]] = field(default_factory=list)
    too_long_count: int = 0
    files: list[Path] = field(default_factory=list)
    renamed_labels: dict[str, str] = field(default_factory=dict)  # our name -> the name in the file
    layer: str = ""  # whose spans, and why when it was the default: LayerChoice.describe()

    def lines(self) -> list[str]:
        where = printable(str(self.out))  # a file name need not be UTF-8
        out = [f"wrote {self.documents} documents and {self.spans} spans to {where}"]
        if self.layer:
            out.append(f"the spans of {self.layer}")
        if self.format == "spacy":
            out.append(f"train: {self.train} documents, dev: {self.dev} documents; config: "
                       f"{printable(str(self.out / 'config.cfg'))}")
            out.append(f"the spancat suggester proposes spans of 1 to {self.suggester_max} tokens "
                       f"(the longest span has {self.longest_span_tokens})")
            if self.too_long_count:
                out.append(f"{self.too_long_count} span(s) are longer than the suggester proposes, "
                           "so the trained spancat cannot find them:")
                out.extend(listed([f"{doc} [{s}:{e}] {label}: {n} tokens"
                                    for doc, s, e, label, n in self.too_long_for_suggester], self.too_long_count))
        if self.left_out_counts:
            total = sum(self.left_out_counts.values())
            counts = ", ".join(f"{n} {reason}" for reason, n in self.left_out_counts.items())
            where = "kept in doc.spans but left out of doc.ents" if self.format == "spacy" else (
                "left out of the file: CoNLL has one tag per token")
            out.append(f"{total} span(s) {where} ({counts}):")
            out.extend(listed([f"{doc} [{s}:{e}] {label}: {reason}"
                                for doc, s, e, label, reason in self.left_out_of_ents], total))
        if self.moved and self.format == "brat":
            out.append(f"{self.moved} span(s) began or ended between the CR and LF of a line break, where brat "
                       "cannot point: they take the whole line break in the .ann")
        elif self.moved:
            out.append(f"{self.moved} span(s) were snapped outward to whole tokens (--align expand)")
        if self.renamed_labels:
            pairs = ", ".join(f"{ours!r} as {theirs!r}" for ours, theirs in self.renamed_labels.items())
            out.append(f"labels written under another name ({self.format} cannot hold their names; "
                       f"importing the export gives the names back): {pairs}")
        return out


def documents_with_spans(ws: Workspace, ids: list[int], layer: LayerChoice,
                         per_annotator: bool) -> Iterator[tuple[int, DocumentRecord]]:
    """Stream documents (in the order of `ids`) with the spans of `layer` in batches: memory stays flat in the
    corpus size. Export and training read their documents through it.

    With no owner chosen the spans of every person come along; `per_annotator` yields one record per person.
    """
    annotator = layer.person
    every_person = OwnerKind.ANNOTATOR if layer.owner is None else None
    for i in range(0, len(ids), BATCH):
        chunk = ids[i : i + BATCH]
        with ws.unit() as repo:
            docs = repo.documents.batch(chunk)
            relations = repo.relations.of_documents(chunk, layer.owner_id)
            # Without relations in the batch, the spans come as records with their attributes in one read (the
            # fast path of a span-dense export); with them, as spans with their ids, which the links point at.
            plain = not per_annotator and not any(relations.values())
            if plain:
                records = repo.spans.records(chunk, layer.owner_id, owner_kind=every_person)
            else:
                frames = StoredFrames(relations, repo.relations.attrs_of_documents(chunk, layer.owner_id))
                spans = repo.spans.of_documents(chunk, layer.owner_id, owner_kind=every_person)
        order = {doc_id: n for n, doc_id in enumerate(chunk)}
        docs.sort(key=lambda d: order[d[0]])
        for doc_id, text, title, source, meta in docs:
            if per_annotator:
                doc_spans = spans.get(doc_id, [])
                # One record per annotator keeps each annotator's spans apart, so re-importing keeps them all.
                by_who: dict[str | None, list[Span]] = {}
                for s in doc_spans:
                    by_who.setdefault(s.annotator, []).append(s)
                for who, group in (by_who or {None: []}).items():
                    yield doc_id, frames.record(DocumentRecord(text, (), meta, title, source, who), doc_id, group)
            else:
                if plain:
                    yield doc_id, DocumentRecord(text, tuple(records.get(doc_id, ())), meta, title, source, annotator)
                else:
                    yield doc_id, frames.record(DocumentRecord(text, (), meta, title, source, annotator), doc_id,
                                                spans.get(doc_id, []))


def export(
    ws: Workspace,
    *,
    fmt: str,
    out: Path,
    project: str,
    annotator: str | None = None,
    layer: str | None = None,
    split: float = 0.8,
    seed: int = 0,
    spans_key: str = "sc",
    align: str = "strict",
    only_done: bool = False,
    replace: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ExportSummary:
    """Write the project's documents; spaCy exports are checked against token boundaries first.

    `out` must be new (or an empty folder, for spaCy and brat); `replace` lets a previous export of the same
    format there be replaced, as one unit. The database and its companion files are never written.
    `layer` names whose spans (a person, gold, a model); by default the annotator's, else gold when the
    project has gold spans, else every person's (services/export_layers.py).
    """
    if fmt not in EXPORT_FORMATS:
        raise UsageError(f"unknown export format {fmt!r}", hint=f"choose one of {', '.join(EXPORT_FORMATS)}")
    if align not in ("strict", "expand"):
        raise UsageError(f"--align must be strict or expand, not {align!r}")
    if not 0.0 < split <= 1.0:
        raise UsageError(f"--split must be between 0 and 1, not {split}")
    project_obj = get_project(ws, project)
    with ws.unit() as repo:
        choice = choose_layer(repo, project_obj.id, layer, annotator)
        done_by = annotator or choice.person  # gold and models mark nothing done: a person must say whose
        if only_done and done_by is None:
            raise UsageError("--only-done needs --annotator: done is a status per annotator")
        if only_done:
            assert done_by is not None
            ids = repo.documents.ids(project_obj.id, annotator_id=person_id(repo, done_by), status=Status.DONE)
        else:
            ids = repo.documents.ids(project_obj.id)
        labels = repo.labels.of_project(project_obj.id)
    label_names = labels.names()
    if not ids:
        raise UsageError(f"project {project!r} has no documents to export")
    # Every person's spans is what an export took before layers: said only when it is another layer.
    summary = ExportSummary(fmt, out, layer="" if choice.owner is None else choice.describe())
    total = len(ids)
    protect = [ws.db.path] if ws.db.path is not None else []
    # Checked before any document is read, so that a refused --out costs nothing.
    ledger = state_dir() / EXPORT_LEDGER  # the exports written on this machine: what --replace may replace
    target = output.check(out, fmt, replace=replace, protect=protect, ledger=ledger)

    def counted(records: Iterator[tuple[int, DocumentRecord]]) -> Iterator[DocumentRecord]:
        for n, (_doc_id, record) in enumerate(records, start=1):
            summary.spans += len(record.spans)
            if progress and n % 100 == 0:
                progress(n, total)
            yield record

    if fmt == "spacy":
        _export_spacy(ws, project_obj.lang, ids, choice, target, split, seed, spans_key,
                      align == "expand", summary, progress, labels.statements())
    elif fmt == "conll":
        names = LabelNames.conll(label_names)
        _export_conll(ws, project_obj.lang, ids, choice, target, align == "expand", summary,
                      counted, names)
        summary.renamed_labels = names.renamed
    else:
        records = documents_with_spans(ws, ids, choice, choice.owner is None)
        moved: list[tuple[str, SpanRecord]] = []
        if fmt == "brat":
            brat_names = LabelNames.brat(label_names)
            summary.documents = formats.write(counted(records), out, fmt, target=target, label_names=brat_names,
                                              moved=moved)
            summary.renamed_labels = brat_names.renamed
        elif fmt == "prodigy":  # rel.manual's relations count tokens
            summary.documents = formats.write(counted(records), out, fmt, target=target,
                                              tokenize=lazy_tokens(project_obj.lang))
        else:
            summary.documents = formats.write(counted(records), out, fmt, target=target)
        summary.moved = len(moved)
        summary.files = [out]
    return summary


def _export_conll(ws: Workspace, lang: str, ids: list[int], layer: LayerChoice, target: output.Target,
                  expand: bool, summary: ExportSummary,
                  counted: Callable[..., Iterator[DocumentRecord]], label_names: LabelNames | None = None) -> None:
    """CoNLL IOB2 on the language's tokens: one tag per token, so overlapping spans are left out and listed."""
    from annotator.nlp.tokens import token_bounds, token_offsets

    def aligned(records: Iterator[tuple[int, DocumentRecord]]) -> Iterator[tuple[int, DocumentRecord]]:
        for doc_id, record in records:
            if expand and record.spans:
                bounds = token_bounds(record.text, lang)
                spans = []
                for span in record.spans:
                    snapped = snap(record.text, span.start, span.end, bounds) or (span.start, span.end)
                    summary.moved += snapped != (span.start, span.end)
                    spans.append(SpanRecord(*snapped, span.label))
                record = dataclasses.replace(record, spans=tuple(dict.fromkeys(spans)))
            yield doc_id, record

    dropped: list[tuple[str, SpanRecord]] = []
    records = counted(aligned(documents_with_spans(ws, ids, layer, False)))
    summary.documents = formats.write(records, target.out, "conll", target=target, drop_overlaps=True,
                                      dropped=dropped, tokenize=token_offsets(lang), label_names=label_names)
    summary.left_out_of_ents = [(name, s.start, s.end, s.label, "overlaps a longer span") for name, s in dropped]
    summary.left_out_counts = dict(Counter(reason for *_, reason in summary.left_out_of_ents))
    summary.spans -= len(dropped)  # the count says what the file holds
    summary.files = [target.out]


def _export_spacy(ws: Workspace, lang: str, ids: list[int], layer: LayerChoice, target: output.Target,
                  split: float, seed: int, spans_key: str, expand: bool, summary: ExportSummary,
                  progress: Callable[[int, int], None] | None, statements: frozenset[str]) -> None:
    """train.spacy, dev.spacy and config.cfg, written together in a staging folder and moved into place as one
    unit (docs/adr/0005): a killed export leaves the previous three whole, never a new train beside an old dev."""
    from annotator.nlp.docbin import DocBinWriter

    shuffled = list(ids)
    random.Random(seed).shuffle(shuffled)
    n_train = round(len(shuffled) * split)
    if len(shuffled) >= 2:  # spacy train needs at least one document on each side
        n_train = min(max(n_train, 1), len(shuffled) - 1)
    train_ids = set(shuffled[:n_train])
    with output.staged(target) as folder:
        writer = DocBinWriter(folder, lang, statements=statements, spans_key=spans_key, expand=expand)
        try:
            for n, (doc_id, record) in enumerate(documents_with_spans(ws, ids, layer, False), start=1):
                name = f"{record.title or record.source or 'document'} (id {doc_id})"
                writer.add(name, record.text, record.spans, "train" if doc_id in train_ids else "dev",
                           record.relations)
                if progress and n % 100 == 0:
                    progress(n, len(ids))
        except BaseException:  # a bad option found late, a database error, Ctrl+C: leave nothing behind
            writer.abort()
            raise
        report = writer.commit()
    out = target.out
    summary.documents = report.documents["train"] + report.documents["dev"]
    summary.train = report.documents["train"]
    summary.dev = report.documents["dev"]
    summary.spans = report.spans
    summary.moved = report.moved
    summary.left_out_of_ents = report.left_out_of_ents
    summary.left_out_counts = report.left_out_counts
    summary.suggester_max = report.suggester_max
    summary.longest_span_tokens = report.longest_span_tokens
    summary.too_long_for_suggester = report.too_long_for_suggester
    summary.too_long_count = report.too_long_count
    summary.files = [out / "train.spacy", out / "dev.spacy", out / "config.cfg"]
