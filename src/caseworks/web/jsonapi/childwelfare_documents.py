"""Reading JSON:API request documents into validated input, with a pointer for every problem."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from caseworks.childwelfare import childwelfare_models as schemas
from caseworks.childwelfare.caseload_transfers import Transfer
from caseworks.childwelfare.terms import (
    CHILD_ROLES,
    CREATABLE_APPLICATION_ROLES,
    NOT_CREATABLE_ROLES,
    ApplicationKind,
    ProfileRole,
    WorkerRole,
    role_spellings,
)
from caseworks.childwelfare.worker_assignments import Subject, Wanted
from caseworks.core.errors import Conflict, FieldProblem, Invalid, pointer_to
from caseworks.core.ids import MAX_CLIENT_RECORD_ID, is_client_record_id
from caseworks.core.validation import REQUIRED
from caseworks.web.jsonapi.childwelfare_resources import (
    APPLICATION_LINKAGE_TYPES,
    ASSIGNMENTS,
    CHILDREN,
    PROFILES,
    WORKERS,
)
from caseworks.web.jsonapi.names import field_name, member_name
from caseworks.web.jsonapi.problem_collector import Problems, given_twice, snake_keys

ASSIGNMENT_TYPE = ASSIGNMENTS
TRANSFER_TYPE = "caseload-transfers"
TARGET_WORKER = "target-worker"
# The relationships an application's update may set, and the types each takes.
APPLICATION_LINKS: dict[str, tuple[str, ...]] = {"applicant-agency-profile": (PROFILES,)}
# A profile made on its own names its application.
PROFILE_LINKS: dict[str, tuple[str, ...]] = {"application": APPLICATION_LINKAGE_TYPES}
# How a request may write the roles each subject takes: case-carrying or case_carrying.
_CHILD_ROLES = role_spellings(CHILD_ROLES)
_APPLICATION_ROLES = role_spellings(CREATABLE_APPLICATION_ROLES)
# Roles assignments are read with but made only in the platform itself (cbo).
_NOT_CREATABLE = role_spellings(NOT_CREATABLE_ROLES)
_NOTIFY = "send_notification"  # the meta member that turns the assignment's e-mail off
# Assignments one nested create on an application may make: each is checked and written under
# the application's row lock, so the lock is held for a bounded time.
MAX_ASSIGNMENTS_PER_REQUEST = 20


def _data_object(document: Any, problems: Problems) -> dict[str, Any] | None:
    if not isinstance(document, dict):
        problems.add("", "the body must be a JSON:API document (an object)")
        return None
    data = document.get("data")
    if not isinstance(data, dict):
        problems.add("/data", "must be a resource object")
        return None
    return data


def _check_type(data: dict[str, Any], allowed: tuple[str, ...], fallback: Any = None) -> str:
    """The resource type; a type this endpoint does not take is a conflict (409)."""
    kind = data.get("type", fallback)
    if not isinstance(kind, str) or kind not in allowed:
        raise Conflict(f"this endpoint takes resources of type {', '.join(allowed)}, not {kind!r}")
    return str(kind)


def _check_id(data: dict[str, Any], record_id: str) -> None:
    given = data.get("id", record_id)
    if not isinstance(given, str):
        raise Invalid.field("/data/id", "must be a string")
    if given != record_id:
        detail = f"the body is about {given!r}, the URL about {record_id!r}"
        raise Conflict(detail, [FieldProblem(detail, pointer="/data/id")])


_CLIENT_ID = (
    f"must be 1–{MAX_CLIENT_RECORD_ID} letters, digits, '_' or '-' (or leave it out for a new id)"
)


def _own_id(data: dict[str, Any], at: str, problems: Problems) -> str | None:
    """The id a create's resource object brings (JSON:API lets a client choose it), or None."""
    given = data.get("id")
    if given is None:
        return None
    if not isinstance(given, str) or not is_client_record_id(given):
        problems.add(f"{at}/id", _CLIENT_ID)
        return None
    return given


def own_id(document: dict[str, Any]) -> str | None:
    """The id a create's document brought, once `resource_attributes` has checked it."""
    given = document["data"].get("id")
    return given if isinstance(given, str) else None


