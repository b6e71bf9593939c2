"""Attributes of the casework resources, validated after keys are turned to snake_case.

Each record's create model is the one list of its attributes: the columns its queries read and
write, the attributes its resource object shows, its OpenAPI schemas and its update model are all
made from it. Adding an attribute is a column (schema and migration) and a field here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Annotated, Any, ClassVar, Literal, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
    create_model,
    field_validator,
)

from caseworks.childwelfare.terms import APPLICATION_TYPES as APPLICATION_TYPES
from caseworks.childwelfare.terms import WorkerRole, role_spellings
from caseworks.core.ids import ID_PATTERN
from caseworks.core.query_parameters import PageQuery, QueryModel, sort_keys, split_list
from caseworks.core.text import DayOrMoment, Email, IsoDate, Name, ShortText

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
    date_of_birth: IsoDate | None = None
    client_id: ShortText | None = None
    external_identifier: ShortText | None = None


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
DEFAULT_SORT = "created_at"
# The relationships of a worker assignment a compound document may include: the one list of
# them (the query models, the service's reads and the OpenAPI text all follow it).
INCLUDES = ("worker", "child", "application")
ALL_INCLUDES = "*"
MAX_SEARCH_LENGTH = 200
MAX_INCLUDE_LENGTH = 200


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


SearchText = Annotated[
    str, StringConstraints(max_length=MAX_SEARCH_LENGTH), AfterValidator(_no_nul)
]
# Any id a record may have here, generated or a client's own (`core.ids.ID_PATTERN`).
RecordId = Annotated[str, StringConstraints(pattern=f"^{ID_PATTERN}$")]
IncludeList = Annotated[str, StringConstraints(max_length=MAX_INCLUDE_LENGTH)]


def _include_text(names: tuple[str, ...]) -> str:
    available = f"{', '.join(names)}, or `*` for all" if names else "only `*` (nothing to add)"
    return (
        f"Related records to add to `included`, separated by commas: {available}; empty for"
        " none. Without include or included, all are added. Give one of the two names."
    )


@cache
def _every(names: tuple[str, ...]) -> frozenset[str]:
    """All of ``names``, made once: the default of every request that names none."""
    return frozenset(names)


class Inclusion(QueryModel):
    """Which related records a compound document holds: ``include`` (JSON:API's name) or
    ``included`` (Binti's), the same list either way; with neither, every one (Binti's
    default, kept for its clients' sake). ``includable`` names what the operation has."""

    includable: ClassVar[tuple[str, ...]] = ()
    include: IncludeList | None = Field(None, description=_include_text(()))
    included: IncludeList | None = Field(None, description=_include_text(()))

    @field_validator("include", "included")
    @classmethod
    def _known_names(cls, value: str, info: ValidationInfo) -> str:
        if info.field_name == "included" and info.data.get("include") is not None:
            raise ValueError("include and included are one list given twice; send one")
        unknown = split_list(value) - {*cls.includable, ALL_INCLUDES}
        if unknown:
            names = ", ".join(cls.includable) or "nothing"
            raise ValueError(f"can name {names} (or * for all), separated by commas")
        return value

    @property
    def wanted(self) -> frozenset[str]:
        """The relationships to include: all with neither name or with ``*``, none if empty."""
        value = self.include if self.included is None else self.included
        if value is None:
            return _every(self.includable)
        names = split_list(value)
        return _every(self.includable) if ALL_INCLUDES in names else frozenset(names)


class RecordShowQuery(Inclusion):
    """A record's show: ``include``/``included`` taken, with nothing to add."""


class RecordListQuery(PageQuery, Inclusion):
    sort: RecordSort | None = Field(
        None, description=f"`-` for descending; by {DEFAULT_SORT} (then id) when left out."
    )

    @property
    def order(self) -> str:
        """The order of the page: the sort asked for, else the default."""
        return self.sort or DEFAULT_SORT

    @property
    def sort_keys(self) -> tuple[tuple[str, str], ...] | None:
        """The sort asked for, as (field, direction) pairs; None when none was asked for."""
        return sort_keys(self.sort)

    def conditions(self) -> dict[str, object]:
        """The filters a list applies, by name."""
        return {}


class ChildListQuery(RecordListQuery):
    filters: ClassVar[tuple[str, ...]] = ("full_name_contains",)
    full_name_contains: SearchText = Field("", description="Part of the full name, in any case.")

    def conditions(self) -> dict[str, object]:
        return {"full_name_contains": self.full_name_contains}


class IncludeQuery(Inclusion):
    """What a document of worker assignments may include."""

    includable: ClassVar[tuple[str, ...]] = INCLUDES
    include: IncludeList | None = Field(None, description=_include_text(INCLUDES))
    included: IncludeList | None = Field(None, description=_include_text(INCLUDES))


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
