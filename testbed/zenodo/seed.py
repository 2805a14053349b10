"""Generated seed of the Zenodo stand-in: OSSR-like records in InvenioRDM's JSON shape.

Everything here is generated from a fixed random seed (names, versions, creators, ORCIDs,
files); nothing is copied from zenodo.org. The shape follows InvenioRDM's documented record
serialization (``application/vnd.inveniordm.v1+json``): string ``id``, ``parent``, ``pids``,
``metadata``, ``access``, ``files.entries``, ``stats``, ``versions``, ``links``.
"""

from __future__ import annotations

import hashlib
import io
import json
import random
import zipfile
from dataclasses import dataclass, field
from datetime import date, timedelta

COMMUNITY = "escape2020"
COMMUNITY_UUID = "3c3a8f2e-5d1a-4b8e-9e0f-2a6d0b7c4e11"
OTHER_COMMUNITIES = {
    "astro-software": "a1f0c2d4-7b3e-4c5a-8d9e-0f1a2b3c4d5e",
    "physics-training": "b2e1d3c5-8c4f-4d6b-9eaf-1a2b3c4d5e6f",
}
FIRST_RECORD_ID = 7_400_001
HOSTILE_CONCEPT = 2
"""The versions of this piece of software carry a script, event handlers and a remote image in
their description (see ``hostile_record_id``)."""
BIG_FILE_BYTES = 6 * 1024 * 1024

_PREFIXES = [
    "gamma", "astro", "radio", "neutrino", "pulsar", "cosmo", "spectra", "event", "muon",
    "photon", "lumi", "halo", "flux", "sky", "transient", "vo", "fits", "grav", "cherenkov",
    "jet", "lens", "quasar", "plasma", "hadron",
]  # fmt: skip
_SUFFIXES = [
    "pipe", "flow", "kit", "lib", "tools", "sim", "fit", "py", "lab", "chain", "reco", "viz",
    "cube", "cal", "stack", "scan", "bench", "map",
]  # fmt: skip
_DOMAINS = {
    "gamma-ray astronomy": ["CTA", "IACT", "gamma-ray", "Cherenkov telescopes", "DL3"],
    "radio astronomy": ["SKA", "LOFAR", "radio interferometry", "calibration", "imaging"],
    "neutrino physics": ["KM3NeT", "neutrino", "track reconstruction", "detector simulation"],
    "gravitational waves": ["Virgo", "gravitational waves", "matched filtering", "time series"],
    "particle physics": ["HL-LHC", "ROOT", "event generation", "trigger", "analysis preservation"],
    "optical astronomy": ["LSST", "photometry", "astrometry", "source extraction", "FITS"],
    "open science": ["FAIR", "Virtual Observatory", "reproducibility", "workflows", "data lake"],
}
_WHAT = [
    "Python library for {k} in {d}",
    "Pipeline for {k} with reproducible configuration",
    "Fast {k} toolkit for {d} data",
    "Reference implementation of {k} for {d}",
    "Command-line tools for {k} and quality monitoring",
    "Notebook-based tutorials on {k} for {d}",
]
_GIVEN = [
    "Anna", "Luca", "Marie", "Jonas", "Sofia", "Pierre", "Elena", "Tomás", "Ingrid", "Mateo",
    "Chiara", "Lukas", "Ana", "Pavel", "Nadia", "Kofi", "Yuki", "Rahul", "Léa", "Emil",
    "Irene", "Oskar", "Giulia", "Hamid",
]  # fmt: skip
_FAMILY = [
    "Moreau", "Rossi", "Schneider", "Novák", "García", "Lindqvist", "Kowalski", "Dubois",
    "Bianchi", "Fischer", "Silva", "Jensen", "Horvat", "Petrov", "Müller", "Costa", "Weber",
    "Laurent", "Nieminen", "Ferreira", "Van Dijk", "Mensah", "Tanaka", "Iyer",
]  # fmt: skip
_AFFILIATIONS = [
    "CNRS/IN2P3", "INFN", "DESY", "CERN", "IFAE", "ASTRON", "Nikhef", "INAF",
    "University of Geneva", "Max Planck Institute for Physics", "CTAO", "SKAO",
]  # fmt: skip
_LICENSES = {
    "mit": "MIT License",
    "bsd-3-clause": 'BSD 3-Clause "New" or "Revised" License',
    "apache-2.0": "Apache License 2.0",
    "gpl-3.0-or-later": "GNU General Public License v3.0 or later",
    "cc-by-4.0": "Creative Commons Attribution 4.0 International",
}
_TYPES = [  # (id, title, weight)
    ("software", "Software", 70),
    ("dataset", "Dataset", 15),
    ("publication-article", "Journal article", 5),
    ("presentation", "Presentation", 5),
    ("lesson", "Lesson", 5),
]
_REQUIREMENTS = ["numpy>=1.23", "astropy>=5.3", "scipy>=1.10", "matplotlib>=3.7", "pyyaml>=6"]


