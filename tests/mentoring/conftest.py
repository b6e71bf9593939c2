"""Fixtures of the mentoring tests: a small programme built through the API, and a database of
its own for the digest's schedule."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import datetime

import httpx
import pytest

from caseworks.db import Database, DatabaseURL, open_database
from caseworks.web.app import Caseworks
from tests.support.databases import own_database
from tests.support.mail import no_digest_pending
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


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
async def digest_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[DatabaseURL]:
    """A database of its own: the digest's schedule looks at every agency in it."""
    folder = tmp_path_factory.mktemp("digest")
    async with own_database(request.param, folder, "caseworks_digest") as url:
        yield url


@pytest.fixture(scope="module")
async def digest_db(digest_url: DatabaseURL) -> AsyncIterator[Database]:
    db = await open_database(digest_url, pool_size=10)
    yield db
    await db.close()


@pytest.fixture
async def quiet_digest_db(digest_db: Database) -> Database:
    """``digest_db`` with no agency's digest pending: no recipients, no weeks, no mail."""
    await no_digest_pending(digest_db)
    return digest_db
