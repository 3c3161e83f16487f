"""Every operation of /openapi.json against every kind of credential.

The operations are read from the app's own OpenAPI schema, so a new endpoint joins the matrix by
itself; the tables below say only what a valid request to it looks like (a body, the objects its
path names). A new endpoint missing from them fails with a message saying what to add.

The caller is a Syrian liaison (``syria``). Each test gets a fresh hub (a real SQLite file) with:
a notice of its own, an SDF notice that touches its unit, an SDF message to it, an SDF zone it is
a signatory of, and objects it may not see (a Russian notice far away, an SDF message to Russia,
a Russian zone), plus a viewer token, a revoked token, an admin token and a spare token.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from deconflict.api import Settings, create_app
from deconflict.api.deps import SESSION_COOKIE
from deconflict.ledger import KeyPair, sign_entry
from deconflict.model import Credential, Role
from deconflict.service import ledger, tokens
from deconflict.service.clock import ExerciseClock
from deconflict.service.hub import Limits

from .conftest import make_hub_db, run_client

# -- the operations, from the schema -------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    spec: dict[str, Any] = field(compare=False, repr=False)

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.path)

    @property
    def secured(self) -> bool:
        return bool(self.spec.get("security"))

    @property
    def success(self) -> int:
        (code,) = (int(c) for c in self.spec["responses"] if c.startswith("2"))
        return code

    @property
    def path_params(self) -> list[str]:
        return [p["name"] for p in self.spec.get("parameters", []) if p["in"] == "path"]

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def schema_operations() -> list[Operation]:
    # Building the schema touches no database, so this runs at collection time.
    schema = create_app(Settings(db_path=Path("unused.db"))).openapi()
    return [Operation(method.upper(), path, spec)
            for path, methods in schema["paths"].items() for method, spec in methods.items()]


OPERATIONS = schema_operations()
SECURED = [op for op in OPERATIONS if op.secured]
STREAM = ("GET", "/api/v1/alerts/stream")
PUBLIC = {("POST", "/api/v1/session"), ("DELETE", "/api/v1/session")}
ADMIN_ONLY = {("GET", "/api/v1/tokens"), ("POST", "/api/v1/tokens"),
              ("DELETE", "/api/v1/tokens/{token_id}")}

# -- what a valid request looks like -------------------------------------------------------------

WINDOW = ["2017-09-18T10:00:00Z", "2017-09-18T11:00:00Z"]


def point(lon: float, lat: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [lon, lat]}


def zone(ident: str, at: tuple[float, float], owner: str, signatories: list[str]
         ) -> dict[str, Any]:
    return {"id": ident, "kind": "zone", "geometry": point(*at), "radius_m": 1000,
            "owner": owner, "signatories": signatories}


#: Syria's own ledger key (for entries it signs itself) and a second one to register.
MATRIX_KEY = KeyPair.from_private_bytes(bytes(range(32)))
OTHER_KEY = KeyPair.from_private_bytes(bytes(range(1, 33)))


def self_signed_entry(m: Matrix) -> dict[str, Any]:
    """An entry syria signed itself at the log's next index: its key is registered first
    (through the service, whatever credential the request then carries)."""
    hub = m.client.app.state.hub  # type: ignore[attr-defined]
    officer = Credential("matrix", "syria", Role.LIAISON, "matrix", hub.now())
    with hub.lock:
        live = [k for k in hub.store.ledger_keys("syria") if k.retired is None]
        if not live or live[-1].public_key != MATRIX_KEY.public_bytes():
            ledger.register_key(hub, officer, b64(MATRIX_KEY.public_bytes()))
        entry = sign_entry(MATRIX_KEY, index=hub.store.ledger_size(), time=hub.now(),
                           actor="syria", kind="statement", ref="matrix", body={"text": "seen"})
    return {"entry": entry.to_document()}


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


BODIES: dict[tuple[str, str], Any] = {
    ("POST", "/api/v1/tokens"): {"party": "sarc", "role": "viewer", "name": "matrix"},
    ("POST", "/api/v1/positions"): {"reports": [
        {"unit": "syr-1", "position": [40.25, 35.36], "time": "2017-09-18T06:00:00Z"}]},
    ("POST", "/api/v1/zones"): zone("syria-matrix", (39.5, 34.0), "syria", ["syria", "russia"]),
    ("POST", "/api/v1/sites"): {"kind": "school", "geometry": point(39.6, 34.1), "buffer_m": 200},
    ("PUT", "/api/v1/disclosure/{recipient}"): {"level": "area"},
    ("POST", "/api/v1/notices"): {"kind": "flight", "geometry": point(38.0, 34.0),
                                  "buffer_m": 1000, "window": WINDOW},
    ("POST", "/api/v1/notices/{notice_id}/ack"): {"answer": "acknowledge"},
    ("POST", "/api/v1/notices/{notice_id}/state"): {"state": "cancelled"},
    ("POST", "/api/v1/messages"): {"to": "sdf", "level": "air", "text": "matrix",
                                   "ack_within_s": 600},
    ("POST", "/api/v1/detections"): {"detections": [
        {"sensor": "syr-radar-1", "position": [40.31, 35.41], "time": "2017-09-18T06:00:00Z",
         "uncertainty_m": 50}]},
    ("POST", "/api/v1/ledger/checkpoints/{size}/signatures"): {},
    ("POST", "/api/v1/ledger/keys"): {"public_key": b64(OTHER_KEY.public_bytes())},
    ("POST", "/api/v1/ledger/entries"): self_signed_entry,
    ("POST", "/api/v1/incidents"): {"time": "2017-09-18T05:50:00Z", "position": [40.25, 35.36],
                                    "radius_m": 2000},
}

#: Path parameters of a valid request by the caller: names of seeded objects (see Matrix.ids).
VALID_PATHS: dict[tuple[str, str], dict[str, str]] = {
    ("GET", "/api/v1/notices/{notice_id}"): {"notice_id": "own_notice"},
    ("POST", "/api/v1/notices/{notice_id}/ack"): {"notice_id": "touching_notice"},
    ("POST", "/api/v1/notices/{notice_id}/state"): {"notice_id": "own_notice"},
    ("POST", "/api/v1/messages/{message_id}/ack"): {"message_id": "message_in"},
    ("POST", "/api/v1/zones/{zone_id}/versions/{number}/sign"): {"zone_id": "shared_zone",
                                                                 "number": "version"},
    ("DELETE", "/api/v1/tokens/{token_id}"): {"token_id": "spare_token"},
    ("PUT", "/api/v1/disclosure/{recipient}"): {"recipient": "other_party"},
    ("POST", "/api/v1/ledger/checkpoints/{size}/signatures"): {"size": "checkpoint"},
    ("GET", "/api/v1/ledger/entries/{index}"): {"index": "readable_entry"},
    ("GET", "/api/v1/ledger/entries/{index}/proof"): {"index": "readable_entry"},
    ("GET", "/api/v1/ledger/about/{ref}"): {"ref": "own_notice"},
    **{("GET", f"/api/v1/incidents/{{incident_id}}{tail}"): {"incident_id": "own_incident"}
       for tail in ("", "/bundle", "/bundle.json", "/report")},
}

#: The same operations on objects the caller may not see.
HIDDEN_PATHS: dict[tuple[str, str], dict[str, str]] = {
    ("GET", "/api/v1/notices/{notice_id}"): {"notice_id": "hidden_notice"},
    ("POST", "/api/v1/notices/{notice_id}/ack"): {"notice_id": "hidden_notice"},
    ("POST", "/api/v1/notices/{notice_id}/state"): {"notice_id": "hidden_notice"},
    ("POST", "/api/v1/messages/{message_id}/ack"): {"message_id": "hidden_message"},
    ("POST", "/api/v1/zones/{zone_id}/versions/{number}/sign"): {"zone_id": "hidden_zone",
                                                                 "number": "version"},
    ("GET", "/api/v1/ledger/entries/{index}"): {"index": "hidden_entry"},
    ("GET", "/api/v1/ledger/entries/{index}/proof"): {"index": "hidden_entry"},
    ("GET", "/api/v1/ledger/about/{ref}"): {"ref": "hidden_notice"},
    **{("GET", f"/api/v1/incidents/{{incident_id}}{tail}"): {"incident_id": "hidden_incident"}
       for tail in ("", "/bundle", "/bundle.json", "/report")},
}

#: Path parameters that name no object a party could be hidden from.
NOT_OBJECTS = {"recipient": "parties are public (GET /parties)",
               "token_id": "tokens are admin-only",
               "size": "checkpoints are public (GET /ledger/checkpoint)"}

# -- the hub -------------------------------------------------------------------------------------


@dataclass
class Matrix:
    db: Path
    client: TestClient
    secrets: dict[str, str]
    ids: dict[str, str]

    def bearer(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secrets[who]}"}

    def session(self, who: str) -> dict[str, str]:
        reply = self.client.post("/api/v1/session", json={"token": self.secrets[who]})
        assert reply.status_code == 200, reply.text
        self.client.cookies.clear()  # every request below says which credential it carries
        return {"Cookie": f"{SESSION_COOKIE}={session_cookie(reply)['value']}"}


def token_id(db: Path, name: str) -> str:
    return next(t["id"] for t in tokens.listing(db) if t["name"] == name)


def make_secrets(db: Path, made: dict[str, str]) -> dict[str, str]:
    secrets = {"liaison": made["syria"], "admin": made["coalition"], "sdf": made["sdf"],
               "russia": made["russia"],
               "viewer": tokens.create(db, "syria", Role.VIEWER, "syria viewer"),
               "revoked": tokens.create(db, "syria", Role.LIAISON, "syria revoked")}
    tokens.revoke(db, token_id(db, "syria revoked"))
    tokens.create(db, "sarc", Role.VIEWER, "spare")
    return secrets


def seed(m: Matrix) -> dict[str, str]:
    """Objects the caller may act on, and objects it may not see; returns their ids."""
    def post(who: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        reply = m.client.post(path, json=body, headers=m.bearer(who))
        assert reply.status_code == 201, reply.text
        found: dict[str, Any] = reply.json()
        return found

    post("liaison", "/api/v1/notices", {"id": "syria-own", "kind": "air_strike",
                                        "geometry": point(38.5, 34.5), "buffer_m": 1000,
                                        "window": WINDOW})
    touching = post("sdf", "/api/v1/notices", {"id": "sdf-near", "kind": "ground_move",
                                               "geometry": point(40.25, 35.36), "buffer_m": 500,
                                               "window": WINDOW})
    assert "syria" in touching["properties"]["awaiting"]
    post("russia", "/api/v1/notices", {"id": "russia-hidden", "kind": "flight",
                                       "geometry": point(37.0, 33.0), "buffer_m": 1000,
                                       "window": WINDOW})
    message = {"level": "air", "text": "seed", "ack_within_s": 3600}
    message_in = post("sdf", "/api/v1/messages", {**message, "to": "syria"})["id"]
    hidden_message = post("sdf", "/api/v1/messages", {**message, "to": "russia"})["id"]
    post("sdf", "/api/v1/zones", zone("sdf-shared", (39.0, 34.0), "sdf", ["sdf", "syria"]))
    post("russia", "/api/v1/zones",
         zone("russia-private", (37.5, 33.5), "russia", ["russia", "coalition"]))
    event = BODIES[("POST", "/api/v1/incidents")]
    own_incident = post("liaison", "/api/v1/incidents", event)["incident"]["id"]
    hidden_incident = post("russia", "/api/v1/incidents", event)["incident"]["id"]
    hub = m.client.app.state.hub  # type: ignore[attr-defined]
    hidden_entry = ledger.entries_about(hub, "russia-hidden")[0].index
    checkpoint = hub.store.ledger_checkpoint().size
    return {"readable_entry": "0", "hidden_entry": str(hidden_entry),  # 0: the scenario's load
            "checkpoint": str(checkpoint),
            "own_notice": "syria-own", "touching_notice": "sdf-near",
            "hidden_notice": "russia-hidden", "message_in": message_in,
            "hidden_message": hidden_message, "shared_zone": "sdf-shared",
            "hidden_zone": "russia-private", "version": "1", "other_party": "sdf",
            "spare_token": token_id(m.db, "spare"),
            "own_incident": own_incident, "hidden_incident": hidden_incident}


@pytest.fixture
def matrix(tmp_path: Path) -> Iterator[Matrix]:
    roles = {"syria": Role.LIAISON, "sdf": Role.LIAISON, "russia": Role.LIAISON,
             "coalition": Role.ADMIN}
    db, made = make_hub_db(tmp_path, roles=roles)
    secrets = make_secrets(db, made)
    with run_client(db) as client:
        m = Matrix(db, client, secrets, {})
        m.ids = seed(m)
        yield m


# -- sending and checking ------------------------------------------------------------------------


@dataclass
class Reply:
    status_code: int
    headers: dict[str, str]
    text: str

    def json(self) -> Any:
        return json.loads(self.text)


def send(m: Matrix, op: Operation, headers: dict[str, str],
         path: dict[str, str] | None = None) -> Reply:
    """``op`` as a valid request carrying ``headers``; ``path`` overrides its path objects."""
    url = op.path.format(**(resolve(m, op, VALID_PATHS) if path is None else path))
    body = example_body(op)
    if callable(body):  # a body made from the hub's state (an entry signed at the next index)
        body = body(m)
    if op.key == STREAM:  # never wait for a stream to end: status, headers, first line
        with m.client.stream(op.method, url, headers=headers) as r:
            first = next(r.iter_lines()) if r.status_code == 200 else r.read().decode()
            return Reply(r.status_code, dict(r.headers), first)
    return plain(m.client.request(op.method, url, headers=headers,
                                  **({} if body is None else {"json": body})))


def plain(reply: httpx.Response) -> Reply:
    return Reply(reply.status_code, dict(reply.headers), reply.text)


def resolve(m: Matrix, op: Operation, paths: dict[tuple[str, str], dict[str, str]]
            ) -> dict[str, str]:
    if not op.path_params:
        return {}
    if op.key not in paths:
        pytest.fail(f"{op}: add the objects its path names to VALID_PATHS / HIDDEN_PATHS")
    return {name: m.ids[seeded] for name, seeded in paths[op.key].items()}


def example_body(op: Operation) -> Any:
    if "requestBody" not in op.spec:
        return None
    if op.key not in BODIES:
        pytest.fail(f"{op}: add an example of a valid request body to BODIES")
    return BODIES[op.key]


def assert_error(reply: Reply, status: int, code: str) -> dict[str, str]:
    """The one error shape: {"error": {"code", "message", "field"?}}."""
    assert reply.status_code == status, f"{status} expected: {reply.status_code} {reply.text}"
    body = reply.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert {"code", "message"} <= set(error) <= {"code", "message", "field"}, error
    assert all(isinstance(v, str) and v for v in error.values()), error
    assert error["code"] == code, error
    return dict(error)


def assert_success(op: Operation, reply: Reply) -> None:
    assert reply.status_code == op.success, f"{op}: {reply.status_code} {reply.text}"
    if op.key == STREAM:
        assert reply.headers["content-type"].startswith("text/event-stream")
        assert reply.text.startswith("retry:")


def session_cookie(reply: Any) -> dict[str, str]:
    """The session's Set-Cookie header, as attribute -> value (flags map to "")."""
    headers = [v for k, v in reply.headers.multi_items() if k == "set-cookie"]
    (header,) = [h for h in headers if h.startswith(f"{SESSION_COOKIE}=")]
    first, *attributes = (part.strip() for part in header.split(";"))
    out = {"value": first.split("=", 1)[1]}
    for attribute in attributes:
        name, _, value = attribute.partition("=")
        out[name.lower()] = value
    return out


