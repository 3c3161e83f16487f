"""Request bodies of API v1. Objects in the scenario format (notices, sites, zones) are plain
JSON objects checked by the scenario codec, so their errors match the file format's."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from deconflict.model import AnswerKind, DisclosureLevel, Level, NoticeState, Role

__all__ = [
    "AnswerBody",
    "DisclosureBody",
    "MessageBody",
    "PositionBatch",
    "PositionBody",
    "SessionBody",
    "StateBody",
    "TokenBody",
]

Lon = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
Lat = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
Metres = Annotated[float, Field(ge=0, le=1e8, allow_inf_nan=False)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PositionBody(_Body):
    unit: str = Field(min_length=1, max_length=200)
    position: list[float] = Field(min_length=2, max_length=3,
                                  description="[lon, lat] or [lon, lat, alt_m]")
    time: str = Field(description="RFC 3339, UTC", examples=["2017-09-18T06:00:00Z"])
    radius_m: Metres = 0.0
    stale: str | None = None


class PositionBatch(_Body):
    reports: list[PositionBody] = Field(min_length=1)


class DisclosureBody(_Body):
    level: DisclosureLevel


class AnswerBody(_Body):
    answer: AnswerKind
    comment: str = Field(default="", max_length=2000)


class StateBody(_Body):
    state: NoticeState


class MessageBody(_Body):
    to: str = Field(min_length=1, max_length=200)
    level: Level
    text: str = Field(min_length=1, max_length=4000)
    ack_within_s: float = Field(gt=0, allow_inf_nan=False)


class SessionBody(_Body):
    token: str = Field(min_length=1, max_length=500)


class TokenBody(_Body):
    party: str = Field(min_length=1, max_length=200)
    role: Role
    name: str = Field(default="", max_length=200)


def _only_text(document: dict[str, Any]) -> dict[str, Any]:
    """JSON can spell lone surrogates (``"\\ud800"``), which are not text: neither the database nor
    an error message can encode them. Typed fields refuse them already; free objects do here."""
    pending: list[Any] = [document]
    while pending:  # a loop, not recursion: a body nests as deep as the JSON parser allows
        value = pending.pop()
        if isinstance(value, dict):
            pending += [*value.keys(), *value.values()]
        elif isinstance(value, list):
            pending += value
        elif isinstance(value, str) and not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise ValueError("text must be valid Unicode (no lone surrogates)") from None
    return document


ScenarioObject = Annotated[dict[str, Any], AfterValidator(_only_text)]
