"""/escape/provenance/: a REANA run as a provenance record, and the RO-Crate export."""

from __future__ import annotations

import tornado.web

from ..config import public_url
from ..handler import EscapeHandler
from .export import Sources, export, rucio_urls
from .workflow import workflow_record


class ProvenanceHandler(EscapeHandler):
    @property
    def app(self):
        return self.extensionapp

    def sources(self) -> Sources:
        app = self.app
        reana = app.workflows.client if app.services.reana.url else None
        return Sources(
            workspace=app.workspace,
            protected=lambda: app.protected,
            reana_specification=reana.specification if reana else None,
            rucio_urls=rucio_urls(app.rucio_instances),
            zenodo_url=public_url(app.services.zenodo.url) or None,
        )


class WorkflowRecordHandler(ProvenanceHandler):
    @tornado.web.authenticated
    async def get(self, ref: str) -> None:
        self.write_json(await workflow_record(self.app.workflows, ref))


class ExportHandler(ProvenanceHandler):
    @tornado.web.authenticated
    async def post(self) -> None:
        body = self.json_body()
        self.write_json(await export(self.sources(), body.get("path"), body.get("license")))


routes = [
    (r"/escape/provenance/workflows/([^/]+)", WorkflowRecordHandler),
    (r"/escape/provenance/export", ExportHandler),
]
