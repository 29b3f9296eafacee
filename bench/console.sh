#!/usr/bin/env bash
# The operator console under load, on loopback: its orders list and an order's page, the dashboard, the catalog studio's
# pages (products list and search, a product's editor, its template editor and stock) and the sales reports, with
# ORDERS + 1 orders and PRODUCTS products, on SQLite and on PostgreSQL (a private cluster with fsync and synchronous
# commit on, as a shop runs it). The issue's target: with 100,000 orders and 10,000 products, the orders list and an
# order page answer with p99 ≤ 50 ms on both databases, measured with wrk and a signed-in console cookie; the studio
# and reports pages, new in this release, are measured against the same 50 ms.
#
# For each database: `atelier serve` on a fresh data folder (test payment provider, demo catalog, rate limits off);
# PRODUCTS products through POST /admin/products/bulk (bench/http.sh's generator, read out of that file); ONE real
# paid order through the public API (cart → checkout → test payment); that order copied ORDERS times straight in the
# database, one INSERT … SELECT per table an order lives in (orders, order_products, order_assets, order_transitions):
# new ids (ord_bench…), numbers after the real one's (the order-number counter or sequence moved past them), created_at
# spread over the 90 days before the real order (ship dates moved along), statuses spread evenly over paid,
# in_production, fulfilled, shipped, delivered and cancelled, each with the audit trail of the steps that led there
# (tracking for shipped and delivered, a full refund counted for cancelled). Copies have no checkout, payment event,
# outbox or sales-ledger rows: the console's list, order page and dashboard read none of those. The reports pages do
# read the sales ledger (report_daily: a few rows per shop-local day, dimension and item, however many orders were
# paid), so they are measured with the real order's sales only, on charts of 30 days and of 13 or 14 weeks that are
# mostly zero: the copies do not reach them (bench/reports.sh measures the reports over a full ledger, through the
# API). SQLite is loaded with the server stopped (sqlite3, a recursive CTE), PostgreSQL with it running (psql,
# generate_series; then VACUUM ANALYZE and a CHECKPOINT, as autovacuum would have done, so that neither falls into the
# measurement). SQLite gets no ANALYZE: Atelier never runs one. Then it signs in to the console as the bootstrap admin
# with curl, checks each page answers 200 with its marker, and runs `wrk -t2 -c16 -dDURATION --latency` with the
# session cookie on:
#   orders-first-page    /console/orders                       newest 50 orders
#   orders-shipped       /console/orders?status=shipped        the status filter's first page
#   orders-page-21       /console/orders?cursor=…              the page reached by following "Next page" 20 times
#   order-page           /console/orders/ord_bench…            a copied order: lines, totals, audit trail
#   dashboard            /console/                             counts by status, today/week, due and overdue
#   products-list        /console/products                     the catalog's first page (50 products)
#   products-search      /console/products?q=…                 a name search that matches few: q is the number of
#                                                               product (PRODUCTS - 1) / 10 (999 with 10,000 products:
#                                                               it and the 18 others whose number holds it), so the
#                                                               search looks through the whole catalog
#   product-editor       /console/products/prod_…              the demo product custom-printed-tee's form
#   template-editor      /console/products/prod_…/template     its template: front view drawn as SVG, zones, versions
#   stock                /console/products/prod_…/inventory    its stock: 15 variants (5 sizes × 3 colours) listed
#   reports              /console/reports                      the last 30 days by day: summary, SVG charts, tables
#   reports-90-days      /console/reports?from=…&to=…&interval=week
#                                                               the 90 days before today to today, by week
# The tee's id is read from GET /admin/products?limit=100 with the bootstrap admin key (the demo catalog is made before
# the generated products, and ids sort by creation). The shop's time zone is set to UTC, so that its days are
# `date -u`'s.
#
#   bash bench/console.sh                        # the release build; both databases, 100,000 orders, 10,000 products
#   BIN=.build/release/atelier bash bench/console.sh        # an existing build
#   DATABASES=sqlite ORDERS=5000 PRODUCTS=500 DURATION=3 BIN=/tmp/atelier bash bench/console.sh   # a quick try
#   # knobs: BIN (the atelier executable; unset: `swift build -c release`), DURATION (seconds per measurement, 10),
#   # ORDERS (copies of the real order, 100000: ORDERS + 1 orders in all), PRODUCTS (10000), DATABASES ("sqlite postgres")
#
# Reading it: one line per measurement — database and page, requests per second, p50, p99 and the count of non-2xx
# answers (a console page that redirects to sign-in counts there) and of socket errors (wrk's timeouts: a request
# slower than wrk's 2 s is dropped from its percentiles, so any is counted as missing the target); then per line
# "p99 target 50 ms: met" or "not met". A page that does not answer 200 with its marker (rows with
# data-order-number, id="order-status", <h1>Dashboard</h1>, id="products" (the list's table, there only when some
# product matches), id="product-form", id="view-front" (the template's front view, an <svg>), id="inventory" (the
# stock table, there only when variants are listed), id="revenue-chart" and id="orders-chart" (the reports' <svg>
# charts)) is shown with the end of the server's log, is not measured, counts as "not met", and makes the script exit 1
# once the other pages are measured. Latencies are wrk's (loopback, 16 connections, 2 client threads on the same
# machine as the server and PostgreSQL): compare runs on the same machine; a debug build is many times slower.
# Bounded: each measurement runs DURATION seconds (wrk is killed 60 s after that at the latest), every curl has a time
# limit, following pages stops after 20; 12 pages are measured per database (with the defaults, 4 minutes of wrk in
# all, on top of loading the catalog and copying the orders). It uses 127.0.0.1 only (ports 18492, 18493 and 25492) and
# stops only what it started: its servers by PID, its PostgreSQL by pg_ctl on its own data folder (bench_cleanup in
# scripts/peers.sh, also on failure or Ctrl-C).
set -euo pipefail
export ATELIER_RATE_LIMITING=false  # one client sends far more than a shopper would
cd "$(dirname "$0")/.."
duration=${DURATION:-10}
orders=${ORDERS:-100000}
products=${PRODUCTS:-10000}
databases=${DATABASES:-sqlite postgres}
target_ms=50
deep_pages=20
search_word=$(((products - 1) / 10))  # a generated product's number ("Custom product N"): matches it and a few others

