"""The scenario file format, version 1: load, validate and write (docs: spec/scenario-format.md).

Every problem is a :class:`~deconflict.errors.ScenarioError` naming the file, the path inside it
and why, e.g. ``demo.yaml: units[3].position: latitude 95 is outside [-90, 90]``.

>>> s = parse_scenario("scenario: 1\\ntime: 2017-09-18T06:00:00Z")
>>> s.time.isoformat()
'2017-09-18T06:00:00+00:00'
>>> dump_scenario(s, "json")
'{\\n  "scenario": 1,\\n  "time": "2017-09-18T06:00:00Z"\\n}\\n'
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from deconflict.errors import ScenarioError
from deconflict.interop.scenario_read import read_scenario
from deconflict.interop.scenario_write import scenario_to_document
from deconflict.interop.scenario_yaml import dump_json, dump_yaml, load_text
from deconflict.model import Scenario

__all__ = [
    "SUFFIXES",
    "dump_scenario",
    "load_scenario",
    "parse_scenario",
    "scenario_from_document",
    "scenario_to_document",
    "write_scenario",
]

#: File suffixes of scenario files and the format each is written in (JSON is read as YAML).
SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}
_DUMPERS = {"yaml": dump_yaml, "json": dump_json}


def scenario_from_document(doc: object, source: str = "<scenario>") -> Scenario:
    """Check a parsed document (dicts, lists, strings, numbers) and build the scenario."""
    try:
        return read_scenario(doc)
    except ScenarioError as exc:
        raise ScenarioError(exc.message, field=exc.field, source=source) from None
    except (KeyError, TypeError, ValueError, OverflowError, RecursionError) as exc:
        # A gap in the checks above; still reported as a scenario problem, never a traceback.
        raise ScenarioError(f"invalid scenario: {exc!r}", source=source) from exc


def parse_scenario(text: str, source: str = "<scenario>") -> Scenario:
    """Parse YAML or JSON text into a checked scenario."""
    try:
        doc = load_text(text)
    except ScenarioError as exc:
        raise ScenarioError(exc.message, source=source) from None
    return scenario_from_document(doc, source)


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Read a ``.yaml``, ``.yml`` or ``.json`` scenario file."""
    source = os.fspath(path)
    _format_of(source)
    try:
        text = Path(source).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"not UTF-8 text: {exc.reason} at byte {exc.start}",
                            source=source) from None
    except OSError as exc:
        raise ScenarioError(f"cannot read the file: {exc.strerror or exc}", source=source) from None
    return parse_scenario(text, source)


def dump_scenario(scenario: Scenario, fmt: str = "yaml") -> str:
    """The scenario as ``yaml`` or ``json`` text."""
    if fmt not in _DUMPERS:
        raise ScenarioError(f"unknown format {fmt!r}; expected yaml or json")
    return _DUMPERS[fmt](scenario_to_document(scenario))


def write_scenario(scenario: Scenario, path: str | os.PathLike[str]) -> None:
    """Write the scenario in the format its suffix names; readers never see a half-written file."""
    target = os.fspath(path)
    text = dump_scenario(scenario, _format_of(target))
    try:
        _replace_atomically(Path(target), text)
    except OSError as exc:
        message = f"cannot write the file: {exc.strerror or exc}"
        raise ScenarioError(message, source=target) from None


def _format_of(source: str) -> str:
    suffix = Path(source).suffix.lower()
    if suffix not in SUFFIXES:
        raise ScenarioError(
            f"unknown file type {suffix or '(none)'!r}; expected one of: {', '.join(SUFFIXES)}",
            source=source,
        )
    return SUFFIXES[suffix]


def _replace_atomically(target: Path, text: str) -> None:
    """Write a temporary file beside ``target``, flush it to disk, then rename it over."""
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                         suffix=".tmp")
    try:
        # mkstemp makes the file private; keep the mode of the file replaced (or a usual one).
        os.fchmod(handle, target.stat().st_mode & 0o777 if target.exists() else 0o644)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _sync_directory(target.parent)


def _sync_directory(directory: Path) -> None:
    """Make the rename itself durable (where the platform allows opening a directory)."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
