"""GET /escape/catalogue/search against the Zenodo stand-in, through a real Jupyter server."""

from __future__ import annotations

from .helpers import error_of, get_json


async def test_search_is_scoped_to_the_community_and_mapped(jp_fetch, zenodo_standin):
    result = await get_json(jp_fetch, "search", params={"q": "gamma", "size": "5"})
    assert result["scope"] == "community" and result["community"] == "escape2020"
    assert result["total"] > 5 and len(result["hits"]) == 5
    hit = result["hits"][0]
    assert set(hit) >= {
        "id", "title", "version", "creators", "publication_date", "resource_type", "keywords",
        "licence", "doi", "html_url",
    }  # fmt: skip
    assert hit["doi"] == f"10.5281/zenodo.{hit['id']}"
    assert hit["html_url"] == f"{zenodo_standin.url}/records/{hit['id']}"
    assert {f["name"] for f in result["facets"]} >= {"resource_type", "subject", "access_status"}
    paths = zenodo_standin.state.stats.paths
    assert paths["/api/records"] == 1
    # Zenodo sees the package's User-Agent and the token, server side only.
    (agent,) = zenodo_standin.state.stats.user_agents
    assert agent.startswith("jupyterlab-escape/")
    assert zenodo_standin.state.stats.authorized == 1


async def test_all_of_zenodo_finds_more_than_the_community(jp_fetch):
    scoped = await get_json(jp_fetch, "search", params={"size": "1"})
    everything = await get_json(jp_fetch, "search", params={"size": "1", "scope": "all"})
    assert everything["total"] > scoped["total"] >= 150


async def test_filters_come_from_facets_and_narrow_results(jp_fetch):
    first = await get_json(jp_fetch, "search", params={"size": "25"})
    subject = next(f for f in first["facets"] if f["name"] == "subject")["buckets"][0]
    result = await get_json(
        jp_fetch,
        "search",
        params={"size": "25", "resource_type": "software", "subject": subject["key"]},
    )
    assert 0 < result["total"] <= subject["count"]
    assert all(h["resource_type"]["id"] == "software" for h in result["hits"])
    assert all(subject["key"] in h["keywords"] for h in result["hits"])
    types = next(f for f in result["facets"] if f["name"] == "resource_type")
    assert [b["key"] for b in types["buckets"] if b["selected"]] == ["software"]
    assert result["filters"] == {"resource_type": ["software"], "subject": [subject["key"]]}


async def test_sorts(jp_fetch):
    viewed = await get_json(jp_fetch, "search", params={"sort": "mostviewed", "size": "20"})
    views = [h["views"] for h in viewed["hits"]]
    assert views == sorted(views, reverse=True)
    downloaded = await get_json(jp_fetch, "search", params={"sort": "mostdownloaded", "size": "20"})
    downloads = [h["downloads"] for h in downloaded["hits"]]
    assert downloads == sorted(downloads, reverse=True)
    best = await get_json(jp_fetch, "search", params={"q": "pipeline", "size": "5"})
    assert best["sort"] == "bestmatch"
    assert "pipeline" in best["hits"][0]["title"].lower()


async def test_paging_within_zenodo_limits(jp_fetch):
    one = await get_json(jp_fetch, "search", params={"size": "10", "page": "1", "sort": "newest"})
    two = await get_json(jp_fetch, "search", params={"size": "10", "page": "2", "sort": "newest"})
    assert not {h["id"] for h in one["hits"]} & {h["id"] for h in two["hits"]}
    assert one["max_page"] == 1000
    code, error, _ = await error_of(jp_fetch, "search", params={"size": "10", "page": "1001"})
    assert code == 400 and "first 10000 results" in error["message"]
    code, error, _ = await error_of(jp_fetch, "search", params={"size": "101"})
    assert code == 400 and "between 1 and 100" in error["message"]
    code, error, _ = await error_of(jp_fetch, "search", params={"sort": "random"})
    assert code == 400 and error["code"] == "bad_request"


async def test_repeated_search_is_served_from_cache(jp_fetch, zenodo_standin):
    first = await get_json(jp_fetch, "search", params={"q": "radio"})
    again = await get_json(jp_fetch, "search", params={"q": "radio"})
    assert not first["cached"] and again["cached"]
    assert again["hits"] == first["hits"]
    assert zenodo_standin.state.stats.searches == 1


async def test_query_syntax_error_is_explained(jp_fetch):
    code, error, _ = await error_of(jp_fetch, "search", params={"q": 'title:"unbalanced'})
    assert code == 400
    assert error["code"] == "zenodo_bad_query"
    assert error["message"].startswith("Zenodo could not run this search")
    assert "quotes" in error["message"]
    assert error["upstream_status"] == 400