[[ "$duration" =~ ^[1-9][0-9]*$ && "$duration" -le 600 ]] || { echo "DURATION: whole seconds, 1 to 600" >&2; exit 2; }
[[ "$orders" =~ ^[1-9][0-9]*$ && "$orders" -le 1000000 ]] || { echo "ORDERS: 1 to 1,000,000" >&2; exit 2; }
[[ "$products" =~ ^[1-9][0-9]*$ && "$products" -le 100000 ]] || { echo "PRODUCTS: 1 to 100,000" >&2; exit 2; }
for db in $databases; do
  case $db in sqlite|postgres) ;; *) echo "DATABASES: sqlite and/or postgres, not '$db'" >&2; exit 2 ;; esac
done

. scripts/peers.sh
install_debian curl wrk sqlite3
case " $databases " in *" postgres "*) install_postgres ;; esac

bench_setup bench-console 755  # PostgreSQL (user postgres) keeps its data folder under $work

# bench/http.sh's product generator, taken from that file so that both benches load the same catalog.
generator=$(awk 'index($0, "python3 - \"$products\" \"$work/batches\" <<'"'"'PY'"'"'") { on = 1; next }
                 on && $0 == "PY" { exit }
                 on { print }' bench/http.sh)
[ -n "$generator" ] || { echo "the product generator was not found in bench/http.sh" >&2; exit 1; }
python3 -c "$generator" "$products" "$work/batches"

results=()
broken=0  # pages that did not answer 200 with their marker

# Whether something already answers on a port (a server of someone else's must not be measured, nor disturbed).
port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start_server() {  # $1: data folder, $2: port, $3: DATABASE_URL (empty: SQLite in the data folder)
  ATELIER_DATA_DIR=$1 PORT=$2 DATABASE_URL=$3 ATELIER_HOSTNAME=127.0.0.1 ATELIER_PAYMENT_PROVIDERS=test \
    ATELIER_LOG_LEVEL=warning ATELIER_SEED_DEMO=true ATELIER_MAX_BODY_BYTES=16777216 ATELIER_SHOP_TIMEZONE=UTC \
    "$bin" serve >>"$1.log" 2>&1 &
  server=$!
  server_log=$1.log
  pids+=("$server")
  bench_wait_ready "$2" 120 "$1.log"
}

stop_server() {  # the server started last, by its PID; then it leaves the list cleanup stops
  local pid kept=()
  kill "$server" 2>/dev/null || true
  for _ in $(seq 1 300); do bench_alive "$server" 2>/dev/null || break; sleep 0.1; done  # (it may go between two looks)
  if bench_alive "$server" 2>/dev/null; then kill -KILL "$server" 2>/dev/null || true; fi
  wait "$server" 2>/dev/null || true
  for pid in ${pids[@]+"${pids[@]}"}; do [ "$pid" = "$server" ] || kept+=("$pid"); done
  pids=(${kept[@]+"${kept[@]}"})
}

# The copies, on SQLite: one statement per table, rows made by a recursive CTE. Parameters :copies and :orig.
sqlite_copies() {
  cat <<'SQL'
.bail on
.timeout 10000
BEGIN;
WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < :copies),
original AS (
  SELECT *, julianday(expected_ship_date) - julianday(date(created_at, 'unixepoch')) AS lead,
         CAST(substr(number, 4) AS INTEGER) AS base
  FROM orders WHERE id = :orig),
copy AS (
  SELECT n, printf('%020d', n) AS digits, o.created_at - 7776000.0 * (:copies + 1 - n) / (:copies + 1) AS t,
         CASE n % 6 WHEN 0 THEN 'paid' WHEN 1 THEN 'in_production' WHEN 2 THEN 'fulfilled' WHEN 3 THEN 'shipped'
                    WHEN 4 THEN 'delivered' ELSE 'cancelled' END AS status,
         CASE n % 6 WHEN 0 THEN 0 WHEN 1 THEN 1 WHEN 2 THEN 3 WHEN 3 THEN 4 WHEN 4 THEN 6 ELSE 1 END AS days
  FROM seq CROSS JOIN original o)
INSERT INTO orders (id, number, checkout_id, status, access_token_hash, currency, subtotal, shipping, tax, total, snapshot,
    customer, email_hash, provider, payment_ref, refunded, tracking, expected_ship_date, paid_at, delivered_at, created_at, updated_at)
SELECT 'ord_bench' || c.digits || '0', 'AT-' || (o.base + c.n), 'chk_bench' || c.digits || '0', c.status, o.access_token_hash,
  o.currency, o.subtotal, o.shipping, o.tax, o.total,
  replace(o.snapshot, '"' || o.expected_ship_date || '"', '"' || date(c.t + o.lead * 86400, 'unixepoch') || '"'),
  o.customer, o.email_hash, o.provider, replace(o.payment_ref, o.checkout_id, 'chk_bench' || c.digits || '0'),
  CASE c.status WHEN 'cancelled' THEN o.total ELSE 0 END,
  CASE WHEN c.status IN ('shipped', 'delivered') THEN '{"carrier":"UPS","number":"1ZBENCH' || c.digits || '"}' END,
  date(c.t + o.lead * 86400, 'unixepoch'), c.t,
  CASE c.status WHEN 'delivered' THEN c.t + min(c.days * 86400.0, (o.created_at - c.t) * c.days / 8.0) END,
  c.t, c.t + min(c.days * 86400.0, (o.created_at - c.t) * c.days / 8.0)
FROM copy c CROSS JOIN original o;
INSERT INTO order_products (order_id, product_id)
SELECT c.id, p.product_id FROM orders c JOIN order_products p ON p.order_id = :orig
WHERE c.id > 'ord_bench' AND c.id < 'ord_benci';
INSERT INTO order_assets (asset_id, order_id)
SELECT a.asset_id, c.id FROM orders c JOIN order_assets a ON a.order_id = :orig
WHERE c.id > 'ord_bench' AND c.id < 'ord_benci';
WITH steps(k, days, from_status, to_status, actor_kind, reason) AS (VALUES
  (1, 0, 'pending_payment', 'paid', NULL, NULL),
  (2, 1, 'paid', 'in_production', 'fulfillment_partner', NULL),
  (3, 3, 'in_production', 'fulfilled', 'fulfillment_partner', NULL),
  (4, 4, 'fulfilled', 'shipped', 'fulfillment_partner', NULL),
  (5, 6, 'shipped', 'delivered', 'fulfillment_partner', NULL),
  (6, 1, 'paid', 'cancelled', 'api_key', 'Customer asked to cancel')),
depth(status, last) AS (VALUES ('paid', 1), ('in_production', 2), ('fulfilled', 3), ('shipped', 4), ('delivered', 5), ('cancelled', 1)),
original AS (
  SELECT o.checkout_id, o.created_at, t.actor_kind, t.actor_id, t.details
  FROM orders o JOIN order_transitions t ON t.order_id = o.id AND t.to_status = 'paid' WHERE o.id = :orig)
INSERT INTO order_transitions (id, order_id, at, actor_kind, actor_id, from_status, to_status, reason, details)
SELECT 'otr_' || substr(c.id, 5, 25) || s.k, c.id,
  c.created_at + min(s.days * 86400.0, (o.created_at - c.created_at) * s.days / 8.0),
  coalesce(s.actor_kind, o.actor_kind), CASE s.k WHEN 1 THEN o.actor_id END, s.from_status, s.to_status, s.reason,
  CASE s.k WHEN 1 THEN replace(o.details, o.checkout_id, c.checkout_id)
           WHEN 4 THEN '{"carrier":"UPS","trackingNumber":"1ZBENCH' || substr(c.id, 10, 20) || '"}'
           ELSE '{}' END
FROM orders c JOIN depth d ON d.status = c.status
JOIN steps s ON s.k <= d.last OR (s.k = 6 AND c.status = 'cancelled')
CROSS JOIN original o
WHERE c.id > 'ord_bench' AND c.id < 'ord_benci';
UPDATE counters SET value = max(value, (SELECT CAST(substr(number, 4) AS INTEGER) FROM orders WHERE id = :orig) + :copies)
WHERE name = 'order_number';
COMMIT;
SQL
}

