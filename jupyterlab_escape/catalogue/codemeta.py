"""codemeta.json for the OSSR: read, generate, validate as the OSSR does, convert to Zenodo.

The rules are the OSSR's, as the ``eossr`` library (2.3.1) applies them: the requirement levels
and the Zenodo mapping of its crosswalk table (``escape_codemeta_crosswalk.csv``; the facts are
restated below, no code is taken), ``@type`` ``SoftwareSourceCode``, a CodeMeta 1.0/2.0/3.0
``@context``, unknown keys refused, non-semver versions warned. eossr itself is not a dependency
of the server (it pulls pandas and numpy and looks licences up on the network while converting);
``tests/catalogue/test_codemeta_eossr.py`` holds :func:`to_zenodo` equal to eossr's
``codemeta2zenodo`` over a corpus, running eossr in its own venv.

Unlike eossr, which stops at the first problem, :func:`validate` lists every problem with the
field it belongs to, so the publish form can show them next to each field.
"""

from __future__ import annotations

import configparser
import datetime as _dt
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import tomllib

CONTEXT = "https://doi.org/10.5063/schema/codemeta-2.0"
_KNOWN_VERSIONS = ("1.0", "2.0", "3.0")
_CONTEXTS = {
    "https://raw.githubusercontent.com/codemeta/codemeta/3.0/codemeta.jsonld": "3.0",
    "https://raw.githubusercontent.com/codemeta/codemeta/2.0/codemeta.jsonld": "2.0",
    "https://raw.githubusercontent.com/codemeta/codemeta/1.0/codemeta.jsonld": "1.0",
    "https://w3id.org/codemeta/3.0": "3.0",
    "https://w3id.org/codemeta/2.0": "2.0",
    "https://doi.org/10.5063/schema/codemeta-2.0": "2.0",
    "https://doi.org/10.5063/schema/codemeta-1.0": "1.0",
    "https://doi.org/10.5063/schema/codemeta-3.0": "3.0",
}
_CONTEXT_PATTERNS = (
    re.compile(r"codemeta-(\d+\.\d+)", re.I),
    re.compile(r"/codemeta/(\d+\.\d+)(?:[-\w.]*)?/codemeta\.jsonld$", re.I),
    re.compile(r"/codemeta/(\d+\.\d+)(?:[-\w.]*)?/?$", re.I),
)

