"""Attributes of the casework resources, validated after keys are turned to snake_case."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator

from caseworks.text import Email, IsoDate, Name, ShortText

Role = Literal["case_carrying", "approvals", "support"]
ROLES: tuple[Role, ...] = ("case_carrying", "approvals", "support")
ApplicationStatus = Literal["applying", "pending", "approved", "denied", "withdrawn", "closed"]
# A subset of the roles: a longer list is refused before its items are looked at, so a body of
# a hundred thousand wrong roles costs one error, not one each.
Roles = Annotated[list[Role], Field(max_length=len(ROLES))]
APPLICATION_TYPES = {"initial-applications": "initial", "renewal-applications": "renewal"}


class Attributes(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WorkerCreate(Attributes):
    name: Name
    email: Email
    active: StrictBool = True
    assignable_roles: Roles = []
    external_identifier: ShortText | None = None

    @field_validator("assignable_roles", mode="before")
    @classmethod
    def _underscores(cls, value: object) -> object:
        # Roles are written case-carrying in requests and case_carrying everywhere else.
        if isinstance(value, list):
            return [item.replace("-", "_") if isinstance(item, str) else item for item in value]
        return value


class WorkerUpdate(WorkerCreate):
    name: Name | None = None  # type: ignore[assignment]
    email: Email | None = None  # type: ignore[assignment]
    active: StrictBool | None = None  # type: ignore[assignment]
    assignable_roles: Roles | None = None  # type: ignore[assignment]


class ChildCreate(Attributes):
    first_name: Name | None = None
    middle_name: Name | None = None
    last_name: Name
    date_of_birth: IsoDate | None = None
    client_id: ShortText | None = None
    external_identifier: ShortText | None = None


class ChildUpdate(ChildCreate):
    last_name: Name | None = None  # type: ignore[assignment]


class ApplicationCreate(Attributes):
    status: ApplicationStatus = "applying"
    applicant_name: Name | None = None


class ApplicationUpdate(Attributes):
    status: ApplicationStatus | None = None
    applicant_name: Name | None = None
