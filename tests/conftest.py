"""Shared test set-up: offscreen Qt, isolated user folders, a fresh database per test, the real data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.pop("ANNOTATOR_DB", None)

# Fixtures every module may take: the window's (gui_fixtures), the databases' (db_fixtures: database, pg_url), the
# command line's (cli_runners: db).
pytest_plugins = ["gui_fixtures", "db_fixtures", "cli_runners"]

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


# The hostile-input suite's tally (tests/test_hostile_inputs.py records into it), printed after every run.
# An example counts as a hang when it started and recorded no outcome (pytest-timeout stopped it).
HOSTILE_TALLY = dict.fromkeys(("run", "clean errors", "successes", "tracebacks", "data changed after a failure"), 0)
_MUST_BE_ZERO = ("tracebacks", "hangs", "data changed after a failure")


def _hostile_counts() -> dict[str, int]:
    done = HOSTILE_TALLY["clean errors"] + HOSTILE_TALLY["successes"] + HOSTILE_TALLY["tracebacks"]
    return {**HOSTILE_TALLY, "hangs": HOSTILE_TALLY["run"] - done}


@pytest.fixture
def hostile_tally() -> dict[str, int]:
    return HOSTILE_TALLY


# The fault trials (a process killed, a server stopped, a disk filled): each test asserts a whole database and
# coded lines only, so a passed trial held and a failed one lost data or showed a traceback.
FAULT_TRIALS = {"run": 0, "held": 0, "failed": 0, "skipped": 0}
_FAULT_TRIAL = ("test_fault_trials.py::test_trial_", "test_export_safety.py::test_a_killed_")


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if not any(marker in report.nodeid for marker in _FAULT_TRIAL):
        return
    if report.when == "call" or (report.when == "setup" and not report.passed):
        FAULT_TRIALS["run"] += 1
        FAULT_TRIALS["held" if report.passed else "skipped" if report.skipped else "failed"] += 1


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if FAULT_TRIALS["run"]:
        terminalreporter.write_sep("-", "fault trials")
        terminalreporter.write_line("trials: {run}, held (database whole, coded lines only): {held}, failed: {failed}, "
                                    "skipped (no root or no PostgreSQL here): {skipped}".format(**FAULT_TRIALS))
    if HOSTILE_TALLY["run"]:
        counts = _hostile_counts()
        terminalreporter.write_sep("-", "hostile inputs")
        terminalreporter.write_line("cases run: {run}, clean errors: {clean errors}, successes: {successes}, "
                                    "tracebacks: {tracebacks}, hangs: {hangs}, data changed after a failure: "
                                    "{data changed after a failure}".format(**counts))
        if any(counts[name] for name in _MUST_BE_ZERO):
            terminalreporter.write_line(f"the run fails: {', '.join(_MUST_BE_ZERO)} must all be 0", red=True)


def pytest_sessionfinish(session: pytest.Session) -> None:
    if any(_hostile_counts()[name] for name in _MUST_BE_ZERO):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
