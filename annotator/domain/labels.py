"""Labels and the label set: name, colour, keys and the guideline an annotator reads."""

from __future__ import annotations

import enum
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from annotator.errors import LabelError, LabelKindError, LabelNameError

MAX_NAME = 64  # the width of the label.name column
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
# Keys the window keeps for itself; a label cannot take them.
RESERVED_KEYS = frozenset({"?", " "})


class LabelKind(enum.StrEnum):
    """What a label marks, which decides how its spans are drawn and exported (never the label's name)."""

    ENTITY = "entity"  # a name, place or number: in spaCy's doc.ents, drawn as a solid background
    STATEMENT = "statement"  # a clause that holds entities: kept out of doc.ents, drawn as a band under them


def validate_kind(kind: str) -> LabelKind:
    try:
        return LabelKind(kind)
    except (ValueError, TypeError):
        raise LabelKindError(f"label kind {kind!r} is not known",
                             hint="choose entity for a name, place or number, or statement for a clause that "
                                  "holds entities") from None


@dataclass(frozen=True, slots=True)
class Label:
    name: str
    colour: str
    key: str = ""
    alt_key: str = ""
    description: str = ""
    kind: LabelKind = LabelKind.ENTITY

    def __post_init__(self) -> None:
        # A kind read from a file or typed as a string is checked here, so that no Label holds another.
        object.__setattr__(self, "kind", validate_kind(self.kind))

    def shortcut_keys(self) -> tuple[str, ...]:
        return tuple(k for k in (self.key, self.alt_key) if k)

    @property
    def is_statement(self) -> bool:
        return self.kind is LabelKind.STATEMENT


def validate_name(name: str) -> str:
    """The name as written, in any script, with spaces or punctuation; refused when it cannot be a name.

    Nothing is changed on the way in: two names that differ in any character are two labels. Formats that
    cannot hold a name (brat types, CoNLL tags) map it explicitly on export (annotator.formats._label_names).
    """
    problem = name_problem(name)
    if problem:
        raise LabelNameError(f"label name {name!r} {problem}",
                             hint=f"a label name is 1 to {MAX_NAME} characters, without line breaks, tabs or "
                                  "control characters, and without spaces at either end")
    return name


def name_problem(name: str) -> str:
    """Why `name` cannot be a label name, or "" when it can."""
    if not name:
        return "is empty"
    if len(name) > MAX_NAME:
        return f"is longer than {MAX_NAME} characters"
    if name != name.strip():
        return "starts or ends with white space"
    # Cc: controls (tab, line feed, NUL...), Cs: lone surrogates, Zl/Zp: line and paragraph separators.
    bad = next((c for c in name if unicodedata.category(c) in ("Cc", "Cs", "Zl", "Zp")), None)
    if bad is not None:
        return f"holds the control character or line break U+{ord(bad):04X}"
    return ""


def validate_colour(colour: str) -> str:
    if not _COLOUR.match(colour):
        raise LabelError(f"colour {colour!r} is not valid", hint="write it as #RRGGBB, for example #e6194b")
    return colour.lower()


def validate_key(key: str) -> str:
    if key == "":
        return key
    if len(key) != 1 or not key.isprintable() or key in RESERVED_KEYS:
        raise LabelError(f"key {key!r} cannot be used for a label", hint="choose one letter or digit")
    return key.upper() if key.isalpha() else key


@dataclass(frozen=True, slots=True)
class LabelSet:
    labels: tuple[Label, ...]

    def __iter__(self) -> Iterator[Label]:
        return iter(self.labels)

    def __len__(self) -> int:
        return len(self.labels)

    def __contains__(self, name: object) -> bool:
        return any(label.name == name for label in self.labels)

    def get(self, name: str) -> Label | None:
        return next((label for label in self.labels if label.name == name), None)

    def names(self) -> list[str]:
        return [label.name for label in self.labels]

    def statements(self) -> frozenset[str]:
        """The names of the statement labels (their spans are bands, not entities)."""
        return frozenset(label.name for label in self.labels if label.is_statement)

    def by_key(self, key: str) -> Label | None:
        key = key.upper() if key.isalpha() else key
        return next((label for label in self.labels if key in label.shortcut_keys()), None)

    def check_key_free(self, key: str, *, ignore: str | None = None) -> None:
        if not key:
            return
        owner = self.by_key(key)
        if owner is not None and owner.name != ignore:
            raise LabelError(f"key {key!r} is already used by {owner.name}", hint="choose another key")

    def with_label(self, label: Label) -> LabelSet:
        return LabelSet(tuple(label if old.name == label.name else old for old in self.labels))


# A qualitative palette that stays readable as a light background under black text.
PALETTE = ("#f4a259", "#8cb369", "#5b8fd9", "#bc4b51", "#b07cc6", "#e3c04b", "#4fb0a5", "#d4869c", "#7d8b99")


def next_colour(used: Iterable[str]) -> str:
    used = {c.lower() for c in used}
    for colour in PALETTE:
        if colour not in used:
            return colour
    return PALETTE[len(used) % len(PALETTE)]


def labels_from_json(text: str) -> LabelSet:
    data = json.loads(text)
    return LabelSet(
        tuple(
            Label(
                name=validate_name(item["name"]),
                colour=validate_colour(item["colour"]),
                key=validate_key(item.get("key", "")),
                alt_key=validate_key(item.get("alt_key", "")),
                description=item.get("description", ""),
                kind=item.get("kind", LabelKind.ENTITY),
            )
            for item in data["labels"]
        )
    )