# -- the matrix ----------------------------------------------------------------------------------


def test_the_schema_lists_every_route_and_only_the_session_is_public() -> None:
    assert {op.key for op in OPERATIONS} - {op.key for op in SECURED} == PUBLIC
    assert len(SECURED) >= 25  # a broken schema must not shrink the matrix silently
    assert {op.key for op in SECURED} >= ADMIN_ONLY


BAD_CREDENTIALS: dict[str, dict[str, str]] = {
    "no token": {},
    "scheme only": {"Authorization": "Bearer"},
    "empty token": {"Authorization": "Bearer "},
    "basic": {"Authorization": "Basic eHl6OnNlY3JldA=="},
    "garbage": {"Authorization": "garbage"},
    "not our format": {"Authorization": "Bearer abc.def.ghi"},
    "unknown token": {"Authorization": "Bearer dcf_" + "A" * 43},
    "unknown session": {"Cookie": f"{SESSION_COOKIE}=nope"},
}


@pytest.mark.parametrize("op", SECURED, ids=str)
def test_bad_credentials_are_401_in_the_one_shape(matrix: Matrix, op: Operation) -> None:
    cases = {**BAD_CREDENTIALS,
             "revoked token": matrix.bearer("revoked"),
             "valid token, wrong scheme": {"Authorization": f"Token {matrix.secrets['liaison']}"},
             "token as a cookie": {"Cookie": f"{SESSION_COOKIE}={matrix.secrets['liaison']}"}}
    for case, headers in cases.items():
        reply = send(matrix, op, headers)
        assert_error(reply, 401, "unauthenticated")
        assert reply.headers.get("www-authenticate") == "Bearer", case
    # A revoked token is as unknown as one that never existed.
    assert (send(matrix, op, matrix.bearer("revoked")).json()
            == send(matrix, op, cases["unknown token"]).json())


