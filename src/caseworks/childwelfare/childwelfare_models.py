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
    StrictInt,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
    create_model,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from caseworks.childwelfare.terms import (
    APPLICATION_ROLES,
    CASE_TYPES,
    CHILD_ROLES,
    CREATABLE_ROLES,
    HEARD_ABOUT_US,
    HEARD_ABOUT_US_EXPLAINED,
    STATUS_REASONS,
    ApplicationStatus,
    ProfileRole,
    WorkerRole,
    role_spellings,
)
from caseworks.childwelfare.terms import APPLICATION_TYPES as APPLICATION_TYPES
from caseworks.core.ids import ID_PATTERN
from caseworks.core.query_parameters import PageQuery, QueryModel, split_list
from caseworks.core.sorting import SortFields, SortKey, sort_keys
from caseworks.core.text import (
    DayOrMoment,
    Email,
    FreeText,
    Identifier,
    IsoDate,
    Name,
    ShortText,
)

# Any id a record here may have, generated or a client's own (`core.ids.ID_PATTERN`): wider than
# the mentoring API's ids, which are only ever generated.
RecordId = Annotated[str, StringConstraints(pattern=f"^{ID_PATTERN}$")]


def _spelled(roles: tuple[WorkerRole, ...]) -> Any:
    """Reads a role as requests may write it (case-carrying or case_carrying), as the role
    itself; a role outside ``roles`` is refused naming those it may be."""
    spellings = role_spellings(roles)

    def read(value: object) -> object:
        if not isinstance(value, str):
            return value  # the enum refuses it
        if value not in spellings:
            raise PydanticCustomError(
                "role", "must be one of {roles}", {"roles": ", ".join(spellings)}
            )
        return spellings[value]

    return BeforeValidator(read)


def _requested(roles: tuple[WorkerRole, ...]) -> Any:
    """Described with every spelling a request may use."""
    return WithJsonSchema(
        {"type": "string", "enum": list(role_spellings(roles))}, mode="validation"
    )


def _answered(roles: tuple[WorkerRole, ...]) -> Any:
    """Described with the spelling answers use (the stored one)."""
    return WithJsonSchema(
        {"type": "string", "enum": [role.value for role in roles]}, mode="serialization"
    )


