"""The team dashboard's figures: documents finished per person per day, spans per label, agreement per label, and
the time a finished document took; the window's dialog and `annotator stats --chart` draw the same figures."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from annotator.domain.layers import OwnerKind
from annotator.domain.matching import Counts
from annotator.errors import TooFewAnnotatorsError
from annotator.services.labels import list_labels
from annotator.services.workspace import Workspace, get_project
from annotator.storage.dashboard_store import DashboardStore

DAYS = 14  # the days the chart of finished documents shows, ending on the last day anyone finished one
GOLD = "gold"


@dataclass(frozen=True)
class LabelAgreement:
    alpha: float | None  # Krippendorff's alpha over all annotators (tokens)
    f1_overlap: float | None  # span F1 with token-overlap match, every pair's matches pooled


@dataclass(frozen=True)
class Dashboard:
    project: str
    labels: tuple[str, ...]
    colours: dict[str, str]  # label -> its colour
    people: tuple[str, ...]
    days: tuple[date, ...] = ()
    done_per_day: dict[str, list[int]] = field(default_factory=dict)  # person -> finished documents per day
    spans: dict[str, dict[str, int]] = field(default_factory=dict)  # person or "gold" -> label -> spans
    agreement: dict[str, LabelAgreement] = field(default_factory=dict)  # label -> figures; empty: see the note
    agreement_note: str = ""
    seconds: dict[str, list[float]] = field(default_factory=dict)  # person -> seconds per finished document

    def median_minutes(self, person: str) -> float | None:
        spent = [s for s in self.seconds.get(person, ()) if s > 0]
        return statistics.median(spent) / 60 if spent else None


def dashboard(ws: Workspace, project: str) -> Dashboard:
    """Every figure of the dashboard for `project`, the agreement among its annotators included."""
    project_obj = get_project(ws, project)
    labels = list_labels(ws, project)
    with ws.unit() as repo:
        store = DashboardStore(repo.s)
        finished = store.finished(project_obj.id)
        span_rows = store.spans_per_label(project_obj.id)
    names = tuple(label.name for label in labels)
    spans: dict[str, dict[str, int]] = {}
    for kind, who, label, n in sorted(span_rows, key=lambda r: (r[0] == OwnerKind.GOLD.value, r[1])):
        spans.setdefault(GOLD if kind == OwnerKind.GOLD.value else who, {})[label] = n
    people = tuple(sorted({who for who, _, _ in finished} | {w for w in spans if w != GOLD}))
    days, per_day = _per_day(finished, people)
    seconds: dict[str, list[float]] = {}
    for who, _, spent in finished:
        seconds.setdefault(who, []).append(spent)
    agreement, note = _agreement(ws, project, names)
    return Dashboard(project_obj.name, names, {label.name: label.colour for label in labels}, people, days,
                     per_day, spans, agreement, note, seconds)


def _per_day(finished: list[tuple[str, datetime, float]], people: tuple[str, ...]) -> tuple[
        tuple[date, ...], dict[str, list[int]]]:
    if not finished:
        return (), {}
    local = [(who, when.astimezone().date()) for who, when, _ in finished]
    last = max(day for _, day in local)
    days = tuple(last - timedelta(days=n) for n in range(DAYS - 1, -1, -1))
    first = min(day for _, day in local)
    days = tuple(d for d in days if d >= first)  # a team that started three days ago gets three days
    index = {day: i for i, day in enumerate(days)}
    per_day = {who: [0] * len(days) for who in people}
    for who, day in local:
        if day in index:
            per_day[who][index[day]] += 1
    return days, per_day


def _agreement(ws: Workspace, project: str, labels: tuple[str, ...]) -> tuple[dict[str, LabelAgreement], str]:
    from annotator.services.agreement import project_agreement  # numpy: kept off the window's start-up

    try:
        report = project_agreement(ws, project)
    except TooFewAnnotatorsError:
        return {}, "agreement needs two annotators of the same documents"
    figures = {}
    for label in labels:
        pooled = sum((pair.overlap(label) for pair in report.agreement.pairs), Counts())
        figures[label] = LabelAgreement(report.agreement.alpha(label), pooled.f1)
    note = (f"{len(report.agreement.annotators)} annotators, {report.agreement.documents} documents annotated by "
            "two or more")
    return figures, note