# The crosswalk, in its order (the first row of a name wins, as in eossr):
# (codemeta-2.0 name, codemeta-3.0 name, codemeta-1.0 name, codemeta type, Zenodo key,
#  contributor type, OSSR requirement level); test_codemeta_eossr.py holds it equal to eossr's.
CROSSWALK: tuple[tuple[str, str, str, str, str, str, str], ...] = (
    (
        "codeRepository",
        "codeRepository",
        "codeRepository",
        "URL",
        "related_identifiers",
        "",
        "recommended",
    ),
    (
        "programmingLanguage",
        "programmingLanguage",
        "programmingLanguage",
        "ComputerLanguage or Text",
        "",
        "",
        "",
    ),
    ("runtimePlatform", "runtimePlatform", "", "Text", "", "", ""),
    ("targetProduct", "targetProduct", "", "SoftwareApplication", "", "", ""),
    ("applicationCategory", "applicationCategory", "", "Text or URL", "communities", "", ""),
    ("applicationSubCategory", "applicationSubCategory", "", "Text or URL", "", "", ""),
    ("downloadUrl", "downloadUrl", "downloadLink", "URL", "", "", ""),
    ("fileSize", "fileSize", "", "Text", "", "", ""),
    ("installUrl", "installUrl", "", "URL", "", "", ""),
    ("memoryRequirements", "memoryRequirements", "", "Text or URL", "", "", "recommended"),
    ("operatingSystem", "operatingSystem", "operatingSystems", "Text", "", "", ""),
    ("permissions", "permissions", "", "Text", "", "", ""),
    ("processorRequirements", "processorRequirements", "", "Text", "", "", "recommended"),
    ("releaseNotes", "releaseNotes", "", "Text or URL", "", "", "recommended"),
    ("softwareHelp", "softwareHelp", "", "CreativeWork", "", "", ""),
    ("softwareRequirements", "softwareRequirements", "depends", "SoftwareSourceCode", "", "", ""),
    ("softwareVersion", "softwareVersion", "", "Text", "version", "", "required"),
    ("storageRequirements", "storageRequirements", "", "Text or URL", "", "", "recommended"),
    ("supportingData", "supportingData", "", "DataFeed", "", "", ""),
    ("author", "author", "agents", "Organization or Person", "creators", "", "required"),
    ("citation", "citation", "relatedLink", "CreativeWork or URL", "references", "", ""),
    ("contributor", "contributor", "", "Organization or Person", "contributors", "Other", ""),
    (
        "copyrightHolder",
        "copyrightHolder",
        "agents [role=copyrightHolder]",
        "Organization or Person",
        "contributors",
        "RightsHolder",
        "recommended",
    ),
    ("copyrightYear", "copyrightYear", "", "Number", "", "", ""),
    ("dateCreated", "dateCreated", "dateCreated", "Date or DateTime", "", "", ""),
    ("dateModified", "dateModified", "dateModified", "Date or DateTime", "", "", ""),
    ("datePublished", "datePublished", "datePublished", "Date", "publication_date", "", "required"),
    ("editor", "editor", "", "Person", "", "", ""),
    ("encoding", "encoding", "", "MediaObject", "", "", ""),
    ("fileFormat", "fileFormat", "", "Text or URL", "", "", ""),
    (
        "funder",
        "funder",
        "fundingReference.funderName",
        "Organization or Person",
        "contributors",
        "Sponsor",
        "recommended",
    ),
    ("keywords", "keywords", "controlledTerms", "Text", "keywords", "", "recommended"),
    ("license", "license", "licenseId", "CreativeWork or URL", "license", "", "required"),
    ("producer", "producer", "", "Organization or Person", "contributors", "Producer", ""),
    ("provider", "provider", "", "Organization or Person", "contributors", "Distributor", ""),
    ("publisher", "publisher", "publisher", "Organization or Person", "contributors", "Other", ""),
    ("sponsor", "sponsor", "", "Organization or Person", "contributors", "Sponsor", ""),
    ("version", "version", "version", "Number or Text", "version", "", ""),
    ("isAccessibleForFree", "isAccessibleForFree", "", "Boolean", "", "", ""),
    ("isPartOf", "isPartOf", "", "CreativeWork", "", "", ""),
    ("hasPart", "hasPart", "", "CreativeWork", "", "", ""),
    ("position", "position", "", "Integer or Text", "", "", ""),
    ("description", "description", "description", "Text", "description", "", "required"),
    ("identifier", "identifier", "identifier", "PropertyValue or URL", "", "", "recommended"),
    ("name", "name", "name", "Text", "title", "", "required"),
    ("sameAs", "sameAs", "", "URL", "", "", ""),
    ("url", "url", "URL", "URL", "", "", ""),
    ("relatedLink", "relatedLink", "", "URL", "", "", ""),
    ("givenName", "givenName", "", "Text", "", "", ""),
    ("familyName", "familyName", "", "Text", "", "", ""),
    ("email", "email", "email", "Text", "", "", ""),
    ("affiliation", "affiliation", "affiliation", "Text", "affiliation", "", ""),
    ("identifier", "identifier", "identifier", "URL", "ORCID", "", ""),
    ("name", "name", "", "Text", "name", "", ""),
    ("address", "address", "", "PostalAddress or Text", "", "", ""),
    ("softwareSuggestions", "softwareSuggestions", "suggests", "SoftwareSourceCode", "", "", ""),
    (
        "maintainer",
        "maintainer",
        "uploadedBy",
        "Person",
        "contributors",
        "ContactPerson",
        "required",
    ),
    ("contIntegration", "continuousIntegration", "contIntegration", "URL", "", "", ""),
    ("buildInstructions", "buildInstructions", "buildInstructions", "URL", "", "", ""),
    ("developmentStatus", "developmentStatus", "developmentStatus", "Text", "", "", ""),
    ("embargoDate", "embargoEndDate", "embargoDate", "Date", "", "", ""),
    ("funding", "funding", "funding", "Text", "grants", "", "recommended"),
    ("issueTracker", "issueTracker", "issueTracker", "URL", "", "", "recommended"),
    (
        "referencePublication",
        "referencePublication",
        "relatedPublications",
        "ScholarlyArticle",
        "",
        "",
        "",
    ),
    ("readme", "readme", "readme", "URL", "related_identifiers", "", "required"),
    ("creator", "creator", "agents", "Organization or Person", "creators", "", ""),
    ("", "review", "", "", "", "", ""),
    ("", "reviewAspect", "", "", "", "", ""),
    ("", "reviewBody", "", "", "", "", ""),
    ("endDate", "endDate", "", "", "", "", ""),
    ("roleName", "roleName", "", "", "", "", ""),
    ("startDate", "startDate", "", "", "", "", ""),
)
_ROW = {"2.0": 0, "3.0": 1, "1.0": 2}  # the name column of each CodeMeta version

