"""Wire models of the mentoring surface. Request models forbid unknown fields; response models
document the JSON the routes render straight from rows.

A person's fields are ``PersonCreate``'s: the columns the queries read and write, the fields an
update may change and the answers' models come from it. An assignment's answer is
``AssignmentSummary`` (and ``Assignment``): the queries select exactly their fields.
"""

from __future__ import annotations

from datetime import datetime
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, create_model

from caseworks.core.pagination import PageRequest
from caseworks.core.text import (
    Email,
    FreeText,
    IsoDateTime,
    Name,
    Phone,
    RecordId,
    ShortText,
    TrueOrFalse,
    WholeNumber,
)

AssignmentStatus = Literal["open", "closed"]
AssignmentSort = Literal[
    "assigned_date",
    "-assigned_date",
    "last_contact_date",
    "-last_contact_date",
    "created_at",
    "-created_at",
]
PersonSort = Literal["created_at", "-created_at", "name", "-name"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PageQuery(BaseModel):
    """Paging query parameters. Wrong values are 422 here; names no model field has are refused
    (400) by the endpoint before this model is run."""

    # Frozen: the one instance a request without a query string gets serves every such request.
    model_config = ConfigDict(frozen=True)

    page: WholeNumber = Field(1, ge=1, le=10_000_000, description="Page number, from 1.")
    limit: WholeNumber = Field(20, ge=1, le=100, description="Items per page, 1–100.")

    @property
    def request(self) -> PageRequest:
        return PageRequest(self.page, self.limit)


class AssignmentQuery(PageQuery):
    mentor_id: RecordId | None = None
    contact_id: RecordId | None = None
    status: AssignmentStatus | None = None
    assigned_from: IsoDateTime | None = Field(None, description="Inclusive.")
    assigned_to: IsoDateTime | None = Field(None, description="Inclusive.")
    last_contact_before: IsoDateTime | None = Field(
        None, description="Last contact before this time, or never: stale caseloads."
    )
    sort: AssignmentSort = Field("created_at", description="`-` for descending.")


class PersonQuery(PageQuery):
    sort: PersonSort = Field("created_at", description="`-` for descending.")


class ContactQuery(PersonQuery):
    waiting: TrueOrFalse = Field(
        False,
        description="`true`: only contacts with no open assignment, longest waiting first"
        " (`waiting_since`, then id); `sort` is not taken with it.",
    )


class AssignmentCreate(Strict):
    mentor_id: RecordId
    contact_id: RecordId
    notes: FreeText | None = None
    assigned_date: IsoDateTime | None = Field(None, description="Defaults to now.")


class AssignmentUpdate(Strict):
    """Only the fields sent are changed; status changes go through PATCH …/status."""

    notes: FreeText | None = None
    last_contact_date: IsoDateTime | None = None
    assigned_date: IsoDateTime | None = None


class StatusChange(Strict):
    status: AssignmentStatus
    reason: ShortText | None = None


class PersonCreate(Strict):
    name: Name
    email: Email | None = None
    phone: Phone | None = None


class MentorCreate(PersonCreate):
    mentor_id: RecordId | None = Field(
        None, description="Bring your own id when importing: `mentor_` and 3–40 letters or digits."
    )


class ContactCreate(PersonCreate):
    contact_id: RecordId | None = Field(
        None, description="Bring your own id when importing: `contact_` and 3–40 letters or digits."
    )


class PersonUpdate(Strict):
    """Only the fields sent are changed."""

    name: Name | None = None
    email: Email | None = None
    phone: Phone | None = None


# --- responses (documentation of what the routes render) -------------------------------------


class AssignmentSummary(BaseModel):
    assignment_id: str
    mentor_id: str
    contact_id: str
    contact_name: str
    status: AssignmentStatus
    assigned_date: datetime
    last_contact_date: datetime | None
    closed_date: datetime | None
    created_at: datetime
    updated_at: datetime


class Assignment(AssignmentSummary):
    notes: str | None


class Pagination(BaseModel):
    page: int
    limit: int
    total: int


class AssignmentPage(BaseModel):
    data: list[AssignmentSummary]
    pagination: Pagination


class OpenCount(BaseModel):
    mentor_id: str
    open_assignment_count: int


class AssignmentDeleted(BaseModel):
    deleted: Literal[True]
    assignment_id: str


class AuditEvent(BaseModel):
    event_id: str
    occurred_at: datetime
    actor_token_id: str | None
    actor_role: str | None
    action: str
    from_status: str | None
    to_status: str | None
    reason: str | None
    details: dict[str, object] | None


class AuditEventList(BaseModel):
    data: list[AuditEvent]


def field_names(model: type[BaseModel]) -> tuple[str, ...]:
    return tuple(model.model_fields)


def _answered(annotation: Any) -> Any:
    """A request field's type as an answer holds it: without the bounds and checks of input."""
    if get_origin(annotation) is Annotated:
        return _answered(get_args(annotation)[0])
    if get_origin(annotation) in (Union, UnionType):
        return Union[tuple(_answered(option) for option in get_args(annotation))]  # noqa: UP007
    return annotation


def _answer(name: str, id_field: str) -> Any:
    """The answer for a person: its id under ``id_field``, ``PersonCreate``'s fields (each one
    present, null where empty) and when it was made and last changed."""
    fields: dict[str, Any] = {id_field: (str, ...)}
    fields |= {
        field: (_answered(info.annotation), ...)
        for field, info in PersonCreate.model_fields.items()
    }
    fields |= {"created_at": (datetime, ...), "updated_at": (datetime, ...)}
    return create_model(name, **fields)


def _page(name: str, item: Any) -> Any:
    return create_model(name, data=(list[item], ...), pagination=(Pagination, ...))


Mentor = _answer("Mentor", "mentor_id")
Contact = _answer("Contact", "contact_id")
ContactListed = create_model(
    "ContactListed",
    __base__=Contact,
    waiting_since=(
        datetime | None,
        Field(
            None,
            description="With `waiting=true` only: since when the contact has had no open"
            " assignment, the later of its creation and its last assignment's `closed_date`.",
        ),
    ),
)
MentorPage = _page("MentorPage", Mentor)
ContactPage = _page("ContactPage", ContactListed)


class MentorDeleted(BaseModel):
    deleted: Literal[True]
    mentor_id: str


class ContactDeleted(BaseModel):
    deleted: Literal[True]
    contact_id: str
