"""What the fake records about each request, and the Discord-shaped error it answers with."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class UploadedFile:
    """One ``files[n]`` part of a multipart request."""

    field: str
    filename: str
    content: bytes
    content_type: str | None


@dataclass
class RecordedRequest:
    """A request the bot made. ``path`` is without the ``/api/v10`` prefix."""

    method: str
    path: str
    query: dict[str, str]
    json: Any
    files: list[UploadedFile]
    time: float
    headers: dict[str, str]
    status: int | None = None
    response: Any = None
    route: str | None = None
    fault: bool = False

    def __repr__(self) -> str:
        return f"<{self.method} {self.path} -> {self.status}>"


@dataclass
class UnknownRoute:
    method: str
    path: str
    query: dict[str, str]
    time: float


@dataclass
class LimitViolation:
    """The bot sent something over a Discord limit (the fake answered 400 / 50035)."""

    method: str
    path: str
    field: str
    code: str
    message: str
    request: RecordedRequest

    def __str__(self) -> str:
        return f"{self.method} {self.path}: {self.field}: {self.message} ({self.code})"


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        errors: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors
        self.headers = headers or {}
        self.extra = extra or {}

    def body(self) -> dict[str, Any]:
        data: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors is not None:
            data["errors"] = self.errors
        data.update(self.extra)
        return data


def unknown(kind: str, code: int) -> ApiError:
    return ApiError(404, code, f"Unknown {kind}")


MISSING_PERMISSIONS = (403, 50013, "Missing Permissions")
MISSING_ACCESS = (403, 50001, "Missing Access")