def orcid(rng: random.Random) -> str:
    """A syntactically valid ORCID iD (ISO 7064 mod 11-2 check digit)."""
    digits = [rng.randrange(10) for _ in range(15)]
    total = 0
    for d in digits:
        total = (total + d) * 2
    check = (12 - total % 11) % 11
    tail = "X" if check == 10 else str(check)
    raw = "".join(map(str, digits)) + tail
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


@dataclass
class StoredFile:
    key: str
    content: bytes | None  # None: generated on demand (the big file)
    size: int
    md5: str

    def body(self) -> bytes:
        return self.content if self.content is not None else big_file_bytes()


@dataclass
class Record:
    json: dict
    communities: list[str]
    files: dict[str, StoredFile] = field(default_factory=dict)
    codemeta: dict | None = None

    @property
    def id(self) -> str:
        return self.json["id"]


_BIG: bytes | None = None


def big_file_bytes() -> bytes:
    global _BIG
    if _BIG is None:
        block = hashlib.sha256(b"escape-standin").digest() * 64
        _BIG = (block * (BIG_FILE_BYTES // len(block) + 1))[:BIG_FILE_BYTES]
    return _BIG


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            archive.writestr(info, data)
    return buffer.getvalue()


def _file(key: str, content: bytes) -> StoredFile:
    return StoredFile(key, content, len(content), hashlib.md5(content).hexdigest())


def _person(rng: random.Random) -> dict:
    given, family = rng.choice(_GIVEN), rng.choice(_FAMILY)
    person = {
        "type": "personal",
        "name": f"{family}, {given}",
        "given_name": given,
        "family_name": family,
        "identifiers": [],
    }
    if rng.random() < 0.7:
        person["identifiers"].append({"scheme": "orcid", "identifier": orcid(rng)})
    return {"person_or_org": person, "affiliations": [{"name": rng.choice(_AFFILIATIONS)}]}


class _Concept:
    """Everything the versions of one piece of software share."""

    def __init__(self, rng: random.Random, index: int):
        self.index = index
        self.name = f"{rng.choice(_PREFIXES)}{rng.choice(_SUFFIXES)}"
        if index % 7 == 3:
            self.name += f"-{rng.choice(['core', 'io', 'gui', 'ml'])}"
        self.domain = rng.choice(list(_DOMAINS))
        self.keywords = rng.sample(_DOMAINS[self.domain], k=rng.randint(2, 4))
        if rng.random() < 0.5:
            self.keywords.append(rng.choice(["Python", "C++", "Julia", "Jupyter"]))
        types, weights = zip(*[(t[:2], t[2]) for t in _TYPES], strict=True)
        self.type_id, self.type_title = rng.choices(types, weights=weights)[0]
        if index == HOSTILE_CONCEPT:
            self.type_id, self.type_title = "software", "Software"
        self.is_software = self.type_id == "software"
        self.language = rng.choice(["Python", "Python", "Python", "C++", "Julia"])
        self.license = "cc-by-4.0" if not self.is_software else rng.choice(list(_LICENSES)[:4])
        self.creators = [_person(rng) for _ in range(rng.randint(1, 5))]
        self.forge = rng.choice(["github.com", "gitlab.com", "gitlab.in2p3.fr"])
        group = rng.choice(["escape-ossr", "astro-lab", "hep-tools", "vre-hub"])
        self.repo = f"https://{self.forge}/{group}/{self.name}"
        self.on_pypi = self.is_software and self.language == "Python" and rng.random() < 0.7
        self.start = date(2019, 1, 1) + timedelta(days=rng.randrange(0, 1800))
        self.n_versions = rng.choices([1, 2, 3, 4], weights=[45, 30, 15, 10])[0]
        self.access = rng.choices(["open", "restricted", "embargoed"], weights=[92, 5, 3])[0]
        if index % 4 == 0:
            self.communities = [COMMUNITY, "astro-software"]
        elif index % 5 == 4:
            self.communities = [rng.choice(list(OTHER_COMMUNITIES))]
        else:
            self.communities = [COMMUNITY]
        self.what = rng.choice(_WHAT).format(k=self.keywords[0], d=self.domain)


def _codemeta(c: _Concept, version: str, record_id: str, doi: str) -> dict:
    people = [
        {
            "@type": "Person",
            "givenName": cr["person_or_org"]["given_name"],
            "familyName": cr["person_or_org"]["family_name"],
            **(
                {"@id": f"https://orcid.org/{cr['person_or_org']['identifiers'][0]['identifier']}"}
                if cr["person_or_org"]["identifiers"]
                else {}
            ),
        }
        for cr in c.creators
    ]
    meta = {
        "@context": "https://doi.org/10.5063/schema/codemeta-2.0",
        "@type": "SoftwareSourceCode",
        "name": c.name,
        "description": c.what,
        "version": version,
        "softwareVersion": version,
        "identifier": f"https://doi.org/{doi}",
        "codeRepository": c.repo,
        "programmingLanguage": [c.language],
        "license": f"https://spdx.org/licenses/{c.license.upper()}",
        "keywords": c.keywords,
        "author": people,
        "maintainer": people[:1],
        "readme": f"{c.repo}#readme",
        "dateCreated": c.start.isoformat(),
    }
    if c.language == "Python":
        meta["softwareRequirements"] = _REQUIREMENTS[: 2 + c.index % 3]
        meta["runtimePlatform"] = "Python 3.10"
        if c.on_pypi:
            meta["installUrl"] = f"https://pypi.org/project/{c.name}/"
            meta["buildInstructions"] = f"pip install {c.name}=={version}"
    elif c.language == "C++":
        meta["buildInstructions"] = "cmake -S . -B build && cmake --build build"
    return meta


def _description(c: _Concept, version: str) -> str:
    if c.index == HOSTILE_CONCEPT:
        return (
            f"<p><strong>{c.name}</strong>: {c.what}.</p>"
            '<script>document.body.dataset.pwned = "script"</script>'
            '<p onclick="alert(1)">Click-free paragraph.</p>'
            '<img src="https://tracker.example.org/pixel.png" onerror="alert(2)" alt="pixel">'
            '<p><a href="javascript:alert(3)">bad link</a> and '
            f'<a href="{c.repo}">the repository</a>.</p>'
        )
    parts = [
        f"<p><strong>{c.name}</strong> is a {c.what[0].lower()}{c.what[1:]}.</p>",
        f"<p>Release {version} of the {c.domain} toolbox, curated in the ESCAPE OSSR.</p>",
        "<ul>" + "".join(f"<li>{k}</li>" for k in c.keywords) + "</ul>",
        f'<p>Source code and issues: <a href="{c.repo}">{c.repo}</a>.</p>',
    ]
    if c.index % 6 == 0:
        parts.append(f'<p><img src="{c.repo}/raw/main/docs/logo.png" alt="{c.name} logo"></p>')
    return "".join(parts)


def _files(c: _Concept, version: str, meta: dict | None, big: bool) -> dict[str, StoredFile]:
    files: dict[str, StoredFile] = {}
    if c.is_software:
        readme = f"# {c.name} {version}\n\n{c.what}.\n\nInstall: see codemeta.json.\n".encode()
        members = {
            f"{c.name}-{version}/README.md": readme,
            f"{c.name}-{version}/{c.name.replace('-', '_')}/__init__.py": (
                f'__version__ = "{version}"\n'.encode()
            ),
        }
        if meta is not None:
            members[f"{c.name}-{version}/codemeta.json"] = json.dumps(meta, indent=2).encode()
        files[f"{c.name}-{version}.zip"] = _file(f"{c.name}-{version}.zip", _zip(members))
        if meta is not None:
            files["codemeta.json"] = _file("codemeta.json", json.dumps(meta, indent=2).encode())
    else:
        rows = "\n".join(f"{i},{(i * 37) % 101},{(i * 13) % 7}" for i in range(200))
        files["table.csv"] = _file("table.csv", f"id,energy,quality\n{rows}\n".encode())
        files["README.md"] = _file("README.md", f"# {c.name}\n\n{c.what}.\n".encode())
    if big:
        data = big_file_bytes()
        files["events.h5"] = StoredFile("events.h5", None, len(data), hashlib.md5(data).hexdigest())
    return files


def _links(base: str, rid: str, parent: str, doi: str) -> dict:
    return {
        "self": f"{base}/api/records/{rid}",
        "self_html": f"{base}/records/{rid}",
        "doi": f"https://doi.org/{doi}",
        "self_doi": f"https://doi.org/{doi}",
        "parent": f"{base}/api/records/{parent}",
        "parent_html": f"{base}/records/{parent}",
        "files": f"{base}/api/records/{rid}/files",
        "archive": f"{base}/api/records/{rid}/files-archive",
        "versions": f"{base}/api/records/{rid}/versions",
        "latest": f"{base}/api/records/{rid}/versions/latest",
        "latest_html": f"{base}/records/{rid}/latest",
    }


def generate(n_concepts: int = 230, seed: int = 2020) -> list[Record]:
    """The seed: ``n_concepts`` pieces of software, data and material, 1-4 versions each."""
    rng = random.Random(seed)
    records: list[Record] = []
    next_id = FIRST_RECORD_ID
    for index in range(n_concepts):
        c = _Concept(rng, index)
        parent_id = str(next_id)
        next_id += 1
        for v in range(c.n_versions):
            rid = str(next_id)
            next_id += 1
            version = f"{rng.randint(0, 2)}.{v + rng.randint(0, 3)}.{rng.randint(0, 9)}"
            if v:
                version = f"{records[-1].json['metadata']['version'].split('.')[0]}.{v * 2 + 1}.0"
            published = c.start + timedelta(days=120 * v + rng.randrange(0, 60))
            doi = f"10.5281/zenodo.{rid}"
            meta = (
                _codemeta(c, version, rid, doi)
                if c.is_software and (index % 5 != 2 or index == HOSTILE_CONCEPT)
                else None
            )
            files = _files(c, version, meta, big=index % 37 == 5)
            views = rng.randint(20, 4000)
            downloads = rng.randint(5, views)
            related = [
                {
                    "identifier": c.repo,
                    "scheme": "url",
                    "relation_type": {
                        "id": "issupplementedby",
                        "title": {"en": "Is supplemented by"},
                    },
                    "resource_type": {"id": "software", "title": {"en": "Software"}},
                }
            ]
            if c.is_software:
                related.append(
                    {
                        "identifier": f"https://{c.name}.readthedocs.io/en/v{version}/",
                        "scheme": "url",
                        "relation_type": {
                            "id": "isdocumentedby",
                            "title": {"en": "Is documented by"},
                        },
                    }
                )
            description = _description(c, version)
            entries = {
                key: {
                    "key": key,
                    "ext": key.rsplit(".", 1)[-1],
                    "mimetype": _mimetype(key),
                    "size": f.size,
                    "checksum": f"md5:{f.md5}",
                    "id": hashlib.md5(f"{rid}/{key}".encode()).hexdigest(),
                    "links": {},
                }
                for key, f in files.items()
            }
            restricted = c.access != "open"
            body = {
                "id": rid,
                "recid": rid,
                "parent": {
                    "id": parent_id,
                    "communities": {
                        "ids": [_uuid(slug) for slug in c.communities],
                        "default": _uuid(c.communities[0]),
                    },
                    "pids": {"doi": {"identifier": f"10.5281/zenodo.{parent_id}"}},
                },
                "pids": {"doi": {"identifier": doi, "provider": "datacite", "client": "datacite"}},
                "created": f"{published.isoformat()}T09:{index % 60:02d}:00.000000+00:00",
                "updated": f"{published.isoformat()}T10:{index % 60:02d}:00.000000+00:00",
                "status": "published",
                "is_published": True,
                "is_draft": False,
                "revision_id": 3,
                "metadata": {
                    "title": f"{c.name}: {c.what}" if c.is_software else f"{c.name} — {c.what}",
                    "description": description,
                    "creators": c.creators,
                    "publication_date": published.isoformat(),
                    "publisher": "Zenodo",
                    "resource_type": {"id": c.type_id, "title": {"en": c.type_title}},
                    "subjects": [{"subject": k} for k in c.keywords],
                    "rights": [
                        {
                            "id": c.license,
                            "title": {"en": _LICENSES[c.license]},
                            "props": {
                                "scheme": "spdx",
                                "url": f"https://spdx.org/licenses/{c.license}",
                            },
                        }
                    ],
                    "version": version,
                    "related_identifiers": related,
                    "languages": [{"id": "eng", "title": {"en": "English"}}],
                },
                "access": {
                    "record": "public",
                    "files": "restricted" if restricted else "public",
                    "status": c.access,
                    "embargo": {"active": c.access == "embargoed", "until": None, "reason": None},
                },
                "files": {
                    "enabled": True,
                    "count": len(entries),
                    "total_bytes": sum(f.size for f in files.values()),
                    "order": [],
                    **({} if restricted else {"entries": entries}),
                },
                "stats": {
                    "this_version": {
                        "views": views,
                        "unique_views": int(views * 0.8),
                        "downloads": downloads,
                        "unique_downloads": int(downloads * 0.7),
                        "data_volume": float(downloads * 1e5),
                    },
                    "all_versions": {
                        "views": views * c.n_versions,
                        "unique_views": int(views * 0.8) * c.n_versions,
                        "downloads": downloads * c.n_versions,
                        "unique_downloads": int(downloads * 0.7) * c.n_versions,
                        "data_volume": float(downloads * 1e5 * c.n_versions),
                    },
                },
                "versions": {"index": v + 1, "is_latest": v == c.n_versions - 1},
                "custom_fields": {"legacy:communities": c.communities},
                "ui": {"description_stripped": _strip(description)},
                "_links": (rid, parent_id, doi),
            }
            records.append(Record(json=body, communities=c.communities, files=files, codemeta=meta))
    return records


def hostile_record_id(records: list[Record]) -> str:
    """The latest version of the software whose description is hostile."""
    parents: list[str] = []
    for r in records:
        if r.json["parent"]["id"] not in parents:
            parents.append(r.json["parent"]["id"])
    parent = parents[HOSTILE_CONCEPT]
    return next(
        r.id
        for r in records
        if r.json["parent"]["id"] == parent and r.json["versions"]["is_latest"]
    )


def _uuid(slug: str) -> str:
    return COMMUNITY_UUID if slug == COMMUNITY else OTHER_COMMUNITIES[slug]


def _mimetype(key: str) -> str:
    ext = key.rsplit(".", 1)[-1]
    return {
        "zip": "application/zip",
        "json": "application/json",
        "csv": "text/csv",
        "md": "text/markdown",
        "h5": "application/x-hdf5",
    }.get(ext, "application/octet-stream")


def _strip(html: str) -> str:
    import re

    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def with_links(record: Record, base: str) -> dict:
    """The record as served: links point at the stand-in's own base URL."""
    body = {k: v for k, v in record.json.items() if k != "_links"}
    rid, parent, doi = record.json["_links"]
    body["links"] = _links(base, rid, parent, doi)
    entries = body["files"].get("entries")
    if entries:
        body["files"] = dict(body["files"])
        body["files"]["entries"] = {
            key: {
                **entry,
                "links": {
                    "self": f"{base}/api/records/{rid}/files/{key}",
                    "content": f"{base}/api/records/{rid}/files/{key}/content",
                },
            }
            for key, entry in entries.items()
        }
    return body
