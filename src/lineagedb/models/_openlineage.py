"""Runs as OpenLineage RunEvents (spec 2-0-2), ready for a Marquez server or any OpenLineage consumer.

Mapping: transform -> job, run -> run, input/output artifacts and collections -> datasets.

>>> run.to_openlineage()[0]["eventType"]  # doctest: +SKIP
'START'
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from .. import __version__
from ._lineage_kind import INTERNAL_KIND

PRODUCER = f"https://pypi.org/project/lineagedb/{__version__}"
SPEC = "https://openlineage.io/spec"
EVENT_SCHEMA = f"{SPEC}/2-0-2/OpenLineage.json#/$defs/RunEvent"
FINAL_EVENT = {"completed": "COMPLETE", "errored": "FAIL", "aborted": "ABORT"}


def _facet(schema: str, **fields: Any) -> dict:
    url = schema if schema.startswith("http") else f"{SPEC}/facets/{schema}"
    return {"_producer": PRODUCER, "_schemaURL": url, **fields}


def _custom(name: str, **fields: Any) -> dict:
    return _facet(f"{PRODUCER}#/facets/{name}", **fields)


def run_id(run: Any) -> str:
    """A stable UUID for a run (OpenLineage requires UUIDs): derived from the instance and run uids."""
    from ..core.instance import ensure_connected

    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"lineagedb://{ensure_connected().uid}/run/{run.uid}"))


def _time(value: Any) -> str:
    return value.isoformat().replace("+00:00", "Z")


def _dataset(record: Any) -> dict:
    from .collection import Collection

    if isinstance(record, Collection):
        namespace = f"lineagedb://{_namespace()}"
        facets = {"version": _facet("1-0-1/DatasetVersionDatasetFacet.json#/$defs/DatasetVersionDatasetFacet",
                                    datasetVersion=record.uid)}
        return {"namespace": namespace, "name": record.key or record.uid, "facets": facets}
    facets = {
        "version": _facet("1-0-1/DatasetVersionDatasetFacet.json#/$defs/DatasetVersionDatasetFacet",
                          datasetVersion=record.uid),
        "lineagedb_artifact": _custom("ArtifactDatasetFacet", uid=record.uid, hash=record.hash,
                                      size=record.size, suffix=record.suffix, otype=record.otype),
    }
    if record.description:
        facets["documentation"] = _facet("1-0-1/DocumentationDatasetFacet.json#/$defs/DocumentationDatasetFacet",
                                         description=record.description)
    root = record.storage.root
    namespace = root if "://" in root else Path(root).as_uri()
    return {"namespace": namespace, "name": record.key or record.uid, "facets": facets}


def _namespace() -> str:
    from ..core.instance import ensure_connected

    return ensure_connected().name


def _job(transform: Any) -> dict:
    facets: dict[str, Any] = {
        "jobType": _facet("2-0-3/JobTypeJobFacet.json#/$defs/JobTypeJobFacet", processingType="BATCH",
                          integration="LINEAGEDB", jobType=transform.kind.upper()),
    }
    if transform.reference:
        kind = "file" if transform.reference.startswith("file:") else "url"
        facets["sourceCodeLocation"] = _facet(
            "1-0-1/SourceCodeLocationJobFacet.json#/$defs/SourceCodeLocationJobFacet",
            type=kind, url=transform.reference, path=transform.key, version=transform.uid,
        )
    if transform.source_code:
        facets["sourceCode"] = _facet("1-0-1/SourceCodeJobFacet.json#/$defs/SourceCodeJobFacet",
                                      language="python", sourceCode=transform.source_code)
    if transform.description:
        facets["documentation"] = _facet("1-0-1/DocumentationJobFacet.json#/$defs/DocumentationJobFacet",
                                         description=transform.description)
    return {"namespace": _namespace(), "name": transform.key or transform.uid, "facets": facets}


def _environment_facet(run: Any) -> dict | None:
    env = run.environment
    if env is None:
        return None
    try:
        lines = Path(str(env.cache())).read_text().splitlines()
    except Exception:  # noqa: BLE001 - the facet still names the environment artifact
        lines = []
    python = lines[0].removeprefix("# python ").split(" ")[0] if lines and lines[0].startswith("#") else None
    packages = [line for line in lines if line and not line.startswith("#")]
    return _custom("EnvironmentRunFacet", artifactUid=env.uid, pythonVersion=python, packages=packages)


def _run(run: Any) -> dict:
    facets: dict[str, Any] = {
        "processing_engine": _facet("1-1-1/ProcessingEngineRunFacet.json#/$defs/ProcessingEngineRunFacet",
                                    name="lineagedb", version=__version__, openlineageAdapterVersion=__version__),
    }
    if run.started_at:
        nominal = {"nominalStartTime": _time(run.started_at)}
        if run.finished_at:
            nominal["nominalEndTime"] = _time(run.finished_at)
        facets["nominalTime"] = _facet("1-0-1/NominalTimeRunFacet.json#/$defs/NominalTimeRunFacet", **nominal)
    parent = run.initiated_by_run
    if parent is not None:
        facets["parent"] = _facet("1-0-1/ParentRunFacet.json#/$defs/ParentRunFacet",
                                  run={"runId": run_id(parent)},
                                  job={"namespace": _namespace(), "name": parent.transform.key or parent.transform.uid})
    env = _environment_facet(run)
    if env is not None:
        facets["lineagedb_environment"] = env
    if run.params:
        facets["lineagedb_params"] = _custom("ParamsRunFacet", params=run.params)
    return {"runId": run_id(run), "facets": facets}


def run_events(run: Any) -> list[dict]:
    """START, and once the run ended its COMPLETE/FAIL/ABORT event, as plain JSON-ready dicts."""
    inputs = [_dataset(a) for a in run.input_artifacts.exclude(kind=INTERNAL_KIND).order_by("id")]
    inputs += [_dataset(c) for c in run.input_collections.order_by("id")]
    outputs = [_dataset(a) for a in run.output_artifacts.exclude(kind=INTERNAL_KIND).filter(branch=1).order_by("id")]
    outputs += [_dataset(c) for c in run.output_collections.filter(branch=1).order_by("id")]
    base = {"producer": PRODUCER, "schemaURL": EVENT_SCHEMA, "run": _run(run), "job": _job(run.transform)}
    started = run.started_at or run.created_at
    events = [{"eventType": "START", "eventTime": _time(started), **base, "inputs": inputs, "outputs": []}]
    final = FINAL_EVENT.get(run.status)
    if final is not None:
        events.append({"eventType": final, "eventTime": _time(run.finished_at or started), **base,
                       "inputs": inputs, "outputs": outputs})
    return events
