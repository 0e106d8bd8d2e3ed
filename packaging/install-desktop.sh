#!/usr/bin/env bash
# Put a built bundle into the user's Linux desktop: the `annotator` command, the menu entry and the icons.
#
#   packaging/install-desktop.sh [BUNDLE_DIR]     # default packaging/dist/annotator
#   packaging/install-desktop.sh --uninstall
#
# Installs under ~/.local (or $PREFIX): bin/annotator -> BUNDLE_DIR/annotator,
# share/applications/annotator.desktop, share/icons/hicolor/<N>x<N>/apps/annotator.png and scalable/apps/annotator.svg.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
prefix="${PREFIX:-$HOME/.local}"
icons="$prefix/share/icons/hicolor"
sizes=(16 32 48 64 128 256 512)

if [[ "${1:-}" == "--uninstall" ]]; then
  rm -f "$prefix/bin/annotator" "$prefix/share/applications/annotator.desktop" "$icons/scalable/apps/annotator.svg"
  for n in "${sizes[@]}"; do rm -f "$icons/${n}x${n}/apps/annotator.png"; done
  echo "removed annotator from $prefix"
  exit 0
fi

bundle="$(cd "${1:-$here/dist/annotator}" && pwd)"
[[ -x "$bundle/annotator" ]] || { echo "install-desktop.sh: no bundle at $bundle (run packaging/build.sh)" >&2; exit 2; }

mkdir -p "$prefix/bin" "$prefix/share/applications" "$icons/scalable/apps"
ln -sfn "$bundle/annotator" "$prefix/bin/annotator"
for n in "${sizes[@]}"; do
  mkdir -p "$icons/${n}x${n}/apps"
  install -m 644 "$root/resources/icons/annotator-$n.png" "$icons/${n}x${n}/apps/annotator.png"
done
install -m 644 "$root/resources/icons/annotator.svg" "$icons/scalable/apps/annotator.svg"
# Exec=annotator relies on PATH; write the full path so that the menu finds it wherever bin is
sed "s|^Exec=annotator$|Exec=$prefix/bin/annotator|" "$here/annotator.desktop" > "$prefix/share/applications/annotator.desktop"
command -v update-desktop-database >/dev/null && update-desktop-database -q "$prefix/share/applications" || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$icons" 2>/dev/null || true
echo "installed: $prefix/bin/annotator -> $bundle/annotator, the menu entry and icons"
