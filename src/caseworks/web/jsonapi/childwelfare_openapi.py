"""The OpenAPI description of the JSON:API surface's documents, whose endpoints read their
requests themselves (the error document is error_documents.ERROR_SCHEMA).

Request bodies are described per operation from the same Pydantic models that validate them,
with the attribute names clients send (kebab-case); the resources of answers from the same
models too, so a record's attributes are listed nowhere but in its model.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel

from caseworks.childwelfare.caseload_transfers import Outcome
from caseworks.childwelfare.childwelfare_models import (
    DERIVED_MODELS,
    PROFILE_APPLICATIONS,
    RECORD_MODELS,
    SHOWN_MODELS,
    ApplicationCreate,
    CaseloadTransferAttributes,
    ProfileIntake,
    ProfileNew,
)
from caseworks.childwelfare.terms import (
    APPLICATION_TYPES,
    CREATABLE_ROLES,
    WorkerRole,
    role_spellings,
)
from caseworks.core.ids import CLIENT_RECORD_ID
from caseworks.web.jsonapi.childwelfare_documents import (
    MAX_ASSIGNMENTS_PER_REQUEST,
    TARGET_WORKER,
    TRANSFER_TYPE,
)
from caseworks.web.jsonapi.childwelfare_resources import (
    APPLICATION_LINKAGE_TYPES,
    ASSIGNMENTS,
    CASELOADS,
    CHILDREN,
    PROFILES,
    WORKERS,
)
from caseworks.web.jsonapi.names import member_name

# --- what successes return ----------------------------------------------------------------------

_TEXT: dict[str, Any] = {"type": "string"}
# A create may bring the new resource's id (an agency keeping its ids from Binti); else one is
# made.
CLIENT_ID_SCHEMA: dict[str, Any] = {
    "type": "string",
    "pattern": f"^{CLIENT_RECORD_ID.pattern}$",
    "description": "The client's own id for the new resource (unique per agency and type);"
    " left out, one is made.",
}
_TIME: dict[str, Any] = {"type": "string", "format": "date-time"}
_COUNT: dict[str, Any] = {"type": "integer", "minimum": 0}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def _object(properties: dict[str, Any], *, closed: bool = True) -> dict[str, Any]:
    """An object with every listed property present."""
    return {
        "type": "object",
        "required": list(properties),
        "properties": properties,
        "additionalProperties": not closed,
    }


def _resource(
    types: tuple[str, ...], attributes: dict[str, Any], relationships: dict[str, Any] | None = None
) -> dict[str, Any]:
    resource = _object(
        {
            "type": {"enum": list(types)},
            "id": _TEXT,
            "attributes": _object({**attributes, "created-at": _TIME, "updated-at": _TIME}),
            "links": _object({"self": _TEXT}),
        }
    )
    if relationships is not None:
        resource["properties"]["relationships"] = {
            "type": "object",
            "required": ["worker", "applicant-profile"],
            "minProperties": 3,  # the worker, the child or the application, the applicant
            "properties": relationships,
            "additionalProperties": False,
        }
        resource["required"].append("relationships")
    return resource


def _linkage(*types: str, closed: bool = False) -> dict[str, Any]:
    """A relationship naming one record of these types: closed in what we answer, open to the
    ``meta`` a client may add in what it sends."""
    return _object(
        {"data": _object({"type": {"enum": list(types)}, "id": _TEXT}, closed=closed)},
        closed=closed,
    )


def _answered(schema: dict[str, Any]) -> dict[str, Any]:
    """An attribute's schema as answers hold it: its type, without the bounds of input (a row
    written before a bound was added still answers)."""
    if "anyOf" in schema:
        return {"anyOf": [_answered(option) for option in schema["anyOf"]]}
    kept = {key: value for key, value in schema.items() if key in ("type", "enum")}
    if schema.get("format") in ("date", "date-time"):
        kept["format"] = schema["format"]
    if "items" in schema:
        kept["items"] = _answered(schema["items"])
    if "properties" in schema:  # an object attribute: its members, as answers hold them
        kept["properties"] = {
            name: _answered(member) for name, member in schema["properties"].items()
        }
        kept |= {key: schema[key] for key in ("required", "additionalProperties") if key in schema}
    return kept


def answered_attributes(model: type[BaseModel]) -> dict[str, Any]:
    """A resource's attributes in answers, from the model that creates its records: each one
    always present, null only where the model allows null."""
    properties = model.model_json_schema(mode="serialization")["properties"]
    return {member_name(name): _answered(schema) for name, schema in properties.items()}


def _maybe(*types: str) -> dict[str, Any]:
    """A to-one relationship that may be empty (``data: null``), as answers hold it."""
    return _object({"data": _nullable(_object({"type": {"enum": list(types)}, "id": _TEXT}))})


def _many(*types: str) -> dict[str, Any]:
    item = _object({"type": {"enum": list(types)}, "id": _TEXT})
    return _object({"data": {"type": "array", "items": item}})


_RECORD_TYPES = {
    "agency_workers": (WORKERS,),
    "children": (CHILDREN,),
    "applications": tuple(APPLICATION_TYPES),
    "user_agency_profiles": (PROFILES,),
}
# The relationships a record's resource object always holds.
_RECORD_RELATIONSHIPS: dict[str, dict[str, Any]] = {
    "applications": {
        "applicant-agency-profile": _maybe(PROFILES),
        "co-applicant-agency-profile": _maybe(PROFILES),
    },
    "user_agency_profiles": {
        "application": _linkage(*APPLICATION_TYPES, closed=True),
        **{name: _many(*APPLICATION_TYPES) for name in PROFILE_APPLICATIONS.values()},
    },
}


def _record_resource(table: str, model: type[BaseModel]) -> dict[str, Any]:
    answered = answered_attributes(model)
    for extra in (DERIVED_MODELS, SHOWN_MODELS):
        if table in extra:
            answered |= answered_attributes(extra[table])
    resource = _resource(_RECORD_TYPES[table], answered)
    if table in _RECORD_RELATIONSHIPS:
        resource["properties"]["relationships"] = _object(_RECORD_RELATIONSHIPS[table])
        resource["required"].append("relationships")
    return resource


RECORD_RESOURCES = {table: _record_resource(table, model) for table, model in RECORD_MODELS.items()}
WORKER_RESOURCE = RECORD_RESOURCES["agency_workers"]
CHILD_RESOURCE = RECORD_RESOURCES["children"]
APPLICATION_RESOURCE = RECORD_RESOURCES["applications"]
PROFILE_RESOURCE = RECORD_RESOURCES["user_agency_profiles"]
ASSIGNMENT_RESOURCE = _resource(
    (ASSIGNMENTS,),
    {"role": {"enum": [role.value for role in WorkerRole]}},
    {
        "worker": _linkage(WORKERS, closed=True),
        "child": _linkage(CHILDREN, closed=True),
        "application": _linkage(*APPLICATION_TYPES, closed=True),
        "applicant-profile": _maybe(PROFILES),
    },
)
# The resources a compound document of worker assignments may include.
ASSIGNMENT_INCLUDED = (WORKER_RESOURCE, CHILD_RESOURCE, APPLICATION_RESOURCE, PROFILE_RESOURCE)


def _included(resources: Sequence[dict[str, Any]]) -> dict[str, Any]:
    items = resources[0] if len(resources) == 1 else {"anyOf": list(resources)}
    return {"type": "array", "items": items}


def single(resource: dict[str, Any], *, included: Sequence[dict[str, Any]] = ()) -> dict[str, Any]:
    """A document holding one resource (and, where it has any, the ``included`` resources)."""
    properties = {"data": resource}
    return {
        "type": "object",
        "required": ["data"],
        "properties": {**properties, "included": _included(included)} if included else properties,
        "additionalProperties": False,
    }


def page_of(resource: dict[str, Any], *, included: Sequence[dict[str, Any]] = ()) -> dict[str, Any]:
    """A page of a collection: its resources, ``links`` and ``meta`` (and, where it has any,
    the ``included`` resources)."""
    link = _TEXT  # as the client wrote it, so not always a strict RFC 3986 URI
    properties: dict[str, Any] = {
        "data": {"type": "array", "items": resource},
        "links": _object(
            {
                "self": link,
                "first": link,
                "prev": _nullable(link),
                "next": _nullable(link),
                "last": link,
            }
        ),
        "meta": _object(
            {
                "total-records": _COUNT,
                "page-size": {"type": "integer", "minimum": 1},
                "page-number": {"type": "integer", "minimum": 1},
                "total-pages": _COUNT,
                "sort": {
                    "type": "object",
                    "description": "The sort asked for, field → asc or desc, in order; {} when"
                    " none was asked for.",
                    "additionalProperties": {"enum": ["asc", "desc"]},
                },
            }
        ),
    }
    document = _object(properties)
    if included:
        document["properties"]["included"] = _included(included)
    return document


def attributes_schema(
    model: type[BaseModel], *, optional: bool = False, spelled: Callable[[str], str] = member_name
) -> dict[str, Any]:
    """The attributes of a request body, named as ``spelled`` says (kebab-case by default)."""
    schema = model.model_json_schema()
    properties = {spelled(name): value for name, value in schema["properties"].items()}
    for value in properties.values():
        value.pop("title", None)
    described: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }
    required = [] if optional else [spelled(name) for name in schema.get("required", [])]
    if required:
        described["required"] = required
    return described


def record_body(
    types: tuple[str, ...],
    model: type[BaseModel],
    *,
    update: bool,
    links: bool = False,
    typed: bool = True,
) -> dict[str, Any]:
    """A record's create or update; ``links``: with the applicant relationship an application's
    update may set (``data: null`` clears it); ``typed``: ``type`` required (Binti's updates
    send none)."""
    data: dict[str, Any] = {
        "type": "object",
        "required": ["type", "attributes"],
        "properties": {
            "type": {"enum": list(types)},
            "attributes": attributes_schema(model),
        },
    }
    if not typed:
        del data["required"]
    if update:
        data["properties"]["id"] = {"type": "string", "description": "The id in the URL."}
    else:
        data["properties"]["id"] = CLIENT_ID_SCHEMA
    if links:
        data["properties"]["relationships"] = {
            "type": "object",
            "properties": {"applicant-agency-profile": _maybe(PROFILES)},
            "additionalProperties": False,
        }
    return {"type": "object", "required": ["data"], "properties": {"data": data}}


def profile_body(types: tuple[str, ...]) -> dict[str, Any]:
    """A person added to an application: role, name and the rest, and the application."""
    body = record_body(types, ProfileNew, update=False, typed=False)
    data = body["properties"]["data"]
    data["required"] = ["attributes", "relationships"]
    data["properties"]["relationships"] = {
        "type": "object",
        "required": ["application"],
        "properties": {"application": _linkage(*APPLICATION_LINKAGE_TYPES)},
        "additionalProperties": False,
    }
    return body


def _inline_person() -> dict[str, Any]:
    schema = attributes_schema(ProfileIntake)
    schema["properties"] = {
        name.replace("-", "_"): value for name, value in schema["properties"].items()
    }
    return {
        "type": "object",
        "required": ["data"],
        "properties": {"data": schema},
        "description": "The person, made with the application: first_name and last_name (or"
        " name alone), and an email or a phone_number.",
    }


def _intake_attributes() -> dict[str, Any]:
    """An application's attributes, as its intake takes them: a null status (Binti's intake
    allows one) is the new application's default."""
    schema = attributes_schema(ApplicationCreate)
    status = schema["properties"]["status"]
    schema["properties"]["status"] = {
        "anyOf": [status, {"type": "null"}],
        "default": status.pop("default"),
        "description": "Null, or left out: the default.",
    }
    return schema


