"""Line charts drawn offscreen into PNG files with pyqtgraph: the learning curve, the team dashboard's figures.

Plain data in (a series of points per name), a file out: no window is shown, so the command line can draw a
chart without a desktop session.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

# Distinct on white and for the common colour-vision deficiencies (Okabe and Ito's palette).
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
SYMBOLS = ("o", "s", "t", "d", "+", "x", "star", "p")


def _application() -> Any:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        # Called from the command line: no window is shown, so no display is needed either.
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QApplication(["annotator"])
    return app


def line_chart_png(
    path: Path,
    series: Mapping[str, Sequence[tuple[float, float]]],
    *,
    title: str = "",
    x_label: str = "",
    y_label: str = "",
    y_range: tuple[float, float] | None = None,
    colours: Mapping[str, str] | None = None,
    size: tuple[int, int] = (960, 600),
) -> Path:
    """Draw one line with markers per entry of `series` (name -> [(x, y), ...]), with a legend of the names, into
    the PNG file `path`. `colours` may give a name its colour (a label's, say); the others take the palette's."""
    _application()
    import pyqtgraph as pg  # type: ignore[import-untyped]
    from pyqtgraph.exporters import ImageExporter  # type: ignore[import-untyped]
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QFont
    from PySide6.QtWidgets import QSizePolicy

    pg.setConfigOptions(antialias=True, background="w", foreground="#202020")
    width, height = size
    # Sized by hand: a view that is never shown never lays its items out.
    view = pg.GraphicsView(background="w")
    layout = pg.GraphicsLayout()
    view.setCentralItem(layout)
    view.resize(width, height)
    layout.setContentsMargins(12, 12, 24, 12)
    if title:
        layout.addLabel(title, row=0, col=0, colspan=2, size="15pt")
    plot = layout.addPlot(row=1, col=0)
    legend = pg.LegendItem(labelTextSize="11pt", pen=pg.mkPen("#c0c0c0"), brush=pg.mkBrush("w"))
    layout.addItem(legend, row=1, col=1)  # beside the plot, where it hides no line
    legend.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
    layout.layout.setAlignment(legend, Qt.AlignmentFlag.AlignTop)
    font = QFont()
    font.setPointSize(11)
    for side, text in (("bottom", x_label), ("left", y_label)):
        axis = plot.getAxis(side)
        axis.setStyle(tickFont=font, tickTextOffset=6)
        axis.setLabel(text, **{"font-size": "12pt"})
    plot.getAxis("bottom").setHeight(58)
    plot.getAxis("left").setWidth(64)
    plot.showGrid(x=True, y=True, alpha=0.25)
    xs: list[float] = []
    for n, (name, points) in enumerate(series.items()):
        colour = (colours or {}).get(name) or PALETTE[n % len(PALETTE)]
        x = [float(p[0]) for p in points]
        xs.extend(x)
        curve = plot.plot(x, [p[1] for p in points], pen=pg.mkPen(colour, width=3), symbol=SYMBOLS[n % len(SYMBOLS)],
                          symbolSize=11, symbolBrush=colour, symbolPen=pg.mkPen("w", width=1))
        legend.addItem(curve, name)
    if y_range is not None:
        plot.setYRange(*y_range, padding=0.03)
    if xs:
        plot.setXRange(min(0.0, min(xs)), max(xs), padding=0.04)
    layout.setGeometry(0, 0, width, height)
    exporter = ImageExporter(layout)
    exporter.parameters()["width"] = width
    path.parent.mkdir(parents=True, exist_ok=True)
    written = exporter.export(str(path))
    view.deleteLater()
    if written is False:  # Qt's image writer says no more than that
        raise OSError(f"cannot write {path}")
    return path
