"""Agreement between the annotators of a project, on the documents each pair annotated, over the language's tokens.

A document counts as annotated by someone when they have a span on it or a status other than todo; the
figures themselves are in annotator.domain.agreement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from annotator.domain.agreement import Agreement, AgreementCounter, AnnotatedDocument, PairAgreement
from annotator.domain.documents import Project
from annotator.errors import TooFewAnnotatorsError, UnknownLabelsError
from annotator.services.workspace import Workspace, get_project

BATCH = 500  # documents read per query: under every driver's bound-parameter limit


@dataclass(frozen=True, slots=True)
class AgreementReport:
    project: Project
    agreement: Agreement


def project_agreement(ws: Workspace, project: str, labels: Sequence[str] | None = None) -> AgreementReport:
    """Every pair of the project's annotators compared per label and overall (all labels, or `labels`)."""
    from annotator.nlp.tokens import token_offsets

    project_obj = get_project(ws, project)
    with ws.unit() as repo:  # one read transaction: every figure comes from the same state of the database
        names = [label.name for label in repo.labels.of_project(project_obj.id)]
        chosen = _chosen(names, labels)
        annotated = repo.documents.annotated_documents(project_obj.id)
        if len(annotated) < 2:
            who = ", ".join(sorted(name for name, _ in annotated.values())) or "nobody"
            raise TooFewAnnotatorsError(
                f"agreement needs two annotators; project {project_obj.name!r} has {len(annotated)} ({who})",
                hint="import another annotator's spans (annotator import FILE --annotator NAME) or annotate "
                     "with --annotator NAME")
        holders: dict[int, list[str]] = {}
        for name, documents in annotated.values():
            for document_id in documents:
                holders.setdefault(document_id, []).append(name)
        shared = sorted(d for d, names in holders.items() if len(names) > 1)
        counter = AgreementCounter([name for name, _ in annotated.values()], chosen)
        offsets = token_offsets(project_obj.lang)
        for i in range(0, len(shared), BATCH):
            chunk = shared[i : i + BATCH]
            texts = {row[0]: row[1] for row in repo.documents.batch(chunk)}
            spans: dict[int, dict[str, Sequence[Any]]] = {d: dict.fromkeys(holders[d], ()) for d in chunk}
            # By annotator id, not name: each annotator's own spans, whatever other rows share the name.
            for annotator_id, (name, documents) in annotated.items():
                theirs = [d for d in chunk if d in documents]
                for document_id, found in (repo.spans.of_documents(theirs, annotator_id) if theirs else {}).items():
                    spans[document_id][name] = found
            for document_id in chunk:
                counter.add(AnnotatedDocument(offsets(texts[document_id]), spans[document_id]))
    return AgreementReport(project_obj, counter.result())


def _chosen(names: list[str], wanted: Sequence[str] | None) -> list[str]:
    if wanted is None:
        return names
    unknown = [w for w in wanted if w not in names]
    if unknown or not wanted:
        raise UnknownLabelsError(f"--labels names {', '.join(map(repr, unknown)) or 'no label'}, which the "
                                 "project does not have", hint=f"its labels: {', '.join(names) or 'none'}")
    return list(dict.fromkeys(wanted))


# -- the report as text and as JSON ---------------------------------------------------------------------
def _figure(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _pair_rows(pair: PairAgreement, labels: Sequence[str]) -> list[list[str]]:
    rows = []
    for label in [*labels, None]:
        exact, overlap, table = pair.exact(label), pair.overlap(label), pair.table(label)
        rows.append([f"{pair.first} / {pair.second}", label or "(all)", str(pair.documents),
                     str(exact.tp + exact.fn), str(exact.tp + exact.fp), _figure(exact.f1), _figure(overlap.f1),
                     _figure(table.kappa), _figure(table.alpha), _figure(pair.u_alpha(label))])
    return rows


def _aligned(header: list[str], rows: list[list[str]], text_columns: int) -> list[str]:
    """Columns padded to their widest cell: the first `text_columns` to the left, the numbers to the right."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    return ["  ".join(cell.ljust(w) if i < text_columns else cell.rjust(w)
                      for i, (cell, w) in enumerate(zip(row, widths, strict=True))).rstrip()
            for row in [header, *rows]]


def report_lines(report: AgreementReport) -> list[str]:
    agreement = report.agreement
    labels = agreement.labels
    lines = [f"project {report.project.name} ({report.project.lang}): {len(agreement.annotators)} annotators, "
             f"{agreement.documents} documents annotated by two or more"]
    header = ["pair", "label", "documents", "spans 1st", "spans 2nd", "F1 exact", "F1 overlap", "kappa", "alpha",
              "u-alpha"]
    rows = [row for pair in agreement.pairs for row in _pair_rows(pair, labels)]
    lines += _aligned(header, rows, 2)
    lines.append("")
    lines.append("all annotators together (Krippendorff's alpha, a document someone did not annotate as missing):")
    alphas = [[label, _figure(agreement.alpha(label))] for label in labels] + [["(all)", _figure(agreement.alpha())]]
    lines += ["  " + line for line in _aligned(["label", "alpha"], alphas, 1)]
    return lines


def report_json(report: AgreementReport) -> dict[str, Any]:
    agreement = report.agreement

    def figures(pair: PairAgreement, label: str | None) -> dict[str, Any]:
        table = pair.table(label)
        return {"exact": pair.exact(label).as_dict(), "overlap": pair.overlap(label).as_dict(), "kappa": table.kappa,
                "alpha": table.alpha,
                "u_alpha": pair.u_alpha(label),
                "tokens": {"both": table.both, "first_only": table.first, "second_only": table.second,
                           "neither": table.neither}}

    return {
        "project": report.project.name,
        "language": report.project.lang,
        "annotators": list(agreement.annotators),
        "labels": list(agreement.labels),
        "documents": agreement.documents,
        "pairs": [{"first": pair.first, "second": pair.second, "documents": pair.documents,
                   "labels": {label: figures(pair, label) for label in agreement.labels},
                   "overall": figures(pair, None)} for pair in agreement.pairs],
        "all_annotators": {"alpha": {label: agreement.alpha(label) for label in agreement.labels},
                           "overall_alpha": agreement.alpha()},
    }
