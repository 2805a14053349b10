"""A notebook's provenance as a Workflow Run RO-Crate (RO-Crate 1.1, Workflow Run Crate 0.5).

Built with ``rocrate`` (ro-crate-py, Apache-2.0) from *validated* provenance (``records.read``):

- the root Dataset conforms to Process Run Crate 0.5, Workflow Run Crate 0.5 and Workflow
  RO-Crate 1.0 when a workflow run is recorded (to RO-Crate 1.1 only otherwise);
- the notebook is a File of the crate (the analysis that launched everything);
- each REANA run's specification is a ``File, SoftwareSourceCode, ComputationalWorkflow`` of the
  crate (REANA's own copy of the run's specification when REANA answers, else the notebook's
  ``reana.yaml``), the first one the crate's ``mainEntity``;
- each run is a ``CreateAction`` (``instrument`` the workflow, ``object`` its input DIDs and
  parameter values, ``result`` the DIDs uploaded from it, times and ``actionStatus``), listed in
  the root's ``mentions``; parameters are ``PropertyValue``s realising the workflow's
  ``FormalParameter``s (``exampleOfWork``);
- DIDs are data entities outside the crate, identified by their Rucio URL
  (``<configured Rucio>/dids/<scope>/<name>``; never a host from the notebook) with the DID,
  size and checksums (``PropertyValue``s adler32 / md5);
- OSSR software by DOI (``https://doi.org/<doi>``), or its record URL on the configured Zenodo.

Every string here is data for a JSON document; no HTML preview is generated.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from rocrate.model.contextentity import ContextEntity
from rocrate.rocrate import ROCrate

from .records import Provenance

CRATE_11 = "https://w3id.org/ro/crate/1.1"
NO_LICENSE = (
    "No licence was chosen when this crate was exported: ask the notebook's author before reuse."
)
PROFILES = {
    "process": ("https://w3id.org/ro/wfrun/process/0.5", "Process Run Crate", "0.5"),
    "workflow": ("https://w3id.org/ro/wfrun/workflow/0.5", "Workflow Run Crate", "0.5"),
    "wroc": ("https://w3id.org/workflowhub/workflow-ro-crate/1.0", "Workflow RO-Crate", "1.0"),
}
ENGINES = {
    "serial": (
        "REANA serial workflow",
        "https://docs.reana.io/running-workflows/supported-systems/serial/",
    ),
    "cwl": ("Common Workflow Language", "https://w3id.org/cwl/"),
    "yadage": ("Yadage", "https://yadage.readthedocs.io/"),
    "snakemake": ("Snakemake", "https://snakemake.readthedocs.io/"),
}
STATUS = {
    "finished": "http://schema.org/CompletedActionStatus",
    "failed": "http://schema.org/FailedActionStatus",
    "stopped": "http://schema.org/FailedActionStatus",
    "deleted": "http://schema.org/FailedActionStatus",
    "running": "http://schema.org/ActiveActionStatus",
    "pending": "http://schema.org/PotentialActionStatus",
    "queued": "http://schema.org/PotentialActionStatus",
    "created": "http://schema.org/PotentialActionStatus",
}


def local_id(*parts: str) -> str:
    """A ``#…`` identifier from recorded names (percent-encoded: distinct names, distinct ids)."""
    return "#" + "/".join(quote(p[:250], safe="._-:") for p in parts)


def one(values: list) -> Any:
    """RO-Crate 1.1 prefers a single value over a one-element list."""
    refs = [{"@id": v.id} for v in values]
    return refs[0] if len(refs) == 1 else refs


@dataclass
class WorkflowFile:
    """A run's specification as it goes into the crate."""

    run_id: str
    crate_path: str  # relative path inside the crate
    content: bytes
    source: str  # "reana" or "workspace"
    digest_matches: bool | None = None


@dataclass
class CrateInputs:
    notebook_name: str  # file name of the notebook inside the crate
    notebook_title: str
    provenance: Provenance
    workflow_files: dict[str, WorkflowFile] = field(default_factory=dict)
    rucio_urls: dict[str, str] = field(default_factory=dict)  # configured instance -> base URL
    zenodo_url: str | None = None
    license: str | None = None
    #: The crate's generated README (its name inside the crate), described as about the crate.
    readme: str | None = None


def did_id(rucio_urls: dict[str, str], instance: str, scope: str, name: str) -> str:
    base = rucio_urls.get(instance)
    if base:
        return f"{base.rstrip('/')}/dids/{quote(scope, safe='')}/{quote(name, safe='')}"
    return local_id("did", instance, scope, name)