def resource_attributes(
    document: Any,
    allowed_types: tuple[str, ...],
    model: type[schemas.Attributes],
    table: str,
    updating: str | None = None,
) -> tuple[str, schemas.Attributes]:
    """``{"data": {"type", "attributes"}}`` → (type, validated attributes).

    ``updating`` is the id in the URL of an update; the body's ``id``, when given, must match it.
    A create's ``id``, when given, is the client's own id for the new record (`own_id`).
    """
    kind, attributes, _ = resource_with_links(document, allowed_types, model, table, updating)
    return kind, attributes


def resource_with_links(
    document: Any,
    allowed_types: tuple[str, ...],
    model: type[schemas.Attributes],
    table: str,
    updating: str | None = None,
    links: dict[str, tuple[str, ...]] | None = None,
    typeless: str | None = None,
    required: tuple[str, ...] = (),
) -> tuple[str, schemas.Attributes, dict[str, str | None]]:
    """``resource_attributes``, and the to-one relationships ``links`` allows (name → the
    types it takes): each one sent, by name, to the id it names or None for ``data: null``.
    ``typeless`` is the type of a resource object sent without one (Binti's bodies name none);
    the relationships in ``required`` must name a record."""
    problems = Problems()
    data = _data_object(document, problems)
    problems.raise_if_any()
    assert data is not None
    kind = _check_type(data, allowed_types, typeless)
    if updating is not None:
        _check_id(data, updating)
    else:
        _own_id(data, "/data", problems)
    raw = data.get("attributes", {})
    if not isinstance(raw, dict):
        problems.add("/data/attributes", "must be an object")
        problems.raise_if_any()
    values, keys = snake_keys(raw, "/data/attributes")
    attributes = problems.validate(model, values, "/data/attributes", keys)
    sent = _settable_links(data, table, links or {}, problems)
    for name in required:
        if name not in sent and not problems:
            problems.add(pointer_to(["data", "relationships", name]), REQUIRED)
        elif sent.get(name, "") is None:
            problems.add(pointer_to(["data", "relationships", name, "data"]), "must not be null")
    if attributes is not None and updating is not None:
        for name in model.never_null:
            if name in attributes.model_fields_set and getattr(attributes, name) is None:
                problems.add(f"/data/attributes/{keys[name]}", "cannot be null")
    problems.raise_if_any()
    return kind, attributes, sent


def record_or_member(
    document: Any,
    member: str,
    allowed_types: tuple[str, ...],
    model: type[schemas.Attributes],
    table: str,
) -> tuple[str, schemas.Attributes, str | None]:
    """A create's body: a JSON:API document, or the Binti-compatible API's own shape
    ``{member: {snake_case attributes}}`` (``{"child": {"last_name": …}}``), read as a resource
    of the first of ``allowed_types``; with the client's own id for the record, if it gave one
    (``data.id``: Binti's own shape has none)."""
    if isinstance(document, dict) and member in document:
        return allowed_types[0], member_attributes(document, member, model), None
    resource_type, attributes = resource_attributes(document, allowed_types, model, table)
    return resource_type, attributes, own_id(document)


def record_or_member_update(
    document: Any,
    member: str,
    allowed_types: tuple[str, ...],
    model: type[schemas.Attributes],
    table: str,
    record_id: str,
) -> tuple[str, schemas.Attributes]:
    """An update's body: a JSON:API document (one without ``data.type``, as Binti's name none,
    is of the first of ``allowed_types``), or Binti's ``{member: {snake_case attributes}}``;
    either way only the attributes sent change."""
    if isinstance(document, dict) and member in document:
        return allowed_types[0], member_attributes(document, member, model, updating=True)
    kind, attributes, _ = resource_with_links(
        document, allowed_types, model, table, record_id, typeless=allowed_types[0]
    )
    return kind, attributes


