"""Training on the right layer (gold by default once it exists, any layer by name, never a model's) and the
project's latest model as the suggestion source `trained`. Small data, fixed seeds, few steps."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from data_fixtures import documents

from annotator.domain.documents import Status
from annotator.domain.layers import Owner
from annotator.domain.records import DocumentRecord
from annotator.errors import TrainingLayerError, UnknownLayerError
from annotator.nlp.training import TRAINING_JSON
from annotator.services import trained_models, training
from annotator.services.importing import import_paths

PROJECT = "default"


def _import(ws: Any, tmp_path: Path, docs: list[DocumentRecord], who: str = "ana") -> list[int]:
    path = tmp_path / f"{who}.jsonl"
    path.write_text("".join(json.dumps({"text": d.text, "spans": [{"start": s.start, "end": s.end, "label": s.label}
                                                                   for s in d.spans]}) + "\n" for d in docs),
                    encoding="utf-8")
    summary = import_paths(ws, [path], project=PROJECT, annotator=who, fmt="prodigy")
    assert not summary.errors, summary.lines()
    with ws.unit() as repo:
        return repo.documents.ids(repo.projects.by_name(PROJECT).id)


def _add(ws: Any, owner: Owner, doc_id: int, spans: list[tuple[str, int, int]]) -> None:
    with ws.unit() as repo:
        project_id = repo.projects.by_name(PROJECT).id
        owner_id = repo.owners.owner_id(owner)
        for label, start, end in spans:
            assert repo.spans.add(project_id, doc_id, owner_id, label, start, end) is not None


def _done(ws: Any, who: str, ids: list[int]) -> None:
    with ws.unit() as repo:
        annotator_id = repo.owners.annotator_id(who)
        for doc_id in ids:
            repo.statuses.save(doc_id, annotator_id, Status.DONE)


def _gold_locations(ws: Any, ids: list[int], docs: list[DocumentRecord]) -> None:
    """Gold settles only the places of each document: a model trained on gold knows LOCATION alone."""
    for doc_id, doc in zip(ids, docs, strict=True):
        _add(ws, Owner.gold(), doc_id, [(s.label, s.start, s.end) for s in doc.spans if s.label == "LOCATION"])


def _labels(data: training.TrainingData) -> set[str]:
    return {s.label for record in data.train + data.held_out for s in record.spans}


def test_gold_is_the_default_once_the_project_has_gold(ws: Any, tmp_path: Path) -> None:
    docs = documents(6)
    ids = _import(ws, tmp_path, docs)
    _done(ws, "ana", ids)
    before = training.training_data(ws, project=PROJECT, fallback="ana")
    assert (before.gold, before.annotator, before.layer_text) == (False, "ana", "ana")
    assert _labels(before) == {"FIGURE", "LOCATION", "SOURCE"}

    _gold_locations(ws, ids[:4], docs[:4])  # gold on four documents, which nobody marked done as gold
    data = training.training_data(ws, project=PROJECT, fallback="ana")
    assert (data.gold, data.annotator, data.layer_text) == (True, "gold", "the gold layer")
    assert sorted(data.train_ids + data.held_out_ids) == ids[:4] and _labels(data) == {"LOCATION"}
    result_lines = training.summary_lines(training.TrainingResult(data, _fake_model()))
    assert result_lines[0].startswith("trained on 3 document(s) of the gold layer, scored on 1 held back")

    # Named: a person's layer, by --annotator or --layer, even with gold there; gold by --layer too.
    for chosen in (training.training_data(ws, project=PROJECT, annotator="ana", fallback="tester"),
                   training.training_data(ws, project=PROJECT, layer="ana", fallback="tester")):
        assert (chosen.gold, chosen.annotator) == (False, "ana") and len(chosen.train_ids + chosen.held_out_ids) == 6
    assert training.training_data(ws, project=PROJECT, layer="gold").gold


def _fake_model() -> Any:
    from annotator.nlp.training import LabelScore, TrainedModel

    return TrainedModel(Path("m"), ["LOCATION"], {}, LabelScore(0, 0, 0), steps=1, words=1, seconds=1.0)


def test_a_model_layer_or_every_person_is_refused_with_a_coded_line(ws: Any, tmp_path: Path) -> None:
    docs = documents(4)
    ids = _import(ws, tmp_path, docs)
    _done(ws, "ana", ids)
    _add(ws, Owner.model("rules"), ids[0], [("LOCATION", docs[0].spans[1].start, docs[0].spans[1].end)])
    with pytest.raises(TrainingLayerError) as refused:
        training.training_data(ws, project=PROJECT, layer="rules")
    assert str(refused.value).startswith("[A145] 'rules' is a model's layer")
    with pytest.raises(TrainingLayerError, match=r"^\[A145\] --layer people mixes"):
        training.training_data(ws, project=PROJECT, layer="people")
    with pytest.raises(UnknownLayerError, match="no layer 'gold'"):
        training.training_data(ws, project=PROJECT, layer="gold")


def _model_folder(folder: Path, project: str, trained_at: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "config.cfg").write_text("[nlp]\n", encoding="utf-8")
    (folder / TRAINING_JSON).write_text(json.dumps({"project": project, "labels": ["LOCATION"],
                                                    "trained_at": trained_at}), encoding="utf-8")
    return folder


def test_the_latest_model_is_the_pointer_else_the_newest_whole_one(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    assert trained_models.TRAINING_JSON == TRAINING_JSON  # the same file name, kept apart to keep imports light
    base = trained_models.models_folder("news desk")
    assert base.name == "news_desk" and trained_models.trained_model_for("news desk") is None
    older = _model_folder(base / "20260101-000000", "news desk", "2026-01-01T00:00:00+00:00")
    newer = _model_folder(base / "20260301-000000", "news desk", "2026-03-01T00:00:00+00:00")
    _model_folder(base / "20260401-000000", "news_desk", "2026-04-01T00:00:00+00:00")  # another project's
    (base / "20260501-000000").mkdir()  # half written: no annotator-training.json
    assert trained_models.trained_model_for("news desk") == newer
    (base / "latest").write_text("\n", encoding="utf-8")  # an empty pointer is no pointer, not the current folder
    monkeypatch.chdir(older)
    assert trained_models.trained_model_for("news desk") == newer

    trained_models.record_latest("news desk", older)  # the pointer wins, even over a newer model
    assert (base / "latest").read_text(encoding="utf-8") == f"{older.resolve()}\n"
    assert trained_models.trained_model_for("news desk") == older.resolve()
    elsewhere = _model_folder(tmp_path / "my-model", "news desk", "2025-01-01T00:00:00+00:00")  # --out elsewhere
    trained_models.record_latest("news desk", elsewhere)
    assert trained_models.trained_model_for("news desk") == elsewhere.resolve()
    (elsewhere / TRAINING_JSON).unlink()  # gone or broken: back to the newest whole model in the folder
    assert trained_models.trained_model_for("news desk") == newer
    assert trained_models.trained_model_for("news_desk") == base / "20260401-000000"


def test_a_trained_model_is_the_trained_source_and_suggests_on_a_new_text(ws: Any, tmp_path: Path) -> None:
    from annotator.nlp.suggest import Request, suggest
    from annotator.services.labels import list_labels

    docs = documents(12)
    ids = _import(ws, tmp_path, docs)
    _done(ws, "ana", ids[:11])
    assert trained_models.use_trained(PROJECT) is None  # nothing trained yet: nothing registered
    assert training.documents_since_training(ws, project=PROJECT, annotator="ana") == 11

    data = training.training_data(ws, project=PROJECT, fallback="ana", held_out=0.2)
    result = training.train(data, max_steps=40, seed=0)
    assert result.model.path is not None and result.model.path.parent == trained_models.models_folder(PROJECT)
    assert trained_models.trained_model_for(PROJECT) == result.model.path.resolve()
    assert json.loads((result.model.path / TRAINING_JSON).read_text(encoding="utf-8"))["layer"] == "ana"
    assert training.documents_since_training(ws, project=PROJECT, annotator="ana") == 0
    _done(ws, "ana", ids[11:])
    assert training.documents_since_training(ws, project=PROJECT, annotator="ana") == 1

    assert trained_models.use_trained(PROJECT) == result.model.path.resolve()
    text = "Daniel Reuter said 75 homes lost power in Saltmere on Tuesday."
    spans = suggest(trained_models.TRAINED, Request("en", text, list_labels(ws, PROJECT)))
    found = {(text[s.start:s.end], s.label) for s in spans}
    assert ("Saltmere", "LOCATION") in found, found
