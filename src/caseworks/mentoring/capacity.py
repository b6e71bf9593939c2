"""A mentor's caseload limit, enforced on every write that gives a mentor an open assignment.

The limit in force is the mentor's ``max_open_assignments``, else its agency's
``default_mentor_capacity``; neither set means no limit. Every write that adds an open assignment
(create, reopen, reassign, import) calls ``claim_capacity`` in its own transaction before it
writes: the mentor's row is locked first, so two such writes for one mentor run one after the
other and the second counts what the first committed. Closing an assignment only lowers the
count, so it takes no lock.
"""

from __future__ import annotations

from dataclasses import dataclass

from caseworks.core.errors import Conflict, NotFound
from caseworks.db import Executor
from caseworks.mentoring import mentoring_queries as queries


@dataclass(frozen=True)
class CapacityCheck:
    """What a claim saw: the mentor's open assignments before the write, its limit (None: no
    limit), and whether the write takes it over the limit (allowed only by an override)."""

    open: int
    limit: int | None
    over: bool


class OverCapacity(Conflict):
    """409, with ``open`` and ``limit`` as members of the problem body."""

    def __init__(self, mentor_id: str, open_count: int, limit: int) -> None:
        super().__init__(
            f"mentor {mentor_id} has {open_count} open assignment(s) and a limit of {limit}",
            members={"open": open_count, "limit": limit},
        )
        self.open = open_count
        self.limit = limit


class NoSuchMentor(NotFound):
    """The agency has no such mentor; callers that name it in a body answer 422 instead."""


async def claim_capacity(
    tx: Executor, agency_id: str, mentor_id: str, adding: int = 1, override: bool = False
) -> CapacityCheck:
    """Lock the mentor's row and count its open assignments, in ``tx``; raise OverCapacity if
    ``adding`` more would take it over its limit, unless ``override``. The lock is held until
    ``tx`` ends, so the count stays true for the write that follows."""
    found, limit = await queries.lock_mentor_capacity(tx, agency_id, mentor_id)
    if not found:
        raise NoSuchMentor(f"no mentor {mentor_id}")
    open_count = await queries.open_count(tx, agency_id, mentor_id)
    over = limit is not None and open_count + adding > limit
    if over and not override:
        assert limit is not None
        raise OverCapacity(mentor_id, open_count, limit)
    return CapacityCheck(open_count, limit, over)
