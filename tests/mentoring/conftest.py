"""Helpers to build a small mentoring programme through the API itself."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import httpx
import pytest

from caseworks.web.app import Caseworks
from tests.support.mentoring import (
    NOW,
    Programme,
    create_assignment,
    create_contact,
    create_mentor,
)


@pytest.fixture
async def programme(api: httpx.AsyncClient) -> Programme:
    mentor = await create_mentor(api)
    first = await create_contact(api, name="Per Olsen")
    second = await create_contact(api, name="Liv Svendsen")
    assignment = await create_assignment(
        api,
        mentor["mentor_id"],
        first["contact_id"],
        notes="Initial assessment completed.",
        assigned_date="2025-11-01T00:00:00Z",
    )
    return Programme(mentor, [first, second], assignment)


@pytest.fixture
def frozen_now(app: Caseworks) -> Iterator[datetime]:
    """The app's clock stopped at ``NOW`` for the test (restored afterwards)."""
    real = app.state.clock
    app.state.clock = NOW.timestamp
    yield NOW
    app.state.clock = real
