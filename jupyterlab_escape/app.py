"""The server extension: configuration, shared services and route registration."""

from __future__ import annotations

import hashlib
from pathlib import Path

from jupyter_core.paths import jupyter_data_dir, jupyter_runtime_dir
from jupyter_server.extension.application import ExtensionApp
from traitlets import Type

from . import openapi, status
from .catalogue import routes as catalogue_routes
from .catalogue.catalogue import Catalogue
from .catalogue.client import ZenodoClient
from .catalogue.fetch import CatalogueFetchRunner
from .catalogue.publish import PublishService
from .config import SERVICE_CLASSES, EscapeHub, EscapeReana, EscapeRucio, EscapeZenodo, public_url
from .datalake import routes as datalake_routes
from .datalake.client import RucioClient
from .datalake.fetch import FetchRunner
from .datalake.instances import RucioInstances
from .datalake.upload import UploadRunner
from .handler import UNKNOWN_PATH_ROUTE
from .jobs import JobStore
from .provenance import routes as provenance_routes
from .services import Services
from .tokens import HubTokens
from .workflows import routes as workflows_routes
from .workflows.client import ReanaClient
from .workflows.lake import LakeInputs
from .workflows.lake_outputs import OutputsToLake
from .workflows.prepare import Preparer
from .workflows.submit import SubmitRunner
from .workflows.workflows import Workflows
from .workspace import Workspace

# Each slice contributes a module-level ``routes`` list; paths are relative to base_url.
ROUTE_MODULES = [
    status,
    openapi,
    datalake_routes,
    catalogue_routes,
    workflows_routes,
    provenance_routes,
]


class EscapeApp(ExtensionApp):
    name = "jupyterlab_escape"
    load_other_extensions = True
    classes = [*SERVICE_CLASSES, EscapeHub]

    services: Services

    # The seams tests and deployments use: each slice's upstream client class.
    rucio_client_class = Type(
        RucioClient, klass=RucioClient, help="Client of the Rucio REST API (Data Lake)."
    ).tag(config=True)
    zenodo_client_class = Type(
        ZenodoClient, klass=ZenodoClient, help="Client of the Zenodo records API (catalogue)."
    ).tag(config=True)
    reana_client_class = Type(
        ReanaClient, klass=ReanaClient, help="Client of the REANA REST API (workflows)."
    ).tag(config=True)

    def initialize_settings(self) -> None:
        """Every slice's objects, built here and nowhere else."""
        self.services = Services(
            rucio=EscapeRucio(parent=self),
            reana=EscapeReana(parent=self),
            zenodo=EscapeZenodo(parent=self),
        )
        data_dir = Path(jupyter_data_dir()) / "jupyterlab_escape"
        self.rucio_instances = RucioInstances(
            self.services.rucio,
            self.services.http["rucio"],
            parent=self,
            data_dir=data_dir,
            client_class=self.rucio_client_class,
        )
        # Under JupyterHub: one source of fresh tokens for every service that takes OIDC tokens.
        self.hub_tokens = HubTokens(EscapeHub(parent=self))
        for instance in self.rucio_instances.all():
            instance.config.hub_tokens = self.hub_tokens
        self.services.reana.hub_tokens = self.hub_tokens
        # Jobs belong to a workspace: each root directory has its own list.
        root = str(Path(self.serverapp.root_dir).resolve())
        contents = self.serverapp.contents_manager
        # The one path rule of every slice: hidden parts only when the contents manager shows them.
        self.workspace = Workspace(root, lambda: bool(getattr(contents, "allow_hidden", False)))
        state = data_dir / f"jobs-{hashlib.sha1(root.encode()).hexdigest()[:12]}.json"
        self.jobs = JobStore(state)  # every slice's long work, one list per workspace
        self.datalake_fetch = FetchRunner(self.rucio_instances, self.workspace, self.jobs)
        self.datalake_upload = UploadRunner(
            self.rucio_instances, self.workspace, self.jobs, lambda: self.protected
        )
        # catalogue
        zenodo = self.zenodo_client_class(self.services.http["zenodo"])
        self.catalogue = Catalogue(zenodo)
        self.catalogue_fetch = CatalogueFetchRunner(zenodo, self.workspace, self.jobs)
        self.catalogue_publish = PublishService(
            self.services.zenodo, self.workspace, self.jobs, data_dir, lambda: self.protected
        )
        # workflows
        self.protected = self._protected_files(data_dir)
        reana = self.reana_client_class(self.services.http["reana"])
        self.workflows = Workflows(reana, self.workspace)
        # The named hand-offs between the Data Lake and the workflows: DIDs as inputs, outputs
        # back to the lake on the upload job.
        self.lake_inputs = LakeInputs(self.rucio_instances, self.services.reana)
        preparer = Preparer(self.workflows, self.workspace, self.protected, self.lake_inputs)
        self.submissions = SubmitRunner(reana, preparer, self.jobs, self.lake_inputs)
        self.outputs_to_lake = OutputsToLake(
            self.workflows, self.datalake_upload, self.workspace, self.jobs
        )
        for config in self.services.all():
            state = f"at {public_url(config.url)}" if config.configured else "not configured"
            self.log.info("jupyterlab_escape: %s %s", config.display_name, state)

    def _protected_files(self, data_dir: Path) -> tuple[Path, ...]:
        """The server's own files, never uploaded whatever a spec lists: the runtime folder
        (jpserver-*.json, kernel connection files), our data folder (the Rucio credential
        store), and the certificate and token files of every Rucio instance."""
        places = [Path(jupyter_runtime_dir()), data_dir]
        runtime = getattr(self.serverapp, "runtime_dir", None)
        if runtime:
            places.append(Path(runtime))
        for instance in self.rucio_instances.all():
            for name in ("oidc_token_file", "client_cert", "client_key"):
                value = getattr(instance.config, name, "")
                if isinstance(value, str) and value:
                    places.append(Path(value).expanduser())
        return tuple(places)

    def initialize_handlers(self) -> None:
        for module in ROUTE_MODULES:
            self.handlers.extend(module.routes)
        self.handlers.append(UNKNOWN_PATH_ROUTE)  # last: only what no route above matched

    async def stop_extension(self) -> None:
        await self.jobs.shutdown()
        self.datalake_fetch.close()
        self.datalake_upload.close()
        self.lake_inputs.close()
        await self.catalogue_publish.aclose()
        await self.rucio_instances.aclose()
        await self.services.aclose()
        await self.hub_tokens.aclose()
