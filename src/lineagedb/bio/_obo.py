"""A small reader for OBO 1.2/1.4 files: the ``[Term]`` stanzas an ontology table needs.

>>> from lineagedb.bio._obo import read_obo
>>> rows, version = read_obo("hp.obo")  # doctest: +SKIP
>>> rows[0]["ontology_id"], rows[0]["parents"]  # doctest: +SKIP
('HP:0000001', [])
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import IO, Any

_QUOTED = re.compile(r'^"((?:[^"\\]|\\.)*)"')


def _unquote(value: str) -> str:
    match = _QUOTED.match(value)
    if match is None:
        return value.strip()
    return match.group(1).replace('\\"', '"').replace("\\n", " ")


def _new_term() -> dict[str, Any]:
    return {"ontology_id": None, "name": None, "synonyms": [], "description": None, "parents": [], "deprecated": False}


def _finish(term: dict[str, Any] | None, rows: list[dict[str, Any]]) -> None:
    if term is not None and term["ontology_id"] and term["name"] and not term["deprecated"]:
        rows.append(term)


def parse_obo(handle: IO[str]) -> tuple[list[dict[str, Any]], str | None]:
    """Terms (id, name, exact/related synonyms, definition, is_a parents) and the ``data-version`` header."""
    rows: list[dict[str, Any]] = []
    version: str | None = None
    term: dict[str, Any] | None = None
    in_term = False
    for raw in handle:
        line = raw.rstrip("\n")
        if not line or line.startswith("!"):
            continue
        if line.startswith("["):
            _finish(term, rows)
            in_term = line.strip() == "[Term]"
            term = _new_term() if in_term else None
            continue
        key, _, value = line.partition(":")
        value = value.strip()
        if term is None:
            if key == "data-version" and version is None:
                version = value.rsplit("/", 1)[-1]
            elif key == "property_value" and value.startswith("owl:versionInfo"):
                version = _unquote(value.split(" ", 1)[1])
            continue
        if key == "id":
            term["ontology_id"] = value
        elif key == "name":
            term["name"] = value
        elif key == "def":
            term["description"] = _unquote(value)
        elif key == "synonym":
            kind = value[value.rfind('"') + 1:].split()
            if kind and kind[0] in {"EXACT", "RELATED"}:
                term["synonyms"].append(_unquote(value))
        elif key == "is_a":
            term["parents"].append(value.split("!")[0].split("{")[0].strip())
        elif key == "is_obsolete" and value == "true":
            term["deprecated"] = True
    _finish(term, rows)
    return rows, version


def read_obo(path: str | Path) -> tuple[list[dict[str, Any]], str | None]:
    """Parse an OBO file on disk (see :func:`parse_obo`)."""
    with open(path, encoding="utf-8") as handle:
        return parse_obo(handle)
