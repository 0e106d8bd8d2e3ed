"""The window's own settings, typed, over QSettings (reading font, theme, snapping), and applying the theme.

Labels are not here: they belong to the project and live in the database (annotator.services.labels).
"""

from __future__ import annotations

import json
from enum import StrEnum

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

DEFAULT_FONT_SIZE = 13.5
MIN_FONT_SIZE = 8.0
MAX_FONT_SIZE = 40.0


class Theme(StrEnum):
    SYSTEM = "system"  # follow the operating system's light or dark scheme
    LIGHT = "light"
    DARK = "dark"


class GuiSettings:
    """Typed access to the appearance and tagging settings; every write is synced to disk at once."""

    FONT_FAMILY = "appearance/font_family"
    FONT_SIZE = "appearance/font_size"
    THEME = "appearance/theme"
    SNAP_TO_TOKENS = "tagging/snap_to_tokens"
    HIDDEN_LAYERS = "view/hidden_layers"

    def __init__(self, store: QSettings) -> None:
        self.store = store

    @property
    def font_family(self) -> str:
        """The article's font family; "" means the built-in choice of reading fonts."""
        return str(self.store.value(self.FONT_FAMILY, "") or "")

    @font_family.setter
    def font_family(self, family: str) -> None:
        self._set(self.FONT_FAMILY, family)

    @property
    def font_size(self) -> float:
        stored = self.store.value(self.FONT_SIZE, DEFAULT_FONT_SIZE)
        if not isinstance(stored, str | bytes | int | float):  # a hand-edited .ini file
            return DEFAULT_FONT_SIZE
        try:
            size = float(stored)
        except ValueError:
            return DEFAULT_FONT_SIZE
        return min(max(size, MIN_FONT_SIZE), MAX_FONT_SIZE)

    @font_size.setter
    def font_size(self, size: float) -> None:
        self._set(self.FONT_SIZE, float(size))

    @property
    def theme(self) -> Theme:
        try:
            return Theme(str(self.store.value(self.THEME, Theme.SYSTEM.value)))
        except ValueError:
            return Theme.SYSTEM

    @theme.setter
    def theme(self, theme: Theme) -> None:
        self._set(self.THEME, Theme(theme).value)

    @property
    def snap_to_tokens(self) -> bool:
        # An .ini file gives back the string "false"; the native stores give back a bool.
        value = self.store.value(self.SNAP_TO_TOKENS, True)
        return value if isinstance(value, bool) else str(value).strip().lower() not in ("false", "0", "no", "off")

    @snap_to_tokens.setter
    def snap_to_tokens(self, on: bool) -> None:
        self._set(self.SNAP_TO_TOKENS, bool(on))

    @property
    def hidden_layers(self) -> frozenset[str]:
        """The read-only layers the annotator hid (View menu), as "kind:name"; JSON, since an .ini file gives
        a one-item list back as a plain string."""
        try:
            names = json.loads(str(self.store.value(self.HIDDEN_LAYERS, "[]")))
        except ValueError:
            return frozenset()
        return frozenset(n for n in names if isinstance(n, str)) if isinstance(names, list) else frozenset()

    @hidden_layers.setter
    def hidden_layers(self, names: frozenset[str]) -> None:
        self._set(self.HIDDEN_LAYERS, json.dumps(sorted(names)))

    def _set(self, key: str, value: object) -> None:
        self.store.setValue(key, value)
        self.store.sync()


# -- the theme --------------------------------------------------------------------------------------
_BASE_STYLE = "annotator_base_style"  # an application property: the style Qt chose before we switched to Fusion
_DARK_NOW = "annotator_dark"


def system_is_dark() -> bool:
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def wants_dark(theme: Theme) -> bool:
    return theme == Theme.DARK or (theme == Theme.SYSTEM and system_is_dark())


def dark_palette() -> QPalette:
    """A calm dark palette for the Fusion style (the native styles of Windows and macOS ignore palettes)."""
    roles = QPalette.ColorRole
    colours = {
        roles.Window: "#2b2d31", roles.WindowText: "#e4e1da", roles.Base: "#1e2024",
        roles.AlternateBase: "#26282c", roles.ToolTipBase: "#33363b", roles.ToolTipText: "#e4e1da",
        roles.PlaceholderText: "#8b8e94", roles.Text: "#e4e1da", roles.Button: "#35383e",
        roles.ButtonText: "#e4e1da", roles.BrightText: "#ff7b72", roles.Light: "#4a4d54",
        roles.Midlight: "#3e4147", roles.Mid: "#2a2c30", roles.Dark: "#1b1c1f", roles.Shadow: "#111214",
        roles.Highlight: "#3d6fb6", roles.HighlightedText: "#ffffff", roles.Link: "#8ab4f8",
        roles.LinkVisited: "#c58af9", roles.Accent: "#3d6fb6",
    }
    palette = QPalette()
    for role, colour in colours.items():
        palette.setColor(role, QColor(colour))
    for role in (roles.WindowText, roles.Text, roles.ButtonText, roles.HighlightedText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7b7e84"))
    palette.setColor(QPalette.ColorGroup.Disabled, roles.Highlight, QColor("#44474d"))
    return palette


def apply_theme(theme: Theme) -> bool:
    """Make the application light or dark as `theme` says; returns True when it is now dark."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    dark = wants_dark(theme)
    if app.property(_BASE_STYLE) is None:
        app.setProperty(_BASE_STYLE, app.style().name())
    hints = app.styleHints()
    # Asking the platform for the scheme too keeps title bars and native dialogs in step (Qt 6.8+).
    if theme == Theme.SYSTEM:
        hints.unsetColorScheme()
    else:
        hints.setColorScheme(Qt.ColorScheme.Dark if dark else Qt.ColorScheme.Light)
    shown: object = app.property(_DARK_NOW)  # None until the first call
    if shown is dark:
        return dark
    if dark:
        app.setStyle("Fusion")
        app.setPalette(dark_palette())
    else:
        if app.style().name().lower() != str(app.property(_BASE_STYLE)).lower():
            app.setStyle(str(app.property(_BASE_STYLE)))
        app.setPalette(QPalette())  # a palette with nothing set: back to the style's and the platform's own
    app.setProperty(_DARK_NOW, dark)
    return dark
