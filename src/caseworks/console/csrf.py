"""CSRF: every state-changing page request carries a token the framework checks before the
handler runs.

Signed in, the token is the session row's own (`user_sessions.csrf_token`). Before sign-in
(the sign-in and password-reset forms) the visitor gets a short-lived anonymous cookie
`caseworks_presession` holding a random value, and the token in the form is an HMAC of a fixed
label keyed with that value: a page from another site can neither read the cookie nor compute
the token, and no server-side key is needed (so any process of the service checks it). The
cookie is never promoted to a session: sign-in always starts a new session id.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

PRESESSION_COOKIE = "caseworks_presession"
PRESESSION_SECONDS = 2 * 60 * 60
FIELD = "csrf_token"  # the hidden form field
HEADER = "x-csrf-token"  # what htmx sends (`hx-headers` on <body>)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_PRESESSION_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")


def new_presession() -> str:
    return secrets.token_urlsafe(32)


def well_formed_presession(value: str | None) -> bool:
    return value is not None and _PRESESSION_SHAPE.fullmatch(value) is not None


def anonymous_token(presession: str) -> str:
    """The token for forms shown before sign-in, derived from the anonymous cookie."""
    return hmac.new(presession.encode(), b"caseworks csrf", hashlib.sha256).hexdigest()


def token_matches(expected: str, sent: str | None) -> bool:
    return bool(sent) and hmac.compare_digest(expected.encode(), (sent or "").encode())
