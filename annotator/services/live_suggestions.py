"""The window's suggestion sources for one open project, run on the document that opens (on the window's worker).

What is costly to make is made once and kept while the project stays open: the tagged strings and their matcher
(read once; read again, and only the strings that changed re-indexed, after the person tags or untags), the
trained model (loaded on first use; loaded again when a newer one is trained, e.g. from the window) and, for each
model source, the documents it already filled this session. Each source runs on its own: one that fails (a
missing package, a broken folder, a model that cannot load or run) is reported by name with its coded message,
and the others still run. Not thread-safe: one worker thread owns an instance (`tagged_changed` excepted).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from annotator import collector
from annotator.domain.documents import Project
from annotator.domain.layers import Owner
from annotator.domain.spans import Span
from annotator.errors import AnnotatorError, OccurrencesCappedError, SourceFailedError, SuggestionSourceError
from annotator.services.suggesting import TRAINED, FillSummary, layer_name, write_layer
from annotator.services.trained_models import trained_model_for, trained_source
from annotator.services.workspace import Workspace, get_project
from annotator.storage.suggestion_store import SuggestionStore

if TYPE_CHECKING:
    from annotator.nlp.suggest import Request, Source
    from annotator.nlp.suggest.occurrences import OccurrenceIndex

log = logging.getLogger(__name__)
RULES, OCCURRENCES = "rules", "occurrences"
BUILT_IN = (RULES, OCCURRENCES)  # quick: run first, so that their ghosts never wait for a model to load
REREAD_S = 300.0  # the tagged strings are read whole again this often: what other people tag (a team) joins


@dataclass
class LiveRun:
    """What a run did besides writing the layers: the sources that failed (name -> coded message), notes, and
    whether it ended early because the person left the document."""

    ran: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    left: bool = False  # the person left the document: the run ended at a pause point


class _Left(Exception):
    """Raised at a pause point of a run whose document the person has left: the run ends there, quietly."""


def runnable(name: str) -> bool:
    """Whether the window can run the layer `name` itself: a built-in source, `trained`, or a pipeline (a package
    or folder name; a long path stored by its end, "...", cannot be run again)."""
    return not name.startswith("...")


class LiveSources:
    def __init__(self, ws: Workspace, project: str) -> None:
        self._ws = ws
        self._project = project
        self._project_row: Project | None = None
        self._lock = threading.Lock()  # tagged_changed is called on the GUI thread
        self._stale = True  # the tagged strings must be read whole before occurrences run
        self._pending: list[tuple[tuple[int, ...], tuple[int, ...]]] = []  # (added, removed) span ids, in order
        self._read_at = 0.0
        self._counts: dict[str, dict[str, int]] = {}  # tagged string -> {label: times}
        self._by_span: dict[int, tuple[str, str]] = {}  # span id -> (string, label), to follow an untag
        self._index: OccurrenceIndex | None = None
        self._trained: tuple[Path, Source] | None = None
        self._pipelines: dict[str, Source] = {}
        self._filled: dict[str, set[int]] = {}  # model source -> documents it filled this session

    # -- told by the window (GUI thread) ----------------------------------------------------------
    def tagged_changed(self, added: Sequence[int] = (), removed: Sequence[int] = ()) -> None:
        """Spans were tagged (`added`), untagged (`removed`), or, with neither, changed in bulk (an import): the next
        run brings the strings occurrences looks for up to date, by those spans or by reading them all."""
        with self._lock:
            if added or removed:
                self._pending.append((tuple(added), tuple(removed)))
            else:
                self._stale = True

    def trained_folder(self) -> Path | None:
        """The project's latest trained model (a small file read), None when it has none."""
        return trained_model_for(self._project)

    # -- on the worker ----------------------------------------------------------------------------
    def run(self, document_id: int, sources: Sequence[str], still_wanted: Callable[[], bool] = lambda: True,
            pause: Callable[[], None] = lambda: None) -> LiveRun:
        """Run `sources` (in that order) on the document and store each one's spans as its layer.

        At each pause point (before the run, before each source, before each block of a source that works in
        blocks, before a layer is written) `pause` is called (the window's worker waits there while a document
        opens), then `still_wanted`: False (the person left the document) ends the run at once. A layer is written
        whole or not at all: the cut comes before its transaction, never inside it."""

        def point() -> None:
            pause()
            if not still_wanted():
                raise _Left

        out = LiveRun()
        try:
            self._run(document_id, sources, point, pause, out)
        except _Left:
            out.left = True
        return out

    def _run(self, document_id: int, sources: Sequence[str], point: Callable[[], None], pause: Callable[[], None],
             out: LiveRun) -> None:
        from annotator.nlp.suggest import Request

        point()
        project_id = self._project_id()
        assert self._project_row is not None
        with self._ws.unit() as repo:
            labels = repo.labels.of_project(project_id)
            text = repo.documents.texts([document_id]).get(document_id)
        if text is None:
            return
        request = Request(self._project_row.lang, text, labels, pause=point)
        for name in sources:
            point()
            try:
                spans = self._propose(name, document_id, request, pause, out)
            except SuggestionSourceError as e:  # the source's fault; a busy database is not, and reaches the window
                out.failed[name] = str(e)
                continue
            if spans is not None:
                point()
                write_layer(self._ws, project_id, layer_name(name), {document_id: spans}, FillSummary(name))
                if name != OCCURRENCES:
                    self._filled.setdefault(name, set()).add(document_id)
                out.ran.append(name)

    def _propose(self, name: str, document_id: int, request: Request, pause: Callable[[], None],
                 out: LiveRun) -> list[Span] | None:
        """The source's spans for the document; None when it has nothing new to say (filled already)."""
        if name == OCCURRENCES:
            return self._occurrences(request, pause, out)
        if name == TRAINED:
            source = self._trained_source()
            if source is None:
                return None
        elif not runnable(name):
            return None
        else:
            source = self._pipelines.get(name) or self._pipeline(name)
        if document_id in self._filled.get(name, ()) or (name != TRAINED and self._stored(name, document_id)):
            return None  # rules and pipelines say the same of the same text; `trained` did it with this model
        try:
            return source(request)
        except (AnnotatorError, _Left):
            raise
        except Exception as e:  # a model's own component failing: the window must keep working
            log.warning("suggestion source %r failed", name, exc_info=True)
            first = str(e).splitlines()[0] if str(e).strip() else ""
            raise SourceFailedError(f"suggestion source {name!r} failed: {type(e).__name__}{': ' if first else ''}"
                                    f"{first}", hint="switch it on again in the Suggest menu once it is mended") from e

    def _stored(self, name: str, document_id: int) -> bool:
        with self._ws.unit() as repo:
            owner = repo.owners.owner_id(Owner.model(layer_name(name)), create=False)
            return owner is not None and bool(SuggestionStore(repo.s).filled(owner, [document_id]))

    def _pipeline(self, name: str) -> Source:
        """The pipeline source `name`, loaded now even when every document it meets is filled already: one that
        is missing or broken is then said at once, not on the first document it has not seen."""
        from annotator.nlp.suggest import get_source
        from annotator.nlp.suggest.pipeline import PipelineSource, load

        source = get_source(name)  # `rules` and any other source registered under a name are no pipeline
        if isinstance(source, PipelineSource):
            load(name)
        self._pipelines[name] = source
        return source

    def _trained_source(self) -> Source | None:
        folder = self.trained_folder()
        if self._trained is not None and self._trained[0] == folder:
            return self._trained[1]
        self.close()  # a newer model: the old one goes, and what it filled is filled again
        source = trained_source(self._project) if folder is not None else None
        if folder is None or source is None:
            return None
        self._trained = (folder, source)
        return source

    def _occurrences(self, request: Request, pause: Callable[[], None], out: LiveRun) -> list[Span]:
        from annotator.nlp.suggest.occurrences import MAX_HITS

        index = self._tagged_index(request.lang, pause)
        found = index.find(request.text, pause=request.pause)
        if found.hits > len(found.spans):
            out.notes.append(str(OccurrencesCappedError(
                f"occurrences: {found.hits:,} places in this document repeat strings tagged in the project; the "
                f"first {MAX_HITS:,} are shown", hint="accept or reject them, or switch occurrences off in the "
                "Suggest menu")))
        return found.spans

    def _tagged_index(self, lang: str, pause: Callable[[], None] = lambda: None) -> OccurrenceIndex:
        """The matcher of the project's tagged strings: read whole the first time (and after an import, or every
        REREAD_S for what other people tag), else brought up to date with the spans tagged and untagged since.

        The read waits at `pause` between the texts it reads (the window's worker gives way to an open) but is not
        cut when the person leaves the document: the strings serve the next one. A read that fails leaves the
        strings to be read whole next time."""
        with self._lock:
            pending, self._pending = self._pending, []
            whole = (self._stale or self._index is None or self._index.lang != lang
                     or time.monotonic() - self._read_at > REREAD_S)
            self._stale = False  # before the read: a change made during it is read next time
        try:
            return self._read_index(lang, whole, pending, pause)
        except BaseException:
            with self._lock:
                self._stale = True  # the changes taken above are lost with it: all is read again
            raise

    def _read_index(self, lang: str, whole: bool, pending: list[tuple[tuple[int, ...], tuple[int, ...]]],
                    pause: Callable[[], None]) -> OccurrenceIndex:
        from annotator.nlp.suggest.occurrences import OccurrenceIndex

        project_id = self._project_id()
        if whole or self._index is None:
            self._read_at = time.monotonic()
            with collector.paused():  # 100,000s of small objects that form no cycles: no full passes over them
                with self._ws.unit() as repo:
                    rows = SuggestionStore(repo.s).tagged_spans(project_id, pause=pause)
                self._counts, self._by_span = {}, {}
                self._count(rows)
            if self._index is None or self._index.lang != lang:
                self._index = OccurrenceIndex(lang)
            self._index.update(self._counts)
            return self._index
        changed: set[str] = set()
        for added, removed in pending:
            for span_id in removed:
                self._uncount(span_id, changed)
            if added:
                for span_id in added:  # an edited span comes back as added: its old text goes first
                    self._uncount(span_id, changed)
                with self._ws.unit() as repo:
                    rows = SuggestionStore(repo.s).tagged_spans(project_id, added, pause=pause)
                changed |= self._count(rows)
        if changed:
            self._index.update(self._counts, changed)
        return self._index

    def _count(self, rows: Sequence[tuple[int, str, str]]) -> set[str]:
        for span_id, string, label in rows:
            self._by_span[span_id] = (string, label)
            labels = self._counts.setdefault(string, {})
            labels[label] = labels.get(label, 0) + 1
        return {string for _, string, _ in rows}

    def _uncount(self, span_id: int, changed: set[str]) -> None:
        found = self._by_span.pop(span_id, None)
        if found is not None:
            string, label = found
            self._counts[string][label] -= 1
            changed.add(string)

    def _project_id(self) -> int:
        if self._project_row is None:
            self._project_row = get_project(self._ws, self._project)
        return self._project_row.id

    def close(self) -> None:
        """Let the trained model go (its memory), and forget what it filled."""
        if self._trained is not None:
            from annotator.nlp.suggest.pipeline import forget

            forget(str(self._trained[0]))
        self._trained = None
        self._filled.pop(TRAINED, None)
