"""Concurrent annotators on one PostgreSQL database: spans per second held, p95 latency of a tag, documents
handed out twice, and acknowledged spans lost when every process is killed with SIGKILL.

    python bench/team.py [--pg-url URL] [--processes 2,5,10] [--seconds 20] [--docs 1000] [--seed 0] [--json PATH]

URL is a server's maintenance database (default $ANNOTATOR_TEST_PG_URL); each run creates a throw-away database
there and drops it afterwards. Each process is one annotator working as the window does, through
annotator.services.annotation: it opens the next document to do (with its layers), tags tokens one key press at
a time (a caret and a label key: snapped to the token, then written), marks the document done and opens the
next. After every tag that returned it appends the span to a side file. The parent starts all processes at once
and kills each with SIGKILL at a seeded moment between half the run and its end; then every span that a side
file acknowledges must be in the database. The baseline is the same tags, in the same order, written by the
same number of processes as plain psycopg INSERTs, one transaction each.

Work is handed out by the shared queue the window uses (annotator.services.team): the lead assigns each annotator
a first document (`assign`, one annotator per document) and every later one is taken from the open pool, one
document per annotator, by the next-to-do of the window (SELECT ... FOR UPDATE SKIP LOCKED). A document is handed
out twice when it is opened by a second annotator, or again by the same one. The baseline has no hand-out: each
of its processes writes its tags through every document in the project's order.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
for _path in (str(ROOT), str(ROOT / "bench")):
    if _path not in sys.path:
        sys.path.insert(0, _path)

TAGS_PER_DOCUMENT = 8
READY_TIMEOUT = 120.0  # seconds for every process to open the database and load the tokenizer
EXIT_TIMEOUT = 30.0


@dataclass
class TeamRun:
    """What one run of `processes` processes of one kind ("ours" or "psycopg") measured."""

    kind: str
    processes: int
    seconds: float
    acknowledged: int
    held_per_second: float  # all processes together, while all of them were alive
    per_process: float  # the mean over processes of acknowledged spans / seconds alive
    p95_ms: float
    handed_twice: int | None  # None: the baseline hands nothing out
    lost: int
    unacknowledged_in_db: int  # a write in flight when its process was killed: at most one per process
    ran_out: int  # processes that finished every document before they were killed

    def line(self) -> str:
        return (f"{self.kind:<8} {self.processes:>2} processes: {self.held_per_second:8.1f} spans/s held "
                f"({self.per_process:6.1f} per process), p95 tag {self.p95_ms:6.2f} ms, {self.acknowledged} acked, "
                + (f"handed out twice {self.handed_twice}, " if self.handed_twice is not None else "")
                + f"lost {self.lost}, in flight {self.unacknowledged_in_db}"
                + (f", {self.ran_out} ran out of documents" if self.ran_out else ""))


# -- the database ---------------------------------------------------------------------------------------
def _driver_url(url: str) -> str:
    """The SQLAlchemy URL as libpq takes it."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


