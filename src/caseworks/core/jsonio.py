"""JSON out with orjson: UTC timestamps ending in Z, whole seconds, no model rebuilding."""

from __future__ import annotations

import json
from typing import Any

import orjson

_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_OMIT_MICROSECONDS | orjson.OPT_NAIVE_UTC


def dumps(content: Any) -> bytes:
    return orjson.dumps(content, option=_OPTIONS)


def _repeated_key(items: list[tuple[str, Any]]) -> str | None:
    # A set's length tells, in C, whether an object repeats a key; the slow search for which key
    # runs only when one does.
    if len(items) < 2 or len({key for key, _ in items}) == len(items):
        return None
    seen: set[str] = set()
    for key, _ in items:
        if key in seen:
            return key
        seen.add(key)
    return None


def duplicate_key(body: bytes) -> str | None:
    """The first key that appears twice in one object of ``body``, if any.

    Parsers keep the last of repeated keys, so ``{"status": "open", "status": "closed"}`` would
    mean whatever the parser chose; such a body is refused instead. Bodies that are not JSON are
    left to the parser that reports them.
    """
    repeated: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> None:
        # The parsed value is not needed, only whether an object repeats a key.
        if not repeated and (key := _repeated_key(items)) is not None:
            repeated.append(key)

    try:
        json.loads(body, object_pairs_hook=pairs)
    except (ValueError, RecursionError):
        return None
    return repeated[0] if repeated else None


def loads_noting_repeats(body: bytes) -> tuple[Any, str | None]:
    """``body`` parsed by the standard library (as Starlette's ``Request.json`` parses it), and
    the first key that appears twice in one of its objects, if any: one parse for both.

    The standard library rather than orjson, whose answers differ: it reads integers past 64
    bits as floats and refuses NaN, lone surrogates and a byte order mark. Parse errors propagate
    (``json.JSONDecodeError``; another ``ValueError`` or ``RecursionError`` for invalid UTF-8,
    over-long integers or nesting too deep).
    """
    repeated: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        if not repeated and (key := _repeated_key(items)) is not None:
            repeated.append(key)
        return dict(items)

    document = json.loads(body, object_pairs_hook=pairs)
    return document, repeated[0] if repeated else None
