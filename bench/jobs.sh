#!/usr/bin/env bash
# Job throughput on PostgreSQL: queue JOBS preview renders through the API (serve runs no workers),
# then let `atelier worker --count N` drain the queue, for N = 1 and 4, and print jobs/s and the
# time per render. Release build, private PostgreSQL cluster on loopback; bounded by JOBS.
#
#   bash bench/jobs.sh            # JOBS=400 by default
set -euo pipefail
export ATELIER_RATE_LIMITING=false  # one client sends far more than a shopper would
cd "$(dirname "$0")/.."
root=$(pwd)
jobs_count=${JOBS:-400}

. scripts/peers.sh
install_postgres
install_debian curl
bench_setup jobs 755
start_private_postgres "$work/pg" 25433 >/dev/null
psql_() { runuser -u postgres -- psql -h 127.0.0.1 -p 25433 -U postgres -d "$1" -tAc "$2"; }

run() {  # workers
  local workers=$1 db="jobs_$1" port=18590
  psql_ postgres "CREATE DATABASE $db OWNER atelier" >/dev/null
  local url="postgres://atelier@127.0.0.1:25433/$db?sslmode=disable"
  DATABASE_URL=$url ATELIER_DATA_DIR="$work/data" PORT=$port ATELIER_WORKERS=0 ATELIER_LOG_LEVEL=warning "$bin" serve >"$work/serve-$workers.log" 2>&1 &
  local serve=$!
  pids+=($serve)
  bench_wait_ready "$port" 30 "$work/serve-$workers.log"
  for i in $(seq 1 "$jobs_count"); do
    sid=$(curl -fsS -H 'Content-Type: application/json' "http://127.0.0.1:$port/sessions" \
      -d "{\"product\":\"engraved-wooden-keepsake-box\",\"options\":{\"finish\":[\"natural_oil\"]},\"zones\":{\"engraving\":{\"text\":{\"text\":\"Gift number $i\"}}}}" \
      | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
    curl -fsS -o /dev/null -X POST "http://127.0.0.1:$port/sessions/$sid/preview"
  done
  local queued
  queued=$(psql_ "$db" "SELECT COUNT(*) FROM jobs WHERE kind = 'preview.render' AND state = 'queued'")
  local started=$(date +%s.%N)
  DATABASE_URL=$url ATELIER_DATA_DIR="$work/data" ATELIER_LOG_LEVEL=warning "$bin" worker --count "$workers" >"$work/worker-$workers.log" 2>&1 &
  local worker=$!
  pids+=($worker)
  for _ in $(seq 1 600); do
    [ "$(psql_ "$db" "SELECT COUNT(*) FROM jobs WHERE kind = 'preview.render' AND state <> 'succeeded'")" = "0" ] && break
    sleep 0.1
  done
  local ended=$(date +%s.%N)
  local done_count
  done_count=$(psql_ "$db" "SELECT COUNT(*) FROM jobs WHERE kind = 'preview.render' AND state = 'succeeded'")
  local twice
  twice=$(psql_ "$db" "SELECT COUNT(*) FROM jobs WHERE kind = 'preview.render' AND attempts > 1")
  kill -TERM "$worker"; wait "$worker" || true
  kill -TERM "$serve"; wait "$serve" || true
  awk -v n="$done_count" -v q="$queued" -v s="$started" -v e="$ended" -v w="$workers" -v t="$twice" 'BEGIN {
    d = e - s; printf "%d worker(s): %d of %d queued renders in %.2f s = %.0f jobs/s, %.1f ms per render per worker, %d run twice\n", w, n, q, d, n / d, 1000 * d * w / n, t }'
}

run 1
run 4