def intake_body(types: tuple[str, ...]) -> dict[str, Any]:
    """An application's intake: its attributes, the applicant and co-applicant inline, worker
    assignments inline, and ``meta.suppress-welcome-email``."""
    inline = assignment_resource(subject_in_body=False)
    inline["required"] = ["attributes", "relationships"]
    inline["properties"]["type"] = {"enum": [ASSIGNMENTS]}
    assignments = {
        "type": "object",
        "required": ["data"],
        "properties": {
            "data": {
                "type": "array",
                "items": inline,
                "minItems": 1,
                "maxItems": MAX_ASSIGNMENTS_PER_REQUEST,
            }
        },
    }
    data = {
        "type": "object",
        "properties": {
            "type": {"enum": list(types)},  # Binti sends none: an initial application
            "attributes": _intake_attributes(),
            "relationships": {
                "type": "object",
                "properties": {
                    "applicant-agency-profile": _inline_person(),
                    "co-applicant-agency-profile": _inline_person(),
                    "worker-assignments": assignments,
                },
                "additionalProperties": False,
            },
            "meta": {
                "type": "object",
                "properties": {"suppress-welcome-email": {"type": "boolean"}},
                "additionalProperties": False,
            },
        },
    }
    return {"type": "object", "required": ["data"], "properties": {"data": data}}


