"""Training a span categorizer on news-like articles: throughput and the learning curve.

    python bench/training.py [--docs 60] [--max-steps 200] [--curve]

Our figure is annotator's training (nlp/training.py: spaCy's loop driven step by step, with progress and cancel);
the baseline is spaCy's own `spacy.training.loop.train` on the same corpus, config, seed and steps, in the same run.
The articles are generated here (seeded): attributed claims holding figures and places, with filler between them.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from annotator.domain.records import DocumentRecord, SpanRecord  # noqa: E402

SOURCES = ["deputy governor Irena Dobrić", "the regional emergency service", "the port authority", "Olena Marchuk",
           "a ministry spokeswoman", "the grid operator", "harbour master Daniel Reuter", "Dr Amina Haddad",
           "the mayor's office", "police chief Pavlo Sydor"]
PLACES = ["Velmora", "Hrebenka", "the Dorvan region", "Ostrava Bay", "Lindgrad", "the Lower Quay district",
          "Westbury", "Saltmere", "the Sava Nova valley", "Kastell"]
FIGURES = ["more than 12,000 residents", "about 400,000 households", "34 per cent of the ships", "230 nurses",
           "at least 17 drones", "1.2 million tonnes of grain", "nearly 85 patients", "two thirds of the staff",
           "roughly twice the area of the old town", "$4.5 million", "some 3,000 homes", "24 hours"]
CLAIM_VERBS = ["had left", "were moved out of", "had been reported in", "were still without power in",
               "would be needed to rebuild", "had arrived in", "were waiting in", "were lost in"]
TIMES = ["since Monday", "on Wednesday", "overnight", "by the end of the week", "this year", "in March"]
FILLER = ["Rescue crews worked through the night.", "The river was expected to crest on Friday.",
          "Schools in the area stayed closed.", "Volunteers handed out water and blankets.",
          "Officials did not say when the roads would reopen.", "Shops on the main square were shut.",
          "The weather service issued a new warning.", "Trains ran on a reduced timetable.",
          "It is strictly forbidden to use the information published here without permission.",
          "Leave a Comment"]


def _claim(rng: random.Random) -> tuple[str, list[tuple[int, int, str]]]:
    figure, place = rng.choice(FIGURES), rng.choice(PLACES)
    text = f"{figure} {rng.choice(CLAIM_VERBS)} {place} {rng.choice(TIMES)}"
    p = text.index(place, len(figure))
    return text, [(0, len(figure), "FIGURE"), (p, p + len(place), "LOCATION")]


def article(rng: random.Random) -> DocumentRecord:
    """A headline and five to nine paragraphs: claims attributed in the three ways news puts them, and filler."""
    word, place = rng.choice(["Evacuation", "Repairs", "Exports", "Flooding"]), rng.choice(PLACES)
    text = f"{word} in {place[0].upper()}{place[1:]}\n\n"
    spans = [(len(word) + 4, len(word) + 4 + len(place), "LOCATION")]
    for _ in range(rng.randint(5, 9)):
        for _ in range(rng.randint(1, 3)):
            kind = rng.random()
            if kind < 0.35:
                claim, inner = _claim(rng)
                source = rng.choice(SOURCES)
                if kind < 0.12:
                    sentence, at = f"According to {source}, {claim}.", len("According to ")
                    c0, s0 = at + len(source) + 2, at
                elif kind < 0.24:
                    sentence = f"\"{claim[0].upper()}{claim[1:]},\" {source} wrote on Telegram."
                    c0, s0 = 1, len(claim) + 4
                else:
                    sentence = f"{source[0].upper()}{source[1:]} said that {claim}."
                    c0, s0 = len(source) + len(" said that "), 0
                base = len(text)
                spans.append((base + s0, base + s0 + len(source), "SOURCE"))
                spans.append((base + c0, base + c0 + len(claim), "CLAIM"))
                spans.extend((base + c0 + a, base + c0 + b, label) for a, b, label in inner)
                text += sentence + " "
            else:
                text += rng.choice(FILLER) + " "
        text = text.rstrip() + "\n\n"
    return DocumentRecord(text.rstrip(), tuple(SpanRecord(*s) for s in spans))


Part = str | tuple[str, str | None, list[tuple[int, int, str]]]  # text, or (text, label, spans inside it)
THINGS = ["patients waiting for surgery", "families in shelters", "ships at anchor", "homes without water"]
OBJECTS = ["main pipeline", "pumping station", "northern pier", "grain terminal", "old substation"]
DURATIONS = ["three months", "two weeks", "at least a year", "ten days"]


def _compose(parts: list[Part]) -> tuple[str, list[tuple[int, int, str]]]:
    text, spans = "", []
    for part in parts:
        if isinstance(part, str):
            text += part
            continue
        piece, label, inner = part
        spans.extend((len(text) + a, len(text) + b, lab) for a, b, lab in inner)
        if label is not None:
            spans.append((len(text), len(text) + len(piece), label))
        text += piece
    return text, spans


def _varied_claim(rng: random.Random, capital: bool) -> tuple[str, str | None, list[tuple[int, int, str]]]:
    """A claim of one of eight shapes, with the figures and places inside it."""
    figure, place, time = (rng.choice(FIGURES), "FIGURE"), (rng.choice(PLACES), "LOCATION"), rng.choice(TIMES)
    number = (f"{rng.randint(12, 990)},{rng.randint(100, 999)}", "FIGURE")
    shapes: list[list[Part]] = [
        [(*figure, []), f" {rng.choice(CLAIM_VERBS)} ", (*place, []), f" {time}"],
        [f"the number of {rng.choice(THINGS)} in ", (*place, []), " has risen to ", (*number, [])],
        ["power was cut to ", (f"{number[0]} homes", "FIGURE", []), " in ", (*place, []), " after the strikes"],
        [f"repairs to the {rng.choice(OBJECTS)} would cost up to ", (f"${rng.randint(2, 90)} million", "FIGURE", [])],
        [f"the work could take {rng.choice(DURATIONS)}"],
        ["freight rates had fallen by ", (f"about {rng.randint(3, 40)} per cent", "FIGURE", []), f" {time}"],
        ["nobody was hurt in ", (*place, []), f" {time}"],
        [f"the {rng.choice(OBJECTS)} at ", (*place, []), " lost power twice this week"],
    ]
    text, spans = _compose(rng.choice(shapes))
    return (text[0].upper() + text[1:]) if capital else text, "CLAIM", spans


def varied_article(rng: random.Random) -> DocumentRecord:
    """Like `article`, with claims of eight shapes put in eleven ways news puts them: said (that), told reporters
    that, according to, quoted before or after the source, two claims in one quote, and a headline's lead claim
    with no source at all."""
    word, place = rng.choice(["Evacuation", "Repairs", "Exports", "Flooding"]), rng.choice(PLACES)
    title = f"{word} in {place}\n\n"
    parts: list[Part] = [title[: len(word) + 4], (place, "LOCATION", []), "\n\n", _varied_claim(rng, True), ".\n\n"]
    for _ in range(rng.randint(4, 8)):
        for _ in range(rng.randint(1, 3)):
            if rng.random() >= 0.45:
                filler = rng.choice([*FILLER, "Officials in {} did not say when the roads would reopen."])
                if "{}" in filler:
                    at = filler.index("{}")
                    where = rng.choice(PLACES)
                    parts += [filler[:at], (where, "LOCATION", []), filler[at + 2 :] + " "]
                else:
                    parts.append(filler + " ")
                continue
            name = rng.choice(SOURCES)
            source: Part = (name, "SOURCE", [])
            upper: Part = (name[0].upper() + name[1:], "SOURCE", [])
            way = rng.randrange(10)
            if way == 0:
                parts += ["According to ", source, ", ", _varied_claim(rng, False), ". "]
            elif way == 1:
                parts += ["\"", _varied_claim(rng, True), ",\" ", source, " wrote on Telegram. "]
            elif way == 2:
                parts += [upper, " said that ", _varied_claim(rng, False), ". "]
            elif way == 3:
                parts += [_varied_claim(rng, True), ", ", source, rng.choice([" said", " told reporters"]), ". "]
            elif way == 4:
                parts += [_varied_claim(rng, True), ", according to ", source, ". "]
            elif way == 5:
                parts += [upper, f" told reporters {rng.choice(TIMES)} that ", _varied_claim(rng, False), ". "]
            elif way == 6:
                parts += [upper, " said: \"", _varied_claim(rng, True), ".\" "]
            elif way == 7:
                parts += [upper, " said ", _varied_claim(rng, False), ". "]
            elif way == 8:
                parts += ["\"", _varied_claim(rng, True), ". ", _varied_claim(rng, True), ",\" ", source, " said. "]
            else:
                parts += [_varied_claim(rng, True), ", and ", _varied_claim(rng, False), ", ", source, " said. "]
        parts.append("\n\n")
    text, spans = _compose(parts)
    trimmed = text.rstrip()
    return DocumentRecord(trimmed, tuple(SpanRecord(*s) for s in sorted(spans) if s[1] <= len(trimmed)))


def articles(n: int, seed: int = 0, *, varied: bool = False) -> list[DocumentRecord]:
    rng = random.Random(seed)
    return [(varied_article if varied else article)(rng) for _ in range(n)]


def _jsonl(path: Path, n: int) -> list[DocumentRecord]:
    import json

    out = []
    for line in path.read_text(encoding="utf-8").splitlines()[:n]:
        record = json.loads(line)
        spans = tuple(SpanRecord(s["start"], s["end"], s["label"]) for s in record.get("spans") or [])
        out.append(DocumentRecord(record["text"], spans))
    return out


def _baseline_seconds(train: list[DocumentRecord], held: list[DocumentRecord], max_steps: int, seed: int) -> float:
    """spaCy's own training function on the same corpus and config (with our suggester), end to end as ours is
    timed."""
    from spacy.training.initialize import init_nlp
    from spacy.training.loop import train as spacy_train
    from spacy.util import load_config

    from annotator.nlp.docbin import DocBinWriter
    from annotator.nlp.training import training_suggester

    started = time.perf_counter()  # from the corpus on, as ours is timed
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        writer = DocBinWriter(corpus, "en", statements={"CLAIM"}, expand=True)
        for part, records in (("train", train), ("dev", held)):
            for n, r in enumerate(records):
                writer.add(f"d{n}", r.text, r.spans, part)
        writer.commit()
        config = load_config(corpus / "config.cfg", overrides={
            "paths.train": str(corpus / "train.spacy"), "paths.dev": str(corpus / "dev.spacy"),
            "training.max_steps": max_steps, "training.seed": seed, "system.seed": seed,
            "training.eval_frequency": max(1, min(200, max_steps // 5))}, interpolate=False)
        # The suggester ours trains with (nlp.candidates): the two loops then score the same candidates.
        config["components"]["spancat"]["suggester"] = training_suggester(train, "en", frozenset({"CLAIM"}))[0]
        import io

        nlp, _ = spacy_train(init_nlp(config), None, stdout=io.StringIO(), stderr=io.StringIO())
        from spacy.training import Corpus

        nlp.evaluate(list(Corpus(str(corpus / "dev.spacy"))(nlp)))  # ours scores the held-back share at the end too
        return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=60)
    parser.add_argument("--max-steps", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--curve", action="store_true", help="also the learning curve (four more models)")
    parser.add_argument("--chart", type=Path, help="draw the curve into this PNG")
    parser.add_argument("--varied", action="store_true", help="articles whose claims take eleven shapes and ways of "
                        "attribution (varied_article), not the three of the plain ones")
    parser.add_argument("--score-on", type=Path, help="score on every record of this Prodigy JSONL (such as "
                        "resources/samples/frames.jsonl) and train on all --docs articles")
    parser.add_argument("--jsonl", type=Path, help="train on the first --docs records of this Prodigy JSONL (text and "
                        "spans) instead of generated articles")
    args = parser.parse_args()
    from annotator.nlp.training import learning_curve, train_spancat
    from annotator.services.training import curve_table, score_table

    docs = articles(args.docs, args.seed, varied=args.varied) if args.jsonl is None else _jsonl(args.jsonl, args.docs)
    held_n = max(1, round(len(docs) * 0.2))
    train, held = docs[held_n:], docs[:held_n]
    if args.score_on is not None:  # every document trains; others, written apart from them, score
        train, held = docs, _jsonl(args.score_on, 10_000)
    chars = sum(len(d.text) for d in docs)
    spans = sum(len(d.spans) for d in docs)
    print(f"{len(docs)} documents, {chars:,} characters, {spans:,} spans; {len(train)} to train, {len(held)} held back")
    # One step first, so that neither timed run pays for loading spaCy's training modules and language data.
    train_spancat(train[:2], held[:1], lang="en", statements=frozenset({"CLAIM"}), max_steps=1, seed=args.seed)
    started = time.perf_counter()
    model = train_spancat(train, held, lang="en", statements=frozenset({"CLAIM"}), max_steps=args.max_steps,
                          seed=args.seed)
    ours = time.perf_counter() - started
    print(f"training: {model.steps} steps, {model.words:,} tokens in {model.seconds:.1f} s of training loop: "
          f"{model.tokens_per_second:,.0f} tokens/s")
    baseline = _baseline_seconds(train, held, args.max_steps, args.seed)
    print(f"end to end: ours {ours:.1f} s, spaCy's train() {baseline:.1f} s, ratio {ours / baseline:.2f}x")
    labels = sorted({s.label for d in docs for s in d.spans})
    print("\n".join(score_table(model.scores, labels)))
    if args.curve or args.chart:
        points = learning_curve(train, held, lang="en", statements=frozenset({"CLAIM"}), max_steps=args.max_steps,
                                seed=args.seed)
        print("\n".join(curve_table(points, labels)))
        if args.chart:
            from annotator.gui.charts import line_chart_png

            line_chart_png(args.chart, {label: [(p.documents, p.scores[label].f) for p in points if label in p.scores]
                                        for label in labels}, y_range=(0.0, 1.0), x_label="training documents",
                           y_label="F (held-back documents)", title=f"Learning curve on {len(held)} held-back articles")
    return 0


if __name__ == "__main__":
    sys.exit(main())
