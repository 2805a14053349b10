"""The real eossr uploads a directory to the Zenodo stand-in and publishes it; a second run makes a
new version. The stand-in records anything outside Zenodo's deposit contract in ``violations``:
eossr, the reference client, must leave it empty (our client is held to the same list in
test_publish.py and test_publish_hostile.py)."""

from __future__ import annotations

import json
import zipfile
from io import BytesIO

from testbed.zenodo.pytest_plugin import eossr_python, run_eossr  # noqa: F401  (fixture)

from .test_codemeta_eossr import FULL

TOKEN = "standin-zenodo-token"


def make_repo(root, version="1.2.0"):
    repo = root / "gammaflow"
    (repo / "src").mkdir(parents=True, exist_ok=True)
    (repo / "src" / "flow.py").write_text(f"VERSION = {version!r}\n")
    (repo / "README.md").write_text("# gammaflow\n")
    codemeta = dict(FULL, softwareVersion=version, version=version)
    # eossr 2.3.1 converts applicationCategory "escape2020" to a single community object, then its
    # --add-escape2020 iterates over it as a list and fails (TypeError): a bug of the reference,
    # so the community comes from --add-escape2020 alone here. Our ossr_metadata() takes both.
    del codemeta["applicationCategory"]
    (repo / "codemeta.json").write_text(json.dumps(codemeta))
    return repo


async def test_eossr_uploads_and_publishes_then_makes_a_new_version(
    eossr_python,  # noqa: F811
    zenodo_standin,
    tmp_path,
):
    deposits = zenodo_standin.state.deposits
    repo = make_repo(tmp_path)
    args = ["-t", TOKEN, "-i", str(repo), "--add-escape2020"]
    code, out, err = await run_eossr(
        eossr_python, "upload", "--zenodo", zenodo_standin.url, "--", *args
    )
    assert code == 0, out + err
    assert deposits.violations == [], deposits.violations
    assert deposits.rejected == [], deposits.rejected
    (first,) = deposits.depositions.values()
    assert first.submitted and first.state == "done" and first.owner == "alice"
    assert [f.key for f in first.files] == ["gammaflow.zip"]
    members = zipfile.ZipFile(BytesIO(first.files[0].content)).namelist()
    assert sorted(m.split("/", 1)[-1] for m in members if not m.endswith("/")) == [
        "README.md",
        "codemeta.json",
        "src/flow.py",
    ]
    metadata = first.metadata
    assert metadata["title"] == "gammaflow" and metadata["version"] == "1.2.0"
    assert {"identifier": "escape2020"} in metadata["communities"]
    assert {"id": "10.13039/501100000780::824064"} in metadata["grants"]
    assert str(first.id) in zenodo_standin.state.by_id  # published: a record of the records API
    assert [r.community for r in deposits.requests.values()] == ["escape2020"]

    # a new version of that record, as eossr's CI use does it
    newer = make_repo(tmp_path, version="1.3.0")
    args = ["-t", TOKEN, "-i", str(newer), "-id", str(first.id), "--add-escape2020"]
    code, out, err = await run_eossr(
        eossr_python, "upload", "--zenodo", zenodo_standin.url, "--", *args
    )
    assert code == 0, out + err
    assert deposits.violations == [], deposits.violations
    second = next(d for d in deposits.depositions.values() if d.id != first.id)
    assert second.concept == first.concept and second.submitted
    assert second.metadata["version"] == "1.3.0"
    assert [f.key for f in second.files] == ["gammaflow.zip"]  # the old files were deleted
    assert b"1.3.0" in zipfile.ZipFile(BytesIO(second.files[0].content)).read(
        next(
            n
            for n in zipfile.ZipFile(BytesIO(second.files[0].content)).namelist()
            if n.endswith("flow.py")
        )
    )
