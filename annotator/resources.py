"""The one way to find resources/ and db/: in the source tree, in an installed wheel, in a frozen bundle."""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def _candidates(top: str, packaged: str) -> list[Path]:
    found = []
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        found.append(Path(frozen_root) / top)
    found.append(_PACKAGE_DIR.parent / top)  # source tree or editable install
    found.append(_PACKAGE_DIR / packaged)  # wheel: shipped as annotator/_resources, annotator/_db
    return found


@cache
def _locate(top: str, packaged: str, marker: str) -> Path:
    for candidate in _candidates(top, packaged):
        if (candidate / marker).exists():
            return candidate
    raise FileNotFoundError(f"cannot find the {top}/ folder of annotator (looked in {_candidates(top, packaged)})")


def resources_dir() -> Path:
    return _locate("resources", "_resources", "labels.json")


def migrations_dir() -> Path:
    return _locate("db", "_db", "env.py")


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


def sample_articles() -> list[Path]:
    return sorted(resource("samples").glob("*.txt"))
