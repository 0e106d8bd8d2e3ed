"""The claims table: one row per claim (a span of a statement label) with what it is linked to, its figures read as
numbers, its document and who marked it; written as CSV, JSON Lines or a Markdown table (`annotator claims`).

Columns follow the project's relation types (said_by, where, figure by default): nothing here names a label.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from annotator.domain.documents import Status
from annotator.domain.figures import figure_summary
from annotator.domain.layers import GOLD_NAME, Owner, OwnerKind
from annotator.domain.relations import RelationType
from annotator.domain.spans import Span
from annotator.errors import UsageError
from annotator.formats import output
from annotator.services.relations import (
    StoredFrames,
    figure_attrs,
    figure_labels,
    list_relation_types,
    project_types,
)
from annotator.services.workspace import Workspace, get_project

CLAIM_FORMATS = ("csv", "jsonl", "md")
BATCH = 500


@dataclass
class Claim:
    document: str
    position: int  # 1-based place of the document in the project
    document_id: int
    annotator: str
    status: str
    span: Span
    text: str
    links: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # relation type -> linked spans

    def as_json(self) -> dict[str, Any]:
        return {"document": self.document, "position": self.position, "document_id": self.document_id,
                "annotator": self.annotator, "status": self.status, "claim_id": self.span.id,
                "label": self.span.label, "start": self.span.start, "end": self.span.end, "text": self.text,
                "links": self.links}


def layer_owner(name: str) -> Owner:
    """`--layer`: a person's name, `gold`, or `model:NAME`."""
    if name == GOLD_NAME:
        return Owner.gold()
    kind, sep, model = name.partition(":")
    if sep and kind == OwnerKind.MODEL.value and model:
        return Owner.model(model)
    return Owner.person(name)


def claims(ws: Workspace, project: str, *, layer: str | None = None, status: str | None = None) -> Iterator[Claim]:
    """Every claim of the project in reading order (documents, then claims by position); `layer` keeps one
    owner's, `status` the claims whose document has that status for their owner."""
    wanted = _status(status)
    project_obj = get_project(ws, project)
    with ws.unit() as repo:
        owner_id = None
        if layer is not None:
            owner_id = repo.owners.owner_id(layer_owner(layer), create=False)
            if owner_id is None:
                names = ", ".join(str(o) for o in repo.owners.all())
                raise UsageError(f"there is no layer {layer!r}", hint=f"layers: {names or 'none yet'}")
        ids = repo.documents.ids(project_obj.id)
        statements = repo.labels.of_project(project_obj.id).statements()
        types = project_types(repo, project_obj.id)
    figures = figure_labels(types)
    positions = {doc_id: n for n, doc_id in enumerate(ids, start=1)}
    for i in range(0, len(ids), BATCH):
        chunk = ids[i:i + BATCH]
        found: list[Claim] = []
        with ws.unit() as repo:
            docs = repo.documents.batch(chunk)
            if owner_id is not None:
                spans = repo.spans.of_documents(chunk, owner_id)
            else:  # the people's and gold's claims; a model's suggestions are not claims anyone made
                spans = repo.spans.of_documents(chunk, None, owner_kind=OwnerKind.ANNOTATOR)
                for doc_id, gold in repo.spans.of_documents(chunk, None, owner_kind=OwnerKind.GOLD).items():
                    spans[doc_id] = sorted([*spans.get(doc_id, []), *gold], key=lambda s: (s.start, -s.end))
            frames = StoredFrames.read(repo, chunk, owner_id)
            owners: dict[str, int | None] = {}
            for doc_id, text, title, source, _meta in docs:
                links = [r for rs in frames.relations.get(doc_id, {}).values() for r in rs]
                for span in spans.get(doc_id, []):
                    if span.label not in statements:
                        continue
                    who = span.annotator or ""
                    if who not in owners:
                        owners[who] = repo.owners.annotator_id(who, create=False)
                    who_id = owners[who]
                    doc_status = Status.TODO.value if who_id is None else repo.statuses.get(doc_id, who_id)[0].value
                    if wanted is not None and doc_status != wanted:
                        continue
                    claim = Claim(title or source, positions[doc_id], doc_id, who, doc_status, span,
                                  text[span.start:span.end],
                                  {t.name: [] for t in types if t.head_label == span.label})
                    for relation in links:
                        if relation.head.id == span.id:
                            claim.links.setdefault(relation.type, []).append(
                                _linked(relation.child, text, frames, figures, project_obj.lang))
                    found.append(claim)
        yield from found


def _linked(child: Span, text: str, frames: StoredFrames, figures: frozenset[str], lang: str) -> dict[str, Any]:
    item: dict[str, Any] = {"id": child.id, "label": child.label, "start": child.start, "end": child.end,
                            "text": text[child.start:child.end]}
    if child.label in figures:
        attrs = frames.attrs.get(child.id or 0) or figure_attrs(item["text"], lang)
        item["figure"] = attrs
        item["reading"] = figure_summary(attrs)
    return item


def _status(status: str | None) -> str | None:
    if status is None:
        return None
    try:
        return Status(status).value
    except ValueError:
        raise UsageError(f"--status {status!r} is not a document status",
                         hint="one of " + ", ".join(s.value for s in Status)) from None


def _joined(items: Sequence[dict[str, Any]]) -> str:
    return " | ".join(item["text"] + (f" [{item['reading']}]" if item.get("reading") else "") for item in items)


def write_claims(rows: Iterator[Claim], handle: TextIO, fmt: str, types: Sequence[RelationType]) -> int:
    """Write `rows` to `handle` in `fmt`; returns how many claims were written."""
    names = list(dict.fromkeys(t.name for t in types))
    count = 0
    if fmt == "jsonl":
        for claim in rows:
            handle.write(json.dumps(claim.as_json(), ensure_ascii=False) + "\n")
            count += 1
        return count
    columns = ["document", "position", "annotator", "status", "claim", *names]
    if fmt == "csv":
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for claim in rows:
            writer.writerow([claim.document, claim.position, claim.annotator, claim.status, claim.text,
                             *(_joined(claim.links.get(name, [])) for name in names)])
            count += 1
        return count
    handle.write("| " + " | ".join(["#", "claim", *names, "document", "annotator", "status"]) + " |\n")
    handle.write("|" + " --- |" * (len(names) + 5) + "\n")
    for claim in rows:
        count += 1
        cells = [str(count), claim.text, *(_joined(claim.links.get(n, [])) for n in names),
                 f"{claim.document} ({claim.position})", claim.annotator, claim.status]
        handle.write("| " + " | ".join(_md_cell(c) for c in cells) + " |\n")
    return count


def _md_cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|") or " "


def export_claims(ws: Workspace, project: str, *, fmt: str = "csv", out: Path | None = None,
                  stdout: TextIO | None = None, layer: str | None = None, status: str | None = None) -> int:
    """The claims table to `out` (a new file: the export rules of annotator.formats.output) or to `stdout`."""
    if fmt not in CLAIM_FORMATS:
        raise UsageError(f"unknown claims format {fmt!r}", hint="choose one of " + ", ".join(CLAIM_FORMATS))
    rows = claims(ws, project, layer=layer, status=status)
    types = list_relation_types(ws, project)
    if out is None:
        buffer = io.StringIO() if stdout is None else stdout
        return write_claims(rows, buffer, fmt, types)
    protect = [ws.db.path] if ws.db.path is not None else []
    target = output.check(out, f"claims {fmt}", protect=protect)
    with output.staged(target) as path, path.open("w", encoding="utf-8", newline="") as handle:
        written = write_claims(rows, handle, fmt, types)
    return written

