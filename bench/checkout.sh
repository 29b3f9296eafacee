#!/usr/bin/env bash
# Checkout benchmark on loopback against PostgreSQL run as a shop runs it (fsync and synchronous commit on):
# ORDERS shoppers, CONCURRENCY at a time, each adding a figurine to a new cart, checking out (re-validation from
# the database, pricing, sealed customer data, idempotency record) and paying with the test provider (the same
# event path as a provider webhook: event row, checkout lock, order, outbox). In the same run and on the same
# server, pgbench's tpcb-like transaction with the same number of clients (scale = clients, so they do not all
# queue on one branch row) gives the yardstick: absolute figures move a lot between runs on a shared machine,
# the ratios much less. Prints paid orders per second, per-step latency percentiles, pgbench's tps and mean
# latency, and the two ratios (paid orders/s ÷ pgbench tps; POST /checkout p99 ÷ pgbench mean latency).
#
#   bash bench/checkout.sh                 # a private PostgreSQL in a scratch folder, the release build
#   BIN=.build/debug/atelier bash bench/checkout.sh          # an existing build
#   PROFILE=1 bash bench/checkout.sh       # also `perf record` the server during the measured run; prints its hottest symbols
#   PROFILE=1 PERF_OUT=checkout.perf bash bench/checkout.sh   # and keeps the recording (`perf report -i checkout.perf`)
#   BENCH_DATABASE_URL=postgres://USER@127.0.0.1:5432/EMPTY_DB?sslmode=disable bash bench/checkout.sh   # another server
#   # ORDERS=3000 CONCURRENCY=32 PGBENCH_SECONDS=20 DB_CONNECTIONS=20 by default
set -euo pipefail
export ATELIER_RATE_LIMITING=false  # one client sends far more than a shopper would
cd "$(dirname "$0")/.."
orders=${ORDERS:-3000}
concurrency=${CONCURRENCY:-32}
pgbench_seconds=${PGBENCH_SECONDS:-20}

. scripts/peers.sh
install_debian curl bc
install_postgres
[ -z "${PROFILE:-}" ] || install_debian linux-perf
install_python_peers "$(pwd)/.venv-peers"

bench_setup bench-checkout 755

if [ -n "${BENCH_DATABASE_URL:-}" ]; then
  url=$BENCH_DATABASE_URL
  pgbench_url=$url
else
  start_private_postgres "$work/pg" 25491 durable
  runuser -u postgres -- psql -h 127.0.0.1 -p 25491 -U postgres -q -c "CREATE DATABASE pgbench OWNER atelier"
  url="postgres://atelier@127.0.0.1:25491/atelier_test?sslmode=disable"
  pgbench_url="postgres://atelier@127.0.0.1:25491/pgbench?sslmode=disable"