# A role as requests may write it, read as the role itself: one the API may assign (a worker's
# assignable roles), or one of a child's or an application's assignments (their list filters).
CreatableRole = Annotated[
    WorkerRole, _spelled(CREATABLE_ROLES), _requested(CREATABLE_ROLES), _answered(CREATABLE_ROLES)
]
ChildRole = Annotated[
    WorkerRole, _spelled(CHILD_ROLES), _requested(CHILD_ROLES), _answered(CHILD_ROLES)
]
ApplicationRole = Annotated[
    WorkerRole,
    _spelled(APPLICATION_ROLES),
    _requested(APPLICATION_ROLES),
    _answered(APPLICATION_ROLES),
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
Roles = Annotated[list[CreatableRole], Field(max_length=len(CREATABLE_ROLES))]

MAX_SUPERVISORS = 50
_WORKER_REFERENCE = {
    "type": "object",
    "required": ["id", "name"],
    "properties": {"id": {"type": "string"}, "name": {"type": "string"}},
    "additionalProperties": False,
}
# Written as the ids of the supervising workers; answered as Binti shows them, each worker's id
# and name.
Supervisors = Annotated[
    list[RecordId],
    Field(max_length=MAX_SUPERVISORS),
    WithJsonSchema({"type": "array", "items": _WORKER_REFERENCE}, mode="serialization"),
]


# A worker's limit of case-carrying assignments: 0 or more (0 takes no new case), within the
# stored integer.
CaseloadLimit = Annotated[StrictInt, Field(ge=0, le=2**31 - 1)]


class PermissionsRole(BaseModel):
    """The role a worker's permissions come from, as Binti names it: a number and a name."""

    model_config = ConfigDict(extra="forbid")
    id: Annotated[StrictInt, Field(ge=1, le=2**31 - 1)]
    name: Name


_PERMISSIONS_ROLE = {
    "type": "object",
    "required": ["id", "name"],
    "properties": {
        "id": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
        "name": {"type": "string", "minLength": 1, "maxLength": 200},
    },
    "additionalProperties": False,
}
# Described inline rather than by reference: each attribute's schema stands on its own.
RoleForPermissions = Annotated[
    PermissionsRole | None,
    WithJsonSchema({"anyOf": [_PERMISSIONS_ROLE, {"type": "null"}]}),
]


class Attributes(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # Of an update model: the attributes that may be left out but not set to null.
    never_null: ClassVar[tuple[str, ...]] = ()
    # Attributes held in a table of their own rather than in a column of the record's.
    held_apart: ClassVar[tuple[str, ...]] = ()


class WorkerCreate(Attributes):
    name: Name
    email: Email
    active: StrictBool = True
    assignable_roles: Roles = []
    external_identifier: Identifier | None = None
    # Binti lists no values for the agency role (its examples show admin and approvals).
    agency_role: Name | None = None
    role_for_permissions: RoleForPermissions = None
    # The most case-carrying assignments it may hold (every create and transfer checks it).
    max_case_carrying: CaseloadLimit | None = Field(
        None, description="The most case-carrying assignments the worker may hold; null: no limit."
    )
    # The workers who supervise this one (agency_worker_supervisors; records.py has the rules).
    supervisors: Supervisors = []
    held_apart: ClassVar[tuple[str, ...]] = ("supervisors",)


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


def _one_of_reasons(value: str) -> str:
    if value not in STATUS_REASONS:
        raise ValueError("must be one of Binti's status reasons")
    return value


def _one_case_type(value: str) -> str:
    if value not in CASE_TYPES:
        raise ValueError(f"must be one of {', '.join(CASE_TYPES)}")
    return value


def _one_way_heard(value: str) -> str:
    if value not in HEARD_ABOUT_US:
        raise ValueError("must be one of Binti's ways of hearing about the agency")
    return value


CaseType = Annotated[
    str,
    AfterValidator(_one_case_type),
    WithJsonSchema({"type": "string", "enum": list(CASE_TYPES)}),
]
HeardAboutUs = Annotated[
    str,
    AfterValidator(_one_way_heard),
    WithJsonSchema({"type": "string", "enum": list(HEARD_ABOUT_US)}),
]
# Beds in the home: Binti sets no bound; ours is the stored integer's.
Capacity = Annotated[StrictInt, Field(ge=0, le=2**31 - 1)]
# The ages a family is approved for, in years, within Binti's bounds.
AgeLower = Annotated[StrictInt, Field(ge=0, le=20)]
AgeHigher = Annotated[StrictInt, Field(ge=0, le=21)]


class ApplicationCreate(Attributes):
    status: Status = ApplicationStatus.APPLYING
    status_date: IsoDate | None = None
    status_reason: StatusReason | None = None
    date_of_inquiry: IsoDate | None = None
    applicant_name: Name | None = None
    external_identifier: Identifier | None = None
    license_external_identifier: Identifier | None = None
    agency_placement_external_identifier: Identifier | None = None
    case_type: CaseType | None = None
    date_application_signed: IsoDate | None = None
    capacity: Capacity | None = None
    approved_age_lower: AgeLower | None = None
    approved_age_higher: AgeHigher | None = Field(
        None, description="Not below approved-age-lower (equal: one age)."
    )
    community_foster: StrictBool | None = None
    respite_provider: StrictBool | None = None
    template_slug: Identifier | None = None
    how_did_you_hear_about_us: HeardAboutUs | None = None
    # Checked even when left out: two of the ways need it (an update checks the stored record).
    how_did_you_hear_about_us_details: FreeText | None = Field(
        None,
        validate_default=True,
        description="Required (not blank) when how-did-you-hear-about-us is"
        f" {' or '.join(HEARD_ABOUT_US_EXPLAINED)}.",
    )

    @field_validator("approved_age_higher")
    @classmethod
    def _not_below_lower(cls, value: int | None, info: ValidationInfo) -> int | None:
        lower = info.data.get("approved_age_lower")
        if value is not None and lower is not None and value < lower:
            raise ValueError(f"must not be below approved_age_lower ({lower})")
        return value

    @field_validator("how_did_you_hear_about_us_details")
    @classmethod
    def _explained(cls, value: str | None, info: ValidationInfo) -> str | None:
        way = info.data.get("how_did_you_hear_about_us")
        if way in HEARD_ABOUT_US_EXPLAINED and not (value and value.strip()):
            raise ValueError(f"is required when how_did_you_hear_about_us is {way}")
        return value


class ApplicationDerived(BaseModel):
    """An application's attributes the service sets and clients only read."""

    # The day the first worker was assigned to it (UTC); kept when assignments go.
    caseworker_assigned_date: date | None = None


# An address's state, as Binti describes it: its two-letter code (kept as written).
StateCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$")]
# Binti's family id is set on applicants only: a profile of another role made with one is
# refused (422 at the attribute), and so is a change giving one to such a profile.
FAMILY_ID_ROLES = (ProfileRole.APPLICANT,)
NOT_FAMILY_ID = "is set on applicants only, not on a profile of this role"
_FAMILY_ID = "The state's family identifier (an RFA id): an applicant's only."


class ProfileCreate(Attributes):
    """What a client writes of a user agency profile (its role is fixed when it is made)."""

    first_name: Name | None = None
    middle_name: Name | None = None
    last_name: Name | None = None
    suffix: Name | None = None
    date_of_birth: IsoDate | None = None
    email: Email | None = None
    phone_number: ShortText | None = None
    external_identifier: Identifier | None = None
    # Binti's state family identifier (an RFA id): an applicant's only (see NOT_FAMILY_ID).
    family_id: Identifier | None = Field(None, description=_FAMILY_ID)
    street_address: ShortText | None = None
    city: ShortText | None = None
    state: StateCode | None = None
    zipcode: Identifier | None = None
    county: ShortText | None = None
    additional_directions_to_home: FreeText | None = None


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
    suffix: Name | None = None
    name: Name | None = None
    email: Email | None = None
    phone_number: ShortText | None = None
    external_identifier: Identifier | None = None
    family_id: Identifier | None = Field(None, description=_FAMILY_ID)
    street_address: ShortText | None = None
    city: ShortText | None = None
    state: StateCode | None = None
    zipcode: Identifier | None = None
    county: ShortText | None = None
    additional_directions_to_home: FreeText | None = None

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


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


# Why a caseload moves: kept with the audit events of each moved assignment.
TransferReason = Annotated[ShortText, AfterValidator(_not_blank)]


class CaseloadTransferAttributes(Attributes):
    """A caseload transfer's attributes: the roles whose assignments move (in either
    spelling), why, and whether only to see what would happen."""

    roles: Annotated[list[CreatableRole], Field(min_length=1, max_length=len(CREATABLE_ROLES))]
    reason: TransferReason
    dry_run: StrictBool = False

    @field_validator("roles")
    @classmethod
    def _each_once(cls, value: list[WorkerRole]) -> list[WorkerRole]:
        return list(dict.fromkeys(value))  # a role named twice (in two spellings) counts once


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


def object_attributes(model: type[BaseModel]) -> tuple[str, ...]:
    """The attributes that hold an object (a model of its own), or null."""
    return tuple(
        name
        for name, field in model.model_fields.items()
        if any(
            isinstance(option, type) and issubclass(option, BaseModel)
            for option in (field.annotation, *get_args(field.annotation))
        )
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


class WorkerShown(BaseModel):
    """A worker's attributes computed as it is read, held in no column of its own."""

    # The supervisors of its supervisors (Binti's managers of supervisors), each once, read
    # from agency_worker_supervisors with the supervisors themselves.
    managers_of_supervisors: Annotated[
        list[dict[str, str]],
        WithJsonSchema({"type": "array", "items": _WORKER_REFERENCE}),
    ]
    # Binti counts a worker's sign-ins to its platform; caseworks has no sign-ins (callers hold
    # API tokens, whose uses are not counted), so it is always 0.
    sign_in_count: int


class ApplicationShown(BaseModel):
    """Binti's name for the application's kind (the resource's type says it too)."""

    type: Literal["InitialApplication", "RenewalApplication"]


class ProfileShown(BaseModel):
    """Binti's list of the profile's roles: ours holds one, the profile's ``role``."""

    roles: list[PersonRole]


# Each table's attributes computed from its row as it is answered (the renderer holds how):
# read-only, and no column of the table, so writes refuse them as unknown.
SHOWN_MODELS: dict[str, type[BaseModel]] = {
    "agency_workers": WorkerShown,
    "applications": ApplicationShown,
    "user_agency_profiles": ProfileShown,
}


# --- query parameters, one model per shape of operation -----------------------------------------

RecordSort = Literal["created_at", "-created_at", "updated_at", "-updated_at"]
# The order of a page no sort was asked for (ties by id, as every order here).
DEFAULT_ORDER: tuple[SortKey, ...] = (("created_at", "asc"),)
# The relationships of a worker assignment a compound document may include: the one list of
# them (the query models, the service's reads and the OpenAPI text all follow it).
INCLUDES = ("worker", "child", "application", "applicant-profile")
# Likewise for the records that have associations: an application's applicant and co-applicant
# profiles, and a profile's application, by our name and by Binti's (each of those names it only
# for a profile of that role). Agency workers and children have nothing to include.
APPLICATION_INCLUDES = ("applicant-agency-profile", "co-applicant-agency-profile")
PROFILE_APPLICATIONS = {
    ProfileRole.APPLICANT: "applications-as-applicant",
    ProfileRole.CO_APPLICANT: "applications-as-co-applicant",
    ProfileRole.OTHER_ADULT_IN_HOME: "applications-as-other-adult",
}
PROFILE_INCLUDES = ("application", *PROFILE_APPLICATIONS.values())
ALL_INCLUDES = "*"
MAX_SEARCH_LENGTH = 200
MAX_INCLUDE_LENGTH = 200


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


def _true_or_false(value: object) -> object:
    """Exactly ``true`` or ``false``, as a query string writes them (not 1, yes or True)."""
    if value in ("true", "false"):
        return value == "true"
    raise PydanticCustomError("true_or_false", "must be true or false")


# A filter on whether something exists (a worker in a role): NOT EXISTS for false.
Presence = Annotated[bool, BeforeValidator(_true_or_false), WithJsonSchema({"type": "boolean"})]
SearchText = Annotated[
    str, StringConstraints(max_length=MAX_SEARCH_LENGTH), AfterValidator(_no_nul)
]
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


class ApplicationInclusion(Inclusion):
    """What a document of applications may include."""

    includable: ClassVar[tuple[str, ...]] = APPLICATION_INCLUDES
    include: IncludeList | None = Field(None, description=_include_text(APPLICATION_INCLUDES))
    included: IncludeList | None = Field(None, description=_include_text(APPLICATION_INCLUDES))


class ProfileInclusion(Inclusion):
    """What a document of user agency profiles may include."""

    includable: ClassVar[tuple[str, ...]] = PROFILE_INCLUDES
    include: IncludeList | None = Field(None, description=_include_text(PROFILE_INCLUDES))
    included: IncludeList | None = Field(None, description=_include_text(PROFILE_INCLUDES))


class ListQuery(PageQuery, Inclusion):
    """A page of a collection, in the order ``sort`` gives: each collection says which fields
    it takes; without a sort, by creation (then id)."""

    sort: str | None = None

    @property
    def order(self) -> tuple[SortKey, ...]:
        """The order of the page as (field, direction) pairs: the sort asked for, else the
        default."""
        return sort_keys(self.sort) if self.sort else DEFAULT_ORDER

    @property
    def asked_order(self) -> tuple[SortKey, ...] | None:
        """The sort asked for, as (field, direction) pairs; None when none was asked for (a
        collection's ``meta.sort`` shows it)."""
        return sort_keys(self.sort) if self.sort else None

    def conditions(self) -> dict[str, object]:
        """The filters a list applies, by name."""
        return {}


class RecordListQuery(ListQuery):
    sort: RecordSort | None = Field(
        None, description="`-` for descending; by created_at (then id) when left out."
    )


class WorkerListQuery(RecordListQuery):
    filters: ClassVar[tuple[str, ...]] = ("external_identifier",)
    external_identifier: Identifier | None = Field(
        None, description="Exactly this external identifier, letter case included."
    )

    def conditions(self) -> dict[str, object]:
        return {"external_identifier": self.external_identifier}


class ChildListQuery(ListQuery):
    filters: ClassVar[tuple[str, ...]] = (
        "full_name_contains",
        *CHILD_IDENTIFIERS,
        "has_case_carrying_worker",
    )
    sort: Annotated[str, SortFields(CHILD_SORTS)] | None = None
    full_name_contains: SearchText = Field("", description="Part of the full name, in any case.")
    client_id: Identifier | None = Field(None, description="Exactly this client id.")
    external_identifier: Identifier | None = Field(
        None, description="Exactly this external identifier."
    )
    external_group_id: Identifier | None = Field(
        None, description="Exactly this external group id (shared by a group of children)."
    )
    has_case_carrying_worker: Presence | None = Field(
        None,
        description="`false`: only children no case-carrying worker is assigned to; `true`:"
        " only those with one.",
    )

    def conditions(self) -> dict[str, object]:
        found: dict[str, object] = {"full_name_contains": self.full_name_contains}
        for name in (*CHILD_IDENTIFIERS, "has_case_carrying_worker"):
            if (value := getattr(self, name)) is not None:
                found[name] = value
        return found


class IncludeQuery(Inclusion):
    """What a document of worker assignments may include."""

    includable: ClassVar[tuple[str, ...]] = INCLUDES
    include: IncludeList | None = Field(None, description=_include_text(INCLUDES))
    included: IncludeList | None = Field(None, description=_include_text(INCLUDES))


class AssignmentPageQuery(IncludeQuery, RecordListQuery):
    """What an answer holding a page of worker assignments reads: a create's too."""


# Binti words each bound as "after" the start and "before" the end: both are exclusive, for the
# creation and the last change alike. A day alone stands for its first moment (00:00:00 UTC),
# as a date-time without a time would.
_AFTER = (
    "Only those {} strictly after this moment (UTC unless an offset is given; a day alone is"
    " its first moment, 00:00:00 UTC)."
)
_BEFORE = (
    "Only those {} strictly before this moment (UTC unless an offset is given; a day alone is"
    " its first moment, so that day itself is left out)."
)


class CreatedRange(QueryModel):
    created_start_date: DayOrMoment | None = Field(None, description=_AFTER.format("created"))
    created_end_date: DayOrMoment | None = Field(None, description=_BEFORE.format("created"))

    def created_bounds(self) -> dict[str, object]:
        return {
            "created_from": _after(self.created_start_date),
            "created_before": _before(self.created_end_date),
        }


class UpdatedRange(QueryModel):
    updated_start_date: DayOrMoment | None = Field(None, description=_AFTER.format("updated"))
    updated_end_date: DayOrMoment | None = Field(None, description=_BEFORE.format("updated"))

    def updated_bounds(self) -> dict[str, object]:
        return {
            "updated_from": _after(self.updated_start_date),
            "updated_before": _before(self.updated_end_date),
        }


_CREATED = ("created_start_date", "created_end_date")
_UPDATED = ("updated_start_date", "updated_end_date")


class AssignmentListQuery(CreatedRange, AssignmentPageQuery):
    """Every assignment the caller may read: Binti's created range, and ours by subject."""

    filters: ClassVar[tuple[str, ...]] = (*_CREATED, "child_id", "application_id")
    child_id: RecordId | None = None
    application_id: RecordId | None = None

    def conditions(self) -> dict[str, object]:
        return {
            **self.created_bounds(),
            "child_id": self.child_id,
            "application_id": self.application_id,
        }


class ChildAssignmentsQuery(CreatedRange, AssignmentPageQuery):
    filters: ClassVar[tuple[str, ...]] = ("role", *_CREATED)
    role: ChildRole | None = None

    def conditions(self) -> dict[str, object]:
        return {"role": self.role, **self.created_bounds()}


class ApplicationAssignmentsQuery(UpdatedRange, CreatedRange, AssignmentPageQuery):
    filters: ClassVar[tuple[str, ...]] = ("role", *_CREATED, *_UPDATED)
    role: ApplicationRole | None = None

    def conditions(self) -> dict[str, object]:
        return {"role": self.role, **self.created_bounds(), **self.updated_bounds()}


APPLICATION_SORTS = ("created_at", "date_of_inquiry", "updated_at", "status_date")


class ApplicationListQuery(UpdatedRange, ApplicationInclusion, ListQuery):
    filters: ClassVar[tuple[str, ...]] = (
        "status",
        *_UPDATED,
        "external_identifier",
        "license_external_identifier",
        "agency_placement_external_identifier",
        "has_approvals_worker",
    )
    sort: Annotated[str, SortFields(APPLICATION_SORTS)] | None = None
    status: Status | None = None
    external_identifier: Identifier | None = Field(
        None, description="Exactly this external identifier."
    )
    license_external_identifier: Identifier | None = Field(
        None, description="Exactly this license's external identifier."
    )
    agency_placement_external_identifier: Identifier | None = Field(
        None, description="Exactly this agency placement's external identifier."
    )
    has_approvals_worker: Presence | None = Field(
        None,
        description="`false`: only applications no approvals worker is assigned to; `true`:"
        " only those with one.",
    )

    def conditions(self) -> dict[str, object]:
        return {
            **self.updated_bounds(),
            "status": self.status,
            "external_identifier": self.external_identifier,
            "license_external_identifier": self.license_external_identifier,
            "agency_placement_external_identifier": self.agency_placement_external_identifier,
            "has_approvals_worker": self.has_approvals_worker,
        }


class ProfileListQuery(UpdatedRange, ProfileInclusion, RecordListQuery):
    filters: ClassVar[tuple[str, ...]] = (
        "role",
        "application_status",
        *_UPDATED,
        "external_identifier",
    )
    role: PersonRole | None = None
    application_status: Status | None = Field(
        None, description="The status of the application the profile belongs to."
    )
    external_identifier: Identifier | None = Field(
        None, description="Exactly this external identifier."
    )

    def conditions(self) -> dict[str, object]:
        return {
            **self.updated_bounds(),
            "role": self.role,
            "application_status": self.application_status,
            "external_identifier": self.external_identifier,
        }


def _as_utc(value: date | datetime) -> datetime:
    """A day is its first moment, in UTC; a time without an offset is UTC."""
    if not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def _after(value: date | datetime | None) -> datetime | None:
    """The first stored moment strictly after ``value``: times are stored to the second, so
    the next whole second (``created_at >= this``). At most 3000-01-01 within 1900–2999."""
    if value is None:
        return None
    return _as_utc(value).replace(microsecond=0) + timedelta(seconds=1)


def _before(value: date | datetime | None) -> datetime | None:
    """The bound that keeps stored moments strictly before ``value`` (``created_at < this``):
    ``value`` itself, rounded up to a whole second since times are stored to the second."""
    if value is None:
        return None
    moment = _as_utc(value)
    whole = moment.replace(microsecond=0)
    return whole if whole == moment else whole + timedelta(seconds=1)
