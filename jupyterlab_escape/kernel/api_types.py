"""Wire types of the /escape/ API for the kernel client, generated from openapi.yaml by
scripts/gen-api (datamodel-code-generator). Never edit by hand: change openapi.yaml, rerun."""

from __future__ import annotations

from typing import Any, Literal, TypeAlias, TypedDict

from typing_extensions import NotRequired


class Error(TypedDict):
    code: str
    message: str
    service: Literal["rucio", "reana", "zenodo"] | None
    upstream_status: int | None
    login_url: NotRequired[str]


class ErrorEnvelope(TypedDict):
    error: Error


class StringMap(TypedDict):
    pass


JobState: TypeAlias = Literal["queued", "running", "done", "failed", "cancelled", "interrupted"]


class JobError(TypedDict):
    item: str
    message: str


class Job(TypedDict):
    id: str
    kind: Literal[
        "datalake.fetch",
        "datalake.upload",
        "catalogue.fetch",
        "catalogue.publish",
        "workflows.submit",
    ]
    state: JobState
    message: str | None
    items_total: int
    items_done: int
    items_failed: int
    bytes_total: int
    bytes_done: int
    transferred: int
    throughput: float | None
    eta_seconds: float | None
    errors: list[JobError]
    errors_count: int
    created: float
    started: float | None
    finished: float | None


class ServiceIdentity(TypedDict):
    signs_in: bool | None
    account: str | None
    expires_at: str | None
    detail: str | None
    reason: str | None
    code: NotRequired[str]


DidType: TypeAlias = Literal[
    "file",
    "dataset",
    "container",
    "archive",
    "deleted_file",
    "deleted_dataset",
    "deleted_container",
    "unknown",
]


class Instance(TypedDict):
    name: str
    display_name: str
    url: str
    webui_url: str | None


class Account(TypedDict):
    account: str | None
    account_type: str | None
    status: str | None
    email: str | None


class Auth(TypedDict):
    auth_type: Literal["userpass", "oidc", "x509", "x509_proxy"]
    account: str | None
    token_source: NotRequired[str]
    token_expires_at: NotRequired[str]


class Instance1(TypedDict):
    name: str
    display_name: str


class Fetch(TypedDict):
    mode: Literal["download", "replica"]
    destination_rse: str | None
    fetch_dir: str


class Whoami(TypedDict):
    instance: Instance
    account: Account
    auth: Auth
    instances: list[Instance1]
    fetch: Fetch


class Credentials(TypedDict):
    stored: bool
    auth_type: str
    account: str
    username: str
    has_password: bool
    oidc_token_file: str
    client_cert: str
    client_key: str


class CredentialsInput(TypedDict):
    auth_type: NotRequired[Literal["userpass", "oidc", "x509", "x509_proxy"] | None]
    account: NotRequired[str | None]
    username: NotRequired[str | None]
    password: NotRequired[str | None]
    oidc_token_file: NotRequired[str | None]
    client_cert: NotRequired[str | None]
    client_key: NotRequired[str | None]


class SearchFilter(TypedDict):
    key: str
    op: Literal["=", "!=", ">", "<", ">=", "<="]
    value: str | float


class DidRow(TypedDict):
    scope: str | None
    name: str
    type: DidType
    bytes: int | None
    length: int | None


DidRowLine: TypeAlias = DidRow | ErrorEnvelope


class ContentRow(DidRow):
    adler32: str | None
    md5: str | None


ContentRowLine: TypeAlias = ContentRow | ErrorEnvelope


class Rule(TypedDict):
    id: str | None
    account: str | None
    rse_expression: str | None
    copies: int | None
    state: str | None
    error: str | None
    expires_at: str | None
    created_at: str | None
    locks_ok_cnt: int | None
    locks_replicating_cnt: int | None
    locks_stuck_cnt: int | None
    grouping: str | None
    activity: str | None


class Replica(TypedDict):
    rse: str
    state: str
    schemes: list[str]


class AvailabilityItem(TypedDict):
    rse: str
    length: int
    available_length: int
    bytes: int
    available_bytes: int
    datasets: int
    state: Literal["AVAILABLE", "PARTIAL", "UNAVAILABLE"]


