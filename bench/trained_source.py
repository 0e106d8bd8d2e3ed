"""The `trained` suggestion source (the project's latest span categorizer) on a 5,000-character article.

    python bench/trained_source.py [--docs 40] [--max-steps 100]

Trains a model on generated news articles (bench/training.py's, seeded), records it as a project's latest model
and asks the `trained` source (services.trained_models) for suggestions on a 5,000-character article made of the
sample articles. Prints Result lines as bench/run.py does: our figure (the median of 20 calls once the model is
loaded: the window loads it once and keeps it), the baseline measured in the same run (the `rules` source on the
same article), the ratio and the issue's target (<= 300 ms on this 2-core machine).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from run import Result  # noqa: E402
from suggest_bench import _article, _median  # noqa: E402
from training import articles  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=40)
    parser.add_argument("--max-steps", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        os.environ["XDG_DATA_HOME"] = home  # the bench's model stays out of the user's models folder
        return _run(args.docs, args.max_steps)


def _run(n_docs: int, max_steps: int) -> int:
    from annotator.nlp.suggest import Request, get_source
    from annotator.nlp.suggest.rules import propose
    from annotator.nlp.training import train_spancat
    from annotator.resources import sample_articles
    from annotator.services.trained_models import TRAINED, default_model_dir, record_latest, use_trained
    from annotator.services.workspace import default_labels

    docs = articles(n_docs)
    held = max(1, n_docs // 5)
    out = default_model_dir("bench")
    started = time.perf_counter()
    model = train_spancat(docs[held:], docs[:held], lang="en", statements=frozenset({"CLAIM"}), out=out,
                          max_steps=max_steps, meta={"project": "bench"})
    print(f"trained on {n_docs - held} generated articles, {model.steps} steps, in "
          f"{time.perf_counter() - started:.1f} s; F {model.overall.f:.2f} on {held} held back", flush=True)
    record_latest("bench", out)
    assert use_trained("bench") == out.resolve()

    five = _article([p.read_text(encoding="utf-8") for p in sample_articles()], 5_000)
    request = Request("en", five, default_labels())
    source = get_source(TRAINED)
    started = time.perf_counter()
    found = source(request)  # loads the pipeline: once per model in a session
    first = time.perf_counter() - started
    propose(five, "en")  # the rules' gazetteer and matchers, built once
    ours = _median(lambda: source(request), 20)
    base = _median(lambda: propose(five, "en"), 20)
    print(Result("trained5k", f"trained source on a {len(five):,}-character article ({len(found)} suggestions)",
                 ours * 1000, base * 1000, "ms", ours / base, "<= 300 ms", ours <= 0.3,
                 f"baseline: the rules source on the same article; the first call, loading the model, "
                 f"{first * 1000:.0f} ms").line(), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
