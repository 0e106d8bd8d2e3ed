"""The links of the open document (the annotator's own layer), its figures' readings and the proposed links
(ghosts) not yet taken or dropped; no widgets.

Links change through undo commands (gui/commands.py: Link, Unlink, RemoveSpan), which save through the
services and then tell this object what the database holds. Proposed links are suggestions: they live here
until Enter takes them (stored, one undo step) or Backspace drops them (forgotten for this window's life).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from annotator.domain.documents import Changes
from annotator.domain.relations import Relation
from annotator.domain.spans import Span
from annotator.gui.commands import Link, Unlink
from annotator.services.linking import DocumentFrames, Linking
from annotator.services.relations import Frames, RemovedSpan, figure_attrs

if TYPE_CHECKING:
    from annotator.gui.session import DocumentSession

RelationKey = tuple[int | None, int | None, str]


def key_of(relation: Relation) -> RelationKey:
    return relation.head.id, relation.child.id, relation.type


class LinkState(QObject):
    changed = Signal()  # links, proposals or figure readings of the open document changed: repaint, relist

    def __init__(self, session: DocumentSession) -> None:
        super().__init__(session)
        self.session = session
        notes = session.annotations
        self.frames = Frames(notes.ws, notes.project_id, notes.annotator)
        self.linking = Linking(self.frames)
        self.shown = DocumentFrames()
        self.ghosts: list[Relation] = []
        self._dropped: set[RelationKey] = set()
        self._read: dict[int, dict[str, Any]] = {}  # readings made for display only, of figures stored without one
        # Every way a span comes (a key, a suggestion taken, a redo) ends in changes_made: a claim that comes
        # without links gets its links proposed there, whoever made it.
        session.changes_made.connect(self._on_session_changes_made)

    # -- reading ------------------------------------------------------------------------------------
    @property
    def relations(self) -> list[Relation]:
        return self.shown.relations

    def of_claim(self, span_id: int | None) -> list[Relation]:
        return [r for r in self.shown.relations if r.head.id == span_id]

    def ghosts_of(self, span_id: int | None) -> list[Relation]:
        return [r for r in self.ghosts if r.head.id == span_id]

    def carries(self, span_id: int) -> bool:
        """Whether removing the span takes links or attributes along (and its undo must bring them back)."""
        return span_id in self.shown.attrs or any(span_id in (r.head.id, r.child.id) for r in self.shown.relations)

    def figure(self, span_id: int | None) -> dict[str, Any] | None:
        """A figure span's reading: the stored one, else (a span imported or made before readings were stored)
        its text read now, as `annotator claims` does; None for a span of another label."""
        if span_id is None:
            return None
        stored = self.shown.attrs.get(span_id)
        if stored is not None:
            return stored
        span, doc = self.session.span(span_id), self.session.document
        if span is None or doc is None or span.label not in self.linking.figure_labels():
            return None
        if span_id not in self._read:
            self._read[span_id] = figure_attrs(doc.text[span.start:span.end], doc.lang)
        return self._read[span_id]

    def misfits(self, span: Span, label: str) -> list[Relation]:
        """The stored links of `span` whose relation type would not fit it relabelled as `label`."""
        types = {t.name: t for t in self.linking.types()}

        def fits(r: Relation) -> bool:
            head, child = (self._now(s, span.id, label) for s in (r.head, r.child))
            kind = types.get(r.type)
            return kind is not None and kind.fits(head, child)

        return [r for r in self.shown.relations if span.id in (r.head.id, r.child.id) and not fits(r)]

    def _now(self, end: Span, relabelled: int | None, label: str) -> Span:
        """A link's end as it is (or as it will be when it is the span being relabelled)."""
        if end.id == relabelled:
            return end._replace(label=label)
        if end.id is None:
            return end
        return self.session.span(end.id) or end

    def is_claim(self, span: Span) -> bool:
        return any(t.head_label == span.label for t in self.linking.types())

    def load(self, document_id: int | None) -> None:
        self.shown = DocumentFrames() if document_id is None else self.linking.read(document_id)
        self.ghosts = []
        self._read = {}
        self.changed.emit()

    # -- editing, through the undo stack ------------------------------------------------------------
    def toggle(self, head: Span, child: Span) -> str:
        """Link `child` to the claim `head` with the type their labels imply, or unlink it when linked;
        returns what was done, for the status bar ('' when nothing)."""
        doc = self.session.document
        kind = self.linking.type_between(head, child)
        if doc is None or kind is None:
            return ""
        made = next((r for r in self.of_claim(head.id) if r.child.id == child.id and r.type == kind.name), None)
        if made is not None:
            self.session.push(Unlink(self.session, doc.id, made))
            return f"unlinked {kind.name}"
        self.session.push(Link(self.session, doc.id, Relation(head, child, kind.name)))
        return f"linked as {kind.name}"

    def unlink(self, head: Span, child: Span) -> bool:
        doc = self.session.document
        made = [r for r in self.of_claim(head.id) if r.child.id == child.id]
        if doc is None or not made:
            return False
        self.session.push(*(Unlink(self.session, doc.id, r) for r in made), text="unlink")
        return True

    def propose(self, claim: Span) -> int:
        """Propose the links of a claim just made (ghosts); returns how many are proposed."""
        doc = self.session.document
        if doc is None or claim.id is None or not self.is_claim(claim):
            return 0
        found = [r for r in self.linking.proposals(doc, claim, self.session.spans, self.shown.relations)
                 if key_of(r) not in self._dropped]
        known = {key_of(r) for r in self.ghosts}
        self.ghosts.extend(r for r in found if key_of(r) not in known)
        if found:
            self.changed.emit()
        return len(found)

    def accept(self, claim_id: int | None) -> int:
        """Store every proposed link of the claim, as one undo step; returns how many."""
        doc = self.session.document
        pending = self.ghosts_of(claim_id)
        if doc is None or not pending:
            return 0
        self.ghosts = [r for r in self.ghosts if r.head.id != claim_id]
        self.session.push(*(Link(self.session, doc.id, r, origin="proposed") for r in pending),
                          text=f"accept {len(pending)} link{'s' if len(pending) != 1 else ''}")
        self.changed.emit()
        return len(pending)

    def reject(self, claim_id: int | None) -> int:
        pending = self.ghosts_of(claim_id)
        self._dropped.update(key_of(r) for r in pending)
        self.ghosts = [r for r in self.ghosts if r.head.id != claim_id]
        if pending:
            self.changed.emit()
        return len(pending)

    def set_figure(self, span_id: int, fields: dict[str, Any]) -> bool:
        """Save a FIGURE's reading at once (not an undo step: it changes no span and no link)."""
        with self.session.reporting():
            self.shown.attrs[span_id] = self.frames.set_figure(span_id, **fields)
            self.changed.emit()
            return True
        return False

    def _on_session_changes_made(self, changes: Changes) -> None:
        if self.session.document_id not in changes.documents or not changes.spans_added:
            return
        proposed = 0
        with self.session.reporting():
            for span_id in changes.spans_added:
                span = self.session.span(span_id)
                if span is not None and self.is_claim(span) and not self.of_claim(span_id) \
                        and not self.ghosts_of(span_id):
                    proposed += self.propose(span)
        if proposed:
            self.session.notice_posted.emit("links proposed (dashed): Enter takes them, Backspace drops them")

    # -- told by the commands and the session, after the database changed -----------------------------
    def add_span(self, document_id: int, label: str, start: int, end: int, *,
                 span_id: int | None = None) -> tuple[Span, Changes]:
        """A figure label's span is stored with its reading; any other takes the key press's one statement."""
        if label in self.linking.figure_labels():
            return self.frames.add_span(document_id, label, start, end, span_id=span_id)
        return self.session.annotations.add_span(document_id, label, start, end, span_id=span_id)

    def span_added(self, span: Span) -> None:
        doc = self.session.document
        if doc is not None and span.id is not None and span.label in self.linking.figure_labels():
            self.shown.attrs[span.id] = figure_attrs(doc.text[span.start:span.end], doc.lang)  # as stored
            self.changed.emit()

    def span_removed(self, span_id: int) -> None:
        def touches(r: Relation) -> bool:
            return span_id in (r.head.id, r.child.id)

        self.shown.relations = [r for r in self.shown.relations if not touches(r)]
        self.ghosts = [r for r in self.ghosts if not touches(r)]
        self.shown.attrs.pop(span_id, None)
        self.changed.emit()

    def readings_moved(self, span: Span, start: int, end: int) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """A figure's stored reading and the one its text at [start, end) gives, when the stored one is what its
        text gave (one edited by hand with Ctrl+Shift+F stays as it is: None, as for a span with none stored)."""
        doc = self.session.document
        stored = None if span.id is None else self.shown.attrs.get(span.id)
        if doc is None or stored is None or span.label not in self.linking.figure_labels():
            return None
        if stored != figure_attrs(doc.text[span.start:span.end], doc.lang):
            return None
        return stored, figure_attrs(doc.text[start:end], doc.lang)

    def span_moved(self, span: Span, attrs: dict[str, Any] | None = None) -> None:
        """A span's edges moved (the same row): its links now hold it as it is, and its reading is `attrs` when
        that was written too."""
        def now(s: Span) -> Span:
            return span if s.id == span.id else s

        self.shown.relations = [r._replace(head=now(r.head), child=now(r.child)) for r in self.shown.relations]
        self.ghosts = [r._replace(head=now(r.head), child=now(r.child)) for r in self.ghosts]
        if span.id is not None:
            self._read.pop(span.id, None)  # a figure's reading made for display is made again from its new text
            if attrs is not None:
                self.shown.attrs[span.id] = dict(attrs)
        self.changed.emit()

    def span_relabelled(self, span_id: int, label: str) -> None:
        """The links held keep the span's new label; proposed links it no longer fits go."""
        def renamed(r: Relation) -> Relation:
            return r._replace(head=self._now(r.head, span_id, label), child=self._now(r.child, span_id, label))

        self.shown.relations = [renamed(r) if span_id in (r.head.id, r.child.id) else r for r in self.shown.relations]
        types = {t.name: t for t in self.linking.types()}
        self.ghosts = [g for g in map(renamed, self.ghosts) if g.type in types and types[g.type].fits(g.head, g.child)]
        self.changed.emit()

    def span_restored(self, removed: RemovedSpan) -> None:
        if removed.span.id is not None and removed.attrs is not None:
            self.shown.attrs[removed.span.id] = dict(removed.attrs)
        known = {r.id for r in self.shown.relations}
        self.shown.relations.extend(r for r in removed.relations if r.id not in known)
        self.changed.emit()

    def relation_added(self, document_id: int, relation: Relation, changes: Changes) -> None:
        if document_id == self.session.document_id:
            self.shown.relations.append(relation)
            self.ghosts = [r for r in self.ghosts if key_of(r) != key_of(relation)]
            self.changed.emit()
        self.session.changes_made.emit(changes)

    def relation_removed(self, document_id: int, relation: Relation, changes: Changes) -> None:
        if document_id == self.session.document_id:
            self.shown.relations = [r for r in self.shown.relations if r.id != relation.id]
            self.changed.emit()
        self.session.changes_made.emit(changes)
