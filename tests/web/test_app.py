"""The application as a whole: its OpenAPI document."""

from __future__ import annotations

import httpx


async def test_the_openapi_document_requires_a_bearer_token_everywhere(
    api: httpx.AsyncClient,
) -> None:
    document = (await api.get("/openapi.json")).json()
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert document["security"] == [{"bearer": []}]


async def test_every_operation_documents_its_problem_responses(api: httpx.AsyncClient) -> None:
    document = (await api.get("/openapi.json")).json()
    for path, operations in document["paths"].items():
        if not path.startswith(("/api/v1/assignments", "/api/v1/mentors", "/api/v1/contacts")):
            continue
        for method, operation in operations.items():
            for status in ("401", "404", "422"):
                content = operation["responses"][status]["content"]
                assert "application/problem+json" in content, (method, path, status)
