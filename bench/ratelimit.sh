#!/usr/bin/env bash
# The rate limiter under wrk, release build, SQLite: one client (loopback) calls GET /products at about
# twice its allowance (LIMIT requests per PERIOD seconds; wrk's Lua delay paces CONNECTIONS connections),
# then as fast as it can. Prints the request rate, the share answered 429, and what the limiter should have
# let through (its burst plus LIMIT/PERIOD per second). Bounded: each run lasts DURATION seconds.
#
#   bash bench/ratelimit.sh      # LIMIT=100 PERIOD=1 DURATION=20 CONNECTIONS=4 by default
set -euo pipefail
export ATELIER_RATE_LIMITING=true  # whatever the caller has set: the limiter is what this measures
cd "$(dirname "$0")/.."
limit=${LIMIT:-100}
period=${PERIOD:-1}
duration=${DURATION:-20}
connections=${CONNECTIONS:-4}

. scripts/peers.sh
install_debian wrk curl

bench_setup bench-rl

port=18491
ATELIER_DATA_DIR="$work/data" PORT=$port ATELIER_LOG_LEVEL=warning ATELIER_RATE_LIMIT_GENERAL="$limit/$period" \
  "$bin" serve >"$work/serve.log" 2>&1 &
pids+=($!)
bench_wait_ready "$port" 30 "$work/serve.log"

# Counts answers by status; `delay` paces each connection so that all of them together send about
# twice the allowed rate.
cat >"$work/count.lua" <<LUA
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) ok = 0; limited = 0; other = 0; pause = tonumber(args[1]) end
function delay() return pause end
function response(status, headers, body)
  if status == 200 then ok = ok + 1 elseif status == 429 then limited = limited + 1 else other = other + 1 end
end
function done(summary, latency, requests)
  local o, l, x = 0, 0, 0
  for _, t in ipairs(threads) do o = o + t:get("ok"); l = l + t:get("limited"); x = x + t:get("other") end
  local total = o + l + x
  io.write(string.format("answers: %d (%.0f/s); 200: %d, 429: %d (%.1f %%), other: %d\n", total,
    total / (summary.duration / 1e6), o, l, 100 * l / math.max(total, 1), x))
  io.write(string.format("the limiter should allow about %d: a burst of %d, then %.0f/s\n",
    math.floor($limit + $limit / $period * summary.duration / 1e6), $limit, $limit / $period))
  io.write(string.format("latency p50 %.2f ms, p99 %.2f ms\n", latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
LUA

# Twice the allowed rate: CONNECTIONS connections, each waiting CONNECTIONS * PERIOD / (2 * LIMIT) between requests.
pause=$(python3 -c "print(max(1, round($connections * $period * 1000 / (2 * $limit))))")
echo "== twice the limit: $connections connections, ${pause} ms between requests on each, ${duration} s"
wrk -t1 -c"$connections" -d"${duration}s" -s "$work/count.lua" "http://127.0.0.1:$port/products" -- "$pause" | grep -E "answers|limiter|latency p"
sleep $((period + 1))
echo "== flat out: 64 connections, ${duration} s"
wrk -t2 -c64 -d"${duration}s" -s "$work/count.lua" "http://127.0.0.1:$port/products" -- 0 | grep -E "answers|limiter|latency p"