def _type_of(value: Any) -> str:
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, int):
        return "Integer"
    if isinstance(value, float):
        return "Float"
    if isinstance(value, str):
        return "Text"
    return "StructuredValue"


def _value(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)):
        return value
    import json

    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def build(inputs: CrateInputs) -> ROCrate:
    prov = inputs.provenance
    crate = ROCrate(version="1.1")
    root = crate.root_dataset
    root["name"] = f"Provenance of {inputs.notebook_title}"
    root["description"] = (
        f"What {inputs.notebook_title} used from the ESCAPE Data Lake, the REANA workflow runs it "
        "launched, the datasets it produced and the OSSR software it cited or installed, as "
        "recorded in the notebook's metadata."
    )
    root["datePublished"] = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
    # RO-Crate 1.1 wants a licence; without one chosen, a textual statement (which it allows).
    root["license"] = inputs.license or NO_LICENSE

    notebook = crate.add_file(
        source=None,
        dest_path=inputs.notebook_name,
        properties={
            "name": inputs.notebook_title,
            "encodingFormat": "application/x-ipynb+json",
            "description": "The Jupyter notebook the analysis was made in.",
        },
    )

    if inputs.readme:
        # Workflow Run Crate recommends a README: a data entity about the crate itself.
        crate.add_file(
            source=None,
            dest_path=inputs.readme,
            properties={
                "name": "README",
                "encodingFormat": "text/markdown",
                "description": "What this crate holds: the run, its inputs and outputs by DID, "
                "the workflow and the software, in words.",
                "about": {"@id": "./"},
            },
        )

    # Data Lake DIDs: one entity per DID, shared by uses and products.
    dids: dict[str, Any] = {}

    def did_entity(entry: dict) -> Any:
        ident = did_id(inputs.rucio_urls, entry["instance"], entry["scope"], entry["name"])
        if ident in dids:
            return dids[ident]
        did = f"{entry['scope']}:{entry['name']}"
        identifiers = [
            crate.add(
                ContextEntity(
                    crate,
                    local_id("did", entry["instance"], did),
                    properties={
                        "@type": "PropertyValue",
                        "propertyID": "rucio-did",
                        "name": "Rucio DID",
                        "value": did,
                    },
                )
            )
        ]
        for algorithm in ("adler32", "md5"):
            if entry.get(algorithm):
                identifiers.append(
                    crate.add(
                        ContextEntity(
                            crate,
                            local_id(algorithm, entry["instance"], did),
                            properties={
                                "@type": "PropertyValue",
                                "propertyID": algorithm,
                                "name": algorithm,
                                "value": entry[algorithm],
                            },
                        )
                    )
                )
        properties = {
            "@type": "File" if entry["type"] == "file" else "Dataset",
            "name": did,
            "description": f"Rucio {entry['type']} {did} (instance {entry['instance']}).",
            "identifier": one(identifiers),
        }
        if entry.get("bytes") is not None:
            properties["contentSize"] = str(entry["bytes"])
        if entry.get("recorded") and ident.startswith("http"):
            properties["sdDatePublished"] = entry["recorded"]
        entity = crate.add(ContextEntity(crate, ident, properties=properties))
        # Data entities outside the crate are still parts of it (RO-Crate 1.1: web-based data).
        root.append_to("hasPart", entity)
        dids[ident] = entity
        return entity

    used = [did_entity(e) for e in prov.dids_used]
    by_did = {f"{e['scope']}:{e['name']}": did_entity(e) for e in prov.dids_used}
    produced_by_run: dict[str | None, list] = {}
    for entry in prov.dids_produced:
        produced_by_run.setdefault(entry.get("workflow"), []).append(did_entity(entry))
    if used:
        notebook["mentions"] = one(list(dict.fromkeys(used)))

    # OSSR software.
    software = []
    for entry in prov.software:
        if entry.get("doi"):
            ident = f"https://doi.org/{quote(entry['doi'], safe='/:;()._-')}"
        elif inputs.zenodo_url:
            ident = f"{inputs.zenodo_url.rstrip('/')}/records/{entry['record_id']}"
        else:
            ident = local_id("ossr", entry["record_id"])
        properties = {
            "@type": "SoftwareApplication",
            "name": entry.get("title") or f"OSSR record {entry['record_id']}",
            "identifier": entry.get("doi") or entry["record_id"],
            "description": f"OSSR record {entry['record_id']} ({entry['action']} in the notebook).",
        }
        if entry.get("version"):
            properties["version"] = entry["version"]
        existing = crate.get(ident)
        software.append(existing or crate.add(ContextEntity(crate, ident, properties=properties)))
    if software:
        notebook["citation"] = one(list(dict.fromkeys(software)))

    # REANA runs.
    actions = []
    main = None
    for run in prov.workflows:
        spec = inputs.workflow_files.get(run["id"])
        engine = run.get("engine")
        language = None
        if engine:
            label, url = ENGINES[engine]
            language = crate.get(local_id("lang", engine)) or crate.add(
                ContextEntity(
                    crate,
                    local_id("lang", engine),
                    properties={
                        "@type": "ComputerLanguage",
                        "name": label,
                        "url": {"@id": url},
                    },
                )
            )
        wf_properties = {
            "@type": ["File", "SoftwareSourceCode", "ComputationalWorkflow"],
            "name": f"{run['name']} (REANA specification of run {run['run_number']})",
        }
        if language is not None:
            wf_properties["programmingLanguage"] = {"@id": language.id}
        if run.get("spec_sha256"):
            digest = crate.add(
                ContextEntity(
                    crate,
                    local_id("sha256", run["id"]),
                    properties={
                        "@type": "PropertyValue",
                        "propertyID": "sha256",
                        "name": "sha256 of the REANA specification (canonical JSON)",
                        "value": run["spec_sha256"],
                    },
                )
            )
            wf_properties["identifier"] = {"@id": digest.id}
        if spec is not None:
            wf_properties["encodingFormat"] = (
                "application/json" if spec.crate_path.endswith(".json") else "application/yaml"
            )
        if spec is not None:
            workflow = crate.add_file(
                source=None, dest_path=spec.crate_path, properties=wf_properties
            )
        else:
            # REANA did not answer and the notebook's reana.yaml is not here: the specification
            # is known by its digest only.
            wf_properties["@type"] = ["SoftwareSourceCode", "ComputationalWorkflow"]
            workflow = crate.add(
                ContextEntity(crate, local_id("workflow", run["id"]), properties=wf_properties)
            )
        if main is None and spec is not None:
            main = workflow

        objects = [by_did[d] for d in run.get("inputs", []) if d in by_did]
        formal_inputs = []
        for name, value in (run.get("parameters") or {}).items():
            fp = crate.get(local_id("param", run["name"], name)) or crate.add(
                ContextEntity(
                    crate,
                    local_id("param", run["name"], name),
                    properties={
                        "@type": "FormalParameter",
                        "name": name,
                        "additionalType": _type_of(value),
                        "conformsTo": {
                            "@id": "https://bioschemas.org/profiles/FormalParameter/1.0-RELEASE"
                        },
                    },
                )
            )
            formal_inputs.append(fp)
            pv = crate.add(
                ContextEntity(
                    crate,
                    local_id("pv", run["id"], name),
                    properties={
                        "@type": "PropertyValue",
                        "name": name,
                        "value": _value(value),
                        "exampleOfWork": {"@id": fp.id},
                    },
                )
            )
            objects.append(pv)
        if formal_inputs:
            workflow["input"] = one(formal_inputs)

        properties: dict[str, Any] = {
            "@type": "CreateAction",
            "name": f"REANA run {run['name']}.{run['run_number']}",
            "description": f"REANA workflow run {run['id']} (final status: {run['status']}).",
            "identifier": run["id"],
            "actionStatus": {"@id": STATUS[run["status"]]},
        }
        if run.get("started") or run.get("created"):
            properties["startTime"] = run.get("started") or run.get("created")
        if run.get("finished"):
            properties["endTime"] = run["finished"]
        if run["status"] in ("failed", "stopped", "deleted"):
            properties["error"] = f"The run ended {run['status']}."
        results = produced_by_run.get(run["id"], [])
        if objects:
            properties["object"] = one(objects)
        if results:
            properties["result"] = one(results)
        action = crate.add_action(workflow, identifier=f"#run-{run['id']}", properties=properties)
        actions.append(action)

    # Workflow Run Crate needs the main workflow inside the crate; runs whose specification is
    # known by digest only still make a Process Run Crate.
    profiles = []
    if main is not None:
        crate.mainEntity = main
        profiles = ["process", "workflow", "wroc"]
    elif actions:
        profiles = ["process"]
    for key in profiles:
        uri, name, version = PROFILES[key]
        profile = crate.add(
            ContextEntity(
                crate, uri, properties={"@type": "CreativeWork", "name": name, "version": version}
            )
        )
        root.append_to("conformsTo", profile)
    mentions = list(actions)
    if mentions:
        root["mentions"] = one(mentions)
    return crate