@contextmanager
def throwaway_database(server_url: str) -> Iterator[str]:
    """A new empty database on the server of `server_url`, dropped afterwards."""
    import psycopg

    name = f"annotator_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_driver_url(server_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server_url.rpartition('/')[0]}/{name}"
    finally:
        with psycopg.connect(_driver_url(server_url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def prepare(url: str, documents: int, names: list[str], seed: int, *, queues: bool = True) -> int:
    """The schema, a project with `documents` generated articles and the annotators; returns the project id.
    With `queues` the first len(names) documents are assigned one to each annotator (the project is in team
    mode) and the others are left open, to be taken from the shared queue."""
    from data import corpus

    from annotator.domain.documents import content_hash
    from annotator.services.team import assign
    from annotator.services.workspace import ensure_project, open_workspace

    ws = open_workspace(url)
    try:
        project = ensure_project(ws, "bench")
        texts = [text for text, _ in corpus(documents, 1500, seed=seed)]
        rows = [{"project_id": project.id, "position": i, "title": f"article {i}", "source": "bench", "text": t,
                 "meta": {}, "content_hash": content_hash(f"{i}:{t}")} for i, t in enumerate(texts)]
        first = len(names) if queues else 0
        with ws.unit() as repo:
            repo.bulk.insert_documents(rows[:first])
            for name in names:
                repo.owners.annotator_id(name)
        if queues:
            assign(ws, "bench", names, per_document=1, seed=seed)
        with ws.unit() as repo:
            repo.bulk.insert_documents(rows[first:])
        return project.id
    finally:
        ws.close()


# -- one annotator process ------------------------------------------------------------------------------
class SideFile:
    """What the process has done, one line a fact, written (to the kernel, which a SIGKILL does not undo) after
    the fact was acknowledged."""

    def __init__(self, path: Path) -> None:
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)

    def write(self, *fields: object) -> None:
        os.write(self._fd, (" ".join(map(str, fields)) + "\n").encode())


def _wait_for_go(side: SideFile) -> None:
    side.write("ready")
    if sys.stdin.readline().strip() != "go":  # the parent went away: nothing to measure
        raise SystemExit(0)


def _tags(rng: random.Random, text: str, labels: list[str], snap: Any) -> Iterator[tuple[str, int, int]]:
    """The key presses of one document: a caret at a random place and a label key, `snap` giving the token."""
    taken: set[tuple[str, int, int]] = set()
    for _ in range(TAGS_PER_DOCUMENT):
        caret = rng.randrange(len(text))
        label = rng.choice(labels)
        found = snap(caret)
        if found is None or (label, *found) in taken:  # tokens never overlap: the same token is the only clash
            continue
        taken.add((label, *found))
        yield label, found[0], found[1]


def work_ours(url: str, project_id: int, name: str, seed: int, side: SideFile) -> None:
    from annotator.domain.documents import Status
    from annotator.nlp.tokens import blank
    from annotator.services.annotation import Annotations
    from annotator.services.workspace import open_workspace

    notes = Annotations(open_workspace(url), project_id, name)
    labels = [label.name for label in notes.labels()]
    blank(notes.lang)
    rng = random.Random(seed)
    _wait_for_go(side)
    current = notes.first_document()
    while current is not None:
        side.write("open", current)
        document = notes.document(current)
        notes.layers(current)  # what the window draws on opening it
        for label, start, end in _tags(rng, document.text, labels, lambda c, d=document: notes.snapped(d, c, c)):
            began = time.perf_counter()
            span, _ = notes.add_span(current, label, start, end)
            took = time.perf_counter() - began
            side.write("ack", span.id, current, label, start, end, time.time(), took)
        notes.set_status(current, Status.DONE)
        current = notes.next_todo(current)
    side.write("ran-out")
    sys.stdin.readline()  # stay until the kill: a process that ended by itself would be a failure


def work_psycopg(url: str, project_id: int, name: str, seed: int, side: SideFile) -> None:
    import psycopg

    from annotator.domain.spans import token_at
    from annotator.nlp.tokens import blank, token_bounds

    conn = psycopg.connect(_driver_url(url), autocommit=True)
    label_ids = dict(conn.execute("SELECT name, id FROM label WHERE project_id = %s ORDER BY id", (project_id,)))
    annotator_id = conn.execute("SELECT id FROM annotator WHERE name = %s", (name,)).fetchone()[0]
    documents = conn.execute("SELECT id, text FROM document WHERE project_id = %s ORDER BY position",
                             (project_id,)).fetchall()
    lang = conn.execute("SELECT lang FROM project WHERE id = %s", (project_id,)).fetchone()[0]
    labels = list(label_ids)
    blank(lang)
    rng = random.Random(seed)
    _wait_for_go(side)
    for document_id, text in documents:
        side.write("open", document_id)
        bounds = token_bounds(text, lang)
        for label, start, end in _tags(rng, text, labels, lambda c, t=text, b=bounds: token_at(t, c, b)):
            began = time.perf_counter()
            span_id = conn.execute(
                'INSERT INTO span (document_id, annotator_id, label_id, start, "end", origin, created_at) '
                "VALUES (%s, %s, %s, %s, %s, 'manual', now()) RETURNING id",
                (document_id, annotator_id, label_ids[label], start, end)).fetchone()[0]
            took = time.perf_counter() - began
            side.write("ack", span_id, document_id, label, start, end, time.time(), took)
        conn.execute("INSERT INTO document_status (document_id, annotator_id, status, seconds, updated_at) "
                     "VALUES (%s, %s, 'done', 0, now()) ON CONFLICT (document_id, annotator_id) "
                     "DO UPDATE SET status = 'done'", (document_id, annotator_id))
    side.write("ran-out")
    sys.stdin.readline()


WORKERS = {"ours": work_ours, "psycopg": work_psycopg}


# -- the parent -----------------------------------------------------------------------------------------
def run_team(url: str, *, processes: int, seconds: float, documents: int, seed: int, kind: str = "ours",
             scratch: Path) -> TeamRun:
    """`processes` annotator processes of `kind` on the empty database `url`, killed within `seconds`."""
    names = [f"{kind}{i}" for i in range(processes)]
    project_id = prepare(url, documents, names, seed, queues=kind == "ours")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    sides = [scratch / f"{kind}-{processes}-{i}.side" for i in range(processes)]
    errors = [scratch / f"{kind}-{processes}-{i}.err" for i in range(processes)]
    procs = []
    for i, name in enumerate(names):
        sides[i].unlink(missing_ok=True)
        config = json.dumps({"url": url, "project": project_id, "name": name, "seed": seed * 1000 + i,
                             "side": str(sides[i]), "kind": kind})
        with errors[i].open("w") as err:
            procs.append(subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--worker", config],
                                          stdin=subprocess.PIPE, stderr=err, env=env, text=True))
    try:
        _await_ready(procs, sides, errors)
        rng = random.Random(seed)
        kills = sorted((rng.uniform(seconds / 2, seconds), i) for i in range(processes))
        started = time.time()
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        killed_at = [0.0] * processes
        for moment, i in kills:
            time.sleep(max(0.0, started + moment - time.time()))
            procs[i].send_signal(signal.SIGKILL)
            killed_at[i] = time.time()
    finally:
        for proc in procs:
            proc.kill()
            proc.wait(timeout=EXIT_TIMEOUT)
    for proc, error in zip(procs, errors, strict=True):
        if proc.returncode != -signal.SIGKILL:
            raise RuntimeError(f"an annotator process ended by itself ({proc.returncode}): "
                               f"{error.read_text()[-2000:]}")
    return _tally(url, kind, names, sides, started, killed_at, seconds)


