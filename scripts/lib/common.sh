# Shared setup of scripts/demo and scripts/test: idempotent, from a fresh machine of this kind
# (Python 3.11, Node 20 + npm, Debian packages). Source it; do not run it.

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="$REPO/.venv"
RUN_DIR="$REPO/.run"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Debian packages, with their recommends (as on the machines this was tested on); installing
# nginx must not start the distribution's service on port 80.
ensure_debian_packages() {
  local want=("$@") missing=() pkg
  for pkg in "${want[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  ((${#missing[@]})) || return 0
  [[ $EUID -eq 0 ]] || die "missing Debian packages: ${missing[*]} (run: sudo apt-get install ${missing[*]})"
  step "apt-get install ${missing[*]}"
  local policy=/usr/sbin/policy-rc.d created=0
  if [[ ! -e $policy ]]; then printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod 755 "$policy"; created=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  local rc=$?
  ((created)) && rm -f "$policy"
  ((rc == 0)) || die "apt-get install ${missing[*]} failed"
}

stamp_of() { cat "$@" 2>/dev/null | sha256sum | cut -c1-16; }

# node_modules from the lockfile, reinstalled only when the lockfile changes.
ensure_node_modules() {  # dir
  local dir="$1" stamp want
  stamp="$dir/node_modules/.escape-stamp"
  want="$(stamp_of "$dir/package.json" "$dir/package-lock.json")"
  [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]] && return 0
  # npm install, not npm ci: the registry lacks some platform-only optional packages (rspack's
  # darwin bindings), which npm ci counts as a lockfile mismatch. The lockfile still pins versions.
  step "npm install in ${dir#"$REPO"/}"
  local lock_before
  lock_before="$(stamp_of "$dir/package-lock.json")"
  (cd "$dir" && npm install --no-audit --no-fund --loglevel=error) || die "npm install failed in $dir"
  # A fresh machine must not modify a tracked file: a lockfile npm rewrites is a lockfile to commit.
  [[ "$(stamp_of "$dir/package-lock.json")" == "$lock_before" ]] ||
    die "npm install rewrote ${dir#"$REPO"/}/package-lock.json: commit the rewritten lockfile"
  echo "$want" >"$stamp"
}

# .venv with the package installed in development mode, with its test extras.
ensure_venv() {
  [[ -x "$VENV/bin/python" ]] || { step "python3 -m venv .venv"; python3 -m venv "$VENV" || die "venv failed"; }
  export PATH="$VENV/bin:$PATH"
  local stamp="$VENV/.escape-stamp" want
  want="$(stamp_of "$REPO/pyproject.toml" "$REPO/package.json")"
  if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
    step "pip install -e .[test]"
    "$VENV/bin/python" -m pip install -q --upgrade pip >/dev/null
    (cd "$REPO" && "$VENV/bin/python" -m pip install -q -e ".[test]") || die "pip install failed"
    (cd "$REPO" && "$VENV/bin/jupyter-builder" develop --overwrite . >/dev/null) ||
      die "jupyter-builder develop failed"
    echo "$want" >"$stamp"
  fi
}

# What the labextension is built from: sources (not their tests), styles, settings schemas, the
# package and build configuration. The same stamp means the built labextension is current.
frontend_stamp() {
  (
    cd "$REPO" &&
      find src style schema -type f ! -path '*/__tests__/*' ! -name '*.spec.ts' ! -name '*.spec.tsx' \
        -print0 | sort -z | xargs -0 sha256sum &&
      sha256sum package.json package-lock.json tsconfig.json
  ) | sha256sum | cut -c1-16
}

# The labextension, built only when its sources changed since the last build made here.
build_frontend() {
  local stamp="$RUN_DIR/labextension.stamp" want
  want="$(frontend_stamp)"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" &&
    -f "$REPO/jupyterlab_escape/labextension/static/style.js" &&
    -f "$REPO/jupyterlab_escape/labextension/package.json" ]]; then
    step "labextension up to date (sources unchanged since its build)"
    return 0
  fi
  step "build the labextension (npm run build)"
  rm -f "$stamp"
  (cd "$REPO" && npm run --silent build >/dev/null) || die "frontend build failed"
  echo "$want" >"$stamp"
}

setup_project() {
  ensure_node_modules "$REPO"
  ensure_venv
  build_frontend
}

# The real Rucio testbed (testbed/rucio): built once, started if down.
ensure_rucio_testbed() {
  step "Rucio testbed (testbed/rucio/testbed setup)"
  "$REPO/testbed/rucio/testbed" setup >"$RUN_DIR/testbed-setup.log" 2>&1 ||
    { tail -30 "$RUN_DIR/testbed-setup.log"; die "testbed setup failed (log: $RUN_DIR/testbed-setup.log)"; }
  tail -n 3 "$RUN_DIR/testbed-setup.log" | grep -v '^ ' || true
}

# The Zenodo stand-in (testbed/zenodo) on 127.0.0.1: started if it does not answer; idempotent.
# Exports ESCAPE_ZENODO_URL, which the demo and the Galata servers point EscapeZenodo at.
ensure_zenodo_standin() {
  local port="${ESCAPE_ZENODO_PORT:-18090}"
  "$REPO/testbed/zenodo/standin" start --port "$port" || die "Zenodo stand-in did not start"
  export ESCAPE_ZENODO_URL="http://127.0.0.1:$port"
}

# The REANA stand-in (testbed/reana) on 127.0.0.1: set up (spec + reana-client venv) and started
# if it does not answer; idempotent. Exports ESCAPE_REANA_URL and ESCAPE_REANA_TOKEN, which the
# demo and the Galata servers point EscapeReana at.
ensure_reana_standin() {
  local port="${ESCAPE_REANA_PORT:-18100}"
  "$REPO/testbed/reana/standin" setup >"$RUN_DIR/reana-setup.log" 2>&1 ||
    { tail -20 "$RUN_DIR/reana-setup.log"; die "REANA stand-in setup failed"; }
  "$REPO/testbed/reana/standin" start --port "$port" || die "REANA stand-in did not start"
  export ESCAPE_REANA_URL="http://127.0.0.1:$port"
  export ESCAPE_REANA_TOKEN="${ESCAPE_REANA_TOKEN:-standin-reana-token}"
}

# RUCIO_* variables of the testbed, as deployments set them for the extension.
testbed_env() { "$VENV/bin/python" "$REPO/scripts/lib/testbed_env.py"; }

mkdir -p "$RUN_DIR"
