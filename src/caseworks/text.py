"""Input text types shared by request models: bounded, trimmed where it matters, never NUL."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, StringConstraints


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL; refuse it at the edge rather than fail in the database.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


FreeText = Annotated[str, StringConstraints(max_length=10_000), AfterValidator(_no_nul)]
ShortText = Annotated[str, StringConstraints(max_length=2_000), AfterValidator(_no_nul)]
Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(_no_nul),
]
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
]
Phone = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9][0-9 ()\-.]{2,39}$")
]
RecordId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,63}$")]