fi
pg_settings=$(psql "$pgbench_url" -Atc "SELECT string_agg(name || '=' || setting, ' ' ORDER BY name) FROM pg_settings
  WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes', 'wal_sync_method', 'shared_buffers')")
echo "[postgresql] $pg_settings"

# pgbench first, in its own tables (dropped after, so the shop's database is as it was).
pgbench -i -q -s "$concurrency" "$pgbench_url" >"$work/pgbench-init.log" 2>&1
pgbench -c "$concurrency" -j 2 -T "$pgbench_seconds" "$pgbench_url" >"$work/pgbench.log" 2>&1
pgbench -i -I d "$pgbench_url" >/dev/null 2>&1 || true
# pgbench's writes are flushed to the data files now, not by a checkpoint in the middle of the shop's run.
if [ -n "${BENCH_DATABASE_URL:-}" ]; then
  psql "$url" -qc CHECKPOINT >/dev/null 2>&1 || echo "(no CHECKPOINT allowed: a checkpoint may fall into the run)"
else
  runuser -u postgres -- psql -h 127.0.0.1 -p 25491 -U postgres -qc CHECKPOINT
fi
pg_tps=$(sed -nE 's/^tps = ([0-9.]+).*/\1/p' "$work/pgbench.log" | head -1)
pg_latency=$(sed -nE 's/^latency average = ([0-9.]+) ms.*/\1/p' "$work/pgbench.log")
echo "pgbench tpcb-like, $concurrency clients, ${pgbench_seconds} s: $pg_tps tps, mean latency $pg_latency ms"

port=18491
ATELIER_DATA_DIR="$work/data" DATABASE_URL="$url" PORT=$port ATELIER_LOG_LEVEL=warning \
  ATELIER_DB_MAX_CONNECTIONS=${DB_CONNECTIONS:-20} "$bin" serve >"$work/serve.log" 2>&1 &
pids+=("$!")
server=$!
bench_wait_ready "$port" 60 "$work/serve.log"

# The client writes a file when the warm-up is over, so the profile covers only the measured part.
.venv-peers/bin/python bench/checkout.py "http://127.0.0.1:$port" "$orders" "$concurrency" "$work/summary.json" "$work/started" &
client=$!
until [ -e "$work/started" ] || ! bench_alive "$client"; do sleep 0.1; done
# CPU seconds (user + system) of a set of processes, from /proc: where the machine's time goes during the run.
cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); t += $12 + $13 } END { printf "%.1f", t / hz }' "$@" 2>/dev/null || echo 0; }
postgres_stats() { grep -l '^Name:[[:space:]]*postgres' /proc/[0-9]*/status 2>/dev/null | sed 's/status$/stat/'; }
server_cpu0=$(cpu_seconds "/proc/$server/stat"); pg_cpu0=$(cpu_seconds $(postgres_stats))
if [ -n "${PROFILE:-}" ]; then
  perf record -F 499 ${PERF_FLAGS--g} -p "$server" -o "$work/perf.data" >/dev/null 2>&1 &
  profiler=$!
fi
wait "$client"
server_cpu1=$(cpu_seconds "/proc/$server/stat"); pg_cpu1=$(cpu_seconds $(postgres_stats))
echo "CPU seconds during the run (of $(nproc) cores): server $(echo "$server_cpu1 - $server_cpu0" | bc)," \
  "PostgreSQL $(echo "$pg_cpu1 - $pg_cpu0" | bc), client $(python3 -c 'import json,sys; print(round(json.load(open(sys.argv[1]))["clientCpuSeconds"], 1))' "$work/summary.json")"
if [ -n "${PROFILE:-}" ]; then
  kill -INT "$profiler"; wait "$profiler" || true
  [ -z "${PERF_OUT:-}" ] || cp "$work/perf.data" "$PERF_OUT"
  echo "hottest symbols in the server (self time, % of samples):"
  perf report -i "$work/perf.data" --no-children --stdio --sort symbol --percent-limit 1.5 2>/dev/null \
    | grep -E '^ +[0-9.]+%' | head -25 | sed -E 's/[[:space:]]+-[[:space:]]+-[[:space:]]*$//'
  echo "by library:"
  perf report -i "$work/perf.data" --no-children --stdio --sort dso --percent-limit 1 2>/dev/null | grep -E '^ +[0-9.]+%' | head -10
fi

python3 - "$work/summary.json" "$pg_tps" "$pg_latency" <<'EOF'
import json, sys
summary, tps, latency = json.load(open(sys.argv[1])), float(sys.argv[2]), float(sys.argv[3])
orders, p99 = summary["ordersPerSecond"], summary["checkoutP99Ms"]
print(f"paid orders/s ÷ pgbench tps: {orders:.1f} / {tps:.0f} = {100 * orders / tps:.1f} %  (goal ≥ 15 %)")
print(f"POST /checkout p99 ÷ pgbench mean latency: {p99:.1f} ms / {latency:.1f} ms = {p99 / latency:.2f} ×  (goal ≤ 4 ×)")
EOF