@pytest.mark.parametrize("op", SECURED, ids=str)
def test_a_viewer_reads_but_never_acts(matrix: Matrix, op: Operation) -> None:
    reply = send(matrix, op, matrix.bearer("viewer"))
    if op.method == "GET" and op.key not in ADMIN_ONLY:
        assert_success(op, reply)
    else:
        assert_error(reply, 403, "forbidden")


@pytest.mark.parametrize("op", SECURED, ids=str)
def test_a_liaison_is_refused_only_what_is_admin_only(matrix: Matrix, op: Operation) -> None:
    reply = send(matrix, op, matrix.bearer("liaison"))
    if op.key in ADMIN_ONLY:
        assert_error(reply, 403, "forbidden")
    else:
        assert_success(op, reply)


@pytest.mark.parametrize("op", SECURED, ids=str)
def test_a_valid_session_cookie_stands_for_its_token(matrix: Matrix, op: Operation) -> None:
    who = "admin" if op.key in ADMIN_ONLY else "liaison"
    assert_success(op, send(matrix, op, matrix.session(who)))


@pytest.mark.parametrize("op", [op for op in SECURED if op.key in ADMIN_ONLY], ids=str)
def test_an_admin_manages_tokens(matrix: Matrix, op: Operation) -> None:
    assert_success(op, send(matrix, op, matrix.bearer("admin")))


