#!/usr/bin/env bash
# One abusive client against a server run as a shop runs it (SQLite, local assets, the default rate limits and
# body limits), on loopback, for DURATION seconds: WORKERS threads each flood POST /sessions with bodies as large
# as the body limit allows (long or thousands of unknown selection, option and zone keys), upload random bytes
# behind valid PNG, JPEG and WebP headers up to the upload limit, read the catalog through unique URIs of about
# URI_BYTES (unknown query parameters), and call the cart with a new X-Session-Key or a new long atelier_session
# cookie each time. Prints the answers by kind and status, and the growth of the database (atelier.sqlite and
# its -wal), of the assets folder and of the server's memory (VmRSS before and after, peak VmHWM).
# Fails when the server exits, stops answering or answers 5xx. Bounded: the attack lasts DURATION seconds and
# every request at most REQUEST_TIMEOUT seconds.
#
#   bash bench/abuse.sh      # DURATION=60 WORKERS=2 URI_BYTES=61440 COOKIE_BYTES=8192 REQUEST_TIMEOUT=30 by default
#   BIN=path/to/atelier bash bench/abuse.sh      # an existing build instead of building the release one
set -euo pipefail
# The shop's defaults: rate limiting on with its default allowances, SQLite, assets in the data folder.
export ATELIER_RATE_LIMITING=true
unset ATELIER_RATE_LIMIT_GENERAL ATELIER_RATE_LIMIT_CHECKOUT ATELIER_RATE_LIMIT_UPLOAD ATELIER_UPLOAD_QUOTA_BYTES_PER_HOUR \
  ATELIER_TRUSTED_PROXY_HOPS DATABASE_URL ATELIER_S3_BUCKET
cd "$(dirname "$0")/.."
duration=${DURATION:-60}
workers=${WORKERS:-2}
uri_bytes=${URI_BYTES:-61440}
cookie_bytes=${COOKIE_BYTES:-8192}
timeout=${REQUEST_TIMEOUT:-30}
# The server's body limits (README): whatever the caller sets, else the documented defaults. The client learns
# lower ones from the server's 413 answers.
body_bytes=${ATELIER_MAX_BODY_BYTES:-1048576}
asset_bytes=${ATELIER_MAX_ASSET_BYTES:-10485760}

. scripts/peers.sh
install_debian curl python3

bench_setup bench-abuse

port=18494
mkdir -p "$work/data"
ATELIER_DATA_DIR="$work/data" PORT=$port ATELIER_LOG_LEVEL=warning "$bin" serve >"$work/serve.log" 2>&1 &
pids+=($!)
server=$!
bench_wait_ready "$port" 60 "$work/serve.log"

status=0
PYTHONDONTWRITEBYTECODE=1 python3 bench/abuse.py "http://127.0.0.1:$port" "$server" "$work/data" "$duration" "$workers" \
  "$body_bytes" "$asset_bytes" "$uri_bytes" "$cookie_bytes" "$timeout" || status=$?
errors=$(grep -c '"level":"error"\|\berror\b' "$work/serve.log" || true)
echo "server log: $(wc -l <"$work/serve.log") lines at warning and above, $errors mentioning an error"
if [ "$errors" -gt 0 ]; then grep -m 5 '"level":"error"\|\berror\b' "$work/serve.log" | cut -c1-400; fi
exit "$status"
