"""The WSGI application: the token and host checks, read-only mode, routing, errors, DB connections.

Pages are routed by the small router of ``_http``; ``/api/...`` goes to the django-ninja API (``_api``),
routed by Django's URL dispatch. Both run under the same checks, time limit and error handling.

>>> app = App(allow_write=False, token=None)
>>> serve(app, host="127.0.0.1", port=8700)  # doctest: +SKIP
"""

from __future__ import annotations

import hmac
import sys
import traceback
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote, urlencode

from . import _pages, _record_pages
from ._html import asset, error_page
from ._http import MAX_BODY, HTTPError, Request, Response, Router
from ._limits import is_timeout, statement_limit

COOKIE = "lineagedb_token"
LOOPBACK_NAMES = {"127.0.0.1", "localhost", "::1", "[::1]"}
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
STATEMENT_TIMEOUT = 10.0  # seconds of SQL per request
STATIC = {"style.css": "text/css; charset=utf-8", "app.js": "text/javascript; charset=utf-8"}


def is_loopback(host: str) -> bool:
    import ipaddress

    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class App:
    """The web UI and JSON API of the current instance, as a WSGI callable.

    ``token``: required on every request (``Authorization: Bearer``, any case, or ``?token=`` once, which sets
    a cookie). ``loopback_only``: refuse requests whose Host header is not a loopback name (DNS rebinding).
    ``statement_timeout``: seconds of SQL one request may run (then 503).
    """

    def __init__(self, allow_write: bool = False, token: str | None = None, loopback_only: bool = True,
                 statement_timeout: float | None = STATEMENT_TIMEOUT) -> None:
        self.allow_write, self.token, self.loopback_only = allow_write, token, loopback_only
        self.statement_timeout = statement_timeout
        from ._api import JsonApi

        self.api = JsonApi(allow_write=allow_write, token=token)
        self.router = Router()
        ui: list[tuple[str, str, Callable[..., Response]]] = [
            ("GET", "/", _pages.home),
            ("GET", "/registries", _pages.registries),
            ("GET", "/{registry}", _pages.registry_list),
            ("GET", "/{registry}/{uid}", _record_pages.record_page),
            ("GET", "/{registry}/{uid}/lineage", _record_pages.lineage_page),
        ]
        self.router.add("GET", "/static/{name}", self.static)
        self.router.add("GET", "/artifact/{uid}/download", lambda req, uid: _record_pages.download(req, uid))
        for method, pattern, handler in ui:
            self.router.add(method, pattern, self._ui(handler))

    def _ui(self, handler: Callable[..., Response]) -> Callable[..., Response]:
        return lambda request, **params: handler(request, write=self.allow_write, **params)

    def static(self, request: Request, name: str) -> Response:
        if name not in STATIC:
            raise HTTPError(404, f"no static file {name!r}")
        return Response(200, asset(f"static/{name}"), [("Content-Type", STATIC[name]), ("Cache-Control", "max-age=300")])

    # -- checks ------------------------------------------------------------------------------
    def _check_host(self, request: Request) -> None:
        if not self.loopback_only:
            return
        host = request.headers.get("host", "")
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        if not is_loopback(name):
            raise HTTPError(400, f"unexpected Host header {host!r}: this server answers on loopback addresses only")

    def _authorized(self, request: Request) -> Response | None:
        """None when the request may go on; else a redirect (token in the URL) or raises 401."""
        if self.token is None:
            return None
        expected = self.token.encode()
        scheme, _, credentials = request.headers.get("authorization", "").strip().partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(credentials.strip().encode(), expected):
            return None
        if hmac.compare_digest(request.cookies.get(COOKIE, "").encode(), expected):
            return None
        given = request.arg("token")
        if given is not None and hmac.compare_digest(given.encode(), expected):
            if request.method == "GET" and not request.path.startswith("/api/"):
                rest = {k: v[-1] for k, v in request.query.items() if k != "token"}
                location = quote(request.path) + ("?" + urlencode(rest) if rest else "")
                cookie = f"{COOKIE}={self.token}; Path=/; HttpOnly; SameSite=Strict"
                return Response.redirect(location, cookies=[cookie])
            return None
        raise HTTPError(401, "a token is required: send 'Authorization: Bearer <token>' or open the URL with ?token=<token>")

    def _check_write(self, request: Request) -> None:
        if request.method not in WRITES:
            return
        if not self.allow_write:
            raise HTTPError(403, "this server is read-only: restart it with 'lineagedb serve --allow-write' to edit")
        origin = request.headers.get("origin")
        if origin and origin.split("://", 1)[-1] != request.headers.get("host"):
            raise HTTPError(403, f"cross-origin write from {origin!r} refused")
        if not request.headers.get("content-type", "").startswith("application/json"):
            raise HTTPError(415, "send the body as JSON with the header Content-Type: application/json")
        try:
            length = int(request.environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            raise HTTPError(400, "Content-Length must be a number of bytes") from None
        if length > MAX_BODY:
            raise HTTPError(413, f"the body is larger than {MAX_BODY} bytes")

    # -- WSGI --------------------------------------------------------------------------------
    def dispatch(self, request: Request) -> Response:
        from django.db import DatabaseError
        from django.http import UnreadablePostError

        from .. import errors

        self._check_host(request)
        redirect = self._authorized(request)
        if redirect is not None:
            return redirect
        self._check_write(request)
        params: dict[str, str] = {}
        if request.path == "/api" or request.path.startswith("/api/"):
            handler = self.api.handle
        else:
            handler, params = self.router.match(request.method, request.path)
        try:
            with statement_limit(self.statement_timeout):
                return handler(request, **params)
        except DatabaseError as err:
            if not is_timeout(err):
                raise
            raise HTTPError(503, f"the query ran longer than {self.statement_timeout:g} s and was stopped; "
                                 "narrow it with filters or a smaller limit") from None
        except UnreadablePostError:
            raise HTTPError(408, "the request body did not arrive in time; send it promptly") from None
        except errors.DoesNotExist as err:
            raise HTTPError(404, str(err)) from None
        except errors.LineageDBError as err:
            raise HTTPError(400, str(err)) from None

    def _error(self, request: Request, status: int, message: str) -> Response:
        if request.path.startswith("/api/") or "application/json" in request.headers.get("accept", ""):
            response = Response.json({"error": message}, status=status)
        else:
            response = Response.html(error_page(status, message, write=self.allow_write), status=status)
        if status == 401:
            response.headers.append(("WWW-Authenticate", 'Bearer realm="lineagedb"'))
        return response

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        from django.db import connections

        try:
            request = Request.from_environ(environ)
        except HTTPError as err:
            return Response.json({"error": err.message}, status=err.status).start(start_response)
        try:
            response = self.dispatch(request)
        except HTTPError as err:
            response = self._error(request, err.status, err.message)
        except Exception as err:  # noqa: BLE001 - one broken page must not stop the server
            traceback.print_exc(file=sys.stderr)
            response = self._error(request, 500, f"internal error: {type(err).__name__}: {err}")
        finally:
            connections.close_all()  # connections are per thread: never leave one open in a worker
        if request.method == "HEAD":
            response.body = b""
        return response.start(start_response)
