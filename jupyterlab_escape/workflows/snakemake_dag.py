"""Run by ``EscapeReana.snakemake_python`` (a Python with snakemake 7); never imported by
the server.

    python snakemake_dag.py SNAKEFILE [CONFIGFILE]

In the spec's folder: a dry run of SNAKEFILE with CONFIGFILE as its config file (what
``reana-client validate`` does), then the job DAG in the shape reana-commons 0.9 sends as
``workflow.specification``, printed as one JSON line. Errors go to stderr, exit status 2.
"""

import json
import os
import sys


def main(snakefile, configfile):
    from snakemake import snakemake
    from snakemake.dag import DAG
    from snakemake.io import load_configfile
    from snakemake.persistence import Persistence
    from snakemake.workflow import Workflow

    configfiles = [configfile] if configfile else []
    if not snakemake(snakefile=snakefile, configfiles=configfiles, dryrun=True, quiet=True):
        print("Snakemake specification is invalid.", file=sys.stderr)
        return 2
    overwrite = {}
    for name in configfiles:
        overwrite.update(load_configfile(name))
    workflow = Workflow(
        snakefile=snakefile,
        overwrite_configfiles=[os.path.abspath(f) for f in configfiles],
        overwrite_config=overwrite,
    )
    workflow.include(snakefile=snakefile, overwrite_default_target=True)
    workflow.check()
    targets = [workflow.default_target] if workflow.default_target is not None else []
    rules = {workflow._rules[t] for t in targets if workflow.is_rule(t)}
    files = {
        t if os.path.isabs(t) or t.startswith("root://") else os.path.relpath(t)
        for t in targets
        if not workflow.is_rule(t)
    }
    dag = DAG(
        workflow,
        workflow.rules,
        targetrules=rules,
        targetfiles=files,
        omitfiles=set(),
        omitrules=set(),
    )
    workflow._persistence = Persistence(dag=dag)
    dag.init()
    dag.update_checkpoint_dependencies()
    dag.check_dynamic()
    spec = {
        "job_dependencies": {
            str(job): [str(d) for d in deps.keys()] for job, deps in dag.dependencies.items()
        },
        "steps": [
            {
                "name": rule.name,
                "environment": (rule._container_img or "").replace("docker://", ""),
                "inputs": dict(rule._input),
                "params": dict(rule._params),
                "outputs": dict(rule._output),
                "commands": [rule.shellcmd],
                "compute_backend": rule.resources.get("compute_backend"),
                "kubernetes_memory_limit": rule.resources.get("kubernetes_memory_limit"),
                "kubernetes_uid": rule.resources.get("kubernetes_uid"),
            }
            for rule in dag.rules
            if not rule.norun
        ],
    }
    sys.stdout.write("\n" + json.dumps(spec, default=str) + "\n")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else ""))
    except Exception as error:  # the engine's message is the point
        print(f"{type(error).__name__}: {error}", file=sys.stderr)
        sys.exit(2)
