"""Query-string models: one Pydantic model per shape of operation, by the parameters' names as
clients write them (``page[size]`` as an alias). Reading them from a request is the web layer's
(``web/jsonapi/reading.py``); the models themselves know no HTTP, so the domain's own query
models (``childwelfare_models``) build on them.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from caseworks.core.pagination import PageRequest
from caseworks.core.text import WholeNumber

MAX_PAGE_NUMBER = 10_000_000
MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 20


class QueryModel(BaseModel):
    """The query parameters of one operation, by their names on the wire (``page[size]`` as an
    alias). A name the operation does not take is refused (400), as JSON:API requires of a server
    that does not support a parameter; so is a wrong value.

    A name in ``filters`` is also taken as ``filter[name]``, the spelling JSON:API recommends.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    filters: ClassVar[tuple[str, ...]] = ()


class NoQuery(QueryModel):
    """The query of an operation that takes no parameters: any name is refused."""


class PageQuery(QueryModel):
    page_number: WholeNumber = Field(
        1, alias="page[number]", ge=1, le=MAX_PAGE_NUMBER, description="Page number, from 1."
    )
    page_size: WholeNumber = Field(
        DEFAULT_PAGE_SIZE,
        alias="page[size]",
        ge=1,
        le=MAX_PAGE_SIZE,
        description=f"Resources per page, 1–{MAX_PAGE_SIZE}.",
    )

    @property
    def page(self) -> PageRequest:
        return PageRequest(self.page_number, self.page_size)


def sort_keys(value: str | None) -> tuple[tuple[str, str], ...] | None:
    """A ``sort`` as asked for (``-created_at,id``) as (field, ``asc``/``desc``) pairs in order;
    None when no sort was asked for."""
    if not value:
        return None
    return tuple(
        (key[1:], "desc") if key.startswith("-") else (key, "asc")
        for key in (item.strip() for item in value.split(","))
        if key
    )


def split_list(value: str) -> set[str]:
    """A comma-separated list, as ``include`` is written: empty items are nothing."""
    return {item.strip() for item in value.split(",") if item.strip()}
