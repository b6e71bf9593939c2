"""Where a page may send a visitor after signing in: only a path on this site."""

from __future__ import annotations


def safe_next(target: str | None) -> str:
    """``target`` when it is a same-site relative path, else `/` (never an open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    if "\\" in target or any(ord(character) < 0x20 for character in target):
        return "/"
    return target
