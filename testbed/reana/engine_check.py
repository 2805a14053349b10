"""Run by the stand-in with its engine venv's Python (testbed/.run/reana/client-venv, built by
``standin setup``: reana-client pulls snakemake 7, yadage and cwltool): check a started workflow
statically with the real engine, given what REANA's workflow controller hands it.

    python engine_check.py ENGINE WORKSPACE SPEC_JSON PARAMETERS_JSON OPTIONS_JSON

Exit 0 when the engine accepts it; otherwise the engine's message on stderr, exit 1.
"""

import json
import os
import subprocess
import sys


def main(engine, workspace, spec_file, params_file, options_file):
    spec = json.load(open(spec_file))
    parameters = json.load(open(params_file))
    options = json.load(open(options_file))
    workflow = spec.get("workflow") or {}
    if engine == "snakemake":
        # reana-workflow-engine-snakemake: snakemake(snakefile=<workspace>/<file>,
        # config=<parameters>, workdir=<workspace>): the parameters dict is the only config.
        from snakemake import snakemake

        ok = snakemake(
            snakefile=os.path.join(workspace, workflow.get("file") or "Snakefile"),
            config=parameters,
            workdir=workspace,
            dryrun=True,
            quiet=True,
        )
        return 0 if ok else 1
    if engine == "yadage":
        # reana-server at start: yadage_load_from_workspace(workspace, file, toplevel).
        import yadageschemas

        toplevel = options.get("toplevel") or ""
        yadageschemas.load(
            spec=workflow.get("file"),
            toplevel=os.path.join(workspace, toplevel),
            schema_name="yadage/workflow-schema",
            schemadir=yadageschemas.schemadir,
            validate=True,
        )
        return 0
    if engine == "cwl":
        packed = os.path.join(os.path.dirname(spec_file), "packed.cwl")
        with open(packed, "w") as handle:
            json.dump(workflow.get("specification") or {}, handle)
        cwltool = os.path.join(os.path.dirname(sys.executable), "cwltool")
        result = subprocess.run(
            [cwltool, "--quiet", "--validate", packed],
            cwd=workspace,
            capture_output=True,
            text=True,
        )
        sys.stderr.write(result.stderr + result.stdout if result.returncode else "")
        return result.returncode
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(*sys.argv[1:6]))
    except Exception as error:
        print(f"{type(error).__name__}: {error}", file=sys.stderr)
        sys.exit(1)
