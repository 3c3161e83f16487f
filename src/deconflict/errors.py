"""One exception tree for the whole hub.

Every error the hub raises on purpose derives from :class:`DeconflictError` and carries a stable
``code`` (for programs), an HTTP ``status`` (for the API) and, when one field is to blame, the
``field`` path (``units[3].position``). Adapters render these; they never show tracebacks.
"""

from __future__ import annotations

__all__ = [
    "AuthenticationError",
    "ConflictingStateError",
    "DeconflictError",
    "ForbiddenError",
    "NotFoundError",
    "RateLimitedError",
    "ScenarioError",
    "StoreError",
    "ValidationError",
]


class DeconflictError(Exception):
    """Root of every error the hub raises on purpose."""

    code = "error"
    status = 500

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def to_dict(self) -> dict[str, str]:
        """The one JSON error shape: ``{"code", "message", "field"?}``."""
        out = {"code": self.code, "message": self.message}
        if self.field is not None:
            out["field"] = self.field
        return out


class ValidationError(DeconflictError):
    """Input that breaks a rule of the model (bad coordinate, window ending before it starts)."""

    code = "invalid"
    status = 422


class ScenarioError(ValidationError):
    """A scenario file that cannot be loaded; names the file and the path inside it."""

    code = "scenario_invalid"

    def __init__(self, message: str, *, field: str | None = None, source: str = "") -> None:
        super().__init__(message, field=field)
        self.source = source

    def __str__(self) -> str:
        where = self.source or "<scenario>"
        if self.field:
            where = f"{where}: {self.field}"
        return f"{where}: {self.message}"


class NotFoundError(DeconflictError):
    """No such object, or one the caller may not see (the two are indistinguishable)."""

    code = "not_found"
    status = 404


class ConflictingStateError(DeconflictError):
    """The request clashes with what the hub holds (a duplicate id, a wrong state)."""

    code = "conflict"
    status = 409


class StoreError(DeconflictError):
    """The store cannot serve the request (missing database, unknown schema version)."""

    code = "store_error"
    status = 503


class AuthenticationError(DeconflictError):
    """No credential, or one that is malformed, unknown, expired or revoked."""

    code = "unauthenticated"
    status = 401


class ForbiddenError(DeconflictError):
    """The credential is valid but its role may not do this (a viewer filing a notice)."""

    code = "forbidden"
    status = 403


class RateLimitedError(DeconflictError):
    """A party went over its budget (notices per hour); try again later."""

    code = "rate_limited"
    status = 429
