"""The timeline strip and the drain chart, drawn from the domain's summaries."""

from __future__ import annotations

from array import array

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication

from desktop_app.gui.timeline import DrainChart, TimelineStrip
from domain.services.timeline import Band, TimelineSummary


@pytest.fixture
def strip(qtbot, golden):
    s = TimelineStrip()
    qtbot.addWidget(s)
    s.resize(280, 40)
    s.set_summary(golden.workers.timeline("counter/bob"))
    s.show()
    qtbot.waitExposed(s)
    return s


def test_a_click_asks_to_jump_to_the_entry_under_the_pointer(qtbot, strip):
    with qtbot.waitSignal(strip.entry_clicked) as jumped:
        qtbot.mouseClick(strip, Qt.MouseButton.LeftButton, pos=QPoint(279, 20))
    assert jumped.args == [14]
    with qtbot.waitSignal(strip.entry_clicked) as jumped:
        qtbot.mouseClick(strip, Qt.MouseButton.LeftButton, pos=QPoint(0, 20))
    assert jumped.args == [1]


def test_the_strip_shows_bands_and_names_markers_under_the_pointer(strip):
    image = strip.grab().toImage()
    left, right = image.pixelColor(5, 30), image.pixelColor(275, 30)
    assert left != right  # v1 and v2 are different bands
    tip = strip.describe(250)  # entries near the end: the failed update and its revert
    assert "v2" in tip
    whole = [strip.describe(x) for x in range(0, 280, 10)]
    assert any("update failed" in t for t in whole) and any("state snapshot" in t for t in whole)


def test_the_wheel_zooms_around_the_pointer_and_a_double_click_shows_everything(qtbot, strip):
    event = QWheelEvent(QPointF(270, 20), QPointF(strip.mapToGlobal(QPoint(270, 20))), QPoint(0, 0), QPoint(0, 240),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(strip, event)
    assert strip.end == 14 and strip.start > 1 and strip.end - strip.start + 1 >= 10
    qtbot.mouseDClick(strip, Qt.MouseButton.LeftButton, pos=QPoint(10, 20))
    assert (strip.start, strip.end) == (1, 14)


def test_a_million_entry_history_paints_from_buckets_of_the_strip_width(qtbot):
    s = TimelineSummary(length=1_000_000, bands=[Band(1, 500_000, 0), Band(500_001, 1_000_000, 1)])
    s.markers["update-failed"] = array("l", [250_000])
    strip = TimelineStrip()
    qtbot.addWidget(strip)
    strip.resize(600, 40)
    strip.set_summary(s)
    strip.grab()
    assert len(strip.buckets()) == 600
    assert strip.entry_at(599) == 1_000_000 - 1_000_000 // 600 + 1 or strip.entry_at(599) > 998_000
    assert "update failed" in strip.describe(149)  # entries 248,334–250,000 hold it


def test_new_entries_keep_a_zoomed_window_and_follow_the_end(strip, golden):
    strip.zoom(2.0, around=14)
    window = (strip.start, strip.end)
    golden.workers.invoke("counter/bob", "increment", ["1"])
    strip.set_summary(golden.workers.timeline("counter/bob"), keep_window=True)
    assert strip.end == 15 and strip.start == window[0]


def test_the_drain_chart_stacks_workers_per_version(qtbot, golden):
    chart = DrainChart()
    qtbot.addWidget(chart)
    chart.resize(300, 100)
    chart.set_points(golden.workers.drain("counter"))
    assert chart.versions() == [0, 1, 2] and chart.peak() == 4
    image = chart.grab().toImage()
    assert image.pixelColor(290, 95) != image.pixelColor(290, 3)  # filled at the bottom, empty above the peak
    assert chart.describe(299).endswith("v1: 2, v2: 2")


def test_a_burst_of_changes_in_one_second_still_shows_each_step(qtbot):
    from domain.services.timeline import DrainPoint

    # Given four changes within one second, then nothing for a day (the demo, a scripted fleet update)
    second = "2026-12-01T10:00:00.{:03d}+00:00"
    points = [DrainPoint(second.format(i * 100), {0: 3 - i, 1: i}) for i in range(4)]
    chart = DrainChart()
    qtbot.addWidget(chart)
    chart.resize(401, 80)
    chart.set_points(points)
    xs = chart.xs(401)
    # Then every step gets a visible width, the first starts at the left edge and a tail is left for "until now"
    assert xs[0] == 0 and all(b - a >= 50 for a, b in zip(xs, xs[1:])), xs
    assert 330 <= xs[-1] <= 370
    assert [chart.point_at(x + 1).counts for x in xs] == [p.counts for p in points]
    # And a change a month later pushes the earlier burst to the left, by time as well as by rank
    later = [*points, DrainPoint("2027-01-01T10:00:00+00:00", {1: 3})]
    chart.set_points(later)
    xs = chart.xs(401)
    assert xs[3] - xs[0] < xs[4] - xs[3]