def member_body(member: str, model: type[BaseModel]) -> dict[str, Any]:
    """The Binti-compatible create or update body: ``{member: {snake_case attributes}}``."""
    return {
        "type": "object",
        "required": [member],
        "properties": {member: attributes_schema(model, spelled=str)},
        "additionalProperties": False,
    }


# Those a create may name: a cbo assignment is read, never made, through the API.
_ROLE_NAMES = list(role_spellings(CREATABLE_ROLES))


def assignment_resource(*, subject_in_body: bool) -> dict[str, Any]:
    relationships: dict[str, Any] = {"worker": _linkage(WORKERS)}
    if subject_in_body:
        relationships["child"] = _linkage(CHILDREN)
        relationships["application"] = _linkage(*APPLICATION_LINKAGE_TYPES)
    return {
        "type": "object",
        "required": ["type", "attributes", "relationships"],
        "properties": {
            "type": {"enum": [ASSIGNMENTS]},
            "id": CLIENT_ID_SCHEMA,
            "attributes": {
                "type": "object",
                "required": ["role"],
                "properties": {"role": {"enum": _ROLE_NAMES}},
                "additionalProperties": False,
            },
            "relationships": {
                "type": "object",
                "required": ["worker"],
                "properties": relationships,
                "additionalProperties": False,
            },
            "meta": {
                "type": "object",
                "properties": {"send-notification": {"type": "boolean"}},
            },
        },
    }


