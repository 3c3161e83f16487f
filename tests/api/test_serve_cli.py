"""`deconflict token …` and `deconflict serve` as the operator runs them: real processes.

Every wait is bounded and every server process is ended by the test that started it.
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from deconflict.api.settings import Settings
from deconflict.cli import serve as serve_command
from deconflict.service import load_into_store, tokens

from .conftest import SMALL, run_client

EXE = Path(sys.executable).with_name("deconflict")
AT = "2017-09-18T06:00:00Z"


def cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(EXE), *map(str, args)], capture_output=True, text=True,
                          timeout=60, check=False)


def loaded_db(tmp_path: Path) -> Path:
    db = tmp_path / "hub.db"
    load_into_store(SMALL, db)
    return db


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    base: str
    log: Path


@contextmanager
def serving(tmp_path: Path, *args: str | Path) -> Iterator[Served]:
    """`deconflict serve ARGS` until it answers; terminated (then killed) at the end."""
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen([str(EXE), "serve", "--port", str(port), *map(str, args)],
                                   stdout=out, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until_up(process, base, log)
        yield Served(process, base, log)
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def _wait_until_up(process: subprocess.Popen[bytes], base: str, log: Path) -> None:
    give_up = time.monotonic() + 20
    while time.monotonic() < give_up:
        assert process.poll() is None, log.read_text(errors="replace")
        try:
            httpx.get(f"{base}/openapi.json", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("deconflict serve did not answer within 20 s")


def create_token(db: Path, party: str, role: str = "liaison") -> str:
    made = cli("token", "create", "--db", db, "--party", party, "--role", role,
               "--name", f"{party} duty officer")
    assert made.returncode == 0, made.stderr
    return made.stdout.removesuffix("\n")


def test_token_create_list_revoke(tmp_path: Path) -> None:
    db = loaded_db(tmp_path)
    secret = create_token(db, "russia")
    assert secret and "\n" not in secret and " " not in secret  # the token alone on stdout
    listed = cli("token", "list", "--db", db, "--format", "json")
    assert listed.returncode == 0, listed.stderr
    assert secret not in listed.stdout  # lists never show secrets
    rows = json.loads(listed.stdout)
    assert [(r["party"], r["role"], r["name"], r["revoked"]) for r in rows] == [
        ("russia", "liaison", "russia duty officer", None)]

    # The hub runs on the exercise clock (2017) while the revocation is stamped in real time.
    with run_client(db) as client:
        me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
        assert me.status_code == 200 and me.json()["id"] == rows[0]["id"]
        revoked = cli("token", "revoke", "--db", db, rows[0]["id"])
        assert revoked.returncode == 0, revoked.stderr
        refused = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
        assert refused.status_code == 401
        assert refused.json()["error"]["code"] == "unauthenticated"
    assert tokens.listing(db)[0]["revoked"] is not None


def test_token_errors_are_one_line_and_create_nothing(tmp_path: Path) -> None:
    db = loaded_db(tmp_path)
    unknown = cli("token", "create", "--db", db, "--party", "wagner", "--role", "liaison")
    assert unknown.returncode == 2 and unknown.stdout == ""
    assert "party" in unknown.stderr and len(unknown.stderr.strip().splitlines()) == 1
    no_such = cli("token", "revoke", "--db", db, "tok-000000000000")
    assert no_such.returncode == 2 and "Traceback" not in no_such.stderr
    assert tokens.listing(db) == []
    missing = cli("token", "create", "--db", tmp_path / "none.db", "--party", "russia",
                  "--role", "liaison")
    assert missing.returncode != 0 and "Traceback" not in missing.stderr
    assert not (tmp_path / "none.db").exists()


def test_serve_on_loopback_with_the_exercise_clock_and_stop_with_a_stream_open(
        tmp_path: Path) -> None:
    db = loaded_db(tmp_path)
    secret = create_token(db, "sdf")
    auth = {"Authorization": f"Bearer {secret}"}
    with serving(tmp_path, "--db", db, "--at", AT) as served, \
            httpx.Client(base_url=served.base, timeout=5) as client:
        me = client.get("/api/v1/me", headers=auth)
        assert me.status_code == 200, me.text
        assert me.json()["party"] == "sdf"
        assert me.json()["hub_time"].startswith("2017-09-18T06:00:")
        assert client.get("/api/v1/me").status_code == 401
        with client.stream("GET", "/api/v1/alerts/stream", headers=auth) as stream:
            assert next(stream.iter_lines()) == "retry: 2000"
            began = time.monotonic()
            served.process.terminate()
            code = served.process.wait(timeout=10)
            assert time.monotonic() - began < 5
    # uvicorn shuts down gracefully, then re-raises the signal it caught.
    assert code in (0, -signal.SIGTERM)
    assert f"{served.base}" in served.log.read_text(errors="replace")


def test_serve_binds_loopback_by_default_and_refuses_a_missing_database(tmp_path: Path) -> None:
    assert Settings(db_path=tmp_path / "x.db").host == "127.0.0.1"
    host = next(p for p in serve_command.params if p.name == "host")
    assert host.default == "127.0.0.1"
    missing = cli("serve", "--db", tmp_path / "none.db", "--port", str(free_port()))
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
    assert missing.stderr.strip().splitlines() == [f"error: no database at {tmp_path}/none.db"]
    assert not (tmp_path / "none.db").exists()
