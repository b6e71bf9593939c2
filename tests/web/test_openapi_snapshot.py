"""The OpenAPI document on record: every change to an operation shows up here as a diff.

After a deliberate change to an endpoint, `make openapi-snapshot` writes the new document to
`tests/web/openapi.snapshot.json`; commit it with the change, so a reviewer sees the contract's
diff beside the code's.
"""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path

import httpx
import pytest

from caseworks.web.app import declared_endpoints
from caseworks.web.openapi_document import openapi_document

SNAPSHOT = Path(__file__).with_name("openapi.snapshot.json")


def rendered() -> str:
    document = openapi_document(declared_endpoints())
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_the_openapi_document_is_the_one_on_record() -> None:
    current = rendered()
    if os.environ.get("CASEWORKS_UPDATE_SNAPSHOT") == "1":
        SNAPSHOT.write_text(current)
    recorded = SNAPSHOT.read_text()
    if current != recorded:
        diff = difflib.unified_diff(
            recorded.splitlines(), current.splitlines(), "on record", "generated", lineterm=""
        )
        shown = "\n".join(list(diff)[:200])
        pytest.fail(
            "the OpenAPI document changed; if that is meant, run `make openapi-snapshot` and "
            f"commit the snapshot:\n{shown}",
            pytrace=False,
        )


async def test_the_served_document_is_the_one_generated_from_the_declarations(
    api: httpx.AsyncClient,
) -> None:
    served = (await api.get("/openapi.json")).json()
    assert served == json.loads(rendered())