def object_operations() -> list[Operation]:
    return [op for op in SECURED if op.key not in ADMIN_ONLY
            and any(p not in NOT_OBJECTS for p in op.path_params)]


@pytest.mark.parametrize("op", object_operations(), ids=str)
def test_a_hidden_object_is_as_unknown_as_a_made_up_one(matrix: Matrix, op: Operation) -> None:
    """Another party's object the caller may not see: the same 404 as an id never used."""
    real = resolve(matrix, op, HIDDEN_PATHS)
    made_up = {k: v if v.isdigit() else "x" * len(v) for k, v in real.items()}
    hidden = send(matrix, op, matrix.bearer("liaison"), real)
    fake = send(matrix, op, matrix.bearer("liaison"), made_up)
    assert_error(hidden, 404, "not_found")
    assert_error(fake, 404, "not_found")
    text = hidden.text
    for k, v in real.items():
        text = text.replace(v, made_up[k])
    assert text == fake.text  # byte for byte, once the ids the caller sent are swapped
    assert "russia" not in text and "sdf" not in text  # the owners are never named


# -- the session cookie --------------------------------------------------------------------------


def test_a_session_is_an_httponly_strict_cookie(matrix: Matrix) -> None:
    reply = matrix.client.post("/api/v1/session", json={"token": matrix.secrets["liaison"]})
    assert reply.status_code == 200 and set(reply.json()) == {"expires"}
    cookie = session_cookie(reply)
    assert "httponly" in cookie and cookie["samesite"].lower() == "strict"
    assert cookie["path"] == "/" and 12 * 3600 - 5 <= int(cookie["max-age"]) <= 12 * 3600
    assert "secure" not in cookie  # off by default; see the secure_cookies setting
    assert matrix.secrets["liaison"] not in reply.headers["set-cookie"]
    matrix.client.cookies.clear()
    me = matrix.client.get("/api/v1/me",
                           headers={"Cookie": f"{SESSION_COOKIE}={cookie['value']}"})
    assert me.status_code == 200 and (me.json()["party"], me.json()["role"]) == ("syria",
                                                                                "liaison")


