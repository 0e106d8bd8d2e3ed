# Overrides pyinstaller-hooks-contrib's hook-spacy (via hookspath in annotator.spec): the same
# submodules and data, without spacy.tests and the Cython sources (.pyx/.pxd), which only cost space.
from PyInstaller.utils.hooks import collect_data_files, collect_submodules

datas = collect_data_files("spacy", excludes=["**/*.pyx", "**/*.pxd", "**/*.pyi", "**/*.c", "tests", "tests/**"])
hiddenimports = collect_submodules("spacy", filter=lambda name: not name.startswith("spacy.tests"))

# spaCy 3.8 registers its pipeline factories lazily, on the first Language, behind a flag that is not
# thread-safe. When two threads make their first Language at once (the window tokenizes in the
# background while a key press tokenizes in the foreground), the second registration finds the
# factories there and compares the functions with inspect.getsourcelines(); without the .py source
# that raises OSError ("could not get source code") and spacy.blank() fails. Ship spacy.pipeline's
# sources (~250 kB) beside the byte code so that the comparison works as it does outside the bundle.
module_collection_mode = {"spacy.pipeline": "pyz+py"}
