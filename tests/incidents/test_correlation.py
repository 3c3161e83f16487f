"""Correlation against the hand-built world: notices, units from position history, sites,
zones, line sides, messages; distances checked with geographiclib."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from deconflict.errors import ValidationError
from deconflict.model import AnswerKind, Credential, Role
from deconflict.service.hub import Hub
from deconflict.service.incidents import investigate, make_query, report_incident
from deconflict.service.notices import answer_notice

from .world import P, T, from_p, hm, load, running_hub, to_p


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    path = tmp_path_factory.mktemp("world") / "hub.db"
    load(path)
    with running_hub(path) as running:
        blue = Credential("t-blue", "blue", Role.LIAISON, "blue", hm(7))
        running.clock.moment = hm(7, 45)  # type: ignore[attr-defined]
        answer_notice(running, blue, "red-cover", AnswerKind.ACKNOWLEDGE, "seen")
        running.clock.moment = hm(7, 50)  # type: ignore[attr-defined]
        white = Credential("t-white", "white", Role.LIAISON, "white", hm(7))
        answer_notice(running, white, "red-cover", AnswerKind.ACKNOWLEDGE)
        running.clock.moment = hm(8, 10)  # type: ignore[attr-defined]
        answer_notice(running, blue, "red-miss", AnswerKind.OBJECT, "too close")
        running.clock.moment = hm(8, 30)  # type: ignore[attr-defined]
        yield running


def ask(hub: Hub, radius_m: float = 0.0, at: Any = T, alt_m: float | None = None
        ) -> dict[str, Any]:
    report: dict[str, Any] = investigate(hub, make_query(*P, at, radius_m, alt_m))["incident"]
    return report


def ids(items: list[dict[str, Any]]) -> list[str]:
    return [str(i["id"]) for i in items]


def test_the_world_is_placed_as_the_tests_assume() -> None:
    # The oracle's own distances (what our geodesy must agree with).
    assert to_p(*from_p(950, 0)) == pytest.approx(950, abs=1e-6)
    assert to_p(*from_p(1050, 90)) == pytest.approx(1050, abs=1e-6)


def test_a_notice_whose_buffer_covers_the_point_and_one_missing_it_by_50_m(hub: Hub) -> None:
    report = ask(hub)
    by_id = {n["id"]: n for n in report["notices"]}
    assert "red-cover" in by_id and "red-miss" not in by_id
    covering = by_id["red-cover"]
    assert covering["covers_point"] is True
    assert covering["distance_m"] == pytest.approx(to_p(*from_p(950, 0)), abs=0.1)


def test_a_radius_reaches_the_notice_that_missed_the_point(hub: Hub) -> None:
    # 1050 m away, buffer 1000: a 60 m radius reaches it, 40 m does not (geodesic, ±1 m).
    assert "red-miss" in ids(ask(hub, 60)["notices"])
    assert "red-miss" not in ids(ask(hub, 40)["notices"])
    miss = next(n for n in ask(hub, 60)["notices"] if n["id"] == "red-miss")
    assert miss["covers_point"] is False
    assert miss["distance_m"] == pytest.approx(1050, abs=0.1)


def test_window_and_altitude_band_must_hold_the_event(hub: Hub) -> None:
    assert "red-late" not in ids(ask(hub)["notices"])  # 09:00–10:00
    assert "red-late" in ids(ask(hub, at=hm(9, 30))["notices"])
    assert "red-high" in ids(ask(hub)["notices"])  # an unknown height counts as inside
    assert "red-high" not in ids(ask(hub, alt_m=100.0)["notices"])
    assert "red-high" in ids(ask(hub, alt_m=6000.0)["notices"])


def test_a_unit_that_moved_away_before_the_time_is_not_near(hub: Hub) -> None:
    at_event = ask(hub, 1000)
    assert "blue-moved" not in ids(at_event["units"] + at_event["stale_units"])
    earlier = ask(hub, 1000, at=hm(7))  # it was 100 m from P until 07:30
    moved = next(u for u in earlier["units"] if u["id"] == "blue-moved")
    assert moved["observed"] == "2017-09-18T06:00:00Z"
    assert moved["distance_m"] == 0.0  # within its 100 m footprint


def test_a_stale_unit_is_apart_from_the_live_ones(hub: Hub) -> None:
    report = ask(hub, 1000)
    assert "blue-stale" not in ids(report["units"])
    (stale,) = report["stale_units"]
    assert stale["id"] == "blue-stale" and stale["live"] is False
    assert stale["stale"] == "2017-09-18T07:00:00Z"
    assert "blue-stale" in ids(ask(hub, 1000, at=hm(6))["units"])  # live before 07:00


def test_units_near_the_point_with_edge_distances(hub: Hub) -> None:
    report = ask(hub, 1000)
    assert ids(report["units"]) == ["blue-near", "green-near"]
    near = report["units"][0]
    assert near["distance_m"] == pytest.approx(300 - 50, abs=0.1)  # edge of a 50 m footprint
    assert "red-own" in ids(ask(hub, 1500)["units"])  # 1500 m away exactly, radius 0
    assert "red-own" not in ids(ask(hub, 1490)["units"])


def test_sites_by_buffer_and_window(hub: Hub) -> None:
    report = ask(hub)
    (clinic,) = report["sites"]
    assert clinic["id"] == "white-clinic" and clinic["inside_buffer"] is True
    assert clinic["distance_m"] == pytest.approx(250, abs=0.1)
    assert "white-camp" in ids(ask(hub, at=hm(11))["sites"])  # its window is 10:00–12:00


def test_zone_and_the_side_of_the_line(hub: Hub) -> None:
    report = ask(hub)
    (zone,) = report["zones"]
    assert (zone["id"], zone["inside"], zone["owner"]) == ("blue-zone", True, "blue")
    (line,) = report["lines"]
    assert (line["id"], line["side"], line["side_party"]) == ("river", "right", "blue")
    assert line["sides_reached"] == []  # radius 0: the point only
    wide = ask(hub, 10_000)["lines"][0]
    assert wide["sides_reached"] == ["left", "right"]  # the river is ~6.4 km west of P


def test_a_point_beyond_the_end_of_a_line_is_on_neither_side(hub: Hub) -> None:
    query = make_query(39.98, 35.4, T, 0)  # due north of the river's northern end
    report = investigate(hub, query)["incident"]
    assert report["lines"] == []


def test_who_knew_what_and_when(hub: Hub) -> None:
    report = ask(hub, 60)
    cover = next(n for n in report["notices"] if n["id"] == "red-cover")
    assert cover["state"] == "acknowledged" and cover["notified"] == ["blue", "white"]
    assert cover["answers"] == [
        {"party": "blue", "answer": "acknowledge", "time": "2017-09-18T07:45:00Z",
         "comment": "seen", "before_incident": True},
        {"party": "white", "answer": "acknowledge", "time": "2017-09-18T07:50:00Z",
         "comment": "", "before_incident": True}]
    miss = next(n for n in report["notices"] if n["id"] == "red-miss")
    assert miss["answers"][0]["before_incident"] is False  # objected at 08:10
    events = [(e["time"][11:16], e["when"], e["actor"], e["event"], e["ref"])
              for e in report["timeline"]]
    assert ("07:45", "before", "blue", "notice acknowledged", "red-cover") in events
    assert ("08:00", "at", "", "incident", "") in events
    assert ("08:10", "after", "blue", "notice objected", "red-miss") in events
    assert [e["time"] for e in report["timeline"]] == sorted(e["time"]
                                                             for e in report["timeline"])


def test_messages_naming_a_correlated_notice(hub: Hub) -> None:
    assert ids(ask(hub, 3000)["messages"]) == ["msg-green-1", "msg-red-1"]
    assert ids(ask(hub)["messages"]) == ["msg-red-1"]  # green-op is 2.5 km away


def test_the_incident_records_what_it_correlated(hub: Hub) -> None:
    red = Credential("t-red", "red", Role.LIAISON, "red", hm(7))
    incident, report = report_incident(hub, red, make_query(*P, T, 1000), "bombs")
    assert incident.id == "red-incident-1" and report["incident"]["id"] == incident.id
    stored = hub.store.incident(incident.id)
    kinds = {(i.kind, i.ref) for i in stored.items}
    assert {("notice", "red-cover"), ("unit", "blue-near"), ("unit", "green-near"),
            ("site", "white-clinic"), ("zone", "blue-zone@1"), ("line", "river@1"),
            ("message", "msg-red-1")} <= kinds
    assert stored == incident


@pytest.mark.parametrize(("lon", "lat", "radius", "field"), [
    (200.0, 35.0, 0.0, "position"), (40.0, 91.0, 0.0, "position"),
    (float("nan"), 35.0, 0.0, "position"), (40.0, 35.0, -1.0, "radius_m"),
    (40.0, 35.0, 50_001.0, "radius_m"), (40.0, 35.0, float("nan"), "radius_m")])
def test_bad_questions_name_the_field(lon: float, lat: float, radius: float,
                                      field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        make_query(lon, lat, T, radius)
    assert caught.value.field == field


def test_an_incident_cannot_be_reported_before_it_happens(hub: Hub) -> None:
    red = Credential("t-red", "red", Role.LIAISON, "red", hm(7))
    with pytest.raises(ValidationError) as caught:
        report_incident(hub, red, make_query(*P, hm(9), 0))
    assert caught.value.field == "time"


def test_scale_of_the_search_is_bounded() -> None:
    with pytest.raises(ValidationError):
        make_query(*P, T, 1e9)
