"""HTML pages of single records: fields, describe(), relations, previews, source code, lineage, downloads.

>>> # GET /artifact/<uid>, /run/<uid>, /transform/<uid>, /bio.celltype/<uid>, /artifact/<uid>/lineage
"""

from __future__ import annotations

import io
import mimetypes
from collections.abc import Collection
from typing import Any

from . import _registries as reg
from ._html import cell, e, fields, layout, link
from ._http import HTTPError, Request, Response
from ._relations import relations

SHOWN_ELSEWHERE = {"source_code"}


def describe_html(record: Any) -> str:
    """describe()'s rich tree as escaped, styled HTML."""
    from rich.console import Console

    from ..models._describe import build_tree

    console = Console(record=True, width=110, file=io.StringIO(), color_system="truecolor")
    console.print(build_tree(record))
    return console.export_html(inline_styles=True, code_format='<pre class="describe">{code}</pre>')


def _field_value(record: Any, f: Any) -> str:
    if f.is_relation:
        related_id = getattr(record, f.attname)
        if related_id is None:
            return cell(None)
        related = getattr(record, f.name)
        if hasattr(related, "uid") and reg.slug(type(related)) in reg.models():
            from ._relations import brief

            return link(brief(related))
        return cell(related_id)
    value = getattr(record, f.attname)
    return cell(reg.value(value), limit=400)


def fields_html(record: Any) -> str:
    model: type = type(record)  # declared: mypy counts type[Any] as unhashable for the cache (python/mypy#11470)
    return fields((f.name, _field_value(record, f)) for f in reg.fields(model, detail=True) if f.name not in SHOWN_ELSEWHERE)


def _plain_html(value: Any) -> str:
    if isinstance(value, dict) and {"registry", "uid", "title"} <= set(value):
        extra = f" <small>({e(value['feature'])})</small>" if value.get("feature") else ""
        version = ""
        if "version" in value:  # versions of one key: say which (its version, else its uid), and the latest
            which = f"v{value['version']}" if value.get("version") else value["uid"][-4:]
            version = f" <small>{e(which)}{' · latest' if value.get('is_latest') else ''}</small>"
        return link(value) + version + extra
    if isinstance(value, list) and all(isinstance(v, dict) and "uid" in v for v in value):
        if not value:
            return "<span class=muted>none</span>"
        return " ".join(f'<span class=tag>{_plain_html(v)}</span>' for v in value)
    if isinstance(value, dict):
        if not value:
            return "<span class=muted>none</span>"
        return fields((str(k), _plain_html(v)) for k, v in value.items())
    if isinstance(value, list):
        return e(", ".join(str(v) for v in value))
    return cell(value, limit=400)


def relations_html(rels: dict[str, Any], skip: Collection[str] = frozenset()) -> str:
    items = [(k.replace("_", " "), _plain_html(v)) for k, v in rels.items() if k not in skip]
    return fields(items) if items else ""


def _source_html(transform: Any) -> tuple[str, str]:
    """Highlighted source code (HTML) and the CSS it needs."""
    if not transform.source_code:
        return "<p class=muted>no source code saved</p>", ""
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import TextLexer, get_lexer_for_filename
    from pygments.util import ClassNotFound

    key = transform.key or ""
    try:
        lexer = get_lexer_for_filename(key if not key.endswith(".ipynb") else key[:-6] + ".py")
    except ClassNotFound:
        from pygments.lexers import PythonLexer

        lexer = PythonLexer() if transform.kind in {"script", "notebook", "function"} else TextLexer()
    formatter = HtmlFormatter(cssclass="highlight", linenos="table")
    css = formatter.get_style_defs(".highlight")
    return highlight(transform.source_code, lexer, formatter), f"<style>{css}</style>"


def _write_forms(record: Any, registry: str) -> str:
    parts = []
    if any(f.name == "description" for f in type(record)._meta.concrete_fields):
        parts.append(
            f'<form class=write data-api="/api/{e(registry)}/{e(record.uid)}" data-method="PATCH">'
            f'<label>Description <input name=description value="{e(record.description or "")}" size=60></label> '
            '<button type=submit>Save</button> <span class="result error-text"></span></form>'
        )
    if registry == "artifact":
        parts.append(
            f'<form class=write data-api="/api/artifact/{e(record.uid)}/labels">'
            '<label>Add a label: <input name=name placeholder="record name" required></label> '
            '<input name=feature placeholder="feature (optional)"> '
            '<button type=submit>Annotate</button> <span class="result error-text"></span></form>'
        )
    return "".join(parts)


