"""Errors as ``application/problem+json`` (RFC 9457), carrying the CLI's own messages.

Another organisation's object answers 404 exactly as a missing one does, so that its
existence does not leak.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from castwatch.errors import (
    AccessError,
    CastwatchError,
    ConfigError,
    DatabaseLocked,
    IllegalTransition,
    InvalidLogin,
    LoginThrottled,
    NotFound,
)

MEDIA_TYPE = "application/problem+json"

#: The most specific class first: its status answers.
_STATUS: tuple[tuple[type[CastwatchError], int], ...] = (
    (NotFound, 404),
    (InvalidLogin, 401),
    (LoginThrottled, 429),
    (AccessError, 403),
    (IllegalTransition, 409),
    (DatabaseLocked, 503),
    (ConfigError, 422),
)

_TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request too large",
    422: "Unprocessable request",
    429: "Too many requests",
    503: "Service unavailable",
}


def problem(status: int, detail: str, **extra: Any) -> JSONResponse:
    body = {"type": "about:blank", "title": _TITLES.get(status, "Error"), "status": status}
    body |= {"detail": detail} | extra
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def status_of(error: CastwatchError) -> int:
    return next((status for kind, status in _STATUS if isinstance(error, kind)), 400)


def install(app: FastAPI) -> None:
    """Answer every error of ``app`` as a problem document."""

    @app.exception_handler(CastwatchError)
    async def _castwatch(_request: Request, error: CastwatchError) -> JSONResponse:
        return problem(status_of(error), str(error))

    @app.exception_handler(HTTPException)
    async def _http(_request: Request, error: HTTPException) -> JSONResponse:
        return problem(error.status_code, str(error.detail))

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, error: RequestValidationError) -> JSONResponse:
        errors = [
            {"where": ".".join(str(part) for part in item.get("loc", ())), "msg": item.get("msg")}
            for item in error.errors()
        ]
        first = errors[0] if errors else {"where": "request", "msg": "invalid"}
        return problem(422, f"{first['where']}: {first['msg']}", errors=errors)