def test_behind_tls_the_cookie_is_secure(tmp_path: Path) -> None:
    db, made = make_hub_db(tmp_path, roles={"syria": Role.LIAISON})
    with run_client(db, secure_cookies=True) as client:
        reply = client.post("/api/v1/session", json={"token": made["syria"]})
        assert "secure" in session_cookie(reply)


@pytest.mark.parametrize("token", ["", "dcf_" + "A" * 43, "revoked", "x" * 501])
def test_no_session_for_a_bad_token(matrix: Matrix, token: str) -> None:
    secret = matrix.secrets.get(token, token)
    reply = matrix.client.post("/api/v1/session", json={"token": secret})
    assert reply.status_code in (401, 422)
    assert_error(plain(reply), reply.status_code,
                 "unauthenticated" if reply.status_code == 401 else "invalid")
    assert "set-cookie" not in reply.headers


def test_revoking_the_token_ends_its_sessions(matrix: Matrix) -> None:
    cookie = matrix.session("liaison")
    assert matrix.client.get("/api/v1/me", headers=cookie).status_code == 200
    tokens.revoke(matrix.db, token_id(matrix.db, "syria officer"))
    for op in SECURED:
        assert_error(send(matrix, op, cookie), 401, "unauthenticated")


def test_the_bearer_header_wins_over_the_cookie(matrix: Matrix) -> None:
    viewer_cookie = matrix.session("viewer")
    both = {**viewer_cookie, **matrix.bearer("liaison")}
    assert matrix.client.get("/api/v1/me", headers=both).json()["role"] == "liaison"
    spoiled = {**matrix.session("liaison"), "Authorization": "Bearer dcf_" + "B" * 43}
    assert_error(plain(matrix.client.get("/api/v1/me", headers=spoiled)), 401,
                 "unauthenticated")


