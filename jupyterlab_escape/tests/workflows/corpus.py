"""A corpus of analyses covering every REANA engine and reana.yaml feature, for the differential
test against reana-client 0.9.6 (test_differential.py) and the engine tests.

Each case: files to write, the start-time parameters (``-p``) and operational options (``-o``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Case:
    name: str
    engine: str
    files: dict[str, str]
    parameters: dict[str, str] = field(default_factory=dict)
    options: dict[str, str] = field(default_factory=dict)
    # reana-client 0.9.6 cannot submit this case (why); the expected bodies are built by hand
    reference_fails: str = ""

    def write(self, folder: Path) -> Path:
        for rel, text in self.files.items():
            target = folder / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
        return folder


SERIAL = Case(
    "serial-parameters-options",
    "serial",
    {
        "reana.yaml": """\
version: 0.9.0
inputs:
  files:
    - code/fit.py
    - data/events.csv
  directories:
    - lib
  parameters:
    events: 100
    model: gauss
  options:
    CACHE: "off"
workflow:
  type: serial
  resources:
    cvmfs:
      - sft.cern.ch
  specification:
    steps:
      - name: fit
        environment: docker.io/library/python:3.12-slim
        compute_backend: kubernetes
        kubernetes_memory_limit: 2Gi
        kubernetes_job_timeout: 3600
        commands:
          - python code/fit.py --events ${events} --model ${model}
      - name: plot
        environment: docker.io/library/python:3.12-slim
        voms_proxy: true
        rucio: true
        commands:
          - python code/fit.py --plot
outputs:
  files:
    - results/fit.json
  directories:
    - plots
workspace:
  root_path: /var/reana/users
  retention_days:
    "data/*": 1
""",
        "code/fit.py": "print('fit')\n",
        "data/events.csv": "a,b\n1,2\n",
        "lib/util.py": "X = 1\n",
        "lib/sub/deep.txt": "deep\n",
    },
    parameters={"events": "5"},
    options={"CACHE": "off", "TARGET": "fit"},
)

SERIAL_FILE = Case(
    "serial-workflow-file",
    "serial",
    {
        "reana.yaml": """\
version: "0.9.0"
inputs:
  files: [steps.json]
  parameters:
    n: 1
workflow:
  type: serial
  file: steps.json
""",
        "steps.json": json.dumps(
            {"steps": [{"name": "s", "environment": "busybox", "commands": ["echo ${n}"]}]}
        ),
    },
    parameters={"n": "2"},
    reference_fails="reana-client 0.9.6 fails on every serial workflow.file: serial_load calls "
    "check_htcondor_max_runtime(None) before it reads the file ('NoneType' object is not "
    "subscriptable); we send what it means to send: the file's JSON as workflow.specification",
)

YADAGE = Case(
    "yadage-spec-file",
    "yadage",
    {
        "reana.yaml": """\
version: 0.9.0
inputs:
  directories:
    - workflow
  parameters:
    events: 20
    gendata_step: "../../code/gendata.C"
workflow:
  type: yadage
  file: workflow/workflow.yaml
outputs:
  files:
    - fitdata/plot.png
""",
        "workflow/workflow.yaml": """\
stages:
  - name: gendata
    dependencies: [init]
    scheduler:
      scheduler_type: singlestep-stage
      parameters:
        events: {step: init, output: events}
        outfilename: '{workdir}/data.root'
      step: {$ref: 'workflow/steps.yaml#/gendata'}
  - name: fitdata
    dependencies: [gendata]
    scheduler:
      scheduler_type: singlestep-stage
      parameters:
        data: {step: gendata, output: data}
        outfile: '{workdir}/plot.png'
      step: {$ref: 'workflow/steps.yaml#/fitdata'}
""",
        "workflow/steps.yaml": """\