class DidDetails(TypedDict):
    scope: str
    name: str
    did: str
    type: DidType
    account: str | None
    bytes: int | None
    length: int | None
    metadata: dict[str, Any]
    rules: list[Rule]
    created_at: NotRequired[str | None]
    adler32: NotRequired[str | None]
    md5: NotRequired[str | None]
    replicas: NotRequired[list[Replica]]
    open: NotRequired[bool | None]
    availability: NotRequired[list[AvailabilityItem]]


class DatalakeFetchRequest(TypedDict):
    dids: list[str]
    dest: NotRequired[str | None]
    origin: NotRequired[Literal["notebook", "user"] | None]
    check: NotRequired[bool]


class PlannedPath(TypedDict):
    did: str
    path: str
    type: NotRequired[DidType]


class DatalakeFetchPlan(TypedDict):
    dest: str
    paths: list[PlannedPath]


class Error1(TypedDict):
    item: str
    message: str
    did: str


class Did(TypedDict):
    scope: str
    name: str
    type: DidType


class DatalakeFetchJob(Job):
    kind: Literal["datalake.fetch"]
    errors: list[Error1]
    instance: str
    dids: list[Did]
    dest: str
    phase: Literal["resolving", "transferring"]
    files_total: int
    files_done: int
    files_failed: int
    files_present: int
    paths: list[PlannedPath]


class Origin(TypedDict):
    kernel: str
    notebook: str | None


class DatalakeUploadSkipped(TypedDict):
    path: str
    why: Literal["hidden file", "hidden folder", "symbolic link"]


class DatalakeUploadFile(TypedDict):
    path: str
    did: str
    scope: str
    name: str
    bytes: int
    adler32: str | None
    md5: str | None
    guid: str
    pfn: str | None
    rse: str
    state: Literal["waiting", "sending", "stored", "registered", "skipped", "failed"]
    verified: str | None
    error: str | None


class DatalakeProducedDid(TypedDict):
    did: str
    scope: str
    name: str
    bytes: int
    adler32: str | None
    md5: str | None
    guid: str
    pfn: str | None
    rse: str
    state: Literal["registered", "skipped"]


class DatalakeUploadRequest(TypedDict):
    paths: list[str]
    scope: str
    rse: str
    dataset: NotRequired[str | None]
    dataset_new: NotRequired[bool | None]
    container: NotRequired[str | None]
    meta: NotRequired[dict[str, Any] | None]
    lifetime: NotRequired[int | None]
    copies: NotRequired[int | None]
    rse_expression: NotRequired[str | None]
    names: NotRequired[dict[str, Any] | None]
    cwd: NotRequired[str | None]
    kernel: NotRequired[str | None]
    idempotency_key: NotRequired[str | None]
    check: NotRequired[bool]


class DatalakeUploadProblem(TypedDict):
    code: str
    message: str
    path: NotRequired[str]


class Dataset(TypedDict):
    scope: str
    name: str
    new: bool


class Container(TypedDict):
    scope: str
    name: str


class File(TypedDict):
    path: str
    did: str
    name: str
    bytes: int
    pfn: str | None
    exists: bool
    note: NotRequired[str]


class Quota(TypedDict):
    limit: NotRequired[int | None]
    used: NotRequired[int]
    remaining: NotRequired[int | None]


class DatalakeUploadPlan(TypedDict):
    instance: str
    account: str
    scope: str
    rse: str
    rse_expression: str
    dataset: Dataset | None
    container: Container | None
    meta: dict[str, str | float | bool]
    lifetime: int | None
    copies: int
    files: list[File]
    files_total: int
    bytes_total: int
    skipped: list[DatalakeUploadSkipped]
    quota: Quota
    problems: list[DatalakeUploadProblem]
    warnings: list[str]
    verification: str


class DatalakeUploadRse(TypedDict):
    rse: str
    writable: bool
    why_not: str | None
    limit: int | None
    unlimited: bool
    used: int
    remaining: int | None
    scheme: str | None


class NameRule(TypedDict):
    pattern: str
    max_length: int
    text: str


class DatalakeUploadOptions(TypedDict):
    account: str
    scopes: list[str]
    default_scope: str | None
    other_scopes: list[str]
    rses: list[DatalakeUploadRse]
    default_rse: str | None
    meta_keys: list[str]
    meta_conventions: list[str]
    name_rule: NameRule
    readback_max: int


