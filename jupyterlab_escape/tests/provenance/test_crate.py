"""Provenance as a Workflow Run RO-Crate: records validated as untrusted data, the crate valid per
roc-validator (run offline), every DID and checksum in it, the route writing beside the notebook
through workspace.py, hostile records rejected or neutralised."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
from tornado.httpclient import HTTPClientError

from jupyterlab_escape.catalogue import codemeta as cm
from jupyterlab_escape.provenance import crate as rc
from jupyterlab_escape.provenance import export as export_module
from jupyterlab_escape.provenance.records import read, read_notebook, spec_digest

from .sample import RUN, notebook, provenance, write_notebook, write_notebook_json
from .validator import validate

REPO = Path(__file__).resolve().parents[3]


def build_dir(tmp_path: Path, prov_record: dict, spec: bytes | None = b"version: 0.9.0\n") -> Path:
    prov = read({"provenance": prov_record})
    files = {}
    if spec is not None:
        for run in prov.workflows:
            files[run["id"]] = rc.WorkflowFile(
                run["id"],
                f"workflows/{run['name']}-{run['run_number']}/reana.yaml",
                spec,
                "workspace",
            )
    crate = rc.build(
        rc.CrateInputs(
            "analysis.ipynb",
            "analysis.ipynb",
            prov,
            files,
            {"escape": "https://rucio.example.org"},
            "https://zenodo.example.org",
            license="https://spdx.org/licenses/MIT",
            readme="README.md",
        )
    )
    folder = tmp_path / "crate"
    folder.mkdir()
    (folder / "ro-crate-metadata.json").write_text(json.dumps(crate.metadata.generate()))
    (folder / "analysis.ipynb").write_text("{}")
    (folder / "README.md").write_text(
        export_module.readme_of(
            "analysis.ipynb", prov, files, "MIT", {"escape": "https://rucio.example.org"}
        )
    )
    for wf in files.values():
        (folder / wf.crate_path).parent.mkdir(parents=True, exist_ok=True)
        (folder / wf.crate_path).write_bytes(wf.content)
    return folder


def graph(folder: Path) -> dict[str, dict]:
    data = json.loads((folder / "ro-crate-metadata.json").read_text())
    assert data["@context"] == "https://w3id.org/ro/crate/1.1/context"
    return {e["@id"]: e for e in data["@graph"]}


def ids(value) -> list[str]:
    return [v["@id"] for v in (value if isinstance(value, list) else [value])]


# -- records --------------------------------------------------------------------------------


def test_records_keep_what_fits_the_schema():
    prov = read({"provenance": provenance()})
    assert prov.counts() == {"dids_used": 2, "workflows": 1, "dids_produced": 2, "software": 2}
    assert prov.refused == []
    assert prov.workflows[0]["parameters"] == {"events": 1000, "model": "gauss"}


def test_records_read_the_old_keys():
    old = {
        "datalake": [
            {
                "scope": "s",
                "name": "f.h5",
                "type": "file",
                "adler32": "0a1b2c3d",
                "md5": None,
                "path": "datalake/s/f.h5",
                "instance": "tb",
            }
        ],
        "datalake_produced": [
            {
                "scope": "s",
                "name": "out",
                "type": "dataset",
                "bytes": None,
                "adler32": None,
                "md5": None,
                "rse": "X",
                "path": None,
                "instance": "tb",
                "job": "u1",
                "uploaded": "2026-11-26T03:00:00.000Z",
            }
        ],
    }
    prov = read(old)
    assert [d["name"] for d in prov.dids_used] == ["f.h5"]
    assert prov.dids_produced[0]["recorded"] == "2026-11-26T03:00:00.000Z"


def test_hostile_records_are_dropped_or_bounded():
    forged = provenance()
    forged["dids_used"] = [dict(forged["dids_used"][0], name=f"f{i}") for i in range(50_000)]
    forged["dids_used"].append({"scope": "../../etc", "name": "passwd", "type": "file"})
    forged["workflows"].append(dict(forged["workflows"][0], id="javascript:alert(1)"))
    forged["workflows"].append(
        dict(
            forged["workflows"][0],
            id="00000000-0000-4000-8000-000000000000",
            parameters={"x": "y" * 70_000},
        )
    )
    forged["software"] += [
        {"record_id": "1", "doi": "javascript:alert(1)", "action": "cited"},
        {"record_id": "2", "doi": '10.1234/x" onerror="alert(1)', "action": "cited"},
        {
            "record_id": "3",
            "action": "cited",
            "title": "<img src=x onerror=alert(1)>\n# Title",
            "onclick": "alert(1)",
            "url": "https://evil.example/",
        },
    ]
    forged["dids_produced"] = {"not": "a list"}
    prov = read({"provenance": forged})
    assert len(prov.dids_used) == 1000
    assert [w["id"] for w in prov.workflows] == [RUN]
    assert [s["record_id"] for s in prov.software] == ["1234567", "7654321", "3"]
    assert prov.software[-1] == {
        "record_id": "3",
        "action": "cited",
        "title": "<img src=x onerror=alert(1)> # Title",
    }
    assert prov.dids_produced == []
    assert any("only the first 1000" in r for r in prov.refused)
    assert read({"provenance": {"version": 99, "software": provenance()["software"]}}).empty()
    assert read("not a dict").empty() and read(None).empty()


def test_read_notebook_refuses_what_is_not_a_notebook():
    from jupyterlab_escape.http import EscapeError

    for raw in (b"[1, 2]", b"{not json", b"{" * 100_000, b" " * (21 * 1024 * 1024)):
        with pytest.raises(EscapeError):
            read_notebook(raw)
    _, prov = read_notebook(json.dumps(notebook({"provenance": provenance()})).encode())
    assert prov.counts()["workflows"] == 1


def test_spec_digest_is_canonical_json():
    assert spec_digest({"b": 1, "a": "é"}) == spec_digest({"a": "é", "b": 1})
    assert re.fullmatch(r"[0-9a-f]{64}", spec_digest({}))


def test_frontend_patterns_are_the_schema_s():
    """src/provenance/records.ts keeps the schema's patterns: the same text in openapi.yaml."""
    ts = (REPO / "src/provenance/records.ts").read_text()
    block = ts[
        ts.index("export const PATTERNS") : ts.index("};", ts.index("export const PATTERNS"))
    ]
    patterns = re.findall(r"^\s+\w+: /(.+)/,?$", block, re.M)
    assert len(patterns) >= 15
    spec = (REPO / "jupyterlab_escape/openapi.yaml").read_text()
    for pattern in patterns:
        assert f"'{pattern.replace(chr(92) + '/', '/')}'" in spec, pattern


