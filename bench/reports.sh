#!/usr/bin/env bash
# Reports at scale, release build, PostgreSQL: ORDERS orders (default 1,000,000) paid over the last two years,
# written straight into an empty database with SQL (20 products in 3 template versions, one to three lines,
# variant, add-on and zone choices, a fiftieth of them cancelled), then `atelier serve` builds the reports'
# daily aggregate from the orders at its first start (timed), a few thousand ledger entries are left unfolded
# as a live shop has them, and bench/reports.py times GET /reports/sales and /reports/options over ranges from
# one day to the whole two years (each REPEAT times; p50 and max), JSON and CSV.
#
#   BENCH_DATABASE_URL=postgres://USER:PASSWORD@127.0.0.1:5432/EMPTY_DB?sslmode=disable bash bench/reports.sh
set -euo pipefail
export ATELIER_RATE_LIMITING=false
cd "$(dirname "$0")/.."
url=${BENCH_DATABASE_URL:?set BENCH_DATABASE_URL to an empty PostgreSQL database}
orders=${ORDERS:-1000000}
repeat=${REPEAT:-20}

. scripts/peers.sh
install_debian curl postgresql-client

bench_setup bench-reports
psql_url=${url%%\?*}

if [ "$(psql -tA "$psql_url" -c "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema()")" != 0 ]; then
  echo "BENCH_DATABASE_URL must name an empty database (this run writes $orders orders into it)" >&2
  exit 1
fi
DATABASE_URL=$url ATELIER_DATA_DIR="$work/data" ATELIER_LOG_LEVEL=warning "$bin" migrate >/dev/null
echo "writing $orders orders…" >&2
started=$(date +%s.%N)
psql -q -v ON_ERROR_STOP=1 "$psql_url" -v orders="$orders" <<'SQL'
CREATE FUNCTION pg_temp.bench_line(n bigint, k int) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_build_object(
    'lineId', 'lin_' || n || '_' || k, 'productId', 'prd_bench' || ((n * 7 + k) % 20), 'productSlug', 'bench-' || ((n * 7 + k) % 20),
    'productName', 'Bench product ' || ((n * 7 + k) % 20), 'templateVersion', 1 + (n + k) % 3,
    'state', jsonb_build_object(
      'selection', jsonb_build_object('size', (ARRAY['s','m','l','xl'])[1 + (n + k) % 4], 'colour', (ARRAY['white','black','navy','red','green'])[1 + (n / 3 + k) % 5]),
      'options', jsonb_build_object('wrap', CASE WHEN n % 3 = 0 THEN '["gift"]'::jsonb ELSE '[]'::jsonb END),
      'zones', jsonb_build_object('front', jsonb_build_object('text', jsonb_build_object('text', 'Name', 'font', (ARRAY['serif','script','mono','sans'])[1 + (n / 5 + k) % 4])))),
    'quantity', 1 + (n + k) % 3,
    'unit', jsonb_build_object('base', 1500 + ((n * 7 + k) % 20) * 100, 'variantAdjustments', 0, 'optionSurcharges', 0, 'customizationSurcharges', 0),
    'amount', (1 + (n + k) % 3) * (1500 + ((n * 7 + k) % 20) * 100), 'leadTimeDays', 3, 'shipDate', '2026-01-01')
$$;
CREATE TEMP TABLE bench_orders AS
  SELECT g, now() - (random() * interval '730 days') AS paid,
         (SELECT jsonb_agg(pg_temp.bench_line(g, k)) FROM generate_series(0, (g % 3)::int) k) AS lines
  FROM generate_series(1, :orders) g;
INSERT INTO orders (id, number, checkout_id, status, access_token_hash, currency, subtotal, shipping, tax, total, snapshot, customer,
                    email_hash, provider, refunded, expected_ship_date, paid_at, created_at, updated_at)
SELECT 'ord_bench' || lpad(g::text, 9, '0'), 'B-' || g, 'chk_bench' || g, CASE WHEN g % 50 = 0 THEN 'cancelled' ELSE 'delivered' END,
       'x', 'USD', sub, 595, (sub + 595) * 8 / 100, sub + 595 + (sub + 595) * 8 / 100,
       jsonb_build_object('currency', 'USD', 'taxMode', 'exclusive', 'lines', lines, 'subtotal', sub, 'shippingMethod', 'post',
                          'shippingName', 'Post', 'shipping', 595, 'taxLines', '[]'::jsonb, 'tax', (sub + 595) * 8 / 100,
                          'total', sub + 595 + (sub + 595) * 8 / 100, 'expectedShipDate', '2026-01-01', 'destination', 'US')::text,
       'sealed', 'h' || (g % 100000), 'test', CASE WHEN g % 50 = 0 THEN sub + 595 + (sub + 595) * 8 / 100 ELSE 0 END,
       '2026-01-01', paid, paid, paid
FROM (SELECT g, paid, lines, (SELECT SUM((l->>'amount')::bigint) FROM jsonb_array_elements(lines) l)::bigint AS sub FROM bench_orders) s;
ANALYZE orders;
SQL
echo "orders written in $(python3 -c "print(round($(date +%s.%N) - $started))") s; $(psql -tA "$psql_url" -c "SELECT pg_size_pretty(pg_total_relation_size('orders'))") on disk" >&2

port=18495
started=$(date +%s.%N)
DATABASE_URL=$url ATELIER_DATA_DIR="$work/data" PORT=$port ATELIER_LOG_LEVEL=notice ATELIER_SEED_DEMO=false ATELIER_WORKERS=0 \
  ATELIER_SHOP_TIMEZONE=America/New_York "$bin" serve >"$work/serve.log" 2>&1 &
pids+=($!)
bench_wait_ready "$port" 600 "$work/serve.log"
echo "daily aggregate built from $orders orders at the first start: $(python3 -c "print(round($(date +%s.%N) - $started, 1))") s" \
  "($(psql -tA "$psql_url" -c "SELECT COUNT(*) FROM report_daily") daily rows)"
key=$(cat "$work/data/bootstrap-admin-key")

# What a live shop has between two folds: entries of the last minutes' payments, not yet in the aggregate.
psql -q -v ON_ERROR_STOP=1 "$psql_url" <<'SQL'
INSERT INTO report_entries (id, paid_at, currency, dimension, item, detail, label, orders, units, subtotal, shipping, tax, total, cancelled, refunded)
SELECT 'rpe_bench' || g, now() - (g || ' seconds')::interval, 'USD', (ARRAY['order','product','option'])[1 + g % 3],
       CASE g % 3 WHEN 0 THEN '' WHEN 1 THEN 'prd_bench' || (g % 20) ELSE 'variant:colour' END,
       CASE g % 3 WHEN 0 THEN '' WHEN 1 THEN '1' ELSE 'red' END, '', 1, 2, 4000, 595, 367, 4962, 0, 0
FROM generate_series(1, 3000) g;
SQL
python3 bench/reports.py "http://127.0.0.1:$port" "$key" "$repeat" America/New_York
