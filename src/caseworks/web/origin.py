"""Where a request came from and which URL the service answers under.

The ``Host`` header and the ``X-Forwarded-*`` headers are written by the client (or by whoever
sits in front of us), so none of them is taken on trust:

- a ``Host`` that is not among the allowed hosts is refused (400) before anything else runs, so
  links and redirects never name a host an attacker chose;
- ``X-Forwarded-For``, ``-Proto`` and ``-Host`` count only when the socket peer is a configured
  proxy; then they replace the client address, the scheme and the host for the rest of the
  request (the host is checked like ``Host``);
- with a public URL configured, every absolute URL the service writes starts with it, whatever
  the request said.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from starlette.datastructures import URL
from starlette.types import Scope

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# A host name or IPv4 address, or a bracketed IPv6 address; then an optional port.
_HOST = re.compile(r"(?P<name>[a-z0-9._-]+|\[[0-9a-f:.]+\])(?::(?P<port>[0-9]{1,5}))?")
_SCHEMES = ("http", "https")
_CACHE_LIMIT = 1024  # distinct Host values (or proxy peers) remembered; cleared when exceeded


def host_name(authority: str) -> str | None:
    """The host of a ``Host`` value, lower-cased and without its port; None if malformed."""
    found = _HOST.fullmatch(authority.lower())
    if found is None:
        return None
    port = found["port"]
    if port is not None and not 0 < int(port) < 65536:
        return None
    return found["name"]


def parse_public_url(raw: str) -> str:
    """``scheme://host[:port][/prefix]`` without a trailing slash; ValueError if it is not one."""
    parts = urlsplit(raw.strip())
    if parts.scheme not in _SCHEMES:
        raise ValueError(f"must start with http:// or https://, got {raw!r}")
    if not parts.netloc or "@" in parts.netloc or host_name(parts.netloc) is None:
        raise ValueError(f"must name a host (and optionally a port), got {raw!r}")
    if parts.query or parts.fragment or raw.rstrip().endswith(("?", "#")):
        raise ValueError(f"must not carry a query or a fragment, got {raw!r}")
    return f"{parts.scheme}://{parts.netloc.lower()}{parts.path.rstrip('/')}"


def parse_networks(items: Iterable[str]) -> tuple[IPNetwork, ...]:
    """IP addresses or CIDR ranges; ValueError naming the first that is neither."""
    networks = []
    for item in items:
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(f"{item!r} is not an IP address or a CIDR range") from None
    return tuple(networks)


@dataclass(frozen=True)
class HostPolicy:
    """Which hosts the service answers to: exact names, ``*.suffix`` wildcards, or ``*``."""

    names: frozenset[str]
    suffixes: tuple[str, ...]
    any_host: bool

    @classmethod
    def of(cls, allowed: Iterable[str], public_url: str | None) -> HostPolicy:
        patterns = {item.strip().lower() for item in allowed if item.strip()}
        if public_url is not None:
            name = host_name(urlsplit(public_url).netloc)
            assert name is not None, "validated by parse_public_url"
            patterns.add(name)
        return cls(
            names=frozenset(p for p in patterns if not p.startswith("*")),
            suffixes=tuple(p[1:] for p in patterns if p.startswith("*.")),
            any_host=("*" in patterns),
        )

    def allows(self, authority: str) -> bool:
        name = host_name(authority)
        if name is None:
            return False
        return self.any_host or name in self.names or name.endswith(self.suffixes)


