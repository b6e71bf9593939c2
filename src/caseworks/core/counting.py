"""Totals for paginated collections that stay cheap on large data.

Up to ``EXACT_LIMIT`` matching rows, a total is counted exactly by a query that stops at the limit,
so it never reads more than that many index entries. Above it, the exact count is taken once and
remembered for ``REFRESH_SECONDS`` in this process: a page of a million-row collection then costs
no count at all, and its total may lag by up to that long. Small totals are always exact.

The memory is an object, not module state: each open database owns one (``Database.totals``),
made when it is opened and shared by its connections and transactions.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the database owns its Totals: a runtime import would go round in a circle
    from caseworks.db.base import Executor

EXACT_LIMIT = 10_000
REFRESH_SECONDS = 30.0
MAX_REMEMBERED = 1_000


class Totals:
    def __init__(
        self, exact_limit: int = EXACT_LIMIT, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._exact_limit = exact_limit
        self._clock = clock
        self._remembered: OrderedDict[tuple[str, tuple[tuple[str, Any], ...]], tuple[int, float]]
        self._remembered = OrderedDict()

    async def count(self, db: Executor, from_where: str, params: dict[str, Any]) -> int:
        """Rows matching ``FROM … WHERE …`` (``from_where``) with ``params``."""
        key = (from_where, tuple(sorted(params.items())))
        remembered = self._remembered.get(key)
        now = self._clock()
        if remembered is not None and remembered[1] > now:
            return remembered[0]
        # from_where is composed by the queries modules from fixed fragments only.
        capped = await db.fetch_value(
            f"SELECT count(*) FROM (SELECT 1 {from_where} LIMIT {self._exact_limit + 1}) AS c",  # noqa: S608
            params,
        )
        if int(capped) <= self._exact_limit:
            return int(capped)
        exact = int(await db.fetch_value(f"SELECT count(*) {from_where}", params))
        self._remembered[key] = (exact, now + REFRESH_SECONDS)
        self._remembered.move_to_end(key)
        while len(self._remembered) > MAX_REMEMBERED:
            self._remembered.popitem(last=False)
        return exact
