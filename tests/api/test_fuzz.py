"""schemathesis over the hub's own /openapi.json: no input of any shape gives a 5xx.

Every operation of the schema is fuzzed with 500 generated requests against the in-process ASGI
app on a real SQLite hub: as a liaison (valid data, and invalid data where the operation takes
any), as an admin (so the token paths run past the role check), and, for the operations that take
a scenario-format object or a typed body, with near-valid bodies (a valid one with a few fields
swapped for awkward values) that reach the service instead of stopping at validation. Each
response must be below 500, carry the one error shape when it is a 4xx, and conform to the
schema (status code, content type, headers, body). Path parameters name real objects half the
time. Runs are derandomized, so a run is repeatable.

Excluded: ``GET /api/v1/alerts/stream`` streams until the client leaves; its credential checks
are in test_credentials.py and its behaviour in test_stream_live.py.

Not checked: that every schema-valid request is accepted (schemathesis' positive_data_acceptance).
Scenario objects are documented as free JSON objects, and a party, a unit or an id prefix cannot
be said in JSON Schema, so most schema-valid requests are rightly refused.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC
from itertools import product
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from deconflict.api import Settings, create_app, monitor_once
from deconflict.model import Role
from deconflict.service.hub import Limits

from .conftest import START, make_hub_db

EXAMPLES = 500
EXCLUDED = {("GET", "/api/v1/alerts/stream")}
RUN = settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
               suppress_health_check=list(HealthCheck),
               phases=[Phase.explicit, Phase.generate, Phase.shrink])
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]

# -- the operations ------------------------------------------------------------------------------

SCHEMA = create_app(Settings(db_path=Path("unused.db"))).openapi()  # touches no database
SPECS = {(m.upper(), p): spec for p, methods in SCHEMA["paths"].items()
         for m, spec in methods.items() if (m.upper(), p) not in EXCLUDED}


def has_input(spec: dict[str, Any]) -> bool:
    return "requestBody" in spec or bool(spec.get("parameters"))


def negatable(spec: dict[str, Any]) -> bool:
    """Whether schemathesis can make invalid data for it (any string is a valid path id)."""
    return "requestBody" in spec or any(p["schema"].get("type", "string") != "string"
                                        for p in spec.get("parameters", []))


def label(key: tuple[str, str]) -> str:
    return " ".join(key)


# -- the hub -------------------------------------------------------------------------------------

WINDOW = ["2017-09-18T10:00:00Z", "2017-09-18T11:00:00Z"]


def point(lon: float, lat: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [lon, lat]}


def without_lifespan(app: FastAPI) -> Callable[..., Any]:
    """The app for schemathesis' client: the test's own TestClient runs (and ends) the lifespan."""
    async def asgi(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "lifespan":
            await app(scope, receive, send)

    return asgi


@dataclass
class FuzzHub:
    app: FastAPI
    schema: Any
    auth: dict[str, dict[str, str]]
    known: dict[str, list[str]]

    def operation(self, key: tuple[str, str]) -> Any:
        return self.schema[key[1]][key[0].lower()]


#: An incident just before the hub's start (an incident cannot be reported before it happens).
INCIDENT_SEED = {"time": "2017-09-18T05:50:00Z", "position": [40.25, 35.36], "radius_m": 3000,
                 "description": "seed"}


def seed(client: TestClient, auth: dict[str, dict[str, str]]) -> dict[str, list[str]]:
    """A few objects so that path parameters can name real ones; returns them by parameter."""
    def post(who: str, path: str, body: dict[str, Any]) -> Any:
        reply = client.post(path, json=body, headers=auth[who])
        assert reply.status_code == 201, reply.text
        return reply.json()["id"]

    notices = [post(who, "/api/v1/notices", {"id": f"{who}-seed", "kind": "ground_move",
                                             "geometry": point(*at), "buffer_m": 800,
                                             "window": WINDOW})
               for who, at in (("syria", (38.5, 34.5)), ("sdf", (40.25, 35.36)),
                               ("russia", (40.6, 35.2)))]
    messages = [post("sdf", "/api/v1/messages", {"to": to, "level": "air", "text": "seed",
                                                 "ack_within_s": 3600})
                for to in ("syria", "coalition", "russia")]
    zones = [post("sdf", "/api/v1/zones", {"id": f"sdf-{n}", "kind": "zone",
                                           "geometry": point(39.0, 34.0 + n), "radius_m": 900,
                                           "owner": "sdf", "signatories": ["sdf", signer]})
             for n, signer in enumerate(("syria", "coalition"))]
    spare = client.post("/api/v1/tokens", json={"party": "sarc", "role": "viewer"},
                        headers=auth["coalition"]).json()["id"]
    incidents = [client.post("/api/v1/incidents", json=INCIDENT_SEED,
                             headers=auth[who]).json()["incident"]["id"]
                 for who in ("syria", "coalition")]
    size = client.get("/api/v1/ledger/checkpoint", headers=auth["syria"]).json()["size"]
    ledger_ids = {"size": [str(size)], "index": ["0", "1", str(size - 1), str(size + 5)],
                  "ref": [*notices, "syria", "russia"]}
    return {**ledger_ids,
            "notice_id": [*notices, "ru-strike-1", "co-flight"], "message_id": messages,
            "zone_id": zones, "number": ["1", "2"], "token_id": [spare],
            "incident_id": incidents,
            "recipient": ["coalition", "sdf", "russia", "syria", "sarc"]}


@pytest.fixture
def fuzz_hub(tmp_path: Path) -> Iterator[FuzzHub]:
    roles = {"syria": Role.LIAISON, "sdf": Role.LIAISON, "russia": Role.LIAISON,
             "coalition": Role.ADMIN}
    db, made = make_hub_db(tmp_path, roles=roles)
    auth = {p: {"Authorization": f"Bearer {secret}"} for p, secret in made.items()}
    # No notice budget: past 60 an hour every notice would stop at the 429, short of screening.
    # The monitor runs when a test says so (monitor_once), where its errors are seen.
    settings_ = Settings(db_path=db, at=START, limits=Limits(notices_per_hour=10**9),
                         tick_s=3600.0)
    app = create_app(settings_)
    with TestClient(app) as client:
        known = seed(client, auth)
        schema = schemathesis.openapi.from_asgi("/openapi.json", without_lifespan(app))
        yield FuzzHub(app, schema, auth, known)


# -- checking one response -----------------------------------------------------------------------


def assert_error_shape(response: Any) -> None:
    body = response.json()
    assert set(body) == {"error"}, body
    assert {"code", "message"} <= set(body["error"]) <= {"code", "message", "field"}, body


def check(case: Any, response: Any, checks: list[Any]) -> None:
    assert response.status_code < 500, f"{case.as_curl_command()}\n{response.text}"
    if 400 <= response.status_code < 500:
        assert_error_shape(response)
    try:
        case.validate_response(response, checks=checks)
    except FailureGroup as failures:  # a BaseException: hand hypothesis a plain failure
        raise AssertionError(str(failures)) from None


def reads_still_render(hub: FuzzHub, party: str) -> None:
    """After a fuzz run, every read renders what it left behind, and the monitor copes."""
    monitor_once(hub.app.state.hub)
    for key, spec in SPECS.items():
        if key[0] == "GET" and not has_input(spec):
            case = hub.operation(key).Case(headers=hub.auth[party])
            check(case, case.call(), CHECKS)


def run(hub: FuzzHub, key: tuple[str, str], cases: st.SearchStrategy[Any], checks: list[Any],
        party: str) -> Counter[int]:
    """Fuzz ``key`` with ``cases``; returns how many replies had each status."""
    statuses: Counter[int] = Counter()

    @RUN
    @given(cases)
    def fuzz(case: Any) -> None:
        response = case.call()
        statuses[response.status_code] += 1
        check(case, response, checks)

    fuzz()
    if key[0] != "GET":
        reads_still_render(hub, party)
    return statuses


# -- schemathesis from the schema ----------------------------------------------------------------

PARTY_OF = {"liaison": "syria", "admin": "coalition"}


def generated(hub: FuzzHub, key: tuple[str, str], party: str, mode: GenerationMode
              ) -> st.SearchStrategy[Any]:
    operation, headers = hub.operation(key), hub.auth[party]
    anything = operation.as_strategy(generation_mode=mode, headers=headers)
    names = re.findall(r"{(\w+)}", key[1])
    if mode is GenerationMode.NEGATIVE or not names:
        return anything
    if missing := [n for n in names if n not in hub.known]:
        pytest.fail(f"{label(key)}: seed objects for {missing} (see seed())")
    real = [operation.as_strategy(path_parameters=dict(zip(names, values, strict=True)),
                                  headers=headers)
            for values in product(*(hub.known[n] for n in names))]
    return st.one_of(anything, st.one_of(real))  # half the requests name a real object


RUNS = ([("liaison", GenerationMode.POSITIVE, key) for key in SPECS]
        + [("liaison", GenerationMode.NEGATIVE, key) for key, s in SPECS.items() if negatable(s)]
        + [("admin", GenerationMode.POSITIVE, key) for key in SPECS])


@pytest.mark.parametrize(("role", "mode", "key"), RUNS,
                         ids=[f"{r}-{m.value}-{label(k)}" for r, m, k in RUNS])
def test_schemathesis_finds_no_server_error(fuzz_hub: FuzzHub, role: str, mode: GenerationMode,
                                            key: tuple[str, str]) -> None:
    party = PARTY_OF[role]
    checks = CHECKS + ([negative_data_rejection] if mode is GenerationMode.NEGATIVE else [])
    sent = run(fuzz_hub, key, generated(fuzz_hub, key, party, mode), checks, party).total()
    # An operation without inputs has a single request to send: hypothesis stops after it.
    assert sent >= EXAMPLES or not has_input(SPECS[key])


def test_every_operation_but_the_stream_is_fuzzed() -> None:
    everything = {(m.upper(), p) for p, methods in SCHEMA["paths"].items() for m in methods}
    assert everything - set(SPECS) == EXCLUDED
    assert {k for _, _, k in RUNS} == set(SPECS)


# -- near-valid bodies ---------------------------------------------------------------------------

lon, lat = st.floats(-180, 180), st.floats(-90, 90)


def listed(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.lists(inner, max_size=3)


def nested(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)


anything = st.recursive(st.none() | st.booleans() | st.floats() | st.integers()
                        | st.text(max_size=12), nested, max_leaves=8)
numbers = st.floats() | st.integers() | st.sampled_from(
    [0, -1, 1e8, 1e8 + 1, 1e15, 1e300, 2**63, 10**30, 5e-324, -0.0])
position = (st.tuples(lon, lat).map(list) | st.tuples(lon, lat, st.floats()).map(list)
            | st.lists(st.floats(), max_size=4))
ring = st.lists(st.tuples(lon, lat).map(list), max_size=6).map(lambda r: r + r[:1])
geometry = st.one_of(
    st.builds(lambda c: {"type": "Point", "coordinates": c}, position),
    st.builds(lambda c: {"type": "LineString", "coordinates": c}, st.lists(position, max_size=5)),
    st.builds(lambda c: {"type": "Polygon", "coordinates": c}, st.lists(ring, max_size=3)),
    st.builds(lambda c: {"type": "MultiPolygon", "coordinates": c},
              st.lists(st.lists(ring, max_size=2), max_size=2)),
    st.builds(lambda t, c: {"type": t, "coordinates": c},
              st.sampled_from(["Point", "MultiPoint", "MultiLineString", "GeometryCollection",
                               "Feature", ""]),
              st.recursive(st.floats() | st.integers(), listed, max_leaves=8)))
times = st.one_of(
    st.datetimes(timezones=st.just(UTC)).map(lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ")),
    st.sampled_from(["2017-09-18T07:00:00Z", "2017-09-18T07:00:00.123456789Z",
                     "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2017-13-01T00:00:00Z",
                     "2017-09-18", "2017-09-18T07:00:00+00:00", "2016-12-31T23:59:60Z"]),
    st.text(max_size=25))
parties = st.sampled_from(["syria", "sdf", "russia", "coalition", "sarc", "nobody", ""])
text = st.text(max_size=20)


def near(template: dict[str, Any], fields: dict[str, st.SearchStrategy[Any]]
         ) -> st.SearchStrategy[dict[str, Any]]:
    """``template`` with up to four fields dropped or swapped, now and then an unknown one."""
    @st.composite
    def body(draw: st.DrawFn) -> dict[str, Any]:
        out = dict(template)
        for name in draw(st.lists(st.sampled_from(sorted(fields)), max_size=4, unique=True)):
            if draw(st.integers(0, 4)) == 0:
                out.pop(name, None)
            else:
                out[name] = draw(fields[name] | anything)
        if draw(st.integers(0, 9)) == 0:
            out[draw(st.text(max_size=8))] = draw(anything)
        return out

    return body()


NOTICE = near({"kind": "air_strike", "geometry": point(40.26, 35.33), "buffer_m": 1000,
               "window": ["2017-09-18T07:00:00Z", "2017-09-18T08:00:00Z"]},
              {"kind": st.sampled_from(["air_strike", "artillery", "ground_move", "flight",
                                        "convoy"]),
               "geometry": geometry, "buffer_m": numbers, "radius_m": numbers,
               "standoff_m": numbers, "altitude_m": st.lists(numbers, max_size=3),
               "window": st.lists(times, max_size=3), "id": text.map("syria-".__add__),
               "name": text, "party": parties})
SITE = near({"kind": "hospital", "geometry": point(40.45, 35.02), "buffer_m": 300},
            {"kind": st.sampled_from(["hospital", "school", "camp", "convoy", "crossing"]),
             "geometry": geometry, "buffer_m": numbers, "radius_m": numbers,
             "window": st.lists(times, max_size=3), "id": text.map("syria-".__add__),
             "name": text})
ZONE = near({"id": "syria-z", "kind": "zone", "geometry": point(41.2, 36.2), "radius_m": 5000,
             "owner": "syria", "signatories": ["russia", "syria"]},
            {"id": st.sampled_from(["syria-z", "syria-l", "sdf-0", "x"]) | text,
             "kind": st.sampled_from(["zone", "line"]), "geometry": geometry,
             "radius_m": numbers, "owner": parties, "signatories": st.lists(parties, max_size=4),
             "sides": st.fixed_dictionaries({"left": parties, "right": parties}), "name": text})
REPORT = near({"unit": "syr-1", "position": [40.25, 35.36], "time": "2017-09-18T06:00:00Z"},
              {"unit": st.sampled_from(["syr-1", "sdf-1", "x"]), "position": position,
               "time": times, "radius_m": numbers, "stale": times})
POSITIONS = st.builds(lambda r: {"reports": r}, st.lists(REPORT, min_size=1, max_size=3))
MESSAGE = near({"to": "sdf", "level": "air", "text": "hello", "ack_within_s": 600},
               {"to": parties, "level": st.sampled_from(["air", "ground", "command"]),
                "text": text, "ack_within_s": numbers})
DETECTION = near({"sensor": "syr-radar-1", "position": [40.31, 35.41],
                  "time": "2017-09-18T06:00:00Z", "uncertainty_m": 50},
                 {"sensor": st.sampled_from(["syr-radar-1", "x", ""]), "position": position,
                  "time": times, "uncertainty_m": numbers, "heading_deg": numbers,
                  "speed_mps": numbers, "classification": text})
DETECTIONS = st.builds(lambda d: {"detections": d}, st.lists(DETECTION, min_size=1, max_size=3))
INCIDENT = near(INCIDENT_SEED, {"time": times, "position": position, "radius_m": numbers,
                                "description": text,
                                "kind": st.sampled_from(["strike", "fire", "x"])})
NEAR_VALID = {("POST", "/api/v1/notices"): NOTICE, ("POST", "/api/v1/sites"): SITE,
              ("POST", "/api/v1/incidents"): INCIDENT,
              ("POST", "/api/v1/zones"): ZONE, ("POST", "/api/v1/positions"): POSITIONS,
              ("POST", "/api/v1/messages"): MESSAGE, ("POST", "/api/v1/detections"): DETECTIONS}


def with_body(case: Any, body: dict[str, Any]) -> Any:
    # Raw bytes, so that NaN and Infinity go out as the JSON parser may read them.
    case.body = json.dumps(body, allow_nan=True).encode()
    return case


@pytest.mark.parametrize("key", list(NEAR_VALID), ids=label)
def test_near_valid_bodies_find_no_server_error(fuzz_hub: FuzzHub, key: tuple[str, str]
                                                ) -> None:
    cases = st.builds(with_body, fuzz_hub.operation(key).as_strategy(
        headers=fuzz_hub.auth["syria"]), NEAR_VALID[key])
    statuses = run(fuzz_hub, key, cases, CHECKS, "syria")
    assert statuses.total() >= EXAMPLES
    # Enough of them get past validation to exercise the service behind it.
    assert sum(n for status, n in statuses.items() if status < 300) >= EXAMPLES // 50, statuses


# -- what the fuzzing found: minimal inputs ------------------------------------------------------


@pytest.fixture
def client(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    db, made = make_hub_db(tmp_path, roles={"syria": Role.LIAISON})
    # A regression shows as a 500 to assert on, not as an exception carrying the bad text.
    app = create_app(Settings(db_path=db, at=START))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c, {"Authorization": f"Bearer {made['syria']}",
                  "Content-Type": "application/json"}


LONE_SURROGATE = '"\\ud800"'  # valid JSON, not valid text


@pytest.mark.parametrize(("path", "body"), [
    ("/api/v1/notices", '{"kind": "air_strike", "name": %s}'),
    ("/api/v1/notices", '{"kind": "air_strike", %s: 1}'),
    ("/api/v1/sites", '{"kind": "hospital", "id": %s}'),
    ("/api/v1/zones", '{"kind": "zone", "signatories": [%s]}'),
])
def test_a_lone_surrogate_in_a_scenario_object_is_refused(
        client: tuple[TestClient, dict[str, str]], path: str, body: str) -> None:
    """It used to reach SQLite or the error message, neither of which can encode it: a 500."""
    c, headers = client
    reply = c.post(path, content=body % LONE_SURROGATE, headers=headers)
    assert reply.status_code == 422, reply.text
    assert reply.json()["error"]["code"] == "invalid"


def test_a_site_wider_than_the_earth_is_refused(client: tuple[TestClient, dict[str, str]]
                                                ) -> None:
    """A 1e20 m buffer made the footprint's arithmetic divide by zero: a 500."""
    c, headers = client
    site = {"kind": "hospital", "geometry": point(40.45, 35.02), "buffer_m": 1e20}
    reply = c.post("/api/v1/sites", json=site, headers=headers)
    assert reply.status_code == 422 and reply.json()["error"]["field"] == "buffer_m"
    assert c.post("/api/v1/sites", json={**site, "buffer_m": 1e8},
                  headers=headers).status_code == 201


def test_an_undecodable_body_is_a_bad_request(client: tuple[TestClient, dict[str, str]]) -> None:
    """FastAPI's 400 for bytes that are not UTF-8 carried the root code ``error``."""
    c, headers = client
    reply = c.post("/api/v1/notices", content=b'{"name": "\xff"}', headers=headers)
    assert reply.status_code == 400
    assert reply.json() == {"error": {"code": "bad_request",
                                      "message": "There was an error parsing the body"}}


def test_the_schema_documents_the_error_shape() -> None:
    """Every 4xx is the one error shape, not FastAPI's own {"detail": [...]} for a 422."""
    for spec in SPECS.values():
        refused = spec["responses"]["4XX"]["content"]["application/json"]["schema"]
        assert refused == {"$ref": "#/components/schemas/ErrorBody"}
        assert "422" not in spec["responses"]
    assert "HTTPValidationError" not in SCHEMA["components"]["schemas"]