class DatalakeFetchFile(TypedDict):
    did: str
    scope: str
    name: str
    path: str
    bytes: int
    adler32: str | None
    md5: str | None
    state: Literal["waiting", "downloading", "verified", "present", "failed"]
    done: int
    rse: str | None
    error: str | None
    received: int
    unchecked: bool


class DatalakeFetchJobDetail(DatalakeFetchJob):
    files: list[DatalakeFetchFile]
    files_truncated: bool


class Rule1(Rule):
    did: str
    reused: bool


class File1(TypedDict):
    did: str
    path: str | None
    state: str
    available: bool


class ReplicaStatus(TypedDict):
    did: str
    rse: str
    rule: Rule1 | None
    available: bool
    files: list[File1]
    files_truncated: bool


class Creator(TypedDict):
    name: str
    orcid: str | None
    affiliation: str | None


class ResourceType(TypedDict):
    id: str
    title: str


class Licence(TypedDict):
    id: str
    title: str
    url: str | None


class RecordSummary(TypedDict):
    id: str
    concept_id: str | None
    title: str
    version: str | None
    creators: list[Creator]
    publication_date: str | None
    resource_type: ResourceType
    keywords: list[str]
    licence: Licence | None
    doi: str | None
    concept_doi: str | None
    access_status: str
    description_text: str
    views: int | None
    downloads: int | None
    files_count: int
    total_bytes: int
    html_url: str
    is_latest: bool | None


class Bucket(TypedDict):
    key: str
    label: str
    count: int
    selected: bool


class Facet(TypedDict):
    name: str
    label: str
    buckets: list[Bucket]


class CatalogueSearch(TypedDict):
    q: str
    sort: str
    scope: Literal["community", "all"]
    page: int
    size: int
    filters: dict[str, list[str]]
    community: str
    total: int
    max_page: int
    hits: list[RecordSummary]
    facets: list[Facet]
    cached: bool


class RecordVersion(TypedDict):
    id: str
    version: str | None
    publication_date: str | None
    index: int | None
    is_latest: bool


class Person(TypedDict):
    name: str
    orcid: str | None


class Codemeta(TypedDict):
    source: Literal["file"]
    maintainers: list[Person]
    authors: list[Person]
    version: str | None
    name: NotRequired[list[str]]
    programmingLanguage: NotRequired[list[str]]
    runtimePlatform: NotRequired[list[str]]
    softwareRequirements: NotRequired[list[str]]
    buildInstructions: NotRequired[list[str]]
    installUrl: NotRequired[list[str]]
    codeRepository: NotRequired[list[str]]
    issueTracker: NotRequired[list[str]]
    readme: NotRequired[list[str]]
    operatingSystem: NotRequired[list[str]]
    developmentStatus: NotRequired[list[str]]


class File2(TypedDict):
    key: str
    size: int
    md5: str | None
    mimetype: str | None


class RelatedItem(TypedDict):
    identifier: str
    relation: str
    scheme: str | None
    kind: Literal["repository", "documentation", "other"]


class Install(TypedDict):
    source: Literal["codemeta", "repository", "none"]
    code: str


class RecordDetail(RecordSummary):
    description_html: str
    remote_images: int
    images_shown: bool
    files: list[File2]
    files_restricted: bool
    related: list[RelatedItem]
    versions: list[RecordVersion]
    codemeta: Codemeta | None
    install: Install


class CatalogueFetchRequest(TypedDict):
    keys: NotRequired[list[str] | None]
    dest: NotRequired[str | None]
    extract: NotRequired[bool]
    idempotency_key: NotRequired[str | None]


class NamedPath(TypedDict):
    name: str
    path: str


class NamedReason(TypedDict):
    name: str
    reason: str


class File3(TypedDict):
    key: str
    size: int
    md5: str | None
    done: int
    state: Literal["waiting", "downloading", "verified", "failed"]
    path: str
    error: str | None


class CatalogueFetchJob(Job):
    kind: Literal["catalogue.fetch"]
    record_id: str
    title: str
    dest: str
    extract: bool
    phase: Literal["downloading", "extracting"]
    files: list[File3]
    files_count: int
    extracted: list[str]
    extracted_count: int
    renamed: list[NamedPath]
    renamed_count: int
    skipped: list[NamedReason]
    skipped_count: int


