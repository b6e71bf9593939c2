"""Where queued mail goes: an SMTP server, or ``.eml`` files in a folder when none is configured.

SMTP URLs: ``smtp://host:25`` (plain), ``smtp://user:password@host:587?starttls=true`` (STARTTLS,
then login), ``smtps://user:password@host:465`` (TLS from the first byte).
"""

from __future__ import annotations

import asyncio
import os
import smtplib
import ssl
import tempfile
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

SMTP_TIMEOUT_SECONDS = 15.0


class DeliveryError(Exception):
    """Sending failed. ``permanent``: the server refused the message for good (5xx)."""

    def __init__(self, message: str, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


class Transport(Protocol):
    async def send(self, message: EmailMessage) -> None: ...


@dataclass(frozen=True)
class SMTPSettings:
    host: str
    port: int
    implicit_tls: bool
    starttls: bool
    username: str | None
    password: str | None

    @classmethod
    def parse(cls, url: str) -> SMTPSettings:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError(
                f"CASEWORKS_SMTP_URL must be smtp://host:port or smtps://…, not {url!r}"
            )
        query = parse_qs(parts.query)
        implicit_tls = parts.scheme == "smtps"
        return cls(
            host=parts.hostname,
            port=parts.port or (465 if implicit_tls else 25),
            implicit_tls=implicit_tls,
            starttls=query.get("starttls", ["false"])[0].lower() in ("1", "true", "yes"),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )


class SMTPTransport:
    def __init__(self, settings: SMTPSettings) -> None:
        self.settings = settings

    async def send(self, message: EmailMessage) -> None:
        await asyncio.to_thread(self._send, message)

    def _send(self, message: EmailMessage) -> None:
        s = self.settings
        try:
            client: smtplib.SMTP
            if s.implicit_tls:
                client = smtplib.SMTP_SSL(
                    s.host,
                    s.port,
                    timeout=SMTP_TIMEOUT_SECONDS,
                    context=ssl.create_default_context(),
                )
            else:
                client = smtplib.SMTP(s.host, s.port, timeout=SMTP_TIMEOUT_SECONDS)
            with client:
                if s.starttls:
                    client.starttls(context=ssl.create_default_context())
                if s.username:
                    client.login(s.username, s.password or "")
                client.send_message(message)
        except smtplib.SMTPAuthenticationError as error:
            # Wrong credentials are our configuration, not the message's fault: keep the mail
            # queued (with backoff) so it goes out once the URL is corrected.
            raise DeliveryError(
                f"SMTP {error.smtp_code}: login refused; check CASEWORKS_SMTP_URL",
                False,
            ) from error
        except smtplib.SMTPResponseException as error:
            permanent = 500 <= error.smtp_code < 600
            raise DeliveryError(f"SMTP {error.smtp_code}", permanent) from error
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            permanent = all(500 <= code < 600 for code in codes)
            raise DeliveryError(f"SMTP recipients refused {codes}", permanent) from error
        except (OSError, smtplib.SMTPException) as error:
            raise DeliveryError(f"SMTP unavailable: {type(error).__name__}", False) from error


class FileTransport:
    """Each message as ``<message-id>.eml`` in a folder, written atomically."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    async def send(self, message: EmailMessage) -> None:
        await asyncio.to_thread(self._write, message)

    def _write(self, message: EmailMessage) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = str(message["Message-ID"]).strip("<>").replace("/", "_") + ".eml"
        handle, temporary = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
        with os.fdopen(handle, "wb") as file:
            file.write(message.as_bytes())
        os.replace(temporary, self.folder / name)


def transport_for(smtp_url: str | None, mail_dir: Path) -> Transport:
    if smtp_url:
        return SMTPTransport(SMTPSettings.parse(smtp_url))
    return FileTransport(mail_dir)
