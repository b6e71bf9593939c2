"""Settings, read once from ``CASEWORKS_*`` environment variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from caseworks.childwelfare.terms import WorkerRole
from caseworks.web.origin import host_name, parse_networks, parse_public_url

DEFAULT_DATABASE_URL = "sqlite:///./caseworks.db"
DEFAULT_ALLOWED_HOSTS = ("127.0.0.1", "localhost")


class SettingsError(ValueError):
    """An environment variable holds a value the service cannot use."""


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, got {value}")
    return value


def _list(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    raw = env.get(name, "")
    return tuple(item.strip() for item in raw.split(",") if item.strip())


def _public_url(env: Mapping[str, str]) -> str | None:
    raw = env.get("CASEWORKS_PUBLIC_URL")
    if not raw:
        return None
    try:
        return parse_public_url(raw)
    except ValueError as error:
        raise SettingsError(f"CASEWORKS_PUBLIC_URL {error}") from None


def _allowed_hosts(env: Mapping[str, str]) -> tuple[str, ...]:
    hosts = _list(env, "CASEWORKS_ALLOWED_HOSTS") or DEFAULT_ALLOWED_HOSTS
    for host in hosts:
        bare = host.removeprefix("*.") if host != "*" else "any"
        if host_name(bare) != bare.lower():  # a port, a path or a character a host cannot have
            raise SettingsError(
                f"CASEWORKS_ALLOWED_HOSTS: {host!r} is not a host name, '*.domain' or '*'"
            )
    return hosts


def _trusted_proxies(env: Mapping[str, str]) -> tuple[str, ...]:
    proxies = _list(env, "CASEWORKS_TRUSTED_PROXIES")
    try:
        parse_networks(proxies)
    except ValueError as error:
        raise SettingsError(f"CASEWORKS_TRUSTED_PROXIES: {error}") from None
    return proxies


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    db_pool_size: int = 10
    db_command_timeout_seconds: float = 30.0
    max_body_bytes: int = 1024 * 1024
    cors_origins: tuple[str, ...] = ()
    smtp_url: str | None = None
    mail_from: str = "caseworks@localhost"
    mail_dir: Path = field(default_factory=lambda: Path("./mail"))
    dispatch: bool = True
    dispatch_poll_seconds: float = 1.0
    mail_max_attempts: int = 30
    max_case_carrying_per_child: int = 3
    max_approvals_per_application: int = 1
    max_support_per_application: int = 3
    log_level: str = "info"
    public_url: str | None = None
    allowed_hosts: tuple[str, ...] = DEFAULT_ALLOWED_HOSTS
    trusted_proxies: tuple[str, ...] = ()
    auth_failures_per_minute: int = 20
    max_header_bytes: int = 16 * 1024
    max_headers: int = 100
    header_timeout_seconds: float = 10.0
    keepalive_timeout_seconds: float = 5.0
    max_connections: int = 1000
    session_idle_minutes: int = 30  # a console session ends after this long unused
    session_max_hours: int = 12  # and after this long in all

    def role_limits(self) -> dict[WorkerRole, int]:
        """The most workers one child or application may have in each role."""
        return {
            WorkerRole.CASE_CARRYING: self.max_case_carrying_per_child,
            WorkerRole.APPROVALS: self.max_approvals_per_application,
            WorkerRole.SUPPORT: self.max_support_per_application,
        }

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        return cls(
            database_url=env.get("CASEWORKS_DATABASE_URL") or DEFAULT_DATABASE_URL,
            db_pool_size=_int(env, "CASEWORKS_DB_POOL_SIZE", 10, minimum=1),
            db_command_timeout_seconds=_int(env, "CASEWORKS_DB_COMMAND_TIMEOUT_MS", 30_000, 100)
            / 1000,
            max_body_bytes=_int(env, "CASEWORKS_MAX_BODY_BYTES", 1024 * 1024, minimum=1024),
            cors_origins=_list(env, "CASEWORKS_CORS_ORIGINS"),
            smtp_url=env.get("CASEWORKS_SMTP_URL") or None,
            mail_from=env.get("CASEWORKS_MAIL_FROM") or "caseworks@localhost",
            mail_dir=Path(env.get("CASEWORKS_MAIL_DIR") or "./mail"),
            dispatch=(env.get("CASEWORKS_DISPATCH") or "true").lower() not in ("0", "false", "no"),
            dispatch_poll_seconds=_int(env, "CASEWORKS_DISPATCH_POLL_MS", 1000, 10) / 1000,
            mail_max_attempts=_int(env, "CASEWORKS_MAIL_MAX_ATTEMPTS", 30, 1),
            max_case_carrying_per_child=_int(env, "CASEWORKS_MAX_CASE_CARRYING_PER_CHILD", 3, 1),
            max_approvals_per_application=_int(
                env, "CASEWORKS_MAX_APPROVALS_PER_APPLICATION", 1, 1
            ),
            max_support_per_application=_int(env, "CASEWORKS_MAX_SUPPORT_PER_APPLICATION", 3, 1),
            log_level=(env.get("CASEWORKS_LOG_LEVEL") or "info").lower(),
            public_url=_public_url(env),
            allowed_hosts=_allowed_hosts(env),
            trusted_proxies=_trusted_proxies(env),
            auth_failures_per_minute=_int(env, "CASEWORKS_AUTH_FAILURES_PER_MINUTE", 20),
            max_header_bytes=_int(env, "CASEWORKS_MAX_HEADER_BYTES", 16 * 1024, 1024),
            max_headers=_int(env, "CASEWORKS_MAX_HEADERS", 100, 1),
            header_timeout_seconds=_int(env, "CASEWORKS_HEADER_TIMEOUT_MS", 10_000, 100) / 1000,
            keepalive_timeout_seconds=_int(env, "CASEWORKS_KEEPALIVE_TIMEOUT_MS", 5000, 100) / 1000,
            max_connections=_int(env, "CASEWORKS_MAX_CONNECTIONS", 1000, 1),
            session_idle_minutes=_int(env, "CASEWORKS_SESSION_IDLE_MINUTES", 30, 1),
            session_max_hours=_int(env, "CASEWORKS_SESSION_MAX_HOURS", 12, 1),
        )
