"""Record view and citations: GET /escape/catalogue/records/<id>[/versions|/citation]."""

from __future__ import annotations

from testbed.zenodo.seed import hostile_record_id

from .helpers import error_of, get_json


def _multi_version_software(state) -> str:
    for record in state.records:
        m = record.json
        if (
            m["versions"]["is_latest"]
            and m["versions"]["index"] >= 3
            and record.codemeta
            and "codemeta.json" in record.files
            and m["access"]["files"] == "public"
        ):
            return record.id
    raise AssertionError("seed has no multi-version software with codemeta")


async def test_record_view_has_versions_files_related_and_codemeta(jp_fetch, zenodo_standin):
    record_id = _multi_version_software(zenodo_standin.state)
    record = await get_json(jp_fetch, "records", record_id)
    assert record["id"] == record_id
    versions = record["versions"]
    assert len(versions) >= 3
    assert [v["id"] for v in versions if v["is_latest"]] == [record_id]
    assert all(f["md5"] and f["size"] > 0 for f in record["files"])
    kinds = {r["kind"] for r in record["related"]}
    assert {"repository", "documentation"} <= kinds
    codemeta = record["codemeta"]
    assert codemeta["source"] == "file"
    assert codemeta["programmingLanguage"]
    assert codemeta["maintainers"] and codemeta["maintainers"][0]["name"]
    creators = record["creators"]
    assert any(c["orcid"] for c in creators) or creators
    install = record["install"]
    assert install["source"] == "codemeta"
    assert install["code"].startswith("# Install ")
    assert "%pip install" in install["code"] or "!git clone" in install["code"]


async def test_versions_route(jp_fetch, zenodo_standin):
    record_id = _multi_version_software(zenodo_standin.state)
    body = await get_json(jp_fetch, "records", record_id, "versions")
    indexes = [v["index"] for v in body["versions"]]
    assert indexes == sorted(indexes, reverse=True)


async def test_hostile_description_stays_inert(jp_fetch, zenodo_standin):
    record_id = hostile_record_id(zenodo_standin.state.records)
    record = await get_json(jp_fetch, "records", record_id)
    html = record["description_html"]
    for bad in ("<script", "onerror", "onclick", "javascript:", "<img", "pwned"):
        assert bad not in html, bad
    assert 'href="https://' in html and 'rel="noopener noreferrer nofollow"' in html
    assert record["remote_images"] == 1 and record["images_shown"] is False
    shown = await get_json(jp_fetch, "records", record_id, params={"images": "1"})
    assert '<img src="https://tracker.example.org/pixel.png"' in shown["description_html"]
    assert "onerror" not in shown["description_html"]


async def test_bad_and_unknown_record_ids(jp_fetch, zenodo_standin):
    code, error, _ = await error_of(jp_fetch, "records", "..%2F..%2Fapi")
    assert code == 400 and error["code"] == "bad_record_id"
    code, error, _ = await error_of(jp_fetch, "records", "123abc")
    assert code == 400 and error["code"] == "bad_record_id"
    code, error, _ = await error_of(jp_fetch, "records", "999999999")
    assert code == 404 and error["code"] == "zenodo_not_found"
    assert error["message"] == "Zenodo has no record 999999999."
    assert zenodo_standin.state.stats.paths["/api/records/999999999"] == 1


async def test_citations_use_zenodo_exports(jp_fetch, zenodo_standin):
    record_id = _multi_version_software(zenodo_standin.state)
    bibtex = await get_json(jp_fetch, "records", record_id, "citation")
    assert bibtex["style"] == "bibtex"
    assert bibtex["text"].startswith("@software{") and f"zenodo.{record_id}" in bibtex["text"]
    apa = await get_json(jp_fetch, "records", record_id, "citation", params={"style": "apa"})
    assert apa["text"].endswith(f"https://doi.org/10.5281/zenodo.{record_id}")
    assert "(" in apa["text"] and "Zenodo." in apa["text"]
    csl = await get_json(jp_fetch, "records", record_id, "citation", params={"style": "csl"})
    assert '"DOI"' in csl["text"]
    code, error, _ = await error_of(
        jp_fetch, "records", record_id, "citation", params={"style": "no-such-style"}
    )
    assert code == 400 and error["code"] == "zenodo_bad_style"
    code, error, _ = await error_of(
        jp_fetch, "records", record_id, "citation", params={"style": "apa&x=1"}
    )
    assert code == 400 and error["code"] == "bad_request"
