#!/usr/bin/env bash
# CI: build the PyInstaller bundle the way a release is built (packaging/build.sh in its own venv,
# packaging/.venv, then the bundle's own checks), and run tests/test_bundle.py against it.
set -euo pipefail
cd "$(dirname "$0")/.."

bash .ci/system-packages.sh   # Qt's system libraries, for the offscreen checks
# strip (binutils) shrinks spaCy's modules; Xvfb and xwininfo let test_bundle open the window on X11
extra=()
command -v strip >/dev/null || extra+=(binutils)
command -v Xvfb >/dev/null || extra+=(xvfb)
command -v xwininfo >/dev/null || extra+=(x11-utils)
if ((${#extra[@]})); then
  if [[ $(id -u) -eq 0 ]]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${extra[@]}" >/dev/null
  else
    echo "missing Debian packages (install them as root): ${extra[*]}" >&2
  fi
fi

packaging/build.sh

# The tests run in the development venv (.ci/run makes it; made here when this script runs alone).
[[ -x .venv/bin/python ]] || { python3 -m venv .venv && .venv/bin/pip install -q -e ".[dev]"; }
ANNOTATOR_TEST_BUNDLE=1 ANNOTATOR_BUNDLE_DIR="$PWD/packaging/dist/annotator" \
  .venv/bin/python -m pytest -m bundle tests/test_bundle.py
