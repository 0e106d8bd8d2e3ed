"""resources/ and db/ ship inside the wheel and are found there, away from the source tree."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_an_installed_wheel_finds_its_resources_and_migrations(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)],
                   check=True, capture_output=True)
    (wheel,) = wheels.glob("annotator-*.whl")
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)],
                   check=True, capture_output=True)
    code = (
        "import sys\n"
        # an editable install of the checkout (pip install -e) hooks the import system: set it aside
        "sys.meta_path[:] = [f for f in sys.meta_path if 'editable' not in repr(f).lower()]\n"
        "import annotator.resources as r\n"
        "assert r.resources_dir().is_relative_to(sys.argv[1]), r.resources_dir()\n"
        "assert r.migrations_dir().is_relative_to(sys.argv[1]), r.migrations_dir()\n"
        "assert len(r.sample_articles()) >= 3\n"
        "from annotator.cli import main\n"
        "sys.exit(main(['--db', sys.argv[2], 'import', str(r.sample_articles()[0])]))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    result = subprocess.run([sys.executable, "-c", code, str(target), str(tmp_path / "w.db")], cwd=tmp_path,
                            env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "documents added: 1" in result.stdout
