"""Page requests and pages, shared by both API surfaces."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from caseworks.db import Row


@dataclass(frozen=True, slots=True)
class PageRequest:
    number: int = 1  # from 1
    size: int = 20

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


@dataclass(frozen=True, slots=True)
class Page:
    items: list[Row]
    request: PageRequest
    total: int

    @property
    def total_pages(self) -> int:
        return -(-self.total // self.request.size) if self.total else 0

    def rest(self) -> dict[str, Any]:
        """The mentoring API's list envelope: ``{"data": [...], "pagination": {...}}``."""
        return {
            "data": self.items,
            "pagination": {
                "page": self.request.number,
                "limit": self.request.size,
                "total": self.total,
            },
        }