class ZenodoIdentity(TypedDict):
    stored: bool
    sandbox: bool
    scopes: list[str]
    url: str
    sandbox_url: str
    community: str


CodemetaDocument = TypedDict(
    "CodemetaDocument",
    {
        "@context": NotRequired[Any],
        "@type": NotRequired[Any],
    },
)


class UploadActionRequest(TypedDict):
    confirm: NotRequired[bool]
    codemeta: NotRequired[CodemetaDocument]


class ZenodoAgent(TypedDict):
    name: str
    affiliation: NotRequired[str]
    orcid: NotRequired[str]
    type: NotRequired[str]


class RelatedIdentifier(TypedDict):
    identifier: str
    relation: str
    scheme: NotRequired[str]
    resource_type: NotRequired[str]


class Community(TypedDict):
    identifier: str


class Grant(TypedDict):
    id: str


class ZenodoMetadata(TypedDict):
    upload_type: NotRequired[str]
    title: NotRequired[str]
    description: NotRequired[str]
    access_right: NotRequired[Literal["open", "embargoed", "restricted", "closed"]]
    license: NotRequired[str | list[str]]
    version: NotRequired[str]
    publication_date: NotRequired[str]
    keywords: NotRequired[list[str]]
    creators: NotRequired[list[ZenodoAgent]]
    contributors: NotRequired[list[ZenodoAgent]]
    related_identifiers: NotRequired[list[RelatedIdentifier]]
    communities: NotRequired[list[Community]]
    grants: NotRequired[list[Grant]]
    references: NotRequired[list[str]]
    doi: NotRequired[str]


class PublishRequest(TypedDict):
    path: str
    codemeta: CodemetaDocument
    files: NotRequired[list[str] | None]
    record_id: NotRequired[str | None]
    idempotency_key: NotRequired[str | None]


class CodemetaProblem(TypedDict):
    field: str
    level: Literal["error", "warning"]
    message: str


class CodemetaCheck(TypedDict):
    problems: list[CodemetaProblem]
    zenodo: ZenodoMetadata | None


class File4(TypedDict):
    name: str
    size: int


class PublishPreparation(CodemetaCheck):
    path: str
    source: Literal["file", "generated"]
    codemeta: CodemetaDocument
    files: list[File4]
    files_count: int
    total_bytes: int
    skipped: list[NamedReason]
    skipped_count: int
    mode: Literal["zip", "files"]


class Community1(TypedDict):
    slug: str | None
    status: str


class File5(TypedDict):
    key: str
    size: int
    md5: str


class License(TypedDict):
    id: str
    title: str | None


class ZenodoUpload(TypedDict):
    id: str
    title: str
    status: Literal["draft", "editing", "published"]
    version: str | None
    doi: str | None
    concept_doi: str | None
    record_id: str | None
    created: str
    modified: str
    html: str | None
    community: Community1
    files: list[File5]
    sandbox: bool
    license: License | None
    metadata: NotRequired[ZenodoMetadata]


class Upload(TypedDict):
    key: str
    size: int
    md5: str
    state: Literal["waiting", "uploading", "verified", "failed"]
    error: str | None


class CataloguePublishJob(Job):
    kind: Literal["catalogue.publish"]
    path: str
    sandbox: bool
    community: str
    files: list[str] | None
    record_id: str | None
    deposit_id: str | None
    phase: Literal["preparing", "uploading", "metadata", "draft"]
    uploads: list[Upload]
    skipped: list[NamedReason]
    skipped_count: int
    html: str | None


class Capabilities(TypedDict):
    server_version: str | None
    api_capabilities: list[str]
    compute_backends: list[str]
    workspaces_available: list[str]
    default_workspace: str | None
    polling_secs: float
    ui_url: str | None
    outputs_dir: str
    bundles: bool


class SpecRequest(TypedDict):
    path: NotRequired[str | None]
    cell: NotRequired[str]
    spec_text: NotRequired[str]
    base: NotRequired[str]
    cwd: NotRequired[str]
    line_offset: NotRequired[int]
    parameters: NotRequired[StringMap]
    options: NotRequired[StringMap]
    lake: NotRequired[dict[str, str]]
    lake_consent: NotRequired[bool]


