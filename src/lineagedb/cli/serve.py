"""``lineagedb serve``: browse the current instance in a web browser, and read it over a JSON API.

    lineagedb serve                                  # http://127.0.0.1:8700, read-only
    lineagedb serve --port 0 --allow-write           # a free port; edits and annotations allowed
    lineagedb serve --host 0.0.0.0                   # other machines: a token is generated and printed
"""

from __future__ import annotations

import re

import click


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind; non-loopback needs a token.")
@click.option("--port", default=8700, show_default=True, type=click.IntRange(0, 65535), help="Port; 0 picks a free one.")
@click.option("--allow-write", is_flag=True, help="Allow edits (descriptions) and annotations with labels.")
@click.option("--token", default=None, envvar="LINEAGEDB_SERVE_TOKEN",
              help="Require this token on every request (generated when binding a non-loopback address).")
def serve(host: str, port: int, allow_write: bool, token: str | None) -> None:
    """Serve a web UI and a JSON API (/api/, spec at /api/openapi.json) for the current instance."""
    import secrets

    from ..server import create_app, make_server
    from ..server._app import is_loopback

    loopback = is_loopback(host)
    if token is not None and not re.fullmatch(r"[A-Za-z0-9._~+/=-]{8,}", token):
        raise click.BadParameter("use a token of at least 8 characters among letters, digits and ._~+/=-",
                                 param_hint="--token")
    if not loopback and token is None:
        token = secrets.token_urlsafe(24)
        click.echo(f"binding {host} (not loopback): every request needs the token {token}")
    app = create_app(allow_write=allow_write, token=token, loopback_only=loopback)
    try:
        server = make_server(app, host, port)
    except OSError as e:
        raise click.ClickException(f"cannot listen on {host}:{port}: {e.strerror or e}; pick another --port") from None
    shown = "127.0.0.1" if host in {"0.0.0.0", "::"} else host
    shown = f"[{shown}]" if ":" in shown else shown
    url = f"http://{shown}:{server.server_port}/" + (f"?token={token}" if token else "")
    mode = "read-write" if allow_write else "read-only"
    click.echo(f"lineagedb serving instance {app_name()} ({mode}) at {url}  (Ctrl-C stops)", err=False)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped")
    finally:
        server.server_close()


def app_name() -> str:
    from ..core.instance import current

    inst = current()
    return repr(inst.name) if inst else "-"


COMMANDS = [serve]
