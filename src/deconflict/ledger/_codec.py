"""Small strict codecs shared by the ledger formats: base64 and RFC 3339 times.

Strict means one spelling per value: a document that could be written two ways could be edited
without changing what it says, and a verifier should notice any edit at all.
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import UTC, datetime

from deconflict.errors import ValidationError

__all__ = ["b64", "format_time", "parse_time", "unb64"]

#: Canonical times: UTC, microseconds always written (six digits), ``Z``.
_TIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{6})Z")


def b64(data: bytes) -> str:
    """Standard base64 (RFC 4648 §4) with padding."""
    return base64.b64encode(data).decode("ascii")


def unb64(text: object, field: str, size: int | None = None) -> bytes:
    """The bytes of canonical base64 ``text`` (of ``size`` bytes when given), or a
    :class:`ValidationError` naming ``field``."""
    if not isinstance(text, str):
        raise ValidationError(f"{field} should be a base64 string", field=field)
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError(f"{field} is not base64", field=field) from None
    if b64(raw) != text:
        raise ValidationError(f"{field} is not canonical base64", field=field)
    if size is not None and len(raw) != size:
        raise ValidationError(f"{field} should be {size} bytes, found {len(raw)}", field=field)
    return raw


def format_time(moment: datetime, field: str = "time") -> str:
    """``moment`` in UTC as ``YYYY-MM-DDTHH:MM:SS.ffffffZ``; naive times are refused, since
    which zone they meant is unknowable.

    >>> from datetime import timedelta, timezone
    >>> format_time(datetime(2017, 9, 16, 12, 30, tzinfo=timezone(timedelta(hours=3))))
    '2017-09-16T09:30:00.000000Z'
    """
    offset = moment.utcoffset()
    if offset is None:
        raise ValidationError("a time must state its zone (UTC expected)", field=field)
    try:
        t = moment - offset if offset else moment
    except OverflowError:
        raise ValidationError("the time is out of range in UTC", field=field) from None
    # (an f-string is several times faster than strftime, and always writes four-digit years)
    return (f"{t.year:04d}-{t.month:02d}-{t.day:02d}T{t.hour:02d}:{t.minute:02d}:"
            f"{t.second:02d}.{t.microsecond:06d}Z")


def parse_time(text: object, field: str = "time") -> datetime:
    """The inverse of :func:`format_time`; any other spelling is refused."""
    match = _TIME.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise ValidationError(f"{field} should be a UTC time like 2017-09-16T09:30:00.000000Z",
                              field=field)
    year, month, day, hour, minute, second, micro = (int(g) for g in match.groups())
    try:
        return datetime(year, month, day, hour, minute, second, micro, tzinfo=UTC)
    except ValueError as exc:
        raise ValidationError(f"{field} is not a valid time: {exc}", field=field) from None