class Origins:
    """The per-request checks and rewrites above, with their verdicts remembered per value."""

    def __init__(
        self,
        hosts: HostPolicy,
        public_url: str | None = None,
        trusted_proxies: tuple[IPNetwork, ...] = (),
    ) -> None:
        self.hosts = hosts
        self.public_url = public_url
        self.trusted_proxies = trusted_proxies
        self._host_verdicts: dict[bytes, bool] = {}
        self._proxy_verdicts: dict[str, bool] = {}
        self._roots: dict[tuple[str, bytes, str], str] = {}

    def host_allowed(self, host: bytes) -> bool:
        # A dict lookup on the hot path; the parsing runs once per distinct value.
        verdict = self._host_verdicts.get(host)
        if verdict is None:
            verdict = self.hosts.allows(host.decode("latin-1"))
            if len(self._host_verdicts) >= _CACHE_LIMIT:
                self._host_verdicts.clear()
            self._host_verdicts[host] = verdict
        return verdict

    def from_trusted_proxy(self, scope: Scope) -> bool:
        if not self.trusted_proxies:
            return False
        client = scope.get("client")
        if not client:
            return False
        peer: str = client[0]
        verdict = self._proxy_verdicts.get(peer)
        if verdict is None:
            verdict = _in_networks(peer, self.trusted_proxies)
            if len(self._proxy_verdicts) >= _CACHE_LIMIT:
                self._proxy_verdicts.clear()
            self._proxy_verdicts[peer] = verdict
        return verdict

    def forwarded(self, scope: Scope) -> Scope:
        """The scope as the proxy saw the request: its client, scheme and host."""
        forwarded: dict[bytes, str] = {}
        for name, value in scope["headers"]:
            if name in _FORWARDED:
                text = value.decode("latin-1")
                forwarded[name] = f"{forwarded[name]},{text}" if name in forwarded else text
        if not forwarded:
            return scope
        scope = dict(scope)
        addresses = [a.strip() for a in forwarded.get(b"x-forwarded-for", "").split(",")]
        client = self._first_untrusted([a for a in addresses if _is_ip(a)])
        if client is not None:
            scope["client"] = (client, 0)
        proto = _last(forwarded.get(b"x-forwarded-proto")).lower()
        if proto in _SCHEMES:
            scope["scheme"] = proto
        host = _last(forwarded.get(b"x-forwarded-host"))
        if host:
            others = [(n, v) for n, v in scope["headers"] if n != b"host"]
            scope["headers"] = [(b"host", host.encode("latin-1")), *others]
        return scope

    def _first_untrusted(self, addresses: list[str]) -> str | None:
        """Walking back from the nearest hop, the first address that is not one of our proxies."""
        for address in reversed(addresses):
            if not _in_networks(address, self.trusted_proxies):
                return address
        return addresses[0] if addresses else None

    def url(self, scope: Scope, path: str | None = None, query: str | None = None) -> URL:
        """The absolute URL of ``path`` (default: the request's own path and query)."""
        path = scope["path"] if path is None else path
        query_string = scope["query_string"] if query is None else query.encode()
        if self.public_url is None:
            return URL(scope={**scope, "path": path, "query_string": query_string})
        # Without a host, URL(scope=…) gives the path and query, escaped as it would be.
        relative = URL(scope={"path": path, "query_string": query_string, "headers": ()})
        return URL(self.public_url + str(relative))

    def root(self, scope: Scope) -> str:
        """The absolute URL of the service's root, without a trailing slash (the public URL
        when one is set): made once per scheme and allowed host, then a dict lookup."""
        if self.public_url is not None:
            return self.public_url
        host = next((value for name, value in scope["headers"] if name == b"host"), None)
        if host is None:  # HTTP/1.0: the URL names the server's own address
            host = str(scope.get("server")).encode()
        key = (scope["scheme"], host, scope.get("root_path", ""))
        root = self._roots.get(key)
        if root is None:
            root = str(self.url(scope, "", ""))
            if len(self._roots) >= _CACHE_LIMIT:
                self._roots.clear()
            self._roots[key] = root
        return root

    def location(self, path: str) -> str:
        """A ``Location`` for ``path``: absolute under the public URL, else relative."""
        return path if self.public_url is None else self.public_url + path


_FORWARDED = (b"x-forwarded-for", b"x-forwarded-proto", b"x-forwarded-host")


def _last(value: str | None) -> str:
    """The value the nearest proxy added: the last of a comma-separated list."""
    return value.rsplit(",", 1)[-1].strip() if value else ""


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _in_networks(address: str, networks: tuple[IPNetwork, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False  # a Unix socket path, or a name: never a trusted proxy
    return any(ip in network for network in networks)


def origins_of(scope: Scope) -> Origins:
    origins: Origins = scope["state"]["origins"]
    return origins
