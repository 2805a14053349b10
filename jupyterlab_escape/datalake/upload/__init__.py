"""Upload to the Data Lake: workspace files and folders into Rucio, on the shared job system.
What ``rucio upload --register-after-upload`` does, in parallel and visibly.

Order of the calls for each file (chosen so that a crash can never leave a replica registered
without its bytes, and so that a plain account can do it: ``update_replicas_states`` is an admin
right in every permission policy, so Rucio's default register-first order fails for users):

1. plan (before anything starts): workspace rules on every path, Rucio's name rules, the scope,
   the RSE's write protocol, the ``add_replicas`` permission, the quota, name clashes;
2. the PFN from Rucio (``GET /rses/{rse}/lfns2pfns``, operation write), never computed here;
3. PUT to a temporary name beside the PFN, adler32 and md5 computed on the bytes as they are sent;
4. verify: files up to ``READBACK_MAX`` are read back (size, adler32 and md5 compared), larger
   ones by the size the storage reports (PROPFIND); MOVE to the final PFN, PROPFIND there;
5. register (``POST /replicas``, state A: it creates the file DID with its size, adler32, md5
   and a GUID), in batches; then metadata (``POST /dids/bulkdidsmeta``) and attachment to the
   dataset (``POST /dids/attachments``); a registration Rucio refuses deletes the bytes;
6. when every file is settled: the container attachment and the replication rule.

A file already registered with the same adler32 is skipped (or, when the RSE has no replica of
it yet, sent and registered as a new replica of the existing DID); the same name with other
bytes fails with a clear message. Cancel and a server stop (the job is ``interrupted``) both
delete the temporary files and the bytes of files not yet registered, after waiting for a
registration under way (its answer decides which bytes are registered). A process killed
outright cannot tidy: ``retry`` deletes a temporary file left on the storage before it sends the
file again; files already registered are not sent again.

Modules, each one job: ``rules`` (names, the request, the selection of files), ``state`` (the
persisted job state), ``planner`` (the plan and its problems), ``send`` (transfer and
verification of one file), ``register`` (replicas, metadata, attachments, rule), ``runner`` (the
job). Imports go one way: rules <- state <- planner/send <- register <- runner.
"""

from .rules import DID_COLUMNS, NAME_MAX, NAME_RE, READBACK_MAX, WRITE_SCHEMES, UploadRequest
from .runner import KIND, UploadRunner

__all__ = [
    "DID_COLUMNS",
    "KIND",
    "NAME_MAX",
    "NAME_RE",
    "READBACK_MAX",
    "WRITE_SCHEMES",
    "UploadRequest",
    "UploadRunner",
]
