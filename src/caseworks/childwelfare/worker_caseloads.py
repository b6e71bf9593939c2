"""Each agency worker's caseload: how many assignments it holds in each role, and its limit.

Read with the agency workers' own scope: every caller who may read the agency's workers reads
their caseloads (counts, never which children or applications), caseworkers included.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

from caseworks.auth import Principal, policy
from caseworks.childwelfare import childwelfare_queries as queries
from caseworks.childwelfare import records
from caseworks.core.ids import is_valid_id
from caseworks.core.pagination import Page, PageRequest
from caseworks.core.sorting import SortKey
from caseworks.db import Database, Row
from caseworks.db.base import StreamedRows


async def list_caseloads(
    db: Database, caller: Principal, order: Sequence[SortKey], page: PageRequest
) -> Page:
    """A page of the agency's workers' caseloads, in the order of the workers' list."""
    scope = policy.casework_scope(caller)
    async with db.connection() as connection:  # the page and its total: one checkout
        rows, total = await queries.list_caseloads(connection, scope.agency_id, order, page)
    return Page(rows, page, total)


async def export_caseloads(
    db: Database, caller: Principal, order: Sequence[SortKey]
) -> AsyncIterator[StreamedRows]:
    """Every caseload the list would page through, in its order, a batch at a time."""
    scope = policy.casework_scope(caller)
    sql, params = queries.caseload_list_statement(scope.agency_id, order)
    async for batch in db.stream(sql, params):
        yield batch


async def get_caseload(db: Database, caller: Principal, worker_id: str) -> Row:
    """One worker's caseload; 404 for a worker the caller's agency does not have."""
    scope = policy.casework_scope(caller)
    row = None
    if is_valid_id(worker_id):
        row = await queries.get_caseload(db, scope.agency_id, worker_id)
    if row is None:
        raise records.WORKERS.not_found(worker_id)
    return row
