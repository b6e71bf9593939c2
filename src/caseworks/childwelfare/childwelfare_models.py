"""Attributes of the casework resources, validated after keys are turned to snake_case.

Each record's create model is the one list of its attributes: the columns its queries read and
write, the attributes its resource object shows, its OpenAPI schemas and its update model are all
made from it. Adding an attribute is a column (schema and migration) and a field here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, ClassVar, Literal, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    WithJsonSchema,
    create_model,
    model_validator,
)

from caseworks.childwelfare.terms import APPLICATION_TYPES as APPLICATION_TYPES
from caseworks.childwelfare.terms import (
    STATUS_REASONS,
    ApplicationStatus,
    ProfileRole,
    WorkerRole,
    role_spellings,
)
from caseworks.core.query_parameters import PageQuery, QueryModel, split_list
from caseworks.core.sort_keys import SortKey, parse_sort, sort_pattern
from caseworks.core.text import DayOrMoment, Email, IsoDate, Name, RecordId, ShortText

_ROLE_SPELLINGS = role_spellings()


def _role_as_stored(value: object) -> object:
    return _ROLE_SPELLINGS.get(value, value) if isinstance(value, str) else value


# A role as requests may write it (case-carrying or case_carrying), read as the role itself;
# described with every accepted spelling for requests and the stored one for answers.
Role = Annotated[
    WorkerRole,
    BeforeValidator(_role_as_stored),
    WithJsonSchema({"type": "string", "enum": list(_ROLE_SPELLINGS)}, mode="validation"),
    WithJsonSchema(
        {"type": "string", "enum": [role.value for role in WorkerRole]}, mode="serialization"
    ),
]
# Enums described inline (a query parameter's schema must stand alone, and so must an
# attribute's in the request and resource schemas).
Status = Annotated[
    ApplicationStatus,
    WithJsonSchema({"type": "string", "enum": [status.value for status in ApplicationStatus]}),
]
PersonRole = Annotated[
    ProfileRole, WithJsonSchema({"type": "string", "enum": [role.value for role in ProfileRole]})
]
# Binti's reason codes, each a value of its own (a dropdown's), described as such.
StatusReason = Annotated[
    str,
    AfterValidator(lambda value: _one_of_reasons(value)),
    WithJsonSchema({"type": "string", "enum": list(STATUS_REASONS)}),
]
# A subset of the roles: a longer list is refused before its items are looked at, so a body of
# a hundred thousand wrong roles costs one error, not one each.
Roles = Annotated[list[Role], Field(max_length=len(WorkerRole))]


class Attributes(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # Of an update model: the attributes that may be left out but not set to null.
    never_null: ClassVar[tuple[str, ...]] = ()


class WorkerCreate(Attributes):
    name: Name
    email: Email
    active: StrictBool = True
    assignable_roles: Roles = []
    external_identifier: ShortText | None = None


class ChildCreate(Attributes):
    first_name: Name | None = None
    middle_name: Name | None = None
    last_name: Name
    date_of_birth: IsoDate | None = None
    client_id: ShortText | None = None
    external_identifier: ShortText | None = None


def _one_of_reasons(value: str) -> str:
    if value not in STATUS_REASONS:
        raise ValueError("must be one of Binti's status reasons")
    return value


class ApplicationCreate(Attributes):
    status: Status = ApplicationStatus.APPLYING
    status_date: IsoDate | None = None
    status_reason: StatusReason | None = None
    date_of_inquiry: IsoDate | None = None
    applicant_name: Name | None = None
    external_identifier: ShortText | None = None
    license_external_identifier: ShortText | None = None
    agency_placement_external_identifier: ShortText | None = None


class ApplicationDerived(BaseModel):
    """An application's attributes the service sets and clients only read."""

    # The day the first worker was assigned to it (UTC); kept when assignments go.
    caseworker_assigned_date: date | None = None


class ProfileCreate(Attributes):
    """What a client writes of a user agency profile (its role is fixed when it is made)."""

    first_name: Name | None = None
    middle_name: Name | None = None
    last_name: Name | None = None
    suffix: ShortText | None = None
    date_of_birth: IsoDate | None = None
    email: Email | None = None
    phone_number: ShortText | None = None
    external_identifier: ShortText | None = None


class ProfileDerived(BaseModel):
    """A profile's attributes clients only read: its role, and its full name (the parts,
    joined; or the one name an intake gave in Binti's older form)."""

    role: PersonRole
    name: str


class ProfileNew(ProfileCreate):
    """A profile made on its own (``POST /api/v1/user_agency_profiles``): its role on the
    application, and its name as first and last name."""

    role: PersonRole
    first_name: Name
    last_name: Name