# The same copies on PostgreSQL (timestamps are TIMESTAMPTZ there), rows from generate_series. Variables copies, orig.
postgres_copies() {
  cat <<'SQL'
WITH original AS (
  SELECT *, expected_ship_date::date - (created_at AT TIME ZONE 'UTC')::date AS lead, substr(number, 4)::bigint AS base
  FROM orders WHERE id = :'orig'),
copy AS (
  SELECT n, lpad(n::text, 20, '0') AS digits,
         o.created_at - interval '90 days' * ((:copies + 1 - n)::float8 / (:copies + 1)) AS t,
         (ARRAY['paid', 'in_production', 'fulfilled', 'shipped', 'delivered', 'cancelled'])[n % 6 + 1] AS status,
         (ARRAY[0, 1, 3, 4, 6, 1])[n % 6 + 1] AS days
  FROM generate_series(1, :copies) AS n CROSS JOIN original o)
INSERT INTO orders (id, number, checkout_id, status, access_token_hash, currency, subtotal, shipping, tax, total, snapshot,
    customer, email_hash, provider, payment_ref, refunded, tracking, expected_ship_date, paid_at, delivered_at, created_at, updated_at)
SELECT 'ord_bench' || c.digits || '0', 'AT-' || (o.base + c.n), 'chk_bench' || c.digits || '0', c.status, o.access_token_hash,
  o.currency, o.subtotal, o.shipping, o.tax, o.total,
  replace(o.snapshot, '"' || o.expected_ship_date || '"',
          '"' || to_char((c.t AT TIME ZONE 'UTC')::date + o.lead, 'YYYY-MM-DD') || '"'),
  o.customer, o.email_hash, o.provider, replace(o.payment_ref, o.checkout_id, 'chk_bench' || c.digits || '0'),
  CASE c.status WHEN 'cancelled' THEN o.total ELSE 0 END,
  CASE WHEN c.status IN ('shipped', 'delivered') THEN '{"carrier":"UPS","number":"1ZBENCH' || c.digits || '"}' END,
  to_char((c.t AT TIME ZONE 'UTC')::date + o.lead, 'YYYY-MM-DD'), c.t,
  CASE c.status WHEN 'delivered'
    THEN c.t + LEAST(c.days * 86400.0, extract(epoch FROM o.created_at - c.t) * c.days / 8.0) * interval '1 second' END,
  c.t, c.t + LEAST(c.days * 86400.0, extract(epoch FROM o.created_at - c.t) * c.days / 8.0) * interval '1 second'
FROM copy c CROSS JOIN original o;
INSERT INTO order_products (order_id, product_id)
SELECT c.id, p.product_id FROM orders c JOIN order_products p ON p.order_id = :'orig'
WHERE c.id > 'ord_bench' AND c.id < 'ord_benci';
INSERT INTO order_assets (asset_id, order_id)
SELECT a.asset_id, c.id FROM orders c JOIN order_assets a ON a.order_id = :'orig'
WHERE c.id > 'ord_bench' AND c.id < 'ord_benci';
WITH steps(k, days, from_status, to_status, actor_kind, reason) AS (VALUES
  (1, 0, 'pending_payment', 'paid', NULL, NULL),
  (2, 1, 'paid', 'in_production', 'fulfillment_partner', NULL),
  (3, 3, 'in_production', 'fulfilled', 'fulfillment_partner', NULL),
  (4, 4, 'fulfilled', 'shipped', 'fulfillment_partner', NULL),
  (5, 6, 'shipped', 'delivered', 'fulfillment_partner', NULL),
  (6, 1, 'paid', 'cancelled', 'api_key', 'Customer asked to cancel')),
depth(status, last) AS (VALUES ('paid', 1), ('in_production', 2), ('fulfilled', 3), ('shipped', 4), ('delivered', 5), ('cancelled', 1)),
original AS (
  SELECT o.checkout_id, o.created_at, t.actor_kind, t.actor_id, t.details
  FROM orders o JOIN order_transitions t ON t.order_id = o.id AND t.to_status = 'paid' WHERE o.id = :'orig')
INSERT INTO order_transitions (id, order_id, at, actor_kind, actor_id, from_status, to_status, reason, details)
SELECT 'otr_' || substr(c.id, 5, 25) || s.k, c.id,
  c.created_at + LEAST(s.days * 86400.0, extract(epoch FROM o.created_at - c.created_at) * s.days / 8.0) * interval '1 second',
  coalesce(s.actor_kind, o.actor_kind), CASE s.k WHEN 1 THEN o.actor_id END, s.from_status, s.to_status, s.reason,
  CASE s.k WHEN 1 THEN replace(o.details, o.checkout_id, c.checkout_id)
           WHEN 4 THEN '{"carrier":"UPS","trackingNumber":"1ZBENCH' || substr(c.id, 10, 20) || '"}'
           ELSE '{}' END
FROM orders c JOIN depth d ON d.status = c.status
JOIN steps s ON s.k <= d.last OR (s.k = 6 AND c.status = 'cancelled')
CROSS JOIN original o
WHERE c.id > 'ord_bench' AND c.id < 'ord_benci';
SELECT setval('order_number_seq', GREATEST((SELECT last_value FROM order_number_seq),
                                           (SELECT substr(number, 4)::bigint FROM orders WHERE id = :'orig') + :copies));
SQL
}

