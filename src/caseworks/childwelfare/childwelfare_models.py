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
)

from caseworks.childwelfare.terms import APPLICATION_TYPES as APPLICATION_TYPES
from caseworks.childwelfare.terms import WorkerRole, role_spellings
from caseworks.core.query_parameters import PageQuery, QueryModel, split_list
from caseworks.core.sorting import SortFields, SortKey, sort_keys
from caseworks.core.text import DayOrMoment, Email, Identifier, IsoDate, Name, RecordId, ShortText

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
# A child's gender as the Binti-compatible API spells it (null where not given).
Gender = Literal[
    "Female",
    "Male",
    "Transgender",
    "Non-binary",
    "Not listed above",
    "Have not asked child (child too young)",
    "Have not asked child (other reason)",
    "Prefer not to answer",
]
ApplicationStatus = Literal["applying", "pending", "approved", "denied", "withdrawn", "closed"]
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
    suffix: Name | None = None
    nickname: Name | None = None
    date_of_birth: IsoDate | None = None
    gender: Gender | None = None
    client_id: Identifier | None = None
    external_identifier: Identifier | None = None
    external_group_id: Identifier | None = None


# What a list of children may be sorted by (its times and attributes of ChildCreate), in the
# Binti-compatible API's order.
CHILD_SORTS = (
    "created_at",
    "date_of_birth",
    "first_name",
    "middle_name",
    "last_name",
    "suffix",
    "updated_at",
)
# The attributes of ChildCreate a list of children may be filtered by, each an exact match.
CHILD_IDENTIFIERS = ("client_id", "external_identifier", "external_group_id")


class ApplicationCreate(Attributes):
    status: ApplicationStatus = "applying"
    applicant_name: Name | None = None


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
}
UPDATE_MODELS = {table: updating(model) for table, model in RECORD_MODELS.items()}


# --- query parameters, one model per shape of operation -----------------------------------------

RecordSort = Literal["created_at", "-created_at", "updated_at", "-updated_at"]
INCLUDES = ("worker", "child", "application")
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
    """A page of a collection, in the order ``sort`` gives: each collection says what it takes."""

    sort: str = "created_at"

    @property
    def order(self) -> tuple[SortKey, ...]:
        """The sort as (field, direction) pairs, in order."""
        return sort_keys(self.sort)

    def conditions(self) -> dict[str, object]:
        """The filters a list applies, by name."""
        return {}


class RecordListQuery(ListQuery):
    sort: RecordSort = Field("created_at", description="`-` for descending.")


class ChildListQuery(ListQuery):
    filters: ClassVar[tuple[str, ...]] = ("full_name_contains", *CHILD_IDENTIFIERS)
    sort: Annotated[str, SortFields(CHILD_SORTS)] = "created_at"
    full_name_contains: SearchText = Field("", description="Part of the full name, in any case.")
    client_id: Identifier | None = Field(None, description="Exactly this client id.")
    external_identifier: Identifier | None = Field(
        None, description="Exactly this external identifier."
    )
    external_group_id: Identifier | None = Field(
        None, description="Exactly this external group id (shared by a group of children)."
    )

    def conditions(self) -> dict[str, object]:
        found: dict[str, object] = {"full_name_contains": self.full_name_contains}
        for name in CHILD_IDENTIFIERS:
            if (value := getattr(self, name)) is not None:
                found[name] = value
        return found


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