# -- the crate ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "profile", ["ro-crate-1.1", "process-run-crate-0.5", "workflow-run-crate-0.5"]
)
def test_crate_is_valid_for_the_run_crate_profiles(tmp_path, profile):
    folder = build_dir(tmp_path, provenance())
    assert validate(folder, profile) == []


def test_crate_has_every_did_and_checksum(tmp_path):
    folder = build_dir(tmp_path, provenance())
    entities = graph(folder)
    text = (folder / "ro-crate-metadata.json").read_text()
    record = provenance()
    for did in record["dids_used"] + record["dids_produced"]:
        url = f"https://rucio.example.org/dids/{did['scope']}/{did['name']}"
        assert url in entities, url
        entity = entities[url]
        assert entity["@type"] == ("File" if did["type"] == "file" else "Dataset")
        values = {
            entities[i]["propertyID"]: entities[i]["value"] for i in ids(entity["identifier"])
        }
        assert values["rucio-did"] == f"{did['scope']}:{did['name']}"
        for algorithm in ("adler32", "md5"):
            assert values.get(algorithm) == did[algorithm]
            if did[algorithm]:
                assert did[algorithm] in text
        if did["bytes"] is not None:
            assert entity["contentSize"] == str(did["bytes"])
        assert url in ids(entities["./"]["hasPart"])


def test_crate_describes_the_run(tmp_path):
    entities = graph(build_dir(tmp_path, provenance()))
    root = entities["./"]
    assert set(ids(root["conformsTo"])) == {
        "https://w3id.org/ro/wfrun/process/0.5",
        "https://w3id.org/ro/wfrun/workflow/0.5",
        "https://w3id.org/workflowhub/workflow-ro-crate/1.0",
    }
    main = entities[root["mainEntity"]["@id"]]
    assert set(main["@type"]) == {"File", "SoftwareSourceCode", "ComputationalWorkflow"}
    assert entities[main["programmingLanguage"]["@id"]]["@type"] == "ComputerLanguage"
    action = entities[f"#run-{RUN}"]
    assert action["@type"] == "CreateAction" and f"#run-{RUN}" in ids(root["mentions"])
    assert action["instrument"]["@id"] == main["@id"]
    assert action["actionStatus"]["@id"] == "http://schema.org/CompletedActionStatus"
    assert action["startTime"] == "2026-11-26T03:00:05Z"
    assert action["endTime"] == "2026-11-26T03:01:00Z"
    objects = [entities[i] for i in ids(action["object"])]
    assert {o["name"] for o in objects} == {
        "escape_cta:gamma_1.h5",
        "escape_cta:gamma_set",
        "events",
        "model",
    }
    values = {o["name"]: o for o in objects if o["@type"] == "PropertyValue"}
    assert values["events"]["value"] == 1000
    formal = entities[values["events"]["exampleOfWork"]["@id"]]
    assert formal["@type"] == "FormalParameter" and formal["additionalType"] == "Integer"
    assert formal["@id"] in ids(main["input"])
    assert {entities[i]["name"] for i in ids(action["result"])} == {
        "escape_opendata:analysis.3.fit.json",
        "escape_opendata:analysis.3",
    }
    notebook_entity = entities["analysis.ipynb"]
    cited = {entities[i]["@id"] for i in ids(notebook_entity["citation"])}
    assert cited == {
        "https://doi.org/10.5281/zenodo.1234567",
        "https://zenodo.example.org/records/7654321",
    }


