#!/usr/bin/env bash
# Load benchmark on loopback: a release build of Atelier against nginx serving static files with the
# same bytes, measured in the same run with the same wrk settings, so the ratio means something on any
# machine. The catalog holds PRODUCTS products (default 10,000, loaded through the bulk upload API).
# Bounded: each measurement runs DURATION seconds.
#
#   bash bench/http.sh            # DURATION=10 CONNECTIONS=64 THREADS=2 PRODUCTS=10000 by default
set -euo pipefail
export ATELIER_RATE_LIMITING=false  # one client sends far more than a shopper would
cd "$(dirname "$0")/.."
root=$(pwd)
duration=${DURATION:-10}
connections=${CONNECTIONS:-64}
threads=${THREADS:-2}
products=${PRODUCTS:-10000}

. scripts/peers.sh
install_debian nginx wrk curl

bench_setup bench 755

port=18480
ATELIER_DATA_DIR="$work/data" PORT=$port ATELIER_LOG_LEVEL=warning ATELIER_SEED_DEMO=false ATELIER_MAX_BODY_BYTES=16777216 \
  "$bin" serve >"$work/serve.log" 2>&1 &
pids+=($!)
bench_wait_ready "$port" 30 "$work/serve.log"
key=$(cat "$work/data/bootstrap-admin-key")
for i in $(seq 1 19); do
  curl -fsS -o /dev/null -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
    -d "{\"name\":\"bench $i\",\"role\":\"viewer\"}" "http://127.0.0.1:$port/admin/api-keys"
done

echo "loading $products products…" >&2
python3 - "$products" "$work/batches" <<'PY'
import json, os, sys
count, folder = int(sys.argv[1]), sys.argv[2]
os.makedirs(folder, exist_ok=True)
for start in range(0, count, 1000):
    items = []
    for i in range(start, min(count, start + 1000)):
        items.append({"product": {
            "slug": f"product-{i:05d}", "name": f"Custom product {i}", "description": "Printed to order. " * 8,
            "basePrice": {"amount": 1500 + i % 500, "currency": "USD"}, "baseLeadTimeDays": 2,
            "media": [{"url": f"/media/{i}.png", "altText": f"Product {i}", "view": "front"}],
            "dimensions": [
                {"code": "size", "name": "Size", "values": [
                    {"code": c, "name": c.upper(), "priceAdjustment": {"amount": 100 * n, "currency": "USD"}}
                    for n, c in enumerate(["s", "m", "l", "xl"])]},
                {"code": "colour", "name": "Colour", "values": [
                    {"code": c, "name": c.title(), "leadTimeDays": n} for n, c in enumerate(["white", "black", "navy"])]}],
            "exclusions": [{"size": "xl", "colour": "navy"}],
            "optionSets": [{"code": "wrap", "name": "Gift wrap", "options": [
                {"code": "paper", "name": "Paper", "surcharge": {"amount": 300, "currency": "USD"}}]}]}})
    with open(f"{folder}/{start:06d}.json", "w") as f:
        json.dump({"products": items}, f)
PY
for batch in "$work"/batches/*.json; do
  curl -fsS -o /dev/null -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
    --data-binary "@$batch" "http://127.0.0.1:$port/admin/products/bulk"
done
product_id=$(curl -fsS "http://127.0.0.1:$port/products/product-05000" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')

# nginx serves files with the exact bytes of the Atelier answers.
mkdir -p "$work/www" "$work/nginx"
curl -fsS "http://127.0.0.1:$port/health/live" >"$work/www/live.json"
curl -fsS -H "Authorization: Bearer $key" "http://127.0.0.1:$port/admin/api-keys?limit=20" >"$work/www/keys.json"
curl -fsS "http://127.0.0.1:$port/products?limit=20" >"$work/www/products.json"
curl -fsS "http://127.0.0.1:$port/products/$product_id" >"$work/www/product.json"
nginx_port=18481
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$nginx_port;
    root $work/www;
    default_type application/json;
  }
}
CONF
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" -g 'daemon off;' &
pids+=($!)
sleep 0.5

measure() {  # label url [header]
  local label=$1 url=$2 out
  shift 2
  out=$(wrk -t"$threads" -c"$connections" -d"${duration}s" --latency "$@" "$url")
  local rps p50 p99
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  local non2xx
  non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
  printf '%-34s %12s req/s   p50 %9s   p99 %9s   %s\n' "$label" "$rps" "$p50" "$p99" "${non2xx:+non-2xx: $non2xx}"
  echo "$rps" >"$work/rps-$label"
}

echo
echo "wrk -t$threads -c$connections -d${duration}s, loopback, $(nproc) cores"
measure nginx-static-live "http://127.0.0.1:$nginx_port/live.json"
measure atelier-health-live "http://127.0.0.1:$port/health/live"
measure nginx-static-keys "http://127.0.0.1:$nginx_port/keys.json"
measure atelier-admin-api-keys "http://127.0.0.1:$port/admin/api-keys?limit=20" -H "Authorization: Bearer $key"
measure nginx-static-products "http://127.0.0.1:$nginx_port/products.json"
measure atelier-products-list "http://127.0.0.1:$port/products?limit=20"
measure nginx-static-product "http://127.0.0.1:$nginx_port/product.json"
measure atelier-product-detail "http://127.0.0.1:$port/products/$product_id"

ratio() { awk -v a="$(cat "$work/rps-$1")" -v b="$(cat "$work/rps-$2")" 'BEGIN { printf "%.1f%%", 100 * a / b }'; }
echo
echo "/health/live          vs nginx static file of the same bytes: $(ratio atelier-health-live nginx-static-live)"
echo "/admin/api-keys (SQL) vs nginx static file of the same bytes: $(ratio atelier-admin-api-keys nginx-static-keys)"
echo "/products?limit=20    vs nginx static file of the same bytes: $(ratio atelier-products-list nginx-static-products)"
echo "/products/{id}        vs nginx static file of the same bytes: $(ratio atelier-product-detail nginx-static-product)"
echo "response sizes: live $(stat -c %s "$work/www/live.json") B, keys $(stat -c %s "$work/www/keys.json") B, list $(stat -c %s "$work/www/products.json") B, detail $(stat -c %s "$work/www/product.json") B"