class ProfileIntake(Attributes):
    """A profile made with its application (Binti's inline ``applicant-agency-profile``, the
    members Binti takes there that we carry): the name as parts (first and last required) or,
    in Binti's older form, as ``name`` alone; and, as Binti requires, an e-mail address or a
    phone number."""

    first_name: Name | None = None
    middle_name: Name | None = None
    last_name: Name | None = None
    suffix: ShortText | None = None
    name: Name | None = None
    email: Email | None = None
    phone_number: ShortText | None = None
    external_identifier: ShortText | None = None

    @model_validator(mode="after")
    def _named_and_reachable(self) -> ProfileIntake:
        parts = (self.first_name, self.middle_name, self.last_name, self.suffix)
        if self.name is None and (self.first_name is None or self.last_name is None):
            raise ValueError("first_name and last_name are required (or name alone)")
        if self.name is not None and any(parts):
            raise ValueError("send the name as parts or as name alone, not both")
        if self.email is None and self.phone_number is None:
            raise ValueError("an email or a phone_number is required")
        return self


def attribute_names(model: type[BaseModel]) -> tuple[str, ...]:
    return tuple(model.model_fields)


def admits_null(model: type[BaseModel], name: str) -> bool:
    annotation = model.model_fields[name].annotation
    return annotation is None or type(None) in get_args(annotation)


def list_attributes(model: type[BaseModel]) -> tuple[str, ...]:
    """The attributes that hold a list of values."""
    return tuple(
        name for name, field in model.model_fields.items() if get_origin(field.annotation) is list
    )


_ANNOTATED: Any = Annotated  # a type built at run time, from a field's parts


def updating(model: type[Attributes]) -> type[Attributes]:
    """The update model of a create model: the same attributes, each one optional and without
    a default, so that only those sent change; those the create model needs a value for may be
    left out but not set to null (``never_null``)."""
    fields: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        # The field's own settings (an e-mail's format) stay with its type, inside the union.
        own = {
            setting: getattr(field, setting)
            for setting in ("description", "json_schema_extra")
            if getattr(field, setting) is not None
        }
        typed = _ANNOTATED[(field.annotation, *field.metadata, Field(**own))]
        fields[name] = (typed | None, None)
    update = create_model(
        model.__name__.removesuffix("Create") + "Update", __base__=model, **fields
    )
    update.never_null = tuple(name for name in fields if not admits_null(model, name))
    return update


# Each table's attributes, by the model that creates its records.
RECORD_MODELS: dict[str, type[Attributes]] = {
    "agency_workers": WorkerCreate,
    "children": ChildCreate,
    "applications": ApplicationCreate,
    "user_agency_profiles": ProfileCreate,
}
# Each table's attributes clients read but do not write.
DERIVED_MODELS: dict[str, type[BaseModel]] = {
    "applications": ApplicationDerived,
    "user_agency_profiles": ProfileDerived,
}
UPDATE_MODELS = {table: updating(model) for table, model in RECORD_MODELS.items()}


# --- query parameters, one model per shape of operation -----------------------------------------

RecordSort = Literal["created_at", "-created_at", "updated_at", "-updated_at"]
INCLUDES = ("worker", "child", "application", "applicant-profile")
MAX_SEARCH_LENGTH = 200


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


def _known_includes(value: str) -> str:
    if not split_list(value) <= set(INCLUDES):
        raise ValueError(f"must name some of {', '.join(INCLUDES)}, separated by commas")
    return value


Includes = Annotated[
    str,
    AfterValidator(_known_includes),
    Field(description=f"Related records to add: {', '.join(INCLUDES)}, separated by commas."),
]
SearchText = Annotated[
    str, StringConstraints(max_length=MAX_SEARCH_LENGTH), AfterValidator(_no_nul)
]


class ListQuery(PageQuery):
    """A page of records: its filters (``conditions``) and its order (``sort_keys``)."""

    sort: str = "created_at"
    sortable: ClassVar[tuple[str, ...]] = ("created_at", "updated_at")

    def conditions(self) -> dict[str, object]:
        """The filters a list applies, by name."""
        return {}

    @property
    def sort_keys(self) -> list[SortKey]:
        return parse_sort(self.sort, self.sortable)


_SORT_DESCRIPTION = "`-` for descending."


class RecordListQuery(ListQuery):
    sort: RecordSort = Field("created_at", description=_SORT_DESCRIPTION)


def _known_sort(value: str) -> str:
    parse_sort(value, _APPLICATION_SORTS)
    return value