def test_runs_known_by_digest_only_make_a_process_run_crate(tmp_path):
    folder = build_dir(tmp_path, provenance(), spec=None)
    entities = graph(folder)
    assert ids(entities["./"]["conformsTo"]) == ["https://w3id.org/ro/wfrun/process/0.5"]
    assert validate(folder, "process-run-crate-0.5") == []


def test_hostile_text_stays_text_and_no_url_comes_from_the_notebook(tmp_path):
    record = provenance()
    record["software"].append(
        {
            "record_id": "3",
            "action": "cited",
            "title": "<script>alert(1)</script>",
            "version": "javascript:alert(1)",
        }
    )
    record["dids_used"][0]["instance"] = "evil.example"  # not a configured instance
    folder = build_dir(tmp_path, record)
    text = (folder / "ro-crate-metadata.json").read_text()
    entities = graph(folder)
    for ident in entities:
        assert not ident.lower().startswith(("javascript:", "data:", "file:", "//"))
        if ident.startswith("http"):
            assert ident.startswith(
                (
                    "https://rucio.example.org/",
                    "https://doi.org/",
                    "https://zenodo.example.org/",
                    "https://w3id.org/",
                    "http://schema.org/",
                    "https://bioschemas.org/",
                )
            ) or ident in {url for _, url in rc.ENGINES.values()}, ident
    assert "evil.example" not in [i for i in entities if i.startswith("http")]
    assert not list(folder.glob("*.html"))  # no preview: nothing renders the text
    assert json.loads(text)  # the text is a JSON string value, not markup
    assert validate(folder, "workflow-run-crate-0.5") == []


# -- the route ------------------------------------------------------------------------------


async def export(jp_fetch, **body):
    response = await jp_fetch(
        "escape", "provenance", "export", method="POST", body=json.dumps(body), request_timeout=60
    )
    return json.loads(response.body)


async def refusal(jp_fetch, **body):
    with pytest.raises(HTTPClientError) as caught:
        await export(jp_fetch, **body)
    return caught.value.code, json.loads(caught.value.response.body)["error"]


async def test_export_writes_the_crate_beside_the_notebook(jp_fetch, jp_root_dir, project):
    root = Path(jp_root_dir)
    write_notebook(root, "analysis/analysis.ipynb", {"provenance": provenance()})
    answer = await export(jp_fetch, path="analysis/analysis.ipynb", license="MIT")
    assert answer["folder"] == "analysis/analysis-ro-crate"
    assert answer["zip"] == "analysis/analysis-ro-crate.zip"
    assert answer["counts"] == {"dids_used": 2, "workflows": 1, "dids_produced": 2, "software": 2}
    # The run id is not one REANA knows: the notebook's reana.yaml goes in, read through the rule.
    assert answer["workflow_specs"][RUN] == {
        "path": "workflows/analysis-3/reana.yaml",
        "source": "workspace",
        "digest_matches": None,
    }
    assert any(RUN in w for w in answer["warnings"])
    folder = root / answer["folder"]
    assert (folder / "workflows/analysis-3/reana.yaml").read_bytes() == (
        project / "reana.yaml"
    ).read_bytes()
    assert validate(folder, "workflow-run-crate-0.5") == []
    codemeta = json.loads((folder / "codemeta.json").read_text())
    assert codemeta["name"] == "Provenance of analysis.ipynb"
    assert codemeta["license"] == "https://spdx.org/licenses/MIT"
    assert any("10.5281/zenodo.1234567" in r for r in codemeta["softwareRequirements"])
    # The notebook names no authors: no author, no maintainer (the publish form asks for them).
    assert "author" not in codemeta and "maintainer" not in codemeta
    # The generated README, listed in the metadata as about the crate.
    readme = (folder / "README.md").read_text()
    for text in (
        "escape\\_cta:gamma\\_1.h5",
        "adler32 0a1b2c3d",
        "md5 9e107d9d372bb6826bd81d3542a419d6",
        "escape\\_opendata:analysis.3.fit.json",
        "adler32 deadbeef",
        "Run analysis.3: status finished, engine serial",
        "workflows/analysis-3/reana.yaml",
        "DOI 10.5281/zenodo.1234567",
        "<https://spdx.org/licenses/MIT>",
    ):
        assert text in readme, text
    entities = graph(folder)
    assert entities["README.md"]["about"] == {"@id": "./"}
    assert entities["README.md"]["encodingFormat"] == "text/markdown"
    assert "README.md" in ids(entities["./"]["hasPart"])
    with zipfile.ZipFile(root / answer["zip"]) as archive:
        assert sorted(archive.namelist()) == [
            "README.md",
            "analysis.ipynb",
            "ro-crate-metadata.json",
            "workflows/analysis-3/reana.yaml",
        ]
        assert archive.read("README.md") == readme.encode()
        assert (
            archive.read("ro-crate-metadata.json")
            == (folder / "ro-crate-metadata.json").read_bytes()
        )
    # A second export never replaces the first.
    again = await export(jp_fetch, path="analysis/analysis.ipynb")
    assert again["folder"] == "analysis/analysis-ro-crate (1)"
    assert again["zip"] == "analysis/analysis-ro-crate (1).zip"
    assert not list(root.rglob("*.part"))  # noqa: ASYNC240 - a test assertion


