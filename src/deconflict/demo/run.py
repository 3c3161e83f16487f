"""``deconflict demo``: load the packaged scenario into a fresh store, replay it, show it."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from deconflict.demo.render import render, render_header
from deconflict.demo.timeline import StepResult, replay
from deconflict.interop.incident_report import bundle_json, render_html
from deconflict.interop.scenario import parse_scenario
from deconflict.model import Scenario
from deconflict.service.demo_support import temporary_db
from deconflict.storage import open_store

__all__ = ["SCENARIO_FILE", "load_demo_scenario", "run_demo", "write_incidents"]

#: The packaged scenario, next to this module.
SCENARIO_FILE = "euphrates-2017.yaml"


def load_demo_scenario() -> Scenario:
    """The packaged "Euphrates, September 2017" scenario, read through the package's resources."""
    text = resources.files("deconflict.demo").joinpath(SCENARIO_FILE).read_text(encoding="utf-8")
    return parse_scenario(text, source=SCENARIO_FILE)


def run_demo(db_path: Path | None, console: Console) -> list[StepResult]:
    """Replay the demo into the SQLite file ``db_path`` (a new temporary file when ``None``).

    The store's whole state is replaced by the scenario first, so an existing demo database can
    be reused. The file is kept afterwards, for ``deconflict screen --db`` and friends.
    """
    path = db_path if db_path is not None else temporary_db()
    scenario = load_demo_scenario()
    store = open_store(path)
    try:
        results = replay(scenario, store)
    finally:
        store.close()
    render_header(scenario, console)
    render(results, console)
    console.print(f"The hub's state after the replay is kept in {escape(str(path))}")
    for json_file, html_file in write_incidents(results, path.parent):
        console.print(f"The incident's evidence bundle is {escape(str(json_file))} (check it with "
                      f"`deconflict ledger verify`); its report is {escape(str(html_file))}")
    return results


def write_incidents(results: list[StepResult], folder: Path) -> list[tuple[Path, Path]]:
    """Write each incident's bundle (JSON) and report (HTML) into ``folder``."""
    written = []
    for result in results:
        if result.incident is None:
            continue
        name = str(result.incident["incident"]["incident"]["id"])
        json_file = folder / f"{name}.bundle.json"
        html_file = folder / f"{name}.report.html"
        json_file.write_text(bundle_json(result.incident), encoding="utf-8")
        html_file.write_text(render_html(result.incident), encoding="utf-8")
        written.append((json_file, html_file))
    return written

