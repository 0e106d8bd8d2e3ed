"""The team dashboard: four bar charts (pyqtgraph) in a dialog, or drawn offscreen into one PNG file.

Documents finished per person per day, spans per label (each person and gold), agreement per label, and the
median time a finished document took per person. The figures come from annotator.services.dashboard.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QLabel, QVBoxLayout, QWidget

from annotator.gui.charts import PALETTE, offscreen_application, offscreen_layout, write_png

if TYPE_CHECKING:  # the figures' service (and its agreement code) is imported when the dashboard first opens
    from annotator.errors import AnnotatorError
    from annotator.gui.tasks import TaskRunner
    from annotator.services.dashboard import Dashboard
    from annotator.services.workspace import Workspace

GOLD_COLOUR = "#4d4d4d"
SIZE = (1400, 1000)
TEXT = "#202020"


def person_colours(data: Dashboard) -> dict[str, str]:
    """A person keeps one colour in every chart; gold is dark grey."""
    from annotator.services.dashboard import GOLD

    colours = {who: PALETTE[n % len(PALETTE)] for n, who in enumerate(data.people)}
    colours[GOLD] = GOLD_COLOUR
    return colours


def draw(layout: Any, data: Dashboard) -> None:
    """Fill a pyqtgraph GraphicsLayout with the dashboard's title and its four charts."""
    import pyqtgraph as pg  # type: ignore[import-untyped]

    from annotator.services.dashboard import GOLD

    pg.setConfigOptions(antialias=True, background="w", foreground=TEXT)
    colours = person_colours(data)
    layout.setContentsMargins(16, 12, 24, 12)
    layout.addLabel(f"Project {data.project}", row=0, col=0, colspan=2, size="16pt", bold=True)
    days = [day.strftime("%d %b") for day in data.days]
    _bars(layout.addPlot(row=1, col=0), "Documents done per day", days,
          {who: data.done_per_day.get(who, [0] * len(days)) for who in data.people}, colours, "documents",
          "no document is done yet", decimals=0)
    owners = [*[who for who in data.people if who in data.spans], *([GOLD] if GOLD in data.spans else [])]
    _bars(layout.addPlot(row=1, col=1), "Spans per label", list(data.labels),
          {who: [data.spans[who].get(label, 0) for label in data.labels] for who in owners}, colours, "spans",
          "no spans yet", decimals=0)
    agreement = {"Krippendorff's alpha": [data.agreement[label].alpha for label in data.labels],
                 "span F1 (overlap)": [data.agreement[label].f1_overlap for label in data.labels]
                 } if data.agreement else {}
    _bars(layout.addPlot(row=2, col=0), "Agreement per label", list(data.labels), agreement,
          {"Krippendorff's alpha": "#0072B2", "span F1 (overlap)": "#E69F00"}, "agreement",
          data.agreement_note, y_range=(0.0, 1.0), note=data.agreement_note if data.agreement else "")
    for column in (0, 1):  # halves of the width, whatever the titles' lengths
        layout.layout.setColumnStretchFactor(column, 1)
        layout.layout.setColumnPreferredWidth(column, 10)
    timed = [who for who in data.people if data.median_minutes(who) is not None]
    _bars(layout.addPlot(row=2, col=1), "Minutes per finished document (median)",
          [f"{who} ({len(data.seconds[who])})" for who in timed], {"": [data.median_minutes(who) for who in timed]},
          {"": ""}, "minutes", "no time recorded on a finished document yet", decimals=1,
          bar_colours=[colours[who] for who in timed])


