"""/password-reset: asks for an e-mail and always answers the same page, known address or not.
Each active account with that e-mail gets one message through the outbox, queued in the same
transaction as its single-use link (valid 1 h, to `/set-password/{token}`)."""

from __future__ import annotations

from pydantic import BaseModel
from starlette.responses import Response

from caseworks.auth.users import RESET_LIFETIME, active_accounts, issue_password_link
from caseworks.console.pages import PageRequest
from caseworks.console.rendering import error_page, render
from caseworks.console.sessions import now_of
from caseworks.console.translations import N_
from caseworks.notify.outbox import Email, enqueue

TOO_MANY_RESETS = N_("Too many requests. Wait a few minutes and try again.")
SUBJECT = "Reset your caseworks password"
BODY = (
    "Someone asked to reset the password of your caseworks account.\n\n"
    "Choose a new password within an hour: {link}\n\n"
    "The link works once. If it was not you, ignore this message: nothing has changed.\n"
)


class PasswordResetForm(BaseModel):
    email: str


async def password_reset_form(page: PageRequest) -> Response:
    return render(page, "password_reset.html")


async def password_reset_send(page: PageRequest) -> Response:
    # Every request counts against the client's address in the sign-in limiter, so the form
    # can neither flood mailboxes nor probe more than sign-in could.
    limiter = getattr(page.state, "sign_in_address_limiter", None)
    client = page.request.client
    if limiter is not None and client is not None:
        if (wait := limiter.retry_after(client.host)) is not None:
            refused = error_page(page, 429, TOO_MANY_RESETS)
            refused.headers["retry-after"] = str(wait)
            return refused
        limiter.failed(client.host)
    form: PasswordResetForm | None = page.form
    if form is None or not form.email.strip():
        errors = dict(page.form_errors) or {"email": "is required"}
        return render(page, "password_reset.html", {"errors": errors}, status=400)
    await _send_links(page, form.email)
    return render(page, "password_reset.html", {"sent": True})


async def _send_links(page: PageRequest, email: str) -> None:
    """One link and one queued message per active account with the e-mail, in one transaction."""
    now = now_of(page.request)
    base = (page.state.settings.public_url or str(page.request.base_url)).rstrip("/")
    async with page.state.db.transaction() as tx:
        for account in await active_accounts(tx, email):
            token = await issue_password_link(
                tx, account["agency_id"], account["id"], "reset", now, RESET_LIFETIME
            )
            body = BODY.format(link=f"{base}/set-password/{token}")
            await enqueue(tx, account["agency_id"], Email(account["email"], SUBJECT, body), now)
