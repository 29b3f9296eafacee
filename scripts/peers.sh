# Installs and starts the real peers the tests talk to. Sourced by .ci/run and bench scripts.

install_debian() {  # package names
  local missing=()
  for package in "$@"; do dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

install_postgres() {
  install_debian postgresql postgresql-contrib
}

pg_bin() { ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1; }

# A private throwaway cluster on loopback: starts in a second, shares nothing with the system one.
# Tests run it with fsync off; `durable` (the third argument) keeps the server's defaults (fsync and synchronous
# commit on), as a shop runs it, for benchmarks.
start_private_postgres() {  # $1: data folder, $2: port (below 32768), $3: optional `durable`
  local dir=$1 port=$2 bin sync="-c fsync=off"
  [ "${3:-}" != durable ] || sync=""
  bin=$(pg_bin)
  mkdir -p "$dir" && chown postgres "$dir"
  runuser -u postgres -- "$bin/initdb" -D "$dir" -U postgres -A trust --no-sync -E UTF8 >/dev/null
  runuser -u postgres -- "$bin/pg_ctl" -D "$dir" -w -l "$dir/server.log" \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 $sync -c max_connections=300" start >/dev/null
  runuser -u postgres -- psql -h 127.0.0.1 -p "$port" -U postgres -q \
    -c "CREATE ROLE atelier LOGIN CREATEDB" -c "CREATE DATABASE atelier_test OWNER atelier"
  export PATH="$bin:$PATH"
}

install_python_peers() {  # $1: virtualenv folder
  local venv=$1
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$(dirname "${BASH_SOURCE[0]}")/requirements-peers.txt"
}

# mitmproxy pins an older `cryptography` than moto wants: it gets a virtualenv of its own.
install_mitmproxy() {  # $1: virtualenv folder
  local venv=$1
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check "mitmproxy>=11,<12"
}

# --- benchmarks (bench/*.sh). Functions only: .ci/run sources this file and keeps its own work, pids and cleanup.

# The shared start of a benchmark, called after its installs: a scratch folder ($work, mode $2 when nginx or
# PostgreSQL read it), the list of started processes ($pids) stopped on exit, and the release build ($bin) — or
# the binary BIN names, when set.
bench_setup() {  # $1: scratch folder name, $2: optional mode
  work=$(mktemp -d "/tmp/atelier-$1.XXXXXX")
  [ -z "${2:-}" ] || chmod "$2" "$work"
  pids=()
  trap bench_cleanup EXIT
  if [ -n "${BIN:-}" ]; then bin=$(realpath "$BIN"); return; fi
  echo "building release…" >&2
  swift build -c release --product atelier >&2
  bin=$(swift build -c release --show-bin-path)/atelier
}

# Whether a process runs (an exited child not yet reaped is a zombie: not running).
bench_alive() { [ -r "/proc/$1/status" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status"; }

bench_cleanup() {
  local pid _
  for pid in ${pids[@]+"${pids[@]}"}; do kill "$pid" 2>/dev/null || true; done
  for pid in ${pids[@]+"${pids[@]}"}; do  # let each exit before its files go, at most 10 s
    for _ in $(seq 1 100); do bench_alive "$pid" || break; sleep 0.1; done
    if bench_alive "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
  done
  if [ -d "${work:-}/pg" ]; then runuser -u postgres -- "$(pg_bin)/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1 || true; fi
  rm -rf "${work:?}"
}

# Waits until the server started last (the last of $pids) answers /health/ready; fails with its log when it
# exits first or takes longer than $2 seconds.
bench_wait_ready() {  # $1: port, $2: seconds, $3: the server's log
  local pid=${pids[${#pids[@]}-1]} deadline=$((SECONDS + $2))
  until curl -fsS -m 2 "http://127.0.0.1:$1/health/ready" >/dev/null 2>&1; do
    if ! bench_alive "$pid" || [ "$SECONDS" -ge "$deadline" ]; then
      echo "the server on port $1 did not become ready:" >&2
      tail -20 "$3" >&2
      return 1
    fi
    sleep 0.2
  done
}
