"""The deposit side of the Zenodo STAND-IN: depositions, buckets, actions, community requests.

As Zenodo documents its legacy deposit API (developers.zenodo.org, "Deposit" / "Deposit files" /
"Deposit actions") and as eossr 2.3.1 calls it (wave2.md §3): ``/api/deposit/depositions``
(list, create, get, PUT metadata, DELETE an unpublished draft), ``/files`` (list, DELETE one),
the bucket ``PUT /api/files/<bucket>/<key>`` (raw body),
``actions/publish|newversion|edit|discard``,
``/api/licenses`` and ``/api/communities`` searches, community inclusion requests
(``/api/communities/<slug>/requests``, ``/api/requests``, ``/api/requests/<id>/actions/accept``).
Paths with ``//`` (eossr builds them), ``?access_token=``, ``q=`` and ``size=`` are accepted, as
zenodo.org does. Tokens carry scopes: ``deposit:write`` for everything here, ``deposit:actions``
for the actions; a missing scope is 403, checked before the resource is looked up.

Metadata is validated on ``PUT`` and again on publish, and refused in Zenodo's error shape:
``{"status": 400, "message": "Validation error.", "errors": [{"field": "metadata.title",
"message": "..."}]}``. Whatever a client sends outside the documented contract (a JSON body
without ``Content-Type: application/json``, an unknown deposit route or verb) is also recorded in
``violations``, which the tests read: eossr and our client must leave it empty.

Published depositions become records of the records API (RDM shape), searchable at once; they
join a community only when a curator accepts the inclusion request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import uuid
from dataclasses import dataclass, field

import tornado.web

from .seed import COMMUNITY, OTHER_COMMUNITIES, Record, StoredFile, _strip, _uuid

# token -> (user, scopes). The stand-in's accounts; tests and the Galata journey use these.
ALL_SCOPES = frozenset({"deposit:write", "deposit:actions", "user:email"})
TOKENS: dict[str, tuple[str, frozenset[str]]] = {
    "standin-zenodo-token": ("alice", ALL_SCOPES),
    "standin-zenodo-bob": ("bob", ALL_SCOPES),
    "standin-zenodo-noactions": ("alice", frozenset({"deposit:write", "user:email"})),
    "standin-zenodo-readonly": ("alice", frozenset({"user:email"})),
    "standin-zenodo-curator": ("curator", ALL_SCOPES),
}
USER_IDS = {"alice": 1001, "bob": 1002, "curator": 1003}
FIRST_DEPOSIT_ID = 9_000_000

UPLOAD_TYPES = {
    "publication",
    "poster",
    "presentation",
    "dataset",
    "image",
    "video",
    "software",
    "lesson",
    "physicalobject",
    "other",
}
ACCESS_RIGHTS = {"open", "embargoed", "restricted", "closed"}
RELATIONS = {
    "isCitedBy",
    "cites",
    "isSupplementTo",
    "isSupplementedBy",
    "isContinuedBy",
    "continues",
    "isDescribedBy",
    "describes",
    "hasMetadata",
    "isMetadataFor",
    "isNewVersionOf",
    "isPreviousVersionOf",
    "isPartOf",
    "hasPart",
    "isReferencedBy",
    "references",
    "isDocumentedBy",
    "documents",
    "isCompiledBy",
    "compiles",
    "isVariantFormOf",
    "isOriginalFormof",
    "isIdenticalTo",
    "isAlternateIdentifier",
    "isReviewedBy",
    "reviews",
    "isDerivedFrom",
    "isSourceOf",
    "requires",
    "isRequiredBy",
    "isObsoletedBy",
    "obsoletes",
}
CONTRIBUTOR_TYPES = {
    "ContactPerson",
    "DataCollector",
    "DataCurator",
    "DataManager",
    "Distributor",
    "Editor",
    "HostingInstitution",
    "Producer",
    "ProjectLeader",
    "ProjectManager",
    "ProjectMember",
    "RegistrationAgency",
    "RegistrationAuthority",
    "RelatedPerson",
    "Researcher",
    "ResearchGroup",
    "RightsHolder",
    "Supervisor",
    "Sponsor",
    "WorkPackageLeader",
    "Other",
}
METADATA_FIELDS = {
    "upload_type",
    "publication_type",
    "image_type",
    "publication_date",
    "title",
    "creators",
    "description",
    "access_right",
    "license",
    "embargo_date",
    "access_conditions",
    "doi",
    "prereserve_doi",
    "keywords",
    "notes",
    "related_identifiers",
    "contributors",
    "references",
    "communities",
    "grants",
    "journal_title",
    "version",
    "language",
    "subjects",
    "method",
}
# Zenodo's licence vocabulary (a part of it), as /api/licenses lists it.
LICENSES = {
    "mit": "MIT License",
    "apache-2.0": "Apache License 2.0",
    "bsd-2-clause": 'BSD 2-Clause "Simplified" License',
    "bsd-3-clause": 'BSD 3-Clause "New" or "Revised" License',
    "gpl-2.0-only": "GNU General Public License v2.0 only",
    "gpl-2.0-or-later": "GNU General Public License v2.0 or later",
    "gpl-3.0-only": "GNU General Public License v3.0 only",
    "gpl-3.0-or-later": "GNU General Public License v3.0 or later",
    "lgpl-2.1-only": "GNU Lesser General Public License v2.1 only",
    "lgpl-2.1-or-later": "GNU Lesser General Public License v2.1 or later",
    "lgpl-3.0-only": "GNU Lesser General Public License v3.0 only",
    "lgpl-3.0-or-later": "GNU Lesser General Public License v3.0 or later",
    "agpl-3.0-only": "GNU Affero General Public License v3.0 only",
    "agpl-3.0-or-later": "GNU Affero General Public License v3.0 or later",
    "mpl-2.0": "Mozilla Public License 2.0",
    "epl-2.0": "Eclipse Public License 2.0",
    "eupl-1.2": "European Union Public License 1.2",
    "cecill-2.1": "CeCILL Free Software License Agreement v2.1",
    "cecill-b": "CeCILL-B Free Software License Agreement",
    "cecill-c": "CeCILL-C Free Software License Agreement",
    "isc": "ISC License",
    "unlicense": "The Unlicense",
    "zlib": "zlib License",
    "bsl-1.0": "Boost Software License 1.0",
    "cc-by-4.0": "Creative Commons Attribution 4.0 International",
    "cc-by-sa-4.0": "Creative Commons Attribution Share Alike 4.0 International",
    "cc0-1.0": "Creative Commons Zero v1.0 Universal",
    "other-open": "Other (Open)",
    "other-closed": "Other (Not Open)",
}
ORCID = re.compile(r"^(https?://orcid\.org/)?\d{4}-\d{4}-\d{4}-\d{3}[0-9X]$")


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat()


@dataclass
class DepositFile:
    id: str
    key: str
    content: bytes
    md5: str


@dataclass
class Deposition:
    id: int
    owner: str
    concept: int
    bucket: str
    metadata: dict = field(default_factory=dict)
    files: list[DepositFile] = field(default_factory=list)
    state: str = "unsubmitted"  # unsubmitted | inprogress (editing) | done
    submitted: bool = False
    published_metadata: dict | None = None
    created: str = field(default_factory=_now)
    modified: str = field(default_factory=_now)
    latest_draft: int | None = None  # a new-version draft made from this one
    previous: int | None = None  # the version this draft continues


@dataclass
class InclusionRequest:
    id: str
    record: int
    community: str
    owner: str
    status: str = "submitted"  # submitted | accepted | declined
    created: str = field(default_factory=_now)


class DepositState:
    def __init__(self, records_state, tokens: dict | None = None):
        self.records = records_state  # server.State: records, by_id, switches, stats
        self.tokens = dict(TOKENS if tokens is None else tokens)
        self.depositions: dict[int, Deposition] = {}
        self.buckets: dict[str, int] = {}
        self.requests: dict[str, InclusionRequest] = {}
        self.violations: list[str] = []
        self.rejected: list[dict] = []  # validation errors answered (what and why)
        self.corrupt_next_upload = False
        self.next_id = FIRST_DEPOSIT_ID
        self.published_concepts: dict[int, list[int]] = {}

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id

    def new_deposition(self, owner: str, concept: int | None = None) -> Deposition:
        dep_id = self.new_id()
        bucket = uuid.uuid4().hex
        dep = Deposition(dep_id, owner, concept or self.new_id(), bucket)
        self.depositions[dep_id] = dep
        self.buckets[bucket] = dep_id
        return dep


# ------------------------------------------------------------------ validation
def validate_metadata(md, community_slugs) -> list[dict]:
    errors: list[dict] = []

    def err(path: str, message: str) -> None:
        errors.append({"field": f"metadata.{path}" if path else "metadata", "message": message})

    if not isinstance(md, dict):
        err("", "Not a valid mapping type.")
        return errors
    for key in md:
        if key not in METADATA_FIELDS:
            err(key, "Unknown field.")
    if md.get("upload_type") not in UPLOAD_TYPES:
        err(
            "upload_type",
            "Missing data for required field."
            if "upload_type" not in md
            else "Not a valid choice.",
        )
    title = md.get("title")
    if not isinstance(title, str) or not title.strip():
        err("title", "Missing data for required field.")
    desc = md.get("description")
    if not isinstance(desc, str) or not desc.strip():
        err("description", "Missing data for required field.")
    creators = md.get("creators")
    if not isinstance(creators, list) or not creators:
        err("creators", "Missing data for required field.")
    else:
        for i, c in enumerate(creators):
            if not isinstance(c, dict) or not isinstance(c.get("name"), str) or not c["name"]:
                err(f"creators.{i}.name", "Name is required.")
                continue
            if "orcid" in c and not (isinstance(c["orcid"], str) and ORCID.match(c["orcid"])):
                err(f"creators.{i}.orcid", "Not a valid ORCID identifier.")
            if "affiliation" in c and not isinstance(c["affiliation"], str):
                err(f"creators.{i}.affiliation", "Not a valid string.")
    access = md.get("access_right", "open")
    if access not in ACCESS_RIGHTS:
        err("access_right", "Not a valid choice.")
    if access in ("open", "embargoed"):
        lic = md.get("license")
        if lic is None:
            err("license", "Required when access right is open or embargoed.")
        elif not isinstance(lic, str) or lic.lower() not in LICENSES:
            err("license", "Invalid license provided.")
    if "publication_date" in md:
        try:
            dt.date.fromisoformat(str(md["publication_date"]))
        except ValueError:
            err("publication_date", "Not a valid date.")
    if "keywords" in md and not (
        isinstance(md["keywords"], list) and all(isinstance(k, str) for k in md["keywords"])
    ):
        err("keywords", "Not a valid list.")
    if "version" in md and not isinstance(md["version"], str):
        err("version", "Not a valid string.")
    for i, c in enumerate(md.get("contributors") or []):
        if not isinstance(c, dict) or not c.get("name"):
            err(f"contributors.{i}.name", "Name is required.")
        elif c.get("type") not in CONTRIBUTOR_TYPES:
            err(f"contributors.{i}.type", "Not a valid choice.")
    for i, r in enumerate(md.get("related_identifiers") or []):
        if not isinstance(r, dict) or not r.get("identifier"):
            err(f"related_identifiers.{i}.identifier", "Missing data for required field.")
        elif r.get("relation") not in RELATIONS:
            err(f"related_identifiers.{i}.relation", "Not a valid choice.")
    for i, c in enumerate(md.get("communities") or []):
        if not isinstance(c, dict) or c.get("identifier") not in community_slugs:
            err(f"communities.{i}.identifier", "Community does not exist.")
    for i, g in enumerate(md.get("grants") or []):
        if not isinstance(g, dict) or not isinstance(g.get("id"), str):
            err(f"grants.{i}.id", "Not a valid grant.")
    if "references" in md and not isinstance(md["references"], list):
        err("references", "Not a valid list.")
    return errors


# ------------------------------------------------------------------ serialization
def deposition_json(d: Deposition, base: str) -> dict:
    api = f"{base}/api/deposit/depositions/{d.id}"
    links = {
        "self": api,
        "html": f"{base}/deposit/{d.id}",
        "badge": f"{base}/badge/doi/.svg",
        "files": f"{api}/files",
        "bucket": f"{base}/api/files/{d.bucket}",
        "latest_draft": f"{base}/api/deposit/depositions/{d.latest_draft or d.id}",
        "latest_draft_html": f"{base}/deposit/{d.latest_draft or d.id}",
        "publish": f"{api}/actions/publish",
        "edit": f"{api}/actions/edit",
        "discard": f"{api}/actions/discard",
        "newversion": f"{api}/actions/newversion",
        "registerconceptdoi": f"{api}/actions/registerconceptdoi",
    }
    body = {
        "id": d.id,
        "record_id": d.id,
        "conceptrecid": str(d.concept),
        "created": d.created,
        "modified": d.modified,
        "owner": USER_IDS.get(d.owner, 1),
        "state": d.state,
        "submitted": d.submitted,
        "title": d.metadata.get("title", ""),
        "metadata": {
            **d.metadata,
            "prereserve_doi": {"doi": f"10.5281/zenodo.{d.id}", "recid": d.id},
        },
        "files": [
            {
                "id": f.id,
                "filename": f.key,
                "filesize": len(f.content),
                "checksum": f.md5,
                "links": {
                    "self": f"{api}/files/{f.id}",
                    "download": f"{base}/api/files/{d.bucket}/{f.key}",
                },
            }
            for f in d.files
        ],
        "links": links,
    }
    if d.submitted:
        body["doi"] = f"10.5281/zenodo.{d.id}"
        body["doi_url"] = f"https://doi.org/10.5281/zenodo.{d.id}"
        body["conceptdoi"] = f"10.5281/zenodo.{d.concept}"
        body["metadata"]["doi"] = body["doi"]
        links["record"] = f"{base}/api/records/{d.id}"
        links["record_html"] = f"{base}/records/{d.id}"
        links["doi"] = body["doi_url"]
        links["latest"] = f"{base}/api/records/{d.id}/versions/latest"
    return body


def request_json(r: InclusionRequest, base: str) -> dict:
    return {
        "id": r.id,
        "type": "community-submission",
        "title": f"Inclusion of record {r.record}",
        "status": r.status,
        "is_open": r.status == "submitted",
        "is_closed": r.status != "submitted",
        "created": r.created,
        "topic": {"record": str(r.record)},
        "receiver": {"community": _uuid(r.community)},
        "created_by": {"user": str(USER_IDS.get(r.owner, 1))},
        "links": {
            "self": f"{base}/api/requests/{r.id}",
            "comments": f"{base}/api/requests/{r.id}/comments",
            "actions": {
                "accept": f"{base}/api/requests/{r.id}/actions/accept",
                "decline": f"{base}/api/requests/{r.id}/actions/decline",
            },
        },
    }


def _rdm_record(dep: Deposition, index: int, communities: list[str]) -> dict:
    md = dep.metadata
    doi = f"10.5281/zenodo.{dep.id}"
    creators = []
    for c in md.get("creators", []):
        person = {"type": "personal", "name": c["name"], "identifiers": []}
        if c.get("orcid"):
            person["identifiers"].append(
                {"scheme": "orcid", "identifier": c["orcid"].split("orcid.org/")[-1]}
            )
        entry = {"person_or_org": person}
        if c.get("affiliation"):
            entry["affiliations"] = [{"name": c["affiliation"]}]
        creators.append(entry)
    lic = str(md.get("license", "")).lower()
    entries = {
        f.key: {
            "key": f.key,
            "ext": f.key.rsplit(".", 1)[-1],
            "mimetype": "application/zip" if f.key.endswith(".zip") else "application/json",
            "size": len(f.content),
            "checksum": f"md5:{f.md5}",
            "id": f.id,
            "links": {},
        }
        for f in dep.files
    }
    now = _now()
    description = md.get("description", "")
    return {
        "id": str(dep.id),
        "recid": str(dep.id),
        "parent": {
            "id": str(dep.concept),
            "communities": {
                "ids": [_uuid(s) for s in communities],
                **({"default": _uuid(communities[0])} if communities else {}),
            },
            "pids": {"doi": {"identifier": f"10.5281/zenodo.{dep.concept}"}},
        },
        "pids": {"doi": {"identifier": doi, "provider": "datacite", "client": "datacite"}},
        "created": now,
        "updated": now,
        "status": "published",
        "is_published": True,
        "is_draft": False,
        "revision_id": 1,
        "metadata": {
            "title": md.get("title", ""),
            "description": description,
            "creators": creators,
            "publication_date": md.get("publication_date", now[:10]),
            "publisher": "Zenodo",
            "resource_type": {"id": "software", "title": {"en": "Software"}},
            "subjects": [{"subject": k} for k in md.get("keywords", [])],
            "rights": [
                {
                    "id": lic,
                    "title": {"en": LICENSES.get(lic, lic)},
                    "props": {"scheme": "spdx", "url": f"https://spdx.org/licenses/{lic}"},
                }
            ]
            if lic
            else [],
            "version": md.get("version", ""),
            "related_identifiers": [
                {
                    "identifier": r["identifier"],
                    "scheme": r.get("scheme", "url"),
                    "relation_type": {"id": r["relation"].lower(), "title": {"en": r["relation"]}},
                }
                for r in md.get("related_identifiers", [])
            ],
            "languages": [],
        },
        "access": {
            "record": "public",
            "files": "public",
            "status": "open",
            "embargo": {"active": False, "until": None, "reason": None},
        },
        "files": {
            "enabled": True,
            "count": len(entries),
            "total_bytes": sum(e["size"] for e in entries.values()),
            "order": [],
            "entries": entries,
        },
        "stats": {
            "this_version": {
                "views": 0,
                "unique_views": 0,
                "downloads": 0,
                "unique_downloads": 0,
                "data_volume": 0.0,
            },
            "all_versions": {
                "views": 0,
                "unique_views": 0,
                "downloads": 0,
                "unique_downloads": 0,
                "data_volume": 0.0,
            },
        },
        "versions": {"index": index, "is_latest": True},
        "custom_fields": {"legacy:communities": communities},
        "ui": {"description_stripped": _strip(description)},
        "_links": (str(dep.id), str(dep.concept), doi),
    }


def publish_record(state: DepositState, dep: Deposition) -> None:
    """Make (or refresh) the record of a published deposition in the records API."""
    records = state.records
    existing = records.by_id.get(str(dep.id))
    versions = state.published_concepts.setdefault(dep.concept, [])
    if dep.id not in versions:
        versions.append(dep.id)
    index = versions.index(dep.id) + 1
    communities = existing.communities if existing else []
    body = _rdm_record(dep, index, communities)
    files = {f.key: StoredFile(f.key, f.content, len(f.content), f.md5) for f in dep.files}
    if existing:
        existing.json = body
        existing.files = files
        return
    for other_id in versions[:-1]:
        other = records.by_id.get(str(other_id))
        if other:
            other.json["versions"]["is_latest"] = False
    record = Record(json=body, communities=communities, files=files)
    records.records.append(record)
    records.by_id[record.id] = record


def accept_request(state: DepositState, req: InclusionRequest) -> None:
    req.status = "accepted"
    record = state.records.by_id.get(str(req.record))
    if record and req.community not in record.communities:
        record.communities.append(req.community)
        record.json["parent"]["communities"]["ids"].append(_uuid(req.community))
        record.json["custom_fields"]["legacy:communities"] = record.communities


# ------------------------------------------------------------------ handlers
class DepositHandler(tornado.web.RequestHandler):
    scope = "deposit:write"

    def initialize(self, state):
        self.state = state
        self.deposits: DepositState = state.deposits

    def set_default_headers(self):
        self.set_header("X-RateLimit-Limit", "133")
        self.set_header("X-RateLimit-Remaining", "132")
        self.set_header("Server", "zenodo-standin")

    def fail(self, status: int, message: str, errors: list | None = None) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        body = {"status": status, "message": message}
        if errors is not None:
            body["errors"] = errors
            self.deposits.rejected.append({"path": self.request.path, "errors": errors})
        self.finish(json.dumps(body))

    def send(self, body, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body))

    @property
    def base(self) -> str:
        return f"{self.request.protocol}://{self.request.host}"

    def violation(self, what: str) -> None:
        self.deposits.violations.append(f"{self.request.method} {self.request.path}: {what}")

    async def prepare(self):
        stats, switches = self.state.stats, self.state.switches
        stats.requests += 1
        stats.paths[self.request.path] += 1
        stats.user_agents[self.request.headers.get("User-Agent", "")] += 1
        if switches.rate_limit_next > 0:
            switches.rate_limit_next -= 1
            self.set_header("Retry-After", str(switches.retry_after))
            self.set_header("X-RateLimit-Remaining", "0")
            return self.fail(429, "Too many requests. Please slow down.")
        if switches.fail_next:
            status = switches.fail_next.pop(0)
            return self.fail(status, "Internal server error." if status >= 500 else "Failed.")
        header = self.request.headers.get("Authorization", "")
        token = (
            header[7:] if header.startswith("Bearer ") else self.get_argument("access_token", "")
        )
        if header.startswith("Bearer "):
            stats.authorized += 1
        known = self.deposits.tokens.get(token)
        if not token or known is None:
            return self.fail(
                401,
                "The server could not verify that you are authorized to access the URL "
                "requested. You either supplied the wrong credentials (e.g. a bad password), "
                "or your browser doesn't understand how to supply the credentials required.",
            )
        self.user, scopes = known
        needed = {self.scope} if isinstance(self.scope, str) else set(self.scope)
        if not needed <= scopes:
            return self.fail(
                403,
                "You don't have the permission to access the requested resource. It is either "
                "read-protected or not readable by the server.",
            )
        if (
            self.request.method in ("POST", "PUT")
            and self.request.body
            and not isinstance(self, BucketHandler)
        ):
            ctype = self.request.headers.get("Content-Type", "").split(";")[0].strip()
            if ctype != "application/json":
                self.violation(f"JSON body sent as {ctype or 'no Content-Type'}")
                return self.fail(415, "Unsupported media type.")

    def json_body(self):
        try:
            return json.loads(self.request.body or b"{}")
        except ValueError:
            self.fail(400, "Could not parse the JSON body.")
            return None

    def own(self, dep_id: str) -> Deposition | None:
        dep = self.deposits.depositions.get(int(dep_id))
        if dep is None:
            self.fail(404, "PID does not exist.")
            return None
        if dep.owner != self.user:
            self.fail(403, "You do not have permission to access this deposit.")
            return None
        return dep

    def communities(self) -> set[str]:
        return {COMMUNITY, *OTHER_COMMUNITIES}

    def write_error(self, status_code, **kwargs):
        if status_code in (404, 405):
            self.violation(f"HTTP {status_code}")
        self.fail(
            status_code,
            {404: "Not found.", 405: "Method not allowed."}.get(status_code, "Request failed."),
        )


class DepositionsHandler(DepositHandler):
    def get(self):
        mine = [d for d in self.deposits.depositions.values() if d.owner == self.user]
        mine.sort(key=lambda d: d.id, reverse=True)
        size = int(self.get_argument("size", "10") or 10)
        page = int(self.get_argument("page", "1") or 1)
        status = self.get_argument("status", "")
        if status == "draft":
            mine = [d for d in mine if d.state != "done"]
        elif status == "published":
            mine = [d for d in mine if d.submitted]
        chosen = mine[(page - 1) * size : page * size]
        self.send([deposition_json(d, self.base) for d in chosen])

    def post(self):
        body = self.json_body()
        if body is None:
            return
        dep = self.deposits.new_deposition(self.user)
        if isinstance(body, dict) and body.get("metadata"):
            errors = validate_metadata(body["metadata"], self.communities())
            if errors:
                del self.deposits.depositions[dep.id]
                return self.fail(400, "Validation error.", errors)
            dep.metadata = body["metadata"]
        self.send(deposition_json(dep, self.base), 201)


class DepositionHandler(DepositHandler):
    def get(self, dep_id):
        dep = self.own(dep_id)
        if dep:
            self.send(deposition_json(dep, self.base))

    def put(self, dep_id):
        dep = self.own(dep_id)
        if not dep:
            return
        if dep.state == "done":
            return self.fail(400, "You need to edit the deposit first (actions/edit).")
        body = self.json_body()
        if body is None:
            return
        if not isinstance(body, dict) or "metadata" not in body:
            return self.fail(
                400,
                "Validation error.",
                [{"field": "metadata", "message": "Missing data for required field."}],
            )
        errors = validate_metadata(body["metadata"], self.communities())
        if errors:
            return self.fail(400, "Validation error.", errors)
        dep.metadata = body["metadata"]
        dep.modified = _now()
        self.send(deposition_json(dep, self.base))

    def delete(self, dep_id):
        dep = self.own(dep_id)
        if not dep:
            return
        if dep.submitted:
            return self.fail(403, "You cannot delete a published deposit.")
        del self.deposits.depositions[dep.id]
        for other in self.deposits.depositions.values():
            if other.latest_draft == dep.id:
                other.latest_draft = None
        self.set_status(204)
        self.finish()


class DepositionFilesHandler(DepositHandler):
    def get(self, dep_id, file_id=None):
        dep = self.own(dep_id)
        if dep:
            self.send(deposition_json(dep, self.base)["files"])

    def delete(self, dep_id, file_id=None):
        dep = self.own(dep_id)
        if not dep:
            return
        if dep.state == "done":
            return self.fail(403, "The files of a published deposit cannot change.")
        kept = [f for f in dep.files if f.id != file_id]
        if len(kept) == len(dep.files):
            return self.fail(404, "File does not exist.")
        dep.files = kept
        self.set_status(204)
        self.finish()


class BucketHandler(DepositHandler):
    def put(self, bucket, key):
        dep_id = self.deposits.buckets.get(bucket)
        dep = self.deposits.depositions.get(dep_id) if dep_id else None
        if dep is None:
            return self.fail(404, "Bucket does not exist.")
        if dep.owner != self.user:
            return self.fail(403, "You do not have permission to access this bucket.")
        if dep.submitted and dep.state == "done" or (dep.submitted and dep.state == "inprogress"):
            return self.fail(403, "Bucket is locked: a published version's files cannot change.")
        content = self.request.body or b""
        if not content:
            self.violation("empty file body")
        md5 = hashlib.md5(content).hexdigest()
        if self.deposits.corrupt_next_upload:
            self.deposits.corrupt_next_upload = False
            content = b"X" + content[1:]  # what arrived differs from what was sent
            md5 = hashlib.md5(content).hexdigest()
        dep.files = [f for f in dep.files if f.key != key]
        file_id = uuid.uuid4().hex
        dep.files.append(DepositFile(file_id, key, content, md5))
        self.send(
            {
                "key": key,
                "mimetype": "application/octet-stream",
                "checksum": f"md5:{md5}",
                "version_id": file_id,
                "size": len(content),
                "created": _now(),
                "updated": _now(),
                "is_head": True,
                "delete_marker": False,
                "links": {
                    "self": f"{self.base}/api/files/{bucket}/{key}",
                    "version": f"{self.base}/api/files/{bucket}/{key}?versionId={file_id}",
                },
            },
            201,
        )


class ActionHandler(DepositHandler):
    scope = ("deposit:write", "deposit:actions")

    def post(self, dep_id, action):
        dep = self.own(dep_id)
        if not dep:
            return
        getattr(self, f"do_{action}")(dep)

    def do_publish(self, dep: Deposition):
        if dep.state == "done":
            return self.fail(400, "Deposit is already published.")
        errors = validate_metadata(dep.metadata, self.communities())
        if not dep.files:
            errors.append({"field": "files", "message": "Minimum one file must be provided."})
        if errors:
            return self.fail(400, "Validation error.", errors)
        first = not dep.submitted
        dep.state, dep.submitted = "done", True
        dep.published_metadata = json.loads(json.dumps(dep.metadata))
        dep.modified = _now()
        if dep.previous:
            previous = self.deposits.depositions.get(dep.previous)
            if previous:
                previous.latest_draft = None
        publish_record(self.deposits, dep)
        if first:
            for c in dep.metadata.get("communities") or []:
                req = InclusionRequest(uuid.uuid4().hex, dep.id, c["identifier"], dep.owner)
                self.deposits.requests[req.id] = req
        self.send(deposition_json(dep, self.base), 202)

    def do_newversion(self, dep: Deposition):
        if not dep.submitted:
            return self.fail(400, "A new version can only be made of a published deposit.")
        if dep.latest_draft and dep.latest_draft in self.deposits.depositions:
            return self.send(deposition_json(dep, self.base), 201)
        draft = self.deposits.new_deposition(dep.owner, concept=dep.concept)
        draft.metadata = {k: v for k, v in dep.metadata.items() if k not in ("doi",)}
        # The new version links the same file objects: their ids are the previous version's, which
        # is how eossr finds the files to delete in the new draft (from the newversion answer).
        draft.files = [DepositFile(f.id, f.key, f.content, f.md5) for f in dep.files]
        draft.previous = dep.id
        dep.latest_draft = draft.id
        self.send(deposition_json(dep, self.base), 201)

    def do_edit(self, dep: Deposition):
        if not dep.submitted:
            return self.fail(400, "Only published deposits can be edited.")
        dep.state = "inprogress"
        self.send(deposition_json(dep, self.base), 201)

    def do_discard(self, dep: Deposition):
        if not (dep.submitted and dep.state == "inprogress"):
            return self.fail(400, "You can only discard changes of a deposit being edited.")
        dep.metadata = json.loads(json.dumps(dep.published_metadata or {}))
        dep.state = "done"
        self.send(deposition_json(dep, self.base), 201)

    def put(self, dep_id, action):  # actions are POST only
        raise tornado.web.HTTPError(405)


class LicensesHandler(DepositHandler):
    scope = ()

    async def prepare(self):  # public vocabulary
        self.state.stats.requests += 1

    def get(self):
        hits = [
            {"id": k, "title": {"en": v}, "props": {"scheme": "spdx"}} for k, v in LICENSES.items()
        ]
        self.send({"hits": {"hits": hits, "total": len(hits)}, "links": {}})


class CommunitiesSearchHandler(DepositHandler):
    scope = ()

    async def prepare(self):
        self.state.stats.requests += 1

    def get(self):
        q = self.get_argument("q", "").strip()
        slugs = [COMMUNITY, *OTHER_COMMUNITIES]
        hits = [
            {"id": _uuid(s), "slug": s, "metadata": {"title": s}}
            for s in slugs
            if not q or q.lower() in s.lower()
        ]
        self.send({"hits": {"hits": hits, "total": len(hits)}, "links": {}})


class CommunityRequestsHandler(DepositHandler):
    def get(self, slug):
        found = [
            request_json(r, self.base)
            for r in self.deposits.requests.values()
            if r.community == slug and (self.user == "curator" or r.owner == self.user)
        ]
        self.send({"hits": {"hits": found, "total": len(found)}, "links": {}})


class UserRequestsHandler(DepositHandler):
    def get(self):
        found = [
            request_json(r, self.base)
            for r in self.deposits.requests.values()
            if self.user == "curator" or r.owner == self.user
        ]
        self.send({"hits": {"hits": found, "total": len(found)}, "links": {}})


class RequestActionHandler(DepositHandler):
    def post(self, request_id, action):
        req = self.deposits.requests.get(request_id)
        if req is None:
            return self.fail(404, "Request not found.")
        if action in ("accept", "decline"):
            if self.user != "curator":
                return self.fail(403, "Only the community's curators decide.")
            if req.status != "submitted":
                return self.fail(400, "The request is closed.")
            if action == "accept":
                accept_request(self.deposits, req)
            else:
                req.status = "declined"
            return self.send(request_json(req, self.base))
        if action == "cancel" and req.owner == self.user:
            req.status = "cancelled"
            return self.send(request_json(req, self.base))
        raise tornado.web.HTTPError(404)


def routes(kw: dict) -> list:
    d = r"(?P<dep_id>\d+)"
    return [
        (r"/api/+deposit/+depositions/?", DepositionsHandler, kw),
        (rf"/api/+deposit/+depositions/+{d}/?", DepositionHandler, kw),
        (
            rf"/api/+deposit/+depositions/+{d}/+files(?:/+(?P<file_id>[\w-]+))?/?",
            DepositionFilesHandler,
            kw,
        ),
        (
            rf"/api/+deposit/+depositions/+{d}/+actions/+(?P<action>publish|newversion|edit|discard)/?",
            ActionHandler,
            kw,
        ),
        (r"/api/+files/+(?P<bucket>[0-9a-f]{32})/+(?P<key>[^/]+)", BucketHandler, kw),
        (r"/api/+licenses/?", LicensesHandler, kw),
        (r"/api/+vocabularies/+licenses/?", LicensesHandler, kw),
        (r"/api/+communities/?", CommunitiesSearchHandler, kw),
        (r"/api/+communities/+(?P<slug>[\w-]+)/+requests/?", CommunityRequestsHandler, kw),
        (r"/api/+requests/?", UserRequestsHandler, kw),
        (
            r"/api/+requests/+(?P<request_id>[0-9a-f]+)/+actions/+(?P<action>\w+)/?",
            RequestActionHandler,
            kw,
        ),
        (r"/api/+deposit/.*", UnknownDepositRoute, kw),
    ]


class UnknownDepositRoute(DepositHandler):
    scope = ()

    async def prepare(self):
        raise tornado.web.HTTPError(404)