def member_attributes(
    document: dict[str, Any], member: str, model: type[schemas.Attributes], updating: bool = False
) -> schemas.Attributes:
    """``{member: {attributes}}`` → validated attributes; every problem points into the body as
    sent (``/child/last_name``), and a member beside it (``data`` too) is refused. An update
    (``updating``) may leave an attribute out but not set a needed one to null."""
    problems = Problems()
    for key in document:
        if key != member:
            problems.add(pointer_to([key]), f"send the {member} alone, without other members")
    raw = document[member]
    at = pointer_to([member])
    if not isinstance(raw, dict):
        problems.add(at, "must be an object of attributes")
        problems.raise_if_any()
    values, keys = snake_keys(raw, at)
    attributes: schemas.Attributes = problems.validate(model, values, at, keys, spelled=str)
    if attributes is not None and updating:
        for name in model.never_null:
            if name in attributes.model_fields_set and getattr(attributes, name) is None:
                problems.add(pointer_to([member, keys.get(name, name)]), "cannot be null")
    problems.raise_if_any()
    return attributes


def _settable_links(
    data: dict[str, Any], table: str, links: dict[str, tuple[str, ...]], problems: Problems
) -> dict[str, str | None]:
    """The relationships a client may set here (``links``), each to an id or to None; every
    other one named is refused, not ignored."""
    relationships = data.get("relationships", {})
    if not isinstance(relationships, dict):
        problems.add("/data/relationships", "must be an object")
        return {}
    sent: dict[str, str | None] = {}
    for name, relationship in relationships.items():
        if name not in links:
            problems.add(
                pointer_to(["data", "relationships", name]), f"is not a relationship of {table}"
            )
        elif isinstance(relationship, dict) and relationship.get("data", {}) is None:
            sent[name] = None
        else:
            record_id = _linkage(relationships, name, links[name], "/data", problems)
            if record_id is not None:
                sent[name] = record_id
    return sent


def _linkage(
    relationships: dict[str, Any], name: str, types: tuple[str, ...], at: str, problems: Problems
) -> str | None:
    """The id a to-one relationship names, or None after adding its problems."""
    pointer = f"{at}/relationships/{name}"
    relationship = relationships.get(name)
    if not isinstance(relationship, dict):
        problems.add(pointer, "must be a relationship object with data")
        return None
    if "data" not in relationship:
        problems.add(f"{pointer}/data", REQUIRED)
        return None
    data = relationship["data"]
    if data is None:
        problems.add(f"{pointer}/data", "must not be null")
        return None
    if not isinstance(data, dict):
        problems.add(f"{pointer}/data", "must be a resource identifier object")
        return None
    if data.get("type") not in types:
        problems.add(f"{pointer}/data/type", f"must be {' or '.join(types)}")
    record_id = data.get("id")
    if not isinstance(record_id, str) or not record_id:
        problems.add(f"{pointer}/data/id", "must be a non-empty string")
        return None
    return record_id if data.get("type") in types else None


def _role(
    data: dict[str, Any], at: str, allowed: dict[str, WorkerRole], problems: Problems
) -> WorkerRole | None:
    raw = data.get("attributes")
    if not isinstance(raw, dict):
        problems.add(f"{at}/attributes", "must be an object with the role")
        return None
    for key in raw:
        if key != "role":
            problems.add(f"{at}/attributes/{key}", "is not an attribute of worker assignments")
    role = raw.get("role")
    if role is None:
        problems.add(f"{at}/attributes/role", REQUIRED)
        return None
    if isinstance(role, str) and role in _NOT_CREATABLE:
        problems.add(
            f"{at}/attributes/role",
            f"{role} assignments cannot be made through the API (only in the platform itself);"
            f" send one of {', '.join(allowed)}",
        )
        return None
    if not isinstance(role, str) or role not in allowed:
        problems.add(f"{at}/attributes/role", f"must be one of {', '.join(allowed)}")
        return None
    return allowed[role]


def _notify(data: dict[str, Any], at: str, problems: Problems) -> bool:
    meta = data.get("meta", {})
    if not isinstance(meta, dict):
        problems.add(f"{at}/meta", "must be an object")
        return True
    spelled = [key for key in meta if field_name(key) == _NOTIFY]  # either spelling, once
    if len(spelled) > 1:
        raise given_twice(f"{at}/meta/{spelled[0]}", f"{at}/meta/{spelled[1]}")
    value = meta[spelled[0]] if spelled else True
    if not isinstance(value, bool):
        problems.add(f"{at}/meta/{member_name(_NOTIFY)}", "must be true or false")
        return True
    return value