_APPLICATION_SORTS = ("created_at", "date_of_inquiry", "updated_at", "status_date")
ApplicationSort = Annotated[
    str, StringConstraints(pattern=sort_pattern(_APPLICATION_SORTS)), AfterValidator(_known_sort)
]
_UPDATED_START = Field(
    None,
    description="Updated at or after this moment (a day alone: from its start; UTC unless an"
    " offset is given).",
)
_UPDATED_END = Field(
    None,
    description="Updated before this moment (a day alone: before its start), not at it.",
)


class UpdatedBetween(ListQuery):
    """The half-open window [``updated_start_date``, ``updated_end_date``) on ``updated_at``."""

    updated_start_date: DayOrMoment | None = _UPDATED_START
    updated_end_date: DayOrMoment | None = _UPDATED_END

    def conditions(self) -> dict[str, object]:
        return {
            "updated_from": _start(self.updated_start_date),
            "updated_before": _start(self.updated_end_date),
        }


class ApplicationListQuery(UpdatedBetween):
    filters: ClassVar[tuple[str, ...]] = (
        "status",
        "updated_start_date",
        "updated_end_date",
        "external_identifier",
        "license_external_identifier",
        "agency_placement_external_identifier",
    )
    sortable: ClassVar[tuple[str, ...]] = _APPLICATION_SORTS
    sort: ApplicationSort = Field(
        "created_at",
        description=f"Some of {', '.join(_APPLICATION_SORTS)}, separated by commas, each with"
        " `-` for descending; ties by id, undated records last either way.",
    )
    status: Status | None = None
    external_identifier: SearchText | None = None
    license_external_identifier: SearchText | None = None
    agency_placement_external_identifier: SearchText | None = None

    def conditions(self) -> dict[str, object]:
        return {
            **super().conditions(),
            "status": self.status,
            "external_identifier": self.external_identifier,
            "license_external_identifier": self.license_external_identifier,
            "agency_placement_external_identifier": self.agency_placement_external_identifier,
        }


class ProfileListQuery(UpdatedBetween):
    filters: ClassVar[tuple[str, ...]] = (
        "role",
        "application_status",
        "updated_start_date",
        "updated_end_date",
        "external_identifier",
    )
    sort: RecordSort = Field("created_at", description=_SORT_DESCRIPTION)
    role: PersonRole | None = None
    application_status: Status | None = Field(
        None, description="The status of the application the profile belongs to."
    )
    external_identifier: SearchText | None = None

    def conditions(self) -> dict[str, object]:
        return {
            **super().conditions(),
            "role": self.role,
            "application_status": self.application_status,
            "external_identifier": self.external_identifier,
        }


class ChildListQuery(RecordListQuery):
    filters: ClassVar[tuple[str, ...]] = ("full_name_contains",)
    full_name_contains: SearchText = Field("", description="Part of the full name, in any case.")

    def conditions(self) -> dict[str, object]:
        return {"full_name_contains": self.full_name_contains}


class IncludeQuery(QueryModel):
    include: Includes = ""

    @property
    def wanted(self) -> set[str]:
        return split_list(self.include)


class AssignmentPageQuery(RecordListQuery, IncludeQuery):
    """What an answer holding a page of worker assignments reads: a create's too."""


class SubjectAssignmentsQuery(AssignmentPageQuery):
    filters: ClassVar[tuple[str, ...]] = ("role", "created_start_date", "created_end_date")
    role: Role | None = None
    created_start_date: DayOrMoment | None = Field(
        None, description="From this day or moment (UTC unless an offset is given)."
    )
    created_end_date: DayOrMoment | None = Field(
        None, description="Up to the end of this day, or to this second, inclusive."
    )

    def conditions(self) -> dict[str, object]:
        found: dict[str, object] = {
            "created_from": _start(self.created_start_date),
            "created_before": _end(self.created_end_date),
        }
        if self.role is not None:
            found["role"] = self.role
        return found


class AssignmentListQuery(SubjectAssignmentsQuery):
    filters: ClassVar[tuple[str, ...]] = (
        *SubjectAssignmentsQuery.filters,
        "child_id",
        "application_id",
    )
    child_id: RecordId | None = None
    application_id: RecordId | None = None

    def conditions(self) -> dict[str, object]:
        return {
            **super().conditions(),
            "child_id": self.child_id,
            "application_id": self.application_id,
        }


def _as_utc(value: date | datetime) -> datetime:
    if not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def _start(value: date | datetime | None) -> datetime | None:
    return None if value is None else _as_utc(value)


def _end(value: date | datetime | None) -> datetime | None:
    """The first moment after an inclusive end: the next day, or the next second (times are
    stored to the second). Within 1900–2999 this is at most 3000-01-01, so it cannot overflow."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        return _as_utc(value) + timedelta(days=1)
    return _as_utc(value).replace(microsecond=0) + timedelta(seconds=1)
