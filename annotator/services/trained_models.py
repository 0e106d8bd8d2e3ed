"""The project's trained models: where they live, which one is the latest, and the `trained` suggestion source.

`annotator train` (and the window's training) writes each model into its own folder, by default
models/<project>/<UTC time> in the user data folder, and records it in models/<project>/latest (a one-line file
holding the folder's path, which may lie elsewhere when the model was trained with --out). The latest model is
the pointed-to folder when it is still a whole model of this project, else the newest whole model in the
project's folder: a deleted or half-copied folder is passed over rather than loaded.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotator.services.workspace import data_dir

if TYPE_CHECKING:
    from annotator.nlp.suggest import Source

TRAINED = "trained"  # the suggestion source that is the project's latest model
LATEST = "latest"
TRAINING_JSON = "annotator-training.json"  # nlp.training's name for it, without importing the training code


def models_folder(project: str) -> Path:
    """models/<project> in the user data folder; a project name is made safe for a folder name."""
    safe = re.sub(r"[^\w.-]+", "_", project).strip("._") or "project"
    return data_dir() / "models" / safe


def default_model_dir(project: str, now: datetime | None = None) -> Path:
    """models/<project>/<UTC time>: a new folder for each model."""
    return models_folder(project) / (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")


def model_info(folder: Path) -> dict[str, Any] | None:
    """What annotator-training.json says of a model folder, or None when the folder is not a whole trained model."""
    try:
        info = json.loads((folder / TRAINING_JSON).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(info, dict) or not isinstance(info.get("labels"), list) or not (folder / "config.cfg").is_file():
        return None
    return info


def _of_project(folder: Path, project: str) -> dict[str, Any] | None:
    info = model_info(folder)
    # Two project names can make the same safe folder name: the model says whose it is.
    return info if info is not None and info.get("project", project) == project else None


def record_latest(project: str, folder: Path) -> None:
    """Make `folder` the project's latest model (written whole: a reader sees the old pointer or the new one)."""
    base = models_folder(project)
    base.mkdir(parents=True, exist_ok=True)
    fd, staging = tempfile.mkstemp(prefix=f".{LATEST}-", dir=base)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(str(folder.resolve()) + "\n")
        os.replace(staging, base / LATEST)
    except BaseException:
        Path(staging).unlink(missing_ok=True)
        raise


def trained_model_for(project: str) -> Path | None:
    """The project's latest trained model folder (see the module's note), or None when it has none."""
    base = models_folder(project)
    try:
        written = (base / LATEST).read_text(encoding="utf-8").strip()
    except (OSError, ValueError):
        written = ""
    pointed = Path(written) if written else None  # Path("") would be the current folder
    if pointed is not None and _of_project(pointed, project) is not None:
        return pointed
    found = []
    if base.is_dir():
        for folder in base.iterdir():
            info = _of_project(folder, project) if folder.is_dir() and not folder.name.startswith(".") else None
            if info is not None:
                found.append((str(info.get("trained_at", "")), folder.name, folder))
    return max(found)[2] if found else None


def trained_documents(project: str) -> set[int] | None:
    """The documents (training and held back) the latest model was made from; None when there is no model."""
    folder = trained_model_for(project)
    info = model_info(folder) if folder is not None else None
    if info is None:
        return None
    used = info.get("documents") or {}
    return {i for part in ("train", "held_out") for i in used.get(part, []) if isinstance(i, int)}


def trained_source(project: str) -> Source | None:
    """The `trained` suggestion source for the project: its latest model as a pipeline (the spancat's labels are
    the project's, so no mapping is needed); None when no model has been trained."""
    folder = trained_model_for(project)
    if folder is None:
        return None
    from annotator.nlp.suggest.pipeline import PipelineSource

    return PipelineSource(str(folder))


def use_trained(project: str) -> Path | None:
    """Register the project's latest model as the suggestion source `trained` (replacing an older one) and return
    its folder; None, and nothing registered, when the project has no model yet."""
    folder = trained_model_for(project)
    if folder is not None:  # the sources' code only when there is a model (the window asks at start-up)
        from annotator.nlp.suggest import register
        from annotator.nlp.suggest.pipeline import PipelineSource

        register(TRAINED, PipelineSource(str(folder)))
    return folder
