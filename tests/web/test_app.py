"""The application as a whole: its OpenAPI document, and which code serves which path."""

from __future__ import annotations

import httpx

from caseworks.web.app import Caseworks, declared_endpoints


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


A = "/api/v1/assignments"
# The operationIds a generated client names its methods after: unique, and kept.
MENTORING_OPERATIONS = {
    ("get", A): "list_assignments",
    ("post", A): "create_assignment",
    ("get", f"{A}/{{assignment_id}}"): "get_assignment",
    ("put", f"{A}/{{assignment_id}}"): "update_assignment",
    ("delete", f"{A}/{{assignment_id}}"): "delete_assignment",
    ("patch", f"{A}/{{assignment_id}}/status"): "change_assignment_status",
    ("get", f"{A}/{{assignment_id}}/events"): "assignment_events",
    ("post", f"{A}/{{assignment_id}}/reassign"): "reassign_assignment",
    ("post", f"{A}/bulk-reassign"): "bulk_reassign_assignments",
    ("get", f"{A}/mentor/{{mentor_id}}/active"): "mentor_active_assignments",
    ("get", f"{A}/mentor/{{mentor_id}}/history"): "mentor_assignment_history",
    ("get", f"{A}/mentor/{{mentor_id}}/open-count"): "mentor_open_count",
    ("get", "/api/v1/caseloads/mentors"): "list_mentor_caseloads",
    ("get", "/api/v1/caseloads/summary"): "caseload_summary",
    **{
        (method, f"/api/v1/{table}{suffix}"): f"{verb}_{noun if verb != 'list' else table}"
        for table, noun in (("mentors", "mentor"), ("contacts", "contact"))
        for method, suffix, verb in (
            ("get", "", "list"),
            ("post", "", "create"),
            ("get", "/{person_id}", "get"),
            ("put", "/{person_id}", "update"),
            ("delete", "/{person_id}", "delete"),
        )
    },
}


def ref(model: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{model}"}


async def test_the_mentoring_operations_keep_their_ids_parameters_and_schemas(
    api: httpx.AsyncClient,
) -> None:
    document = (await api.get("/openapi.json")).json()
    paths = document["paths"]
    found = {
        (method, path): operation["operationId"]
        for path, operations in paths.items()
        if path.startswith((A, "/api/v1/mentors", "/api/v1/contacts", "/api/v1/caseloads"))
        for method, operation in operations.items()
    }
    assert found == MENTORING_OPERATIONS
    every_id = [operation["operationId"] for ops in paths.values() for operation in ops.values()]
    assert len(every_id) == len(set(every_id))

    listing = paths[A]["get"]
    assert [parameter["name"] for parameter in listing["parameters"]] == [
        "page",
        "limit",
        "mentor_id",
        "contact_id",
        "status",
        "assigned_from",
        "assigned_to",
        "last_contact_before",
        "stale",
        "sort",
        "format",
    ]
    assert listing["responses"]["200"]["content"]["application/json"]["schema"] == ref(
        "AssignmentPage"
    )
    create = paths["/api/v1/mentors"]["post"]
    assert [parameter["name"] for parameter in create["parameters"]] == ["Idempotency-Key"]
    assert create["requestBody"] == {
        "required": True,
        "content": {"application/json": {"schema": ref("MentorCreate")}},
    }
    assert create["responses"]["201"]["content"]["application/json"]["schema"] == ref("Mentor")
    assert set(create["responses"]) == {
        "201",
        "400",
        "401",
        "403",
        "404",
        "409",
        "413",
        "415",
        "422",
        "429",
    }
    history = paths[f"{A}/mentor/{{mentor_id}}/history"]["get"]
    assert [(p["name"], p["in"]) for p in history["parameters"]] == [
        ("mentor_id", "path"),
        ("page", "query"),
        ("limit", "query"),
        ("format", "query"),
    ]
    assert document["components"]["schemas"]["AssignmentPage"]["properties"]["data"] == {
        "items": ref("AssignmentSummary"),
        "title": "Data",
        "type": "array",
    }


JSONAPI_PATHS = (
    "/api/v1/worker_assignments",
    "/api/v1/children",
    "/api/v1/applications",
    "/api/v1/agency_workers",
    "/api/v1/user_agency_profiles",
    "/api/v1/worker_caseloads",
)


async def test_every_jsonapi_operation_documents_its_documents_and_errors(
    api: httpx.AsyncClient,
) -> None:
    document = (await api.get("/openapi.json")).json()
    seen = 0
    for path, operations in document["paths"].items():
        if not path.startswith(JSONAPI_PATHS):
            continue
        for method, operation in operations.items():
            seen += 1
            responses = operation["responses"]
            for status in ("400", "401", "403", "404", "409", "413", "415", "422", "429"):
                # Either media type, as the client's Accept chooses (the same document).
                content = responses[status]["content"]
                assert list(content) == ["application/vnd.api+json", "application/json"]
                for media_type in content.values():
                    assert media_type["schema"] == {"$ref": "#/components/schemas/JSONAPIErrors"}
                schema = document["components"]["schemas"]["JSONAPIErrors"]
                assert schema["required"] == ["errors"], (method, path, status)
                required = schema["properties"]["errors"]["items"]["required"]
                assert required == ["id", "status", "code", "title"]
            successes = [status for status in responses if status.startswith("2")]
            for status in successes:
                if status != "204":
                    content = responses[status]["content"]
                    # A list answers as a CSV file too (format=csv): see test_csv_export.
                    documents = [kind for kind in content if kind != "text/csv"]
                    assert documents == ["application/vnd.api+json", "application/json"]
                    assert "text/csv" not in content or method == "get"
                    reference = content["application/vnd.api+json"]["schema"]
                    assert content["application/json"]["schema"] == reference
                    name = reference["$ref"].removeprefix("#/components/schemas/")
                    schema = document["components"]["schemas"][name]
                    assert schema["type"] == "object", (method, path, status)
            if method == "post" and path.endswith("worker_assignments"):
                assert successes == ["201", "200"], path  # 200 when nothing was new
    assert seen == 29


def test_every_path_is_served_by_its_declared_endpoint_alone(app: Caseworks) -> None:
    """One path per operation: the callable compiled from its declaration, and nothing else
    registered for the same method and path."""
    declared = {(endpoint.path, endpoint.method) for endpoint in declared_endpoints()}
    served = {
        (entry.template, method)
        for entry in app.route_table.entries
        for method in entry.methods
        if entry.template.startswith("/api/")
    }
    assert served == declared
    compiled = {
        (entry.template, method): type(callable_).__name__
        for entry in app.route_table.entries
        for method, callable_ in entry.methods.items()
        if entry.template.startswith("/api/")
    }
    assert set(compiled.values()) == {"_Compiled"}
    assert len(declared) == len(declared_endpoints())  # no endpoint declared twice