async def test_export_takes_reana_s_specification_and_checks_the_digest(
    jp_fetch, jp_root_dir, project
):
    from ..workflows.test_workflows import submit, unique_name, wait_for

    name = unique_name()
    started = (await submit(jp_fetch, name=name, parameters={"events": "250"}))[-1]
    run = started["workflow_id"]
    await wait_for(jp_fetch, run)
    response = await jp_fetch("escape", "provenance", "workflows", run)
    record = json.loads(response.body)
    assert record["id"] == run and record["name"] == name and record["run_number"] == "1"
    assert record["engine"] == "serial" and record["status"] == "finished"
    # REANA hands the value as given (a string from the API, typed by newer preparers).
    assert str(record["parameters"]["events"]) == "250" and record["parameters"]["model"] == "gauss"
    assert re.fullmatch(r"[0-9a-f]{64}", record["spec_sha256"])
    assert record["finished"].endswith("Z")

    good = provenance(run=run, spec_path=None)
    good["workflows"] = [record | {"inputs": ["escape_cta:gamma_1.h5"]}]
    for did in good["dids_produced"]:
        did["workflow"] = run
    write_notebook(Path(jp_root_dir), "nb/good.ipynb", {"provenance": good})
    answer = await export(jp_fetch, path="nb/good.ipynb")
    assert answer["workflow_specs"][run]["source"] == "reana"
    assert answer["workflow_specs"][run]["digest_matches"] is True
    spec = json.loads(
        (Path(jp_root_dir) / answer["folder"] / f"workflows/{name}-1/reana.json").read_text()
    )
    assert spec_digest(spec) == record["spec_sha256"]

    forged = json.loads(json.dumps(good))
    forged["workflows"][0]["spec_sha256"] = "0" * 64
    write_notebook(Path(jp_root_dir), "nb/forged.ipynb", {"provenance": forged})
    answer = await export(jp_fetch, path="nb/forged.ipynb")
    assert answer["workflow_specs"][run]["digest_matches"] is False
    assert any("differs" in w for w in answer["warnings"])


@pytest.mark.parametrize(
    "spec_path",
    [
        "../outside.yaml",
        "/etc/passwd.yaml",
        ".ssh/config.yaml",
        "analysis/../../x.yaml",
        "analysis/code/fit.py",
        "analysis/link.yaml",
    ],
)
async def test_forged_spec_paths_are_not_read(jp_fetch, jp_root_dir, project, spec_path):
    root = Path(jp_root_dir)
    (root / ".ssh").mkdir(exist_ok=True)
    (root / ".ssh/config.yaml").write_text("secret: 1\n")
    outside = root.parent / "outside.yaml"
    outside.write_text("secret: 2\n")
    link = project / "link.yaml"
    if not link.exists():
        link.symlink_to(outside)
    write_notebook(root, "nb.ipynb", {"provenance": provenance(spec_path=spec_path)})
    answer = await export(jp_fetch, path="nb.ipynb")
    assert answer["workflow_specs"] == {}
    folder = root / answer["folder"]
    assert not (folder / "workflows").exists()
    for member in zipfile.ZipFile(root / answer["zip"]).namelist():
        assert "secret" not in zipfile.ZipFile(root / answer["zip"]).read(member).decode(
            errors="replace"
        )
    assert validate(folder, "process-run-crate-0.5") == []


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("../x.ipynb", 400),
        ("/etc/x.ipynb", 400),
        (".hidden/x.ipynb", 400),
        ("x.txt", 400),
        ("missing.ipynb", 404),
        (None, 400),
        ("empty.ipynb", 409),
        ("notjson.ipynb", 400),
    ],
)
async def test_export_refuses_what_is_not_a_workspace_notebook(jp_fetch, jp_root_dir, path, status):
    root = Path(jp_root_dir)
    write_notebook(root, "empty.ipynb", {})
    (root / "notjson.ipynb").write_text("<html>")
    code, error = await refusal(jp_fetch, path=path)
    assert code == status, error
    assert error["message"]
    assert not list(root.glob("*-ro-crate*"))  # noqa: ASYNC240 - a test assertion


