"""A local web UI and JSON API for the current instance: ``lineagedb serve``.

Pages for every registry (search, filters, pagination), artifact previews and downloads, transform
source code, run reports, lineage graphs as SVG; a JSON API under ``/api/`` described at
``/api/openapi.json``. Read-only unless started with ``allow_write=True``; a token guards every request
when one is given (required for non-loopback addresses).

>>> from lineagedb.server import create_app, serve
>>> serve(create_app(), host="127.0.0.1", port=8700)  # doctest: +SKIP
"""

from __future__ import annotations

import io
import re
import socket
import socketserver
import time
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

__all__ = ["create_app", "make_server", "serve"]


def create_app(allow_write: bool = False, token: str | None = None, loopback_only: bool = True,
               statement_timeout: float | None = 10.0) -> Any:
    """The WSGI application (see :class:`lineagedb.server._app.App`); connects to the current instance."""
    from ..core.instance import ensure_connected
    from ._app import App

    ensure_connected()
    return App(allow_write=allow_write, token=token, loopback_only=loopback_only, statement_timeout=statement_timeout)


class _ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _IPv6Server(_ThreadingServer):
    address_family = socket.AF_INET6


class _DeadlineIO(socket.SocketIO):
    """A socket reader that stops at a total deadline: each read may wait only for the time left."""

    def __init__(self, sock: socket.socket, idle: float, deadline: float) -> None:
        super().__init__(sock, "rb")
        self.idle, self.deadline = idle, deadline

    def readinto(self, buffer: Any) -> int | None:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the request took longer than the server allows")
        sock = self._sock  # type: ignore[attr-defined]
        sock.settimeout(min(self.idle, left))
        try:
            return super().readinto(buffer)
        finally:
            sock.settimeout(self.idle)  # writing the response is not limited by the deadline


class _Handler(WSGIRequestHandler):
    timeout = 30.0  # seconds a connection may stay silent (half-sent requests, idle keep-alive)
    request_deadline = 60.0  # seconds to send a whole request, however it trickles in

    def setup(self) -> None:
        super().setup()
        raw = _DeadlineIO(self.connection, self.timeout, time.monotonic() + self.request_deadline)
        self.rfile = io.BufferedReader(raw)

    def handle(self) -> None:
        try:
            super().handle()
        except (TimeoutError, ConnectionError):
            self.close_connection = True  # a silent, trickling or vanished client: drop it quietly

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        import sys

        line = re.sub(r"token=[^&\s\"]+", "token=***", format % args)  # keep tokens out of logs
        sys.stderr.write(f"{self.address_string()} {line}\n")


def make_server(app: Any, host: str = "127.0.0.1", port: int = 8700, timeout: float = 30.0,
                request_deadline: float = 60.0) -> WSGIServer:
    """A threaded stdlib HTTP server for ``app`` (``port=0`` picks a free port).

    A client silent for ``timeout`` seconds (a half-sent request) is disconnected, and so is one that has
    not sent its whole request (line, headers and body) ``request_deadline`` seconds after connecting,
    however steadily it trickles bytes in.
    """
    cls = _IPv6Server if ":" in host else _ThreadingServer
    handler = type("_TimedHandler", (_Handler,), {"timeout": timeout, "request_deadline": request_deadline})
    server = cls((host, port), handler)
    server.set_app(app)
    return server


def serve(app: Any, host: str = "127.0.0.1", port: int = 8700) -> None:
    """Serve ``app`` until interrupted."""
    server = make_server(app, host, port)
    try:
        server.serve_forever()
    finally:
        server.server_close()
