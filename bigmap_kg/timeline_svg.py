"""The time line drawn as a Gantt chart in SVG (after D5.3 Figure 19), with a tooltip per bar.

A bar starts where its experiment starts (the measurement's start, else the sample reception) and
ends on the measurement's end date. Where the graph records no end, the bar covers only the
start, hatched when only its month is known, and says "end not recorded". Shipments are vertical
markers: a dashed line on a known day, a band over the month where only the month is known.
"""

from __future__ import annotations

from datetime import date, timedelta
from html import escape

from bigmap_kg.timeline import Experiment, Marker, Timeline, When

LABEL_W = 330
DAY_W = 3.0
NOTE_W = 230
ROW_H = 24
BAR_H = 14
LINE_H = 14
AXIS_H = 26
CHAR_W = 6.5  # about the width of a character of the 11 px marker labels
PALETTE = ("#1f5fa8", "#2e7d32", "#b3261e", "#8a6d00", "#6a1b9a", "#00838f", "#5b6478")
NEUTRAL = "#5b6478"


def sender_colours(timeline: Timeline) -> dict[str, str]:
    """A colour per sender, in the order their first parcel appears."""
    senders: list[str] = []
    for marker in timeline.markers:
        if marker.sender not in senders:
            senders.append(marker.sender)
    for s in timeline.shipments:
        if s.sender not in senders:
            senders.append(s.sender)
    return {s: PALETTE[i % len(PALETTE)] for i, s in enumerate(senders)}


def legend(timeline: Timeline) -> dict[str, str]:
    """The colours of the senders whose parcels are drawn (as markers or as bar starts)."""
    drawn = {m.sender for m in timeline.markers} | {e.sender for e in timeline.dated if e.sender}
    return {s: c for s, c in sender_colours(timeline).items() if s in drawn}


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


class Chart:
    """Coordinates of one chart: days to x, rows to y."""

    def __init__(self, timeline: Timeline, first: date, last: date):
        self.timeline = timeline
        self.start = first.replace(day=1)
        self.end = (last.replace(day=1) + timedelta(days=32)).replace(day=1)
        self.colours = sender_colours(timeline)
        self.lane: dict[int, int] = {}
        ends: list[float] = []  # right edge of the last label in each lane
        for i, marker in enumerate(timeline.markers):
            centre = self.centre(marker)
            half = CHAR_W * len(marker_text(marker)) / 2
            lane = next((n for n, end in enumerate(ends) if end < centre - half), len(ends))
            if lane == len(ends):
                ends.append(0.0)
            ends[lane] = centre + half + 4
            self.lane[i] = lane
        self.top = LINE_H * (len(ends) + 1) + AXIS_H
        self.width = round(self.x(self.end) + NOTE_W)
        self.height = self.top + ROW_H * len(timeline.experiments) + 8

    def x(self, day: date) -> float:
        return LABEL_W + (day - self.start).days * DAY_W

    def row_y(self, i: int) -> float:
        return self.top + i * ROW_H

    def centre(self, marker: Marker) -> float:
        if marker.when.month_only:
            return (self.x(marker.when.first) + self.x(marker.when.last + timedelta(days=1))) / 2
        return self.x(marker.when.first) + DAY_W / 2


def marker_text(marker: Marker) -> str:
    return f"{marker.sender or '?'} ×{len(marker.shipments)}"


def _axis(chart: Chart) -> list[str]:
    out = []
    month = chart.start
    while month < chart.end:
        following = (month + timedelta(days=32)).replace(day=1)
        x0, x1 = chart.x(month), chart.x(following)
        out.append(f'<line class="month" x1="{x0:.1f}" y1="{chart.top - AXIS_H + 4}" x2="{x0:.1f}" '
                   f'y2="{chart.height - 8}" stroke="#d8dce5"/>')
        out.append(f'<text class="month-label" x="{(x0 + x1) / 2:.1f}" y="{chart.top - 8}" '
                   f'text-anchor="middle" font-size="12">{When(month.year, month.month).text}</text>')
        month = following
    return out


