#!/usr/bin/env bash
# Webhook benchmark on loopback, release build: deliveries per second to a local standardwebhooks receiver
# with 4 workers, and the time from a payment to the fulfillment service receiving the order (p50/p99).
#
#   bash bench/webhooks.sh                       # SQLite; DELIVERIES=3000 ORDERS=200 by default
#   BENCH_DATABASE_URL=postgres://…/EMPTY_DB?sslmode=disable bash bench/webhooks.sh
set -euo pipefail
export ATELIER_RATE_LIMITING=false  # one client sends far more than a shopper would
cd "$(dirname "$0")/.."
deliveries=${DELIVERIES:-3000}
orders=${ORDERS:-200}

. scripts/peers.sh
install_debian curl
install_python_peers "$(pwd)/.venv-peers"

bench_setup bench-webhooks

port=18493 receiver=25950
secret="whsec_$(head -c 32 /dev/urandom | base64)"
ATELIER_DATA_DIR="$work/data" DATABASE_URL="${BENCH_DATABASE_URL:-}" PORT=$port ATELIER_LOG_LEVEL=warning \
  ATELIER_WEBHOOK_ALLOW_PRIVATE=true ATELIER_WEBHOOK_WORKERS=4 \
  ATELIER_FULFILLMENT_URL="http://127.0.0.1:$receiver/fulfillment" ATELIER_FULFILLMENT_SECRET="$secret" \
  "$bin" serve >"$work/serve.log" 2>&1 &
pids+=("$!")
bench_wait_ready "$port" 30 "$work/serve.log"
key=$(cat "$work/data/bootstrap-admin-key")
echo "[${BENCH_DATABASE_URL:+postgresql}${BENCH_DATABASE_URL:-sqlite}]" | sed 's/\[postgresql.*/[postgresql]/'
.venv-peers/bin/python bench/webhooks.py "http://127.0.0.1:$port" "$key" "$receiver" "$secret" "$deliveries" "$orders"
