"""Very large inputs stream: memory stays bounded whatever the file size (slow: not run in CI)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]


def peak_rss_mb_of_import(db: Path, source: Path) -> tuple[float, str]:
    code = ("import resource, sys\n"
            "from annotator.cli import main\n"
            "code = main(['--db', sys.argv[1], 'import', sys.argv[2]])\n"
            "print('RSS', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)\n"
            "sys.exit(code)\n")
    result = subprocess.run([sys.executable, "-c", code, str(db), str(source)], cwd=ROOT, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr
    rss = float(result.stdout.split("RSS")[-1])
    return rss, result.stdout


def test_a_1_gb_jsonl_file_imports_in_bounded_memory(tmp_path: Path) -> None:
    source = tmp_path / "big.jsonl"
    paragraph = "More than 17,000 people have left Izium since March, the governor wrote on Telegram. " * 24
    with source.open("w", encoding="utf-8") as f:
        n = 0
        while f.tell() < 1_000_000_000:
            f.write(json.dumps({"text": f"{n} {paragraph}", "spans": [{"start": 0, "end": len(str(n)),
                                                                       "label": "FIGURE"}]}) + "\n")
            n += 1
    small = tmp_path / "small.jsonl"
    with source.open(encoding="utf-8") as f, small.open("w", encoding="utf-8") as g:
        for _ in range(10_000):
            g.write(f.readline())
    rss_small, _ = peak_rss_mb_of_import(tmp_path / "small.db", small)
    rss_big, out = peak_rss_mb_of_import(tmp_path / "big.db", source)
    assert f"documents added: {n}" in out
    assert rss_big < rss_small + 150, (rss_small, rss_big)


def test_a_50_mb_text_file_is_one_document(tmp_path: Path) -> None:
    source = tmp_path / "huge.txt"
    line = "Велмора: more than 17,000 people left, the governor said 🇺🇦.\r\n"
    source.write_text(line * (50_000_000 // len(line.encode("utf-8"))), encoding="utf-8", newline="")
    _, out = peak_rss_mb_of_import(tmp_path / "t.db", source)
    assert "documents added: 1" in out
    import sqlite3

    with sqlite3.connect(tmp_path / "t.db") as conn:
        (text,) = conn.execute("SELECT text FROM document").fetchone()
    assert text == source.read_bytes().decode("utf-8")  # CRLF and all
