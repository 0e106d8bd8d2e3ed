"""Team mode: PostgreSQL roles and policies (`team init`), assignments and queues (`assign`)."""

from __future__ import annotations

import os
import random
from collections import Counter
from dataclasses import dataclass, field

from annotator.errors import AssignmentError, NeedsPostgresError, PermissionDeniedError
from annotator.services.workspace import Workspace, get_project, retried
from annotator.storage import assignments, team
from annotator.storage.repository import Repository

NAME_LIMIT = team.MAX_ROLE


def _names(raw: list[str], what: str) -> list[str]:
    names = list(dict.fromkeys(n.strip() for n in raw if n.strip()))
    if not names:
        raise AssignmentError(f"no {what} given", hint="e.g. --annotators ana,ben,cy")
    for name in names:
        if len(name.encode()) > NAME_LIMIT:
            raise AssignmentError(f"the name {name[:20]!r}... is longer than PostgreSQL's {NAME_LIMIT} bytes",
                                  hint="use a shorter name: it is the person's database role")
    return names


def split_names(value: str) -> list[str]:
    return [n.strip() for n in value.split(",")]


def init_team(ws: Workspace, *, lead: str | None, annotators: list[str]) -> team.TeamSetup:
    """Roles (made without passwords when absent), grants and row-level security policies; idempotent."""
    if ws.db.is_sqlite:
        raise NeedsPostgresError(f"team init needs a PostgreSQL database; {ws.where} is a SQLite file",
                                 hint="on one machine every annotator works under their name as before; "
                                      "for a team use --db postgresql+psycopg://lead@host/news")
    people = _names(annotators, "annotators")
    if lead is not None:
        _names([lead], "lead")
    try:
        with ws.unit() as repo:
            return team.set_up_team(repo, lead.strip() if lead else None, people)
    except PermissionDeniedError as e:
        raise PermissionDeniedError(f"team init was refused by {ws.where}: it must run as the tables' owner "
                                    "with the right to create roles", hint="connect as the database's owner "
                                    "(or a superuser) for team init; annotators and the lead connect as themselves"
                                    ) from e


def connected_role(ws: Workspace) -> str | None:
    """Who works on a PostgreSQL connection when no --annotator is given: the role logged in as (team mode's
    policies key on it), unless $ANNOTATOR_USER names someone; None on SQLite."""
    if ws.db.is_sqlite or os.environ.get("ANNOTATOR_USER"):
        return None
    with ws.unit() as repo:
        return team.current_role(repo)


def may_write_gold(ws: Workspace) -> bool:
    """Whether this user may write gold: always on SQLite; on PostgreSQL the lead (or the tables' owner)."""
    with ws.unit() as repo:
        return team.may_write_gold(repo.s.connection())


@dataclass
class AssignSummary:
    added: Counter[str] = field(default_factory=Counter)
    documents: int = 0
    complete_before: int = 0  # documents that already had their k annotators

    def lines(self) -> list[str]:
        if not self.added:
            return [f"nothing to assign: all {self.documents:,} document(s) already have their annotators"]
        per = ", ".join(f"{who} {n}" for who, n in sorted(self.added.items()))
        return [f"assigned {sum(self.added.values()):,} document(s) ({per}); "
                f"{self.complete_before:,} of {self.documents:,} had their annotators already"]


@retried
def assign(ws: Workspace, project: str, annotators: list[str], *, per_document: int, seed: int = 0) -> AssignSummary:
    """Give each document of the project to `per_document` of `annotators`, the least loaded first (seeded
    ties), so that their counts differ by at most one. Documents that have their annotators are left as they
    are: running it again after an import assigns only the new documents."""
    people = _names(annotators, "annotators")
    if not 1 <= per_document <= len(people):
        raise AssignmentError(f"--per-document {per_document} cannot be met by {len(people)} annotator(s)",
                              hint=f"give a number from 1 to {len(people)}")
    project_id = get_project(ws, project).id
    rng = random.Random(seed)
    summary = AssignSummary()
    with ws.unit() as repo:
        repo.projects.lock(project_id)  # two leads assigning at once take turns
        ids = {name: repo.owners.annotator_id(name) for name in people}
        held: dict[int, set[str]] = {}
        load: Counter[str] = Counter({name: 0 for name in people})
        for doc, name in assignments.project_assignments(repo, project_id):
            held.setdefault(doc, set()).add(name)
            if name in load:
                load[name] += 1
        positions = assignments.last_positions(repo, list(ids.values()))
        next_position = {name: positions.get(ids[name], -1) + 1 for name in people}
        documents = repo.documents.ids(project_id)
        summary.documents = len(documents)
        rows = []
        for doc in documents:
            have = held.get(doc, set()) & set(people)
            missing = per_document - len(have)
            if missing <= 0:
                summary.complete_before += 1
                continue
            candidates = [p for p in people if p not in have]
            rng.shuffle(candidates)
            for name in sorted(candidates, key=lambda p: load[p])[:missing]:  # stable: the shuffle breaks ties
                rows.append({"document_id": doc, "annotator_id": ids[name], "position": next_position[name]})
                next_position[name] += 1
                load[name] += 1
                summary.added[name] += 1
        assignments.add_assignments(repo, rows)
    return summary


def take_open(ws: Workspace, project: str, annotator: str) -> int | None:
    """Hand the annotator the next document nobody has (the open queue); None when every one is taken."""
    project_id = get_project(ws, project).id
    with ws.unit() as repo:
        annotator_id = repo.owners.annotator_id(annotator)
    return claim_open(ws, project_id, annotator_id)


@retried
def claim_open(ws: Workspace, project_id: int, annotator_id: int) -> int | None:
    with ws.unit() as repo:  # its own transaction: on SQLite the write must be its first statement
        return assignments.claim_open(repo, project_id, annotator_id)


def has_queue(repo: Repository, project_id: int, annotator_id: int) -> bool:
    return assignments.has_queue(repo, project_id, annotator_id)


def next_in_queue(repo: Repository, project_id: int, annotator_id: int,
                  after_document: int | None) -> tuple[bool, int | None]:
    """(whether the project hands out work by queues, the annotator's next document in theirs). Without any
    queue in the project, (False, None): the next document to do is found as before team mode."""
    if assignments.has_queue(repo, project_id, annotator_id):
        return True, assignments.next_assigned(repo, project_id, annotator_id, after_document)
    return assignments.team_mode(repo, project_id), None


def queue_progress(ws: Workspace, project_id: int) -> dict[str, dict[str, int]]:
    with ws.unit() as repo:
        progress = assignments.queue_progress(repo, project_id)
    return {name: {"assigned": n, "done": done} for name, (n, done) in progress.items()}
