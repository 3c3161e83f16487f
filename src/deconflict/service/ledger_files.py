"""The ledger on disk, for ``deconflict ledger``: export a database's log, verify a file, prove
an entry. The command is a thin shell over these.

An export is written as canonical JSON (sorted keys, no spaces, one trailing newline), so that
:func:`verify_file` can demand exactly those bytes: an edit that leaves the content the same
(a space, ``1E-07`` for ``1e-07``) is reported too, by its byte offset. Evidence bundles are
checked by content only (they may be written for people to read).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from deconflict.errors import DeconflictError, StoreError
from deconflict.ledger import canonical
from deconflict.ledger.export import EXPORT_FORMAT
from deconflict.ledger.verify import Verdict, verify_document
from deconflict.service import ledger
from deconflict.storage import open_store

__all__ = ["export_bytes", "export_db", "prove_db", "verify_bytes", "verify_file"]

PathLike = str | os.PathLike[str]


def export_bytes(document: dict[str, Any]) -> bytes:
    """The bytes an export file holds: canonical JSON and a newline."""
    return canonical(document) + b"\n"


def export_db(db_path: PathLike, out_path: PathLike) -> dict[str, int]:
    """Write the log of the database at ``db_path`` to ``out_path`` (replaced whole, never left
    half-written); returns how many entries, checkpoints and keys it holds."""
    store = open_store(db_path, create=False)
    try:
        document = ledger.export_document(store)
    finally:
        store.close()
    _write_atomically(Path(out_path), export_bytes(document))
    return {"entries": len(document["entries"]), "checkpoints": len(document["checkpoints"]),
            "keys": len(document["keys"])}


def _write_atomically(path: Path, data: bytes) -> None:
    folder = path.resolve().parent
    try:
        handle, temporary = tempfile.mkstemp(prefix=".export-", dir=folder)
    except OSError as exc:
        raise StoreError(f"cannot write to {folder}: {exc.strerror}") from None
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def verify_file(path: PathLike, known: Sequence[PathLike] = ()) -> Verdict:
    """Check an export or an evidence bundle offline (see :func:`verify_bytes`); ``known``
    are files each holding a checkpoint note the verifier kept from before."""
    notes = [Path(p).read_text(encoding="utf-8") for p in known]
    return verify_bytes(Path(path).read_bytes(), notes)


def verify_bytes(data: bytes, known: Sequence[str] = ()) -> Verdict:
    """Every check of :func:`~deconflict.ledger.verify.verify_document`, after the bytes are
    read as JSON; an export must moreover be exactly its canonical form, and agree with every
    ``known`` checkpoint note. A failure names the first bad part (``entries[41].signature``)
    or, for the bytes themselves, the offset."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Verdict(False, {}, "not UTF-8 text", f"byte {exc.start}")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        return Verdict(False, {}, f"not JSON: {exc.msg}", f"byte {_byte(text, exc.pos)}")
    except RecursionError:
        return Verdict(False, {}, "the document is nested too deeply", "$")
    verdict = verify_document(document, known_checkpoints=known)
    if not verdict.ok or not (isinstance(document, dict)
                              and document.get("format") == EXPORT_FORMAT):
        return verdict
    return _canonical_bytes(document, data, verdict)


def _canonical_bytes(document: dict[str, Any], data: bytes, verdict: Verdict) -> Verdict:
    try:
        expected = export_bytes(document)
    except DeconflictError as exc:  # e.g. NaN, which JSON parsers accept and canonical refuses
        return Verdict(False, verdict.checked, f"not canonical JSON: {exc.message}", "$")
    if expected == data:
        return verdict
    offset = next((i for i, (a, b) in enumerate(zip(expected, data, strict=False)) if a != b),
                  min(len(expected), len(data)))
    return Verdict(False, verdict.checked, "the file differs from the canonical form of its "
                   "content (an export is written canonical: sorted keys, no spaces)",
                   f"byte {offset}")


def _byte(text: str, position: int) -> int:
    """The byte offset of character ``position``."""
    return len(text[:position].encode("utf-8"))


def prove_db(db_path: PathLike, index: int) -> dict[str, Any]:
    """The inclusion proof of entry ``index`` in the database's log against its latest signed
    checkpoint (one is published first, on the wall clock, if none covers the entry yet)."""
    store = open_store(db_path, create=False)
    try:
        return ledger.prove(store, index, at=datetime.now(UTC))
    finally:
        store.close()