# The console's bootstrap admin signs in as a browser would: the form's page (its anti-forgery cookie and field), then the
# post (303 and the session cookie). The password goes to curl on its standard input, never on a command line.
sign_in() {  # $1: data folder; sets token
  local headers=$work/sign-in.headers page=$work/sign-in.html csrf_cookie csrf code
  code=$(curl -sS -m 30 -D "$headers" -o "$page" -w '%{http_code}' "$base/console/sign-in")
  csrf_cookie=$(tr -d '\r' <"$headers" | sed -nE 's/^set-cookie: atelier_console_csrf=([^;]*).*/\1/Ip' | tail -1)
  csrf=$(python3 bench/console.py csrf <"$page")
  [ "$code" = 200 ] && [ -n "$csrf_cookie" ] && [ -n "$csrf" ] || { echo "GET /console/sign-in: $code, no form token" >&2; return 1; }
  code=$(awk 'NF { word = $NF } END { printf "%s", word }' "$1/bootstrap-console-password" \
    | curl -sS -m 60 -D "$headers" -o /dev/null -w '%{http_code}' -H "Cookie: atelier_console_csrf=$csrf_cookie" \
        --data-urlencode "csrf=$csrf" --data-urlencode "email=admin@localhost" --data-urlencode "password@-" \
        "$base/console/sign-in")
  token=$(tr -d '\r' <"$headers" | sed -nE 's/^set-cookie: atelier_console=([^;]*).*/\1/Ip' | tail -1)
  [ "$code" = 303 ] && [ -n "$token" ] || { echo "POST /console/sign-in: $code, no session cookie" >&2; return 1; }
}

