"""Charts drawn on the server as inline SVG: columns and a line for time series,
horizontal bars for neighbourhoods and categories.

Why our own few functions rather than pygal: pygal draws for a desktop screen (its
labels shrink with the picture, to about 5 px on a phone), needs its JavaScript for
tooltips, knows nothing of right-to-left and puts a style sheet inside every chart,
which the page's Content-Security-Policy refuses. What the pages need is small: bars,
a line, a hatched bar for a suppressed figure, the reader's digits, mirrored in Arabic.

The functions take plain series (``Point``: a label already in the reader's language,
a value, or ``suppressed``), so whichever service computes the figures can feed them.
Every chart is ``VIEW_WIDTH`` units wide and written with ``FONT`` unit text: the page
shows it at most a little narrower than that on a 360 px phone (see app.css), so the
text never renders under 12 px. Every chart is ``role="img"`` with a title and a
description; the numbers themselves go in a table next to it (the page's macro).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from flask import Flask
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape

from mutuo_aiuto.i18n import DEFAULT_LOCALE, text_direction
from mutuo_aiuto.services.impact import FEWER_THAN_5, HIDDEN, Grain, Period
from mutuo_aiuto.web.number_text import written

VIEW_WIDTH = 360
FONT = 14  # user units; with VIEW_WIDTH at 330+ CSS px, at least 12.8 px on screen
SMALL_MARK = "<5"
# Thin hatched bar for a suppressed value: visible, but tells no size.
SUPPRESSED_HEIGHT = 16


@dataclass(frozen=True)
class Point:
    """One value of a series: ``value`` None with ``suppressed`` False means no figure
    (nothing happened, or nothing to measure), with ``suppressed`` True a count under 5."""

    label: str
    value: float | None
    suppressed: bool = False


def number(value: float, locale: str) -> str:
    """A value with the reader's digits and separators ("1.234,5" in Italian)."""
    return written(round(value, 2), locale)


class _Frame:
    """Coordinates written left to right, mirrored for a right-to-left reader."""

    def __init__(self, rtl: bool) -> None:
        self.rtl = rtl

    def x(self, x: float) -> float:
        return round(VIEW_WIDTH - x if self.rtl else x, 1)

    def anchor(self, anchor: str, ltr: bool) -> str:
        # "start" and "end" follow the text's own direction: only a left-to-right
        # run (a number) in a mirrored chart needs its anchor swapped.
        if not (self.rtl and ltr) or anchor == "middle":
            return anchor
        return "end" if anchor == "start" else "start"

    def text(self, x: float, y: float, content: str, *, anchor: str = "start",
             css: str = "chart-label", ltr: bool = False) -> str:
        # Numbers and "<5" keep their own order inside Arabic text.
        direction = "ltr" if ltr or not self.rtl else "rtl"
        return (f'<text class="{css}" x="{self.x(x)}" y="{round(y, 1)}" '
                f'text-anchor="{self.anchor(anchor, direction == "ltr")}" direction="{direction}" '
                f'font-size="{FONT}">{escape(content)}</text>')

    def rect(self, x: float, y: float, width: float, height: float, css: str,
             fill: str | None = None) -> str:
        left = self.x(x + width) if self.rtl else self.x(x)
        fill_attr = f' fill="{fill}"' if fill else ""
        return (f'<rect class="{css}" x="{left}" y="{round(y, 1)}" width="{round(width, 1)}" '
                f'height="{round(height, 1)}"{fill_attr}/>')


def _nice_top(top: float) -> float:
    """The axis' top: 1, 2, 2.5 or 5 times a power of ten, at or above ``top``."""
    if top <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(top))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= top:
            return float(step * power)
    return float(10 * power)  # pragma: no cover - the loop always returns


def _text_width(text: str) -> float:
    # An estimate: the charts' sans-serif averages about 0.6 em per character.
    return len(text) * FONT * 0.6


def _open(chart_id: str, title: str, desc: str, height: float, css: str, rtl: bool) -> str:
    direction = ' direction="rtl"' if rtl else ""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg {escape(css)}" '
            f'id="{escape(chart_id)}" viewBox="0 0 {VIEW_WIDTH} {round(height)}" '
            f'role="img" aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc"'
            f'{direction}>'
            f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
            f'<desc id="{escape(chart_id)}-desc">{escape(desc)}</desc>'
            f'<defs><pattern id="{escape(chart_id)}-hatch" width="6" height="6" '
            'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
            '<rect width="6" height="6" class="chart-hatch-ground"/>'
            '<line x1="0" y1="0" x2="0" y2="6" class="chart-hatch-line"/></pattern></defs>')


