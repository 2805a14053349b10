"""Registration in Rucio once the bytes are verified: replicas (which create the file DIDs with
their size, adler32, md5 and GUID), metadata, attachment to the dataset, then the container and
the replication rule when every file is settled. A registration Rucio refuses deletes the bytes."""

from __future__ import annotations

import asyncio

from ...http import EscapeError
from ...jobs import JobFailed
from .rules import REGISTER_BATCH
from .send import delete_quietly
from .state import UploadItem, UploadState


async def set_meta(client, dids: list[dict], state: UploadState) -> None:
    if not state.meta:
        return
    for start in range(0, len(dids), REGISTER_BATCH):
        body = {
            "dids": [d | {"meta": state.meta} for d in dids[start : start + REGISTER_BATCH]],
            "recursive": False,
        }
        try:
            await client.post_json("dids/bulkdidsmeta", body)
        except EscapeError as err:
            state.errors.append(
                {"item": "metadata", "message": f"Rucio refused the metadata: {err.message}"}
            )
            return


async def register(state: UploadState, batch: list[UploadItem], client, storage, threads) -> None:
    """Replicas (and thereby new file DIDs) in one call; per file when Rucio refuses the
    batch, so that one bad file does not hold the others. A refused file's bytes go."""
    scope = state.scope

    def row(item: UploadItem) -> dict:
        return {
            "scope": scope,
            "name": item.name,
            "bytes": item.bytes,
            "adler32": item.adler32,
            "md5": item.md5,
            "meta": {"guid": item.guid},
            "state": "A",
        }

    async def add(items: list[UploadItem]) -> None:
        await client.post_json("replicas", {"rse": state.rse, "files": [row(i) for i in items]})

    try:
        await add(batch)
        good = batch
    except EscapeError:
        good = []
        loop = asyncio.get_running_loop()
        for item in batch:
            try:
                await add([item])
                good.append(item)
            except EscapeError as err:
                await loop.run_in_executor(threads, delete_quietly, storage, item.pfn)
                item.state, item.done = "failed", 0
                item.error = f"Rucio refused to register {scope}:{item.name}: {err.message}"
                item.final = True
    for item in good:
        item.state = "registered"
    new = [{"scope": scope, "name": i.name} for i in good if not i.existing]
    await set_meta(client, new, state)
    if state.dataset:
        await attach(client, state, good)


async def attach(client, state: UploadState, items: list[UploadItem]) -> None:
    todo = [i for i in items if not i.attached]
    for start in range(0, len(todo), REGISTER_BATCH):
        part = todo[start : start + REGISTER_BATCH]
        body = {
            "attachments": [
                {
                    "scope": state.scope,
                    "name": state.dataset,
                    "dids": [{"scope": state.scope, "name": i.name} for i in part],
                    "rse": state.rse,
                }
            ],
            "ignore_duplicate": True,
        }
        try:
            await client.post_json("dids/attachments", body)
        except EscapeError as err:
            state.errors.append(
                {
                    "item": f"{state.scope}:{state.dataset}",
                    "message": f"Rucio refused to attach files to the dataset: {err.message}",
                }
            )
            return
        for item in part:
            item.attached = True


async def finish(state: UploadState, client) -> None:
    scope = state.scope
    if state.dataset:
        await attach(client, state, [i for i in state.items if i.settled])
    if state.container and state.dataset and not state.container_done:
        try:
            await client.post_json(f"dids/{scope}/{state.container}", {"type": "CONTAINER"})
        except EscapeError as err:
            if err.upstream_status != 409:
                raise JobFailed(f"Rucio refused the container: {err.message}") from None
        body = {
            "attachments": [
                {
                    "scope": scope,
                    "name": state.container,
                    "dids": [{"scope": scope, "name": state.dataset}],
                }
            ],
            "ignore_duplicate": True,
        }
        await client.post_json("dids/attachments", body)
        state.container_done = True
    if state.rules or state.errors:
        return
    if state.dataset:
        dids = [{"scope": scope, "name": state.dataset}]
    else:  # like rucio upload: no rule for a file that was registered before
        dids = [
            {"scope": scope, "name": i.name}
            for i in state.items
            if i.state == "registered" and not i.existing
        ]
    if not dids:
        return
    account = await client.account_name()
    for start in range(0, len(dids), REGISTER_BATCH):
        body = {
            "dids": dids[start : start + REGISTER_BATCH],
            "copies": state.copies,
            "rse_expression": state.rse_expression or state.rse,
            "grouping": "DATASET",
            "lifetime": state.lifetime,
            "account": account,
            "comment": "uploaded from JupyterLab (jupyterlab-escape)",
        }
        try:
            state.rules += list(await client.post_json("rules/", body) or [])
        except EscapeError as err:
            if err.code == "rucio_duplicate_rule":
                # this account already keeps the dataset there: the new files are covered
                state.rules.append("existing")
                continue
            state.errors.append(
                {
                    "item": "rule",
                    "message": "The files are registered, but Rucio refused the "
                    f"replication rule on {body['rse_expression']}: {err.message} "
                    "Retry once this is fixed.",
                }
            )
            return
