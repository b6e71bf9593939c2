"""Schemathesis against our own /openapi.json, every operation, on a real server.

Requests are generated from the document, both valid ones (some aimed at records that exist) and
invalid ones, and sent as an admin of a seeded agency. Every response must be no 5xx, a documented
status code, a documented media type and a body that matches its documented schema; and an
operation must refuse a request without its token. ``CASEWORKS_FUZZ_EXAMPLES`` sets the examples
per operation and mode (``make fuzz`` runs many more).
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.result import Ok

from caseworks.db import DatabaseURL
from tests.support.figures import Figures
from tests.support.processes import cli_env
from tests.support.servers import serving
from tests.support.tenants import Tenant
from tests.support.world import build_world

EXAMPLES = int(os.environ.get("CASEWORKS_FUZZ_EXAMPLES", "8"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    ignored_auth,
    negative_data_rejection,
]


def real_path_parameters(ids: dict[str, str]) -> dict[str, str]:
    """Ids that exist, so valid requests also reach the records and not only 404."""
    return {
        "assignment_id": ids["assignment"],
        "mentor_id": ids["mentor"],
        "person_id": ids["mentor"],
        "record_id": ids["child"],
    }


class Tally:
    def __init__(self) -> None:
        self.cases = 0
        self.statuses: Counter[int] = Counter()
        self.failures: dict[str, str] = {}


def fuzz(
    operation: Any, base: str, headers: dict[str, str], ids: dict[str, str], tally: Tally
) -> None:
    wanted = {
        name: value
        for name, value in real_path_parameters(ids).items()
        if f"{{{name}}}" in operation.path
    }
    strategy = st.one_of(
        operation.as_strategy(schemathesis.GenerationMode.POSITIVE),
        operation.as_strategy(schemathesis.GenerationMode.NEGATIVE),
        operation.as_strategy(schemathesis.GenerationMode.POSITIVE, path_parameters=wanted),
    )

    @settings(
        max_examples=EXAMPLES * 3,
        deadline=None,
        database=None,
        derandomize=True,  # the same cases on every run: a failure in CI reproduces here
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        response = case.call(base_url=base, headers=headers, timeout=10)
        tally.cases += 1
        tally.statuses[response.status_code] += 1
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except BaseException as failure:
            tally.failures.setdefault(operation.label, str(failure)[:3000])

    run()


def test_every_operation_honours_its_documented_contract(
    database_url: DatabaseURL,
    tenant: Tenant,
    tmp_path: Path,
    world: dict[str, str],
    figures: Figures,
) -> None:
    headers = {"Authorization": f"Bearer {tenant.admin_token}"}
    tally = Tally()
    # Each operation is also sent without its token, from one address: more failures than the
    # authentication limit allows in a minute, which has tests of its own.
    env = {**cli_env(database_url), "CASEWORKS_AUTH_FAILURES_PER_MINUTE": "0"}
    with serving(env, "--no-dispatch", log=tmp_path / "serve.log") as base:
        schema = schemathesis.openapi.from_url(f"{base}/openapi.json", headers=headers)
        operations = []
        for result in schema.get_all_operations():
            assert isinstance(result, Ok), result  # our own document must load whole
            operations.append(result.ok())
        for operation in operations:
            fuzz(operation, base, headers, world, tally)
    figures.record("operations", len(operations), "operations")
    figures.record("examples per operation and mode (CASEWORKS_FUZZ_EXAMPLES)", EXAMPLES, "")
    figures.record("cases", tally.cases, "cases")
    for status, count in sorted(tally.statuses.items()):
        figures.record(f"answered {status}", count, "cases")
    assert len(operations) >= 40
    assert 500 not in tally.statuses
    assert not tally.failures, "\n\n".join(f"{k}:\n{v}" for k, v in tally.failures.items())


@pytest.fixture
async def world(tenant: Tenant) -> dict[str, str]:
    return await build_world(tenant)
