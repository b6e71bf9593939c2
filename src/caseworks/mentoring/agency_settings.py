"""An agency's settings for its mentoring programme: read and changed by its admins, each change
with its audit event in the same transaction."""

from __future__ import annotations

from caseworks.auth import Principal, policy
from caseworks.auth.agencies import (
    NULLABLE_SETTINGS,
    SETTINGS_COLUMNS,
    AgencySettings,
    AgencySettingsUpdate,
    read_settings,
    write_settings,
)
from caseworks.core.errors import FieldProblem, Invalid, ProblemList
from caseworks.core.validation import invalid
from caseworks.db import Database, audit

SUBJECT = "agency"


async def get_settings(db: Database, caller: Principal) -> AgencySettings:
    policy.require_agency_admin(caller)
    return await read_settings(db, caller.agency_id)


async def update_settings(
    db: Database, caller: Principal, data: AgencySettingsUpdate
) -> AgencySettings:
    """Change the keys sent, and only those; all settings as they are afterwards."""
    policy.require_agency_admin(caller)
    sent = data.model_fields_set
    _refuse_empty_or_null(data, sent)
    changes = data.model_dump(include=sent)
    async with db.transaction() as tx:
        await write_settings(tx, caller.agency_id, changes)
        # The names of the keys, never their values: recipients are people's addresses.
        await audit.record(
            tx,
            caller,
            "settings_updated",
            SUBJECT,
            caller.agency_id,
            details={"fields": sorted(sent)},
        )
        return await read_settings(tx, caller.agency_id)


def _refuse_empty_or_null(data: AgencySettingsUpdate, sent: set[str]) -> None:
    if not sent:
        raise Invalid.field("", f"send at least one of {', '.join(SETTINGS_COLUMNS)}")
    problems = ProblemList()
    for name in SETTINGS_COLUMNS:
        if name in sent and name not in NULLABLE_SETTINGS and getattr(data, name) is None:
            problems.append(FieldProblem(f"{name} cannot be null", pointer=f"/{name}"))
    if problems:
        raise invalid(problems)
