"""The one job system: lifecycle, idempotency, caps, persistence and resume."""

from __future__ import annotations

import asyncio
import json
import threading

import pytest

from jupyterlab_escape import jobs as jobs_module
from jupyterlab_escape.http import EscapeError
from jupyterlab_escape.jobs import Job, JobFailed, JobStore, Runner


class Counting(Runner):
    """Counts to ``data["to"]``, one item per tick; resumes from ``data["at"]``."""

    kind = "test.count"

    def __init__(self, limit: int = 8, fail_at: int | None = None, crash: bool = False):
        self.limit, self.fail_at, self.crash = limit, fail_at, crash
        self.gate = asyncio.Event()
        self.gate.set()
        self.retried: list[str] = []
        self.interrupted: list[str] = []

    def max_running(self) -> int:  # type: ignore[override]
        return self.limit

    async def run(self, job: Job) -> None:
        data = job.data
        job.items_total = data["to"]
        while data["at"] < data["to"]:
            await self.gate.wait()
            if self.crash:
                raise RuntimeError("boom")
            if data["at"] == self.fail_at:
                raise JobFailed(f"item {data['at']} failed")
            data["at"] += 1
            job.items_done = data["at"]
            job.bytes_done += 10
            job.transferred += 10
            await asyncio.sleep(0)
        job.message = f"counted to {data['to']}"

    def describe(self, job: Job) -> dict:
        return {"at": job.data["at"]}

    def conflict(self, job: Job, other: Job) -> str | None:
        return "same count" if job.data.get("name") and job.data == other.data else None

    def before_retry(self, job: Job) -> None:
        self.retried.append(job.id)

    def on_interrupted(self, job: Job) -> None:
        self.interrupted.append(job.id)


@pytest.fixture
def store(tmp_path):
    return JobStore(tmp_path / "jobs.json")


async def test_a_job_runs_to_done_with_progress(store):
    runner = store.register(Counting())
    job = store.start("test.count", {"to": 5, "at": 0})
    await store.wait(job.id)
    summary = store.summary(job)
    assert summary["state"] == "done" and summary["message"] == "counted to 5"
    assert summary["items_done"] == 5 and summary["at"] == 5 and summary["kind"] == "test.count"
    assert summary["throughput"] is not None and runner.retried == []
    await store.shutdown()


@pytest.mark.parametrize(
    "runner,state,message",
    [
        (Counting(fail_at=2), "failed", "item 2 failed"),
        (Counting(crash=True), "failed", "Internal error; see the server log."),
    ],
)
async def test_failures_end_in_a_state_with_words(store, runner, state, message):
    store.register(runner)
    job = await store.wait(store.start("test.count", {"to": 5, "at": 0}).id)
    assert (job.state, job.message) == (state, message)
    await store.shutdown()


async def test_cancel_then_retry_resumes(store):
    runner = store.register(Counting())
    runner.gate.clear()
    job = store.start("test.count", {"to": 3, "at": 0})
    await asyncio.sleep(0.01)
    store.cancel(job.id)
    await store.wait(job.id)
    assert job.state == "cancelled" and job.message == "Cancelled; partial files were removed."
    runner.gate.set()
    store.retry(job.id)
    await store.wait(job.id)
    assert job.state == "done" and runner.retried == [job.id]
    with pytest.raises(EscapeError) as caught:
        store.retry(job.id)
    assert caught.value.status == 409 and caught.value.code == "job_done"
    await store.shutdown()


async def test_remove_refuses_a_running_job_and_forgets_a_finished_one(store):
    runner = store.register(Counting())
    runner.gate.clear()
    job = store.start("test.count", {"to": 1, "at": 0})
    with pytest.raises(EscapeError) as caught:
        await store.remove(job.id)
    assert caught.value.status == 409
    runner.gate.set()
    await store.wait(job.id)
    await store.remove(job.id)
    with pytest.raises(EscapeError) as caught:
        store.get(job.id)
    assert caught.value.status == 404 and caught.value.code == "job_not_found"
    await store.shutdown()


