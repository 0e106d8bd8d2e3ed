"""The `occurrences` source and spaCy pipelines as suggestion sources (a tiny pipeline built here, no download)."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.domain.labels import Label, LabelKind, LabelSet
from annotator.domain.spans import Span
from annotator.errors import LabelMappingError, PipelineLoadError, PipelineNotFoundError
from annotator.nlp.suggest import Request, get_source, register, registered, suggest
from annotator.nlp.suggest.occurrences import occurrences
from annotator.nlp.suggest.pipeline import PipelineSource

LABELS = LabelSet((Label("SOURCE", "#f4a259"), Label("LOCATION", "#8cb369"), Label("FIGURE", "#5b8fd9"),
                   Label("CLAIM", "#b07cc6", kind=LabelKind.STATEMENT)))
TEXT = ("Shelling in the Luhansk region went on. The Luhansk region governor said the Luhansk region was calm; "
        "Luhansk regional officials and the Luhansk region's police disagreed. Luhansk  region, LUHANSK REGION.")


def texts(text: str, spans: list[Span]) -> list[tuple[str, str]]:
    return [(text[s.start:s.end], s.label) for s in spans]


def test_tagging_a_string_once_proposes_its_other_occurrences_on_token_boundaries() -> None:
    first = TEXT.index("Luhansk region")
    mine = [Span(first, first + len("Luhansk region"), "LOCATION")]
    spans = occurrences("en", TEXT, {"Luhansk region": {"LOCATION": 1}}, mine)
    # "Luhansk regional" is not on a token boundary, the double space and the capitals are not exact.
    assert [s.start for s in spans] == [i for i in _all(TEXT, "Luhansk region") if i != first
                                        and not TEXT.startswith("Luhansk regional", i)]
    assert len(spans) == 3 and {s.label for s in spans} == {"LOCATION"}


def _all(text: str, needle: str) -> list[int]:
    out, i = [], text.find(needle)
    while i >= 0:
        out.append(i)
        i = text.find(needle, i + 1)
    return out


def test_the_longest_tagged_string_wins_and_the_label_used_most() -> None:
    text = "Talks in Kyiv and the Kyiv region; Kyiv region officials met in Kyiv."
    tagged = {"Kyiv": {"LOCATION": 5, "SOURCE": 1}, "the Kyiv region": {"LOCATION": 1},
              "Kyiv region": {"SOURCE": 2, "LOCATION": 2}}
    spans = suggest("occurrences", Request("en", text, LABELS, tagged=tagged))
    assert texts(text, spans) == [("Kyiv", "LOCATION"), ("the Kyiv region", "LOCATION"),
                                  ("Kyiv region", "LOCATION"), ("Kyiv", "LOCATION")]
    start = text.index("the Kyiv region")
    had = [Span(start, start + len("the Kyiv region"), "LOCATION")]
    # A span the annotator has is not proposed again, and the shorter strings inside it are not either.
    assert texts(text, occurrences("en", text, tagged, had)) == [("Kyiv", "LOCATION"), ("Kyiv region", "LOCATION"),
                                                                 ("Kyiv", "LOCATION")]
    assert occurrences("en", text, {}, had) == [] and occurrences("en", text, {"  ": {"LOCATION": 1}}) == []


@pytest.fixture(scope="module")
def ruler_pipeline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import spacy

    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([
        {"label": "GPE", "pattern": "Velmora"}, {"label": "PERSON", "pattern": [{"LOWER": "irena"}, {"LOWER": "dobric"}]},
        {"label": "MONEY", "pattern": [{"ORTH": "$"}, {"LIKE_NUM": True}, {"LOWER": "million"}]},
        {"label": "EVENT", "pattern": "the flood"}, {"label": "CLAIM", "pattern": "the dam held"},
    ])
    ruler_spans = nlp.add_pipe("span_ruler", config={"spans_key": "sc"})
    ruler_spans.add_patterns([{"label": "LOCATION", "pattern": "river port"}, {"label": "QUANTITY", "pattern": "3 metres"}])
    folder = tmp_path_factory.mktemp("pipeline") / "ruler"
    nlp.to_disk(folder)
    return folder


def test_a_saved_pipeline_proposes_its_entities_and_spans_under_mapped_labels(ruler_pipeline: Path) -> None:
    text = "In Velmora, Irena Dobric said the flood cost $4.5 million; the dam held at 3 metres near the river port."
    spans = suggest(str(ruler_pipeline), Request("en", text, LABELS))
    assert texts(text, spans) == [("Velmora", "LOCATION"), ("Irena Dobric", "SOURCE"), ("$4.5 million", "FIGURE"),
                                  ("the dam held", "CLAIM"), ("3 metres", "FIGURE"), ("river port", "LOCATION")]
    # The user's mapping, edited: EVENT (unmapped by default) becomes a CLAIM, GPE a SOURCE.
    edited = PipelineSource(str(ruler_pipeline), mapping={"EVENT": "CLAIM", "GPE": "SOURCE"})
    assert ("the flood", "CLAIM") in texts(text, edited(Request("en", text, LABELS)))
    assert ("Velmora", "SOURCE") in texts(text, edited(Request("en", text, LABELS)))
    with pytest.raises(LabelMappingError, match=r"\[A133\].*GPE.*'PLACE'"):
        PipelineSource(str(ruler_pipeline), mapping={"GPE": "PLACE"})(Request("en", text, LABELS))


def test_a_trained_folder_registers_as_a_source_with_its_own_labels(ruler_pipeline: Path) -> None:
    register("trained", PipelineSource(str(ruler_pipeline)))
    assert "trained" in registered() and isinstance(get_source("trained"), PipelineSource)
    text = "We sailed from the river port."
    assert texts(text, suggest("trained", Request("en", text, LABELS))) == [("river port", "LOCATION")]


def test_a_pipeline_snaps_to_the_project_languages_tokens(tmp_path: Path) -> None:
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler").add_patterns([{"label": "GPE", "pattern": [{"TEXT": {"REGEX": "^Velm"}}]}])
    # A pipeline whose tokenizer cuts "Velmora" in two, unlike the project's: its span grows to the whole token.
    nlp.tokenizer.add_special_case("Velmora", [{"ORTH": "Velm"}, {"ORTH": "ora"}])
    nlp.to_disk(tmp_path / "split")
    text = "Boats left Velmora at dawn."
    assert texts(text, suggest(str(tmp_path / "split"), Request("en", text, LABELS))) == [("Velmora", "LOCATION")]


def test_a_missing_or_broken_pipeline_is_one_coded_line_naming_it(tmp_path: Path) -> None:
    request = Request("en", "Some text.", LABELS)
    with pytest.raises(PipelineNotFoundError, match=r"^\[A131\] suggestion source 'xx_no_such_pipeline'"):
        suggest("xx_no_such_pipeline", request)
    with pytest.raises(PipelineNotFoundError, match=r"\[A131\].*nowhere"):
        suggest(str(tmp_path / "nowhere"), request)
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.cfg").write_text("[nlp]\nlang = \"en\"\npipeline = [\"ner\"]\n")
    with pytest.raises(PipelineLoadError) as caught:
        suggest(str(broken), request)
    assert str(caught.value).startswith(f"[A132] suggestion source '{broken}': the spaCy pipeline cannot be loaded")
    assert "\n" not in str(caught.value)