def assignment_body(*, subject_in_body: bool, many: bool) -> dict[str, Any]:
    resource = assignment_resource(subject_in_body=subject_in_body)
    # The nested application create takes an array, never a lone object: described as it is read.
    array = {
        "type": "array",
        "items": resource,
        "minItems": 1,
        "maxItems": MAX_ASSIGNMENTS_PER_REQUEST,
    }
    data = array if many else resource
    return {"type": "object", "required": ["data"], "properties": {"data": data}}


# --- caseloads ---------------------------------------------------------------------------------

CASELOAD_RESOURCE = _object(
    {
        "type": {"enum": [CASELOADS]},
        "id": {**_TEXT, "description": "The agency worker's id."},
        "attributes": _object(
            {
                **{member_name(role.value): _COUNT for role in CREATABLE_ROLES},
                "max-case-carrying": _nullable(_COUNT),
            }
        ),
        "relationships": _object({"worker": _linkage(WORKERS, closed=True)}),
        "links": _object({"self": _TEXT}),
    }
)


def transfer_body() -> dict[str, Any]:
    """A caseload transfer: the roles, the reason, dry-run; the target worker; whether the
    target is told of each moved assignment."""
    data = {
        "type": "object",
        "required": ["type", "attributes", "relationships"],
        "properties": {
            "type": {"enum": [TRANSFER_TYPE]},
            "attributes": attributes_schema(CaseloadTransferAttributes),
            "relationships": {
                "type": "object",
                "required": [TARGET_WORKER],
                "properties": {TARGET_WORKER: _linkage(WORKERS)},
                "additionalProperties": False,
            },
            "meta": {
                "type": "object",
                "properties": {"send-notification": {"type": "boolean", "default": True}},
                "additionalProperties": False,
            },
        },
        "additionalProperties": False,
    }
    return {"type": "object", "required": ["data"], "properties": {"data": data}}


_NULLABLE_ID = _nullable(_TEXT)
TRANSFER_RESULT = _object(
    {
        "worker-assignment-id": _TEXT,
        "role": {"enum": [role.value for role in CREATABLE_ROLES]},
        "child-id": _NULLABLE_ID,
        "application-id": _NULLABLE_ID,
        "result": {"enum": [outcome.value for outcome in Outcome]},
        "detail": _TEXT,
        "new-worker-assignment-id": {
            **_NULLABLE_ID,
            "description": "The assignment made for the target worker (moved, not a dry run).",
        },
    }
)
TRANSFER_ANSWER = _object(
    {
        "meta": _object(
            {
                "source-worker": _TEXT,
                "target-worker": _TEXT,
                "dry-run": {"type": "boolean"},
                "send-notification": {"type": "boolean"},
                "moved": _COUNT,
                "results": {"type": "array", "items": TRANSFER_RESULT},
            }
        ),
        "links": _object({"self": _TEXT}),
    }
)
