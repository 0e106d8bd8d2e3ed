"""spaCy's first import from two threads at once: the window's thread (a claim's link proposals read sentences)
and its worker (the rules) both reach it in the first seconds of a session."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

RACE = """
import threading
from annotator.nlp import sentences
from annotator.nlp.suggest import rules

barrier = threading.Barrier(2)
errors = []

def run(work):
    barrier.wait()
    try:
        work()
    except Exception as e:
        errors.append(repr(e))

threads = [threading.Thread(target=run, args=(w,)) for w in (
    lambda: sentences.sentence_bounds("Officials said so. Nobody agreed.", "en"),
    lambda: rules.propose("Officials said 17,000 people left Kharkiv.", "en"))]
for t in threads:
    t.start()
for t in threads:
    t.join(timeout=120)
print(errors or "both ran")
"""


def test_two_threads_reaching_spacy_first_at_once_both_run() -> None:
    # Without the lock around the first import, one thread got "cannot import name ... from partially initialized
    # module 'spacy.pipeline'" on every run of this script. A fresh process: spaCy must not be imported yet.
    for _ in range(2):
        result = subprocess.run([sys.executable, "-c", RACE], cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "both ran", result.stdout
