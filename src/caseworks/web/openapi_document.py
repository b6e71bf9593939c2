"""The OpenAPI document, built once from the endpoint declarations: no schema is written twice.

Operations come from `endpoints.operations`; the document adds what is said once for all of
them: who we are, and that every operation needs a bearer token.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from caseworks import __version__
from caseworks.web.bearer import BEARER_SCHEME
from caseworks.web.endpoints import Endpoint, operations

TITLE = "caseworks"
SUMMARY = "Assign people to cases and keep track of caseloads."
DESCRIPTION = (
    "Mentor assignments (REST, RFC 9457 errors) and worker assignments for children and "
    "foster-family applications (JSON:API 1.1). Every operation needs a bearer token."
)


def openapi_document(endpoints: Sequence[Endpoint]) -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    paths = operations(endpoints, schemas)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": TITLE,
            "summary": SUMMARY,
            "description": DESCRIPTION,
            "version": __version__,
        },
        "paths": paths,
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "securitySchemes": {"bearer": BEARER_SCHEME},
        },
        "security": [{"bearer": []}],
    }