def _assignment(
    data: Any, at: str, path_subject: Subject | None, problems: Problems, fallback_type: Any
) -> tuple[Wanted | None, Subject | None]:
    """One resource object of a create request."""
    if not isinstance(data, dict):
        problems.add(at, "must be a resource object")
        return None, None
    _check_type(data, (ASSIGNMENT_TYPE,), fallback_type)
    relationships = data.get("relationships")
    if not isinstance(relationships, dict):
        problems.add(f"{at}/relationships", "must name the worker and the child or application")
        return None, None
    worker_id = _linkage(relationships, "worker", (WORKERS,), at, problems)
    subject = path_subject
    if path_subject is not None:
        other = "child" if path_subject.column == "child_id" else "application"
        if other in relationships:
            problems.add(f"{at}/relationships/{other}", f"the {other} is named by the URL")
        stray = "application" if other == "child" else "child"
        if stray in relationships:
            problems.add(f"{at}/relationships/{stray}", f"cannot be assigned on this {other}")
    elif "child" in relationships and "application" in relationships:
        problems.add(f"{at}/relationships", "send either a child or an application, not both")
    elif "child" in relationships:
        child_id = _linkage(relationships, "child", (CHILDREN,), at, problems)
        subject = None if child_id is None else Subject("child_id", child_id, from_path=False)
    elif "application" in relationships:
        application_id = _linkage(
            relationships, "application", APPLICATION_LINKAGE_TYPES, at, problems
        )
        if application_id is not None:
            subject = Subject("application_id", application_id, from_path=False)
    else:
        problems.add(f"{at}/relationships", "a child or an application is required")
    for key in relationships:
        if key not in ("worker", "child", "application"):
            problems.add(f"{at}/relationships/{key}", "is not a relationship of worker assignments")
    role = _role(data, at, _roles_for(subject, relationships), problems)
    notify = _notify(data, at, problems)
    assignment_id = _own_id(data, at, problems)
    if worker_id is None or role is None or subject is None:
        return None, subject
    return Wanted(role, worker_id, notify, at, assignment_id), subject


def _roles_for(subject: Subject | None, relationships: dict[str, Any]) -> dict[str, WorkerRole]:
    """The roles the request's shape allows; any role while the shape itself is in doubt."""
    if subject is not None:
        return _CHILD_ROLES if subject.column == "child_id" else _APPLICATION_ROLES
    if ("child" in relationships) == ("application" in relationships):
        return _CHILD_ROLES | _APPLICATION_ROLES
    return _CHILD_ROLES if "child" in relationships else _APPLICATION_ROLES


def _distinct_ids(wanted: list[Wanted]) -> None:
    """Two items of one request bringing the same id clash as an existing one would (409)."""
    seen: set[str] = set()
    for item in wanted:
        if item.assignment_id is None:
            continue
        if item.assignment_id in seen:
            detail = f"the id {item.assignment_id} is given to two assignments"
            raise Conflict(detail, [FieldProblem(detail, pointer=f"{item.pointer}/id")])
        seen.add(item.assignment_id)


def assignment_request(
    document: Any, path_subject: Subject | None, many: bool
) -> tuple[Subject, list[Wanted]]:
    """A create request: one resource object, or (``many``) an array of them on one subject."""
    problems = Problems()
    if not isinstance(document, dict):
        problems.add("", "the body must be a JSON:API document (an object)")
        problems.raise_if_any()
    fallback_type = document.get("type")
    data = document.get("data")
    if many:
        if not isinstance(data, list) or not data:
            problems.add("/data", "must be a non-empty array of resource objects")
            problems.raise_if_any()
        if len(data) > MAX_ASSIGNMENTS_PER_REQUEST:
            problems.add(
                "/data",
                f"holds {len(data)} assignments; send at most {MAX_ASSIGNMENTS_PER_REQUEST}"
                " in one request",
            )
            problems.raise_if_any()
        items = [(item, f"/data/{index}") for index, item in enumerate(data)]
    else:
        if not isinstance(data, dict):
            problems.add("/data", "must be a resource object")
            problems.raise_if_any()
        items = [(data, "/data")]
    wanted: list[Wanted] = []
    subject: Subject | None = None
    for item, at in items:
        one, its_subject = _assignment(item, at, path_subject, problems, fallback_type)
        if one is not None:
            wanted.append(one)
        subject = subject or its_subject
    problems.raise_if_any()
    _distinct_ids(wanted)
    assert subject is not None
    return subject, wanted