# Zenodo's licence vocabulary for the licences software uses (id, title); anything else is
# "other-open" when open, "other-closed" otherwise (refused: the OSSR redistributes).
ZENODO_LICENSES: dict[str, str] = {
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
}
OPEN_LICENSES = frozenset(ZENODO_LICENSES)
SPDX_URL = "https://spdx.org/licenses/"

ESCAPE_GRANT = "10.13039/501100000780::824064"


class ConversionError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass
class Problem:
    field: str  # "author[0].affiliation", "license", "" for the whole document
    level: str  # error (blocks the upload) | warning (the OSSR asks for it)
    message: str

    def to_json(self) -> dict[str, str]:
        return asdict(self)


# ------------------------------------------------------------------ versions and tables
def context_version(context: Any) -> str:
    """The CodeMeta version a ``@context`` names; ValueError when none or several."""

    def strings(value: Any) -> list[str]:
        if isinstance(value, str):
            return [value]
        if isinstance(value, list):
            return [s for v in value for s in strings(v)]
        if isinstance(value, dict):
            return [s for v in value.values() for s in strings(v)]
        return []

    found = set()
    normalized = {k.rstrip("/"): v for k, v in _CONTEXTS.items()}
    for text in strings(context):
        text = text.strip().rstrip("/")
        if text in normalized:
            found.add(normalized[text])
            continue
        for pattern in _CONTEXT_PATTERNS:
            match = pattern.search(text)
            if match and match.group(1) in _KNOWN_VERSIONS:
                found.add(match.group(1))
                break
    if len(found) != 1:
        raise ValueError(
            "no known CodeMeta @context" if not found else "@context names several versions"
        )
    return found.pop()


def _rows(version: str) -> list[tuple[str, str, str, str, str]]:
    """(name, type, zenodo key, contributor type, level) for a CodeMeta version."""
    column = _ROW[version]
    return [(row[column], *row[3:]) for row in CROSSWALK if row[column]]


def _unnamed_required(version: str) -> list[str]:
    """Keys the OSSR requires that a CodeMeta version has no name for (1.0: softwareVersion):
    eossr then asks for a key named "", so no such document passes; we say why."""
    column = _ROW[version]
    return [row[0] for row in CROSSWALK if row[6] == "required" and not row[column]]


def _unnamed_message(version: str, keys: list[str]) -> str:
    return (
        f"CodeMeta {version} has no name for {', '.join(keys)}, which the OSSR requires: "
        f"use CodeMeta 2.0 ({CONTEXT})"
    )


# eossr's own check of a version fails on a number (it strips a "v"), so the OSSR's tools stop
_NOT_TEXT_VERSION = 'a version is a text, e.g. "1.2.0"'


def _row_of(rows, name: str):
    for row in rows:
        if row[0] == name:
            return row
    return None


def _contributor_roles(rows) -> set[str]:
    return {
        r[0]
        for r in rows
        if ("Organization" in r[1] or "Person" in r[1]) and r[2] == "contributors"
    }


def valid_semver(version: str) -> bool:
    pattern = (
        r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
        r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
        r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
    )
    return bool(re.match(pattern, str(version).lstrip("v")))