def _await_ready(procs: list[subprocess.Popen[str]], sides: list[Path], errors: list[Path]) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while not all(side.exists() and side.read_text().startswith("ready") for side in sides):
        for proc, error in zip(procs, errors, strict=True):
            if proc.poll() is not None:
                raise RuntimeError(f"an annotator process failed to start: {error.read_text()[-2000:]}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"the annotator processes were not ready within {READY_TIMEOUT:.0f} s")
        time.sleep(0.05)


@dataclass
class Side:
    """One process's side file read back: the spans it acknowledged and what it was handed."""

    acked: dict[int, tuple[str, int, str, int, int]]  # span id -> (annotator, document, label, start, end)
    acked_at: list[float]
    latencies: list[float]
    handed_twice: int  # documents this process was given again
    ran_out: bool
    opened: Counter[int]  # document id -> times it was given to this process


def read_side(path: Path, name: str) -> Side:
    side = Side({}, [], [], 0, False, Counter())
    opened = side.opened
    for line in path.read_text().splitlines():
        fields = line.split()
        if fields[0] == "open":
            opened[int(fields[1])] += 1
        elif fields[0] == "ran-out":
            side.ran_out = True
        elif fields[0] == "ack" and len(fields) == 8:  # a line cut by the kill is no acknowledgement
            span_id, document_id, label, start, end = fields[1:6]
            side.acked[int(span_id)] = (name, int(document_id), label, int(start), int(end))
            side.acked_at.append(float(fields[6]))
            side.latencies.append(float(fields[7]))
    side.handed_twice = sum(n - 1 for n in opened.values())
    return side


def handed_twice(sides: list[Side]) -> int:
    """Documents given out beyond once, over every process: the shared queue gives each to one annotator once."""
    opened: Counter[int] = Counter()
    for side in sides:
        opened.update(side.opened)
    return sum(n - 1 for n in opened.values())


def stored_spans(url: str, names: list[str]) -> dict[int, tuple[Any, ...]]:
    """The annotators' spans in the database as the side files write them."""
    import psycopg

    with psycopg.connect(_driver_url(url)) as conn:
        return {row[0]: tuple(row[1:]) for row in conn.execute(
            'SELECT s.id, a.name, s.document_id, l.name, s.start, s."end" FROM span s '
            "JOIN annotator a ON a.id = s.annotator_id JOIN label l ON l.id = s.label_id WHERE a.name = ANY(%s)",
            (names,))}


def lost_spans(acked: dict[int, tuple[Any, ...]], stored: dict[int, tuple[Any, ...]]) -> list[int]:
    """The acknowledged spans that the database does not hold as they were acknowledged."""
    return sorted(span_id for span_id, span in acked.items() if stored.get(span_id) != span)


def _tally(url: str, kind: str, names: list[str], sides: list[Path], started: float, killed_at: list[float],
           seconds: float) -> TeamRun:
    read = [read_side(path, name) for path, name in zip(sides, names, strict=True)]
    all_alive_until = min(killed_at)
    acked = {k: v for side in read for k, v in side.acked.items()}
    held = sum(1 for side in read for moment in side.acked_at if moment <= all_alive_until)
    rates = [len(side.acked) / (killed - started) for side, killed in zip(read, killed_at, strict=True)]
    stored = stored_spans(url, names)
    return TeamRun(kind, len(names), seconds, len(acked), held / (all_alive_until - started),
                   statistics.fmean(rates), _p95([t for side in read for t in side.latencies]) * 1000,
                   handed_twice(read) if kind == "ours" else None, len(lost_spans(acked, stored)),
                   len(stored.keys() - acked.keys()), sum(side.ran_out for side in read))


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else sum(values)


def _worker(config_json: str) -> None:
    config = json.loads(config_json)
    WORKERS[config["kind"]](config["url"], config["project"], config["name"], config["seed"],
                            SideFile(Path(config["side"])))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg-url", default=os.environ.get("ANNOTATOR_TEST_PG_URL", ""),
                        help="a PostgreSQL server's maintenance database (default $ANNOTATOR_TEST_PG_URL)")
    parser.add_argument("--processes", default="2,5,10", help="comma-separated process counts")
    parser.add_argument("--seconds", type=float, default=20.0, help="each run lasts this long")
    parser.add_argument("--docs", type=int, default=1000, help="documents in the project")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        _worker(args.worker)
        return 0
    if not args.pg_url:
        parser.error("name a PostgreSQL server with --pg-url or $ANNOTATOR_TEST_PG_URL")
    from run import Result

    runs: list[TeamRun] = []
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="annotator-team-") as tmp:
        for n in (int(p) for p in args.processes.split(",")):
            pair = {}
            for kind in WORKERS:
                with throwaway_database(args.pg_url) as url:
                    pair[kind] = run_team(url, processes=n, seconds=args.seconds, documents=args.docs,
                                          seed=args.seed, kind=kind, scratch=Path(tmp))
                print(pair[kind].line(), flush=True)
                runs.append(pair[kind])
            ours, base = pair["ours"], pair["psycopg"]
            ratio = ours.held_per_second / base.held_per_second
            safe = ours.lost == 0 and ours.handed_twice == 0
            results.append(Result(f"team{n}", f"{n} annotator processes on PostgreSQL, SIGKILLed",
                                  ours.held_per_second, base.held_per_second, "spans/s", ratio,
                                  "0 lost, 0 handed twice", safe,
                                  f"p95 tag {ours.p95_ms:.1f} ms (psycopg {base.p95_ms:.1f} ms)"))
            print(results[-1].line(), flush=True)
    if args.json:
        args.json.write_text(json.dumps({"runs": [asdict(r) for r in runs],
                                         "results": [asdict(r) for r in results]}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
