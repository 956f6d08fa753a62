"""The SVG charts (web/charts.py): well-formed, labelled, mirrored in Arabic, suppressed
values hatched, text never drawn smaller than the page's minimum."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from itertools import pairwise

import pytest

from mutuo_aiuto.web import charts
from mutuo_aiuto.web.charts import Point, bar_chart, column_chart, line_chart

SVG = "{http://www.w3.org/2000/svg}"
SERIES = [Point("gen 26", 12), Point("feb 26", None, suppressed=True), Point("mar 26", 0),
          Point("apr 26", 1234.5)]
DRAWN = [column_chart, line_chart, bar_chart]


def draw(function, rtl=False, locale="it", series=SERIES):
    return ET.fromstring(str(function(series, chart_id="c1", title="Famiglie aiutate",
                                      desc="I numeri sono nella tabella", locale=locale,
                                      rtl=rtl)))


def texts(root) -> list[ET.Element]:
    return list(root.iter(f"{SVG}text"))


@pytest.mark.parametrize("function", DRAWN)
@pytest.mark.parametrize("rtl", [False, True])
def test_every_chart_is_well_formed_and_named(function, rtl):
    root = draw(function, rtl)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.find(f"{SVG}title").text == "Famiglie aiutate"
    assert root.find(f"{SVG}title").get("id") == "c1-title"
    assert root.find(f"{SVG}desc").text == "I numeri sono nella tabella"
    assert root.get("viewBox").startswith(f"0 0 {charts.VIEW_WIDTH} ")
    # Text never smaller than the size app.css keeps at 12 px or more on a phone.
    assert {t.get("font-size") for t in texts(root)} == {str(charts.FONT)}


@pytest.mark.parametrize("function", [column_chart, line_chart])
def test_time_labels_and_ticks_in_the_readers_format(function):
    root = draw(function, series=[*SERIES[:3], Point("apr 26", 1234.5)])
    shown = [t.text for t in texts(root)]
    assert "gen 26" in shown
    # The axis' top is a round number above 1234.5, with the Italian thousands dot.
    assert "2.000" in shown and "1.000" in shown and "0" in shown
    english = [t.text for t in texts(draw(function, locale="en"))]
    assert "2,000" in english


def test_labels_are_thinned_so_that_they_never_touch():
    many = [Point(f"mese {n:02}", n) for n in range(24)]
    root = draw(column_chart, series=many)
    labels = [t for t in texts(root) if t.get("class") == "chart-label"]
    assert 1 < len(labels) < 24
    xs = [float(t.get("x")) for t in labels]
    gaps = [b - a for a, b in pairwise(xs)]
    assert min(gaps) >= len("mese 00") * charts.FONT * 0.6


def _label_x(root) -> dict[str, float]:
    return {t.text: float(t.get("x")) for t in texts(root) if t.get("class") == "chart-label"}


@pytest.mark.parametrize("function", [column_chart, line_chart])
def test_time_runs_from_the_right_in_arabic(function):
    ltr, rtl = _label_x(draw(function)), _label_x(draw(function, rtl=True))
    assert ltr["gen 26"] < ltr["mar 26"]
    assert rtl["gen 26"] > rtl["mar 26"]
    # Exactly mirrored.
    assert all(rtl[k] == pytest.approx(charts.VIEW_WIDTH - ltr[k], abs=0.1) for k in ltr)


def test_arabic_text_reads_right_to_left_and_numbers_left_to_right():
    root = draw(bar_chart, rtl=True, locale="ar")
    assert root.get("direction") == "rtl"
    labels = [t for t in texts(root) if t.get("class") == "chart-label"]
    assert {t.get("direction") for t in labels} == {"rtl"}
    # Names start at the right edge; bars grow leftwards from it.
    assert {float(t.get("x")) for t in labels} == {float(charts.VIEW_WIDTH)}
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "chart-bar"]
    assert all(float(r.get("x")) + float(r.get("width")) == charts.VIEW_WIDTH for r in bars)
    marks = [t for t in texts(root) if t.text == "<5"]
    assert marks and marks[0].get("direction") == "ltr"


def test_horizontal_bars_are_as_long_as_their_values():
    root = draw(bar_chart)
    bars = {float(r.get("y")): float(r.get("width"))
            for r in root.iter(f"{SVG}rect") if r.get("class") == "chart-bar"}
    widths = [bars[y] for y in sorted(bars)]
    assert widths[1] == 0 or widths == sorted(widths)  # 12, 0, 1234.5
    values = [t.text for t in texts(root) if t.get("class") == "chart-value"]
    assert values == ["12", "<5", "0", "1.234,5"]


@pytest.mark.parametrize("function", DRAWN)
def test_a_suppressed_value_is_hatched_and_tells_no_size(function):
    svg = str(function(SERIES, chart_id="c1", title="t", desc="d", locale="it"))
    root = ET.fromstring(svg)
    hatched = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "chart-suppressed"]
    assert len(hatched) == 1 and hatched[0].get("fill") == "url(#c1-hatch)"
    assert root.find(f"{SVG}defs/{SVG}pattern").get("id") == "c1-hatch"


def test_names_are_escaped():
    root = draw(bar_chart, series=[Point('<script>"x"</script>', 7)])
    assert texts(root)[0].text == '<script>"x"</script>'
    svg = str(bar_chart([Point("<b>", 1)], chart_id="c", title="<t>", desc="d", locale="it"))
    assert "<b>" not in svg and "<t>" not in svg


def test_an_empty_series_draws_an_empty_chart():
    for function in DRAWN:
        root = draw(function, series=[])
        assert root.get("role") == "img"


def test_shown_values_become_points():
    shown = charts.points([("a", 7), ("b", "<5"), ("c", "suppressed"), ("d", None), ("e", 2.5)])
    assert shown == [Point("a", 7.0), Point("b", None, True), Point("c", None, True),
                     Point("d", None), Point("e", 2.5)]


def test_the_line_breaks_where_a_value_is_hidden():
    root = draw(line_chart, series=[Point("a", 5), Point("b", 6), Point("c", None, True),
                                    Point("d", 7), Point("e", 8)])
    lines = list(root.iter(f"{SVG}polyline"))
    assert [len(re.findall(r"\S+", line.get("points"))) for line in lines] == [2, 2]


def test_columns_carry_their_values_when_there_is_room():
    few = [Point("T1 26", 12), Point("T2 26", None, suppressed=True), Point("T3 26", 30)]
    shown = [t.text for t in texts(draw(column_chart, series=few))
             if t.get("class") == "chart-value"]
    assert shown == ["12", "<5", "30"]
    many = [Point(f"m{n}", 1000 + n) for n in range(24)]
    assert not [t for t in texts(draw(column_chart, series=many))
                if t.get("class") == "chart-value"]


def test_the_widest_tick_fits_beside_the_chart():
    # A small axis: 0, 0,25, 0,5; "0,25" is the widest tick.
    root = draw(column_chart, rtl=True, series=[Point("a", None, True), Point("b", 0.4)])
    ticks = [t for t in texts(root) if t.get("class") == "chart-tick"]
    assert [t.text for t in ticks] == ["0", "0,25", "0,5"]
    for tick in ticks:  # anchored at its left end, running right: inside the box
        assert float(tick.get("x")) + len(tick.text) * charts.FONT * 0.6 <= charts.VIEW_WIDTH
