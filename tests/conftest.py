"""Shared test set-up: offscreen Qt, isolated user folders, a fresh database per test, the real data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.pop("ANNOTATOR_DB", None)

REALDATA = Path(os.environ.get("ANNOTATOR_REALDATA", Path(__file__).resolve().parents[2] / "shared" / "realdata"))


@pytest.fixture(autouse=True)
def _isolated_user_folders(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    # platformdirs reads these on Linux: no test touches the real user's data, logs or settings.
    home = tmp_path_factory.mktemp("home")
    for name, sub in (("XDG_DATA_HOME", "data"), ("XDG_CONFIG_HOME", "config"), ("XDG_STATE_HOME", "state"),
                      ("XDG_CACHE_HOME", "cache")):
        monkeypatch.setenv(name, str(home / sub))
    monkeypatch.setenv("ANNOTATOR_USER", "tester")
    monkeypatch.delenv("ANNOTATOR_DB", raising=False)


@pytest.fixture
def realdata() -> Path:
    if not REALDATA.is_dir():
        pytest.skip(f"real data folder not present ({REALDATA})")
    return REALDATA


@pytest.fixture
def ws(tmp_path: Path):
    from annotator.services.workspace import open_workspace

    workspace = open_workspace(tmp_path / "test.db")
    yield workspace
    workspace.close()
