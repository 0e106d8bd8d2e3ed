# Overrides pyinstaller-hooks-contrib's hook-thinc (via hookspath in annotator.spec): without thinc.tests.
from PyInstaller.utils.hooks import collect_data_files, collect_submodules

datas = collect_data_files("thinc", excludes=["**/*.pyx", "**/*.pxd", "**/*.pyi", "tests", "tests/**"])
hiddenimports = collect_submodules("thinc", filter=lambda name: not name.startswith("thinc.tests"))
