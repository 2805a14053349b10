"""Snapshot / restore helpers of the Rucio testbed (stdlib only; run by `testbed`).

    state.py copy-db SRC DST      consistent SQLite copy (backup API; DST may be open elsewhere)
    state.py snapshot STATE_DIR   seeded DB -> db/seeded.sqlite; storage/ -> pristine/ (hard links)
    state.py reset STATE_DIR      restore db/seeded.sqlite into the live DB, storage/ from pristine/
    state.py describe STATE_DIR   one-line summary of the seed data

The live storage tree is a hard-link farm of pristine/: a reset removes every file whose inode
is not the pristine one (new or replaced files) and re-links missing ones, so it costs a directory
walk, not a copy of the bytes. A file modified *in place* would change the pristine copy too; the
reset detects that (size/mtime recorded at snapshot time) and exits 3, and `testbed` re-seeds.
"""

import json
import os
import shutil
import sqlite3
import sys
import time

EXIT_PRISTINE_DAMAGED = 3


def copy_db(src: str, dst: str) -> None:
    """Copy an SQLite DB with the online backup API.

    Safe while the gunicorn servers keep the destination open: SQLite locks it and the other
    connections see the new content on their next transaction.
    """
    if not os.path.exists(dst):
        for suffix in ("-journal", "-wal", "-shm"):
            if os.path.exists(dst + suffix):
                os.unlink(dst + suffix)
    source = sqlite3.connect(src, timeout=60)
    target = sqlite3.connect(dst, timeout=60)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def _walk_files(root: str):
    """Yield (relative path, os.stat_result) for every non-directory entry below root."""
    stack = [""]
    while stack:
        rel_dir = stack.pop()
        try:
            entries = list(os.scandir(os.path.join(root, rel_dir)))
        except FileNotFoundError:
            continue
        for entry in entries:
            rel = os.path.join(rel_dir, entry.name) if rel_dir else entry.name
            if entry.is_dir(follow_symlinks=False):
                stack.append(rel)
            else:
                yield rel, entry.stat(follow_symlinks=False)


def snapshot(state_dir: str) -> None:
    t0 = time.monotonic()
    db_dir = os.path.join(state_dir, "db")
    copy_db(os.path.join(db_dir, "rucio.db"), os.path.join(db_dir, "seeded.sqlite.tmp"))
    os.replace(os.path.join(db_dir, "seeded.sqlite.tmp"), os.path.join(db_dir, "seeded.sqlite"))

    storage = os.path.join(state_dir, "storage")
    pristine = os.path.join(state_dir, "pristine")
    shutil.rmtree(pristine, ignore_errors=True)
    manifest = {}
    for rel, st in _walk_files(storage):
        target = os.path.join(pristine, rel)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        os.link(os.path.join(storage, rel), target)
        manifest[rel] = [st.st_size, st.st_mtime_ns, st.st_ino]
    with open(os.path.join(state_dir, "state", "pristine.json.tmp"), "w") as fh:
        json.dump(manifest, fh, separators=(",", ":"))
    os.replace(
        os.path.join(state_dir, "state", "pristine.json.tmp"),
        os.path.join(state_dir, "state", "pristine.json"),
    )
    print(
        f"[testbed] snapshot: {len(manifest)} files linked, DB copied "
        f"in {time.monotonic() - t0:.1f} s",
        file=sys.stderr,
    )


def reset(state_dir: str) -> int:
    t0 = time.monotonic()
    storage = os.path.join(state_dir, "storage")
    pristine = os.path.join(state_dir, "pristine")
    with open(os.path.join(state_dir, "state", "pristine.json")) as fh:
        manifest = json.load(fh)

    for rel, (size, mtime_ns, _ino) in manifest.items():
        try:
            st = os.stat(os.path.join(pristine, rel))
        except FileNotFoundError:
            print(f"[testbed] pristine file missing: {rel}", file=sys.stderr)
            return EXIT_PRISTINE_DAMAGED
        if st.st_size != size or st.st_mtime_ns != mtime_ns:
            print(f"[testbed] pristine file modified in place: {rel}", file=sys.stderr)
            return EXIT_PRISTINE_DAMAGED

    db_dir = os.path.join(state_dir, "db")
    copy_db(os.path.join(db_dir, "seeded.sqlite"), os.path.join(db_dir, "rucio.db"))

    removed = relinked = 0
    for rel, st in list(_walk_files(storage)):
        entry = manifest.get(rel)
        if entry is None or st.st_ino != entry[2]:
            os.unlink(os.path.join(storage, rel))
            removed += 1
    # drop directories created after the snapshot (deepest first); an RSE's own root (a folder
    # right under storage/) always stays, even empty: WebDAV writers check it exists (HEAD).
    for dirpath, dirnames, filenames in os.walk(storage, topdown=False):
        if dirpath != storage and not dirnames and not filenames and not os.listdir(dirpath):
            rel = os.path.relpath(dirpath, storage)
            if os.path.dirname(rel) and not os.path.isdir(os.path.join(pristine, rel)):
                os.rmdir(dirpath)
    for rel in manifest:
        live = os.path.join(storage, rel)
        if not os.path.lexists(live):
            os.makedirs(os.path.dirname(live), exist_ok=True)
            os.link(os.path.join(pristine, rel), live)
            relinked += 1
    print(
        f"[testbed] reset: DB restored, {removed} files removed, {relinked} re-linked "
        f"in {time.monotonic() - t0:.2f} s",
        file=sys.stderr,
    )
    return 0


def describe(state_dir: str) -> None:
    with open(os.path.join(state_dir, "state", "seed.json")) as fh:
        seed = json.load(fh)
    big = seed.get("big_scope") or "not seeded (ESCAPE_TESTBED_BIG=1 testbed setup)"
    totals = seed["totals"]
    lines = [
        f"seed         scopes {', '.join(seed['scopes'])}; big scope: {big}",
        (
            f"             {totals['dids']} DIDs, {totals['bytes'] / 1e6:.0f} MB of replicas, "
            f"seeded in {totals['seconds']:.1f} s; data sets by role:"
        ),
    ]
    for key, value in sorted(seed.get("datasets", {}).items()):
        did = value["did"] if len(value["did"]) <= 90 else value["did"][:87] + "..."
        lines.append(f"             {key:28} {did}")
    try:
        print("\n".join(lines))
    except BrokenPipeError:  # `testbed status | head`
        sys.stderr.close()


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    cmd, args = argv[1], argv[2:]
    if cmd == "copy-db" and len(args) == 2:
        copy_db(*args)
        return 0
    if cmd == "snapshot" and len(args) == 1:
        snapshot(args[0])
        return 0
    if cmd == "reset" and len(args) == 1:
        return reset(args[0])
    if cmd == "describe" and len(args) == 1:
        describe(args[0])
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