async def test_export_refuses_a_license_that_is_not_an_spdx_id(jp_fetch, jp_root_dir):
    write_notebook(Path(jp_root_dir), "nb.ipynb", {"provenance": provenance()})
    code, _ = await refusal(jp_fetch, path="nb.ipynb", license="javascript:alert(1)")
    assert code == 400


async def test_notebook_authors_become_author_and_maintainer_as_plain_text(jp_fetch, jp_root_dir):
    """nbformat's metadata.authors is untrusted: names folded to one line, cut, non-text
    dropped; the first is the maintainer (the OSSR requires one), the same value as author[0];
    the codemeta passes our OSSR check but for the readme URL the user gives in the form."""
    root = Path(jp_root_dir)
    nb = notebook({"provenance": provenance()})
    nb["metadata"]["authors"] = [
        {"name": "Ada\nLovelace <script>alert(1)</script>\u202e"},
        {"name": 42},
        "Grace Hopper",
        {"name": "  "},
        {"name": "Grace Hopper"},
        {"name": "x" * 5000},
        *[{"name": f"Person {i}"} for i in range(200)],
    ]
    write_notebook_json(root, "analysis/authors.ipynb", nb)
    answer = await export(jp_fetch, path="analysis/authors.ipynb", license="MIT")
    codemeta = json.loads((root / answer["folder"] / "codemeta.json").read_text())
    authors = codemeta["author"]
    assert len(authors) == export_module.MAX_AUTHORS
    # one line, no bidi override; markup stays text (codemeta and Zenodo names are plain text)
    assert authors[0] == {
        "@type": "Person",
        "givenName": "Ada Lovelace",
        "familyName": "<script>alert(1)</script>",
    }
    assert all("\n" not in a.get("givenName", "") + a["familyName"] for a in authors)
    assert authors[1]["familyName"] == "Hopper"
    assert len(authors[2]["familyName"]) <= export_module.MAX_NAME
    assert codemeta["maintainer"] == authors[0]
    problems = cm.validate(codemeta)
    assert [p.field for p in problems if p.level == "error"] == ["readme"]
    # the maintainer goes to Zenodo as its contact person, converted as the creators are
    zenodo = cm.to_zenodo(dict(codemeta, readme="https://example.org/README.md"))
    (contact,) = [c for c in zenodo["contributors"] if c["type"] == "ContactPerson"]
    assert {k: v for k, v in contact.items() if k != "type"} == zenodo["creators"][0]


def test_readme_keeps_recorded_text_inert(tmp_path):
    record = provenance()
    record["software"].append(
        {
            "record_id": "3",
            "action": "cited",
            "title": "[click](javascript:alert(1)) <img src=x onerror=alert(2)> `x` # h",
            "version": "**bold**",
        }
    )
    record["workflows"][0]["parameters"] = {"p": "![i](https://evil.example/t.png)"}
    folder = build_dir(tmp_path, record)
    readme = (folder / "README.md").read_text()
    import markdown_it

    html = markdown_it.MarkdownIt("commonmark").render(readme)
    links = re.findall(r'<a href="([^"]*)"', html)
    # only the links the README makes itself: configured Rucio DIDs and the licence
    assert links and all(
        u.startswith(("https://rucio.example.org/dids/", "https://spdx.org/licenses/"))
        for u in links
    ), links
    assert "<img" not in html and "<strong>" not in html and "<code>x" not in html
    assert "evil.example" not in re.findall(r'(?:href|src)="([^"]*)"', html)
    assert "onerror" not in re.findall(r"<[^>]*>", html)
    assert validate(folder, "workflow-run-crate-0.5") == []
