"""Typed application errors. Each carries a code, an HTTP status, and localized messages.

Services raise these; the HTTP layer renders them as
``{"error": {"code", "message", "fields": [{"field", "code", "message"}]}}``.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any, ClassVar

from pydantic import BaseModel


@dataclass
class FieldError:
    field: str
    code: str
    params: dict[str, Any] = dc_field(default_factory=dict)


class AppError(Exception):
    status_code: ClassVar[int] = 400
    default_code: ClassVar[str] = "validation_failed"

    def __init__(
        self,
        code: str | None = None,
        *,
        fields: list[FieldError] | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
        status: int | None = None,
        keep_writes: bool = False,
        **params: Any,
    ) -> None:
        self.code = code or self.default_code
        self.status = status or self.status_code
        # A refusal that is itself a fact to keep (a failed login attempt) commits.
        self.keep_writes = keep_writes
        self.fields = fields or []
        self.params = params
        self.headers = headers
        self.extra = extra or {}
        super().__init__(self.code)


class NotFound(AppError):
    """Absent or outside the caller's scope: the two are indistinguishable on purpose."""

    status_code = 404
    default_code = "not_found"


class Unauthenticated(AppError):
    status_code = 401
    default_code = "unauthenticated"


class Forbidden(AppError):
    status_code = 403
    default_code = "forbidden"


class Conflict(AppError):
    status_code = 409
    default_code = "conflict"


class Invalid(AppError):
    status_code = 422
    default_code = "validation_failed"


class TooManyRequests(AppError):
    status_code = 429
    default_code = "rate_limited"


def field_error(name: str, code: str, **params: Any) -> FieldError:
    return FieldError(field=name, code=code, params=params)


class FieldErrorOut(BaseModel):
    field: str
    code: str
    message: str


class ErrorBody(BaseModel):
    code: str
    message: str
    fields: list[FieldErrorOut] = []


class ErrorResponse(BaseModel):
    error: ErrorBody


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` for routes, so the generated client knows the error shape."""
    return {status: {"model": ErrorResponse} for status in statuses}
