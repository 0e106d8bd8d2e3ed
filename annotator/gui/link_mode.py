"""Link mode: R on a claim numbers the spans it can link to; a digit, or Tab then Enter, links one (again
unlinks it); R on a linked candidate unlinks it; Escape leaves. Outside link mode, on a claim with proposed
links, Enter takes them all (one undo step) and Backspace drops them.

The keys are read by an event filter on the article, and only in those two cases: every other key goes on
to the window's actions (so Enter and Backspace on a suggested span stay the suggestions' keys).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent

from annotator.domain.spans import Span
from annotator.gui.session import DocumentSession
from annotator.gui.widgets.article_view import ArticleView
from annotator.gui.widgets.link_painter import LinkPainter

_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_DIGITS = {getattr(Qt.Key, f"Key_{n}"): n for n in range(1, 10)}


class LinkMode(QObject):
    notice_posted = Signal(str)

    def __init__(self, session: DocumentSession, article: ArticleView) -> None:
        super().__init__(article)
        self._session = session
        self._article = article
        self.head: Span | None = None
        self.candidates: list[Span] = []
        self.current = -1
        self.painter = LinkPainter()
        self.painter.set_colours({label.name: label.colour for label in session.labels})
        article.overlays.append(self._paint)
        session.links.changed.connect(self._on_links_changed)
        session.document_opened.connect(lambda _doc: self.leave())
        article.selection_changed.connect(lambda _start, _end: article.viewport().update())

    def install(self) -> None:
        """Read the article's keys; called after every other filter is installed, since Qt asks the filter
        installed last first: link mode's Enter must come before the suggestions' Enter (gui/suggestion_desk)."""
        self._article.installEventFilter(self)

    @property
    def active(self) -> bool:
        return self.head is not None

    def claim_at_caret(self) -> Span | None:
        caret = self._article.caret()
        start, end = self._article.selection()
        under = self._session.spans_over(start, end) if start != end else self._session.spans_at(caret)
        return next((s for s in under if self._session.links.is_claim(s)), None)

    def enter(self) -> None:
        """R: link mode on the claim at the caret; in link mode, R unlinks the chosen candidate or leaves."""
        if self.active:
            self._r_in_mode()
            return
        claim = self.claim_at_caret()
        if claim is None:
            self.notice_posted.emit("put the caret in a claim to link it (R)")
            return
        doc = self._session.document
        if doc is None:
            return
        with self._session.reporting():
            self.candidates = self._session.links.linking.candidates(doc, claim, self._session.spans)
        if not self.candidates:
            self.notice_posted.emit("nothing to link: mark its source, place or figure first")
            return
        self.head, self.current = claim, -1
        self.notice_posted.emit("link mode: a number (or Tab, Enter) links; again unlinks; Escape leaves")
        self._article.viewport().update()

    def leave(self) -> None:
        if self.head is not None:
            self.head, self.candidates, self.current = None, [], -1
            self._article.viewport().update()

    def linked_ids(self) -> frozenset[int]:
        if self.head is None:
            return frozenset()
        return frozenset(r.child.id for r in self._session.links.of_claim(self.head.id) if r.child.id is not None)

    def _pick(self, n: int) -> None:
        if self.head is None or not 0 <= n < len(self.candidates):
            return
        self.current = n
        done = self._session.links.toggle(self.head, self.candidates[n])
        if done:
            self.notice_posted.emit(f"{done}: {self._session.document.text[self.candidates[n].start:self.candidates[n].end]}"
                                    if self._session.document else done)

    def _r_in_mode(self) -> None:
        if self.head is not None and 0 <= self.current < len(self.candidates) \
                and self.candidates[self.current].id in self.linked_ids():
            self._session.links.unlink(self.head, self.candidates[self.current])
        else:
            self.leave()

    # -- keys -----------------------------------------------------------------------------------------
    def _handles(self, event: QKeyEvent) -> bool:
        key, plain = event.key(), event.modifiers() in (Qt.KeyboardModifier.NoModifier,
                                                        Qt.KeyboardModifier.KeypadModifier)
        if self.active:
            return (plain and (key in _DIGITS or key in _ENTER or key in (Qt.Key.Key_Tab, Qt.Key.Key_Escape,
                                                                           Qt.Key.Key_R))) \
                or key == Qt.Key.Key_Backtab
        if plain and (key in _ENTER or key == Qt.Key.Key_Backspace):
            claim = self.claim_at_caret()
            return claim is not None and bool(self._session.links.ghosts_of(claim.id))
        return False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress) or not isinstance(event, QKeyEvent):
            return False
        if not self._handles(event):
            if kind == QEvent.Type.KeyPress and self.active and event.key() not in (
                    Qt.Key.Key_Shift, Qt.Key.Key_Control, Qt.Key.Key_Alt, Qt.Key.Key_Meta):
                self.leave()  # any other key ends link mode and does what it does
            return False
        if kind == QEvent.Type.ShortcutOverride:
            event.accept()  # the key comes to us as a key press, not to the action (Tab, R, Enter) that has it
            return True
        self._key(event)
        return True

    def _key(self, event: QKeyEvent) -> None:
        key = event.key()
        if not self.active:
            claim = self.claim_at_caret()
            if claim is None:
                return
            if key in _ENTER:
                n = self._session.links.accept(claim.id)
                self.notice_posted.emit(f"{n} proposed link{'s' if n != 1 else ''} taken")
            else:
                n = self._session.links.reject(claim.id)
                self.notice_posted.emit(f"{n} proposed link{'s' if n != 1 else ''} dropped")
            return
        if key in _DIGITS:
            self._pick(_DIGITS[Qt.Key(key)] - 1)
        elif key == Qt.Key.Key_Tab:
            self.current = (self.current + 1) % len(self.candidates)
        elif key == Qt.Key.Key_Backtab:
            self.current = (self.current - 1) % len(self.candidates)
        elif key in _ENTER:
            self._pick(max(self.current, 0))
        elif key == Qt.Key.Key_R:
            self._r_in_mode()
        elif key == Qt.Key.Key_Escape:
            self.leave()
            self.notice_posted.emit("link mode left")
        self._article.viewport().update()

    # -- drawing --------------------------------------------------------------------------------------
    def _paint(self) -> None:
        links = self._session.links
        focus = self.head or self.claim_at_caret()
        focus_id = None if focus is None else focus.id
        counts: dict[int, tuple[Span, int]] = {}
        for relation in links.relations:
            if relation.head.id != focus_id and relation.head.id is not None:
                counts[relation.head.id] = (relation.head, counts.get(relation.head.id, (relation.head, 0))[1] + 1)
        self.painter.paint(self._article, self._session.offsets, links.of_claim(focus_id), links.ghosts,
                           counts.values(), self.candidates, self.current, self.linked_ids(), self.head)

    def _on_links_changed(self) -> None:
        if self.head is not None and self._session.span(self.head.id or -1) is None:
            self.leave()  # the claim was removed
        self.candidates = [s for s in self.candidates if self._session.span(s.id or -1) is not None]
        self._article.viewport().update()

    def set_labels(self) -> None:
        self.painter.set_colours({label.name: label.colour for label in self._session.labels})
