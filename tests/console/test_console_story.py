"""The issue's story in two real browsers: russia (A) files a strike notice near an sdf (B) unit;
B sees the alert within 2 s without reloading and acknowledges; A sees the acknowledgement; neither
page ever holds what the other party withheld; no request leaves 127.0.0.1."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, Response, expect

from deconflict.model import parse_rfc3339

from .conftest import ALERT_MS, WAIT_MS, OfficerFactory
from .pages import expect_picture_as_served, file_notice, notice_item, open_panel, withheld_from

STRIKE_AT = "40.24,35.345"  # 860 m from sdf-kestrel-1, which russia sees only as an area cell


def _filing(response: Response) -> bool:
    return response.request.method == "POST" and response.url.endswith("/api/v1/notices")


def _count(page: Page, test_id: str) -> int:
    text = page.get_by_test_id(test_id).inner_text().strip()
    return int(text) if text.isdigit() else 0


def _left_ms(deadline: float) -> float:
    return max(1.0, (deadline - time.monotonic()) * 1000)


def assert_nothing_withheld(officer: Any) -> None:
    """Neither the page nor any response its browser received names what was withheld."""
    page_text = officer.page_text()
    for secret in withheld_from(officer.party):
        assert secret not in page_text, f"{officer.party}'s page shows withheld {secret!r}"
    bodies = list(officer.guard.bodies())
    assert bodies, "no response body was recorded"
    for url, body in bodies:
        for secret in withheld_from(officer.party):
            assert secret not in body, f"{officer.party} received withheld {secret!r} from {url}"


def test_a_strike_notice_is_screened_alerted_answered_and_withholds_nothing_it_should_not(
        officers: OfficerFactory, record_property: Callable[[str, object], None]) -> None:
    a, b = officers("russia"), officers("sdf")
    clock = a.page.get_by_test_id("hub-clock")
    expect(clock).to_contain_text("2017-09-18T06:0")  # the exercise's time, not the computer's
    expect(clock).not_to_have_text(clock.inner_text(), timeout=3_000)  # and it runs
    for officer in (a, b):
        expect(officer.page.get_by_test_id("role")).to_have_text("liaison")
        expect_picture_as_served(officer)
        officer.shot("signed-in")
    alerts = open_panel(b.page, "Alerts")
    items_before = alerts.get_by_test_id("alert-item").count()
    unread_before = _count(b.page, "alert-unread")

    form = file_notice(a.page, STRIKE_AT)
    a.shot("notice-drawn")
    with a.page.expect_response(_filing, timeout=WAIT_MS) as filed:
        form.get_by_role("button", name="File notice").click()
    arrived = time.monotonic()
    assert filed.value.status == 201, filed.value.text()
    notice_id = str(filed.value.json()["id"])

    # B: the alert and the unread count, live, within 2 s of A's reply.
    deadline = arrived + ALERT_MS / 1000
    conflict_alerts = alerts.locator("[data-testid=alert-item][data-kind=notice_conflict]")
    expect(alerts.get_by_test_id("alert-item")).to_have_count(items_before + 1,
                                                              timeout=_left_ms(deadline))
    expect(b.page.get_by_test_id("alert-unread")).to_have_text(
        re.compile(rf"^\s*{unread_before + 1}\s*$"), timeout=_left_ms(deadline))
    record_property("alert_seen_after_s", round(time.monotonic() - arrived, 3))
    assert conflict_alerts.count() >= 1
    b.shot("alert-arrived")

    # A: the verdict at once, one line per conflict, the hidden unit not named.
    result = a.page.get_by_test_id("screening-result")
    expect(result).to_have_attribute("role", "status")
    expect(result).to_contain_text("conflict")
    expect(result).to_contain_text("R-UNIT")
    expect(result).to_contain_text("<1 km")
    a.shot("screened")

    # B: the notice in its list, acknowledged from there.
    open_panel(b.page, "Notices")
    theirs = notice_item(b.page, notice_id)
    expect(theirs).to_have_count(1, timeout=WAIT_MS)
    with b.page.expect_response(lambda r: r.url.endswith(f"/api/v1/notices/{notice_id}/ack"),
                                timeout=WAIT_MS) as answered:
        theirs.get_by_role("button", name="Acknowledge").click()
    assert answered.value.status == 200, answered.value.text()
    b.shot("acknowledged")

    # A: the answer, without reloading.
    open_panel(a.page, "Notices")
    answers = notice_item(a.page, notice_id).get_by_test_id("notice-answers")
    expect(answers).to_contain_text("acknowledged by sdf", timeout=WAIT_MS)
    a.shot("answer-seen")

    assert any(notice_id in data for data in b.guard.streamed), "B's stream was not recorded"
    for officer in (a, b):
        expect_picture_as_served(officer)
        assert_nothing_withheld(officer)
        officer.guard.assert_local()
    assert notice_item(a.page, "ru-quiet-9").count() == 1  # its own quiet notice: shown to A only
    assert notice_item(b.page, "ru-quiet-9").count() == 0


def test_a_message_on_the_air_line_counts_down_and_is_acknowledged(
        officers: OfficerFactory) -> None:
    a, b = officers("russia"), officers("sdf")
    text = "Air package over Khasham at 0700Z: confirm positions east of the river"
    lines = open_panel(a.page, "Lines")
    lines.get_by_label("Line", exact=True).select_option("air")
    lines.get_by_label("To", exact=True).select_option("sdf")
    lines.get_by_label("Message", exact=True).fill(text)
    with a.page.expect_response(lambda r: r.url.endswith("/api/v1/messages")
                                and r.request.method == "POST", timeout=WAIT_MS) as sent:
        lines.get_by_role("button", name="Send").click()
    assert sent.value.status == 201, sent.value.text()
    message_id = str(sent.value.json()["id"])
    a.shot("sent")

    received = open_panel(b.page, "Lines").get_by_test_id("message-item").filter(has_text=text)
    expect(received).to_have_count(1, timeout=WAIT_MS)
    countdown = received.get_by_test_id("deadline")
    expect(countdown).to_be_visible()
    before = countdown.inner_text()
    assert re.search(r"\d", before), f"the deadline shows no time left: {before!r}"
    expect(countdown).not_to_have_text(before, timeout=3_000)  # it counts down by itself
    b.shot("received")
    with b.page.expect_response(lambda r: r.url.endswith(f"/api/v1/messages/{message_id}/ack"),
                                timeout=WAIT_MS) as acked:
        received.get_by_role("button", name="Acknowledge").click()
    assert acked.value.status == 200, acked.value.text()

    mine = a.page.get_by_role("region", name="Lines").get_by_test_id("message-item") \
        .filter(has_text=text)
    expect(mine).to_contain_text(re.compile("acknowledged", re.IGNORECASE), timeout=WAIT_MS)
    expect(mine.get_by_role("button", name="Acknowledge")).to_have_count(0)
    a.shot("acknowledged")
    for officer in (a, b):
        assert_nothing_withheld(officer)


FALCON_BEFORE = (39.95, 35.20)  # ru-falcon-3 as loaded, observed 05:30
FALCON_AFTER = (40.20, 35.33)  # 3 km from sdf-kestrel-1: a separation alert tells russia's page
REFERENCE = "syr-tiger-4"  # does not move; positions are read relative to it (the map may pan)

Offset = tuple[float, float] | None


def _centre(page: Page, unit_id: str) -> tuple[float, float] | None:
    marker = page.locator(f'[data-testid=unit][data-unit-id="{unit_id}"]')
    box = marker.bounding_box() if marker.count() == 1 else None
    return None if box is None else (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def _offset(page: Page, unit_id: str) -> Offset:
    """Where the unit's marker is drawn relative to the reference unit's (None: not drawn)."""
    unit, reference = _centre(page, unit_id), _centre(page, REFERENCE)
    if unit is None or reference is None:
        return None
    return (unit[0] - reference[0], unit[1] - reference[1])


def _near(a: Offset, b: Offset, px: float) -> bool:
    return a is not None and b is not None and max(abs(a[0] - b[0]), abs(a[1] - b[1])) <= px


def _wait_for(page: Page, unit_id: str, until: Callable[[Offset], bool], what: str) -> Offset:
    """Poll (bounded) until the unit's offset satisfies ``until`` in two reads 200 ms apart
    (the map may still be fitting itself to the picture)."""
    give_up = time.monotonic() + WAIT_MS / 1000
    last: Offset = None
    while True:
        now = _offset(page, unit_id)
        if until(now) and (now == last or now is None):
            return now
        assert time.monotonic() < give_up, f"{unit_id} drawn at offset {now}; wanted {what}"
        last = now
        page.wait_for_timeout(200)


def test_the_replay_slider_shows_a_unit_where_it_was(officers: OfficerFactory) -> None:
    a = officers("russia")
    page = a.page
    before = _wait_for(page, "ru-falcon-3", lambda o: o is not None, "drawn")
    hub_time = a.hub.get("russia", "/api/v1/me")["hub_time"]
    with a.hub.api("russia") as client:
        moved = client.post("/api/v1/positions", json={"reports": [
            {"unit": "ru-falcon-3", "position": list(FALCON_AFTER), "time": hub_time}]})
    assert moved.status_code == 200, moved.text
    after = _wait_for(page, "ru-falcon-3", lambda o: o is not None and not _near(o, before, 20),
                      "moved by the new report")
    assert after is not None and before is not None
    assert after[0] > before[0] and after[1] < before[1]  # it went east and north
    a.shot("moved")

    slider = page.get_by_role("slider", name="Replay time")
    quarter_to_six = int(parse_rfc3339("2017-09-18T05:45:00Z").timestamp())
    slider.fill(str(quarter_to_six))
    _wait_for(page, "ru-falcon-3", lambda o: _near(o, before, 3), "where it was at 05:30")
    a.shot("replay-0545")
    page.get_by_role("button", name="Live").click()
    _wait_for(page, "ru-falcon-3", lambda o: _near(o, after, 3), "where it is now")
    # By keyboard: Home goes back before its first report (not drawn), End returns to live.
    slider.focus()
    page.keyboard.press("Home")
    expect(page.locator('[data-testid=unit][data-unit-id="ru-falcon-3"]')).to_have_count(0)
    page.keyboard.press("End")
    _wait_for(page, "ru-falcon-3", lambda o: _near(o, after, 3), "where it is now")
    a.shot("live-again")
    assert_nothing_withheld(a)


def test_a_polygon_drawn_on_the_map_becomes_the_notice_filed(officers: OfficerFactory) -> None:
    a = officers("russia")
    page = a.page
    expect_picture_as_served(a)
    form = page.get_by_role("form", name="New notice")
    form.get_by_label("Shape", exact=True).select_option("polygon")
    form.get_by_label("Kind", exact=True).select_option("flight")
    # The window is prefilled from the hub's clock (an exercise at 06:00), not the computer's.
    expect(form.get_by_label("Window start", exact=True)).to_have_value(
        re.compile(r"^2017-09-18T06:0\d:\d\dZ$"))
    expect(form.get_by_label("Window end", exact=True)).to_have_value(
        re.compile(r"^2017-09-18T07:0\d:\d\dZ$"))
    form.get_by_role("button", name="Draw on map").click()
    the_map = page.get_by_test_id("map")
    box = the_map.bounding_box()
    assert box is not None
    # Three clicks in the map's empty north-west (away from the controls and the picture).
    clicks = [(0.20, 0.15), (0.26, 0.15), (0.23, 0.22)]
    for fx, fy in clicks:
        the_map.click(position={"x": box["width"] * fx, "y": box["height"] * fy})
    page.keyboard.press("Enter")
    drawn = form.get_by_label("Coordinates", exact=True).input_value().strip().splitlines()
    assert len(drawn) == 3, drawn
    points = [tuple(float(v) for v in line.split(",")) for line in drawn]
    assert all(32 < lon < 50 and 28 < lat < 40 for lon, lat in points), points
    assert points[0][0] < points[1][0] and points[2][1] < points[0][1]  # east, then south
    a.shot("drawn")
    with page.expect_request(lambda r: _filing_request(r.url, r.method), timeout=WAIT_MS) as sent:
        form.get_by_role("button", name="File notice").click()
    body = sent.value.post_data_json
    assert body is not None
    geometry = body["geometry"]
    assert geometry["type"] == "Polygon"
    ring = geometry["coordinates"][0]
    assert len(ring) == 4 and ring[0] == ring[-1]
    sent_points = [c for p in ring[:3] for c in p]
    assert sent_points == pytest.approx([c for p in points for c in p], abs=1e-3)
    expect(page.get_by_test_id("screening-result")).to_contain_text(
        re.compile(r"\b(clear|conflict)\b"), timeout=WAIT_MS)
    a.shot("filed")


def _filing_request(url: str, method: str) -> bool:
    return method == "POST" and url.endswith("/api/v1/notices")