def _marker(chart: Chart, i: int, marker: Marker) -> str:
    colour = chart.colours.get(marker.sender, NEUTRAL)
    label_y = LINE_H * (chart.lane[i] + 1)
    bottom = chart.height - 8
    centre = chart.centre(marker)
    if marker.when.month_only:
        x0, x1 = chart.x(marker.when.first), chart.x(marker.when.last + timedelta(days=1))
        shape = (f'<rect x="{x0:.1f}" y="{label_y + 3}" width="{x1 - x0:.1f}" '
                 f'height="{bottom - label_y - 3}" fill="{colour}" fill-opacity="0.10" '
                 f'stroke="{colour}" stroke-dasharray="4 3"/>')
    else:
        shape = (f'<line x1="{centre:.1f}" y1="{label_y + 3}" x2="{centre:.1f}" y2="{bottom}" '
                 f'stroke="{colour}" stroke-width="1.5" stroke-dasharray="5 3"/>')
    n = len(marker.shipments)
    text = marker_text(marker)
    return (f'<g class="marker" data-kind="{marker.kind}" data-sender="{escape(marker.sender)}" '
            f'data-when="{marker.when.iso}" data-shipments="{n}"><title>{escape(marker.tooltip())}</title>'
            f'{shape}<text x="{centre:.1f}" y="{label_y}" text-anchor="middle" font-size="11" '
            f'fill="{colour}">{escape(text)}</text></g>')


def _bar(chart: Chart, i: int, exp: Experiment) -> str:
    y = chart.row_y(i)
    label = _clip(f"{exp.partner or '?'} · {exp.technique or '?'}", 46)
    head = (f'<text class="row-label" x="{LABEL_W - 8}" y="{y + ROW_H / 2 + 4}" text-anchor="end" '
            f'font-size="12">{escape(label)}</text>')
    title = f"<title>{escape(exp.tooltip())}</title>"
    start = exp.start
    if start is None:
        return (f'{head}<g class="undated" data-measurement="{escape(exp.iri)}">{title}'
                f'<text x="{LABEL_W + 6}" y="{y + ROW_H / 2 + 4}" font-size="12" font-style="italic" '
                f'fill="{NEUTRAL}">no date in the graph</text></g>')
    colour = chart.colours.get(exp.sender, NEUTRAL) if exp.sender else NEUTRAL
    top = y + (ROW_H - BAR_H) / 2
    x0 = chart.x(start.first)
    end = exp.ended.last if exp.ended else start.last
    x1 = chart.x(end + timedelta(days=1))
    fill = f"url(#month-only-{colour[1:]})" if start.month_only and exp.ended is None else colour
    what = "started" if exp.started else "received"
    note = f"{what} {start.text}" + (f" – ended {exp.ended.text}" if exp.ended else " · end not recorded")
    return (f'{head}<g class="bar" data-measurement="{escape(exp.iri)}" data-start="{start.iso}" '
            f'data-end="{exp.ended.iso if exp.ended else ""}">{title}'
            f'<rect x="{x0:.1f}" y="{top:.1f}" width="{max(x1 - x0, 2 * DAY_W):.1f}" height="{BAR_H}" '
            f'fill="{fill}" stroke="{colour}"/>'
            f'<text x="{x1 + 6:.1f}" y="{y + ROW_H / 2 + 4}" font-size="11" fill="{NEUTRAL}">'
            f'{escape(note)}</text></g>')


def _patterns(chart: Chart) -> str:
    out = []
    for colour in {*chart.colours.values(), NEUTRAL}:
        out.append(f'<pattern id="month-only-{colour[1:]}" width="6" height="6" '
                   f'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
                   f'<rect width="6" height="6" fill="{colour}" fill-opacity="0.25"/>'
                   f'<line x1="0" y1="0" x2="0" y2="6" stroke="{colour}" stroke-width="3"/></pattern>')
    return "<defs>" + "".join(sorted(out)) + "</defs>"


def timeline_svg(timeline: Timeline) -> str | None:
    """The Gantt chart as an SVG document, or None when the graph records no date at all."""
    span = timeline.span()
    if span is None:
        return None
    chart = Chart(timeline, *span)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" width="{chart.width}" '
             f'height="{chart.height}" viewBox="0 0 {chart.width} {chart.height}" role="img" '
             f'aria-label="Experiments from sample reception to measurement, and shipments" '
             f'font-family="system-ui, sans-serif">', _patterns(chart)]
    for i in range(len(timeline.experiments)):
        if i % 2:
            parts.append(f'<rect x="0" y="{chart.row_y(i)}" width="{chart.width}" height="{ROW_H}" '
                         f'fill="#f4f6fa"/>')
    parts += _axis(chart)
    parts += [_marker(chart, i, m) for i, m in enumerate(timeline.markers)]
    parts += [_bar(chart, i, e) for i, e in enumerate(timeline.experiments)]
    parts.append("</svg>")
    return "\n".join(parts)
