"""spaCy, loaded lazily: tokenizers, token boundaries, DocBin reading and writing, training config."""

from __future__ import annotations

import threading

_IMPORT_LOCK = threading.Lock()
_imported = False


def load_spacy() -> None:
    """spaCy's first import, one thread at a time. Two threads importing it at once (the window's link proposals
    and its worker's rules, say) leave one of them with a partially initialised spacy.pipeline: an ImportError.
    Every place in annotator that imports spaCy calls this first."""
    global _imported
    if _imported:
        return
    with _IMPORT_LOCK:
        import spacy  # noqa: F401

        _imported = True