class FileListItem(TypedDict):
    did: str
    bytes: int
    adler32: str | None
    md5: str | None
    path: str


class LakeInput(TypedDict):
    param: str
    did: str
    type: str
    bytes: int
    files: int
    bytes_complete: bool
    mode: Literal["stream", "lake"]
    why: str
    path: str | None
    error: str | None
    instance: NotRequired[str | None]
    file_list: list[FileListItem]


class LakePlan(TypedDict):
    instance: str
    rucio_host: str
    inputs: list[LakeInput]
    secrets: list[str]
    consent_required: bool
    secrets_problem: str | None


class Workflow(TypedDict):
    id: str | None
    name: str
    run_number: str | int | None
    full_name: str | None
    status: str | None


class OutputsToLake(TypedDict):
    workflow: Workflow
    reana_server: str
    dataset: str
    meta: StringMap
    outputs: list[str]


class SubmitRequest(SpecRequest):
    name: NotRequired[str | None]
    idempotency_key: str
    wait: NotRequired[bool | None]
    allow_missing_inputs: NotRequired[bool]


class Issue(TypedDict):
    path: str
    message: str
    severity: Literal["error", "warning"]
    line: int | None
    column: int | None
    code: NotRequired[Literal["missing_input", "lake_input"]]


class ReanaSecret(TypedDict):
    name: str
    type: Literal["env", "file"]


class Step(TypedDict):
    name: NotRequired[str]
    environment: NotRequired[str]
    commands: NotRequired[list[str]]


class Inputs(TypedDict):
    files: list[str]
    directories: list[str]
    parameters: dict[str, Any]
    options: dict[str, Any]


class Outputs(TypedDict):
    files: list[str]
    directories: list[str]


class Summary(TypedDict):
    type: str | None
    steps: list[Step]
    inputs: Inputs
    outputs: Outputs
    workflow_file: str | None


class File6(TypedDict):
    name: str
    size: int


class Inputs1(TypedDict):
    count: int
    bytes: int
    files: list[File6]
    skipped: list[Any]


class Validation(TypedDict):
    path: str
    valid: bool
    issues: list[Issue]
    summary: Summary
    inputs: Inputs1
    default_name: str
    lake: NotRequired[LakePlan]


SubmitStage: TypeAlias = Literal[
    "validated", "creating", "created", "uploading", "starting", "started"
]


class SubmitJob(Job):
    kind: Literal["workflows.submit"]
    stage: SubmitStage
    spec: str | None
    name: str | None
    workflow_id: str | None
    workflow_name: str | None
    run_number: str | int | None
    status: str | None
    warnings: list[str]
    wait: bool | None
    files_total: int
    files_done: int
    lake: NotRequired[list[LakeInput]]


class File7(TypedDict):
    name: str
    size: int
    uploaded: bool


class SubmitJobDetail(SubmitJob):
    files: list[File7]
    files_truncated: bool


class SubmitEvent(TypedDict):
    stage: Literal["validated", "created", "uploading", "started"]
    files_total: NotRequired[int]
    files_done: NotRequired[int]
    bytes_total: NotRequired[int]
    bytes_done: NotRequired[int]
    warnings: NotRequired[list[str]]
    wait: NotRequired[bool | None]
    workflow_id: NotRequired[str | None]
    workflow_name: NotRequired[str | None]
    status: NotRequired[str | None]
    run_number: NotRequired[str | int | None]
    lake: NotRequired[list[LakeInput]]


SubmitEventLine: TypeAlias = SubmitEvent | ErrorEnvelope


class Progress(TypedDict):
    total: int
    finished: int
    running: int
    failed: int
    current_step: str | None
    current_command: str | None


class Workflow1(TypedDict):
    id: str | None
    name: str
    run_number: str
    full_name: str | None
    status: str | None
    created: str | None
    started: str | None
    finished: str | None
    progress: Progress
    size: str | None


class WorkflowList(TypedDict):
    items: list[Workflow1]
    total: int | None
    page: int
    size: int
    has_next: bool


class Job1(TypedDict):
    id: str
    name: str | None
    status: str | None
    image: str | None
    command: str | None
    started: str | None
    finished: str | None
    append: str


class LogDelta(TypedDict):
    reset: bool
    workflow_append: str
    jobs: list[Job1]
    cursor: str


