"""Session lifetimes come from the settings and are measured by the application's clock."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from typing import Any

import pytest

from caseworks.auth.principal import Role
from caseworks.config import Settings
from tests.support.console import signed_in
from tests.support.tenants import Tenant


@pytest.fixture
def restored(tenant: Tenant) -> Iterator[Any]:
    """The application's state, shared by the tests on a database, put back after this test."""
    state = tenant.app.state
    settings, clock = state.settings, state.clock
    yield state
    state.settings, state.clock = settings, clock


def test_the_session_settings_are_read_from_the_environment() -> None:
    settings = Settings.from_env(
        {"CASEWORKS_SESSION_IDLE_MINUTES": "5", "CASEWORKS_SESSION_MAX_HOURS": "2"}
    )
    assert (settings.session_idle_minutes, settings.session_max_hours) == (5, 2)
    assert (Settings.from_env({}).session_idle_minutes, Settings().session_max_hours) == (30, 12)


async def test_a_session_idle_longer_than_the_setting_ends(tenant: Tenant, restored: Any) -> None:
    state = restored
    state.settings = dataclasses.replace(state.settings, session_idle_minutes=5)
    start = time.time()
    state.clock = lambda: start
    async with signed_in(tenant, Role.ADMIN) as client:
        state.clock = lambda: start + 4 * 60
        assert (await client.get("/")).status_code == 200
        state.clock = lambda: start + 4 * 60 + 5 * 60  # idle since the last request
        answer = await client.get("/")
    assert answer.status_code == 303


async def test_a_session_ends_after_the_longest_setting_however_busy(
    tenant: Tenant, restored: Any
) -> None:
    state = restored
    state.settings = dataclasses.replace(state.settings, session_max_hours=1)
    start = time.time()
    state.clock = lambda: start
    async with signed_in(tenant, Role.MENTOR) as client:
        for minutes in (20, 40, 59):
            state.clock = lambda minutes=minutes: start + minutes * 60
            assert (await client.get("/")).status_code == 200
        state.clock = lambda: start + 60 * 60
        answer = await client.get("/")
    assert answer.status_code == 303
