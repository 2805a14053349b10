"""The server extension: configuration, shared services and route registration."""

from __future__ import annotations

import hashlib
from pathlib import Path

from jupyter_core.paths import jupyter_data_dir
from jupyter_server.extension.application import ExtensionApp

from . import status
from .catalogue import routes as catalogue_routes
from .config import SERVICE_CLASSES, EscapeReana, EscapeRucio, EscapeZenodo, public_url
from .datalake import routes as datalake_routes
from .datalake.fetch import FetchRunner
from .datalake.instances import RucioInstances
from .jobs import JobStore
from .services import Services
from .workflows import routes as workflows_routes
from .workspace import Workspace

# Each slice contributes a module-level ``routes`` list; paths are relative to base_url.
ROUTE_MODULES = [status, datalake_routes, catalogue_routes, workflows_routes]


class EscapeApp(ExtensionApp):
    name = "jupyterlab_escape"
    load_other_extensions = True
    classes = list(SERVICE_CLASSES)

    services: Services

    def initialize_settings(self) -> None:
        self.services = Services(
            rucio=EscapeRucio(parent=self),
            reana=EscapeReana(parent=self),
            zenodo=EscapeZenodo(parent=self),
        )
        data_dir = Path(jupyter_data_dir()) / "jupyterlab_escape"
        self.rucio_instances = RucioInstances(
            self.services.rucio, self.services.http["rucio"], parent=self, data_dir=data_dir
        )
        # Jobs belong to a workspace: each root directory has its own list.
        root = str(Path(self.serverapp.root_dir).resolve())
        contents = self.serverapp.contents_manager
        # The one path rule of every slice: hidden parts only when the contents manager shows them.
        self.workspace = Workspace(root, lambda: bool(getattr(contents, "allow_hidden", False)))
        self.settings["escape_workspace"] = self.workspace
        state = data_dir / f"jobs-{hashlib.sha1(root.encode()).hexdigest()[:12]}.json"
        self.jobs = JobStore(state)  # every slice's long work, one list per workspace
        self.datalake_fetch = FetchRunner(self.rucio_instances, self.workspace, self.jobs)
        for config in self.services.all():
            state = f"at {public_url(config.url)}" if config.configured else "not configured"
            self.log.info("jupyterlab_escape: %s %s", config.display_name, state)

    def initialize_handlers(self) -> None:
        for module in ROUTE_MODULES:
            self.handlers.extend(module.routes)

    async def stop_extension(self) -> None:
        await self.jobs.shutdown()
        self.datalake_fetch.close()
        await self.rucio_instances.aclose()
        await self.services.aclose()