fetch() {  # $1: path, $2: file for the body; prints the status
  curl -sS -m 60 -o "$2" -w '%{http_code}' -H "Cookie: atelier_console=$token" "$base$1"
}

expect_page() {  # $1: path, $2: file for the body, $3: the marker it must contain
  local code
  code=$(fetch "$1" "$2")
  if [ "$code" != 200 ] || ! grep -qF -- "$3" "$2"; then
    echo "GET $1 answered $code$(grep -qF -- "$3" "$2" || echo ", without '$3'"); the server's log ends with:" >&2
    tail -20 "$server_log" >&2
    return 1
  fi
}

# wrk's latency (850.00us, 12.34ms, 1.20s, 2.00m) in milliseconds.
to_ms() { awk -v v="$1" 'BEGIN { n = v + 0
  if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /[0-9]m$/) n *= 60000; else if (v ~ /s$/) n *= 1000
  printf "%.2f", n }'; }

measure() {  # $1: label, $2: path
  local label="$db $1" out rps p50 p99 non2xx errors
  out=$(timeout $((duration + 60)) wrk -t2 -c16 -d"${duration}s" --latency -H "Cookie: atelier_console=$token" "$base$2")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
  errors=$(awk '/Socket errors/ { gsub(",", ""); print $4 + $6 + $8 + $10 }' <<<"$out")
  printf '%-28s %10s req/s   p50 %9s   p99 %9s   non-2xx %s%s\n' "$label" "$rps" "$p50" "$p99" "${non2xx:-0}" \
    "${errors:+   socket errors $errors}"
  results+=("$label|$(to_ms "$p99")|${non2xx:-0}|${errors:-0}")
}