def _time_axes(frame: _Frame, points: Sequence[Point], top: float, plot: tuple[float, ...],
               locale: str) -> tuple[list[str], float]:
    """The grid, the value ticks and the period labels of a time series; returns the
    parts and the width of one step along the time axis."""
    left, right, upper, base = plot
    parts: list[str] = []
    for n in range(3):
        value = top * n / 2
        y = base - (base - upper) * n / 2
        parts.append(f'<line class="chart-grid" x1="{frame.x(left)}" y1="{y}" '
                     f'x2="{frame.x(right)}" y2="{y}"/>')
        parts.append(frame.text(left - 6, y + FONT / 3, number(value, locale),
                                anchor="end", css="chart-tick", ltr=True))
    step = (right - left) / max(len(points), 1)
    # Every k-th label, so that the labels never touch.
    widest = max((_text_width(p.label) for p in points), default=0.0) + 8
    every = max(1, math.ceil(widest / step))
    for index, point in enumerate(points):
        if index % every:
            continue
        middle = left + step * (index + 0.5)
        parts.append(frame.text(middle, base + FONT + 6, point.label, anchor="middle"))
    return parts, step


def _layout(points: Sequence[Point], locale: str) -> tuple[float, tuple[float, ...], float]:
    values = [p.value for p in points if p.value is not None and not p.suppressed]
    top = _nice_top(max(values, default=0.0))
    tick_width = max(_text_width(number(top * n / 2, locale)) for n in range(3)) + 10
    height = 220.0
    return top, (tick_width, VIEW_WIDTH - 6.0, FONT + 8.0, height - FONT - 16), height


def column_chart(points: Sequence[Point], *, chart_id: str, title: str, desc: str,
                 locale: str, rtl: bool = False, css: str = "") -> Markup:
    """One column per period, time running the way the reader reads (from the right
    in Arabic); a suppressed value is a low hatched column marked "<5"."""
    frame = _Frame(rtl)
    top, plot, height = _layout(points, locale)
    left, right, upper, base = plot
    parts, step = _time_axes(frame, points, top, plot, locale)
    width = max(step * 0.7, 2.0)
    # Each column's value above it, when every value fits its column's width.
    labelled = [number(p.value, locale) if p.value is not None else SMALL_MARK
                for p in points if p.value is not None or p.suppressed]
    above = step >= max(map(_text_width, labelled), default=0.0) + 4
    for index, point in enumerate(points):
        x = left + step * index + (step - width) / 2
        middle = x + width / 2
        if point.suppressed:
            parts.append(frame.rect(x, base - SUPPRESSED_HEIGHT, width, SUPPRESSED_HEIGHT,
                                    "chart-suppressed", fill=f"url(#{chart_id}-hatch)"))
            if above:
                parts.append(frame.text(middle, base - SUPPRESSED_HEIGHT - 4, SMALL_MARK,
                                        anchor="middle", css="chart-value", ltr=True))
        elif point.value is not None:
            tall = (base - upper) * point.value / top
            if point.value:
                parts.append(frame.rect(x, base - tall, width, tall, "chart-bar"))
            if above:
                parts.append(frame.text(middle, base - tall - 4, number(point.value, locale),
                                        anchor="middle", css="chart-value", ltr=True))
    parts.append(f'<line class="chart-axis" x1="{frame.x(left)}" y1="{base}" '
                 f'x2="{frame.x(right)}" y2="{base}"/>')
    # Every text inside went through escape() (_open, frame.text); numbers are ours.
    return Markup(_open(chart_id, title, desc, height, f"chart-columns {css}", rtl)  # nosec B704
                  + "".join(parts) + "</svg>")


def line_chart(points: Sequence[Point], *, chart_id: str, title: str, desc: str,
               locale: str, rtl: bool = False, css: str = "") -> Markup:
    """A line through the values, for figures that add up over time; the line breaks
    where a value is suppressed or missing, and a hatched mark stands on the axis."""
    frame = _Frame(rtl)
    top, plot, height = _layout(points, locale)
    left, right, upper, base = plot
    parts, step = _time_axes(frame, points, top, plot, locale)
    runs: list[list[str]] = [[]]
    for index, point in enumerate(points):
        middle = left + step * (index + 0.5)
        if point.suppressed or point.value is None:
            runs.append([])
            if point.suppressed:
                parts.append(frame.rect(middle - 5, base - SUPPRESSED_HEIGHT, 10,
                                        SUPPRESSED_HEIGHT, "chart-suppressed",
                                        fill=f"url(#{chart_id}-hatch)"))
            continue
        y = round(base - (base - upper) * point.value / top, 1)
        runs[-1].append(f"{frame.x(middle)},{y}")
        parts.append(f'<circle class="chart-dot" cx="{frame.x(middle)}" cy="{y}" r="3.5"/>')
    lines = [f'<polyline class="chart-line" fill="none" points="{" ".join(run)}"/>'
             for run in runs if len(run) > 1]
    parts.append(f'<line class="chart-axis" x1="{frame.x(left)}" y1="{base}" '
                 f'x2="{frame.x(right)}" y2="{base}"/>')
    # Every text inside went through escape() (_open, frame.text); numbers are ours.
    return Markup(_open(chart_id, title, desc, height, f"chart-line-chart {css}", rtl)  # nosec B704
                  + "".join(lines) + "".join(parts) + "</svg>")


