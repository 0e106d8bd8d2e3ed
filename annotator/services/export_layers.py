"""Which layer an export takes: `--layer NAME` (a person, `gold`, a model), else the default (ADR 0008).

The default is the `--annotator`'s layer when one is given, else the gold layer once the project has gold
spans, else every person's spans (as before layers); `--layer people` asks for every person's spans. The layers a project has: every person in the database
(a person may have marked documents without a span), and gold and each model that has spans in it.
"""

from __future__ import annotations

from dataclasses import dataclass

from annotator.domain.layers import Owner, OwnerKind
from annotator.errors import AmbiguousLayerError, UnknownLayerError, UsageError
from annotator.services.workspace import Workspace, get_project
from annotator.storage.repository import Repository

PEOPLE = "people"  # --layer people: every person's spans together (a person called people is annotator:people)
RESERVED = frozenset({PEOPLE, "gold"})


@dataclass(frozen=True)
class LayerChoice:
    """The owner whose spans are exported (None: every person's) and its row; `why` says how it was chosen."""

    owner: Owner | None
    owner_id: int | None
    why: str = ""

    def describe(self) -> str:
        if self.owner is None:
            what = "every person's layer"
        elif self.owner.kind is OwnerKind.GOLD:
            what = "the gold layer"
        else:
            what = f"the {'model layer' if self.owner.kind is OwnerKind.MODEL else 'layer of'} {self.owner.name!r}"
        return what + (f" ({self.why})" if self.why else "")

    @property
    def person(self) -> str | None:
        """The person whose layer it is (None for gold, a model, or every person's)."""
        return self.owner.name if self.owner is not None and self.owner.kind is OwnerKind.ANNOTATOR else None


def layer_names(owners: list[Owner]) -> list[str]:
    """What `--layer` takes for each owner: its name, with its kind in front where another kind shares it."""
    names = [o.name for o in owners]
    out = []
    for owner in owners:
        if owner.kind is OwnerKind.GOLD:
            out.append("gold")
        elif names.count(owner.name) > 1 or owner.name in RESERVED:
            out.append(f"{owner.kind.value}:{owner.name}")
        else:
            out.append(owner.name)
    return out


def project_layers(repo: Repository, project_id: int) -> dict[Owner, int]:
    """The project's layers and their spans: people first (those without spans too), then gold, then models."""
    counts = repo.spans.layer_counts(project_id)
    people = {Owner.person(name): counts.get(Owner.person(name), 0) for name in repo.owners.people()}
    order = {OwnerKind.ANNOTATOR: 0, OwnerKind.GOLD: 1, OwnerKind.MODEL: 2}
    others = sorted((o for o in counts if o.kind is not OwnerKind.ANNOTATOR), key=lambda o: (order[o.kind], o.name))
    return people | {o: counts[o] for o in others}


def person_id(repo: Repository, name: str) -> int:
    """The row of the person `name`, who must exist."""
    found = repo.owners.annotator_id(name, create=False)
    if found is None:
        raise UsageError(f"no annotator called {name!r}", hint=f"annotators: {', '.join(repo.owners.people())}")
    return found


def choose_layer(repo: Repository, project_id: int, layer: str | None, annotator: str | None) -> LayerChoice:
    """The layer `--layer` names (A155 when there is none, A156 when it names two), else the default."""
    if layer is None and annotator is not None:
        return LayerChoice(Owner.person(annotator), person_id(repo, annotator))
    layers = project_layers(repo, project_id)
    if layer is None:
        if Owner.gold() in layers:
            return LayerChoice(Owner.gold(), repo.owners.owner_id(Owner.gold()),
                               "the project has gold spans; --layer NAME exports another")
        return LayerChoice(None, None)
    if layer == PEOPLE:
        return LayerChoice(None, None)
    kind, colon, name = layer.partition(":")
    if colon and kind in {k.value for k in OwnerKind}:
        matches = [o for o in layers if o.kind.value == kind and o.name == name]
    elif layer == "gold":  # a person called gold is annotator:gold
        matches = [Owner.gold()] if Owner.gold() in layers else []
    else:
        matches = [o for o in layers if o.name == layer and o.kind is not OwnerKind.GOLD]
    known = ", ".join(layer_names(list(layers))) or "none yet"
    if not matches:
        raise UnknownLayerError(f"the project has no layer {layer!r}",
                                hint=f"layers: {known}; {PEOPLE}: every person's spans together")
    if len(matches) > 1:
        choices = " or ".join(f"--layer {o.kind.value}:{o.name}" for o in matches)
        raise AmbiguousLayerError(f"{layer!r} is the name of a person and of a model", hint=f"write {choices}")
    owner = matches[0]
    return LayerChoice(owner, repo.owners.owner_id(owner, create=False))


@dataclass(frozen=True)
class LayerOption:
    """One entry of the export dialog's layer choice: what `export(layer=...)` takes."""

    layer: str
    text: str


def layer_options(ws: Workspace, project: str) -> tuple[list[LayerOption], int]:
    """Every person's spans, then each layer of the project with its spans; and the default's index (gold once
    the project has gold spans, else every person's: the window's default before layers)."""
    project_obj = get_project(ws, project)
    with ws.unit() as repo:
        layers = project_layers(repo, project_obj.id)
    kinds = {OwnerKind.ANNOTATOR: "person", OwnerKind.GOLD: "settled", OwnerKind.MODEL: "model"}
    options = [LayerOption(PEOPLE, "every person's spans")]
    options += [LayerOption(name, f"{name} ({kinds[owner.kind]}, {n:,} spans)")
                for name, (owner, n) in zip(layer_names(list(layers)), layers.items(), strict=True)]
    default = [o.layer for o in options].index("gold") if Owner.gold() in layers else 0
    return options, default