def is_url(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    parsed = urlparse(value)
    return bool(parsed.scheme and parsed.netloc)


# ------------------------------------------------------------------ conversion
def _orcid(identifier: Any, field: str) -> str | None:
    if not isinstance(identifier, str):
        raise ConversionError(field, "an identifier is a text (an ORCID iD URL)")
    number = identifier.split("orcid.org/")[1] if "orcid.org/" in identifier else identifier
    if re.match(r"^\d{4}-\d{4}-\d{4}-\d{3}[0-9X]$", number):
        return identifier
    return None


def _organization(value: Any, field: str) -> dict:
    if not isinstance(value, dict):
        raise ConversionError(field, 'an organization is an object {"@type": "Organization", ...}')
    name = value.get("name") or value.get("legalName")
    if not name:
        raise ConversionError(field, "an organization needs a name")
    return {"name": name}


def _person(value: dict, field: str) -> dict:
    given, family = value.get("givenName", ""), value.get("familyName", "")
    if given and family:
        name = f"{given} {family}"
    elif given or family:
        name = given or family
    else:
        raise ConversionError(field, "a person needs a givenName or a familyName")
    person = {"name": name}
    affiliation = value.get("affiliation")
    if isinstance(affiliation, dict):
        person["affiliation"] = _organization(affiliation, f"{field}.affiliation")["name"]
    elif isinstance(affiliation, list):
        person["affiliation"] = "; ".join(
            _organization(org, f"{field}.affiliation[{i}]")["name"]
            for i, org in enumerate(affiliation)
        )
    elif affiliation is not None:
        raise ConversionError(
            f"{field}.affiliation",
            'an affiliation is an organization: {"@type": "Organization", "name": "..."}',
        )
    identifier = value.get("identifier") or value.get("@id")
    if identifier:
        orcid = _orcid(identifier, f"{field}.identifier")
        if orcid:
            person["orcid"] = orcid
    return person


def _agent(value: Any, field: str) -> dict:
    if not isinstance(value, dict):
        raise ConversionError(field, 'a person is an object {"@type": "Person", ...}')
    kind = value.get("@type")
    if kind == "Person":
        return _person(value, field)
    if kind == "Organization":
        return _organization(value, field)
    raise ConversionError(field, '@type must be "Person" or "Organization"')


def _license_id(value: Any, field: str) -> str:
    if not is_url(value):
        raise ConversionError(field, f"a licence is a URL, e.g. {SPDX_URL}MIT")
    ident = value.rsplit("/")[-1].lower()
    if ident in ZENODO_LICENSES:
        return ident
    titles = {title: key for key, title in ZENODO_LICENSES.items()}
    if ident in titles:
        return titles[ident]
    return "other-closed"


def _convert_one(key, value, ctype, contributor_type, roles, field, communities):
    if key == "codeRepository":
        if not is_url(value):
            raise ConversionError(field, "the repository is a URL")
        return [
            {
                "scheme": "url",
                "identifier": value,
                "relation": "isDerivedFrom",
                "resource_type": "software",
            }
        ]
    if key == "readme":
        if not isinstance(value, str):
            raise ConversionError(field, "the readme is a URL")
        return [
            {
                "scheme": "url",
                "identifier": value,
                "relation": "isDocumentedBy",
                "resource_type": "publication-softwaredocumentation",
            }
        ]
    if key == "applicationCategory":
        if not isinstance(value, str):
            raise ConversionError(field, "a category is a text")
        return {"identifier": value} if value in communities else None
    if key in roles:
        converted = dict(_agent(value, field))
        converted["type"] = contributor_type
        return [converted]
    if key == "license":
        return _license_id(value, field)
    if key == "citation":
        if not is_url(value):
            raise ConversionError(field, "a citation is a URL")
        return [value]
    if key == "funding":
        if not isinstance(value, str):
            raise ConversionError(field, "funding is a text (a grant id)")
        grant = value.strip()
        return [{"id": grant}] if grant else None
    if ctype == "Organization or Person":
        return [_agent(value, field)]
    if ctype in ("Text", "Text or URL", "Review"):
        if not isinstance(value, str):
            raise ConversionError(field, "this is a text")
        return value
    if ctype in ("Number or Text", "Integer or Text", "Number"):
        return str(value)
    if ctype == "Date":
        if not value:
            return None
        try:
            _dt.datetime.fromisoformat(value)
        except (TypeError, ValueError):
            raise ConversionError(field, "a date is in ISO 8601 form, e.g. 2024-05-31") from None
        return value
    if ctype == "Boolean":
        if not isinstance(value, bool):
            raise ConversionError(field, "this is true or false")
        return value
    if ctype in ("URL", "PropertyValue or URL", "CreativeWork or URL"):
        if not is_url(value):
            raise ConversionError(field, "this is a URL")
        return value
    raise ConversionError(field, f"values of type {ctype} cannot be converted")


def _convert(key, value, ctype, contributor_type, roles, field, communities):
    if isinstance(value, list):
        out = []
        for index, item in enumerate(value):
            converted = _convert(
                key, item, ctype, contributor_type, roles, f"{field}[{index}]", communities
            )
            if converted is None:
                continue
            out.extend(converted if isinstance(converted, list) else [converted])
        return out or None
    return _convert_one(key, value, ctype, contributor_type, roles, field, communities)


def check_header(codemeta: Any) -> str:
    """The CodeMeta version, after the checks eossr makes first (ConversionError otherwise)."""
    if not isinstance(codemeta, dict):
        raise ConversionError("", "codemeta.json holds a JSON object")
    if codemeta.get("@type") != "SoftwareSourceCode":
        raise ConversionError("@type", '@type must be "SoftwareSourceCode"')
    if "@context" not in codemeta:
        raise ConversionError("@context", f"@context is missing (use {CONTEXT})")
    try:
        return context_version(codemeta["@context"])
    except ValueError as err:
        raise ConversionError("@context", f"{err} (use {CONTEXT})") from None


def to_zenodo(codemeta: dict, *, communities: tuple[str, ...] = (), today: str | None = None):
    """Zenodo deposit metadata from codemeta, as eossr's ``codemeta2zenodo`` makes it.

    Raises ``ConversionError`` where eossr raises (see :func:`validate` for every problem at
    once). ``communities`` are the slugs that exist (eossr searches Zenodo for them)."""
    version = check_header(codemeta)
    if deep := _too_deep(codemeta):
        raise ConversionError(deep, f"{deep} nests deeper than {MAX_DEPTH} levels")
    rows = _rows(version)
    names = {r[0] for r in rows}
    for key in codemeta:
        if key not in ("@context", "@type") and key not in names:
            raise ConversionError(key, f"{key!r} is not a CodeMeta {version} property")
    for row in rows:
        if row[4] == "required" and row[0] not in codemeta:
            raise ConversionError(row[0], required_message(row[0]).rstrip("."))
    unnamed = _unnamed_required(version)
    if unnamed:
        raise ConversionError("@context", _unnamed_message(version, unnamed))
    for key in ("version", "softwareVersion"):
        if key in codemeta and not isinstance(codemeta[key], str):
            raise ConversionError(key, _NOT_TEXT_VERSION)
    roles = _contributor_roles(rows)
    zenodo: dict[str, Any] = {"upload_type": "software"}
    for key, value in codemeta.items():
        if key in ("@context", "@type"):
            continue
        row = _row_of(rows, key)
        _, ctype, zkey, contributor_type, _level = row
        if not zkey:
            continue
        converted = _convert(key, value, ctype, contributor_type, roles, key, communities)
        if zkey in zenodo:
            if not isinstance(zenodo[zkey], list):
                zenodo[zkey] = [zenodo[zkey]]
            if converted is None:
                pass
            elif isinstance(converted, list):
                zenodo[zkey].extend(converted)
            else:
                zenodo[zkey].append(converted)
        elif converted is not None:
            zenodo[zkey] = converted
    zenodo["access_right"] = "open"
    if isinstance(zenodo.get("version"), list):
        versions = zenodo["version"]
        if any(v != versions[0] for v in versions):
            raise ConversionError("version", "version and softwareVersion differ")
        zenodo["version"] = versions[0]
    for key, value in list(zenodo.items()):
        if isinstance(value, list):
            unique: list = []
            for item in value:
                if item not in unique:
                    unique.append(item)
            zenodo[key] = unique
    if "publication_date" not in zenodo:
        zenodo["publication_date"] = today or _dt.date.today().isoformat()
    return zenodo


def ossr_metadata(
    codemeta: dict, community: str | None, *, grant: bool = True, today: str | None = None
) -> dict:
    """What we send to Zenodo: the conversion, the community inclusion request and the grant."""
    zenodo = to_zenodo(codemeta, communities=(community,) if community else (), today=today)
    if community:
        listed = zenodo.get("communities")
        listed = listed if isinstance(listed, list) else [listed] if listed else []
        if {"identifier": community} not in listed:
            listed.append({"identifier": community})
        zenodo["communities"] = listed
    if grant:
        grants = zenodo.setdefault("grants", [])
        if {"id": ESCAPE_GRANT} not in grants:
            grants.append({"id": ESCAPE_GRANT})
    return zenodo


# ------------------------------------------------------------------ validation
MAX_DEPTH = 32  # codemeta nests a few levels (a person's affiliations); deeper is hostile


def _depth(value: Any) -> int:
    """How deeply lists and objects nest (iterative: a hostile document cannot exhaust the
    stack)."""
    deepest, todo = 0, [(value, 1)]
    while todo:
        item, level = todo.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            if level > MAX_DEPTH:
                return level
            todo.extend((v, level + 1) for v in (item.values() if isinstance(item, dict) else item))
    return deepest


def _too_deep(codemeta: dict) -> str | None:
    for key, value in codemeta.items():
        if _depth(value) > MAX_DEPTH - 1:
            return key
    return None


# How a missing property is named in a message: the publish form's fields by what the form
# calls them ("Version", "Repository", "Funding": the form shows the message under that field);
# every other property by its codemeta name (the form lists those as "not in this form: edit
# codemeta.json"). The problem's ``field`` always carries the codemeta name, so a REST or
# kernel client reads "softwareVersion: A version is required by the OSSR."
_FORM_NOUNS = {
    "name": "a title",
    "author": "a creator",
    "maintainer": "a maintainer",
    "description": "a description",
    "license": "a licence",
    "keywords": "keywords",
    "softwareVersion": "a version",
    "version": "a version",
    "codeRepository": "a repository URL",
    "readme": "a README URL",
    "citation": "references",
    "funding": "funding (grant ids)",
}


def required_message(name: str) -> str:
    """A missing required property: "A version is required by the OSSR." (the form shows it)
    or "datePublished is required by the OSSR." (it does not)."""
    noun = _FORM_NOUNS.get(name)
    return f"{noun[:1].upper() + noun[1:] if noun else name} is required by the OSSR."


def recommended_message(name: str) -> str:
    """A missing recommended property: "The OSSR recommends a repository URL."."""
    return f"The OSSR recommends {_FORM_NOUNS.get(name, name)}."


def validate(codemeta: Any, *, communities: tuple[str, ...] = ()) -> list[Problem]:
    """Every problem, by field: errors block the upload, warnings are what the OSSR asks for."""
    problems: list[Problem] = []
    if isinstance(codemeta, dict) and (deep := _too_deep(codemeta)):
        return [Problem(deep, "error", f"{deep} nests deeper than {MAX_DEPTH} levels.")]
    try:
        version = check_header(codemeta)
    except ConversionError as err:
        return [Problem(err.field, "error", err.message)]
    rows = _rows(version)
    names = {r[0] for r in rows}
    roles = _contributor_roles(rows)
    for key, value in codemeta.items():
        if key in ("@context", "@type"):
            continue
        row = _row_of(rows, key)
        if row is None:
            problems.append(Problem(key, "error", f"{key!r} is not a CodeMeta {version} property."))
            continue
        _, ctype, zkey, contributor_type, _ = row
        if not zkey:
            continue
        try:
            _convert(key, value, ctype, contributor_type, roles, key, communities)
        except ConversionError as err:
            problems.append(
                Problem(err.field, "error", err.message[:1].upper() + err.message[1:] + ".")
            )
    unnamed = _unnamed_required(version)
    if unnamed:
        problems.append(Problem("@context", "error", _unnamed_message(version, unnamed) + "."))
    for name, _t, _z, _c, level in rows:
        if name not in codemeta and level == "required":
            problems.append(Problem(name, "error", required_message(name)))
        elif name not in codemeta and level == "recommended":
            problems.append(Problem(name, "warning", recommended_message(name)))
    for key in ("version", "softwareVersion"):
        value = codemeta.get(key)
        if key in codemeta and not isinstance(value, str):
            problems.append(
                Problem(key, "error", _NOT_TEXT_VERSION[:1].upper() + _NOT_TEXT_VERSION[1:] + ".")
            )
        if isinstance(value, str) and not valid_semver(value):
            problems.append(
                Problem(key, "warning", f"{value!r} is not a semantic version (semver.org).")
            )
    if isinstance(codemeta.get("name"), str) and not codemeta["name"].strip():
        problems.append(Problem("name", "error", "The name (title) is empty."))
    if isinstance(codemeta.get("description"), str) and not codemeta["description"].strip():
        problems.append(Problem("description", "error", "The description is empty."))
    licenses = codemeta.get("license")
    for index, value in enumerate(licenses if isinstance(licenses, list) else [licenses]):
        field = f"license[{index}]" if isinstance(licenses, list) else "license"
        if is_url(value) and _license_id(value, field) == "other-closed":
            problems.append(
                Problem(
                    field,
                    "error",
                    f"{value} is not a licence the OSSR can redistribute: use an open licence "
                    f"({SPDX_URL}MIT, Apache-2.0, BSD-3-Clause, GPL-3.0-or-later, ...).",
                )
            )
    if "maintainer" in codemeta and "maintainer" in names:
        maintainers = codemeta["maintainer"]
        for index, m in enumerate(maintainers if isinstance(maintainers, list) else [maintainers]):
            if isinstance(m, dict) and not m.get("email"):
                field = f"maintainer[{index}]" if isinstance(maintainers, list) else "maintainer"
                problems.append(
                    Problem(
                        f"{field}.email", "warning", "The OSSR asks for the maintainer's email."
                    )
                )
    if not any(p.level == "error" for p in problems):
        try:
            to_zenodo(codemeta, communities=communities, today="2000-01-01")
        except ConversionError as err:  # anything the per-field pass did not see
            problems.append(Problem(err.field, "error", err.message))
    return problems


def blocking(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.level == "error"]


# ------------------------------------------------------------------ reading and generating
CODEMETA = "codemeta.json"
MAX_META_FILE = 256 * 1024


def _read_small(path: Path) -> str | None:
    """A small regular file's text (never through a link), else None."""
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > MAX_META_FILE:
            return None
        return path.read_text("utf-8", "replace")
    except OSError:
        return None


def _person_from_name(name: str, email: str | None = None) -> dict:
    parts = name.strip().split()
    person: dict[str, Any] = {"@type": "Person"}
    if len(parts) > 1:
        person["givenName"], person["familyName"] = " ".join(parts[:-1]), parts[-1]
    elif parts:
        person["familyName"] = parts[0]
    if email:
        person["email"] = email
    return person


_LICENSE_HINTS = (
    ("Apache License", "Apache-2.0"),
    ("MIT License", "MIT"),
    ("Permission is hereby granted, free of charge", "MIT"),
    ("BSD 3-Clause", "BSD-3-Clause"),
    ("Redistributions of source code must retain", "BSD-3-Clause"),
    ("GNU LESSER GENERAL PUBLIC LICENSE", "LGPL-3.0-or-later"),
    ("GNU GENERAL PUBLIC LICENSE\n                       Version 3", "GPL-3.0-or-later"),
    ("GNU GENERAL PUBLIC LICENSE", "GPL-3.0-or-later"),
    ("Mozilla Public License Version 2.0", "MPL-2.0"),
)


def _git_remote(folder: Path) -> str | None:
    """The ``origin`` URL of ``.git/config``, read only (never uploaded), as https."""
    text = _read_small(folder / ".git" / "config")
    if not text:
        return None
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error:
        return None
    url = parser.get('remote "origin"', "url", fallback="")
    match = re.match(r"^git@([\w.-]+):(.+?)(?:\.git)?$", url)
    if match:
        url = f"https://{match.group(1)}/{match.group(2)}"
    url = re.sub(r"\.git$", "", url)
    parsed = urlparse(url)
    if parsed.scheme not in ("https", "http") or not parsed.netloc:
        return None
    # never keep user info (a token in the URL)
    return f"{parsed.scheme}://{parsed.hostname}{parsed.path}"


def generate(folder: Path, today: str | None = None) -> dict:
    """A codemeta.json from what the folder holds: pyproject.toml / setup.cfg, CITATION.cff,
    the git remote, the licence file and the README. The user completes it in the form."""
    meta: dict[str, Any] = {"@context": CONTEXT, "@type": "SoftwareSourceCode"}
    authors: list[dict] = []
    keywords: list[str] = []
    pyproject = _read_small(folder / "pyproject.toml")
    if pyproject:
        try:
            project = tomllib.loads(pyproject).get("project", {})
        except tomllib.TOMLDecodeError:
            project = {}
        if isinstance(project.get("name"), str):
            meta["name"] = project["name"]
        if isinstance(project.get("description"), str):
            meta["description"] = project["description"]
        if isinstance(project.get("version"), str):
            meta["softwareVersion"] = project["version"]
        for person in project.get("authors") or []:
            if isinstance(person, dict) and isinstance(person.get("name"), str):
                authors.append(_person_from_name(person["name"], person.get("email")))
        keywords += [k for k in project.get("keywords") or [] if isinstance(k, str)]
        urls = project.get("urls") or {}
        for key, value in urls.items() if isinstance(urls, dict) else ():
            low = key.lower()
            if low in ("repository", "source", "source code") and is_url(value):
                meta.setdefault("codeRepository", value)
            elif low in ("issues", "bug tracker", "tracker") and is_url(value):
                meta.setdefault("issueTracker", value)
    setup_cfg = _read_small(folder / "setup.cfg")
    if setup_cfg:
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read_string(setup_cfg)
            section = parser["metadata"] if parser.has_section("metadata") else {}
        except configparser.Error:
            section = {}
        meta.setdefault("name", section.get("name")) if section.get("name") else None
        if section.get("description"):
            meta.setdefault("description", section["description"])
        if section.get("version") and not section["version"].startswith("attr:"):
            meta.setdefault("softwareVersion", section["version"])
        if section.get("author") and not authors:
            authors.append(_person_from_name(section["author"], section.get("author_email")))
        if section.get("url") and is_url(section["url"]):
            meta.setdefault("codeRepository", section["url"])
    cff = _read_small(folder / "CITATION.cff")
    if cff:
        _from_cff(cff, meta, authors, keywords)
    remote = _git_remote(folder)
    if remote:
        meta.setdefault("codeRepository", remote)
        if "github.com" in remote or "gitlab" in remote:
            meta.setdefault("issueTracker", remote.rstrip("/") + "/issues")
    for name in ("LICENSE", "LICENSE.txt", "LICENSE.md", "COPYING", "LICENCE"):
        text = _read_small(folder / name)
        if text:
            for hint, spdx in _LICENSE_HINTS:
                if hint in text:
                    meta.setdefault("license", SPDX_URL + spdx)
                    break
            break
    for name in ("README.md", "README.rst", "README.txt", "README"):
        text = _read_small(folder / name)
        if text:
            for line in text.splitlines():
                title = line.strip().lstrip("#").strip()
                if title and not set(title) <= set("=-~*"):
                    meta.setdefault("name", title)
                    break
            if "codeRepository" in meta and "github.com" in meta["codeRepository"]:
                meta["readme"] = f"{meta['codeRepository'].rstrip('/')}/blob/main/{name}"
            elif "codeRepository" in meta:
                meta["readme"] = f"{meta['codeRepository'].rstrip('/')}/-/blob/main/{name}"
            break
    meta.setdefault("name", folder.name)
    if authors:
        meta["author"] = authors
        first = dict(authors[0])
        meta.setdefault("maintainer", first)
    if keywords:
        meta["keywords"] = list(dict.fromkeys(keywords))
    meta.setdefault("datePublished", today or _dt.date.today().isoformat())
    return meta


def _from_cff(text: str, meta: dict, authors: list[dict], keywords: list[str]) -> None:
    """The few CITATION.cff keys we need, read line by line (no YAML loader: bounded, no
    aliases)."""
    current: dict | None = None
    section = None
    for raw in text.splitlines()[:2000]:
        line = raw.rstrip()
        top = re.match(r"^([A-Za-z-]+):\s*(.*)$", line)
        if top:
            section, value = top.group(1), top.group(2).strip().strip("\"'")
            current = None
            if section == "title" and value:
                meta.setdefault("name", value)
            elif section == "version" and value:
                meta.setdefault("softwareVersion", value)
            elif section == "abstract" and value:
                meta.setdefault("description", value)
            elif section == "repository-code" and is_url(value):
                meta.setdefault("codeRepository", value)
            elif section == "license" and value:
                meta.setdefault("license", SPDX_URL + value)
            elif section == "date-released" and value:
                meta.setdefault("datePublished", value)
            continue
        item = re.match(r"^\s*-\s*(?:([A-Za-z-]+):\s*(.*))?$", line)
        if section == "authors" and item:
            current = {"@type": "Person"}
            authors.append(current)
            if item.group(1):
                _cff_author_field(current, item.group(1), item.group(2))
            continue
        if section == "keywords" and item and not item.group(1):
            word = line.strip()[1:].strip().strip("\"'")
            if word:
                keywords.append(word)
            continue
        field = re.match(r"^\s+([A-Za-z-]+):\s*(.*)$", line)
        if section == "authors" and current is not None and field:
            _cff_author_field(current, field.group(1), field.group(2))


def _cff_author_field(person: dict, key: str, value: str) -> None:
    value = value.strip().strip("\"'")
    if key == "given-names":
        person["givenName"] = value
    elif key == "family-names":
        person["familyName"] = value
    elif key == "orcid":
        person["@id"] = value
    elif key == "email":
        person["email"] = value
    elif key == "affiliation":
        person["affiliation"] = {"@type": "Organization", "name": value}


def read(folder: Path) -> tuple[dict | None, str | None]:
    """(codemeta, problem): the folder's codemeta.json, or None and why it is not usable."""
    path = folder / CODEMETA
    text = _read_small(path)
    if text is None:
        if path.is_symlink():
            return None, "codemeta.json is a link: it was not read (a link may leave the folder)."
        if path.is_file():
            return None, (
                f"codemeta.json is larger than {MAX_META_FILE // 1024} KiB: it was not read; "
                "a new one was generated from the folder."
            )
        return None, None
    try:
        data = json.loads(text)
    except RecursionError:
        return None, "codemeta.json nests too deeply to be read."
    except ValueError as err:
        return None, f"codemeta.json is not valid JSON ({err})."
    if _depth(data) > MAX_DEPTH:
        return None, f"codemeta.json nests deeper than {MAX_DEPTH} levels: it was not read."
    if not isinstance(data, dict):
        return None, "codemeta.json does not hold a JSON object."
    return data, None
