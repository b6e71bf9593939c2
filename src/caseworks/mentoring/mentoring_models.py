"""Wire models of the mentoring surface. Request models forbid unknown fields; response models
document the JSON the routes render straight from rows.

A person's fields are ``PersonCreate``'s (a mentor's ``MentorFields``'s, which add its caseload
limit): the columns the queries read and write, the fields an update may change and the answers'
models come from them. An assignment's answer is
``AssignmentSummary`` (and ``Assignment``): the queries select exactly their fields.
"""

from __future__ import annotations

from datetime import datetime
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, create_model

from caseworks.auth.agencies import Capacity
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
CaseloadSort = Literal[
    "mentor_id",
    "-mentor_id",
    "name",
    "-name",
    "open",
    "-open",
    "capacity",
    "-capacity",
    "stale",
    "-stale",
    "oldest_last_contact_date",
    "-oldest_last_contact_date",
    "last_assigned_date",
    "-last_assigned_date",
]


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
    stale: TrueOrFalse | None = Field(
        None,
        description="`true`: only open assignments with no contact (or, never contacted, no"
        " assignment) for longer than the agency's `stale_after_days`; `false`: every other"
        " assignment (closed ones too: add `status=open` for the open ones in touch).",
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


class CaseloadQuery(PageQuery):
    sort: CaseloadSort = Field(
        "name", description="`-` for descending; ties by mentor id; nulls after every value."
    )


class CapacityOverride(Strict):
    """A write that may take a mentor over its caseload limit, if an admin or supervisor says
    so and why (the reason goes into the audit event)."""

    override_capacity: bool = Field(
        False,
        description="Admins and supervisors: allow the write over the mentor's limit;"
        " `reason` is then required.",
    )
    reason: ShortText | None = None


class AssignmentFields(Strict):
    """The columns a new assignment is made with."""

    mentor_id: RecordId
    contact_id: RecordId
    notes: FreeText | None = None
    assigned_date: IsoDateTime | None = Field(None, description="Defaults to now.")


class AssignmentCreate(AssignmentFields, CapacityOverride):
    pass


class AssignmentUpdate(Strict):
    """Only the fields sent are changed; status changes go through PATCH …/status."""

    notes: FreeText | None = None
    last_contact_date: IsoDateTime | None = None
    assigned_date: IsoDateTime | None = None


class StatusChange(CapacityOverride):
    """``reason`` is recorded in the audit event and, on closing, as the ``closed_reason``."""

    status: AssignmentStatus


class Reassignment(CapacityOverride):
    mentor_id: RecordId = Field(description="The mentor the contact moves to.")
    reason: ShortText = Field(
        min_length=1, description="Why: the closed assignment's `closed_reason`."
    )
    assigned_date: IsoDateTime | None = Field(
        None, description="Of the new assignment; defaults to now."
    )
    send_notification: bool = Field(
        True, description="E-mail the new mentor (if it has an `email`) through the outbox."
    )


class AssignmentSelection(Strict):
    """Which assignments a bulk operation takes: the list's filters, by the list's names."""

    mentor_id: RecordId | None = None
    contact_id: RecordId | None = None
    status: AssignmentStatus | None = None
    assigned_from: IsoDateTime | None = Field(None, description="Inclusive.")
    assigned_to: IsoDateTime | None = Field(None, description="Inclusive.")
    last_contact_before: IsoDateTime | None = None
    stale: bool | None = Field(
        None, description="Only stale open assignments (the agency's `stale_after_days`)."
    )


BULK_LIMIT = 500


class BulkReassignment(CapacityOverride):
    """Either ``assignment_ids`` or ``filter``; each assignment is reassigned in order."""

    assignment_ids: list[RecordId] | None = Field(
        None, description=f"At most {BULK_LIMIT}, each once."
    )
    filter: AssignmentSelection | None = None
    mentor_id: RecordId = Field(description="The mentor the contacts move to.")
    reason: ShortText = Field(
        min_length=1, description="Why: each closed assignment's `closed_reason`."
    )
    dry_run: bool = Field(False, description="Answer what would happen; write nothing.")
    send_notification: bool = Field(
        True,
        description="E-mail the new mentor (if it has an `email`) once per assignment moved.",
    )


class PersonCreate(Strict):
    name: Name
    email: Email | None = None
    phone: Phone | None = None


_CAPACITY = (
    "Open assignments this mentor may hold; null: the agency's `default_mentor_capacity`"
    " (and no limit if that is null too)."
)


class MentorFields(PersonCreate):
    """A mentor is a person with a caseload limit."""

    max_open_assignments: Capacity | None = Field(None, description=_CAPACITY)


class MentorCreate(MentorFields):
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


class MentorUpdate(PersonUpdate):
    """Only the fields sent are changed."""

    max_open_assignments: Capacity | None = Field(None, description=_CAPACITY)


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
    closed_reason: str | None
    previous_assignment_id: str | None
    next_assignment_id: str | None


class Reassigned(BaseModel):
    closed: Assignment
    opened: Assignment


BulkResult = Literal["reassigned", "conflict", "over_capacity", "not_found"]


class BulkItemResult(BaseModel):
    assignment_id: str
    result: BulkResult
    detail: str | None
    opened_assignment_id: str | None


class BulkResults(BaseModel):
    results: list[BulkItemResult]


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


class MentorCaseload(BaseModel):
    mentor_id: str
    name: str
    open: int = Field(description="Open assignments.")
    capacity: int | None = Field(
        description="The limit in force: the mentor's own, else the agency's default; null: none."
    )
    stale: int = Field(description="Open assignments that are stale.")
    oldest_last_contact_date: datetime | None = Field(
        description="The oldest last contact among the open assignments; null if none is logged."
    )
    last_assigned_date: datetime | None = Field(
        description="The latest assigned_date of any of the mentor's assignments."
    )


class MentorCaseloadPage(BaseModel):
    data: list[MentorCaseload]
    pagination: Pagination


class CaseloadSummary(BaseModel):
    open_assignments: int
    waiting_contacts: int = Field(description="Contacts with no open assignment.")
    stale_assignments: int
    mentors_at_capacity: int = Field(description="Mentors whose open count equals their limit.")
    mentors_over_capacity: int = Field(description="Mentors with more open than their limit.")
    mentors_without_assignment: int = Field(description="Mentors with no open assignment.")
    median_days_to_match: float | None = Field(
        description="Median days from a contact's creation to its first assignment, over the"
        " contacts first assigned in the last 365 days; null if none."
    )
    average_match_length_days: float | None = Field(
        description="Mean days from assigned_date to closed_date of the closed assignments; null"
        " if none."
    )


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


def _answer(name: str, id_field: str, model: type[PersonCreate]) -> Any:
    """The answer for a person: its id under ``id_field``, ``model``'s fields (each one
    present, null where empty) and when it was made and last changed."""
    fields: dict[str, Any] = {id_field: (str, ...)}
    fields |= {
        field: (_answered(info.annotation), ...) for field, info in model.model_fields.items()
    }
    fields |= {"created_at": (datetime, ...), "updated_at": (datetime, ...)}
    return create_model(name, **fields)


def _page(name: str, item: Any) -> Any:
    return create_model(name, data=(list[item], ...), pagination=(Pagination, ...))


Mentor = _answer("Mentor", "mentor_id", MentorFields)
Contact = _answer("Contact", "contact_id", PersonCreate)
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