class Leaving(Counting):
    """Leaves something outside the store; ``on_remove`` records what it was asked to clean."""

    kind = "test.leave"

    def __init__(self, **kw):
        super().__init__(**kw)
        self.cleaned: list[tuple[str, str]] = []
        self.broken = False

    async def on_remove(self, job: Job) -> None:
        await asyncio.sleep(0)
        self.cleaned.append((job.id, job.state))
        if self.broken:
            raise OSError("storage unreachable")


async def test_removing_an_unfinished_job_runs_its_kinds_cleanup(store):
    runner = store.register(Leaving(fail_at=1))
    store.register(Counting())
    failed = store.start("test.leave", {"to": 3, "at": 0})
    await store.wait(failed.id)
    runner.fail_at = None
    runner.gate.clear()
    cancelled = store.start("test.leave", {"to": 3, "at": 0})
    await asyncio.sleep(0)
    store.cancel(cancelled.id)
    await store.wait(cancelled.id)
    runner.gate.set()
    done = store.start("test.leave", {"to": 2, "at": 0})
    counted = store.start("test.count", {"to": 1, "at": 0})  # a kind without a cleanup
    await store.wait(done.id)
    await store.wait(counted.id)
    assert (failed.state, cancelled.state, done.state) == ("failed", "cancelled", "done")
    for job in (failed, cancelled, done, counted):
        await store.remove(job.id)
    # only the unfinished jobs of the kind, each once, before remove() returned
    assert runner.cleaned == [(failed.id, "failed"), (cancelled.id, "cancelled")]
    assert not store.jobs
    # a cleanup that fails never keeps the job
    runner.broken = True
    runner.fail_at = 0
    again = store.start("test.leave", {"to": 1, "at": 0})
    await store.wait(again.id)
    await store.remove(again.id)
    assert runner.cleaned[-1] == (again.id, "failed") and again.id not in store.jobs
    await store.shutdown()


async def test_an_interrupted_job_is_cleaned_when_removed_after_a_restart(tmp_path):
    first = JobStore(tmp_path / "jobs.json")
    runner = first.register(Leaving())
    runner.gate.clear()
    job = first.start("test.leave", {"to": 2, "at": 0})
    await asyncio.sleep(0)
    await first.shutdown()
    second = JobStore(tmp_path / "jobs.json")
    runner = second.register(Leaving())
    assert second.get(job.id).state == "interrupted"
    await second.remove(job.id)
    assert runner.cleaned == [(job.id, "interrupted")]
    await second.shutdown()


async def test_jobs_dropped_beyond_keep_finished_are_cleaned_too(tmp_path):
    store = JobStore(tmp_path / "jobs.json", keep_finished=1)
    runner = store.register(Leaving(fail_at=0))
    old = store.start("test.leave", {"to": 1, "at": 0})
    await store.wait(old.id)
    new = store.start("test.leave", {"to": 1, "at": 0})
    await store.wait(new.id)
    await store.shutdown()  # waits for the cleanups the store started
    assert old.id not in store.jobs and new.id in store.jobs
    assert runner.cleaned == [(old.id, "failed")]


async def test_the_same_idempotency_key_follows_the_same_job(store):
    store.register(Counting())
    first = store.start("test.count", {"to": 2, "at": 0}, idempotency_key="k-1")
    second = store.start("test.count", {"to": 2, "at": 0}, idempotency_key="k-1")
    third = store.start("test.count", {"to": 2, "at": 0}, idempotency_key="k-2")
    assert first is second and third is not first
    await store.shutdown()


async def test_conflicts_and_the_running_cap(store):
    runner = store.register(Counting(limit=2))
    runner.gate.clear()
    store.start("test.count", {"to": 1, "at": 0, "name": "a"})
    with pytest.raises(EscapeError) as caught:
        store.start("test.count", {"to": 1, "at": 0, "name": "a"})
    assert caught.value.status == 409 and caught.value.message == "same count"
    store.start("test.count", {"to": 1, "at": 0, "name": "b"})
    with pytest.raises(EscapeError) as caught:
        store.start("test.count", {"to": 1, "at": 0, "name": "c"})
    assert caught.value.status == 429 and caught.value.code == "too_many_jobs"
    assert caught.value.message == (
        "2 count jobs are already running on this server (at most 2); wait for one to finish "
        "or cancel one, then retry."
    )
    runner.gate.set()
    await store.shutdown()


