"""Who is calling (the Principal), their tokens, and the access policy every service asks."""

from caseworks.auth.principal import Principal, Role

__all__ = ["Principal", "Role"]