def test_signing_out_clears_the_cookie(matrix: Matrix) -> None:
    matrix.client.cookies.clear()
    reply = matrix.client.post("/api/v1/session", json={"token": matrix.secrets["liaison"]})
    assert reply.status_code == 200
    assert matrix.client.get("/api/v1/me").status_code == 200  # the client keeps the cookie
    out = matrix.client.delete("/api/v1/session")
    assert out.status_code == 204 and int(session_cookie(out)["max-age"]) <= 0
    assert_error(plain(matrix.client.get("/api/v1/me")), 401, "unauthenticated")


def test_signing_out_ends_the_session_on_the_hub(matrix: Matrix) -> None:
    cookie = matrix.session("liaison")
    matrix.client.delete("/api/v1/session", headers=cookie)
    assert matrix.client.get("/api/v1/me", headers=cookie).status_code == 401


def test_a_session_expires(matrix: Matrix) -> None:
    cookie = matrix.session("liaison")
    assert matrix.client.get("/api/v1/me", headers=cookie).status_code == 200
    clock = matrix.client.app.state.hub.clock  # type: ignore[attr-defined]
    assert isinstance(clock, ExerciseClock)
    clock.start += timedelta(hours=Limits().session_hours, seconds=1)  # the hub's day moves on
    assert_error(plain(matrix.client.get("/api/v1/me", headers=cookie)), 401, "unauthenticated")
    assert matrix.client.get("/api/v1/me", headers=matrix.bearer("liaison")).status_code == 200
