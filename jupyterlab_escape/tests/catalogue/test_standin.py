"""The Zenodo stand-in keeps Zenodo's documented contract (the catalogue's tests rely on it)."""

from __future__ import annotations

import httpx

from testbed.zenodo.seed import generate


def test_seed_is_big_and_varied():
    seed = generate()
    latest = [r for r in seed if r.json["versions"]["is_latest"]]
    assert len(seed) >= 200 and len(latest) >= 200
    types = {r.json["metadata"]["resource_type"]["id"] for r in seed}
    assert {"software", "dataset"} <= types
    assert len({r.json["metadata"]["title"] for r in seed}) > 150


async def test_search_contract(zenodo_standin):
    async with httpx.AsyncClient(base_url=zenodo_standin.url) as client:
        r = await client.get(
            "/api/records", params={"communities": "escape2020", "size": 3, "type": "software"}
        )
        body = r.json()
        assert set(body) >= {"hits", "aggregations", "links"}
        assert len(body["hits"]["hits"]) == 3 and "next" in body["links"]
        assert all(h["metadata"]["resource_type"]["id"] == "software" for h in body["hits"]["hits"])
        assert (await client.get("/api/records", params={"size": 26})).status_code == 400
        ok = await client.get(
            "/api/records", params={"size": 26}, headers={"Authorization": "Bearer t"}
        )
        assert ok.status_code == 200
        scoped = await client.get("/api/communities/escape2020/records", params={"size": 1})
        assert scoped.json()["hits"]["total"] == body_total(
            await client.get("/api/records", params={"communities": "escape2020", "size": 1})
        )
        bib = await client.get(
            f"/api/records/{body['hits']['hits'][0]['id']}",
            headers={"Accept": "application/x-bibtex"},
        )
        assert bib.text.startswith("@software{")
        bad = await client.get(
            f"/api/records/{body['hits']['hits'][0]['id']}",
            headers={"Accept": "text/x-bibliography"},
            params={"style": "nope"},
        )
        assert (
            bad.status_code == 400 and bad.json()["message"] == "Citation string style not found."
        )
        await client.post("/_standin/control", json={"rate_limit_next": 1, "retry_after": 7})
        limited = await client.get("/api/records")
        assert limited.status_code == 429 and limited.headers["Retry-After"] == "7"


def body_total(response) -> int:
    return response.json()["hits"]["total"]
