"""The words of child welfare, each spelled here once: worker roles and application kinds.

The schema's CHECK constraints, the request models, the JSON:API documents and their OpenAPI
description, messages and mail all take them from here.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class WorkerRole(StrEnum):
    """A worker's role on a child or an application, as it is stored and answered."""

    CASE_CARRYING = "case_carrying"
    APPROVALS = "approvals"
    SUPPORT = "support"
    # A community-based organisation's worker on an application: shown and filtered on, but made
    # only in the platform itself, never through the API (the Binti-compatible API says so too).
    CBO = "cbo"

    @property
    def label(self) -> str:
        """The role as people read it, in messages and mail; requests may write it so too."""
        return _LABELS[self]


_LABELS = {
    WorkerRole.CASE_CARRYING: "case-carrying",
    WorkerRole.APPROVALS: "approvals",
    WorkerRole.SUPPORT: "support",
    WorkerRole.CBO: "cbo",
}

# A child has its case-carrying workers; an application its approvals and support workers.
CHILD_ROLES = (WorkerRole.CASE_CARRYING,)
APPLICATION_ROLES = (WorkerRole.APPROVALS, WorkerRole.SUPPORT, WorkerRole.CBO)
# The roles an assignment may be read with but not created with through the API.
NOT_CREATABLE_ROLES = (WorkerRole.CBO,)
CREATABLE_ROLES = tuple(role for role in WorkerRole if role not in NOT_CREATABLE_ROLES)
CREATABLE_APPLICATION_ROLES = tuple(role for role in APPLICATION_ROLES if role in CREATABLE_ROLES)


def role_spellings(roles: Iterable[WorkerRole] = WorkerRole) -> dict[str, WorkerRole]:
    """Every way a request may write these roles (case_carrying, case-carrying), to the role."""
    return {spelling: role for role in roles for spelling in (role.value, role.label)}


class ApplicationKind(StrEnum):
    """What an application is for; the kind is fixed when it is made."""

    INITIAL = "initial"
    RENEWAL = "renewal"

    @property
    def resource_type(self) -> str:
        """The JSON:API type of an application of this kind."""
        return f"{self.value}-applications"


# The JSON:API type that names an application of either kind (in relationships and updates).
ANY_APPLICATION_TYPE = "applications"
APPLICATION_TYPES = {kind.resource_type: kind for kind in ApplicationKind}
