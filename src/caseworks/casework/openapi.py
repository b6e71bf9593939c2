"""The OpenAPI description of the JSON:API surface, whose routes read their requests themselves.

Request bodies are described per operation from the same Pydantic models that validate them,
with the attribute names clients send (kebab-case).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from starlette.responses import Response

from caseworks.casework.schemas import ROLES
from caseworks.jsonapi import MEDIA_TYPE


def doc(
    summary: str,
    parameters: list[str] | None = None,
    body: dict[str, Any] | None = None,
    success: tuple[int, ...] = (200,),
) -> dict[str, Any]:
    """OpenAPI for routes that read the request themselves: parameters, body, media types."""
    extra: dict[str, Any] = {
        "parameters": [
            {"name": name, "in": "query", "required": False, "schema": {"type": "string"}}
            for name in parameters or []
        ],
    }
    if body is not None:
        extra["requestBody"] = {"required": True, "content": {MEDIA_TYPE: {"schema": body}}}
    responses = dict(_RESPONSES)
    for status in success:
        responses[status] = {"description": "A JSON:API document"}
        if status != 204:
            responses[status]["content"] = {MEDIA_TYPE: {"schema": _DOCUMENT_SCHEMA}}
    return {
        "summary": summary,
        "openapi_extra": extra,
        "responses": responses,
        "response_class": JSONAPIResponse,
    }


class JSONAPIResponse(Response):
    media_type = MEDIA_TYPE


_RESOURCE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "id"],
    "properties": {
        "type": {"type": "string"},
        "id": {"type": "string"},
        "attributes": {"type": "object"},
        "relationships": {"type": "object"},
    },
}
_DOCUMENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["data"],
    "properties": {
        "data": {"anyOf": [_RESOURCE_SCHEMA, {"type": "array", "items": _RESOURCE_SCHEMA}]},
        "included": {"type": "array", "items": _RESOURCE_SCHEMA},
        "links": {"type": "object"},
        "meta": {"type": "object"},
    },
}
_ERROR_SCHEMA = {
    "type": "object",
    "required": ["errors"],
    "properties": {"errors": {"type": "array"}},
}
_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"description": text, "content": {MEDIA_TYPE: {"schema": _ERROR_SCHEMA}}}
    for status, text in (
        (400, "Malformed JSON or query parameter"),
        (401, "Missing, unknown or revoked token"),
        (403, "May read but not change"),
        (404, "Unknown, or not visible to this token"),
        (409, "Resource type mismatch"),
        (413, "Body over the size limit"),
        (415, "Unsupported media type"),
        (422, "Invalid document; source.pointer names each problem"),
    )
}


def _kebab(name: str) -> str:
    return name.replace("_", "-")


def attributes_schema(model: type[BaseModel], *, optional: bool = False) -> dict[str, Any]:
    schema = model.model_json_schema()
    properties = {_kebab(name): value for name, value in schema["properties"].items()}
    for value in properties.values():
        value.pop("title", None)
    described: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }
    required = [] if optional else [_kebab(name) for name in schema.get("required", [])]
    if required:
        described["required"] = required
    return described


def record_body(types: tuple[str, ...], model: type[BaseModel], *, update: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "type": "object",
        "required": ["type", "attributes"],
        "properties": {
            "type": {"enum": list(types)},
            "attributes": attributes_schema(model),
        },
    }
    if update:
        data["properties"]["id"] = {"type": "string", "description": "The id in the URL."}
    return {"type": "object", "required": ["data"], "properties": {"data": data}}


def _linkage(*types: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["data"],
        "properties": {
            "data": {
                "type": "object",
                "required": ["type", "id"],
                "properties": {"type": {"enum": list(types)}, "id": {"type": "string"}},
            }
        },
    }


APPLICATION_LINKAGE_TYPES = ("applications", "initial-applications", "renewal-applications")
_ROLE_NAMES = [*ROLES, "case-carrying"]


def assignment_resource(*, subject_in_body: bool) -> dict[str, Any]:
    relationships: dict[str, Any] = {"worker": _linkage("agency-workers")}
    if subject_in_body:
        relationships["child"] = _linkage("children")
        relationships["application"] = _linkage(*APPLICATION_LINKAGE_TYPES)
    return {
        "type": "object",
        "required": ["type", "attributes", "relationships"],
        "properties": {
            "type": {"enum": ["worker-assignments"]},
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
    data = {"anyOf": [resource, {"type": "array", "items": resource}]} if many else resource
    return {"type": "object", "required": ["data"], "properties": {"data": data}}
