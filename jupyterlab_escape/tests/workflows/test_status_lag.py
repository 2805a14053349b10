"""#21: "REANA status in the detail view and sidebar within one poll interval of the change",
measured against the REANA stand-in itself (its simulated life: queued -> running -> finished).

Each poll round asks the stand-in first (the truth), then our two routes the views read: the
workflow (detail view) and the list (sidebar). Asked after the truth, a route that shows the
change at the first poll after it never shows an older status than the truth of its round. The
lag is counted in polls, never in seconds."""

from __future__ import annotations

import asyncio

import httpx

from .test_workflows import TERMINAL, call, submit, unique_name

ORDER = {"created": 0, "queued": 1, "pending": 1, "running": 2, "finished": 3, "failed": 3}
POLL_SECONDS = 0.2  # the pace of the rounds only; no assertion reads a clock
MAX_ROUNDS = 300


def lag_in_polls(truth: list[str], seen: list[str]) -> dict[str, int]:
    """For each status the stand-in took: polls from the round it was first true to the round a
    route first showed it (or a later one)."""
    lags: dict[str, int] = {}
    for status in dict.fromkeys(truth):
        first_true = truth.index(status)
        shown = next(
            (k for k in range(first_true, len(seen)) if ORDER[seen[k]] >= ORDER[status]), None
        )
        assert shown is not None, f"{status} never shown: truth {truth}, seen {seen}"
        lags[status] = shown - first_true
    return lags


async def test_detail_and_list_show_each_change_at_the_first_poll_after_it(
    jp_fetch, project, reana_standin
):
    name = unique_name()
    events = await submit(jp_fetch, name=name)
    ref = events[-1]["workflow_id"]
    truth: list[str] = []
    detail: list[str] = []
    listed: list[str] = []
    async with httpx.AsyncClient(base_url=reana_standin.url) as standin:
        for _ in range(MAX_ROUNDS):
            answer = await standin.get(
                f"/api/workflows/{ref}/status", params={"access_token": reana_standin.token}
            )
            truth.append(answer.json()["status"])
            detail.append((await call(jp_fetch, "workflows", ref))["status"])
            items = (await call(jp_fetch, "workflows", search=name))["items"]
            listed.append(items[0]["status"])
            if detail[-1] in TERMINAL and listed[-1] in TERMINAL:
                break
            await asyncio.sleep(POLL_SECONDS)

    # The run went through its life on the stand-in, and the rounds saw it change.
    assert truth[-1] == "finished"
    assert {"running", "finished"} <= set(truth), truth
    assert len(set(truth)) >= 2
    for seen in (detail, listed):
        # Never older than the truth asked just before, never newer than the next round's.
        for k, status in enumerate(seen):
            assert ORDER[status] >= ORDER[truth[k]], (k, truth, seen)
            if k + 1 < len(truth):
                assert ORDER[status] <= ORDER[truth[k + 1]], (k, truth, seen)
        lags = lag_in_polls(truth, seen)
        print(f"rounds {len(truth)}, truth {dict.fromkeys(truth)}, lag in polls {lags}")
        assert all(lag == 0 for lag in lags.values()), lags


def test_lag_in_polls_counts_rounds():
    """The measure itself: a route one round late is counted as one poll late."""
    truth = ["queued", "running", "running", "finished", "finished"]
    assert lag_in_polls(truth, truth) == {"queued": 0, "running": 0, "finished": 0}
    late = ["queued", "queued", "running", "running", "finished"]
    assert lag_in_polls(truth, late) == {"queued": 0, "running": 1, "finished": 1}
