"""A spaCy pipeline as a suggestion source: one the user installed (a package name) or trained (a folder).

Its `doc.ents` and every `doc.spans[key]` are read, their labels mapped to the project's labels by a mapping
the user can edit (DEFAULT_MAPPING, then the pipeline's own labels where the project has a label of that
name: a trained span categorizer needs no mapping), and each span snapped outward to the project language's
tokens. A missing pipeline is A131, one that cannot load or run A132, a mapping to no label A133.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from annotator.domain.spans import Span, snap
from annotator.errors import (
    LabelMappingError,
    ModelPartMissingError,
    PipelineLoadError,
    PipelineNotFoundError,
)
from annotator.nlp import load_spacy
from annotator.nlp.suggest import Request
from annotator.nlp.suggest.roles import FIGURE, LOCATION, SOURCE, resolve_target, role_labels
from annotator.nlp.tokens import token_bounds

DEFAULT_MAPPING: dict[str, str] = {
    "GPE": LOCATION, "LOC": LOCATION, "FAC": LOCATION,
    "PERSON": SOURCE, "ORG": SOURCE, "NORP": SOURCE,
    "CARDINAL": FIGURE, "QUANTITY": FIGURE, "PERCENT": FIGURE, "MONEY": FIGURE,
}
_MISSING_PART = re.compile(r"Could not find function '([^']+)'")
_LOCK = threading.Lock()
_LOADED: dict[str, Any] = {}


def load(name: str) -> Any:
    """The pipeline `name` (a package or a folder), loaded once; a coded error naming it when it cannot be."""
    with _LOCK:
        nlp = _LOADED.get(name)
        if nlp is None:
            nlp = _LOADED[name] = _load(name)
        return nlp


def forget(name: str) -> None:
    """Let the pipeline `name` go (the window's trained model once a newer one replaced it, or its project closed)."""
    with _LOCK:
        _LOADED.pop(name, None)


def _load(name: str) -> Any:
    load_spacy()
    import spacy
    from catalogue import RegistryError  # type: ignore[import-untyped]  # spaCy's registries; no stubs
    from spacy.util import is_package

    import annotator.nlp.candidates  # noqa: F401  (registers the suggester a model trained here names)

    folder = Path(name).expanduser()
    looks_like_path = folder.is_absolute() or name.startswith((".", "~")) or "/" in name or "\\" in name
    if not folder.is_dir() and (looks_like_path or not is_package(name)):
        raise PipelineNotFoundError(f"suggestion source {name!r}: no spaCy pipeline of that name is installed and "
                                    "no such folder exists",
                                    hint="give the folder of a trained pipeline, or install the package "
                                         "(python -m spacy download NAME); rules and occurrences are built in")
    try:
        return spacy.load(folder if folder.is_dir() else name)
    except RegistryError as e:  # a part the config names, which nothing in this process registered
        missing = _MISSING_PART.search(str(e))
        part = repr(missing.group(1)) if missing else "a part"
        raise ModelPartMissingError(
            f"the spaCy pipeline {name!r} needs {part}, which this version of annotator does not have: it was "
            "made by another version", hint="train the model again (annotator train, or Train in the window); "
                                            "for an installed pipeline, install the package that provides the part"
        ) from e
    except Exception as e:  # spaCy raises many kinds here (OSError, ValueError, KeyError, its own config errors)
        detail = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise PipelineLoadError(f"suggestion source {name!r}: the spaCy pipeline cannot be loaded: {detail}",
                                hint="check that the folder holds a whole pipeline (config.cfg, meta.json) made "
                                     "by this spaCy version, or train it again") from e


def mapped_labels(found: set[str], request: Request, mapping: Mapping[str, str] | None) -> dict[str, str]:
    """Pipeline label -> project label, for the labels `found`: the user's mapping, else a project label of
    the same name, else DEFAULT_MAPPING's role. A user's mapping must name labels (or roles) the project has."""
    roles = role_labels(request.labels)
    chosen: dict[str, str] = {}
    for theirs, target in (mapping or {}).items():
        resolved = resolve_target(target, request.labels, roles)
        if resolved is None:
            raise LabelMappingError(f"the mapping gives {theirs} to {target!r}, which is not a label of the project",
                                    hint=f"map it to one of {', '.join(request.labels.names())}")
        chosen[theirs] = resolved
    out: dict[str, str] = {}
    for theirs in found:
        default = DEFAULT_MAPPING.get(theirs)
        resolved = chosen.get(theirs) or (theirs if theirs in request.labels else None) or (
            resolve_target(default, request.labels, roles) if default else None)
        if resolved is not None:
            out[theirs] = resolved
    return out


def pipeline_spans(nlp: Any, text: str) -> list[tuple[int, int, str]]:
    """(start, end, label) of every entity and every span in every span group the pipeline sets."""
    if len(text) >= nlp.max_length:
        nlp.max_length = len(text) + 1  # the user chose this pipeline for long texts too
    try:
        doc = nlp(text)
    except Exception as e:  # a component that fails on this text: the window must keep working
        raise PipelineLoadError(f"the spaCy pipeline failed on this document: {str(e).splitlines()[0] if str(e) else e!r}",
                                hint="try another source, or check the pipeline with python -m spacy debug") from e
    found = [(e.start_char, e.end_char, e.label_) for e in doc.ents]
    for group in doc.spans.values():
        found += [(s.start_char, s.end_char, s.label_) for s in group]
    return found


class PipelineSource:
    """The source for one pipeline; `mapping` overrides the request's (pipeline label -> project label or role)."""

    def __init__(self, name: str, mapping: Mapping[str, str] | None = None) -> None:
        self.name = name
        self.mapping = mapping

    def __call__(self, request: Request) -> list[Span]:
        nlp = load(self.name)
        mapping = self.mapping or request.mapping
        mapped_labels(set(), request, mapping)  # a wrong mapping is refused before the pipeline runs
        if not request.text.strip():
            return []
        found = pipeline_spans(nlp, request.text)
        labels = mapped_labels({label for _, _, label in found}, request, mapping)
        bounds = token_bounds(request.text, request.lang)
        out = set()
        for start, end, theirs in found:
            label = labels.get(theirs)
            snapped = snap(request.text, start, end, bounds) if label else None
            if snapped is not None and label is not None:
                out.add(Span(snapped[0], snapped[1], label))
        return sorted(out)
