#!/usr/bin/env bash
# Build the one-folder bundle packaging/dist/annotator/ and check it.
#
#   packaging/build.sh              # own venv in packaging/.venv (made on first use), build, check
#   packaging/build.sh --no-check   # build only
#
# Environment:
#   ANNOTATOR_BUILD_PYTHON  the python of an existing venv to build with instead of packaging/.venv
#                           (the project and PyInstaller are installed into it if missing)
#   PYTHON                  the interpreter that makes packaging/.venv (default python3; 3.11 or newer)
#   ANNOTATOR_BUNDLE_EXTRAS extras bundled besides the app (default "postgres": the PostgreSQL driver,
#                           about 11 MB; set it empty to leave it out of a new packaging/.venv)
#   ANNOTATOR_BUILD_REINSTALL=1  reinstall the project's dependencies (after pyproject.toml changed)
#
# Needs binutils' `strip` (Debian: binutils) to strip spaCy's modules; without it the bundle is ~100 MB
# bigger.  The checks run the bundle offscreen (QT_QPA_PLATFORM=offscreen): no screen needed.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"

check=1
for arg in "$@"; do
  case "$arg" in
    --no-check) check=0 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "build.sh: unknown argument $arg (try --help)" >&2; exit 2 ;;
  esac
done

extras="bundle"
if [[ -n "${ANNOTATOR_BUNDLE_EXTRAS-postgres}" ]]; then
  extras="bundle,${ANNOTATOR_BUNDLE_EXTRAS-postgres}"
fi

# -- the build environment --------------------------------------------------------------------------
if [[ -n "${ANNOTATOR_BUILD_PYTHON:-}" ]]; then
  py="$ANNOTATOR_BUILD_PYTHON"
else
  py="$here/.venv/bin/python"
  if [[ ! -x "$py" ]]; then
    "${PYTHON:-python3}" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
      echo "build.sh: ${PYTHON:-python3} is older than Python 3.11; set PYTHON=python3.11 (or newer)" >&2
      exit 2
    }
    echo "build.sh: creating $here/.venv"
    "${PYTHON:-python3}" -m venv "$here/.venv"
    "$py" -m pip install -q --upgrade pip
  fi
fi
if ! "$py" -c 'import PyInstaller, annotator, spacy, PySide6' 2>/dev/null || [[ -n "${ANNOTATOR_BUILD_REINSTALL:-}" ]]; then
  echo "build.sh: installing annotator[$extras] into $("$py" -c 'import sys; print(sys.prefix)')"
  "$py" -m pip install -q -e ".[$extras]"
fi
"$py" -c 'import PyInstaller' 2>/dev/null || "$py" -m pip install -q "pyinstaller>=6.10"
command -v strip >/dev/null || echo "build.sh: warning: no strip (binutils): spaCy's modules will not be stripped" >&2

# -- build -------------------------------------------------------------------------------------------
started=$(date +%s)
"$py" -m PyInstaller --noconfirm --log-level WARN \
  --distpath "$here/dist" --workpath "$here/build" "$here/annotator.spec"
bundle="$here/dist/annotator"
exe="$bundle/annotator"
echo "build.sh: built $bundle in $(( $(date +%s) - started )) s, $(du -sh "$bundle" | cut -f1)B on disk"

# -- check -------------------------------------------------------------------------------------------
if (( check )); then
  tmp="$(mktemp -d "${TMPDIR:-/tmp}/annotator-bundle-check.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  export QT_QPA_PLATFORM=offscreen ANNOTATOR_SETTINGS="$tmp/settings.ini"
  # keep the user's data folder out of it: platformdirs follow these on Linux
  export XDG_DATA_HOME="$tmp/data" XDG_CONFIG_HOME="$tmp/config" XDG_STATE_HOME="$tmp/state" XDG_CACHE_HOME="$tmp/cache"

  version="$("$exe" --version)"
  echo "build.sh: $version"
  [[ "$version" == "annotator $("$py" -c 'import annotator; print(annotator.__version__)')" ]] || {
    echo "build.sh: FAIL: --version printed '$version'" >&2; exit 1; }

  "$exe" --self-test || { echo "build.sh: FAIL: the bundle's --self-test" >&2; exit 1; }

  sample="$(ls "$root"/resources/samples/*.txt | head -n 1)"
  "$exe" --db "$tmp/check.db" --annotator check import "$sample" \
    || { echo "build.sh: FAIL: import $sample" >&2; exit 1; }
  "$exe" --db "$tmp/check.db" export --format spacy --out "$tmp/corpus" \
    || { echo "build.sh: FAIL: export --format spacy" >&2; exit 1; }
  for f in train.spacy dev.spacy config.cfg; do
    [[ -s "$tmp/corpus/$f" ]] || { echo "build.sh: FAIL: the export wrote no $f" >&2; exit 1; }
  done
  echo "build.sh: bundle checks passed"
fi
