"""After the demo's replay (what ``make demo`` runs), ``deconflict ledger export`` and
``deconflict ledger verify`` pass, and the log holds the morning's story."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from deconflict.demo import load_demo_scenario, replay
from deconflict.storage import open_store

COMMAND = Path(sys.executable).parent / "deconflict"


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("demo-ledger") / "hub.sqlite"
    store = open_store(db)
    try:
        replay(load_demo_scenario(), store)
    finally:
        store.close()
    return db


def test_the_demo_log_exports_and_verifies(demo_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "ledger.json"
    exported = subprocess.run([str(COMMAND), "ledger", "export", "--db", str(demo_db), "-o",
                               str(out)], capture_output=True, text=True, timeout=120,
                              check=False)
    assert exported.returncode == 0, exported.stderr
    verified = subprocess.run([str(COMMAND), "ledger", "verify", str(out)], capture_output=True,
                              text=True, timeout=120, check=False)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert verified.stdout.startswith("ok: ")
    entries = json.loads(out.read_bytes())["entries"]
    kinds = {e["kind"] for e in entries}
    assert {"notice", "notice.screened", "positions", "site"} <= kinds
    batches = [e for e in entries if e["kind"] == "positions"]
    assert batches and all(e["body"] is None and e["commitment"] for e in batches)
