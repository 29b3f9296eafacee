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
start_private_postgres() {  # $1: data folder, $2: port (below 32768)
  local dir=$1 port=$2 bin
  bin=$(pg_bin)
  mkdir -p "$dir" && chown postgres "$dir"
  runuser -u postgres -- "$bin/initdb" -D "$dir" -U postgres -A trust --no-sync -E UTF8 >/dev/null
  runuser -u postgres -- "$bin/pg_ctl" -D "$dir" -w -l "$dir/server.log" \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" start >/dev/null
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