def _bars(plot: Any, title: str, categories: Sequence[str], series: Mapping[str, Sequence[float | int | None]],
          colours: Mapping[str, str], y_label: str, empty: str, *, decimals: int = 2,
          y_range: tuple[float, float] | None = None, note: str = "", bar_colours: Sequence[str] = ()) -> None:
    """Grouped bars: one group per category, one bar per series, its value written above it; a legend of the
    series where there is more than one name; `empty` in the middle when there is nothing to draw."""
    import pyqtgraph as pg

    font = QFont()
    font.setPointSize(10)
    for side in ("bottom", "left"):
        plot.getAxis(side).setStyle(tickFont=font, tickTextOffset=6)
    plot.getAxis("left").setLabel(y_label, **{"font-size": "11pt"})
    plot.getAxis("left").setWidth(64)
    plot.getAxis("bottom").setHeight(36)
    plot.showGrid(y=True, alpha=0.2)
    plot.setMouseEnabled(x=False, y=False)
    plot.hideButtons()
    values = [v for values in series.values() for v in values if v is not None]
    _title(plot, title, {name: colours.get(name) or PALETTE[n] for n, name in enumerate(series) if name}
           if len(series) > 1 and values else {}, note)
    if not categories or not values:
        for side in ("bottom", "left"):  # no scale for nothing
            plot.getAxis(side).setTicks([[]])
        plot.showGrid(y=False)
        plot.setXRange(0, 1)
        plot.setYRange(0, 1)
        text = pg.TextItem(empty, color="#606060", anchor=(0.5, 0.5))
        text.setFont(font)
        plot.addItem(text)
        text.setPos(0.5, 0.5)
        return
    top = y_range[1] if y_range else max(values) or 1
    width = 0.8 / max(len(series), 1)
    headroom = 1.12  # room above the tallest bar for its value
    low = min(0.0, *values) if y_range else 0.0
    show_values = len(categories) * len(series) <= 40
    for n, (name, heights) in enumerate(series.items()):
        xs = [i - 0.4 + width * (n + 0.5) for i in range(len(categories))]
        drawn = [(x, h) for x, h in zip(xs, heights, strict=True) if h is not None]
        brushes = [pg.mkBrush(c) for c in bar_colours] if bar_colours else pg.mkBrush(colours.get(name) or PALETTE[n])
        bars = pg.BarGraphItem(x=[x for x, _ in drawn], height=[h for _, h in drawn], width=width * 0.92,
                               brushes=brushes if bar_colours else None, brush=None if bar_colours else brushes,
                               pen=pg.mkPen("w", width=1))
        plot.addItem(bars)
        if show_values:
            for x, h in zip(xs, heights, strict=True):
                if h == 0 and not decimals:
                    continue  # an empty day or label needs no "0" over nothing
                label = "–" if h is None else f"{h:.{decimals}f}"
                text = pg.TextItem(label, color=TEXT, anchor=(0.5, 1.0))
                text.setFont(font)
                plot.addItem(text)
                text.setPos(x, max(h or 0.0, 0.0))
    plot.getAxis("bottom").setTicks([list(enumerate(categories))])
    plot.setXRange(-0.55, len(categories) - 0.45, padding=0)
    plot.setYRange(low, top * headroom, padding=0)
    if y_range is not None:  # the headroom holds the legend: no tick above the scale's end
        plot.getAxis("left").setTicks([[(v / 5, f"{v / 5:.1f}") for v in range(round(low * 5), 6)]])
    elif not decimals:  # counts: whole-number ticks only
        step = max(1, math.ceil(top / 6))
        plot.getAxis("left").setTicks([[(v, str(v)) for v in range(0, int(top * headroom) + 1, step)]])


def _title(plot: Any, title: str, legend: Mapping[str, str], note: str) -> None:
    """The chart's title, and under it the legend as a line of coloured squares and names (beside the bars a
    legend would hide one) and a note in grey."""
    under = "&nbsp;&nbsp;&nbsp;".join(f"<span style='color:{colour}'>&#9632;</span>&nbsp;{html.escape(name)}"
                                      for name, colour in legend.items())
    if note:
        under += ("<br>" if under else "") + f"<span style='color:#606060'>{html.escape(note)}</span>"
    plot.setTitle(f"<span style='font-size:13pt'>{html.escape(title)}</span>"
                  + (f"<br><span style='font-size:10pt'>{under}</span>" if under else ""))


def dashboard_png(path: Path, data: Dashboard, size: tuple[int, int] = SIZE) -> Path:
    """The dashboard drawn offscreen into the PNG file `path` (no display needed)."""
    offscreen_application()
    view, layout = offscreen_layout(size)
    draw(layout, data)
    return write_png(view, layout, path, size)


class DashboardDialog(QDialog):
    """The dashboard in the window (Ctrl+D); Escape closes it, F5 reads the figures again."""

    def __init__(self, data: Dashboard, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        import pyqtgraph as pg

        self.setObjectName("dashboard")
        self.setWindowTitle(f"Dashboard — {data.project}")
        self.resize(1200, 860)
        self.chart = pg.GraphicsLayoutWidget()
        self.chart.setBackground("w")
        self.note = QLabel()
        self.note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box = QVBoxLayout(self)
        box.addWidget(self.chart, 1)
        box.addWidget(self.note)
        self.refresh = QShortcut(QKeySequence("F5"), self)
        self.show_data(data)

    def show_data(self, data: Dashboard) -> None:
        self.data = data
        self.chart.clear()
        draw(self.chart.ci, data)
        done = sum(len(v) for v in data.seconds.values())
        self.note.setText(f"{len(data.people)} people, {done} finished documents. F5 reads the figures again; "
                          "annotator stats --chart FILE.png draws the same charts.")


class Dashboards:
    """Opens the dashboard from the window: the figures are read on the worker (agreement tokenizes every shared
    document), then shown in one dialog, which a second Ctrl+D or F5 fills again."""

    def __init__(self, ws: Workspace, project: str, runner: TaskRunner, parent: QWidget,
                 show_error: Callable[[AnnotatorError], None], notice: Callable[[str], None]) -> None:
        self.ws = ws
        self.project = project
        self.runner = runner
        self.parent = parent
        self.show_error = show_error
        self.notice = notice
        self.dialog: DashboardDialog | None = None

    def open(self) -> None:
        from annotator.services.dashboard import dashboard

        self.notice("reading the dashboard's figures…")
        self.runner.submit("dashboard", lambda _task: dashboard(self.ws, self.project), on_done=self._show,
                           on_error=self.show_error)

    def _show(self, data: Dashboard) -> None:
        if self.dialog is None:
            self.dialog = DashboardDialog(data, self.parent)
            self.dialog.refresh.activated.connect(self.open)
        else:
            self.dialog.show_data(data)
        self.notice("")
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()