class Item(TypedDict):
    name: str | None
    modified: str | None
    size: int | None
    size_human: str | None


class WorkspaceListing(TypedDict):
    items: list[Item]
    total: int | None
    has_next: bool


class OutputsDownload(TypedDict):
    folder: str
    files: list[str]
    missing: list[str]
    renamed: list[NamedPath]
    skipped: list[str]
    message: str


ProvenanceTime: TypeAlias = str


class ProvenanceDid(TypedDict):
    instance: str
    scope: str
    name: str
    type: Literal["file", "dataset", "container"]
    bytes: int | None
    adler32: str | None
    md5: str | None
    recorded: NotRequired[ProvenanceTime]


class ProvenanceDidUsed(ProvenanceDid):
    path: NotRequired[str | None]
    mode: NotRequired[Literal["download", "replica", "workflow_stream", "workflow_rucio"] | None]


class ProvenanceDidProduced(ProvenanceDid):
    dataset: NotRequired[str | None]
    rule: NotRequired[str | None]
    rse: NotRequired[str | None]
    guid: NotRequired[str | None]
    path: NotRequired[str | None]
    job: NotRequired[str | None]
    workflow: NotRequired[str | None]


Input: TypeAlias = str


class ProvenanceWorkflow(TypedDict):
    id: str
    name: str
    run_number: str
    engine: Literal["serial", "cwl", "yadage", "snakemake"] | None
    spec_sha256: str | None
    spec_path: NotRequired[str | None]
    parameters: NotRequired[dict[str, Any]]
    status: Literal[
        "created",
        "queued",
        "pending",
        "running",
        "finished",
        "failed",
        "stopped",
        "deleted",
    ]
    created: NotRequired[ProvenanceTime | None]
    started: NotRequired[ProvenanceTime | None]
    finished: NotRequired[ProvenanceTime | None]
    inputs: NotRequired[list[Input]]
    recorded: NotRequired[ProvenanceTime]


class ProvenanceSoftware(TypedDict):
    record_id: str
    doi: NotRequired[str | None]
    version: NotRequired[str | None]
    title: NotRequired[str | None]
    action: Literal["cited", "installed"]
    recorded: NotRequired[ProvenanceTime]


class Provenance(TypedDict):
    version: Literal[1]
    dids_used: NotRequired[list[ProvenanceDidUsed]]
    workflows: NotRequired[list[ProvenanceWorkflow]]
    dids_produced: NotRequired[list[ProvenanceDidProduced]]
    software: NotRequired[list[ProvenanceSoftware]]


class Counts(TypedDict):
    dids_used: int
    workflows: int
    dids_produced: int
    software: int


class WorkflowSpecs(TypedDict):
    path: str
    source: Literal["reana", "workspace"]
    digest_matches: bool | None


class ProvenanceExport(TypedDict):
    notebook: str
    folder: str
    metadata: str
    zip: str
    profiles: list[str]
    counts: Counts
    workflow_specs: dict[str, WorkflowSpecs]
    refused: list[str]
    warnings: list[str]


class ServiceStatus(TypedDict):
    id: Literal["rucio", "reana", "zenodo"]
    name: str
    configured: bool
    url: str
    reachable: bool
    version: str | None
    rtt_ms: float | None
    detail: str | None
    reason: str | None
    code: NotRequired[str]
    identity: NotRequired[ServiceIdentity]


class DatalakeUploadJob(Job):
    kind: Literal["datalake.upload"]
    instance: str
    scope: str
    rse: str
    dataset: str | None
    container: str | None
    phase: Literal["queued", "preparing", "transferring", "finishing", "done"]
    files_total: int
    files_done: int
    files_failed: int
    files_skipped: int
    rules: list[str]
    skipped_paths: list[DatalakeUploadSkipped]
    origin: Origin | None


class DatalakeUploadJobDetail(DatalakeUploadJob):
    files: list[DatalakeUploadFile]
    files_truncated: bool
    dids: list[DatalakeProducedDid]


CatalogueAnyJob: TypeAlias = CatalogueFetchJob | CataloguePublishJob


class StatusReport(TypedDict):
    checked_at: str
    services: list[ServiceStatus]


DatalakeJob: TypeAlias = DatalakeFetchJob | DatalakeUploadJob
