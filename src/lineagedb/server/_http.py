"""A minimal WSGI toolkit: requests, responses, the pages' route table and HTTP errors (the API: ``_api``).

>>> routes = Router()
>>> routes.add("GET", "/artifact/{uid}", lambda req, uid: Response.text(uid))
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, quote, urlencode

MAX_BODY = 1 << 20  # writes are small JSON documents (checked by the app before any handler)


class HTTPError(Exception):
    """Raised by handlers: becomes a JSON error (API) or an error page (UI) with this status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    environ: dict[str, Any]
    cookies: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_environ(cls, environ: dict[str, Any]) -> Request:
        raw_path = environ.get("PATH_INFO", "/") or "/"
        path = raw_path.encode("latin-1").decode("utf-8", "replace")  # WSGI gives latin-1 decoded bytes
        query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        cookies = {}
        for part in headers.get("cookie", "").split(";"):
            name, sep, value = part.strip().partition("=")
            if sep:
                cookies[name] = value
        if "\x00" in path or any("\x00" in k or any("\x00" in v for v in vs) for k, vs in query.items()):
            raise HTTPError(400, "NUL characters are not allowed in URLs")
        return cls(environ.get("REQUEST_METHOD", "GET").upper(), path, query, headers, environ, cookies)

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else default

    def int_arg(self, name: str, default: int, low: int = 0, high: int = 10**9) -> int:
        raw = self.arg(name)
        if raw in (None, ""):
            return default
        try:
            value = int(raw)
        except ValueError:
            raise HTTPError(400, f"{name} must be an integer, not {raw!r}") from None
        if not low <= value <= high:
            raise HTTPError(400, f"{name} must be between {low} and {high}, not {value}")
        return value

    def url(self, **changes: Any) -> str:
        """This page's path with some query parameters changed (None removes one)."""
        params = {k: v[-1] for k, v in self.query.items() if k != "token"}
        for key, value in changes.items():
            if value is None:
                params.pop(key, None)
            else:
                params[key] = str(value)
        return quote(self.path) + ("?" + urlencode(params) if params else "")


SECURITY_HEADERS = [
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "SAMEORIGIN"),
    ("Referrer-Policy", "no-referrer"),
]


@dataclass
class Response:
    status: int = 200
    body: bytes | Iterable[bytes] = b""
    headers: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def html(cls, text: str, status: int = 200) -> Response:
        csp = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-src 'self'; object-src 'none'"
        return cls(status, text.encode(), [("Content-Type", "text/html; charset=utf-8"), ("Content-Security-Policy", csp)])

    @classmethod
    def json(cls, data: Any, status: int = 200) -> Response:
        body = json.dumps(data, default=str, ensure_ascii=False).encode()
        return cls(status, body, [("Content-Type", "application/json")])

    @classmethod
    def text(cls, text: str, status: int = 200) -> Response:
        return cls(status, text.encode(), [("Content-Type", "text/plain; charset=utf-8")])

    @classmethod
    def redirect(cls, location: str, cookies: list[str] | None = None) -> Response:
        headers = [("Location", location)] + [("Set-Cookie", c) for c in cookies or []]
        return cls(303, b"", headers)

    def start(self, start_response: Callable) -> Iterable[bytes]:
        reason = HTTPStatus(self.status).phrase
        headers = list(self.headers) + SECURITY_HEADERS
        if isinstance(self.body, bytes):
            headers.append(("Content-Length", str(len(self.body))))
            start_response(f"{self.status} {reason}", headers)
            return [self.body]
        start_response(f"{self.status} {reason}", headers)
        return self.body


Handler = Callable[..., Response]


class Router:
    """Routes ``METHOD /path/{param}`` to handlers; ``{name:path}`` matches across slashes."""

    def __init__(self) -> None:
        self.routes: list[tuple[str, re.Pattern, Handler]] = []

    def add(self, method: str, pattern: str, handler: Handler) -> None:
        def group(m: re.Match) -> str:
            name, _, kind = m.group(1).partition(":")
            return f"(?P<{name}>.+)" if kind == "path" else f"(?P<{name}>[^/]+)"

        regex = re.compile("^" + re.sub(r"\{([^}]+)\}", group, pattern) + "/?$")
        self.routes.append((method, regex, handler))

    def match(self, method: str, path: str) -> tuple[Handler, dict[str, str]]:
        allowed = set()
        for route_method, regex, handler in self.routes:
            m = regex.match(path)
            if m is None:
                continue
            if route_method == method or (method == "HEAD" and route_method == "GET"):
                return handler, m.groupdict()
            allowed.add(route_method)
        if allowed:
            raise HTTPError(405, f"{method} is not allowed here; use {', '.join(sorted(allowed))}")
        raise HTTPError(404, f"nothing at {path}")