async def test_a_restart_leaves_unfinished_jobs_interrupted_and_resumable(tmp_path):
    first = JobStore(tmp_path / "jobs.json")
    runner = first.register(Counting())
    runner.gate.clear()
    job = first.start("test.count", {"to": 4, "at": 0})
    runner.gate.set()
    for _ in range(100):
        await asyncio.sleep(0)
        if job.data["at"] >= 2:
            break
    runner.gate.clear()
    await first.shutdown()
    assert job.state == "interrupted"
    at = job.data["at"]
    assert 0 < at < 4

    second = JobStore(tmp_path / "jobs.json")
    again = second.register(Counting())
    resumed = second.get(job.id)
    assert resumed.state == "interrupted" and resumed.data["at"] == at
    second.retry(job.id)
    await second.wait(job.id)
    assert resumed.state == "done" and resumed.items_done == 4
    assert resumed.transferred == (4 - at) * 10  # only the missing part ran again
    assert again.retried == [job.id]
    await second.shutdown()


async def test_saves_happen_off_the_event_loop_and_keep_unknown_kinds(tmp_path):
    path = tmp_path / "jobs.json"
    path.write_text(json.dumps({"version": 2, "jobs": [{"id": "x", "kind": "other.kind"}]}))
    store = JobStore(path)
    store.register(Counting())
    writers: list[str] = []
    original = store._write

    def spy(body):
        writers.append(threading.current_thread().name)
        original(body)

    store._write = spy  # type: ignore[method-assign]
    await store.wait(store.start("test.count", {"to": 1, "at": 0}).id)
    await store.shutdown()
    assert writers and all(name.startswith("escape-jobs-save") for name in writers)
    saved = json.loads(path.read_text())["jobs"]
    assert {b["kind"] for b in saved} == {"test.count", "other.kind"}
    assert oct(path.stat().st_mode & 0o777) == "0o600"


async def test_old_finished_jobs_are_pruned(tmp_path):
    store = JobStore(tmp_path / "jobs.json", keep_finished=3)
    store.register(Counting())
    ids = []
    for _ in range(5):
        ids.append((await store.wait(store.start("test.count", {"to": 1, "at": 0}).id)).id)
    store.save()
    assert [j["id"] for j in store.list()] == list(reversed(ids[-3:]))
    await store.shutdown()


async def test_a_job_cancelled_before_it_ran_ends_cancelled(store):
    store.register(Counting())
    job = store.start("test.count", {"to": 3, "at": 0})
    store.cancel(job.id)  # before the event loop ever ran the task
    await store.wait(job.id)
    assert job.state == "cancelled" and job.finished is not None
    assert job.message == "Cancelled; partial files were removed."
    await store.shutdown()


async def test_a_throttled_progress_save_is_written_once_the_wait_is_over(tmp_path, monkeypatch):
    """Progress saves are throttled, but the last of a burst is not lost: it is written when
    the wait is over, without another call (a SIGKILL then loses at most SAVE_EVERY of work)."""
    monkeypatch.setattr(jobs_module, "SAVE_EVERY", 0.2)
    path = tmp_path / "jobs.json"
    store = JobStore(path)
    store.register(Counting())
    job = Job("p1", "test.count", {"to": 5, "at": 0})
    store.jobs[job.id] = job
    store.save()  # forced: written now
    store.flush()
    job.data["at"] = 3
    store.save(force=False)  # within the wait: deferred, not dropped
    store.save(force=False)  # a burst: still one deferred save
    store.flush()
    assert json.loads(path.read_text())["jobs"][0]["data"]["at"] == 0
    await asyncio.sleep(0.4)
    store.flush()
    assert json.loads(path.read_text())["jobs"][0]["data"]["at"] == 3
    job.data["at"] = 4
    store.save(force=False)
    await store.shutdown()  # a stop cancels the deferred save and writes everything
    assert json.loads(path.read_text())["jobs"][0]["data"]["at"] == 4