run_database() {  # $1: sqlite or postgres
  db=$1
  local data=$work/data-$1 port url="" key orig count next pages page_path order_id tee_id today from
  case $db in
    sqlite) port=18492 ;;
    postgres)
      port=18493
      if port_taken 25492; then echo "port 25492 is taken: not starting PostgreSQL there" >&2; return 1; fi
      start_private_postgres "$work/pg" 25492 durable
      url="postgres://atelier@127.0.0.1:25492/atelier_test?sslmode=disable"
      ;;
  esac
  if port_taken "$port"; then echo "port $port is taken: not starting the server there" >&2; return 1; fi
  base="http://127.0.0.1:$port"
  mkdir -p "$data"
  echo "[$db] starting the server…" >&2
  start_server "$data" "$port" "$url"
  key=$(cat "$data/bootstrap-admin-key")

  echo "[$db] loading $products products…" >&2
  for batch in "$work"/batches/*.json; do
    curl -fsS -m 600 -o /dev/null -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
      --data-binary "@$batch" "$base/admin/products/bulk"
  done

  orig=$(python3 bench/console.py paid-order "$base")
  [[ "$orig" =~ ^ord_[0-9a-z]{26}$ ]] || { echo "[$db] the paid order's id is '$orig'" >&2; return 1; }
  echo "[$db] paid order $orig; copying it $orders times…" >&2
  local started=$SECONDS
  if [ "$db" = sqlite ]; then
    stop_server  # one writer at a time: the server is not running while sqlite3 writes
    sqlite_copies | timeout 900 sqlite3 -batch -cmd ".parameter set :copies $orders" -cmd ".parameter set :orig '$orig'" \
      "$data/atelier.sqlite"
    count=$(sqlite3 "$data/atelier.sqlite" "SELECT count(*) FROM orders")
    start_server "$data" "$port" ""
  else
    postgres_copies | timeout 900 psql "$url" -X -q -v ON_ERROR_STOP=1 --single-transaction -v copies="$orders" -v orig="$orig" \
      -f - >"$work/copies-postgres.log"
    for table in orders order_products order_assets order_transitions; do
      timeout 600 psql "$url" -X -q -v ON_ERROR_STOP=1 -c "VACUUM (ANALYZE) $table"
    done
    runuser -u postgres -- psql -h 127.0.0.1 -p 25492 -U postgres -X -q -c CHECKPOINT
    count=$(psql "$url" -X -Atc "SELECT count(*) FROM orders")
  fi
  echo "[$db] $count orders ($((SECONDS - started)) s to copy)" >&2
  [ "$count" = $((orders + 1)) ] || { echo "[$db] expected $((orders + 1)) orders, found $count" >&2; return 1; }
  curl -fsS -m 60 -o "$work/admin-orders.json" -H "Authorization: Bearer $key" "$base/admin/orders?limit=1" \
    || { echo "[$db] GET /admin/orders?limit=1 failed" >&2; return 1; }
  # The studio's pages are the demo T-shirt's: its id from the admin API (the demo catalog comes first in id order).
  curl -fsS -m 60 -o "$work/admin-products.json" -H "Authorization: Bearer $key" "$base/admin/products?limit=100" \
    || { echo "[$db] GET /admin/products?limit=100 failed" >&2; return 1; }
  tee_id=$(python3 bench/console.py product-id custom-printed-tee <"$work/admin-products.json")
  [[ "$tee_id" =~ ^prod_[0-9a-z]{26}$ ]] \
    || { echo "[$db] the demo product custom-printed-tee is not among the first 100 products ('$tee_id')" >&2; return 1; }

  sign_in "$data"
  # The first page and the pages after it give the links to measure: without them there is nothing to go on.
  expect_page /console/orders "$work/page-1.html" 'data-order-number="'
  order_id=$(python3 bench/console.py orders <"$work/page-1.html")
  order_id=$(grep -m1 '^ord_bench' <<<"$order_id" || true)
  [ -n "$order_id" ] || { echo "[$db] no copied order on the first page of the list" >&2; return 1; }
  # A deeper page: "Next page" followed at most $deep_pages times from the first.
  page_path=""
  cp "$work/page-1.html" "$work/page.html"
  for pages in $(seq 1 "$deep_pages"); do
    next=$(python3 bench/console.py next <"$work/page.html")
    [ -n "$next" ] || { pages=$((pages - 1)); break; }
    page_path=$next
    expect_page "$page_path" "$work/page.html" 'data-order-number="'
  done
  [ -n "$page_path" ] || { echo "[$db] the first page of orders has no next page (ORDERS too small?)" >&2; return 1; }

  # The reports' range: the 90 days before today to today, in UTC (the shop's time zone, set in start_server).
  today=$(date -u +%F)
  from=$(date -u -d "$today -90 days" +%F)

  # Every page must answer 200 with its marker before it is measured; one that does not is reported, not measured.
  local entry label path marker state ready=()
  for entry in \
      "orders-first-page|/console/orders|data-order-number=\"" \
      "orders-shipped|/console/orders?status=shipped|data-order-number=\"" \
      "orders-page-$((pages + 1))|$page_path|data-order-number=\"" \
      "order-page|/console/orders/$order_id|id=\"order-status\"" \
      "dashboard|/console/|<h1>Dashboard</h1>" \
      "products-list|/console/products|id=\"products\"" \
      "products-search|/console/products?q=$search_word|id=\"products\"" \
      "product-editor|/console/products/$tee_id|id=\"product-form\"" \
      "template-editor|/console/products/$tee_id/template|id=\"view-front\"" \
      "stock|/console/products/$tee_id/inventory|id=\"inventory\"" \
      "reports|/console/reports|id=\"revenue-chart\"" \
      "reports-90-days|/console/reports?from=$from&to=$today&interval=week|id=\"orders-chart\""; do
    IFS='|' read -r label path marker <<<"$entry"
    if expect_page "$path" "$work/check.html" "$marker"; then ready+=("$label|$path|ok"); else ready+=("$label|$path|failed"); fi
  done
  for entry in "${ready[@]}"; do
    IFS='|' read -r label path state <<<"$entry"
    if [ "$state" = ok ]; then
      measure "$label" "$path"
    else
      printf '%-28s not measured: the page did not answer 200 with its marker\n' "$db $label"
      results+=("$db $label|-|-|-")
      broken=$((broken + 1))
    fi
  done
  stop_server
}

echo "wrk -t2 -c16 -d${duration}s --latency, loopback, $(nproc) cores; $((orders + 1)) orders, $products products" >&2
for db in $databases; do run_database "$db"; done

echo
for result in ${results[@]+"${results[@]}"}; do
  IFS='|' read -r label p99 non2xx errors <<<"$result"
  if [ "$p99" = - ]; then
    printf '%-28s not measured: the page did not answer 200 with its marker   p99 target %s ms: not met\n' "$label" "$target_ms"
    continue
  fi
  verdict=$(awk -v p="$p99" -v t="$target_ms" -v n="$non2xx" -v e="$errors" 'BEGIN { print (p <= t && n == 0 && e == 0) ? "met" : "not met" }')
  extra=""
  [ "$non2xx" = 0 ] || extra+=" ($non2xx non-2xx)"
  [ "$errors" = 0 ] || extra+=" ($errors socket errors)"
  printf '%-28s p99 %8s ms   p99 target %s ms: %s%s\n' "$label" "$p99" "$target_ms" "$verdict" "$extra"
done
if [ "$broken" -gt 0 ]; then
  echo "$broken page(s) failed their check (see above): not measured" >&2
  exit 1
fi
