"""The caller of a request, as its bearer token describes it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    CASEWORKER = "caseworker"
    MENTOR = "mentor"


@dataclass(frozen=True, slots=True)
class Principal:
    agency_id: str
    role: Role
    token_id: str
    mentor_id: str | None = None  # set for mentor tokens
    worker_id: str | None = None  # set for caseworker tokens tied to an agency worker
    # POSIX seconds, so that the check on every request is a float comparison; None: never.
    expires_at: float | None = None

    def expired(self, now: float) -> bool:
        return self.expires_at is not None and now >= self.expires_at