gendata:
  process:
    process_type: 'interpolated-script-cmd'
    script: root -b -q 'gendata.C({events},"{outfilename}")'
  publisher:
    publisher_type: 'frompar-pub'
    outputmap:
      data: outfilename
  environment:
    environment_type: 'docker-encapsulated'
    image: 'docker.io/reanahub/reana-env-root6'
    imagetag: '6.18.04'
    resources:
      - compute_backend: kubernetes
fitdata:
  process:
    process_type: 'interpolated-script-cmd'
    script: root -b -q 'fitdata.C("{data}","{outfile}")'
  publisher:
    publisher_type: 'frompar-pub'
    outputmap:
      plot: outfile
  environment:
    environment_type: 'docker-encapsulated'
    image: 'docker.io/reanahub/reana-env-root6'
    imagetag: '6.18.04'
""",
    },
    parameters={"events": "30"},
    options={"initdir": "workdir"},
)

SNAKEMAKE = Case(
    "snakemake-parameters-file",
    "snakemake",
    {
        "reana.yaml": """\
version: 0.9.0
inputs:
  files:
    - Snakefile
    - code/count.py
  parameters:
    input: config.yaml
workflow:
  type: snakemake
  file: Snakefile
  resources:
    kerberos: false
outputs:
  files:
    - results/count.txt
""",
        "config.yaml": "events: 20\nlabel: run-a\n",
        "Snakefile": """\
rule all:
    input:
        "results/count.txt"

rule count:
    input:
        script="code/count.py"
    output:
        "results/count.txt"
    params:
        events=config["events"],
        label=config["label"]
    container:
        "docker://docker.io/library/python:3.12-slim"
    resources:
        compute_backend="kubernetes",
        kubernetes_memory_limit="256Mi"
    shell:
        "mkdir -p results && python {input.script} {params.events} {params.label} > {output}"
""",
        "code/count.py": "import sys\nprint(sys.argv[1:])\n",
    },
    options={"report": "report.html"},
)

CWL = Case(
    "cwl-inputs-file",
    "cwl",
    {
        "reana.yaml": """\
version: 0.9.0
inputs:
  files:
    - code/hello.py
    - workflow/main.cwl
    - workflow/hello.cwl
  parameters:
    input: workflow/inputs.yaml
workflow:
  type: cwl
  file: workflow/main.cwl
outputs:
  files:
    - greeting.txt
""",
        "workflow/inputs.yaml": (
            "script:\n  class: File\n  location: ../code/hello.py\nwho: world\n"
        ),
        "workflow/main.cwl": """\
cwlVersion: v1.0
class: Workflow
inputs:
  script: File
  who: string
outputs:
  greeting:
    type: File
    outputSource: hello/out
steps:
  hello:
    hints:
      reana:
        compute_backend: kubernetes
    run: hello.cwl
    in:
      script: script
      who: who
    out: [out]
""",
        "workflow/hello.cwl": """\
cwlVersion: v1.0
class: CommandLineTool
baseCommand: python
hints:
  DockerRequirement:
    dockerPull: docker.io/library/python:3.12-slim
inputs:
  script:
    type: File
    inputBinding: {position: 1}
  who:
    type: string
    inputBinding: {position: 2}
stdout: greeting.txt
outputs:
  out:
    type: stdout
""",
        "code/hello.py": "import sys\nprint('hello', sys.argv[1])\n",
    },
    options={"TARGET": "greeting"},
)

DIRECTORIES = Case(
    "directories-dot-and-ignore-files",
    "serial",
    {
        "reana.yaml": """\
version: 0.9.0
inputs:
  directories:
    - .
  parameters:
    x: 1
workflow:
  type: serial
  specification:
    steps:
      - environment: busybox
        commands: [ls -R]
""",
        "code/a.py": "print('a')\n",
        "code/b.log": "ignored by .gitignore\n",
        "tmp/scratch.txt": "ignored by .reanaignore\n",
        "data/keep.txt": "kept\n",
        ".gitignore": "*.log\n",
        ".reanaignore": "tmp/\n",
    },
)

CORPUS = [SERIAL, SERIAL_FILE, YADAGE, SNAKEMAKE, CWL, DIRECTORIES]
