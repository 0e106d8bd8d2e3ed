"""Every command of the window as data: id, text, default shortcuts, tip, menu and where it listens.

Label actions are made from the project's label set (each label's key and alt key). The main window
builds QActions from this table and connects each id to a handler; the shortcut sheet shows it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

from annotator.domain.labels import Label, LabelSet

WINDOW = "window"  # active anywhere in the window
ARTICLE = "article"  # plain keys: active only while the article (not a text box) has the focus


@dataclass(frozen=True, slots=True)
class ActionSpec:
    id: str
    text: str
    shortcuts: tuple[str, ...]
    tip: str
    menu: str
    scope: str = WINDOW


ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("file.import_files", "&Import files…", ("Ctrl+O",), "Import articles or annotations from files", "File"),
    ActionSpec("file.import_folder", "Import &folder…", ("Ctrl+Shift+O",), "Import every file of a folder", "File"),
    ActionSpec("file.export", "&Export…", ("Ctrl+E",), "Export the project (spaCy DocBin, Prodigy, doccano, …)", "File"),
    ActionSpec("file.quit", "&Quit", ("Ctrl+Q",), "Close the window; everything is already saved", "File"),
    ActionSpec("edit.undo", "&Undo", ("Ctrl+Z",), "Undo the last change to this document's spans", "Edit"),
    ActionSpec("edit.redo", "&Redo", ("Ctrl+Shift+Z", "Ctrl+Y"), "Redo the change just undone", "Edit"),
    ActionSpec("edit.find", "&Find…", ("Ctrl+F",), "Find in the article; the match becomes the selection", "Edit"),
    ActionSpec("edit.find_next", "Find &next", ("F3",), "Select the next match", "Edit"),
    ActionSpec("edit.settings", "&Settings…", ("Ctrl+,",), "Font, theme, snapping to words, and the labels", "Edit"),
    ActionSpec("span.next", "Next span", ("Tab",), "Move to the next span and select it", "Annotate", ARTICLE),
    ActionSpec("span.previous", "Previous span", ("Shift+Tab", "Backtab"), "Move to the previous span and select it",
               "Annotate", ARTICLE),
    ActionSpec("span.remove", "Remove span", ("Delete",), "Remove the span at the cursor (the innermost)", "Annotate",
               ARTICLE),
    ActionSpec("span.grow_end", "Grow span at the end", ("Alt+Shift+Right",),
               "The span (or suggestion) at the cursor takes the next word; on a suggestion it accepts it so",
               "Annotate", ARTICLE),
    ActionSpec("span.grow_start", "Grow span at the start", ("Alt+Shift+Left",),
               "The span (or suggestion) at the cursor takes the word before it; on a suggestion it accepts it so",
               "Annotate", ARTICLE),
    ActionSpec("span.shrink_end", "Shrink span at the end", ("Ctrl+Alt+Shift+Left",),
               "The span (or suggestion) at the cursor gives its last word back; on a suggestion it accepts it so",
               "Annotate", ARTICLE),
    ActionSpec("span.shrink_start", "Shrink span at the start", ("Ctrl+Alt+Shift+Right",),
               "The span (or suggestion) at the cursor gives its first word back; on a suggestion it accepts it so",
               "Annotate", ARTICLE),
    ActionSpec("link.mode", "&Link claim", ("R",), "Link mode on the claim at the cursor: a number (or Tab, Enter) "
               "links a span, again unlinks it; Escape leaves. Enter / Backspace on a claim take / drop its proposed "
               "links", "Annotate", ARTICLE),
    ActionSpec("span.figure", "Edit &figure…", ("Ctrl+Shift+F",), "Edit the reading of the figure at the cursor: value, unit, "
               "qualifier", "Annotate", ARTICLE),
    ActionSpec("go.claims", "&Claims table", ("Ctrl+Shift+C",), "Every claim of the project with its source, places "
               "and figures; double-click opens one", "Go"),
    ActionSpec("annotate.train", "&Train a model…", (), "Train a span categorizer on the finished documents, in "
               "the background; it becomes the suggestion source 'trained'", "Annotate"),
    ActionSpec("suggest.accept", "&Accept suggestion", ("Return", "Enter"),
               "Accept the suggestion at the caret, or the next one, and go to the next", "Suggest", ARTICLE),
    ActionSpec("suggest.reject", "&Reject suggestion", ("Backspace", "X"),
               "Reject the suggestion at the caret, or the next one: it is not shown to you here again", "Suggest",
               ARTICLE),
    ActionSpec("suggest.next", "&Next suggestion", ("N",), "Select the next suggestion", "Suggest", ARTICLE),
    ActionSpec("suggest.previous", "&Previous suggestion", ("Shift+N",), "Select the previous suggestion", "Suggest",
               ARTICLE),
    ActionSpec("suggest.accept_all", "Accept &every suggestion", ("Shift+Return", "Shift+Enter"),
               "Accept every suggestion of this document that overlaps none of your spans", "Suggest", ARTICLE),
    ActionSpec("doc.done_next", "&Done, next", ("Ctrl+Return", "Ctrl+Enter"),
               "Mark this document done and open the next one to do", "Go"),
    ActionSpec("doc.next", "N&ext document", ("Alt+Right",), "Open the next document", "Go"),
    ActionSpec("doc.previous", "&Previous document", ("Alt+Left",), "Open the previous document", "Go"),
    ActionSpec("doc.skip", "&Skip document", ("Ctrl+Shift+K",), "Mark this document skipped and open the next one",
               "Go"),
    ActionSpec("team.dashboard", "&Dashboard", ("Ctrl+D",),
               "Charts: documents done per day, spans and agreement per label, time per document", "Team"),
    ActionSpec("team.review", "&Review into gold", ("Ctrl+R",),
               "Review mode: every annotator's spans at once, settled into gold by keys (again: leave it)", "Team"),
    ActionSpec("review.accept", "Accept into gold", ("Return", "Enter"),
               "Accept the candidate at the caret into gold and go to the next open one", "Team", ARTICLE),
    ActionSpec("review.reject", "Reject", ("Backspace", "X"),
               "Reject the candidate at the caret (out of gold if it was there) and go to the next open one", "Team",
               ARTICLE),
    ActionSpec("review.accept_agreed", "Accept all agreed", ("Shift+Return", "Shift+Enter", "Shift+A"),
               "Accept into gold every open candidate that all the document's annotators made", "Team", ARTICLE),
    ActionSpec("review.next", "Next open candidate", ("N", "J"), "Select the next candidate not yet settled", "Team",
               ARTICLE),
    ActionSpec("review.previous", "Previous open candidate", ("Shift+N", "K"),
               "Select the previous candidate not yet settled", "Team", ARTICLE),
    ActionSpec("help.shortcuts", "&Keyboard shortcuts", ("F1", "?"), "Show every key of the window", "Help"),
    ActionSpec("help.about", "&About annotator", (), "Version and where the data lives", "Help"),
)

MENUS = ("File", "Edit", "Annotate", "Suggest", "View", "Go", "Team", "Help")  # View: the read-only layers, made per document


LABEL_ACTION_PREFIX = "label."


def label_action_id(name: str) -> str:
    return f"{LABEL_ACTION_PREFIX}{name}"


def is_label_action(action_id: str) -> bool:
    return action_id.startswith(LABEL_ACTION_PREFIX)


def label_specs(labels: LabelSet) -> tuple[ActionSpec, ...]:
    return tuple(_label_spec(label) for label in labels)


def _label_spec(label: Label) -> ActionSpec:
    keys = label.shortcut_keys()
    tip = f"Tag the selection (or the word at the cursor) as {label.name}; again removes it"
    return ActionSpec(label_action_id(label.name), f"Tag as {label.name}", keys, tip, "Annotate", ARTICLE)


def all_specs(labels: LabelSet) -> tuple[ActionSpec, ...]:
    """The whole table in menu order: the label actions open the Annotate menu."""
    before = tuple(s for s in ACTIONS if s.menu in ("File", "Edit"))
    return before + label_specs(labels) + tuple(s for s in ACTIONS if s not in before)


def spec(action_id: str) -> ActionSpec:
    return next(s for s in ACTIONS if s.id == action_id)


def shortcut_text(s: ActionSpec) -> str:
    return ", ".join(QKeySequence(k).toString(QKeySequence.SequenceFormat.NativeText) for k in s.shortcuts)


def configure(action: QAction, s: ActionSpec) -> QAction:
    """Give a QAction the text, shortcuts, tip and shortcut scope of its spec."""
    action.setObjectName(s.id)
    action.setText(s.text)
    action.setShortcuts([QKeySequence(k) for k in s.shortcuts])
    action.setToolTip(s.tip)
    action.setStatusTip(s.tip)
    # ARTICLE actions listen on the article alone, so that 1, S or Tab typed in a text box stay text.
    action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut if s.scope == ARTICLE
                              else Qt.ShortcutContext.WindowShortcut)
    return action


def build(specs: Iterable[ActionSpec], handlers: Mapping[str, Callable[[], object]], *, window: QWidget,
          article: QWidget, premade: Mapping[str, QAction] | None = None) -> dict[str, QAction]:
    """QActions for `specs`, each triggering its handler; `premade` ones (undo, redo) only get configured."""
    made: dict[str, QAction] = {}
    for s in specs:
        action = configure(premade[s.id] if premade and s.id in premade else QAction(window), s)
        handler = handlers.get(s.id)
        if handler is not None:
            action.triggered.connect(lambda _checked=False, h=handler: h())
        (article if s.scope == ARTICLE else window).addAction(action)
        made[s.id] = action
    return made
