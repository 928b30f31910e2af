"""SVG drawings of the competence charts and the coverage map (no JavaScript, no chart library).

Built with :mod:`xml.etree.ElementTree`, so every label is escaped and the result is well-formed.
Colours follow D5.1 Figures 4-6: blue for diffraction and scattering, pink for bulk spectroscopy,
yellow for surface spectroscopy, grey for imaging; a green contour around the name marks operando.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections import defaultdict

from rdflib import URIRef

from bigmap_kg.charts import Bubble, Cell, CompetenceChart, CoverageMap
from bigmap_kg.namespaces import BMK

SVG_NS = "http://www.w3.org/2000/svg"
CLUSTER_COLOURS: dict[URIRef, str] = {
    BMK.DiffractionAndScattering: "#5b9bd5", BMK.BulkSpectroscopy: "#e88fb8",
    BMK.SurfaceSpectroscopy: "#f2c94c", BMK.Imaging: "#a6a6a6"}
NO_CLUSTER = "#ffffff"
OPERANDO = "#2e9d3a"
SLOT_W, SLOT_H = 104, 84  # room for one bubble and its name below it
LEFT, TOP, BOTTOM, RIGHT = 64, 12, 56, 12
X_TICKS = ("Å", "Å–nm", "nm", "nm–µm", "µm")  # column k sits at x = k / 2
CHAR_W = 6.2  # average width of a character at the label size, for the name box


def _el(parent: ET.Element, tag: str, text: str | None = None, **attrs: object) -> ET.Element:
    node = ET.SubElement(parent, tag, {k.rstrip("_").replace("_", "-"): str(v) for k, v in attrs.items()})
    if text is not None:
        node.text = text
    return node


def _svg(width: float, height: float, ident: str, title: str, desc: str) -> ET.Element:
    """The root element; its links stay reachable (no role="img", which would hide them)."""
    root = ET.Element("svg", {"xmlns": SVG_NS, "id": ident, "class": "chart",
                              "width": f"{width:.0f}", "height": f"{height:.0f}",
                              "viewBox": f"0 0 {width:.0f} {height:.0f}",
                              "aria-labelledby": f"{ident}-title"})
    _el(root, "title", title, id=f"{ident}-title")
    _el(root, "desc", desc)
    return root


def radius(partners: int, max_partners: int) -> float:
    """Bubble area proportional to the number of partners; the largest fills its slot."""
    largest = min(SLOT_W, SLOT_H) / 2 - 12
    return largest * math.sqrt(max(partners, 1) / max(max_partners, 1))


def _grid(n: int) -> tuple[int, int]:
    """Columns and rows of slots for n bubbles in one cell of the chart, wider than tall."""
    cols = min(n, max(1, round(math.sqrt(n * 1.4))))
    return cols, math.ceil(n / cols) if n else 0


def _lines(name: str) -> list[str]:
    words = name.split(" ")
    if len(name) <= 11 or len(words) == 1:
        return [name]
    half = max(range(1, len(words)), key=lambda i: -abs(len(" ".join(words[:i])) - len(name) / 2))
    return [" ".join(words[:half]), " ".join(words[half:])]


def tooltip(b: Bubble, cluster_labels: dict[URIRef, str]) -> str:
    partners = ", ".join(b.partners)
    return (f"{b.label} — {len(b.partners)} partner{'s' if len(b.partners) != 1 else ''}: {partners}; "
            f"cluster: {cluster_labels.get(b.cluster, 'none') if b.cluster else 'none'}; "
            f"operando: {'yes' if b.operando else 'no (model rows only)'}; length scale: {b.length_text}; "
            f"mapping: {f'{b.dimension}D' if b.dimension else 'not given'}")


def _draw_bubble(parent: ET.Element, b: Bubble, cx: float, cy: float, r: float,
                 cluster_labels: dict[URIRef, str]) -> None:
    """The bubble in the upper part of its slot (centre cx, cy), its name in a box below it."""
    link = _el(parent, "a", href=f"/techniques/{b.ident}", class_="bubble", data_technique=b.ident,
               data_partners=len(b.partners), data_operando=str(b.operando).lower())
    _el(link, "title", tooltip(b, cluster_labels))
    cy -= 10
    _el(link, "circle", cx=f"{cx:.1f}", cy=f"{cy:.1f}", r=f"{r:.1f}",
        fill=CLUSTER_COLOURS.get(b.cluster, NO_CLUSTER) if b.cluster else NO_CLUSTER,
        fill_opacity="0.85", stroke="#33415c", stroke_width="0.8")
    lines = _lines(b.short)
    width = max(len(line) for line in lines) * CHAR_W + 8
    top = cy + r + 2
    _el(link, "rect", class_="name-operando" if b.operando else "name", x=f"{cx - width / 2:.1f}",
        y=f"{top:.1f}", width=f"{width:.1f}", height=f"{13 * len(lines) + 3:.1f}", rx="3",
        fill="#ffffff", fill_opacity="0.85", stroke=OPERANDO if b.operando else "none",
        stroke_width="2")
    text = _el(link, "text", x=f"{cx:.1f}", y=f"{top + 12:.1f}", text_anchor="middle", font_size="11")
    for i, line in enumerate(lines):
        _el(text, "tspan", line, x=f"{cx:.1f}", dy="0" if i == 0 else "13")


def bubble_chart_svg(chart: CompetenceChart, max_partners: int,
                     cluster_labels: dict[URIRef, str]) -> str:
    """One of D5.1 Figures 4-6: the placed bubbles of a category on the length × mapping grid."""
    cells: dict[tuple[int, int], list[Bubble]] = defaultdict(list)
    for b in chart.placed:
        cells[(round(b.x * 2), b.dimension or 0)].append(b)
    col_w = [max([_grid(len(cells[(c, d)]))[0] for d in (1, 2, 3)] + [1 if c % 2 == 0 else 0]) * SLOT_W
             for c in range(len(X_TICKS))]
    row_h = {d: max([_grid(len(cells[(c, d)]))[1] for c in range(len(X_TICKS))] + [1]) * SLOT_H
             for d in (1, 2, 3)}
    col_x = [LEFT + sum(col_w[:c]) for c in range(len(X_TICKS))]
    row_y = {3: TOP, 2: TOP + row_h[3], 1: TOP + row_h[3] + row_h[2]}
    width, plot_h = LEFT + sum(col_w) + RIGHT, sum(row_h.values())
    root = _svg(width, TOP + plot_h + BOTTOM, f"chart-{chart.slug}",
                f"{chart.figure}: {chart.title} techniques",
                f"{len(chart.placed)} techniques placed by typical length scale (x) and mapping "
                f"dimension (y); bubble area proportional to the number of partners.")
    grid = _el(root, "g", class_="grid", stroke="#d8dce5", fill="none")
    _el(grid, "rect", x=LEFT, y=TOP, width=sum(col_w), height=plot_h)
    for c in range(1, len(X_TICKS)):
        if col_w[c]:
            _el(grid, "line", x1=col_x[c], y1=TOP, x2=col_x[c], y2=TOP + plot_h, stroke_dasharray="3 3")
    for d in (1, 2):
        _el(grid, "line", x1=LEFT, y1=row_y[d], x2=LEFT + sum(col_w), y2=row_y[d], stroke_dasharray="3 3")
    axes = _el(root, "g", class_="axes", font_size="12", fill="#1d2330")
    for c, tick in enumerate(X_TICKS):
        if col_w[c]:
            _el(axes, "text", tick, x=f"{col_x[c] + col_w[c] / 2:.1f}", y=TOP + plot_h + 16,
                text_anchor="middle")
    for d in (1, 2, 3):
        _el(axes, "text", f"{d}D", x=LEFT - 10, y=f"{row_y[d] + row_h[d] / 2 + 4:.1f}", text_anchor="end")
    _el(axes, "text", "typical length scale probed", x=f"{LEFT + sum(col_w) / 2:.1f}", y=TOP + plot_h + 40,
        text_anchor="middle")
    _el(axes, "text", "property mapping", x=14, y=f"{TOP + plot_h / 2:.1f}", text_anchor="middle",
        transform=f"rotate(-90 14 {TOP + plot_h / 2:.1f})")
    layer = _el(root, "g", class_="bubbles")
    for (c, d), members in sorted(cells.items()):
        cols, rows = _grid(len(members))
        x0 = col_x[c] + (col_w[c] - cols * SLOT_W) / 2
        y0 = row_y[d] + (row_h[d] - rows * SLOT_H) / 2
        for i, b in enumerate(members):
            cx = x0 + (i % cols + 0.5) * SLOT_W
            cy = y0 + (i // cols + 0.5) * SLOT_H
            _draw_bubble(layer, b, cx, cy, radius(len(b.partners), max_partners), cluster_labels)
    return ET.tostring(root, encoding="unicode")


def legend_svg(max_partners: int, cluster_labels: dict[URIRef, str]) -> str:
    """Cluster colours, the operando contour and the bubble sizes."""
    sizes = sorted({1, max(1, max_partners // 2), max(1, max_partners)})
    x = 470.0
    root = _svg(800, 96, "chart-legend", "Legend of the competence charts",
                "Colours: clusters. Green contour: operando possible. Bubble area: number of partners.")
    g = _el(root, "g", font_size="12", fill="#1d2330")
    for i, (cluster, colour) in enumerate(CLUSTER_COLOURS.items()):
        left, top = 10 + (i % 2) * 190, 20 + (i // 2) * 26
        _el(g, "circle", cx=left + 8, cy=top, r=8, fill=colour, stroke="#33415c", stroke_width="0.8")
        _el(g, "text", cluster_labels.get(cluster, str(cluster)), x=left + 22, y=top + 4)
    _el(g, "rect", x=10, y=70, width=52, height=18, rx=3, fill="#ffffff", stroke=OPERANDO, stroke_width=2)
    _el(g, "text", "XRD", x=36, y=83, text_anchor="middle")
    _el(g, "text", "operando possible (a commercial or realistic matrix row)", x=72, y=83)
    for n in sizes:
        r = radius(n, max_partners)
        _el(g, "circle", cx=f"{x + r:.1f}", cy=44, r=f"{r:.1f}", fill="#ffffff", stroke="#33415c")
        _el(g, "text", f"{n} partner{'s' if n != 1 else ''}", x=f"{x + r:.1f}", y=90, text_anchor="middle")
        x += 2 * r + 40
    return ET.tostring(root, encoding="unicode")


def _blue(n: int, most: int) -> str:
    """Light to dark blue with the number of instruments."""
    t = 0.25 + 0.75 * (n / most if most else 1)
    r, g, b = (round(232 - (232 - v) * t) for v in (31, 95, 168))
    return f"#{r:02x}{g:02x}{b:02x}"


CELL, LABEL_W, HEAD_H, TOTAL_W = 18, 320, 170, 60


def coverage_svg(cmap: CoverageMap, cluster_labels: dict[URIRef, str]) -> str:
    """Rows observables, columns matrix techniques, cell = available instruments."""
    width = LABEL_W + CELL * len(cmap.techniques) + TOTAL_W
    height = HEAD_H + CELL * len(cmap.observables) + 10
    root = _svg(width, height, "coverage-map", "Observables against techniques",
                "Each cell: how many available instruments measure the observable with the technique.")
    most = max((c.instruments for c in cmap.cells.values()), default=0)
    heads = _el(root, "g", class_="columns", font_size="11", fill="#1d2330")
    for j, col in enumerate(cmap.techniques):
        x = LABEL_W + j * CELL
        link = _el(heads, "a", href=f"/techniques/{col.ident}", class_="column", data_technique=col.ident)
        _el(link, "title", col.label)
        _el(link, "rect", x=x + 1, y=HEAD_H - 8, width=CELL - 2, height=6,
            fill=CLUSTER_COLOURS.get(col.cluster, NO_CLUSTER) if col.cluster else NO_CLUSTER)
        _el(link, "text", col.short, x=x + CELL / 2 + 4, y=HEAD_H - 12,
            transform=f"rotate(-60 {x + CELL / 2 + 4} {HEAD_H - 12})")
    _el(heads, "text", "techniques giving it", x=width - TOTAL_W + 4, y=HEAD_H - 12,
        transform=f"rotate(-60 {width - TOTAL_W + 10} {HEAD_H - 12})")
    body = _el(root, "g", class_="rows", font_size="11")
    for i, obs in enumerate(cmap.observables):
        y = HEAD_H + i * CELL
        giving = cmap.techniques_giving(obs.observable)
        row = _el(body, "g", class_="row" if giving else "row unmeasured",
                  data_observable=str(obs.observable).rsplit("/", 1)[-1], data_techniques=giving)
        if not giving:
            _el(row, "rect", x=0, y=y, width=width, height=CELL, fill="#fdecea")
        label = _el(row, "text", obs.label, x=6 + 12 * obs.depth, y=y + 13,
                    fill="#b3261e" if not giving else "#1d2330",
                    font_weight="600" if obs.depth == 0 else "400")
        _el(label, "title", f"{obs.label}: " + (f"{giving} technique(s) of the matrix give it" if giving
                                                else "no technique of the matrix gives it"))
        for j, col in enumerate(cmap.techniques):
            _cell(row, cmap.cell(obs.observable, col.technique), f"{obs.label} × {col.label}",
                  col.ident, LABEL_W + j * CELL, y, most)
        _el(row, "text", str(giving) if giving else "none", x=width - TOTAL_W + 8, y=y + 13,
            fill="#b3261e" if not giving else "#5b6478")
    return ET.tostring(root, encoding="unicode")


def _cell(row: ET.Element, cell: Cell | None, name: str, ident: str, x: float, y: float,
          most: int) -> None:
    """One cell: grey when the matrix gives no such pair, dashed red with 0 when it does but no
    available instrument serves the technique, blue with the count otherwise."""
    if cell is None:
        _el(row, "rect", class_="cell empty", x=x + 1, y=y + 1, width=CELL - 2, height=CELL - 2,
            fill="#f4f5f7", stroke="#dde1e8", data_technique=ident, data_instruments=0)
        return
    group = _el(row, "g", class_="cell given", data_technique=ident, data_instruments=cell.instruments)
    _el(group, "title", f"{name}: {cell.instruments} available instrument(s), "
                        f"{cell.rows} matrix row(s)")
    fill = _blue(cell.instruments, most) if cell.instruments else "#ffffff"
    _el(group, "rect", x=x + 1, y=y + 1, width=CELL - 2, height=CELL - 2, fill=fill,
        stroke="#b3261e" if not cell.instruments else "#ffffff",
        stroke_dasharray="2 2" if not cell.instruments else "none")
    dark = cell.instruments and cell.instruments / (most or 1) > 0.45
    _el(group, "text", str(cell.instruments), x=x + CELL / 2, y=y + 13, text_anchor="middle",
        font_size="10", fill="#ffffff" if dark else ("#b3261e" if not cell.instruments else "#1d2330"))