def bar_chart(points: Sequence[Point], *, chart_id: str, title: str, desc: str,
              locale: str, rtl: bool = False, css: str = "", mark: str = SMALL_MARK) -> Markup:
    """Horizontal bars, one per neighbourhood or category: the name on its own line
    above its bar (long names fit a phone), the value at the bar's end; a suppressed
    value is a short hatched bar and ``mark`` ("<5", or words for a figure withheld)."""
    frame = _Frame(rtl)
    values = [p.value for p in points if p.value is not None and not p.suppressed]
    top = max(values, default=0.0) or 1.0
    room = VIEW_WIDTH - 8 - _text_width(number(top, locale)) - 10
    row = FONT + 6 + 18 + 12
    parts: list[str] = []
    for index, point in enumerate(points):
        y = 4 + index * row
        parts.append(frame.text(0, y + FONT, point.label, anchor="start"))
        bar_y = y + FONT + 6
        if point.suppressed:
            parts.append(frame.rect(0, bar_y, 24, 18, "chart-suppressed",
                                    fill=f"url(#{chart_id}-hatch)"))
            parts.append(frame.text(30, bar_y + FONT, mark, css="chart-value",
                                    ltr=mark == SMALL_MARK, anchor="start"))
            continue
        if point.value is None:
            parts.append(frame.text(0, bar_y + FONT, "–", css="chart-value"))
            continue
        length = max(room * point.value / top, 1.0 if point.value else 0.0)
        parts.append(frame.rect(0, bar_y, length, 18, "chart-bar"))
        parts.append(frame.text(length + 6, bar_y + FONT, number(point.value, locale),
                                css="chart-value", ltr=True, anchor="start"))
    height = max(len(points) * row + 8, 30)
    # Every text inside went through escape() (_open, frame.text); numbers are ours.
    return Markup(_open(chart_id, title, desc, height, f"chart-bars {css}", rtl)  # nosec B704
                  + "".join(parts) + "</svg>")


# ---- for the templates -------------------------------------------------------------------


def points(rows: Iterable[tuple[str, object]]) -> list[Point]:
    """A series as the pages show it: a number, "<5" or "suppressed" (hidden with a
    small count), or None (nothing to measure)."""
    made = []
    for label, value in rows:
        if isinstance(value, int | float) and not isinstance(value, bool):
            made.append(Point(label, float(value)))
        else:
            made.append(Point(label, None, suppressed=value in (FEWER_THAN_5, HIDDEN)))
    return made


_DRAW = {"columns": column_chart, "line": line_chart}


def chart(kind: str, series: Sequence[Point], chart_id: str, title: str, desc: str,
          css: str = "", mark: str = SMALL_MARK) -> Markup:
    """``kind`` ("columns", "line" or "bars") in the reader's language and direction;
    ``mark`` names a suppressed bar (horizontal bars only)."""
    locale = str(get_locale() or DEFAULT_LOCALE)
    rtl = text_direction(locale) == "rtl"
    if kind == "bars":
        return bar_chart(series, chart_id=chart_id, title=title, desc=desc, locale=locale,
                         rtl=rtl, css=css, mark=mark)
    return _DRAW[kind](series, chart_id=chart_id, title=title, desc=desc, locale=locale,
                       rtl=rtl, css=css)


def span_label(span: Period, grain: str, width: str = "wide") -> str:
    """A row's name: "gennaio 2026" / "gen 26", "1º trimestre 2026" / "T1 2026", "2026"
    (or "2025–2026" for years joined),
    and for the running total its last month ("fino a gennaio 2026" / "gen 26")."""
    if grain == Grain.QUARTER:
        return format_date(span.first, "QQQQ y" if width == "wide" else "QQQ yy")
    if grain == Grain.YEAR:
        # Years joined on the public page: "2025–2026".
        first, last = format_date(span.first, "y"), format_date(span.last, "y")
        return first if first == last else f"{first}–{last}"
    month = format_date(span.last, "LLLL y" if width == "wide" else "LLL yy")
    if grain == Grain.CUMULATIVE and width == "wide":
        return str(_("up to %(month)s", month=month))
    return month


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(chart=chart, chart_points=points, span_label=span_label,
                                 Grain=Grain)