# --- an application's intake, as Binti takes it ------------------------------------------------

_INTAKE_PROFILES = {
    "applicant-agency-profile": ProfileRole.APPLICANT,
    "co-applicant-agency-profile": ProfileRole.CO_APPLICANT,
}
_INLINE_ASSIGNMENTS = "worker-assignments"
INITIAL_TYPE = ApplicationKind.INITIAL.resource_type
_SUPPRESS_WELCOME = "suppress_welcome_email"


@dataclass(frozen=True)
class Intake:
    """A create of an application: its attributes, the people made with it (by role), the
    workers assigned to it, and whether the welcome e-mail was turned off."""

    resource_type: str
    attributes: schemas.Attributes
    people: dict[ProfileRole, schemas.ProfileIntake] = field(default_factory=dict)
    wanted: list[Wanted] = field(default_factory=list)
    suppress_welcome_email: bool = False
    own_id: str | None = None  # the client's own id for the application (``data.id``)


def application_intake(document: Any, allowed_types: tuple[str, ...]) -> Intake:
    """A create of an application: JSON:API's plain form, or Binti's, with the applicant (and
    co-applicant) written inline in their relationships, worker assignments inline, and
    ``meta.suppress-welcome-email``. Every problem is found before anything is written.

    Binti's intake names no type: an application taken in so is an initial one."""
    problems = Problems()
    data = _data_object(document, problems)
    problems.raise_if_any()
    assert data is not None
    kind = _check_type(data, allowed_types, INITIAL_TYPE)
    chosen_id = _own_id(data, "/data", problems)
    raw = data.get("attributes", {})
    if not isinstance(raw, dict):
        problems.add("/data/attributes", "must be an object")
        problems.raise_if_any()
    values, keys = snake_keys(raw, "/data/attributes")
    if "status" in values and values["status"] is None:
        del values["status"]  # Binti's intake takes a null status: the new application's own
    attributes = problems.validate(schemas.ApplicationCreate, values, "/data/attributes", keys)
    relationships = data.get("relationships", {})
    people: dict[ProfileRole, schemas.ProfileIntake] = {}
    wanted: list[Wanted] = []
    if not isinstance(relationships, dict):
        problems.add("/data/relationships", "must be an object")
    else:
        for name, relationship in relationships.items():
            at = pointer_to(["data", "relationships", name])
            if name in _INTAKE_PROFILES:
                role = _INTAKE_PROFILES[name]
                person = _inline_profile(relationship, f"{at}/data", role, problems)
                if person is not None:
                    people[role] = person
            elif name == _INLINE_ASSIGNMENTS:
                wanted = _inline_assignments(relationship, f"{at}/data", problems)
            else:
                problems.add(at, "is not a relationship an application is created with")
    suppress = _suppress_welcome(data, problems)
    problems.raise_if_any()
    _distinct_ids(wanted)
    return Intake(kind, attributes, people, wanted, suppress, chosen_id)


def _inline_profile(
    relationship: Any, at: str, role: ProfileRole, problems: Problems
) -> schemas.ProfileIntake | None:
    """A person written inline (``ProfileIntake`` says what it needs; a family id only an
    applicant may have)."""
    if not isinstance(relationship, dict) or not isinstance(relationship.get("data"), dict):
        problems.add(at, "must be an object with the person's attributes")
        return None
    values, keys = snake_keys(relationship["data"], at)
    person: schemas.ProfileIntake | None = problems.validate(
        schemas.ProfileIntake, values, at, keys
    )
    if values.get("family_id") is not None and role not in schemas.FAMILY_ID_ROLES:
        problems.add(at + pointer_to([keys["family_id"]]), schemas.NOT_FAMILY_ID)
    return person


