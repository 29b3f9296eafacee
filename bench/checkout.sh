#!/usr/bin/env bash
# Checkout benchmark on loopback, release build, PostgreSQL: ORDERS shoppers, CONCURRENCY at a time, each
# adding a figurine to a new cart, checking out (re-validation from the database, pricing, sealed customer
# data, idempotency record) and paying with the test provider (the same event path as a provider webhook:
# event row, checkout lock, order, outbox). Prints paid orders per second and per-step latency percentiles.
#
#   BENCH_DATABASE_URL=postgres://USER@127.0.0.1:5432/EMPTY_DB?sslmode=disable bash bench/checkout.sh
#   # ORDERS=3000 CONCURRENCY=32 by default; without BENCH_DATABASE_URL it runs on SQLite
set -euo pipefail
export ATELIER_RATE_LIMITING=false  # one client sends far more than a shopper would
cd "$(dirname "$0")/.."
orders=${ORDERS:-3000}
concurrency=${CONCURRENCY:-32}

. scripts/peers.sh
install_debian curl
install_python_peers "$(pwd)/.venv-peers"

bench_setup bench-checkout

port=18491
ATELIER_DATA_DIR="$work/data" DATABASE_URL="${BENCH_DATABASE_URL:-}" PORT=$port ATELIER_LOG_LEVEL=warning \
  ATELIER_DB_MAX_CONNECTIONS=${DB_CONNECTIONS:-20} "$bin" serve >"$work/serve.log" 2>&1 &
pids+=("$!")
bench_wait_ready "$port" 30 "$work/serve.log"
echo "[${BENCH_DATABASE_URL:+postgresql}${BENCH_DATABASE_URL:-sqlite}]" | sed 's/\[postgresql.*/[postgresql]/'
.venv-peers/bin/python bench/checkout.py "http://127.0.0.1:$port" "$orders" "$concurrency"
