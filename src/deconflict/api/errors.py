"""One error shape for every failure: ``{"error": {"code", "message", "field"?}}``."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from deconflict.errors import DeconflictError

__all__ = ["ERROR_RESPONSES", "ErrorBody", "install_error_handlers"]

_log = logging.getLogger("deconflict.api")
_HTTP_CODES = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 413: "too_large", 415: "unsupported_media_type"}


class ErrorDetail(BaseModel):
    code: str
    message: str
    field: str | None = None


class ErrorBody(BaseModel):
    """The one error shape, as the OpenAPI schema documents it."""

    error: ErrorDetail


#: Every refusal of every operation has the one shape (FastAPI would document its own for 422).
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    "4XX": {"model": ErrorBody, "description": "Refused: see docs/errors.md for the codes"}}


def _body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if field:
        error["field"] = field
    return {"error": error}


async def _hub_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DeconflictError)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    return JSONResponse(_body(exc.code, exc.message, exc.field), exc.status, headers=headers)


def _field_of(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    out = ""
    for p in parts:
        out += f"[{p}]" if p.isdigit() else (f".{p}" if out else p)
    return out or str(loc[0]) if loc else ""


async def _invalid(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
    # A body that is not JSON at all is located by character offset: name the body instead.
    field = "body" if first.get("type") == "json_invalid" else _field_of(
        tuple(first.get("loc", ())))
    return JSONResponse(_body("invalid", str(first.get("msg", "invalid")), field or None), 422)


async def _http(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    code = _HTTP_CODES.get(exc.status_code, "error")
    return JSONResponse(_body(code, str(exc.detail)), exc.status_code, headers=exc.headers)


async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
    _log.exception("unexpected error", exc_info=exc)
    return JSONResponse(_body("internal", "the hub failed to handle this request"), 500)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DeconflictError, _hub_error)
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(Exception, _unexpected)