def _actions(registry: str, record: Any, rels: dict[str, Any]) -> str:
    acts = []
    if registry == "artifact" and record.n_files is None:  # folders: no single file to download
        acts.append(f'<a href="/artifact/{e(record.uid)}/download">Download</a>')
    if registry in {"artifact", "collection", "run"}:
        acts.append(f'<a href="/{registry}/{e(record.uid)}/lineage">Lineage graph</a>')
    if rels.get("run"):
        acts.append(f'<a href="/run/{e(rels["run"]["uid"])}">Run</a>')
    if rels.get("transform"):
        acts.append(f'<a href="/transform/{e(rels["transform"]["uid"])}">Transform</a>')
    return "<p class=actions>" + " · ".join(acts) + "</p>" if acts else ""


def record_page(request: Request, registry: str, uid: str, write: bool) -> Response:
    from ._preview import preview_html

    model = reg.registry(registry)
    record = reg.get(model, uid)
    rels = relations(record)
    name = model.__name__
    trash = " <span class=error>in trash</span>" if getattr(record, "branch", 1) == -1 else ""
    head_html, body = "", [f"<h1>{e(name)}: {e(reg.title(record))}{trash}</h1>", _actions(registry, record, rels)]
    main = [f"<h2>Fields</h2>{fields_html(record)}"]
    side = [f"<h2>Relations</h2>{relations_html(rels)}"] if rels else []
    from ._pages import ancestors_html

    folded = ancestors_html(record)  # a hierarchy: every ancestor, folded away
    if folded:
        side.append(f"<h2>Ancestors</h2>{folded}")
    from ..models import Artifact, Collection, Feature, Record, Run, Schema, Transform

    if isinstance(record, Artifact):
        main.insert(0, f"<h2>Preview</h2>{preview_html(record)}")
    if isinstance(record, (Artifact, Collection, Schema, Feature, Record)) or hasattr(record, "ontology_id"):
        side.insert(0, f"<h2>describe()</h2>{describe_html(record)}")
    if isinstance(record, Run):
        for slot in ("environment", "report"):
            related = getattr(record, slot)
            if related is not None:
                main.append(f"<h2>{slot.capitalize()}</h2>{preview_html(related)}")
    if write:
        main.append(f"<h2>Edit</h2>{_write_forms(record, registry)}")
    body.append(f'<div class=grid2><div>{"".join(main)}</div><div>{"".join(side)}</div></div>')
    if isinstance(record, Transform):
        code, head_html = _source_html(record)
        body.append(f"<h2>Source code</h2>{code}")
    return Response.html(layout(f"{name} {reg.title(record)}", "".join(body), active=f"/{registry}",
                                head_html=head_html, write=write))


def lineage_page(request: Request, registry: str, uid: str, write: bool) -> Response:
    from ._svg import svg

    model = reg.registry(registry)
    if not reg.has_lineage(model):
        raise HTTPError(404, f"lineage is recorded for {', '.join(reg.lineage_registries())}, not {registry!r}")
    record = reg.get(model, uid)
    engine = request.arg("engine", "auto")
    if engine not in {"auto", "dot", "builtin"}:
        raise HTTPError(400, "engine is auto, dot or builtin")
    body = (
        f'<h1>Lineage of {e(type(record).__name__)} '
        f'<a href="/{e(registry)}/{e(record.uid)}">{e(reg.title(record))}</a></h1>'
        '<p class=muted>Data flows left to right: inputs → runs → outputs → collections. Click a node to open it.</p>'
        f"{svg(record, engine=engine)}"
    )
    return Response.html(layout("Lineage", body, active=f"/{registry}", write=write))


def download(request: Request, uid: str) -> Response:
    from ..models import Artifact
    from ._preview import INLINE

    artifact = reg.get(Artifact, uid)
    try:
        path = artifact._local()
    except Exception as err:  # noqa: BLE001 - missing bytes or unreachable storage
        raise HTTPError(404, f"the bytes of artifact {uid} are not available: {err}") from None
    if path.is_dir():
        raise HTTPError(400, f"artifact {uid} is a folder ({artifact.n_files} files): download its files with artifact.cache()")
    suffix = (artifact.suffix or "").lower()
    filename = (artifact.key or artifact.uid + suffix).rsplit("/", 1)[-1]
    inline = request.arg("inline") == "1" and suffix in INLINE
    ctype = INLINE[suffix] if inline else (mimetypes.guess_type(filename)[0] or "application/octet-stream")
    safe_name = "".join(c if c.isalnum() or c in "._-" else "_" for c in filename)
    headers = [("Content-Type", ctype), ("Content-Length", str(path.stat().st_size))]
    if inline:  # shown in the page (img/iframe): no scripts, no same-origin access
        headers.append(("Content-Security-Policy", "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'"))
    else:
        headers.append(("Content-Disposition", f'attachment; filename="{safe_name}"'))

    def chunks() -> Any:
        with open(path, "rb") as fh:
            while block := fh.read(1 << 16):
                yield block

    return Response(200, chunks(), headers)
