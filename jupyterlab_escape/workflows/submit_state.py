"""The state of a submission job (``job.data`` of kind ``workflows.submit``), saved with the job."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .inputs import InputFile
from .lake import LakeFile, LakeInput


@dataclass
class SubmitState:
    """The job's own state (``job.data``), saved with the job."""

    label: str  # the spec's workspace path, or "<folder>/<cell>"
    name: str  # the workflow name asked for
    body: dict | None  # what POST /workflows gets; dropped once REANA created the workflow
    files: list[InputFile]
    parameters: dict = field(default_factory=dict)
    options: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    wait: bool | None = None  # a %%reana cell's --wait, for the kernel
    stage: str = "validated"
    workflow_id: str | None = None
    workflow_name: str | None = None
    run_number: str | None = None
    status: str | None = None
    uploaded: set[str] = field(default_factory=set)
    error: dict | None = None  # the error envelope the job ended with
    sending: dict[str, int] = field(default_factory=dict)  # bytes in flight (not saved)
    # Data Lake inputs (lake.py): their plan; the Rucio instance; whether the user agreed that
    # their identity is set as REANA secrets (the values are read at run time, never saved).
    lake: list[LakeInput] = field(default_factory=list)
    lake_instance: str | None = None
    lake_secrets: bool = False
    lake_secrets_set: bool = False

    SAVED = (
        "label name body parameters options warnings wait stage workflow_id workflow_name "
        "run_number status error lake_instance lake_secrets lake_secrets_set"
    ).split()

    def dump(self) -> dict:
        return {k: getattr(self, k) for k in self.SAVED} | {
            "files": [[str(f.source), f.name, f.size] for f in self.files],
            "uploaded": sorted(self.uploaded),
            "lake": [i.dump() for i in self.lake],
        }

    @classmethod
    def load(cls, body: dict) -> SubmitState:
        files = [InputFile(Path(s), n, int(z)) for s, n, z in body.get("files") or []]
        fields = {k: body[k] for k in cls.SAVED if k in body}
        lake = [LakeInput.load(i) for i in body.get("lake") or []]
        return cls(files=files, uploaded=set(body.get("uploaded") or []), lake=lake, **fields)

    @property
    def lake_files(self) -> list[LakeFile]:
        return [f for i in self.lake if i.mode == "stream" for f in i.files]

    @property
    def shown_name(self) -> str:
        return self.workflow_name or self.name

    def progress(self) -> tuple[int, int]:
        done = [f.size for f in self.files if f.name in self.uploaded]
        done += [f.bytes for f in self.lake_files if f.path in self.uploaded]
        return len(done), sum(done) + sum(self.sending.values())

    @property
    def items_total(self) -> int:
        return len(self.files) + len(self.lake_files)

    @property
    def bytes_total(self) -> int:
        return sum(f.size for f in self.files) + sum(f.bytes for f in self.lake_files)
