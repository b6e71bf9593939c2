"""The session cookie of a page request → the signed-in Principal (or None)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from starlette.requests import Request

from caseworks.auth.principal import Principal
from caseworks.auth.users import SESSION_COOKIE, SignedIn, live_session, session_principal

IDLE = timedelta(minutes=30)  # the defaults; the settings decide (CASEWORKS_SESSION_*)
LONGEST = timedelta(hours=12)


def session_limits(request: Request) -> tuple[timedelta, timedelta]:
    """(idle, longest) from the application's settings."""
    settings = request.app.state.settings
    return (
        timedelta(minutes=settings.session_idle_minutes),
        timedelta(hours=settings.session_max_hours),
    )


def now_of(request: Request) -> datetime:
    """The application's clock (tests move it) as a UTC datetime to the second."""
    return datetime.fromtimestamp(int(request.app.state.clock()), UTC)


async def read_session(request: Request) -> Principal | None:
    session_id = request.cookies.get(SESSION_COOKIE)
    if not session_id:
        return None
    idle, longest = session_limits(request)
    return await session_principal(request.app.state.db, session_id, now_of(request), idle, longest)


async def read_signed_in(request: Request) -> SignedIn | None:
    """The live session of a page request: its Principal and its CSRF token."""
    session_id = request.cookies.get(SESSION_COOKIE)
    if not session_id:
        return None
    idle, longest = session_limits(request)
    return await live_session(request.app.state.db, session_id, now_of(request), idle, longest)