def _inline_assignments(relationship: Any, at: str, problems: Problems) -> list[Wanted]:
    data = relationship.get("data") if isinstance(relationship, dict) else None
    if not isinstance(data, list) or not data:
        problems.add(at, "must be a non-empty array of worker assignments")
        return []
    if len(data) > MAX_ASSIGNMENTS_PER_REQUEST:
        problems.add(
            at,
            f"holds {len(data)} assignments; send at most "
            f"{MAX_ASSIGNMENTS_PER_REQUEST} in one request",
        )
        return []
    # The application is the one being made: named by the request itself, as by a path.
    made = Subject("application_id", "", from_path=True)
    wanted = []
    for index, item in enumerate(data):
        one, _ = _assignment(item, f"{at}/{index}", made, problems, ASSIGNMENT_TYPE)
        if one is not None:
            wanted.append(one)
    return wanted


def _suppress_welcome(data: dict[str, Any], problems: Problems) -> bool:
    meta = data.get("meta", {})
    if not isinstance(meta, dict):
        problems.add("/data/meta", "must be an object")
        return False
    value: Any = False
    for key, given in meta.items():
        if field_name(key) != _SUPPRESS_WELCOME:
            problems.add(pointer_to(["data", "meta", key]), "is not a meta member of this request")
        elif not isinstance(given, bool):
            problems.add(pointer_to(["data", "meta", key]), "must be true or false")
        else:
            value = given
    return bool(value)


# --- a caseload transfer -----------------------------------------------------------------------

_TRANSFER_MEMBERS = ("type", "attributes", "relationships", "meta")


def caseload_transfer(document: Any) -> Transfer:
    """``{"data": {"type": "caseload-transfers", "attributes": {roles, reason, dry-run},
    "relationships": {"target-worker": …}, "meta": {"send-notification": …}}}``, every problem
    at its pointer, all at once (422); another type is 409, as for every document here."""
    problems = Problems()
    data = _data_object(document, problems)
    problems.raise_if_any()
    assert data is not None
    _check_type(data, (TRANSFER_TYPE,))
    for key in data:
        if key not in _TRANSFER_MEMBERS:
            problems.add(pointer_to(["data", key]), "is not a member of a caseload transfer")
    raw = data.get("attributes")
    if not isinstance(raw, dict):
        problems.add("/data/attributes", "must be an object with the roles and the reason")
        raw = {}
    values, keys = snake_keys(raw, "/data/attributes")
    attributes = problems.validate(
        schemas.CaseloadTransferAttributes, values, "/data/attributes", keys
    )
    target_id = _target_worker(data, problems)
    notify = _transfer_notify(data, problems)
    problems.raise_if_any()
    assert attributes is not None
    assert target_id is not None
    return Transfer(
        tuple(attributes.roles), target_id, attributes.reason, attributes.dry_run, notify
    )


def _target_worker(data: dict[str, Any], problems: Problems) -> str | None:
    relationships = data.get("relationships")
    if not isinstance(relationships, dict) or TARGET_WORKER not in relationships:
        problems.add(f"/data/relationships/{TARGET_WORKER}", REQUIRED)
        return None
    for name in relationships:
        if name != TARGET_WORKER:
            problems.add(
                pointer_to(["data", "relationships", name]),
                "is not a relationship of a caseload transfer",
            )
    return _linkage(relationships, TARGET_WORKER, (WORKERS,), "/data", problems)


def _transfer_notify(data: dict[str, Any], problems: Problems) -> bool:
    """``meta.send-notification`` (either spelling), true unless false is sent; any other
    member of ``meta`` is refused."""
    meta = data.get("meta", {})
    if not isinstance(meta, dict):
        problems.add("/data/meta", "must be an object")
        return True
    for key in meta:
        if field_name(key) != _NOTIFY:
            problems.add(pointer_to(["data", "meta", key]), "is not a meta member of this request")
    return _notify(data, "/data", problems)
