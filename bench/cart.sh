#!/usr/bin/env bash
# Cart benchmark on loopback, release build: GET /cart with LINES customized lines (each a tee with its
# own chest text and artwork, so every read re-validates text rules and image DPI) and POST /cart/quote to
# New York with express shipping (two tax bases). wrk with CONNECTIONS connections for DURATION seconds
# each; prints latency percentiles and requests per second. Runs on SQLite, and on PostgreSQL too when
# BENCH_DATABASE_URL names an empty database.
#
#   bash bench/cart.sh      # DURATION=15 CONNECTIONS=64 THREADS=2 LINES=10 by default
set -euo pipefail
export ATELIER_RATE_LIMITING=false  # one client sends far more than a shopper would
cd "$(dirname "$0")/.."
duration=${DURATION:-15}
connections=${CONNECTIONS:-64}
threads=${THREADS:-2}
lines=${LINES:-10}

. scripts/peers.sh
install_debian wrk curl

bench_setup bench-cart

run() {  # $1: label, $2: DATABASE_URL or empty
  local port=18490 data="$work/data-$1"
  mkdir -p "$data"
  ATELIER_DATA_DIR="$data" DATABASE_URL="$2" PORT=$port ATELIER_LOG_LEVEL=warning ATELIER_WORKERS=0 \
    "$bin" serve >"$work/serve-$1.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  bench_wait_ready "$port" 30 "$work/serve-$1.log"
  local base="http://127.0.0.1:$port"

  # One artwork image big enough for the zone's DPI rule, then LINES sessions added to one cart.
  python3 - "$work/art.png" <<'PY'
import struct, sys, zlib
w = h = 1400
raw = b"".join(b"\x00" + bytes([(x * 7 + y) % 256 for x in range(w)]) for y in range(h))
def chunk(t, d): return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
open(sys.argv[1], "wb").write(png)
PY
  local asset key=""
  asset=$(curl -fsS -H 'Content-Type: image/png' --data-binary "@$work/art.png" "$base/assets" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  for i in $(seq 1 "$lines"); do
    local session
    session=$(curl -fsS -H 'Content-Type: application/json' "$base/sessions" -d "{\"product\": \"custom-printed-tee\",
      \"selection\": {\"size\": \"xl\", \"colour\": \"navy\"},
      \"zones\": {\"chest_text\": {\"text\": {\"text\": \"Team member $i\", \"font\": \"Oswald\"}}, \"artwork\": {\"image\": \"$asset\"}}}" \
      | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
    local headers=(-H 'Content-Type: application/json')
    [ -n "$key" ] && headers+=(-H "X-Session-Key: $key")
    local answer
    answer=$(curl -fsS -D "$work/headers" "${headers[@]}" "$base/cart/items" -d "{\"sessionId\": \"$session\", \"quantity\": 2}")
    [ -n "$key" ] || key=$(grep -i '^x-session-key:' "$work/headers" | tr -d '\r' | awk '{print $2}')
  done
  local count
  count=$(curl -fsS -H "X-Session-Key: $key" "$base/cart" | python3 -c 'import json,sys; c=json.load(sys.stdin); assert c["checkoutReady"], c; print(len(c["lines"]))')
  echo "[$1] cart with $count customized lines"

  cat >"$work/quote.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"destination": {"country": "US", "region": "NY"}, "shippingMethod": "express"}'
LUA
  curl -fsS -H "X-Session-Key: $key" -H 'Content-Type: application/json' "$base/cart/quote" \
    -d '{"destination": {"country": "US", "region": "NY"}, "shippingMethod": "express"}' >/dev/null
  for target in cart quote; do
    local args=(-t"$threads" -c"$connections" -d"${duration}s" --latency -H "X-Session-Key: $key")
    [ "$target" = quote ] && args+=(-s "$work/quote.lua")
    local path=/cart
    [ "$target" = quote ] && path=/cart/quote
    wrk "${args[@]}" "$base$path" >"$work/wrk-$1-$target.txt"
    local rps p50 p99 errors
    rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk-$1-$target.txt")
    p50=$(awk '$1 == "50%" {print $2}' "$work/wrk-$1-$target.txt")
    p99=$(awk '$1 == "99%" {print $2}' "$work/wrk-$1-$target.txt")
    errors=$(grep -E 'Non-2xx|Socket errors' "$work/wrk-$1-$target.txt" || true)
    printf '[%s] %-6s %-14s %10s req/s   p50 %8s   p99 %8s   %s\n' "$1" "$target" "$([ "$target" = quote ] && echo 'POST /cart/quote' || echo 'GET /cart')" "$rps" "$p50" "$p99" "$errors"
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

run sqlite ""
if [ -n "${BENCH_DATABASE_URL:-}" ]; then run postgres "$BENCH_DATABASE_URL"; fi
