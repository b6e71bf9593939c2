"""Stored applications move to Binti's statuses with the migration, and back with its downgrade."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

import caseworks.db.migrate as migrations
from caseworks.childwelfare.terms import EARLIER_STATUSES, ApplicationStatus
from caseworks.db import DatabaseURL
from tests.support.databases import new_postgres_database

BEFORE = "0003"  # the revision before applications took Binti's statuses
EARLIER = ("applying", "pending", "approved", "denied", "withdrawn", "closed")


@pytest.fixture(params=["sqlite", "postgresql"])
async def url_before(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[DatabaseURL]:
    """A database migrated up to the revision before, holding one application per status."""
    if request.param == "sqlite":
        url = DatabaseURL.parse(f"sqlite:///{tmp_path / 'statuses.db'}")
        migrations.upgrade(url, BEFORE)
        _run(url, _seed(EARLIER))
        yield url
        return
    async with new_postgres_database("caseworks_statuses") as url:
        migrations.upgrade(url, BEFORE)
        _run(url, _seed(EARLIER))
        yield url


def _seed(statuses: tuple[str, ...]) -> list[str]:
    rows = [
        "INSERT INTO agencies (id, name, created_at) VALUES ('agency_s', 'S', CURRENT_TIMESTAMP)"
    ]
    for status in statuses:
        rows.append(
            "INSERT INTO applications (agency_id, id, kind, status, created_at, updated_at)"
            f" VALUES ('agency_s', 'application_{status}', 'initial', '{status}',"
            " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
        )
    return rows


def _run(url: DatabaseURL, statements: list[str]) -> None:
    engine = create_engine(url.sqlalchemy_url)
    try:
        with engine.begin() as connection:
            for statement in statements:
                connection.execute(text(statement))
    finally:
        engine.dispose()


def _statuses(url: DatabaseURL) -> dict[str, str]:
    engine = create_engine(url.sqlalchemy_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT id, status FROM applications")).all()
    finally:
        engine.dispose()
    return {row[0].removeprefix("application_"): row[1] for row in rows}


def test_every_earlier_status_becomes_one_of_bintis(url_before: DatabaseURL) -> None:
    migrations.upgrade(url_before)
    moved = _statuses(url_before)
    assert moved == {status: EARLIER_STATUSES[status].value for status in EARLIER}
    assert moved["pending"] == "ready_for_review"
    assert set(moved.values()) <= set(ApplicationStatus)


def test_the_downgrade_maps_every_binti_status_back(url_before: DatabaseURL) -> None:
    migrations.upgrade(url_before)
    added = tuple(status.value for status in ApplicationStatus if status.value not in EARLIER)
    _run(url_before, _seed(added)[1:])
    migrations.downgrade(url_before, BEFORE)
    back = _statuses(url_before)
    assert back == {
        "applying": "applying",
        "pending": "pending",  # by way of ready_for_review
        "approved": "approved",
        "denied": "denied",
        "withdrawn": "withdrawn",
        "closed": "closed",
        "ready_for_review": "pending",
        "awaiting_referral": "pending",
        "recruiting": "applying",
        "in_adoption_process": "approved",
        "eligible_for_conversion": "approved",
        "inactive": "closed",
        "recruiting_dropout": "withdrawn",
    }
    assert set(back.values()) <= set(EARLIER)
